"""The storage, one sub-container per kind; the container picks one by the URL's scheme.

Each exposes the same providers: the unit-of-work factory (`uow`), the readers (`users`,
`items`), `ping`, `migrate` and `pool` for the operator, the login throttle's `counters`,
and the relay's `relay_store` and `wakeup`. Every clock comes from the container's
`clock`, so overriding it reaches them all. Nothing connects when they are made: the first
unit of work, read, ping or migration does.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import suppress
from functools import partial

from dependency_injector import containers, providers
from limits.aio.storage import MemoryStorage as MemoryCounters
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.memory import (
    InMemoryDatabase,
    InMemoryItemReader,
    InMemoryReader,
    InMemoryUserReader,
)
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.sqlalchemy.asyncpg_rows import AsyncpgRows
from adapters.sqlalchemy.counters import SqlAlchemyCounterStorage
from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.dialect import Dialect
from adapters.sqlalchemy.engine import DatabaseTimeouts, create_engine
from adapters.sqlalchemy.listen import PollingWakeup, PostgresWakeup
from adapters.sqlalchemy.mapping import SESSIONS
from adapters.sqlalchemy.outbox import OutboxWriter
from adapters.sqlalchemy.readers import SqlAlchemyItemReader, SqlAlchemyReader, SqlAlchemyUserReader
from adapters.sqlalchemy.relay_store import SqlAlchemyOutboxStore
from adapters.sqlalchemy.replicas import Replica, ReplicaSet, RoutedRows
from adapters.sqlalchemy.rows import CoreRows, RowSource
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.ports import Clock
from application.storage import PoolStatus
from domain.sessions import Session
from entrypoints.container import options
from entrypoints.settings import Settings


async def _nothing() -> None:
    return None


class InMemoryStorage(containers.DeclarativeContainer):
    """`memory://`: the process's own rows, gone when it stops."""

    settings = providers.Dependency(instance_of=Settings)
    clock: providers.Dependency[Clock] = providers.Dependency()

    database = providers.Singleton(InMemoryDatabase)
    uow = providers.Singleton(
        partial,
        InMemoryUnitOfWork,
        database,
        outbox_clock=providers.Callable(options.outbox_clock, settings, clock),
    )
    users = providers.Singleton(InMemoryUserReader, database)
    items = providers.Singleton(InMemoryItemReader, database)
    sessions: providers.Singleton[InMemoryReader[Session]] = providers.Singleton(
        InMemoryReader, database, SESSIONS.name
    )
    ping = providers.Coroutine(_nothing)
    migrate = providers.Coroutine(_nothing)
    pool = providers.Factory(PoolStatus)
    counters = providers.Singleton(MemoryCounters)
    relay_store: providers.Object[None] = providers.Object(None)  # the relay needs a SQL database
    wakeup = providers.Factory(PollingWakeup)


async def _engine(
    dialect: Dialect, url: str, pool_size: int, timeouts: DatabaseTimeouts
) -> AsyncIterator[AsyncEngine]:
    """The process's one engine (engine.py); its connections close on shutdown."""
    engine = create_engine(dialect, url, pool_size=pool_size, timeouts=timeouts)
    try:
        yield engine
    finally:
        await engine.dispose()


def _rows(dialect: Dialect, database: Database) -> RowSource:
    return AsyncpgRows(database) if dialect.direct_reads else CoreRows(database)


async def _replica_set(
    settings: Settings, dialect: Dialect, timeouts: DatabaseTimeouts, primary: AsyncEngine
) -> AsyncIterator[ReplicaSet | None]:
    """The replicas of `CATALOG_DATABASE_REPLICA_URLS`, sampled in the background while
    the process runs (replicas.py); None without any."""
    urls = settings.database_replica_urls
    if not urls:
        yield None
        return
    size = settings.db_pool_size
    engines = [create_engine(dialect, url, pool_size=size, timeouts=timeouts) for url in urls]
    replicas = []
    for index, engine in enumerate(engines):
        database = Database(engine)
        replicas.append(Replica(f"replica{index}", database, _rows(dialect, database)))
    found = ReplicaSet(
        primary.connect,
        replicas,
        max_lag=settings.replica_max_lag_seconds,
        timeout=timeouts.connect,
    )
    sampler = asyncio.create_task(found.run())
    try:
        yield found
    finally:
        sampler.cancel()
        with suppress(asyncio.CancelledError):
            await sampler
        for engine in engines:
            await engine.dispose()


def _routed(primary: RowSource, replicas: ReplicaSet | None) -> RowSource:
    return primary if replicas is None else RoutedRows(primary, replicas)


def _outbox_writer(clock: Clock | None) -> OutboxWriter | None:
    return None if clock is None else OutboxWriter(clock)


def _wakeup(dialect: Dialect, url: str, timeouts: DatabaseTimeouts) -> object:
    if dialect.listens:
        return PostgresWakeup(url, connect_timeout=timeouts.connect)
    return PollingWakeup()


async def _ping(database: Database) -> None:
    await database.ping()


async def _migrate(database: Database) -> None:
    await database.migrate()


class SqlStorage(containers.DeclarativeContainer):
    """`sqlite+aiosqlite://` and `postgresql+asyncpg://`; dialect.py says what differs."""

    settings = providers.Dependency(instance_of=Settings)
    clock: providers.Dependency[Clock] = providers.Dependency()

    url = settings.provided.database_url
    dialect = providers.Singleton(options.dialect, settings)
    timeouts = providers.Singleton(options.timeouts, settings)
    engine = providers.Resource(
        _engine, dialect, url, pool_size=settings.provided.db_pool_size, timeouts=timeouts
    )
    database = providers.Singleton(Database, engine)
    primary_rows = providers.Singleton(_rows, dialect, database)
    replica_set = providers.Resource(_replica_set, settings, dialect, timeouts, engine)
    rows = providers.Singleton(_routed, primary_rows, replica_set)
    outbox = providers.Singleton(
        _outbox_writer, providers.Callable(options.outbox_clock, settings, clock)
    )
    uow = providers.Singleton(
        SqlAlchemyUnitOfWorkFactory,
        database,
        outbox=outbox,
        positions=providers.Callable(bool, settings.provided.database_replica_urls),
    )
    users = providers.Singleton(SqlAlchemyUserReader, rows)
    items = providers.Singleton(SqlAlchemyItemReader, rows)
    sessions = providers.Singleton(SqlAlchemyReader, SESSIONS, rows)
    ping = providers.Coroutine(_ping, database)
    migrate = providers.Coroutine(_migrate, database)
    pool = providers.Callable(Database.pool_status, database)
    counters = providers.Singleton(SqlAlchemyCounterStorage, engine)
    relay_store = providers.Singleton(SqlAlchemyOutboxStore, database, clock=clock)
    wakeup = providers.Factory(_wakeup, dialect, url, timeouts)
