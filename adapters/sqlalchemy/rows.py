"""How a reader's query reaches the database: a `RowSource`, chosen in the open.

`CoreRows` runs each query through SQLAlchemy Core on a pooled connection of its own
(SQLite; PostgreSQL behind pgbouncer); `AsyncpgRows` (asyncpg_rows.py) sends the same
compiled SQL straight to the driver on PostgreSQL. Both serve every entity's reader, and
both raise StorageUnavailable when the database is not there (faults.py).
"""

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Select

from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.faults import translated

Row = Sequence[Any]


class RowSource(Protocol):
    async def one(self, stmt: Select[Any], params: dict[str, Any]) -> Row | None: ...

    async def all(self, stmt: Select[Any], params: dict[str, Any]) -> Sequence[Row]: ...


class CoreRows:
    """Each query on a connection of its own, through SQLAlchemy Core."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def one(self, stmt: Select[Any], params: dict[str, Any]) -> Row | None:
        with translated():
            async with self._database.connection() as conn:
                row: Row | None = (await conn.execute(stmt, params)).first()
                return row

    async def all(self, stmt: Select[Any], params: dict[str, Any]) -> Sequence[Row]:
        with translated():
            async with self._database.connection() as conn:
                rows: Sequence[Row] = (await conn.execute(stmt, params)).all()
                return rows
