"""How repositories fetch one row by key: through SQLAlchemy, or straight on the driver.

A read-only unit of work on PostgreSQL runs in autocommit, so a lookup by key needs no
transaction state from SQLAlchemy: it can go straight to the pooled asyncpg connection
with the SQL SQLAlchemy compiled for the same Core statement (asyncpg keeps it prepared).
bench/micro_uow.py measures what this saves. Any driver error invalidates the connection,
so the pool never hands out a broken one, and surfaces as SQLAlchemy's OperationalError,
as it would have through SQLAlchemy.
"""

from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import Select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

_compiled: dict[Select[Any], str] = {}  # per statement object: they are module constants


class RowReader(Protocol):
    async def one(self, stmt: Select[Any], key: object) -> Sequence[Any] | None: ...


class CoreReader:
    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def one(self, stmt: Select[Any], key: object) -> Sequence[Any] | None:
        row: Sequence[Any] | None = (await self._conn.execute(stmt, {"key": key})).first()
        return row


class DriverReader:
    """For statements with one bound parameter, named `key`."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection
        sync = connection.sync_connection
        driver = None if sync is None else sync.connection.driver_connection
        if driver is None:
            raise RuntimeError("the connection is not open")
        self._driver: Any = driver

    def _sql(self, stmt: Select[Any]) -> str:
        sql = _compiled.get(stmt)
        if sql is None:
            sql = _compiled[stmt] = str(stmt.compile(dialect=self._conn.dialect))
        return sql

    async def one(self, stmt: Select[Any], key: object) -> Sequence[Any] | None:
        sql = self._sql(stmt)
        try:
            row: Sequence[Any] | None = await self._driver.fetchrow(sql, key)
        except Exception as error:
            await self._conn.invalidate(error)
            raise OperationalError(sql, (key,), error, connection_invalidated=True) from error
        return row
