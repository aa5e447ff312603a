"""The schema as Core tables. Alembic owns the database; this is what it must match.

SQLite has no exact decimal and no time zones, so two column types store, on SQLite only,
prices as integer cents and instants as naive UTC; PostgreSQL keeps NUMERIC(12,2) and
TIMESTAMPTZ with no conversion in Python.
"""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Double,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    TypeDecorator,
    Uuid,
    text,
)

_CENTS_BOUND = 10**15  # beyond any NUMERIC(12,2), inside SQLite's 64-bit integers

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class Cents(TypeDecorator[Decimal]):
    """An exact two-place decimal kept as an integer number of cents (SQLite)."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Decimal | None, dialect: Dialect) -> int | None:
        if value is None:
            return None
        # Clamped, so that a bound far outside any price (a forged cursor) still compares.
        return max(-_CENTS_BOUND, min(_CENTS_BOUND, int(value.scaleb(2))))

    def process_result_value(self, value: int | None, dialect: Dialect) -> Decimal | None:
        return None if value is None else Decimal(value).scaleb(-2)


class UtcDateTime(TypeDecorator[datetime]):
    """An instant kept as naive UTC and read back as aware UTC (SQLite)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


PRICE = Numeric(12, 2, asdecimal=True).with_variant(Cents(), "sqlite")
INSTANT = DateTime(timezone=True).with_variant(UtcDateTime(), "sqlite")

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(100), nullable=False),
    Column("email", String(254), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("is_active", Boolean(create_constraint=False), nullable=False),
    Column("is_admin", Boolean(create_constraint=False), nullable=False),
    Column("created_at", INSTANT, nullable=False),
    Column("updated_at", INSTANT, nullable=False),
    Column("version", Integer, nullable=False),
    # Uniqueness is decided here, race-safely: emails are stored normalised (lower-case).
    Index(None, "email", unique=True),
    sqlite_autoincrement=True,  # never reuse an id, as PostgreSQL and memory never do
)

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column(
        "owner_id",
        Integer,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("name", String(100), nullable=False),
    Column("description", Text, nullable=True),
    Column("price", PRICE, nullable=False),
    Column("created_at", INSTANT, nullable=False),
    Column("updated_at", INSTANT, nullable=False),
    Column("version", Integer, nullable=False),
    # Keyset pages by price, and by owner (by id, or by price), walk an index.
    Index(None, "price", "id"),
    Index(None, "owner_id", "id"),
    Index(None, "owner_id", "price", "id"),
    sqlite_autoincrement=True,
)

# The transactional outbox (SPEC §9): the unit of work inserts the events it recorded, in
# the transaction of the rows they describe; the relay publishes them in `sequence` order.
outbox = Table(
    "outbox",
    metadata,
    # BIGINT on PostgreSQL (a bigserial); SQLite's ROWID is an INTEGER PRIMARY KEY.
    Column("sequence", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
    Column("event_id", Uuid, nullable=False, unique=True),
    Column("type", String(100), nullable=False),  # "item.created"
    Column("aggregate_type", String(50), nullable=False),  # "item"
    Column("aggregate_id", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("occurred_at", INSTANT, nullable=False),
    Column("published_at", INSTANT, nullable=True),
    Column("parked_at", INSTANT, nullable=True),  # could never be published: left aside
    Column("last_error", Text, nullable=True),
    Column("trace_context", JSON, nullable=True),  # {traceparent, tracestate} of the writer
    # What the relay scans: the pending rows only, in order.
    Index(
        "ix_outbox_pending",
        "sequence",
        postgresql_where=text("published_at IS NULL AND parked_at IS NULL"),
        sqlite_where=text("published_at IS NULL AND parked_at IS NULL"),
    ),
    Index(None, "published_at"),  # retention: published rows are deleted after a while
    sqlite_autoincrement=True,
)

# Keys of creates that may be retried (application/idempotency.py): in flight while
# `response` is NULL. The primary key decides, race-safely, who claimed a key first.
idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("response", LargeBinary, nullable=True),
    Column("created_at", INSTANT, nullable=False),
    Column("expires_at", INSTANT, nullable=False),
    Index(None, "expires_at"),  # each claim deletes the expired ones
)

# The login throttle's counters (counters.py): a key, its hits, and when its window ends
# (epoch seconds). Ended windows are swept by the index on `expires_at`.
login_failures = Table(
    "login_failures",
    metadata,
    Column("key", String(512), primary_key=True),
    Column("hits", Integer, nullable=False),
    Column("expires_at", Double, nullable=False),
    Index(None, "expires_at"),
)

# A login's session (domain/sessions.py): the current refresh token's SHA-256 (hex) is
# found by the unique index; the spent one by its own, to tell reuse from an unknown token.
sessions = Table(
    "sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("refresh_hash", String(64), nullable=False),
    Column("previous_hash", String(64), nullable=True),
    Column("rotated_at", INSTANT, nullable=True),
    Column("user_agent", String(255), nullable=True),
    Column("created_at", INSTANT, nullable=False),
    Column("last_used_at", INSTANT, nullable=False),
    Column("expires_at", INSTANT, nullable=False),
    Column("ended_at", INSTANT, nullable=True),
    Column("version", Integer, nullable=False),
    Index(None, "refresh_hash", unique=True),
    Index(None, "previous_hash"),
    Index(None, "user_id", "id"),
    sqlite_autoincrement=True,
)
