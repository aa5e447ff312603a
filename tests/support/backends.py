"""A storage for tests that need one without the HTTP app: the container's own, started.

`await open_backend(url)` builds the container from settings (their defaults: the pool
size, the timeouts), starts it, and hands back what it exposes; `dispose()` stops it.
Nothing here is a second composition root: every piece comes from the container.
"""

from dataclasses import dataclass
from typing import Any

from limits.aio.storage import Storage
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.dialect import Pooler
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.listen import PollingWakeup, PostgresWakeup
from application.outbox import OutboxStore
from application.ports import ItemReader, SessionReader, UnitOfWorkFactory, UserReader
from application.storage import PoolStatus
from entrypoints.container import Container, build_container, options, start, stop
from entrypoints.settings import Settings

UNUSED_NATS = "nats://127.0.0.1:1"  # turns the outbox on; nothing here publishes


def settings_of(
    url: str, *, pool_size: int | None = None, pooler: Pooler = "none", outbox: bool = False
) -> Settings:
    """Settings for `url` alone: no .env, the defaults for everything not given."""
    values: dict[str, Any] = {"database_url": url, "db_pooler": pooler}
    if pool_size is not None:
        values["db_pool_size"] = pool_size
    if outbox:
        values["nats_url"] = UNUSED_NATS
    return Settings(_env_file=None, **values)


@dataclass(frozen=True, slots=True, kw_only=True)
class Backend:
    container: Container
    name: str  # "memory", "sqlite" or "postgresql"
    uow: UnitOfWorkFactory
    users: UserReader
    items: ItemReader
    sessions: SessionReader
    counters: Storage
    outbox: OutboxStore | None  # the relay's side (SQL only)

    async def ping(self) -> None:
        await self.container.ping()

    async def migrate(self) -> None:
        await self.container.migrate()

    async def dispose(self) -> None:
        await stop(self.container)

    def pool(self) -> PoolStatus:
        status: PoolStatus = self.container.pool()
        return status

    def wakeup(self) -> PollingWakeup | PostgresWakeup:
        made: PollingWakeup | PostgresWakeup = self.container.wakeup()
        return made


async def open_backend(
    url: str,
    *,
    pool_size: int | None = None,
    pooler: Pooler = "none",
    outbox: bool = False,
) -> Backend:
    """The started container's storage for `url`; with `outbox`, units of work write
    their events to the outbox as they commit."""
    settings = settings_of(url, pool_size=pool_size, pooler=pooler, outbox=outbox)
    container = build_container(settings)
    await start(container)
    return Backend(
        container=container,
        name=container.storage_kind(),
        uow=container.uow(),
        users=container.users(),
        items=container.items(),
        sessions=container.sessions(),
        counters=container.counters(),
        outbox=container.relay_store(),
    )


def engine_for(url: str, *, pool_size: int | None = None, pooler: Pooler = "none") -> AsyncEngine:
    """An engine as the container makes it (engine.py), with the settings' defaults."""
    settings = settings_of(url, pool_size=pool_size, pooler=pooler)
    return create_engine(
        options.dialect(settings),
        url,
        pool_size=settings.db_pool_size,
        timeouts=options.timeouts(settings),
    )
