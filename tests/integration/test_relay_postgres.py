"""What only PostgreSQL can show: relays side by side (SKIP LOCKED, order per aggregate),
the relay woken by NOTIFY at commit, and the outbox through pgbouncer."""

import asyncio
from collections.abc import AsyncIterator
from functools import partial

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.nats.publisher import JetStreamPublisher, StreamTarget
from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.listen import PollingWakeup, PostgresWakeup
from adapters.sqlalchemy.relay_store import SqlAlchemyOutboxStore
from application.relay import Relay
from domain.events import ItemCreated
from tests.integration.outbox import (
    CountingPublisher,
    Relays,
    eventually,
    migrated_engine,
    outbox_rows,
    updates,
    write,
)
from tests.support.backends import open_backend
from tests.support.nats import cloudevents, stream_messages
from tests.support.pgbouncer import PgBouncer


@pytest.fixture
async def engine(fresh_postgres_url: str) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(fresh_postgres_url, pool_size=8) as engine:
        yield engine


async def test_a_relay_holds_back_an_aggregate_whose_older_event_another_relay_holds(
    engine: AsyncEngine,
) -> None:
    await write(engine, [*updates(1, range(1, 2)), *updates(2, range(1, 2))])
    await write(engine, [*updates(1, range(2, 3)), *updates(2, range(2, 3))])
    store = SqlAlchemyOutboxStore(Database(engine), clock=SystemClock())
    async with store.claim(1) as first, store.claim(10) as second:
        held = [(e.record.aggregate_id, e.record.payload["version"]) for e in first.events]
        taken = [(e.record.aggregate_id, e.record.payload["version"]) for e in second.events]
    assert held == [("1", 1)]
    assert taken == [("2", 1), ("2", 2)]  # item 1's second event waits for the first


async def test_relays_side_by_side_publish_each_event_once_in_order_per_aggregate(
    engine: AsyncEngine, events_target: StreamTarget, relays: Relays
) -> None:
    items, versions = 12, 25
    events = [
        event for item in range(1, items + 1) for event in updates(item, range(1, 1 + versions))
    ]
    writes = [
        write(engine, [event for event in events if event.item_id == item])  # type: ignore[attr-defined]
        for item in range(1, items + 1)
    ]
    made = [relays.make(engine, events_target, batch_size=10) for _ in range(3)]

    async def drain(relay_index: int) -> None:
        relay = made[relay_index][0]
        for _ in range(items * versions):  # a bound: each round settles one event at least
            if not await relay.relay_once() and not await _pending(engine):
                return
            await asyncio.sleep(0.001 * relay_index)  # let the others interleave

    await asyncio.gather(*writes)
    await asyncio.gather(*(drain(i) for i in range(3)))

    assert sum(publisher.sent for _, publisher in made) == items * versions  # none twice
    assert all(publisher.sent for _, publisher in made)  # and all three took part
    seen: dict[int, list[int]] = {}
    for event in cloudevents(await stream_messages(events_target)):
        seen.setdefault(event["data"]["item_id"], []).append(event["data"]["version"])
    assert seen == {item: list(range(1, 1 + versions)) for item in range(1, items + 1)}


async def test_a_listening_relay_wakes_at_commit_without_polling(
    engine: AsyncEngine, events_target: StreamTarget, relays: Relays, fresh_postgres_url: str
) -> None:
    wakeup = PostgresWakeup(fresh_postgres_url, connect_timeout=5.0)
    relay, publisher = relays.make(engine, events_target, wakeup=wakeup, poll_seconds=60)
    running = asyncio.create_task(relay.run())
    try:
        # No wait for the relay to listen: a write before its LISTEN is found by the poll
        # it makes once listening; the later ones can only arrive by notification.
        for version in range(1, 4):
            await write(engine, updates(1, range(version, version + 1)))
            await eventually(partial(_sent, publisher, version), seconds=5)
    finally:
        running.cancel()
        await wakeup.close()


async def _sent(publisher: CountingPublisher, count: int) -> bool:
    return publisher.sent >= count


async def _pending(engine: AsyncEngine) -> bool:
    return any(row["published_at"] is None for row in await outbox_rows(engine))


async def test_through_pgbouncer_the_outbox_is_written_and_relayed_by_polling(
    engine: AsyncEngine,  # the database, migrated
    fresh_postgres_url: str,
    pgbouncer: PgBouncer,
    events_target: StreamTarget,
) -> None:
    backend = await open_backend(
        pgbouncer.url_for(fresh_postgres_url), pool_size=2, pooler="pgbouncer", outbox=True
    )
    publisher = JetStreamPublisher(events_target)
    wakeup = backend.wakeup()
    try:
        assert isinstance(wakeup, PollingWakeup)  # LISTEN needs a session of its own
        async with backend.uow() as uow:
            uow.record(ItemCreated(item_id=5, owner_id=1))
            await uow.commit()
        assert backend.outbox is not None
        relay = Relay(store=backend.outbox, publisher=publisher, wakeup=wakeup, clock=SystemClock())
        assert await relay.relay_once() == 1
    finally:
        await publisher.close()
        await backend.dispose()
    assert [e["subject"] for e in cloudevents(await stream_messages(events_target))] == ["item/5"]
