"""In-process micro-benchmark on PostgreSQL: an item read by id through the readers, and
changed through the unit of work (AsyncSession), against the same work on a bare asyncpg
connection (the ceiling), on a bare SQLAlchemy `AsyncConnection`, and with the ORM's
imperative mapping (a mapped copy of the entity: the domain's are frozen, slotted
dataclasses the ORM cannot instrument).

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
from sqlalchemy import bindparam, update
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import registry

from adapters.sqlalchemy.asyncpg_rows import AsyncpgRows
from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.mapping import ITEMS as ITEM_MAPPING
from adapters.sqlalchemy.readers import SqlAlchemyItemReader
from adapters.sqlalchemy.rows import CoreRows
from adapters.sqlalchemy.tables import items
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from domain.items import Item
from tests.support.backends import engine_for, open_backend
from tests.support.data import new_item, new_user
from tests.support.wire import RoundTripCounter

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
ITEMS = 1_000
ROUNDS = 5
BARE_SQL = (
    "SELECT id, owner_id, name, description, price, created_at, updated_at, version"
    " FROM items WHERE id = $1"
)
BARE_UPDATE = "UPDATE items SET name = $2, version = $3 WHERE id = $1 AND version = $4"
CORE_UPDATE = update(items).where(
    items.c.id == bindparam("key"), items.c.version == bindparam("expected")
)
Variant = Callable[[int], Awaitable[object]]


async def _seed(url: str) -> None:
    backend = await open_backend(url)
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


class MappedItem:
    """A mutable copy of the entity, for the imperative-mapping variant only."""

    id: int
    name: str
    version: int


_orm = registry()
_orm.map_imperatively(MappedItem, items, version_id_col=items.c.version)


def _variants(database: Database, bare: asyncpg.Connection) -> dict[str, Variant]:
    engine = database.engine
    uow = SqlAlchemyUnitOfWorkFactory(database)
    driver_reader = SqlAlchemyItemReader(AsyncpgRows(database))
    core_reader = SqlAlchemyItemReader(CoreRows(database))

    async def bare_read(key: int) -> object:
        return await bare.fetchrow(BARE_SQL, key)

    async def bare_write(key: int) -> object:
        async with bare.transaction():
            row = await bare.fetchrow(BARE_SQL, key)
            version = row["version"]
            return await bare.execute(BARE_UPDATE, key, f"n{version}", version + 1, version)

    async def uow_write(key: int) -> object:
        async with uow() as tx:
            item = await tx.items.get(key)
            assert item is not None
            changed = item.change(now=item.updated_at, name=f"n{item.version}")
            await tx.items.update(changed, expected_version=item.version)
            await tx.commit()
        return changed

    async def connection_write(key: int) -> object:
        async with engine.connect() as conn:
            row = (await conn.execute(ITEM_MAPPING.get, {"key": key})).first()
            assert row is not None
            item: Item = ITEM_MAPPING.load(row)
            values = {"name": f"n{item.version}", "version": item.version + 1}
            params = {**values, "key": key, "expected": item.version}
            await conn.execute(CORE_UPDATE, params)
            await conn.commit()
        return item

    async def orm_write(key: int) -> object:
        async with database.sessions() as session:
            mapped = await session.get(MappedItem, key)
            assert mapped is not None
            mapped.name = f"n{mapped.version}"
            await session.commit()  # UPDATE ... WHERE id AND version (version_id_col)
        return mapped

    return {
        "read: bare asyncpg (ceiling)": bare_read,
        "read: ItemReader on the driver": driver_reader.get,
        "read: ItemReader through Core": core_reader.get,
        "write: bare asyncpg (ceiling)": bare_write,
        "write: UnitOfWork on AsyncSession": uow_write,
        "write: same on a bare AsyncConnection": connection_write,
        "write: ORM imperative mapping": orm_write,
    }


def _database(url: URL) -> Database:
    return Database(engine_for(url.render_as_string(hide_password=False), pool_size=1))


async def _round_trips(url: URL, variant: str, *, samples: int = 20) -> dict[str, float]:
    """Round trips per call of `variant`, counted on the wire after a warm-up."""
    counter = RoundTripCounter(host=url.host or "127.0.0.1", port=url.port or 5432)
    port = await counter.start()
    proxied = url.set(host="127.0.0.1", port=port).update_query_dict({"ssl": "disable"})
    database = _database(proxied)
    bare = await _bare(proxied)
    try:
        get = _variants(database, bare)[variant]
        for key in range(1, 6):
            await get(key)
        counter.round_trips.clear()
        for key in range(1, samples + 1):
            await get(key)
        return {kind: n / samples for kind, n in sorted(counter.round_trips.items())}
    finally:
        await bare.close()
        await database.dispose()
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
        database = _database(url)
        bare = await _bare(url)
        try:
            rates = await _rates(_variants(database, bare), iterations=iterations)
        finally:
            await bare.close()
            await database.dispose()
        print(f"an item by id: read it, or read and change it; {iterations} calls each")
        print(f"{'variant':40} {'calls/s':>9} {'ratio':>6}  round trips per call (wire)")
        for label, rate in rates.items():
            ceiling = rates[label.split(":")[0] + ": bare asyncpg (ceiling)"]
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
