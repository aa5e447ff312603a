"""Engines from a database URL, tuned per dialect.

No pre-ping on checkout: it would cost a round trip per unit of work. A connection the
server dropped fails its first statement instead; SQLAlchemy then invalidates the pool,
the request gets a 503, and the next checkout connects afresh.
"""

from typing import Any

import orjson
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 5000
CONNECT_TIMEOUT_S = 5
POOL_TIMEOUT_S = 10
APPLICATION_NAME = "catalog"
STATEMENT_CACHE_SIZE = 256


def create_engine(url: str, *, pool_size: int = 5, autocommit: bool = False) -> AsyncEngine:
    """An engine for `sqlite+aiosqlite:///path` or `postgresql+asyncpg://...`.

    `autocommit` (PostgreSQL) makes a pool for reads that need no transaction: set once
    per connection, not on every checkout and return."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _sqlite(url, pool_size=pool_size)
    if backend == "postgresql":
        return _postgresql(url, pool_size=pool_size, autocommit=autocommit)
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")


def _postgresql(url: str, *, pool_size: int, autocommit: bool) -> AsyncEngine:
    settings = {"application_name": APPLICATION_NAME}
    options: dict[str, Any] = {}
    if autocommit:  # and a write by mistake fails instead of committing on its own
        settings["default_transaction_read_only"] = "on"
        options["isolation_level"] = "AUTOCOMMIT"
        options["pool_reset_on_return"] = None  # never in a transaction: nothing to reset
    return create_async_engine(
        url,
        **options,
        json_serializer=_json,
        pool_size=pool_size,
        max_overflow=0,  # at most pool_size per pool: PostgreSQL connections are costly
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=False,
        connect_args={
            "server_settings": settings,
            "timeout": CONNECT_TIMEOUT_S,
            "prepared_statement_cache_size": STATEMENT_CACHE_SIZE,
        },
    )


def _sqlite(url: str, *, pool_size: int) -> AsyncEngine:
    if make_url(url).database in (None, "", ":memory:"):
        engine = create_async_engine(url, json_serializer=_json)  # one connection (StaticPool)
    else:
        engine = create_async_engine(
            url, pool_size=pool_size, pool_timeout=POOL_TIMEOUT_S, json_serializer=_json
        )
    event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, connection_record: object) -> None:
    """WAL (readers never wait for the writer), enforced foreign keys (cascades), a busy
    timeout (writers queue instead of failing) and a Unicode-aware lower() for `q`."""
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
    ):
        cursor.execute(pragma)
    cursor.close()


def _json(value: Any) -> str:
    """JSON columns (the outbox's payloads) encoded by orjson, as the API encodes."""
    return orjson.dumps(value).decode()


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()
