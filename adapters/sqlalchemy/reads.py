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

# Per statement object: they are module constants, or cached per shape (queries.py).
_compiled: dict[Select[Any], tuple[str, tuple[str, ...]]] = {}


class RowReader(Protocol):
    async def one(self, stmt: Select[Any], key: object) -> Sequence[Any] | None: ...

    async def all(self, stmt: Select[Any], params: dict[str, Any]) -> Sequence[Sequence[Any]]: ...


class CoreReader:
    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection

    async def one(self, stmt: Select[Any], key: object) -> Sequence[Any] | None:
        row: Sequence[Any] | None = (await self._conn.execute(stmt, {"key": key})).first()
        return row

    async def all(self, stmt: Select[Any], params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        rows: Sequence[Sequence[Any]] = (await self._conn.execute(stmt, params)).all()
        return rows


class DriverReader:
    """`one` for statements with one bound parameter, named `key`; `all` for any."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._conn = connection
        sync = connection.sync_connection
        driver = None if sync is None else sync.connection.driver_connection
        if driver is None:
            raise RuntimeError("the connection is not open")
        self._driver: Any = driver

    def _sql(self, stmt: Select[Any]) -> tuple[str, tuple[str, ...]]:
        """The SQL of `stmt` and the names of its parameters in order ($1, $2, ...)."""
        found = _compiled.get(stmt)
        if found is None:
            compiled = stmt.compile(dialect=self._conn.dialect)
            found = _compiled[stmt] = (str(compiled), tuple(compiled.positiontup or ()))
        return found

    async def one(self, stmt: Select[Any], key: object) -> Sequence[Any] | None:
        sql, _ = self._sql(stmt)
        try:
            row: Sequence[Any] | None = await self._driver.fetchrow(sql, key)
        except Exception as error:
            raise await self._failed(error, sql, (key,)) from error
        return row

    async def all(self, stmt: Select[Any], params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        sql, names = self._sql(stmt)
        args = [params[name] for name in names]
        try:
            rows: Sequence[Sequence[Any]] = await self._driver.fetch(sql, *args)
        except Exception as error:
            raise await self._failed(error, sql, tuple(args)) from error
        return rows

    async def _failed(self, error: Exception, sql: str, args: tuple[Any, ...]) -> OperationalError:
        await self._conn.invalidate(error)
        return OperationalError(sql, args, error, connection_invalidated=True)
