"""The memory backend keeps the outbox record the SQL backends keep, when asked to."""

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from domain.events import ItemCreated, ItemUpdated
from tests.unit.fakes import ManualClock


async def test_a_commit_writes_exactly_its_events_in_order() -> None:
    db, clock = InMemoryDatabase(), ManualClock()
    async with InMemoryUnitOfWork(db, outbox_clock=clock) as uow:
        uow.record(ItemCreated(item_id=1, owner_id=2))
        uow.record(ItemUpdated(item_id=1, version=2))
        await uow.commit()
    assert [(r.type, r.aggregate_id, r.occurred_at) for r in db.outbox] == [
        ("item.created", "1", clock.now()),
        ("item.updated", "1", clock.now()),
    ]


async def test_no_commit_no_record_and_no_clock_no_outbox() -> None:
    db = InMemoryDatabase()
    async with InMemoryUnitOfWork(db, outbox_clock=ManualClock()) as uow:
        uow.record(ItemCreated(item_id=1, owner_id=2))
    async with InMemoryUnitOfWork(db) as uow:
        uow.record(ItemCreated(item_id=1, owner_id=2))
        await uow.commit()
    assert db.outbox == []
    assert len(db.committed_events) == 1
