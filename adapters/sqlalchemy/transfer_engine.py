"""Engines for copies, dumps and restores, and the schema revision each side is at.

Not the service's engines (engine.py): one connection at a time, no pool to keep, and
bounds long enough for a batch of thousands of rows, not a request's few milliseconds.
"""

from typing import Any

import orjson
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.sqlalchemy.migrations import alembic_config, check_sqlite_directory

APPLICATION_NAME = "catalog copy"
CONNECT_SECONDS = 10.0
STATEMENT_SECONDS = 600.0
_SCHEMES = ("sqlite+aiosqlite", "postgresql+asyncpg")


def check_url(url: str) -> None:
    """Raises ValueError for a URL that names no SQL database Catalog runs on."""
    if url.split(":", 1)[0] not in _SCHEMES:
        raise ValueError(
            f"{url.split(':', 1)[0]!r} is not a database to copy: use "
            "sqlite+aiosqlite:///path or postgresql+asyncpg://..."
        )
    check_sqlite_directory(url)


def transfer_engine(url: str) -> AsyncEngine:
    check_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_async_engine(url, poolclass=NullPool, json_serializer=_json)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    connect_args = {
        "server_settings": {"application_name": APPLICATION_NAME},
        "timeout": CONNECT_SECONDS,
        "command_timeout": STATEMENT_SECONDS,
    }
    return create_async_engine(
        url, poolclass=NullPool, connect_args=connect_args, json_serializer=_json
    )


def _sqlite_pragmas(dbapi_connection: Any, connection_record: object) -> None:
    """As the service's (engine.py): WAL, so that a copy's read transaction holds up no
    writer of the service's, and enforced foreign keys."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={round(STATEMENT_SECONDS * 1000)}")
    cursor.close()


def _json(value: Any) -> str:
    return orjson.dumps(value).decode()


def head_revision() -> str:
    """The newest schema revision this code knows."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:
        raise RuntimeError("the migrations have no head revision")
    return head


async def revision(connection: AsyncConnection) -> str | None:
    """The revision a database is at; None for one Catalog never migrated."""
    migrated = await connection.run_sync(lambda sync: inspect(sync).has_table("alembic_version"))
    if not migrated:
        return None
    found = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    return None if found is None else str(found)


def describe(url: str) -> str:
    """The URL without its password, to name a database in a message."""
    return make_url(url).render_as_string(hide_password=True)
