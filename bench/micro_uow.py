"""In-process micro-benchmark: get an item by id through the unit of work and repository,
against the same query on a bare asyncpg connection (the ceiling), on PostgreSQL.

    .venv/bin/python -m bench.micro_uow [--iterations N]

Uses BENCH_PG_ADMIN_URL (default: the local server, user postgres) to create and drop a
scratch database. Prints each variant's rate, its ratio to the bare driver, and its round
trips per unit of work, counted on the wire by a proxy (tests/support/wire.py).
"""

import argparse
import asyncio
import os
import random
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from decimal import Decimal

import asyncpg
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from adapters.backends import open_backend
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.reads import CoreReader
from adapters.sqlalchemy.repositories import _GET_ITEM, SqlAlchemyItemRepository
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from tests.support.data import new_item, new_user
from tests.support.wire import RoundTripCounter

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ITEMS = 1_000
ROUNDS = 5
BARE_SQL = (
    "SELECT id, owner_id, name, description, price, created_at, updated_at, version"
    " FROM items WHERE id = $1"
)
Variant = Callable[[int], Awaitable[object]]


async def _seed(url: str) -> None:
    backend = open_backend(url)
    try:
        await backend.migrate()
        async with backend.uow() as tx:
            owner = await tx.users.add(new_user())
            for n in range(ITEMS):
                await tx.items.add(new_item(owner.id, price=str(Decimal(n) / 100)))
            await tx.commit()
    finally:
        await backend.dispose()


async def _bare(url: URL) -> asyncpg.Connection:
    plain = url.set(drivername="postgresql", query={}).render_as_string(hide_password=False)
    return await asyncpg.connect(plain, ssl=False)


async def _rates(variants: dict[str, Variant], *, iterations: int) -> dict[str, float]:
    """Calls per second of each variant: the median of ROUNDS interleaved rounds, so that
    noise from other processes falls on every variant alike."""
    ids = [random.randint(1, ITEMS) for _ in range(iterations // ROUNDS)]
    samples: dict[str, list[float]] = {label: [] for label in variants}
    for get in variants.values():  # warm up: connect, prepare, fill caches
        for key in ids[:200]:
            await get(key)
    for _ in range(ROUNDS):
        for label, get in variants.items():
            start = time.perf_counter()
            for key in ids:
                await get(key)
            samples[label].append(len(ids) / (time.perf_counter() - start))
    return {label: statistics.median(rates) for label, rates in samples.items()}


def _engines(url: URL) -> tuple[AsyncEngine, AsyncEngine]:
    """The writer and the autocommit reader, as adapters.backends makes them."""
    plain = url.render_as_string(hide_password=False)
    return create_engine(plain, pool_size=1), create_engine(plain, pool_size=1, autocommit=True)


def _variants(
    engines: tuple[AsyncEngine, AsyncEngine], bare: asyncpg.Connection
) -> dict[str, Variant]:
    engine, reader = engines
    uow = SqlAlchemyUnitOfWorkFactory(engine, reader=reader)
    sessions = async_sessionmaker(engine, expire_on_commit=False)

    async def bare_driver(key: int) -> object:
        return await bare.fetchrow(BARE_SQL, key)

    async def read_only_uow(key: int) -> object:
        async with uow(read_only=True) as tx:
            return await tx.items.get(key)

    async def read_only_core(key: int) -> object:
        async with reader.connect() as conn:
            return await SqlAlchemyItemRepository(conn, CoreReader(conn)).get(key)

    async def read_write_uow(key: int) -> object:
        async with uow() as tx:
            return await tx.items.get(key)

    async def async_session(key: int) -> object:
        async with sessions() as session:
            return (await session.execute(_GET_ITEM, {"key": key})).first()

    return {
        "bare asyncpg (ceiling)": bare_driver,
        "UnitOfWork(read_only=True).items.get": read_only_uow,
        "same, through SQLAlchemy Core execute": read_only_core,
        "UnitOfWork().items.get (no commit)": read_write_uow,
        "AsyncSession + same statement": async_session,
    }


async def _round_trips(url: URL, variant: str, *, samples: int = 20) -> dict[str, float]:
    """Round trips per call of `variant`, counted on the wire after a warm-up."""
    counter = RoundTripCounter(host=url.host or "127.0.0.1", port=url.port or 5432)
    port = await counter.start()
    proxied = url.set(host="127.0.0.1", port=port).update_query_dict({"ssl": "disable"})
    engines = _engines(proxied)
    bare = await _bare(proxied)
    try:
        get = _variants(engines, bare)[variant]
        for key in range(1, 6):
            await get(key)
        counter.round_trips.clear()
        for key in range(1, samples + 1):
            await get(key)
        return {kind: n / samples for kind, n in sorted(counter.round_trips.items())}
    finally:
        await bare.close()
        for engine in engines:
            await engine.dispose()
        await counter.close()


async def main(iterations: int) -> None:
    admin = make_url(os.environ.get("BENCH_PG_ADMIN_URL", ADMIN_URL))
    name = f"catalog_micro_{uuid.uuid4().hex[:8]}"
    server = await asyncpg.connect(admin.render_as_string(hide_password=False))
    await server.execute(f'CREATE DATABASE "{name}"')
    url = admin.set(drivername="postgresql+asyncpg", database=name).update_query_dict(
        {"ssl": "disable"}  # as over the proxy; the same for every variant
    )
    try:
        await _seed(url.render_as_string(hide_password=False))
        engines = _engines(url)
        bare = await _bare(url)
        try:
            rates = await _rates(_variants(engines, bare), iterations=iterations)
        finally:
            await bare.close()
            for engine in engines:
                await engine.dispose()
        ceiling = rates["bare asyncpg (ceiling)"]
        print(f"get item by id, {iterations} sequential calls each, one connection")
        print(f"{'variant':40} {'calls/s':>9} {'ratio':>6}  round trips per call (wire)")
        for label, rate in rates.items():
            trips = await _round_trips(url, label)
            detail = ", ".join(f"{kind} {n:g}" for kind, n in trips.items())
            total = sum(trips.values())
            print(f"{label:40} {rate:9.0f} {rate / ceiling:6.2f}  {total:g} ({detail})")
    finally:
        await server.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await server.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=10_000)
    asyncio.run(main(parser.parse_args().iterations))
