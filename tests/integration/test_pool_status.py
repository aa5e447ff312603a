"""The backend reports its pool: connections in use, and units of work waiting for one."""

import asyncio

from application.ports import UnitOfWorkFactory
from application.storage import PoolStatus
from tests.support.backends import open_backend


async def test_memory_has_no_pool() -> None:
    backend = await open_backend("memory://")
    assert backend.pool() == PoolStatus(0, 0)
    await backend.dispose()


async def test_postgres_counts_connections_in_use_and_waiters(
    migrated_postgres_url: str,
) -> None:
    backend = await open_backend(migrated_postgres_url, pool_size=1)
    try:
        assert backend.pool() == PoolStatus(0, 0)
        async with backend.uow() as uow:
            await uow.users.get(1)
            waiter = asyncio.create_task(_read(backend.uow))
            await asyncio.sleep(0.05)
            assert backend.pool() == PoolStatus(in_use=1, waiting=1)
        await waiter
        assert backend.pool() == PoolStatus(0, 0)
    finally:
        await backend.dispose()


async def _read(uow: UnitOfWorkFactory) -> None:
    async with uow() as unit:
        await unit.users.get(1)
