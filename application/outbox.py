"""The outbox's vocabulary: what a domain event becomes on its way out, and the ports of
the relay that publishes it (SPEC §9).

A domain event is a pure fact (`ItemCreated(item_id=7, owner_id=3)`). Written to the
outbox it gains what a consumer elsewhere needs: an id of its own (the de-duplication
key), the instant it occurred, and the aggregate it belongs to (the unit of ordering).
"""

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID, uuid4

from application.ports import Clock
from domain.events import DomainEvent


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    event_id: UUID
    type: str  # "item.created": the aggregate, then the event
    aggregate_type: str  # "item"
    aggregate_id: str
    payload: dict[str, Any]  # the event's fields, JSON-ready
    occurred_at: datetime
    # The W3C trace context (traceparent, tracestate) of the request that wrote it, if traced.
    trace_context: dict[str, str] = field(default_factory=dict, compare=False)


def outbox_record(event: DomainEvent, *, occurred_at: datetime) -> OutboxRecord:
    aggregate = event.aggregate  # its id is the field `<aggregate>_id` (domain/events.py)
    payload = asdict(event)
    return OutboxRecord(
        event_id=uuid4(),
        type=event.type,
        aggregate_type=aggregate,
        aggregate_id=str(payload[f"{aggregate}_id"]),
        payload=payload,
        occurred_at=occurred_at,
    )


def outbox_records(events: Sequence[DomainEvent], clock: Clock) -> list[OutboxRecord]:
    """The records of events committed together: one instant, each its own id."""
    now = clock.now()
    return [outbox_record(event, occurred_at=now) for event in events]


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An outbox row not yet published; `sequence` orders the outbox."""

    sequence: int
    record: OutboxRecord


@dataclass(frozen=True, slots=True)
class Backlog:
    pending: int
    oldest: datetime | None  # when the oldest pending event occurred
    parked: int


class Unavailable(Exception):
    """A dependency of the relay cannot be reached now; try again later."""


class BrokerUnavailable(Unavailable):
    pass


class OutboxUnavailable(Unavailable):
    pass


class EventRejected(Exception):
    """The broker will never take this event (too large, for instance)."""


@dataclass
class Claim:
    """Outbox rows held by one relay inside one short transaction, and what became of
    each: the store writes these marks when the claim ends normally."""

    events: Sequence[PendingEvent]  # in outbox order; none whose aggregate waits elsewhere
    done: list[int] = field(default_factory=list)  # sequences published
    set_aside: dict[int, str] = field(default_factory=dict)  # sequence → why it was parked

    def published(self, event: PendingEvent) -> None:
        self.done.append(event.sequence)

    def parked(self, event: PendingEvent, *, reason: str) -> None:
        """Set aside for good: it no longer blocks the events after it."""
        self.set_aside[event.sequence] = reason


class OutboxStore(Protocol):
    def claim(self, limit: int) -> AbstractAsyncContextManager[Claim]:
        """Holds at most `limit` pending events that no other relay holds; writes the
        marks and commits on a normal exit; releases everything otherwise."""

    async def purge(self, *, published_before: datetime) -> int:
        """Deletes events published before the instant; returns how many."""

    async def backlog(self) -> Backlog: ...


class EventPublisher(Protocol):
    async def publish(self, records: Sequence[OutboxRecord]) -> list[Exception | None]:
        """Sends the records in this order and waits for the broker. Answers, record by
        record in order: None (stored), EventRejected (never will be) or BrokerUnavailable
        (not now; the answers may stop there). Raises BrokerUnavailable when nothing
        could be sent."""


class Wakeup(Protocol):
    async def wait(self, at_most: float) -> None:
        """Returns when new events may be waiting, or after `at_most` seconds."""


class RelayObserver(Protocol):
    def published(self, count: int) -> None: ...

    def parked(self, count: int) -> None: ...

    def failed(self, error: Unavailable) -> None: ...

    def backlog(self, backlog: Backlog, *, now: datetime) -> None: ...
