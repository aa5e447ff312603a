"""A unit of work over an in-memory database, with the semantics of a real transaction.

Writes stay private to the unit of work until `commit()`, which checks, as a database
would, that every row it changes is still at the version it read, that no two rows of a
table share a unique column and that every reference names an existing row; any
failure, exception or missing commit discards everything. Every registered entity's
repository is an attribute named after its table (`uow.users`), made on first use.
"""

from typing import Any, Self

from adapters import tracing
from adapters.memory.idempotency import InMemoryIdempotencyStore
from adapters.memory.repositories import REPOSITORIES, InMemoryRepository, InMemoryUserRepository
from adapters.memory.tables import Changes, InMemoryDatabase
from application.outbox import outbox_records
from application.ports import Clock
from domain.errors import NotFound, VersionConflict
from domain.events import DomainEvent
from domain.items import Item
from domain.sessions import Session


class InMemoryUnitOfWork:
    # Typed for readers of this class; any registered table's repository works unnamed.
    users: InMemoryUserRepository
    items: InMemoryRepository[Item]
    sessions: InMemoryRepository[Session]

    def __init__(self, database: InMemoryDatabase, *, outbox_clock: Clock | None = None) -> None:
        """With `outbox_clock`, committed events also go to `database.outbox`, stamped
        as the SQL unit of work stamps its outbox rows."""
        self._db = database
        self._outbox_clock = outbox_clock
        self._changes = Changes()
        self.events: list[DomainEvent] = []
        self._published = 0
        self.committed = False
        self.idempotency = InMemoryIdempotencyStore(database, self._changes)

    def __getattr__(self, name: str) -> Any:
        """A registered entity's repository, made once (then an attribute)."""
        make = REPOSITORIES.get(name)
        if make is None:
            raise AttributeError(name)
        repository = self.__dict__[name] = make(self._db, self._changes)
        return repository

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if not self.committed:
            self.events.clear()
        self._changes.clear()

    def record(self, event: DomainEvent) -> None:
        self.events.append(event)

    async def commit(self) -> None:
        try:
            self._check_versions()
            for name in self._changes.rows:
                self._check_unique(name)
                self._check_references(name)
        except Exception:
            self._changes.clear()
            raise
        self._apply()
        new = self.events[self._published :]
        self._db.committed_events.extend(new)
        if self._outbox_clock is not None:
            self._db.outbox.extend(tracing.stamp(outbox_records(new, self._outbox_clock)))
        self._published = len(self.events)
        self.committed = True
        self._changes.clear()

    def _check_versions(self) -> None:
        for (name, key), version in self._changes.read_versions.items():
            table = self._db.tables[name]
            current = table.rows.get(key)
            if current is None or current.version != version:
                raise VersionConflict(table.mapping.kind, key)

    def _check_unique(self, name: str) -> None:
        mapping = self._db.tables[name].mapping
        for column in mapping.unique:
            seen: set[object] = set()
            for row in self._changes.visible(self._db, name).values():
                value = getattr(row, column)
                if value in seen:
                    raise mapping.duplicate(row)
                seen.add(value)

    def _check_references(self, name: str) -> None:
        for reference in self._db.tables[name].mapping.references:
            for row in self._changes.rows[name].values():
                key = None if row is None else getattr(row, reference.column)
                if key is not None and self._changes.row(self._db, reference.target, key) is None:
                    raise NotFound(reference.kind, key)

    def _apply(self) -> None:
        for name, rows in self._changes.rows.items():
            for key, row in rows.items():
                if row is None:
                    self._db.delete(name, key)
                else:
                    self._db.tables[name].rows[key] = row
        for claim, record in self._changes.idempotency.items():
            if record is None:
                self._db.idempotency.pop(claim, None)
            else:
                self._db.idempotency[claim] = record
