"""What only the SQL backends promise: connection settings, batched streams, and reads
that pay no transaction round trips on PostgreSQL."""

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWork, SqlAlchemyUnitOfWorkFactory
from application.pagination import ItemFilter
from domain.users import User
from tests.support.data import new_item, new_user
from tests.support.wire import RoundTripCounter


@pytest.fixture
async def engine(sql_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(sql_url, pool_size=2)
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
            assert name == "catalog"
    assert getattr(engine.pool, "size")() == 2  # noqa: B009 (QueuePool, not on Pool)
    assert not engine.pool._pre_ping


async def test_stream_reads_in_batches(engine: AsyncEngine) -> None:
    uow = SqlAlchemyUnitOfWorkFactory(engine)
    async with uow() as tx:
        owner = await tx.users.add(new_user())
        added = [await tx.items.add(new_item(owner.id)) for _ in range(7)]
        await tx.commit()
    statements = _statements(engine)
    async with uow(read_only=True) as tx:
        streamed = [i async for i in tx.items.stream(ItemFilter(owner_id=owner.id), batch_size=3)]
    assert streamed == added
    assert statements == ["SELECT"] * 3  # 3 + 3 + 1 rows


async def test_round_trips_per_unit_of_work_on_postgres(migrated_postgres_url: str) -> None:
    """Counted on the wire: a write pays BEGIN and COMMIT, a read only its query."""
    url = make_url(migrated_postgres_url)
    counter = RoundTripCounter(host=url.host or "127.0.0.1", port=url.port or 5432)
    port = await counter.start()
    proxied = url.set(host="127.0.0.1", port=port).update_query_dict({"ssl": "disable"})
    engine = create_engine(proxied.render_as_string(hide_password=False), pool_size=1)
    reader = create_engine(proxied.render_as_string(hide_password=False), autocommit=True)
    uow = SqlAlchemyUnitOfWorkFactory(engine, reader=reader)
    try:
        async with uow() as tx:  # connects, and prepares the statements
            user = await tx.users.add(new_user())
            await tx.users.get(user.id)
            await tx.commit()
        async with uow(read_only=True) as tx:  # prepares the get
            assert await tx.users.get(user.id) == user
        counter.round_trips.clear()
        async with uow() as tx:
            await tx.users.add(new_user())
            await tx.commit()
        assert counter.round_trips == {"BEGIN": 1, "EXECUTE": 1, "COMMIT": 1}
        counter.round_trips.clear()
        async with uow(read_only=True) as tx:
            assert await tx.users.get(user.id) == user
        async with uow() as tx:  # a write that ends without commit rolls back
            await tx.users.get(user.id)
        assert counter.round_trips == {"EXECUTE": 2, "BEGIN": 1, "ROLLBACK": 1}
    finally:
        await engine.dispose()
        await reader.dispose()
        await counter.close()


async def test_a_read_on_a_dropped_connection_fails_once_then_recovers(
    migrated_postgres_url: str,
) -> None:
    writer = create_engine(migrated_postgres_url, pool_size=1)
    reader = create_engine(migrated_postgres_url, pool_size=1, autocommit=True)
    uow = SqlAlchemyUnitOfWorkFactory(writer, reader=reader)
    try:
        async with uow() as tx:
            user = await _register(tx)
        backend_pid = await _backend_pid(reader)  # of the reader pool's one connection
        async with uow(read_only=True) as tx:
            assert await tx.users.get(user.id) == user
        async with writer.connect() as conn:
            await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": backend_pid})
        with pytest.raises(OperationalError):
            async with uow(read_only=True) as tx:
                await tx.users.get(user.id)
        async with uow(read_only=True) as tx:  # a new connection: served again
            assert await tx.users.get(user.id) == user
    finally:
        await writer.dispose()
        await reader.dispose()


async def _register(tx: SqlAlchemyUnitOfWork) -> User:
    user = await tx.users.add(new_user())
    await tx.commit()
    return user


async def _backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        pid = (await conn.execute(text("SELECT pg_backend_pid()"))).scalar_one()
    assert isinstance(pid, int)
    return pid
