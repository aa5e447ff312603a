"""What every command shares: the settings, and failures reported in one line."""

import argparse
import asyncio
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeAlias

import pydantic

from application.storage import StorageUnavailable
from entrypoints.settings import Settings

_DATABASE_LIBRARIES = frozenset({"sqlalchemy", "asyncpg", "aiosqlite", "sqlite3", "alembic"})
Command = Callable[[argparse.Namespace], None]
Subcommands: TypeAlias = "argparse._SubParsersAction[Any]"  # of any parser class


class CommandError(Exception):
    """A failure to report in one line."""


def settings() -> Settings:
    try:
        return Settings()
    except pydantic.ValidationError as error:
        problems = "; ".join(_setting_problem(e["loc"], e["msg"]) for e in error.errors())
        raise CommandError(f"invalid settings: {problems}") from None


def _setting_problem(loc: tuple[int | str, ...], message: str) -> str:
    message = message.removeprefix("Value error, ")
    return f"CATALOG_{'_'.join(map(str, loc)).upper()}: {message}" if loc else message


def check_database_url(settings: Settings) -> None:
    from adapters.sqlalchemy.dialect import check_database_url

    try:
        check_database_url(settings.database_url)
    except ValueError as error:
        raise CommandError(f"CATALOG_DATABASE_URL: {error}") from None


def run_async(command: Callable[[argparse.Namespace], Coroutine[Any, Any, None]]) -> Command:
    """A command that runs `command`'s coroutine to its end."""

    def run(args: argparse.Namespace) -> None:
        asyncio.run(command(args))

    return run


def one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def describe(error: Exception) -> str:
    """An unexpected error in a line; the database's faults say so."""
    if isinstance(error, StorageUnavailable) and error.__cause__ is not None:
        cause = error.__cause__
        return f"database unavailable: {type(cause).__name__}: {one_line(cause)}"
    origin = type(error).__module__.split(".", 1)[0]
    if isinstance(error, OSError | TimeoutError) or origin in _DATABASE_LIBRARIES:
        return f"database unavailable: {type(error).__name__}: {one_line(error)}"
    return f"{type(error).__name__}: {one_line(error)}"


def fail(message: str, *, code: int = 1) -> int:
    sys.stderr.write(f"catalog: error: {message}\n")
    return code
