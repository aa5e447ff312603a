"""Engines from a database URL, tuned per dialect.

One engine per process, one pool: `pool_size` connections at most, no overflow (a
PostgreSQL connection is costly to open, and overflow ones were opened and closed under
load). No pre-ping on checkout: it would cost a round trip per unit of work. A connection
the server dropped fails its first statement instead; SQLAlchemy then invalidates the
pool, and the next checkout connects afresh.
"""

from typing import Any, Literal

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 5000
CONNECT_TIMEOUT_S = 5
POOL_TIMEOUT_S = 10
APPLICATION_NAME = "catalog"
STATEMENT_CACHE_SIZE = 256
Pooler = Literal["none", "pgbouncer"]


def create_engine(url: str, *, pool_size: int = 5, pooler: Pooler = "none") -> AsyncEngine:
    """An engine for `sqlite+aiosqlite:///path` or `postgresql+asyncpg://...`; `pooler`
    says what stands between Catalog and PostgreSQL."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _sqlite(url, pool_size=pool_size)
    if backend == "postgresql":
        return _postgresql(url, pool_size=pool_size, pooler=pooler)
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")


def _postgresql(url: str, *, pool_size: int, pooler: Pooler) -> AsyncEngine:
    connect_args: dict[str, Any] = {
        # A startup parameter pgbouncer passes on; it names our connections on the server.
        "server_settings": {"application_name": APPLICATION_NAME},
        "timeout": CONNECT_TIMEOUT_S,
        "prepared_statement_cache_size": STATEMENT_CACHE_SIZE,
    }
    if pooler == "pgbouncer":
        connect_args.update(_TRANSACTION_POOLER)
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=False,
        connect_args=connect_args,
    )


# Behind a transaction pooler (pgbouncer's pool_mode=transaction), consecutive transactions
# of one client connection may run on different server connections, so nothing may
# outlive a transaction: no prepared statement kept by asyncpg or by SQLAlchemy, and each
# statement SQLAlchemy prepares is the unnamed one, which the server replaces with the
# next and which never collides with another client's. SQLAlchemy runs every statement in
# a transaction (no autocommit), so a statement's prepare and execute stay on one server
# connection. (SQLAlchemy's asyncpg notes suggest uuid names; unnamed ones also leave
# nothing behind on the server.) Session settings are not used anywhere.
_TRANSACTION_POOLER: dict[str, Any] = {
    "statement_cache_size": 0,
    "prepared_statement_cache_size": 0,
    "prepared_statement_name_func": lambda: "",
}


def _sqlite(url: str, *, pool_size: int) -> AsyncEngine:
    if make_url(url).database in (None, "", ":memory:"):
        engine = create_async_engine(url)  # one shared connection (StaticPool)
    else:
        engine = create_async_engine(
            url, pool_size=pool_size, max_overflow=0, pool_timeout=POOL_TIMEOUT_S
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


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()
