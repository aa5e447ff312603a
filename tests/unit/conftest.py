"""A world of fakes per test: an in-memory database, a fake hasher and a manual clock."""

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from adapters.memory import (
    InMemoryDatabase,
    InMemoryItemReader,
    InMemoryUnitOfWork,
    InMemoryUserReader,
)
from application.idempotency import IdempotencyKeys
from application.writes import Writes
from domain.events import DomainEvent
from domain.items import Item
from domain.users import User
from tests.unit.fakes import (
    FakePasswordHasher,
    ManualClock,
    RecordingUnitOfWorkFactory,
    unique,
    unique_email,
)

PASSWORD = "correct horse battery"


@dataclass
class World:
    """What the use cases run against; rows made here bypass the use cases and record
    no event, so a test sees only what the use case under test did."""

    db: InMemoryDatabase = field(default_factory=InMemoryDatabase)
    hasher: FakePasswordHasher = field(default_factory=FakePasswordHasher)
    clock: ManualClock = field(default_factory=ManualClock)
    uow: RecordingUnitOfWorkFactory = field(init=False)
    writes: Writes = field(init=False)
    users: InMemoryUserReader = field(init=False)
    items: InMemoryItemReader = field(init=False)

    def __post_init__(self) -> None:
        self.uow = RecordingUnitOfWorkFactory(self.db)
        keys = IdempotencyKeys(uow=self.uow, clock=self.clock)
        self.writes = Writes(uow=self.uow, keys=keys)
        self.users = InMemoryUserReader(self.db)
        self.items = InMemoryItemReader(self.db)

    @property
    def events(self) -> list[DomainEvent]:
        return self.db.committed_events

    async def user(
        self, *, admin: bool = False, active: bool = True, email: str | None = None
    ) -> User:
        now = self.clock.now()
        async with InMemoryUnitOfWork(self.db) as uow:
            user = await uow.users.add(
                User(
                    name=unique("user"),
                    email=email or unique_email(),
                    password_hash=FakePasswordHasher.PREFIX + PASSWORD[::-1],
                    is_admin=admin,
                    is_active=active,
                    created_at=now,
                    updated_at=now,
                )
            )
            await uow.commit()
        return user

    async def item(
        self, owner: User, *, name: str | None = None, price: Decimal = Decimal("10.00")
    ) -> Item:
        draft = Item.create(
            owner_id=owner.id,
            name=name or unique("item"),
            description=None,
            price=price,
            now=self.clock.now(),
        )
        async with InMemoryUnitOfWork(self.db) as uow:
            item = await uow.items.add(draft)
            await uow.commit()
        return item


@pytest.fixture
def world() -> World:
    return World()
