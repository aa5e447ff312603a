"""The query side on SQL: readers that see committed rows, one pooled connection a query.

A reader is generic over an entity's mapping (mapping.py), whose statements are built
once; lists are built once per shape (queries.py). Users add a lookup by email, items
their filters and an export stream. How a query reaches the database is the `RowSource`
the reader is given (rows.py): Core, or the asyncpg fast path (asyncpg_rows.py).
"""

from collections.abc import AsyncIterator
from typing import Any, Generic

from sqlalchemy import Select

from adapters.sqlalchemy import queries
from adapters.sqlalchemy.mapping import ITEMS, USERS, E, EntityMapping
from adapters.sqlalchemy.rows import RowSource
from application.pagination import ItemFilter, PageRequest
from domain.items import Item
from domain.rules import ID_MAX
from domain.users import User


class SqlAlchemyReader(Generic[E]):
    """Any registered entity by id, and in pages by id (or by a column it has)."""

    def __init__(self, mapping: EntityMapping[E], rows: RowSource) -> None:
        self._mapping = mapping
        self._rows = rows

    async def get(self, key: int, /) -> E | None:
        if not 1 <= key <= ID_MAX:  # no row has it, and the driver would refuse it
            return None
        return await self._one(self._mapping.get, key)

    async def page(self, page: PageRequest) -> list[E]:
        return await self._all(queries.page_query(self._mapping.table, page))

    async def _one(self, stmt: Select[Any], key: object) -> E | None:
        row = await self._rows.one(stmt, {"key": key})
        return None if row is None else self._mapping.load(row)

    async def _all(self, query: queries.Query) -> list[E]:
        load = self._mapping.load
        return [load(row) for row in await self._rows.all(*query)]


_BY_EMAIL = USERS.get_by["email"]


class SqlAlchemyUserReader(SqlAlchemyReader[User]):
    def __init__(self, rows: RowSource) -> None:
        super().__init__(USERS, rows)

    async def get_by_email(self, email: str) -> User | None:
        return await self._one(_BY_EMAIL, email)

    async def list(self, page: PageRequest) -> list[User]:
        return await self.page(page)


class SqlAlchemyItemReader(SqlAlchemyReader[Item]):
    def __init__(self, rows: RowSource) -> None:
        super().__init__(ITEMS, rows)

    async def list(self, where: ItemFilter, page: PageRequest) -> list[Item]:
        return await self._all(queries.items_page(where, page))

    async def stream(self, where: ItemFilter, *, batch_size: int) -> AsyncIterator[Item]:
        """Keyset batches by id: one short query per batch on a connection taken for that
        batch alone, so a slow client holds no connection and no cursor."""
        after_id = 0
        while True:
            batch = queries.export_batch(where, after_id=after_id, limit=batch_size)
            rows = await self._rows.all(*batch)
            for row in rows:
                yield ITEMS.load(row)
            if len(rows) < batch_size:
                return
            after_id = rows[-1][0]  # the id: the table's first column
