"""Which errors mean "the database is not there right now", and why; and their
translation, at the adapters' edge, into the application's `StorageUnavailable`.

A request that meets one of these should be answered 503 and retried later, not 500: the
server is stopped, refused or dropped the connection, did not answer within a bound, or
the pool had no connection to give in time. The drivers raise them in many shapes (a bare
`OSError` from connect, an asyncpg error, the same wrapped by SQLAlchemy, SQLite's
"database is locked"), so `unavailable_cause` follows the chain of causes and names the
first it recognises. Anything else is a bug, and goes on as it is (a 500).
"""

import functools
import sqlite3
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, ParamSpec, TypeVar

import asyncpg
from sqlalchemy import exc

from application.storage import StorageUnavailable

P = ParamSpec("P")
T = TypeVar("T")

# The exception types to hand to `unavailable_cause`: every fault is one of these, or
# wrapped in one.
FAULT_TYPES: tuple[type[Exception], ...] = (
    exc.SQLAlchemyError,
    OSError,  # includes TimeoutError, ConnectionError and asyncio.TimeoutError
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
)

# SQLSTATE classes and codes (PostgreSQL appendix A) that describe the server, not the query.
_SQLSTATE_CAUSES = {
    "08": "dropped",  # connection exception
    "53": "unreachable",  # insufficient resources: too many connections, disk full
    "57P01": "dropped",  # admin shutdown
    "57P02": "dropped",  # crash shutdown
    "57P03": "unreachable",  # cannot connect now (starting up, shutting down)
    "57014": "timeout",  # query canceled (our command timeout cancels it)
    "25P03": "timeout",  # idle in transaction session timeout
}


def _chain(error: BaseException) -> Iterator[BaseException]:
    """The error, what it wraps (`orig`), its cause and context, each once."""
    seen: set[int] = set()
    pending = [error]
    while pending:
        current = pending.pop(0)
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        for inner in (getattr(current, "orig", None), current.__cause__, current.__context__):
            if isinstance(inner, BaseException):
                pending.append(inner)


def _sqlstate_cause(code: object) -> str | None:
    if not isinstance(code, str):
        return None
    return _SQLSTATE_CAUSES.get(code) or _SQLSTATE_CAUSES.get(code[:2])


def _cause_of_one(error: BaseException) -> str | None:
    if isinstance(error, exc.TimeoutError):  # the pool, or the fair gate in front of it
        return "pool_timeout"
    if isinstance(error, TimeoutError):  # connect or command timeout
        return "timeout"
    if isinstance(error, ConnectionRefusedError):
        return "unreachable"
    if isinstance(error, ConnectionError | asyncpg.ConnectionDoesNotExistError):
        return "dropped"
    if isinstance(error, OSError):  # no route, unknown host, ...
        return "unreachable"
    if isinstance(error, asyncpg.InterfaceError) and "connection is closed" in str(error):
        return "dropped"
    if isinstance(error, sqlite3.OperationalError) and "locked" in str(error):
        return "timeout"  # waited the busy timeout for another writer
    if isinstance(error, exc.DBAPIError) and error.connection_invalidated:
        return "dropped"
    return _sqlstate_cause(getattr(error, "sqlstate", None))


def unavailable_cause(error: BaseException) -> str | None:
    """A short label ("unreachable", "dropped", "timeout", "pool_timeout") when `error`
    means the database is unavailable; None when it is some other failure."""
    for current in _chain(error):
        cause = _cause_of_one(current)
        if cause is not None:
            return cause
    return None


def translate(error: BaseException) -> None:
    """Raises `StorageUnavailable` (from `error`) when `error` says the database is
    unavailable; returns otherwise."""
    if isinstance(error, FAULT_TYPES):
        cause = unavailable_cause(error)
        if cause is not None:
            raise StorageUnavailable(cause) from error


class translated:  # lower case: it reads as a function, `with translated():`
    """`with translated():` a fault inside becomes `StorageUnavailable`; others pass.
    A class, not a generator: it is on every read's path."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, trace: object) -> None:
        if error is not None:
            translate(error)


def translating(
    method: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """The coroutine function `method`, its faults translated."""

    @functools.wraps(method)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        with translated():
            return await method(*args, **kwargs)

    return run
