"""The query side on SQL: readers that see committed rows, one pooled connection a query.

The readers build each query once (queries.py, repositories.py) and map rows through the
entity mappings. How a query reaches the database is a `RowSource`: `CoreRows` runs it
through SQLAlchemy Core (SQLite; PostgreSQL behind pgbouncer), and `AsyncpgRows`
(asyncpg_rows.py) sends the same compiled SQL straight to the driver on PostgreSQL.
backends.py chooses, in the open.
"""

from collections.abc import AsyncIterator, Sequence
from typing import Any, Protocol

from sqlalchemy import Select

from adapters.sqlalchemy import queries
from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.mapping import ITEMS, USERS
from adapters.sqlalchemy.repositories import GET_ITEM, GET_USER, GET_USER_BY_EMAIL
from application.pagination import ItemFilter, PageRequest
from domain.items import Item
from domain.users import User

Row = Sequence[Any]


class RowSource(Protocol):
    async def one(self, stmt: Select[Any], params: dict[str, Any]) -> Row | None: ...

    async def all(self, stmt: Select[Any], params: dict[str, Any]) -> Sequence[Row]: ...


class CoreRows:
    """Each query on a connection of its own, through SQLAlchemy Core."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def one(self, stmt: Select[Any], params: dict[str, Any]) -> Row | None:
        async with self._database.connection() as conn:
            row: Row | None = (await conn.execute(stmt, params)).first()
            return row

    async def all(self, stmt: Select[Any], params: dict[str, Any]) -> Sequence[Row]:
        async with self._database.connection() as conn:
            rows: Sequence[Row] = (await conn.execute(stmt, params)).all()
            return rows


class SqlAlchemyUserReader:
    def __init__(self, rows: RowSource) -> None:
        self._rows = rows

    async def get(self, user_id: int) -> User | None:
        row = await self._rows.one(GET_USER, {"key": user_id})
        return None if row is None else USERS.load(row)

    async def get_by_email(self, email: str) -> User | None:
        row = await self._rows.one(GET_USER_BY_EMAIL, {"key": email})
        return None if row is None else USERS.load(row)

    async def list(self, page: PageRequest) -> list[User]:
        return [USERS.load(row) for row in await self._rows.all(*queries.users_page(page))]


class SqlAlchemyItemReader:
    def __init__(self, rows: RowSource) -> None:
        self._rows = rows

    async def get(self, item_id: int) -> Item | None:
        row = await self._rows.one(GET_ITEM, {"key": item_id})
        return None if row is None else ITEMS.load(row)

    async def list(self, where: ItemFilter, page: PageRequest) -> list[Item]:
        rows = await self._rows.all(*queries.items_page(where, page))
        return [ITEMS.load(row) for row in rows]

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
