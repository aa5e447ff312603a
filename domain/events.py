"""Domain events: facts the use cases record in their unit of work.

Each event names itself (`@event("item.created")`): the aggregate it belongs to, then what
happened to it; the aggregate's id is its field `<aggregate>_id`. That name is what the
outbox publishes it as (application/outbox.py), so a new event needs nothing else.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar, TypeVar


@dataclass(frozen=True, slots=True)
class DomainEvent:
    type: ClassVar[str]  # "item.created"
    aggregate: ClassVar[str]  # "item"


T = TypeVar("T", bound=type[DomainEvent])


def event(name: str) -> Callable[[T], T]:
    """Names an event class "<aggregate>.<what happened>"."""
    aggregate, _, happened = name.partition(".")
    if not aggregate or not happened:
        raise ValueError(f"an event is named '<aggregate>.<what happened>', not {name!r}")

    def named(cls: T) -> T:
        cls.type, cls.aggregate = name, aggregate
        return cls

    return named


@event("user.registered")
@dataclass(frozen=True, slots=True)
class UserRegistered(DomainEvent):
    user_id: int
    email: str


@event("user.updated")
@dataclass(frozen=True, slots=True)
class UserUpdated(DomainEvent):
    user_id: int
    version: int


@event("user.deleted")
@dataclass(frozen=True, slots=True)
class UserDeleted(DomainEvent):
    user_id: int


@event("item.created")
@dataclass(frozen=True, slots=True)
class ItemCreated(DomainEvent):
    item_id: int
    owner_id: int


@event("item.updated")
@dataclass(frozen=True, slots=True)
class ItemUpdated(DomainEvent):
    item_id: int
    version: int


@event("item.deleted")
@dataclass(frozen=True, slots=True)
class ItemDeleted(DomainEvent):
    item_id: int
