"""Every choice that depends on the database: PostgreSQL, SQLite, or PostgreSQL behind
pgbouncer in transaction pooling mode. The rest of the adapters ask here, by name.

- Storage kind, from the URL scheme: `memory://`, `sqlite+aiosqlite://`,
  `postgresql+asyncpg://`.
- Reads: straight on the asyncpg driver on PostgreSQL (asyncpg_rows.py), through Core
  elsewhere and behind pgbouncer, where only statements inside a transaction are safe.
- The relay's wakeup: LISTEN on PostgreSQL (it needs a session of its own, so not through
  a transaction pooler), a timer elsewhere.
- The fair gate in front of the pool: on PostgreSQL (SQLite has one writer anyway).
- Connection options: asyncpg's timeouts and statement caches, off behind pgbouncer.
- Upserts: each dialect's `INSERT ... ON CONFLICT`.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.dialects import postgresql, sqlite

from adapters.sqlalchemy.migrations import check_sqlite_directory

Pooler = Literal["none", "pgbouncer"]
StorageKind = Literal["memory", "sqlite", "postgresql"]
SqlDialect = Literal["sqlite", "postgresql"]
MEMORY_URL = "memory://"
APPLICATION_NAME = "catalog"
STATEMENT_CACHE_SIZE = 256
_SCHEMES: dict[str, SqlDialect] = {"sqlite+aiosqlite": "sqlite", "postgresql+asyncpg": "postgresql"}

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


def storage_kind(url: str) -> StorageKind:
    """Which storage serves `url`; ValueError, saying why, for one none can use."""
    if url.startswith(MEMORY_URL):
        return "memory"
    scheme = url.split(":", 1)[0]
    if scheme not in _SCHEMES:
        raise ValueError(
            f"unsupported database URL scheme {scheme!r}: use memory://, "
            "sqlite+aiosqlite:///path or postgresql+asyncpg://..."
        )
    return _SCHEMES[scheme]


def check_database_url(url: str) -> None:
    """Raises ValueError, saying why, for a URL no storage can use. Connects to nothing."""
    if storage_kind(url) == "sqlite":
        check_sqlite_directory(url)


@dataclass(frozen=True, slots=True)
class Dialect:
    """A SQL database, and what stands between Catalog and it."""

    name: SqlDialect
    pooler: Pooler = "none"

    @classmethod
    def of(cls, url: str, pooler: Pooler = "none") -> "Dialect":
        kind = storage_kind(url)
        if kind == "memory":
            raise ValueError("memory:// is not a SQL database")
        return cls(kind, pooler if kind == "postgresql" else "none")

    @property
    def direct_reads(self) -> bool:
        """Reads go straight to asyncpg (no transaction around them: not through pgbouncer)."""
        return self.name == "postgresql" and self.pooler == "none"

    @property
    def listens(self) -> bool:
        """The relay waits on LISTEN/NOTIFY (a session of its own: not through pgbouncer)."""
        return self.name == "postgresql" and self.pooler == "none"

    def connect_args(self, *, connect_timeout: float, statement_timeout: float) -> dict[str, Any]:
        """asyncpg's connection options (SQLite takes none). The statement bound is
        client-side (`command_timeout`): pgbouncer refuses a `statement_timeout` startup
        parameter, and a server that answers nothing must still be given up on."""
        if self.name != "postgresql":
            return {}
        options: dict[str, Any] = {
            # A startup parameter pgbouncer passes on; it names our connections on the server.
            "server_settings": {"application_name": APPLICATION_NAME},
            "timeout": connect_timeout,
            "command_timeout": statement_timeout,
            "prepared_statement_cache_size": STATEMENT_CACHE_SIZE,
        }
        return options | (_TRANSACTION_POOLER if self.pooler == "pgbouncer" else {})


def gated(dialect_name: str) -> bool:
    """Whether units of work and reads queue at the fair gate (gate.py) before the pool."""
    return dialect_name == "postgresql"


def insert_for(dialect_name: str) -> Callable[..., Any]:
    """The dialect's `insert`, which has `on_conflict_do_nothing` / `_do_update`."""
    return postgresql.insert if dialect_name == "postgresql" else sqlite.insert
