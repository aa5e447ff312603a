"""A unit of work over an in-memory database, with the semantics of a real transaction.

Writes stay private to the unit of work until `commit()`, which checks, as a database
would, that every row it changes is still at the version it read and that no two users
share an email; any failure, exception or missing commit discards everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import count
from types import TracebackType
from typing import Self

from adapters.memory.idempotency import InMemoryIdempotencyStore
from adapters.memory.repositories import InMemoryItemRepository, InMemoryUserRepository
from application.outbox import OutboxRecord, outbox_records
from application.ports import Clock, IdempotencyRecord
from domain.errors import EmailAlreadyRegistered, NotFound, VersionConflict
from domain.events import DomainEvent
from domain.items import Item
from domain.users import User


@dataclass
class InMemoryDatabase:
    """The committed state, shared by every unit of work of one backend."""

    users: dict[int, User] = field(default_factory=dict)
    items: dict[int, Item] = field(default_factory=dict)
    user_ids: count[int] = field(default_factory=lambda: count(1))
    item_ids: count[int] = field(default_factory=lambda: count(1))
    committed_events: list[DomainEvent] = field(default_factory=list)
    outbox: list[OutboxRecord] = field(default_factory=list)  # written when publishing
    idempotency: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)


@dataclass
class Changes:
    """One transaction's writes: a row, or None for a deletion, and the version it read."""

    users: dict[int, User | None] = field(default_factory=dict)
    items: dict[int, Item | None] = field(default_factory=dict)
    read_versions: dict[tuple[str, int], int] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], IdempotencyRecord | None] = field(default_factory=dict)


class InMemoryUnitOfWork:
    def __init__(self, database: InMemoryDatabase, *, outbox_clock: Clock | None = None) -> None:
        """With `outbox_clock`, committed events also go to `database.outbox`, stamped
        as the SQL unit of work stamps its outbox rows."""
        self._db = database
        self._outbox_clock = outbox_clock
        self._changes = Changes()
        self.events: list[DomainEvent] = []
        self._published = 0
        self.committed = False
        self.users = InMemoryUserRepository(database, self._changes)
        self.items = InMemoryItemRepository(database, self._changes)
        self.idempotency = InMemoryIdempotencyStore(database, self._changes)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            self.events.clear()
        self._discard()

    def record(self, event: DomainEvent) -> None:
        self.events.append(event)

    async def commit(self) -> None:
        try:
            self._check_versions()
            self._check_unique_emails()
            self._check_owners()
        except Exception:
            self._discard()
            raise
        self._apply()
        new = self.events[self._published :]
        self._db.committed_events.extend(new)
        if self._outbox_clock is not None:
            self._db.outbox.extend(outbox_records(new, self._outbox_clock))
        self._published = len(self.events)
        self.committed = True
        self._discard()

    def _discard(self) -> None:
        self._changes.users.clear()
        self._changes.items.clear()
        self._changes.read_versions.clear()
        self._changes.idempotency.clear()

    def _check_versions(self) -> None:
        for (kind, key), version in self._changes.read_versions.items():
            table: dict[int, User] | dict[int, Item] = (
                self._db.users if kind == "user" else self._db.items
            )
            current = table.get(key)
            if current is None or current.version != version:
                raise VersionConflict(kind, key)

    def _check_unique_emails(self) -> None:
        users = {**self._db.users, **self._changes.users}
        seen: set[str] = set()
        for user in users.values():
            if user is None:
                continue
            if user.email in seen:
                raise EmailAlreadyRegistered(user.email)
            seen.add(user.email)

    def _check_owners(self) -> None:
        users = {**self._db.users, **self._changes.users}
        for item in self._changes.items.values():
            if item is not None and users.get(item.owner_id) is None:
                raise NotFound("user", item.owner_id)

    def _apply(self) -> None:
        for user_id, user in self._changes.users.items():
            if user is None:
                self._db.users.pop(user_id, None)
                self._cascade(user_id)
            else:
                self._db.users[user_id] = user
        for item_id, item in self._changes.items.items():
            if item is None:
                self._db.items.pop(item_id, None)
            else:
                self._db.items[item_id] = item
        for key, record in self._changes.idempotency.items():
            if record is None:
                self._db.idempotency.pop(key, None)
            else:
                self._db.idempotency[key] = record

    def _cascade(self, owner_id: int) -> None:
        for item_id in [i.id for i in self._db.items.values() if i.owner_id == owner_id]:
            del self._db.items[item_id]
