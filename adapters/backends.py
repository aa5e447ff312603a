"""One factory picks the storage backend from the database URL.

Nothing in `domain` or `application` knows which backend runs: they see a
`UnitOfWorkFactory` for writes and the readers for queries. The entrypoints see a
`Backend`: those, plus the few operations an operator needs (is the database there,
build its schema, let it go).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from limits.aio.storage import MemoryStorage, Storage
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import QueuePool

from adapters.clock import SystemClock
from adapters.memory import (
    InMemoryDatabase,
    InMemoryItemReader,
    InMemoryUnitOfWork,
    InMemoryUserReader,
)
from adapters.sqlalchemy import migrations
from adapters.sqlalchemy.asyncpg_rows import AsyncpgRows
from adapters.sqlalchemy.counters import SqlAlchemyCounterStorage
from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.engine import DEFAULT_TIMEOUTS, DatabaseTimeouts, Pooler, create_engine
from adapters.sqlalchemy.listen import PollingWakeup, PostgresWakeup
from adapters.sqlalchemy.outbox import OutboxWriter
from adapters.sqlalchemy.readers import SqlAlchemyItemReader, SqlAlchemyUserReader
from adapters.sqlalchemy.relay_store import SqlAlchemyOutboxStore
from adapters.sqlalchemy.rows import CoreRows, RowSource
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.outbox import OutboxStore
from application.ports import ItemReader, UnitOfWorkFactory, UserReader

MEMORY_URL = "memory://"
_SQL_SCHEMES = {"sqlite+aiosqlite": "sqlite", "postgresql+asyncpg": "postgresql"}


async def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class PoolStatus:
    in_use: int  # connections checked out of the pool
    waiting: int  # units of work and reads queued for one


def _idle() -> PoolStatus:
    return PoolStatus(0, 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class Backend:
    name: str  # "memory", "sqlite" or "postgresql"
    uow: UnitOfWorkFactory
    users: UserReader
    items: ItemReader
    ping: Callable[[], Awaitable[None]]  # raises when the database cannot be reached
    migrate: Callable[[], Awaitable[None]]  # brings the schema to the newest revision
    dispose: Callable[[], Awaitable[None]]  # closes every connection
    counters: Storage  # where the login throttle counts, shared by the database's users
    pool: Callable[[], PoolStatus]  # how busy the connection pool is, now
    outbox: OutboxStore | None = None  # the relay's side of the outbox (SQL backends)
    wakeup: Callable[[], PollingWakeup | PostgresWakeup] = PollingWakeup  # wakes the relay


def check_database_url(url: str) -> None:
    """Raises ValueError, saying why, for a URL no backend can use. Connects to nothing."""
    if url.startswith(MEMORY_URL):
        return
    scheme = url.split(":", 1)[0]
    if scheme not in _SQL_SCHEMES:
        raise ValueError(
            f"unsupported database URL scheme {scheme!r}: use memory://, "
            "sqlite+aiosqlite:///path or postgresql+asyncpg://..."
        )
    migrations.check_sqlite_directory(url)


def open_backend(
    url: str,
    *,
    pool_size: int = 5,
    pooler: Pooler = "none",
    timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS,
    outbox: bool = False,
) -> Backend:
    """A backend for `memory://`, `sqlite+aiosqlite:///path` or `postgresql+asyncpg://...`.
    With `outbox`, every unit of work writes its events to the outbox as it commits.

    Nothing connects here: the first unit of work, read, ping or migration does. `timeouts`
    bound every wait on the database (engine.py)."""
    check_database_url(url)
    if url.startswith(MEMORY_URL):
        return _memory(outbox=outbox)
    engine = create_engine(url, pool_size=pool_size, pooler=pooler, timeouts=timeouts)
    return _sql(_SQL_SCHEMES[url.split(":", 1)[0]], engine, pooler=pooler, outbox=outbox)


def _memory(*, outbox: bool) -> Backend:
    database = InMemoryDatabase()
    clock = SystemClock() if outbox else None
    return Backend(
        name="memory",
        uow=lambda: InMemoryUnitOfWork(database, outbox_clock=clock),
        users=InMemoryUserReader(database),
        items=InMemoryItemReader(database),
        ping=_nothing,
        migrate=_nothing,
        dispose=_nothing,
        counters=MemoryStorage(),
        pool=_idle,
    )


def _sql(name: str, engine: AsyncEngine, *, pooler: Pooler, outbox: bool) -> Backend:
    database = Database(engine)
    # PostgreSQL reads go straight to the driver (asyncpg_rows.py), except behind a
    # transaction pooler, where only statements inside a transaction are safe.
    direct = name == "postgresql" and pooler == "none"
    rows: RowSource = AsyncpgRows(database) if direct else CoreRows(database)

    async def ping() -> None:
        async with database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def migrate() -> None:
        await migrations.upgrade(database.engine)

    def wakeup() -> PollingWakeup | PostgresWakeup:
        # LISTEN needs a session of its own: not through a transaction pooler.
        listens = name == "postgresql" and pooler == "none"
        url = engine.url.render_as_string(hide_password=False)
        return PostgresWakeup(url) if listens else PollingWakeup()

    return Backend(
        name=name,
        uow=SqlAlchemyUnitOfWorkFactory(
            database, outbox=OutboxWriter(SystemClock()) if outbox else None
        ),
        users=SqlAlchemyUserReader(rows),
        items=SqlAlchemyItemReader(rows),
        ping=ping,
        migrate=migrate,
        dispose=database.dispose,
        counters=SqlAlchemyCounterStorage(database.engine),
        pool=lambda: _pool_status(database),
        outbox=SqlAlchemyOutboxStore(database, clock=SystemClock()),
        wakeup=wakeup,
    )


def _pool_status(database: Database) -> PoolStatus:
    pool, gate = database.engine.pool, database.gate
    in_use = pool.checkedout() if isinstance(pool, QueuePool) else 0
    return PoolStatus(in_use, 0 if gate is None else gate.waiting)
