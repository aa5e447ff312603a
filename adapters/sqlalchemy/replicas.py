"""Reads on streaming replicas, with read-your-writes (SPEC §6).

Each replica has its own `Database` (engine, bounded pool, gate). A background sampler
asks the primary for its WAL position and each replica for the position it has replayed,
every `interval` seconds; choosing a replica for a read then costs no round trip.

A replica is used for a read when it answered the last sample, and:
- the read carries a consistency token (application/consistency.py): it has replayed
  past the token's position;
- it does not: its lag is within `max_lag`. The lag is how long ago the primary was at a
  position the replica has replayed (the primary's samples are kept for that), so it is
  an upper bound on staleness, and an idle primary shows no lag.
Otherwise the read goes to the primary, as does a read whose replica fails it.
"""

import asyncio
import bisect
import itertools
import time
from collections import deque
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.rows import Row, RowSource
from application.consistency import wanted_position
from application.storage import StorageUnavailable

_PRIMARY = text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
_REPLAYED = text("SELECT pg_last_wal_replay_lsn() - '0/0'::pg_lsn")
# A connection for a sample: `engine.connect` on the primary (beside its gate: one short
# query each interval), `database.connection` on a replica.
Connect = Callable[[], AbstractAsyncContextManager[AsyncConnection]]
_HISTORY = 600  # primary samples kept: a minute at the default interval


@dataclass(slots=True)
class Replica:
    name: str
    database: Database
    rows: RowSource
    replayed: int | None = None  # None: did not answer the last sample
    lag: float = float("inf")
    left_out: dict[str, int] = field(default_factory=dict)  # cause -> count

    def leave_out(self, cause: str) -> None:
        self.left_out[cause] = self.left_out.get(cause, 0) + 1


class ReplicaSet:
    def __init__(
        self,
        primary: Connect,
        replicas: Sequence[Replica],
        *,
        max_lag: float,
        interval: float = 0.1,
        timeout: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.replicas = list(replicas)
        self._max_lag = max_lag
        self._interval = interval
        self._timeout = timeout
        self._clock = clock
        self._history: deque[tuple[int, float]] = deque(maxlen=_HISTORY)  # (position, at)
        self._turn = itertools.count()

    def choose(self, wanted: int | None) -> Replica | None:
        """A usable replica, in turn; None: read on the primary."""
        usable = [r for r in self.replicas if self._usable(r, wanted)]
        if not usable:
            return None
        return usable[next(self._turn) % len(usable)]

    def _usable(self, replica: Replica, wanted: int | None) -> bool:
        if replica.replayed is None:
            return False
        if wanted is not None:
            return replica.replayed >= wanted
        return replica.lag <= self._max_lag

    async def run(self) -> None:
        """Samples until cancelled."""
        while True:
            await self.sample()
            await asyncio.sleep(self._interval)

    async def sample(self) -> None:
        position = await self._position(self.primary)
        if position is not None:
            self._history.append((position, self._clock()))
        await asyncio.gather(*(self._sample(r) for r in self.replicas))

    async def _sample(self, replica: Replica) -> None:
        replica.replayed = await self._position(replica.database.connection, _REPLAYED)
        if replica.replayed is None:
            replica.lag = float("inf")
            replica.leave_out("down")
            return
        replica.lag = self._lag(replica.replayed)
        if replica.lag > self._max_lag:
            replica.leave_out("lagging")

    def _lag(self, replayed: int) -> float:
        """Seconds since the primary was last at a position `replayed` covers."""
        positions = [p for p, _ in self._history]
        index = bisect.bisect_right(positions, replayed)  # positions only grow
        if index == 0:
            return float("inf")
        if index == len(positions):
            return 0.0
        return self._clock() - self._history[index - 1][1]

    async def _position(self, connect: Connect, query: Any = _PRIMARY) -> int | None:
        try:
            async with asyncio.timeout(self._timeout), connect() as conn:
                value = (await conn.execute(query)).scalar()
        except Exception:  # down, frozen past the timeout, not a PostgreSQL server
            return None
        return None if value is None else int(value)


class RoutedRows:
    """A `RowSource` that reads on a replica when one is usable, else on the primary."""

    def __init__(self, primary: RowSource, replicas: ReplicaSet) -> None:
        self._primary = primary
        self._replicas = replicas
        self.reads: dict[str, int] = {"primary": 0, "replica": 0}

    async def one(self, stmt: Select[Any], params: dict[str, Any]) -> Row | None:
        row: Row | None = await self._read("one", stmt, params)
        return row

    async def all(self, stmt: Select[Any], params: dict[str, Any]) -> Sequence[Row]:
        rows: Sequence[Row] = await self._read("all", stmt, params)
        return rows

    async def _read(self, how: str, stmt: Select[Any], params: dict[str, Any]) -> Any:
        replica = self._replicas.choose(wanted_position())
        if replica is not None:
            try:
                found = await getattr(replica.rows, how)(stmt, params)
            except StorageUnavailable:
                self._failed(replica)
            else:
                self.reads["replica"] += 1
                return found
        self.reads["primary"] += 1
        return await getattr(self._primary, how)(stmt, params)

    def _failed(self, replica: Replica) -> None:
        replica.replayed = None  # until the next sample answers
        replica.leave_out("failed")
