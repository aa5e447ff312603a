"""Engines from a database URL, tuned per dialect.

No pre-ping on checkout: it would cost a round trip per unit of work. A connection the
server dropped fails its first statement instead; SQLAlchemy then invalidates the pool,
the request gets a 503, and the next checkout connects afresh.
"""

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 5000
CONNECT_TIMEOUT_S = 5
POOL_TIMEOUT_S = 10
APPLICATION_NAME = "catalog"
STATEMENT_CACHE_SIZE = 256


def create_engine(url: str, *, pool_size: int = 5) -> AsyncEngine:
    """An engine for `sqlite+aiosqlite:///path` or `postgresql+asyncpg://...`."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _sqlite(url, pool_size=pool_size)
    if backend == "postgresql":
        return _postgresql(url, pool_size=pool_size)
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")


def _postgresql(url: str, *, pool_size: int) -> AsyncEngine:
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=False,
        connect_args={
            "server_settings": {"application_name": APPLICATION_NAME},
            "timeout": CONNECT_TIMEOUT_S,
            "prepared_statement_cache_size": STATEMENT_CACHE_SIZE,
        },
    )


def _sqlite(url: str, *, pool_size: int) -> AsyncEngine:
    if make_url(url).database in (None, "", ":memory:"):
        engine = create_async_engine(url)  # one shared connection (StaticPool)
    else:
        engine = create_async_engine(url, pool_size=pool_size, pool_timeout=POOL_TIMEOUT_S)
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


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()
