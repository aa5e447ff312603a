"""The ports: what the use cases need from the world, implemented by the adapters.

Writes go through a `UnitOfWork` and its repositories (load, change, save, commit).
Queries go through the readers, which see committed data only and never write: a fast
path for reads is then a visible adapter of its own, not a switch inside the unit of work.
"""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar

from application.pagination import ItemFilter, PageRequest
from domain.events import DomainEvent
from domain.items import Item
from domain.sessions import Session
from domain.users import User


class Stored(Protocol):
    """What storage needs of an entity: the id it gave it, and the version it holds."""

    @property
    def id(self) -> int: ...

    @property
    def version(self) -> int: ...


E = TypeVar("E", bound=Stored)
E_co = TypeVar("E_co", bound=Stored, covariant=True)


class Repository(Protocol[E]):
    """An entity's rows, inside a unit of work: its own writes and what is committed."""

    async def add(self, entity: E) -> E:
        """Stores a new entity and returns it with its id."""

    async def get(self, key: int, /) -> E | None: ...

    async def update(self, entity: E, *, expected_version: int) -> None:
        """Writes `entity` if the stored version is `expected_version`, else VersionConflict."""

    async def delete(self, key: int, *, expected_version: int) -> None:
        """Deletes the entity at `expected_version`, else VersionConflict; what belongs to
        it (a user's items) goes in the same transaction."""


class UserRepository(Repository[User], Protocol):
    async def get_by_email(self, email: str) -> User | None:
        """`email` is already normalised."""


ItemRepository = Repository[Item]
SessionRepository = Repository[Session]


@dataclass(frozen=True, slots=True, kw_only=True)
class IdempotencyRecord:
    """A key a caller sent with a create: in flight while `response` is None. A claim in
    flight expires soon (its process may have died); a completed one after a day."""

    scope: str
    key: str
    fingerprint: str
    response: bytes | None
    created_at: datetime
    expires_at: datetime


class IdempotencyStore(Protocol):
    async def add(self, record: IdempotencyRecord) -> bool:
        """Stores `record` unless its (scope, key) exists: False then, and nothing changes."""

    async def get(self, scope: str, key: str) -> IdempotencyRecord | None: ...

    async def complete(
        self, scope: str, key: str, *, response: bytes, expires_at: datetime
    ) -> None:
        """Keeps the response given for the claimed key, until `expires_at`."""

    async def release(self, scope: str, key: str) -> None:
        """Deletes the claim if it is still in flight."""

    async def purge(self, now: datetime) -> None:
        """Deletes every record expired by `now`."""


class UnitOfWork(Protocol):
    """One transaction. Rolls back on exit unless `commit()` was awaited."""

    @property
    def users(self) -> UserRepository: ...

    @property
    def items(self) -> ItemRepository: ...

    @property
    def sessions(self) -> SessionRepository: ...

    @property
    def idempotency(self) -> IdempotencyStore: ...

    @property
    def events(self) -> Sequence[DomainEvent]:
        """The events recorded so far, in order; they count only if the unit commits."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    async def commit(self) -> None:
        """Makes every change of this unit of work durable and visible, or raises."""

    def record(self, event: DomainEvent) -> None:
        """Keeps an event; it counts only if the unit of work commits."""


class UnitOfWorkFactory(Protocol):
    def __call__(self) -> UnitOfWork:
        """A new unit of work."""


class Reader(Protocol[E_co]):
    """An entity as committed: the query side."""

    async def get(self, key: int, /) -> E_co | None: ...


class UserReader(Reader[User], Protocol):
    async def get_by_email(self, email: str) -> User | None:
        """`email` is already normalised."""

    async def list(self, page: PageRequest) -> list[User]:
        """At most `page.limit + 1` users in `page.sort` order (by id), after `page.after`."""


class ItemReader(Reader[Item], Protocol):
    async def list(self, where: ItemFilter, page: PageRequest) -> list[Item]:
        """At most `page.limit + 1` matching items in `page.sort` order, after `page.after`."""

    def stream(self, where: ItemFilter, *, batch_size: int) -> AsyncIterator[Item]:
        """Every matching item by id, fetched `batch_size` rows at a time."""


class SessionReader(Reader[Session], Protocol):
    async def page(self, page: PageRequest) -> list[Session]:
        """At most `page.limit + 1` sessions by id, after `page.after`."""


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True if `password` matches. With no hash, checks a dummy one at the same cost."""


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware."""


@dataclass(frozen=True, slots=True)
class AccessToken:
    token: str
    expires_in: int


class TokenService(Protocol):
    def issue(self, user_id: int, *, session_id: int) -> AccessToken: ...

    def subject(self, token: str) -> int:
        """The user id the token was issued for; InvalidCredentials if it is not valid."""
