"""What only the SQL backends promise: connection settings, batched streams, reads that
pay no transaction round trips on PostgreSQL, and one pool for reads and writes."""

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.dialect import APPLICATION_NAME
from adapters.sqlalchemy.readers import SqlAlchemyItemReader
from adapters.sqlalchemy.rows import CoreRows
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.pagination import ItemFilter, PageRequest
from application.storage import StorageUnavailable
from domain.users import User
from tests.support.backends import Backend, engine_for, open_backend
from tests.support.data import new_item, new_user
from tests.support.wire import RoundTripCounter


@pytest.fixture
async def engine(sql_url: str) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(sql_url, pool_size=2)
    try:
        yield engine
    finally:
        await engine.dispose()


def _statements(engine: AsyncEngine) -> list[str]:
    seen: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement.lstrip().split(None, 1)[0].upper())

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    return seen


async def test_connection_settings(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            pragmas = [
                (await conn.execute(text(f"PRAGMA {name}"))).scalar_one()
                for name in ("journal_mode", "foreign_keys", "busy_timeout")
            ]
            assert pragmas == ["wal", 1, 5000]
        else:
            name = (await conn.execute(text("SHOW application_name"))).scalar_one()
            assert name == APPLICATION_NAME
    assert getattr(engine.pool, "size")() == 2  # noqa: B009 (QueuePool, not on Pool)
    assert getattr(engine.pool, "_max_overflow") == 0  # noqa: B009
    assert not engine.pool._pre_ping


async def test_the_unit_of_work_owns_an_async_session(engine: AsyncEngine) -> None:
    database = Database(engine)
    async with SqlAlchemyUnitOfWorkFactory(database)() as tx:
        session = getattr(tx, "_session")  # noqa: B009 (not on the port)
        assert type(session).__name__ == "AsyncSession"
        assert session.sync_session.expire_on_commit is False
        await tx.users.add(new_user())
        assert session.in_transaction()
    assert not session.in_transaction()  # rolled back and closed on exit


async def test_stream_reads_in_batches(engine: AsyncEngine) -> None:
    database = Database(engine)
    async with SqlAlchemyUnitOfWorkFactory(database)() as tx:
        owner = await tx.users.add(new_user())
        added = [await tx.items.add(new_item(owner.id)) for _ in range(7)]
        await tx.commit()
    statements = _statements(engine)
    reader = SqlAlchemyItemReader(CoreRows(database))
    where = ItemFilter(owner_id=owner.id)
    streamed = [item async for item in reader.stream(where, batch_size=3)]
    assert streamed == added
    assert statements == ["SELECT"] * 3  # 3 + 3 + 1 rows


def _proxied(url: str, port: int) -> str:
    parsed = make_url(url).set(host="127.0.0.1", port=port)
    return parsed.update_query_dict({"ssl": "disable"}).render_as_string(hide_password=False)


async def test_round_trips_per_unit_of_work_on_postgres(migrated_postgres_url: str) -> None:
    """Counted on the wire: a write pays BEGIN and COMMIT, a read only its query."""
    url = make_url(migrated_postgres_url)
    counter = RoundTripCounter(host=url.host or "127.0.0.1", port=url.port or 5432)
    backend = await open_backend(
        _proxied(migrated_postgres_url, await counter.start()), pool_size=1
    )
    try:
        async with backend.uow() as tx:  # connects, and prepares the statements
            user = await tx.users.add(new_user())
            await tx.users.get(user.id)
            await tx.commit()
        assert await backend.users.get(user.id) == user  # prepares the reader's get
        counter.round_trips.clear()
        async with backend.uow() as tx:
            await tx.users.add(new_user())
            await tx.commit()
        assert counter.round_trips == {"BEGIN": 1, "EXECUTE": 1, "COMMIT": 1}
        counter.round_trips.clear()
        assert await backend.users.get(user.id) == user
        async with backend.uow() as tx:  # a write that ends without commit rolls back
            await tx.users.get(user.id)
        assert counter.round_trips == {"EXECUTE": 2, "BEGIN": 1, "ROLLBACK": 1}
    finally:
        await backend.dispose()
        await counter.close()


async def test_a_read_on_a_dropped_connection_fails_once_then_recovers(
    migrated_postgres_url: str,
) -> None:
    backend = await open_backend(migrated_postgres_url, pool_size=1)
    admin = engine_for(migrated_postgres_url, pool_size=1)
    try:
        async with backend.uow() as tx:
            user = await _register(tx.users)
            await tx.commit()
        pid = await _backend_pid(backend)  # of the pool's one connection
        async with admin.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(StorageUnavailable) as raised:
            await backend.users.get(user.id)
        assert raised.value.cause == "dropped"
        assert isinstance(raised.value.__cause__, OperationalError)  # the driver's, kept
        assert await backend.users.get(user.id) == user  # a new connection: served again
    finally:
        await backend.dispose()
        await admin.dispose()


_CATALOG_CONNECTIONS = text(
    "SELECT count(*) FROM pg_stat_activity"
    " WHERE application_name = :name AND datname = current_database()"
).bindparams(name=APPLICATION_NAME)


async def test_the_pool_size_bounds_reads_and_writes_together(fresh_postgres_url: str) -> None:
    """Counted on the server: however many reads and writes run at once, one process holds
    at most `pool_size` connections. (A database of its own: nothing else connects.)"""
    backend = await open_backend(fresh_postgres_url, pool_size=3)
    admin = create_async_engine(fresh_postgres_url, poolclass=NullPool)  # not "catalog"
    seen: list[int] = []
    try:
        await backend.migrate()
        async with backend.uow() as tx:
            owner = await _register(tx.users)
            await tx.commit()

        async def write() -> None:
            async with backend.uow() as tx:
                await tx.items.add(new_item(owner.id))
                await asyncio.sleep(0.01)
                await tx.commit()

        async def read() -> None:
            await backend.items.list(ItemFilter(owner_id=owner.id), PageRequest())
            await backend.users.get(owner.id)

        async def count() -> None:
            for _ in range(20):
                async with admin.connect() as conn:
                    seen.append((await conn.execute(_CATALOG_CONNECTIONS)).scalar_one())
                await asyncio.sleep(0.01)

        work = [write() if n % 2 else read() for n in range(60)]
        await asyncio.gather(count(), *work)
    finally:
        await backend.dispose()
        await admin.dispose()
    assert max(seen) == 3, seen  # every place in the pool was used, and never more


async def _register(users: Any) -> User:
    stored: User = await users.add(new_user())
    return stored


async def _backend_pid(backend: Backend) -> int:
    async with backend.uow() as tx:
        session = getattr(tx, "_session")  # noqa: B009 (not on the port)
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    assert isinstance(pid, int)
    return pid
