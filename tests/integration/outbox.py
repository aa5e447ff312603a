"""Helpers for the outbox tests: a migrated database per test, events written straight into
the outbox, relays over a real JetStream, and a publisher that counts what it sends."""

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.clock import SystemClock
from adapters.nats.publisher import JetStreamPublisher, StreamTarget
from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.listen import PollingWakeup
from adapters.sqlalchemy.migrations import upgrade
from adapters.sqlalchemy.outbox import OutboxWriter, write_records
from adapters.sqlalchemy.relay_store import SqlAlchemyOutboxStore
from adapters.sqlalchemy.tables import outbox
from application.outbox import OutboxRecord, Wakeup
from application.relay import Relay, RelayOptions
from domain.events import DomainEvent, ItemUpdated
from tests.support.backends import engine_for


def updates(item_id: int, versions: range) -> list[DomainEvent]:
    return [ItemUpdated(item_id=item_id, version=version) for version in versions]


async def write(engine: AsyncEngine, events: Sequence[DomainEvent]) -> None:
    async with engine.begin() as conn:
        await OutboxWriter(SystemClock()).write(conn, events)


async def write_raw(engine: AsyncEngine, records: Sequence[OutboxRecord]) -> None:
    async with engine.begin() as conn:
        await write_records(conn, records)


async def outbox_rows(engine: AsyncEngine) -> list[dict[str, object]]:
    async with engine.connect() as conn:
        rows = await conn.execute(select(outbox).order_by(outbox.c.sequence))
        return [dict(row._mapping) for row in rows]


class CountingPublisher:
    """The real publisher, counting the events the broker acknowledged; `after` runs after
    each batch (a test makes it fail there)."""

    def __init__(self, inner: JetStreamPublisher) -> None:
        self.inner = inner
        self.sent = 0
        self.attempts = 0
        self.after: Callable[[int], None] = lambda sent: None

    async def publish(self, records: Sequence[OutboxRecord]) -> list[Exception | None]:
        self.attempts += 1
        outcomes = await self.inner.publish(records)
        self.sent += outcomes.count(None)
        self.after(self.sent)
        return outcomes


class Relays:
    """Makes relays over real publishers and closes their connections afterwards."""

    def __init__(self) -> None:
        self.publishers: list[JetStreamPublisher] = []

    def make(
        self,
        engine: AsyncEngine,
        target: StreamTarget,
        *,
        wakeup: Wakeup | None = None,
        **options: Any,
    ) -> tuple[Relay, CountingPublisher]:
        publisher = CountingPublisher(JetStreamPublisher(target))
        self.publishers.append(publisher.inner)
        relay = Relay(
            store=SqlAlchemyOutboxStore(Database(engine), clock=SystemClock()),
            publisher=publisher,
            wakeup=wakeup or PollingWakeup(),
            clock=SystemClock(),
            options=RelayOptions(**options),
        )
        return relay, publisher

    async def close(self) -> None:
        for publisher in self.publishers:
            await publisher.close()


@asynccontextmanager
async def migrated_engine(url: str, *, pool_size: int = 4) -> AsyncIterator[AsyncEngine]:
    engine = engine_for(url, pool_size=pool_size)
    try:
        await upgrade(engine)
        yield engine
    finally:
        await engine.dispose()


async def eventually(check: Callable[[], Awaitable[bool]], *, seconds: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"not true within {seconds} s")
        await asyncio.sleep(0.05)


def retention(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)
