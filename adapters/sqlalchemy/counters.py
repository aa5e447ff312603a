"""A `limits` storage in the database: the login throttle's counts, shared by every
process that serves the database, with no server besides it.

One row per counter (`login_failures`): its hits and the instant (epoch seconds) its
window ends. An increment is one upsert that starts a new window when the old one has
ended; each new window sweeps away some ended ones. Only the fixed-window strategy is supported.
"""

import hashlib
import time

from limits.aio.storage import Storage
from sqlalchemy import case, delete, func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.sqlalchemy.dialect import insert_for
from adapters.sqlalchemy.faults import translating
from adapters.sqlalchemy.tables import login_failures

_row = login_failures.c
SWEEP_BATCH = 500
KEY_MAX = 512  # what the column holds (login_failures.key); longer keys count by digest


def _bounded(key: str) -> str:
    if len(key.encode()) <= KEY_MAX:
        return key
    return "sha256:" + hashlib.sha256(key.encode()).hexdigest()


class SqlAlchemyCounterStorage(Storage):
    STORAGE_SCHEME = None  # made from an engine, not from a URL

    def __init__(self, engine: AsyncEngine) -> None:
        super().__init__()
        self._engine = engine
        self._insert = insert_for(engine.dialect.name)

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    @translating
    async def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        key = _bounded(key)
        now = time.time()
        ended = _row.expires_at <= now
        new = self._insert(login_failures).values(key=key, hits=amount, expires_at=now + expiry)
        upsert = new.on_conflict_do_update(
            index_elements=[_row.key],
            set_={
                "hits": case((ended, amount), else_=_row.hits + amount),
                "expires_at": case((ended, now + expiry), else_=_row.expires_at),
            },
        ).returning(_row.hits)
        async with self._engine.begin() as connection:
            hits: int = (await connection.execute(upsert)).scalar_one()
        if hits == amount:  # a new window: sweep the ended ones, in a transaction of its own
            await self._sweep(now)
        return hits

    async def _sweep(self, now: float) -> None:
        """Deletes ended windows that no other transaction holds (none waits on another)."""
        ended = (
            select(_row.key)
            .where(_row.expires_at <= now)
            .limit(SWEEP_BATCH)
            .with_for_update(skip_locked=True)
        )
        async with self._engine.begin() as connection:
            await connection.execute(delete(login_failures).where(_row.key.in_(ended)))

    @translating
    async def get(self, key: str) -> int:
        key = _bounded(key)
        query = select(_row.hits).where(_row.key == key, _row.expires_at > time.time())
        async with self._engine.connect() as connection:
            hits: int | None = (await connection.execute(query)).scalar_one_or_none()
        return hits or 0

    @translating
    async def get_expiry(self, key: str) -> float:
        key = _bounded(key)
        now = time.time()
        query = select(_row.expires_at).where(_row.key == key, _row.expires_at > now)
        async with self._engine.connect() as connection:
            ends: float | None = (await connection.execute(query)).scalar_one_or_none()
        return now if ends is None else ends

    async def check(self) -> bool:
        async with self._engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return True

    async def reset(self) -> int | None:
        async with self._engine.begin() as connection:
            count: int = (
                await connection.execute(select(func.count()).select_from(login_failures))
            ).scalar_one()
            await connection.execute(delete(login_failures))
        return count

    @translating
    async def clear(self, key: str) -> None:
        key = _bounded(key)
        async with self._engine.begin() as connection:
            await connection.execute(delete(login_failures).where(_row.key == key))
