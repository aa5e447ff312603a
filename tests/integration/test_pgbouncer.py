"""Behind pgbouncer in transaction pooling mode, server connections pass from client to
client between transactions. `pooler="pgbouncer"` keeps Catalog from leaving anything on
them that another client could trip over; without it, it fails."""

import pytest
from sqlalchemy.exc import DBAPIError

from adapters.sqlalchemy.dialect import Pooler
from tests.support.backends import Backend, open_backend
from tests.support.data import new_item, new_user
from tests.support.pgbouncer import PgBouncer


async def _work(backend: Backend) -> None:
    """A write, then reads of every kind: each prepares statements on the server."""
    async with backend.uow() as tx:
        user = await tx.users.add(new_user())
        item = await tx.items.add(new_item(user.id))
        await tx.commit()
    assert await backend.users.get(user.id) == user
    assert await backend.items.get(item.id) == item


async def _moved_to_another_server(url: str, pooler: Pooler) -> None:
    """One client's transactions land on a server connection it has not used before, as
    they do under load: its first work prepares statements on server connection S1; then
    another client's open transaction holds S1 (pgbouncer hands out the most recently
    used one), so the first client's next work runs on S2."""
    first, second = [await open_backend(url, pool_size=1, pooler=pooler) for _ in range(2)]
    try:
        await _work(first)
        async with second.uow() as holding:
            await holding.users.get(1)
            await _work(first)
    finally:
        await first.dispose()
        await second.dispose()


async def test_catalog_works_behind_pgbouncer_with_the_setting(
    migrated_postgres_url: str, pgbouncer: PgBouncer
) -> None:
    await _moved_to_another_server(pgbouncer.url_for(migrated_postgres_url), "pgbouncer")


async def test_without_the_setting_its_prepared_statements_go_missing(
    migrated_postgres_url: str, pgbouncer: PgBouncer
) -> None:
    with pytest.raises(DBAPIError, match="prepared statement"):
        await _moved_to_another_server(pgbouncer.url_for(migrated_postgres_url), "none")
