"""Small values the container builds from the settings, one function each."""

from datetime import timedelta

from adapters.nats.publisher import StreamTarget
from adapters.sqlalchemy.dialect import Dialect, StorageKind, storage_kind
from adapters.sqlalchemy.engine import DatabaseTimeouts
from application.ports import Clock
from application.relay import RelayOptions
from entrypoints.settings import Settings


def kind(settings: Settings) -> StorageKind:
    """ "memory", "sqlite" or "postgresql": which storage the database URL names."""
    return storage_kind(settings.database_url)


def dialect(settings: Settings) -> Dialect:
    return Dialect.of(settings.database_url, settings.db_pooler)


def timeouts(settings: Settings) -> DatabaseTimeouts:
    return DatabaseTimeouts(
        connect=settings.db_connect_timeout_seconds,
        statement=settings.db_statement_timeout_seconds,
        pool=settings.db_pool_timeout_seconds,
    )


def outbox_clock(settings: Settings, clock: Clock) -> Clock | None:
    """The clock that stamps outbox records, when units of work write the outbox."""
    return clock if settings.outbox_enabled else None


def stream_target(settings: Settings) -> StreamTarget:
    return StreamTarget(
        url=settings.nats_url or "",
        stream=settings.events_stream,
        subject_prefix=settings.events_subject_prefix,
        source=settings.events_source,
    )


def relay_options(settings: Settings) -> RelayOptions:
    return RelayOptions(
        batch_size=settings.relay_batch_size,
        poll_seconds=settings.relay_poll_seconds,
        retention=timedelta(seconds=settings.relay_retention_seconds),
    )


def claim_lapse(settings: Settings) -> timedelta:
    """How long an `Idempotency-Key` claim stays in flight without its create completing:
    longer, twice over, than any create can last, since every wait it makes is bounded (a
    place in the pool, a connection, its few statements)."""
    create = (
        settings.db_pool_timeout_seconds
        + settings.db_connect_timeout_seconds
        + 5 * settings.db_statement_timeout_seconds
    )
    return timedelta(seconds=max(30.0, 2 * create))


def days(count: int) -> timedelta:
    return timedelta(days=count)
