"""Which errors say "the database is unavailable", in the shapes the drivers raise them."""

import sqlite3

import asyncpg
import pytest
from sqlalchemy import exc

from adapters.sqlalchemy.faults import translated, unavailable_cause
from application.storage import StorageUnavailable


def _wrapped(error: Exception, *, invalidated: bool = False) -> exc.DBAPIError:
    """As SQLAlchemy raises a driver error: a DBAPIError with the original as `orig`."""
    wrapped = exc.OperationalError("SELECT 1", {}, error, connection_invalidated=invalidated)
    wrapped.__cause__ = error
    return wrapped


def _chained(outer: Exception, inner: Exception) -> Exception:
    outer.__cause__ = inner
    return outer


@pytest.mark.parametrize(
    ("error", "cause"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), "unreachable"),
        (OSError(113, "No route to host"), "unreachable"),
        (ConnectionResetError(104, "reset by peer"), "dropped"),
        (TimeoutError(), "timeout"),
        (exc.TimeoutError("QueuePool limit reached"), "pool_timeout"),
        (asyncpg.CannotConnectNowError("the database system is starting up"), "unreachable"),
        (asyncpg.AdminShutdownError("terminating connection"), "dropped"),
        (asyncpg.ConnectionDoesNotExistError("connection was closed"), "dropped"),
        (asyncpg.QueryCanceledError("canceling statement"), "timeout"),
        (asyncpg.TooManyConnectionsError("too many clients"), "unreachable"),
        (_wrapped(asyncpg.InterfaceError("connection is closed")), "dropped"),
        (_wrapped(ValueError("lost"), invalidated=True), "dropped"),
        (_wrapped(sqlite3.OperationalError("database is locked")), "timeout"),
        (_chained(RuntimeError("while reading"), TimeoutError()), "timeout"),
    ],
)
def test_a_fault_of_the_database_is_named(error: Exception, cause: str) -> None:
    assert unavailable_cause(error) == cause


@pytest.mark.parametrize(
    "error",
    [
        ValueError("a bug"),
        exc.IntegrityError("INSERT", {}, asyncpg.UniqueViolationError("duplicate key")),
        _wrapped(asyncpg.CharacterNotInRepertoireError("invalid byte sequence")),
        _wrapped(sqlite3.OperationalError("no such table: items")),
    ],
)
def test_any_other_error_is_not_a_fault(error: Exception) -> None:
    assert unavailable_cause(error) is None


def test_a_cycle_of_causes_ends() -> None:
    first, second = RuntimeError("a"), RuntimeError("b")
    first.__context__, second.__context__ = second, first
    assert unavailable_cause(first) is None


def test_a_fault_leaves_the_adapter_as_storage_unavailable_with_its_cause() -> None:
    refused = ConnectionRefusedError(111, "Connect call failed")
    with pytest.raises(StorageUnavailable) as raised, translated():
        raise _wrapped(refused)
    assert raised.value.cause == "unreachable"
    assert isinstance(raised.value.__cause__, exc.OperationalError)  # the driver's, kept


def test_any_other_database_error_passes_as_it_is() -> None:
    with pytest.raises(exc.ProgrammingError), translated():
        raise exc.ProgrammingError("SELECT nonsense", {}, ValueError("syntax"))
