"""PostgreSQL reads straight on the asyncpg driver: the fast path of the query side.

A reader's query needs no transaction (under READ COMMITTED each statement sees a fresh
snapshot anyway), so it can skip what SQLAlchemy's connection would add around it: the
BEGIN and ROLLBACK of its autobegun transaction, and the execution machinery. The SQL is
the one SQLAlchemy compiles for the same Core statement, sent on a connection checked
out of the one pool, where asyncpg keeps it prepared. Results need no type processing on
PostgreSQL: asyncpg returns `Decimal` for NUMERIC and aware datetimes for TIMESTAMPTZ.

Not behind pgbouncer in transaction mode: outside a transaction, its prepared statements
could land on another server connection (`CoreRows`, rows.py, serves there).
"""

from collections.abc import Sequence
from typing import Any

import asyncpg
from sqlalchemy import Select
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.faults import translated
from adapters.sqlalchemy.rows import Row

# Per statement object: they are module constants, or cached per shape (queries.py).
_compiled: dict[Select[Any], tuple[str, tuple[str, ...]]] = {}
# Errors about the connection or the server's state, rather than about the statement.
_CONNECTION_ERRORS = (
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
)


class AsyncpgRows:
    def __init__(self, database: Database) -> None:
        self._database = database

    async def one(self, stmt: Select[Any], params: dict[str, Any]) -> Row | None:
        sql, args = self._sql(stmt, params)
        with translated():
            async with self._database.connection() as conn:
                try:
                    row: Row | None = await _driver(conn).fetchrow(sql, *args)
                except Exception as error:
                    raise await _failed(conn, error, sql, args) from error
                return row

    async def all(self, stmt: Select[Any], params: dict[str, Any]) -> Sequence[Row]:
        sql, args = self._sql(stmt, params)
        with translated():
            async with self._database.connection() as conn:
                try:
                    rows: Sequence[Row] = await _driver(conn).fetch(sql, *args)
                except Exception as error:
                    raise await _failed(conn, error, sql, args) from error
                return rows

    def _sql(self, stmt: Select[Any], params: dict[str, Any]) -> tuple[str, list[Any]]:
        """The SQL of `stmt` and `params` in the order of its $1, $2, ..."""
        found = _compiled.get(stmt)
        if found is None:
            compiled = stmt.compile(dialect=self._database.engine.dialect)
            found = _compiled[stmt] = (str(compiled), tuple(compiled.positiontup or ()))
        sql, names = found
        return sql, [params[name] for name in names]


def _driver(conn: AsyncConnection) -> Any:
    sync = conn.sync_connection
    driver = None if sync is None else sync.connection.driver_connection
    if driver is None:
        raise RuntimeError("the connection is not open")
    return driver


async def _failed(
    conn: AsyncConnection, error: Exception, sql: str, args: Sequence[Any]
) -> DatabaseError:
    """The error as SQLAlchemy would have raised it. A statement the server refused
    leaves the connection usable; anything else (the connection lost, a timeout, the
    server shutting down) invalidates it, so the pool never hands out a broken one."""
    if isinstance(error, asyncpg.PostgresError) and not isinstance(error, _CONNECTION_ERRORS):
        return DatabaseError(sql, tuple(args), error)
    if isinstance(error, TimeoutError):  # the server may answer nothing: no graceful close
        _driver(conn).terminate()
    await conn.invalidate(error)
    return OperationalError(sql, tuple(args), error, connection_invalidated=True)
