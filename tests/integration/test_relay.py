"""The relay against a real JetStream, on SQLite and PostgreSQL: CloudEvents on the right
subjects, each event once, in order per aggregate, through crashes and outages."""

import asyncio
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from uuid import uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.nats.publisher import JetStreamPublisher, StreamTarget
from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.relay_store import SqlAlchemyOutboxStore
from application.outbox import BrokerUnavailable, OutboxRecord, outbox_records
from domain.events import ItemCreated, UserRegistered
from tests.integration.outbox import (
    CountingPublisher,
    Relays,
    eventually,
    migrated_engine,
    outbox_rows,
    updates,
    write,
    write_raw,
)
from tests.support.nats import PrivateNats, cloudevents, stream_messages


@pytest.fixture(params=["sqlite", "postgres"])
def outbox_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "catalog.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite+aiosqlite:///{path}"
    return str(request.getfixturevalue("fresh_postgres_url"))


@pytest.fixture
async def engine(outbox_url: str) -> AsyncIterator[AsyncEngine]:
    async with migrated_engine(outbox_url, pool_size=4) as engine:
        yield engine


async def test_events_leave_as_cloudevents_in_order(
    engine: AsyncEngine, events_target: StreamTarget, relays: Relays
) -> None:
    await write(engine, [UserRegistered(user_id=3, email="a@example.com")])
    await write(engine, [ItemCreated(item_id=7, owner_id=3), *updates(7, range(2, 4))])
    relay, publisher = relays.make(engine, events_target)

    assert await relay.relay_once() == 4

    messages = await stream_messages(events_target)
    prefix = events_target.subject_prefix
    assert [m.subject for m in messages] == [
        f"{prefix}.user.registered",
        f"{prefix}.item.created",
        f"{prefix}.item.updated",
        f"{prefix}.item.updated",
    ]
    rows = await outbox_rows(engine)
    assert [m.headers["Nats-Msg-Id"] for m in messages if m.headers] == [
        str(row["event_id"]) for row in rows
    ]
    first = cloudevents(messages)[1]
    assert first == {
        "specversion": "1.0",
        "id": str(rows[1]["event_id"]),
        "source": "/catalog",
        "type": "catalog.item.created.v1",
        "subject": "item/7",
        "time": first["time"],
        "datacontenttype": "application/json",
        "data": {"item_id": 7, "owner_id": 3},
    }
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    assert all(row["published_at"] is not None for row in rows)
    assert await relay.relay_once() == 0  # nothing is published twice
    assert publisher.sent == 4


async def test_a_relay_killed_between_ack_and_commit_resends_and_jetstream_drops_it(
    engine: AsyncEngine, events_target: StreamTarget, relays: Relays
) -> None:
    await write(engine, updates(1, range(1, 6)))
    crashing, first = relays.make(engine, events_target)

    def crash(sent: int) -> None:
        raise KeyboardInterrupt  # a kill after the acks: nothing after it runs, nor the commit

    first.after = crash
    with pytest.raises(KeyboardInterrupt):
        await crashing.relay_once()
    assert all(row["published_at"] is None for row in await outbox_rows(engine))

    relay, second = relays.make(engine, events_target)
    assert await relay.relay_once() == 5
    assert (first.sent, second.sent) == (5, 5)  # every event went out twice...
    data = [event["data"] for event in cloudevents(await stream_messages(events_target))]
    assert data == [{"item_id": 1, "version": v} for v in range(1, 6)]  # ...and once in the stream


async def test_a_payload_too_large_is_parked_and_the_rest_flows(
    engine: AsyncEngine, events_target: StreamTarget, relays: Relays
) -> None:
    await write(engine, updates(1, range(1, 2)))
    huge = OutboxRecord(
        event_id=uuid4(),
        type="item.updated",
        aggregate_type="item",
        aggregate_id="2",
        payload={"blob": "x" * 2_000_000},
        occurred_at=datetime.now(UTC),
    )
    await write_raw(engine, [huge])
    await write(engine, updates(1, range(2, 3)))
    relay, _ = relays.make(engine, events_target)

    assert await relay.relay_once() == 3

    rows = await outbox_rows(engine)
    assert [row["parked_at"] is not None for row in rows] == [False, True, False]
    assert "max_payload" in str(rows[1]["last_error"])
    assert len(await stream_messages(events_target)) == 2
    store = SqlAlchemyOutboxStore(Database(engine), clock=_Clock())
    backlog = await store.backlog()
    assert (backlog.pending, backlog.parked) == (0, 1)


async def test_published_events_are_deleted_after_the_retention(
    engine: AsyncEngine, events_target: StreamTarget, relays: Relays
) -> None:
    await write(engine, updates(1, range(1, 4)))
    relay, _ = relays.make(engine, events_target)
    await relay.relay_once()
    await write(engine, updates(1, range(4, 5)))
    store = SqlAlchemyOutboxStore(Database(engine), clock=_Clock())

    assert await store.purge(published_before=datetime.now(UTC)) == 3
    assert [row["payload"] for row in await outbox_rows(engine)] == [{"item_id": 1, "version": 4}]


async def test_the_relay_survives_a_broker_outage_and_drains_the_backlog(
    engine: AsyncEngine, private_nats: PrivateNats, relays: Relays
) -> None:
    target = StreamTarget(url=private_nats.url, stream="OUTAGE", subject_prefix="outage")
    relay, publisher = relays.make(engine, target, poll_seconds=0.1, backoff_seconds=(0.1, 0.5))
    running = asyncio.create_task(relay.run())
    try:
        await write(engine, updates(1, range(1, 3)))
        await eventually(lambda: _published(target, 2))
        private_nats.stop()

        await write(engine, updates(1, range(3, 6)))  # writes never wait for the broker
        attempts, started = publisher.attempts, asyncio.get_running_loop().time()
        await eventually(partial(_tried, publisher, attempts + 4), seconds=30)
        # Backing off, not spinning: four tries take at least three waits of 0.1 s or more.
        assert asyncio.get_running_loop().time() - started >= 0.3
        assert not running.done()
        assert sum(row["published_at"] is None for row in await outbox_rows(engine)) == 3

        private_nats.start()
        await eventually(lambda: _published(target, 5), seconds=20)
    finally:
        running.cancel()
    data = [event["data"] for event in cloudevents(await stream_messages(target))]
    assert data == [{"item_id": 1, "version": v} for v in range(1, 6)]


async def _tried(publisher: CountingPublisher, count: int) -> bool:
    return publisher.attempts >= count


async def _published(target: StreamTarget, count: int) -> bool:
    return len(await stream_messages(target)) >= count


class _Clock:
    def now(self) -> datetime:
        return datetime.now(UTC)


async def test_a_relay_started_while_the_broker_is_down_waits_for_it(
    engine: AsyncEngine, private_nats: PrivateNats, relays: Relays
) -> None:
    private_nats.stop()
    target = StreamTarget(url=private_nats.url, stream="LATE", subject_prefix="late")
    relay, publisher = relays.make(engine, target, poll_seconds=0.1, backoff_seconds=(0.1, 0.5))
    await write(engine, updates(1, range(1, 3)))
    running = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(1)
        assert not running.done()
        private_nats.start()
        await eventually(lambda: _published(target, 2), seconds=20)
    finally:
        running.cancel()
    assert publisher.sent == 2


async def test_publishing_to_an_unreachable_broker_fails_in_seconds_not_forever(
    private_nats: PrivateNats,
) -> None:
    private_nats.stop()
    publisher = JetStreamPublisher(StreamTarget(url=private_nats.url))
    [record] = outbox_records([ItemCreated(item_id=1, owner_id=1)], _Clock())
    async with asyncio.timeout(15):
        with pytest.raises(BrokerUnavailable, match=r"127\.0\.0\.1"):
            await publisher.publish([record])
    await publisher.close()


async def test_a_frozen_broker_costs_a_batch_one_timeout_not_one_per_event(
    private_nats: PrivateNats,
) -> None:
    target = StreamTarget(url=private_nats.url, stream="FROZEN", subject_prefix="frozen", timeout=1)
    publisher = JetStreamPublisher(target)
    records = outbox_records([ItemCreated(item_id=i, owner_id=1) for i in range(50)], _Clock())
    try:
        assert await publisher.publish(records[:1]) == [None]  # connected, stream made
        private_nats.freeze()
        started = asyncio.get_running_loop().time()
        outcomes = await publisher.publish(records)
        assert asyncio.get_running_loop().time() - started < 5
        assert len(outcomes) == 1
        assert isinstance(outcomes[0], BrokerUnavailable)
    finally:
        private_nats.thaw()
        await publisher.close()
