"""One factory picks the storage backend from the database URL.

Nothing in `domain` or `application` knows which backend runs: they see a
`UnitOfWorkFactory`. The entrypoints see a `Backend`: the factory plus the few
operations an operator needs (is the database there, build its schema, let it go).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import text

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from adapters.sqlalchemy import migrations
from adapters.sqlalchemy.engine import DEFAULT_TIMEOUTS, DatabaseTimeouts, create_engine
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.ports import UnitOfWorkFactory

MEMORY_URL = "memory://"
_SQL_SCHEMES = {"sqlite+aiosqlite": "sqlite", "postgresql+asyncpg": "postgresql"}


async def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Backend:
    name: str  # "memory", "sqlite" or "postgresql"
    uow: UnitOfWorkFactory
    ping: Callable[[], Awaitable[None]]  # raises when the database cannot be reached
    migrate: Callable[[], Awaitable[None]]  # brings the schema to the newest revision
    dispose: Callable[[], Awaitable[None]]  # closes every connection


def open_backend(
    url: str, *, pool_size: int = 5, timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS
) -> Backend:
    """A backend for `memory://`, `sqlite+aiosqlite:///path` or `postgresql+asyncpg://...`.

    Nothing connects here: the first unit of work, ping or migration does. `timeouts`
    bound every wait on the database (engine.py)."""
    if url.startswith(MEMORY_URL):
        return _memory()
    scheme = url.split(":", 1)[0]
    if scheme not in _SQL_SCHEMES:
        raise ValueError(
            f"unsupported database URL scheme {scheme!r}: use memory://, "
            "sqlite+aiosqlite:///path or postgresql+asyncpg://..."
        )
    return _sql(_SQL_SCHEMES[scheme], url, pool_size=pool_size, timeouts=timeouts)


def _memory() -> Backend:
    database = InMemoryDatabase()

    def uow(*, read_only: bool = False) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(database, read_only=read_only)

    return Backend("memory", uow, _nothing, _nothing, _nothing)


def _sql(name: str, url: str, *, pool_size: int, timeouts: DatabaseTimeouts) -> Backend:
    """On PostgreSQL, reads get a pool of their own in autocommit (each pool `pool_size`)."""
    engine = create_engine(url, pool_size=pool_size, timeouts=timeouts)
    reader = engine
    if name == "postgresql":
        reader = create_engine(url, pool_size=pool_size, autocommit=True, timeouts=timeouts)

    async def ping() -> None:
        async with reader.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def migrate() -> None:
        await migrations.upgrade(engine)

    async def dispose() -> None:
        await engine.dispose()
        await reader.dispose()

    uow = SqlAlchemyUnitOfWorkFactory(engine, reader=reader)
    return Backend(name, uow, ping, migrate, dispose)
