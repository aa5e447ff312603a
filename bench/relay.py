"""The relay's benchmark: events published per second by one `catalog relay` and by two, and
the delay from commit to delivery (p50, p99) with LISTEN/NOTIFY.

    .venv/bin/python -m bench.relay [--events 20000] [--latency-events 1000]

PostgreSQL and NATS are found as the tests find theirs (tests/support: the configured or
local server, else private ones); the benchmark gets a database and a stream of its own.
Throughput: the relays start on an empty outbox, then one transaction commits `--events`
events over 1,000 aggregates, and the clock runs until none is pending. Delay: one relay
whose only wake-up is NOTIFY (its polling period is 60 s); events are committed one per
transaction, every few milliseconds, and a JetStream subscriber notes when each arrives.
"""

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import nats
import orjson
from nats.aio.msg import Msg
from nats.js.api import DeliverPolicy
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.nats.publisher import StreamTarget
from adapters.sqlalchemy.migrations import upgrade
from adapters.sqlalchemy.outbox import write_records
from adapters.sqlalchemy.tables import outbox
from application.outbox import OutboxRecord
from tests.support.backends import engine_for
from tests.support.nats import LOCAL_URL, PrivateNats, has_jetstream
from tests.support.nats import delete_stream as drop_stream
from tests.support.postgres import provision

CATALOG = str(Path(sys.executable).with_name("catalog"))
AGGREGATES = 1_000


def record(n: int) -> OutboxRecord:
    item = n % AGGREGATES + 1
    return OutboxRecord(
        event_id=uuid.uuid4(),
        type="item.updated",
        aggregate_type="item",
        aggregate_id=str(item),
        payload={"item_id": item, "version": n},
        occurred_at=datetime.now(UTC),
    )


async def pending(engine: AsyncEngine) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).where(outbox.c.published_at.is_(None))
        return int(await conn.scalar(query) or 0)


async def drained(engine: AsyncEngine, *, within: float = 300) -> float:
    deadline = time.monotonic() + within
    while await pending(engine):
        if time.monotonic() > deadline:
            raise SystemExit("the relays did not drain the outbox in time")
        await asyncio.sleep(0.01)
    return time.monotonic()


@contextmanager
def relays(count: int, *, database_url: str, target: StreamTarget) -> Iterator[None]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    env |= {
        "CATALOG_DATABASE_URL": database_url,
        "CATALOG_NATS_URL": target.url,
        "CATALOG_EVENTS_STREAM": target.stream,
        "CATALOG_EVENTS_SUBJECT_PREFIX": target.subject_prefix,
        "CATALOG_RELAY_POLL_SECONDS": "60",  # only NOTIFY wakes them
        "CATALOG_AUTO_MIGRATE": "false",
        "CATALOG_LOG_LEVEL": "WARNING",
    }
    processes = [subprocess.Popen([CATALOG, "relay"], env=env) for _ in range(count)]
    try:
        yield
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)


async def warm_up(engine: AsyncEngine) -> None:
    """One event through, so every relay is up and listening."""
    await asyncio.sleep(4)  # the processes import and connect
    async with engine.begin() as conn:
        await write_records(conn, [record(0)])
    await drained(engine, within=60)


async def throughput(
    engine: AsyncEngine, url: str, target: StreamTarget, n: int, count: int
) -> float:
    with relays(count, database_url=url, target=target):
        await warm_up(engine)
        async with engine.begin() as conn:
            for start in range(0, n, 1_000):
                await write_records(conn, [record(i) for i in range(start, min(n, start + 1_000))])
        committed = time.monotonic()
        done = await drained(engine)
    return n / (done - committed)


async def delays(engine: AsyncEngine, url: str, target: StreamTarget, n: int) -> list[float]:
    arrived: dict[str, float] = {}
    client = await nats.connect(target.url)
    try:
        with relays(1, database_url=url, target=target):
            await warm_up(engine)

            async def note(message: Msg) -> None:
                arrived[orjson.loads(message.data)["id"]] = time.monotonic()

            js = client.jetstream()
            subscription = await js.subscribe(
                f"{target.subject_prefix}.>", cb=note, ordered_consumer=True,
                deliver_policy=DeliverPolicy.NEW,
            )  # fmt: skip
            committed: dict[str, float] = {}
            for i in range(n):
                event = record(i)
                async with engine.begin() as conn:
                    await write_records(conn, [event])
                committed[str(event.event_id)] = time.monotonic()
                await asyncio.sleep(0.005)
            await drained(engine)
            await asyncio.sleep(0.5)
            await subscription.unsubscribe()
    finally:
        await client.close()
    return [arrived[key] - at for key, at in committed.items() if key in arrived]


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def run(args: argparse.Namespace, url: str, nats_url: str) -> None:
    engine = engine_for(url, pool_size=2)
    try:
        await upgrade(engine)
        for count in (1, 2):
            target = StreamTarget(url=nats_url, stream=f"BENCH_{uuid.uuid4().hex[:8]}",
                                  subject_prefix=f"bench_{uuid.uuid4().hex[:8]}")  # fmt: skip
            try:
                rate = await throughput(engine, url, target, n=args.events, count=count)
            finally:
                await drop_stream(target)
            print(f"{count} relay(s): {args.events} events in one commit, {rate:,.0f} events/s")
        target = StreamTarget(url=nats_url, stream=f"BENCH_{uuid.uuid4().hex[:8]}",
                              subject_prefix=f"bench_{uuid.uuid4().hex[:8]}")  # fmt: skip
        try:
            seen = await delays(engine, url, target, args.latency_events)
        finally:
            await drop_stream(target)
        ms = sorted(delay * 1000 for delay in seen)
        print(f"commit to delivery, {len(ms)} of {args.latency_events} events, one per commit: "
              f"p50 {percentile(ms, 50):.1f} ms, p99 {percentile(ms, 99):.1f} ms, "
              f"max {ms[-1]:.1f} ms")  # fmt: skip
    finally:
        await engine.dispose()


@contextmanager
def nats_server() -> Iterator[str]:
    if os.environ.get("CATALOG_TEST_NATS_URL"):
        yield os.environ["CATALOG_TEST_NATS_URL"]
    elif has_jetstream(LOCAL_URL):
        yield LOCAL_URL
    else:
        server = PrivateNats()
        server.start()
        try:
            yield server.url
        finally:
            server.remove()


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--latency-events", type=int, default=1_000)
    args = parser.parse_args(argv)
    with provision() as server, nats_server() as nats_url:
        url = server.create_database(prefix="catalog_bench_relay")
        try:
            asyncio.run(run(args, url, nats_url))
        finally:
            server.drop_database(url)


if __name__ == "__main__":
    main(sys.argv[1:])
