"""Every domain event names itself, and the outbox publishes it under that name."""

import dataclasses
from datetime import UTC, datetime

import pytest

from application.outbox import outbox_record
from domain import events
from domain.events import DomainEvent, ItemCreated, event

# The classes `@dataclass(slots=True)` made (it leaves the first class behind, unnamed).
EVENTS = [c for c in DomainEvent.__subclasses__() if getattr(events, c.__name__, None) is c]


def test_the_events_are_found() -> None:
    assert ItemCreated in EVENTS
    assert len(EVENTS) == len(set(EVENTS)) >= 6


@pytest.mark.parametrize("cls", EVENTS, ids=lambda c: c.__name__)
def test_every_event_is_named_and_carries_its_aggregate_id(cls: type[DomainEvent]) -> None:
    assert "type" in vars(cls), f"{cls.__name__} has no @event name"
    assert cls.type.startswith(f"{cls.aggregate}.")
    assert f"{cls.aggregate}_id" in {field.name for field in dataclasses.fields(cls)}


def test_the_outbox_publishes_an_event_under_its_name() -> None:
    record = outbox_record(ItemCreated(item_id=7, owner_id=3), occurred_at=datetime.now(UTC))
    assert (record.type, record.aggregate_type, record.aggregate_id) == (
        "item.created",
        "item",
        "7",
    )
    assert record.payload == {"item_id": 7, "owner_id": 3}


@pytest.mark.parametrize("name", ["item", ".created", "item.", ""])
def test_an_event_name_says_aggregate_and_what_happened(name: str) -> None:
    with pytest.raises(ValueError, match="aggregate"):
        event(name)
