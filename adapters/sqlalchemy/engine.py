"""Engines from a database URL, tuned per dialect.

One engine per process, one pool: `pool_size` connections at most, no overflow (a
PostgreSQL connection is costly to open, and overflow ones were opened and closed under
load). No pre-ping on checkout: it would cost a round trip per unit of work. A connection
the server dropped fails its first statement instead; SQLAlchemy then invalidates the
pool, and the next checkout connects afresh.

Every wait is bounded (`DatabaseTimeouts`): connecting, checking a connection out of the
pool, and each command on PostgreSQL, client-side (asyncpg's `command_timeout`, not a
`statement_timeout` startup parameter, which pgbouncer refuses), so that a server that
answers nothing at all (frozen, or cut off by the network) still gives up. The same bound
covers COMMIT, ROLLBACK and closing. A connection whose command timed out is thrown away
at once (`_discard_on_timeout`), never rolled back and reused.
"""

from dataclasses import dataclass
from typing import Any, Literal

import orjson
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

APPLICATION_NAME = "catalog"
STATEMENT_CACHE_SIZE = 256
Pooler = Literal["none", "pgbouncer"]


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
    pooler: Pooler = "none",
    timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS,
) -> AsyncEngine:
    """An engine for `sqlite+aiosqlite:///path` or `postgresql+asyncpg://...`; `pooler`
    says what stands between Catalog and PostgreSQL."""
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _sqlite(url, pool_size=pool_size, timeouts=timeouts)
    if backend == "postgresql":
        return _postgresql(url, pool_size=pool_size, pooler=pooler, timeouts=timeouts)
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")


def _discard_on_timeout(context: ExceptionContext) -> None:
    """A command that timed out leaves its connection waiting for the server to confirm
    the cancellation: treat it as lost, so SQLAlchemy closes it instead of rolling it back
    (another wait on a server that may answer nothing)."""
    if not isinstance(context.original_exception, TimeoutError):
        return
    context.is_disconnect = True
    context.invalidate_pool_on_disconnect = False  # only this one: others may be fine
    pooled = None if context.connection is None else context.connection.connection
    driver = None if pooled is None else pooled.driver_connection
    if driver is not None:
        driver.terminate()  # now: SQLAlchemy's own close would wait 2 s more for the server


def _postgresql(
    url: str, *, pool_size: int, pooler: Pooler, timeouts: DatabaseTimeouts
) -> AsyncEngine:
    connect_args: dict[str, Any] = {
        # A startup parameter pgbouncer passes on; it names our connections on the server.
        "server_settings": {"application_name": APPLICATION_NAME},
        "timeout": timeouts.connect,
        "command_timeout": timeouts.statement,
        "prepared_statement_cache_size": STATEMENT_CACHE_SIZE,
    }
    if pooler == "pgbouncer":
        connect_args.update(_TRANSACTION_POOLER)
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=0,
        pool_timeout=timeouts.pool,
        pool_pre_ping=False,
        connect_args=connect_args,
        json_serializer=_json,
    )
    event.listen(engine.sync_engine, "handle_error", _discard_on_timeout)
    return engine


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


def _sqlite(url: str, *, pool_size: int, timeouts: DatabaseTimeouts) -> AsyncEngine:
    if make_url(url).database in (None, "", ":memory:"):
        engine = create_async_engine(url, json_serializer=_json)  # one connection (StaticPool)
    else:
        engine = create_async_engine(
            url,
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=timeouts.pool,
            json_serializer=_json,
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


def _json(value: Any) -> str:
    """JSON columns (the outbox's payloads) encoded by orjson, as the API encodes."""
    return orjson.dumps(value).decode()


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()
