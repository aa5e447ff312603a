"""Domain events: facts the use cases record in their unit of work."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DomainEvent:
    pass


@dataclass(frozen=True, slots=True)
class UserRegistered(DomainEvent):
    user_id: int
    email: str


@dataclass(frozen=True, slots=True)
class UserUpdated(DomainEvent):
    user_id: int
    version: int


@dataclass(frozen=True, slots=True)
class UserDeleted(DomainEvent):
    user_id: int


@dataclass(frozen=True, slots=True)
class ItemCreated(DomainEvent):
    item_id: int
    owner_id: int


@dataclass(frozen=True, slots=True)
class ItemUpdated(DomainEvent):
    item_id: int
    version: int


@dataclass(frozen=True, slots=True)
class ItemDeleted(DomainEvent):
    item_id: int
