"""Fast fakes of the ports, and helpers that make unique names and emails."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from itertools import count
from uuid import uuid4

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from application.ports import AccessToken
from domain.errors import InvalidCredentials

_serial: Iterator[int] = count(1)


def unique(prefix: str = "name") -> str:
    """A name no other test uses."""
    return f"{prefix}-{next(_serial)}-{uuid4().hex[:8]}"


def unique_email(prefix: str = "user") -> str:
    return f"{unique(prefix)}@example.com"


class FakePasswordHasher:
    """The PasswordHasher port at no cost: the hash is "fake$" + the reversed password.

    It counts the hashes and verifies it performed, so a test can see that a failed login
    still paid for exactly one check (against a dummy hash when there was no user).
    """

    PREFIX = "fake$"
    DUMMY_HASH = "fake$drowssap ymmud"

    def __init__(self) -> None:
        self.hashes = 0
        self.checked: list[str] = []  # the hashes each verify compared against

    @property
    def verifies(self) -> int:
        return len(self.checked)

    async def hash(self, password: str) -> str:
        self.hashes += 1
        return self.PREFIX + password[::-1]

    async def verify(self, password_hash: str | None, password: str) -> bool:
        self.checked.append(password_hash or self.DUMMY_HASH)
        matches = self.checked[-1] == self.PREFIX + password[::-1]
        return matches and password_hash is not None


class ManualClock:
    """A Clock that stands still until a test moves it; always timezone-aware."""

    def __init__(self, start: datetime = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) -> None:
        if start.tzinfo is None:
            raise ValueError("a clock tells aware time")
        self._now = start

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta = timedelta(seconds=1)) -> datetime:
        self._now += delta
        return self._now


class RecordingUnitOfWorkFactory:
    """Makes in-memory units of work over one database and keeps each one it made,
    so a test can count how many committed (an outcome, not a call)."""

    def __init__(self, database: InMemoryDatabase) -> None:
        self.database = database
        self.made: list[InMemoryUnitOfWork] = []

    def __call__(self) -> InMemoryUnitOfWork:
        uow = InMemoryUnitOfWork(self.database)
        self.made.append(uow)
        return uow

    @property
    def commits(self) -> int:
        return sum(uow.committed for uow in self.made)


class FakeTokenService:
    """Tokens that say whom they were issued for, in plain text."""

    PREFIX = "token-for-"
    TTL = 1800

    def issue(self, user_id: int, *, session_id: int) -> AccessToken:
        return AccessToken(f"{self.PREFIX}{user_id}.{session_id}", self.TTL)

    def subject(self, token: str) -> int:
        return self._claims(token)[0]

    def session(self, token: str) -> int:
        return self._claims(token)[1]

    def _claims(self, token: str) -> tuple[int, int]:
        user, _, session = token.removeprefix(self.PREFIX).partition(".")
        if not token.startswith(self.PREFIX) or not (user.isdigit() and session.isdigit()):
            raise InvalidCredentials()
        return int(user), int(session)
