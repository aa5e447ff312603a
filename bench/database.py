"""Provision the benchmark database: create it, seed it fast with COPY, drop it.

    python -m bench.database create NAME   # a fresh, empty database on the server
    python -m bench.database seed URL      # 1,000 users and 100,000 items (schema exists)
    python -m bench.database drop NAME

The server is `BENCH_PG_ADMIN_URL` (default: the local PostgreSQL, user postgres).
Every user has the password `BENCH_PASSWORD`: it is hashed once (argon2id, OWASP
parameters, as Catalog hashes) and the hash is reused, so seeding takes seconds.
User 1 (the one the load generator logs in as) owns items 1..OWNED_BY_BENCH_USER, so
PATCH can spread over many rows it may change.
"""

import asyncio
import os
import random
import sys
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import asyncpg
from argon2 import PasswordHasher, Type

USERS = 1_000
ITEMS = 100_000
OWNED_BY_BENCH_USER = 20_000
BENCH_EMAIL = "bench-user-1@example.com"
BENCH_PASSWORD = "bench-password-1"  # a throwaway account
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
WORDS = ("lamp", "chair", "table", "kettle", "clock", "mirror", "shelf", "rug", "vase", "desk")


def admin_url() -> str:
    return os.environ.get("BENCH_PG_ADMIN_URL", ADMIN_URL)


async def create(name: str) -> None:
    conn = await asyncpg.connect(admin_url())
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def drop(name: str) -> None:
    conn = await asyncpg.connect(admin_url())
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def users(password_hash: str, now: datetime) -> list[tuple[object, ...]]:
    return [
        (
            n,
            f"Bench User {n}",
            f"bench-user-{n}@example.com",
            password_hash,
            True,
            False,
            now,
            now,
            1,
        )
        for n in range(1, USERS + 1)
    ]


def items(now: datetime, rng: random.Random) -> list[tuple[object, ...]]:
    rows: list[tuple[object, ...]] = []
    for n in range(1, ITEMS + 1):
        owner = 1 if n <= OWNED_BY_BENCH_USER else rng.randint(2, USERS)
        name = f"{rng.choice(WORDS)} {n}"
        description = f"A {name} for the benchmark." if n % 4 else None
        price = Decimal(rng.randint(0, 999_999)).scaleb(-2)
        created = now - timedelta(seconds=ITEMS - n)
        rows.append((n, owner, name, description, price, created, created, 1))
    return rows


async def seed(url: str) -> None:
    password_hash = PasswordHasher(memory_cost=19 * 1024, time_cost=2, type=Type.ID).hash(
        BENCH_PASSWORD
    )
    now, rng = datetime.now(UTC), random.Random(5)
    conn = await asyncpg.connect(url)
    try:
        async with conn.transaction():
            await conn.copy_records_to_table(
                "users",
                records=users(password_hash, now),
                columns=[
                    "id", "name", "email", "password_hash", "is_active", "is_admin",
                    "created_at", "updated_at", "version",
                ],
            )  # fmt: skip
            await conn.copy_records_to_table(
                "items",
                records=items(now, rng),
                columns=[
                    "id", "owner_id", "name", "description", "price",
                    "created_at", "updated_at", "version",
                ],
            )  # fmt: skip
            await conn.execute(
                "SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))"
            )
            await conn.execute(
                "SELECT setval(pg_get_serial_sequence('items', 'id'), (SELECT max(id) FROM items))"
            )
        await conn.execute("VACUUM ANALYZE")
    finally:
        await conn.close()


async def reset(url: str) -> None:
    """Removes the items the POST scenario made, so every app meets the same table."""
    conn = await asyncpg.connect(url)
    try:
        await conn.execute("DELETE FROM items WHERE id > $1", ITEMS)
    finally:
        await conn.close()


def main(argv: list[str]) -> None:
    commands = {"create": create, "drop": drop, "seed": seed, "reset": reset}
    if len(argv) != 2 or argv[0] not in commands:
        sys.exit("usage: python -m bench.database {create|drop|seed|reset} NAME-OR-URL")
    asyncio.run(commands[argv[0]](argv[1]))


if __name__ == "__main__":
    main(sys.argv[1:])
