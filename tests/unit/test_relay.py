"""The relay's rules with fakes: what is marked, what is parked, when it stops and waits."""

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import datetime

import pytest

from application.outbox import (
    Backlog,
    BrokerUnavailable,
    Claim,
    EventRejected,
    OutboxRecord,
    OutboxUnavailable,
    PendingEvent,
    outbox_record,
    outbox_records,
)
from application.relay import Relay, RelayOptions
from domain.events import ItemCreated, ItemUpdated, UserDeleted
from tests.unit.fakes import ManualClock


class FakeStore:
    """Pending events in a list; a claim's marks count only when it ends normally."""

    def __init__(self, records: list[OutboxRecord]) -> None:
        self.pending = [PendingEvent(n, record) for n, record in enumerate(records, 1)]
        self.published: list[int] = []
        self.parked: dict[int, str] = {}

    @asynccontextmanager
    async def claim(self, limit: int) -> AsyncIterator[Claim]:
        claim = Claim(self.pending[:limit])
        yield claim
        self.published += claim.done
        self.parked |= claim.set_aside
        settled = {*claim.done, *claim.set_aside}
        self.pending = [e for e in self.pending if e.sequence not in settled]

    async def purge(self, *, published_before: datetime) -> int:
        return 0

    async def backlog(self) -> Backlog:
        return Backlog(pending=len(self.pending), oldest=None, parked=len(self.parked))


class FakePublisher:
    def __init__(
        self, *, reject: frozenset[str] = frozenset(), down_after: int | None = None
    ) -> None:
        self.sent: list[str] = []
        self.attempts = 0
        self.reject = reject
        self.down_after = down_after

    async def publish(self, records: Sequence[OutboxRecord]) -> list[Exception | None]:
        self.attempts += 1
        outcomes: list[Exception | None] = []
        for record in records:
            if self.down_after is not None and len(self.sent) >= self.down_after:
                if not outcomes:
                    raise BrokerUnavailable("connection refused")
                outcomes.append(BrokerUnavailable("connection lost"))
                break
            if record.aggregate_id in self.reject:
                outcomes.append(EventRejected("too large"))
            else:
                self.sent.append(record.aggregate_id)
                outcomes.append(None)
        return outcomes


class NoWait:
    """A Wakeup that never waits; `idle` is set once the relay has asked to wait (a round
    went well and left nothing to do)."""

    def __init__(self) -> None:
        self.idle = asyncio.Event()

    async def wait(self, at_most: float) -> None:
        self.idle.set()
        await asyncio.sleep(0)


class Pauses:
    """A fake `asyncio.sleep` for the back-off: notes each pause and returns at once (after
    letting other tasks run), except the `hold`-th, which waits for `resume` (a test looks
    then, and changes the world if it wants to)."""

    def __init__(self, *, hold: int) -> None:
        self.taken: list[float] = []
        self.hold = hold
        self.holding = asyncio.Event()
        self.resume = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.taken.append(seconds)
        if len(self.taken) == self.hold:
            self.holding.set()
            await self.resume.wait()
        await asyncio.sleep(0)


def records(*item_ids: int) -> list[OutboxRecord]:
    clock = ManualClock()
    return [
        outbox_record(ItemCreated(item_id=i, owner_id=1), occurred_at=clock.now()) for i in item_ids
    ]


def relay(
    store: FakeStore,
    publisher: FakePublisher,
    *,
    pauses: Pauses | None = None,
    wakeup: NoWait | None = None,
    **options: object,
) -> Relay:
    return Relay(
        store=store,
        publisher=publisher,
        wakeup=wakeup or NoWait(),
        clock=ManualClock(),
        options=RelayOptions(**options),  # type: ignore[arg-type]
        sleep=pauses or Pauses(hold=0),
    )


async def stopped(running: "asyncio.Task[None]") -> None:
    running.cancel()
    with suppress(asyncio.CancelledError):
        await running


def test_an_event_names_its_aggregate_and_gets_an_id_and_instant_of_its_own() -> None:
    clock = ManualClock()
    first, second = outbox_records(
        [ItemUpdated(item_id=4, version=2), UserDeleted(user_id=9)], clock
    )
    assert (first.type, first.aggregate_type, first.aggregate_id) == ("item.updated", "item", "4")
    assert first.payload == {"item_id": 4, "version": 2}
    assert (second.type, second.aggregate_id) == ("user.deleted", "9")
    assert first.occurred_at == second.occurred_at == clock.now()
    assert first.event_id != second.event_id


async def test_a_batch_is_published_in_order_and_marked() -> None:
    store, publisher = FakeStore(records(1, 2, 3)), FakePublisher()
    assert await relay(store, publisher, batch_size=2).relay_once() == 2
    assert publisher.sent == ["1", "2"]
    assert (store.published, len(store.pending)) == ([1, 2], 1)


async def test_a_rejected_event_is_parked_and_the_next_ones_flow() -> None:
    store, publisher = FakeStore(records(1, 2, 3)), FakePublisher(reject=frozenset({"2"}))
    assert await relay(store, publisher).relay_once() == 3
    assert (publisher.sent, store.published, store.parked) == (["1", "3"], [1, 3], {2: "too large"})


async def test_a_broker_going_away_mid_batch_keeps_what_was_acknowledged() -> None:
    store, publisher = FakeStore(records(1, 2, 3)), FakePublisher(down_after=1)
    assert await relay(store, publisher).relay_once() == 1
    assert (store.published, [e.sequence for e in store.pending]) == ([1], [2, 3])
    with pytest.raises(BrokerUnavailable):
        await relay(store, publisher).relay_once()


async def test_while_the_broker_is_away_the_relay_backs_off_and_never_ends() -> None:
    store, publisher = FakeStore(records(1)), FakePublisher(down_after=0)
    pauses, wakeup = Pauses(hold=5), NoWait()
    running = asyncio.create_task(
        relay(store, publisher, pauses=pauses, wakeup=wakeup, backoff_seconds=(0.01, 0.08)).run()
    )
    await pauses.holding.wait()
    assert pauses.taken == [0.01, 0.02, 0.04, 0.08, 0.08]  # doubling up to the ceiling
    assert (publisher.attempts, running.done()) == (5, False)  # one try per pause
    publisher.down_after = None
    pauses.resume.set()
    await wakeup.idle.wait()  # a round went well
    await stopped(running)
    assert store.published == [1]
    assert len(pauses.taken) == 5


class UnreachableStore(FakeStore):
    def __init__(self) -> None:
        super().__init__(records(1))
        self.claims = 0

    @asynccontextmanager
    async def claim(self, limit: int) -> AsyncIterator[Claim]:
        self.claims += 1
        raise OutboxUnavailable("connection refused")
        yield Claim([])  # never reached: a generator, for the context manager


async def test_while_the_database_is_away_the_relay_backs_off_too() -> None:
    store, publisher, pauses = UnreachableStore(), FakePublisher(), Pauses(hold=4)
    running = asyncio.create_task(
        relay(store, publisher, pauses=pauses, backoff_seconds=(0.01, 0.08)).run()
    )
    await pauses.holding.wait()
    assert pauses.taken == [0.01, 0.02, 0.04, 0.08]
    assert (store.claims, publisher.attempts, running.done()) == (4, 0, False)
    await stopped(running)
