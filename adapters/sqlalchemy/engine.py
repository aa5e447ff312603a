"""Engines from a database URL, tuned per dialect.

No pre-ping on checkout: it would cost a round trip per unit of work. A connection the
server dropped fails its first statement instead; SQLAlchemy then invalidates the pool,
the request gets a 503, and the next checkout connects afresh.

Every wait is bounded (`DatabaseTimeouts`): connecting, checking a connection out of the
pool, and each command on PostgreSQL, client-side (asyncpg's `command_timeout`), so that
a server that answers nothing at all (frozen, or cut off by the network) still gives up.
The same bound covers COMMIT, ROLLBACK and closing. A connection whose command timed out
is thrown away at once (`_discard_on_timeout`), never rolled back and reused.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

APPLICATION_NAME = "catalog"
STATEMENT_CACHE_SIZE = 256


@dataclass(frozen=True, slots=True, kw_only=True)
class DatabaseTimeouts:
    """Seconds: to open a connection; per statement (also COMMIT, ROLLBACK, close, and
    SQLite's wait for a lock); to get a connection from a full pool."""

    connect: float = 5.0
    statement: float = 5.0
    pool: float = 5.0


DEFAULT_TIMEOUTS = DatabaseTimeouts()


def create_engine(
    url: str,
    *,
    pool_size: int = 5,
    autocommit: bool = False,
    timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS,
) -> AsyncEngine:
    """An engine for `sqlite+aiosqlite:///path` or `postgresql+asyncpg://...`.

    `autocommit` (PostgreSQL) makes a pool for reads that need no transaction: set once
    per connection, not on every checkout and return."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _sqlite(url, pool_size=pool_size, timeouts=timeouts)
    if backend == "postgresql":
        return _postgresql(url, pool_size=pool_size, autocommit=autocommit, timeouts=timeouts)
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")


def _discard_on_timeout(context: ExceptionContext) -> None:
    """A command that timed out leaves its connection waiting for the server to confirm
    the cancellation: treat it as lost, so SQLAlchemy closes it (bounded) instead of
    rolling it back (another wait on a server that may answer nothing)."""
    if not isinstance(context.original_exception, TimeoutError):
        return
    context.is_disconnect = True
    context.invalidate_pool_on_disconnect = False  # only this one: others may be fine
    pooled = None if context.connection is None else context.connection.connection
    driver = None if pooled is None else pooled.driver_connection
    if driver is not None:
        driver.terminate()  # now: SQLAlchemy's own close would wait 2 s more for the server


def _postgresql(
    url: str, *, pool_size: int, autocommit: bool, timeouts: DatabaseTimeouts
) -> AsyncEngine:
    settings = {"application_name": APPLICATION_NAME}
    options: dict[str, Any] = {}
    if autocommit:  # and a write by mistake fails instead of committing on its own
        settings["default_transaction_read_only"] = "on"
        options["isolation_level"] = "AUTOCOMMIT"
        options["pool_reset_on_return"] = None  # never in a transaction: nothing to reset
    engine = create_async_engine(
        url,
        **options,
        pool_size=pool_size,
        max_overflow=0,  # at most pool_size per pool: PostgreSQL connections are costly
        pool_timeout=timeouts.pool,
        pool_pre_ping=False,
        connect_args={
            "server_settings": settings,
            "timeout": timeouts.connect,
            "command_timeout": timeouts.statement,
            "prepared_statement_cache_size": STATEMENT_CACHE_SIZE,
        },
    )
    event.listen(engine.sync_engine, "handle_error", _discard_on_timeout)
    return engine


def _sqlite(url: str, *, pool_size: int, timeouts: DatabaseTimeouts) -> AsyncEngine:
    if make_url(url).database in (None, "", ":memory:"):
        engine = create_async_engine(url)  # one shared connection (StaticPool)
    else:
        engine = create_async_engine(
            url, pool_size=pool_size, max_overflow=0, pool_timeout=timeouts.pool
        )
    busy_timeout_ms = round(timeouts.statement * 1000)

    def pragmas(dbapi_connection: Any, connection_record: object) -> None:
        _sqlite_pragmas(dbapi_connection, busy_timeout_ms=busy_timeout_ms)

    event.listen(engine.sync_engine, "connect", pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, *, busy_timeout_ms: int) -> None:
    """WAL (readers never wait for the writer), enforced foreign keys (cascades), a busy
    timeout (writers queue instead of failing, for a bounded time) and a Unicode-aware
    lower() for `q`."""
    dbapi_connection.create_function("lower", 1, _lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=NORMAL",
        "PRAGMA foreign_keys=ON",
        f"PRAGMA busy_timeout={busy_timeout_ms}",
    ):
        cursor.execute(pragma)
    cursor.close()


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()
