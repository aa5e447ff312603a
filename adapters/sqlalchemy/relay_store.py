"""The relay's side of the outbox on SQLAlchemy: claim, mark, purge, measure.

Claiming is `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL; SQLite, one writer at a time,
ignores it and supports one relay), oldest first. SKIP LOCKED alone could reorder an
aggregate across relays: relay A holds an item's first event while relay B, skipping it,
claims the item's second. So after claiming, a relay holds back every aggregate that
still has an older pending event outside its batch (held by another relay, or committed
late): that relay publishes first, and the held-back events come in a later round. It
costs one indexed query per batch and no lock beyond the rows themselves; advisory locks
per aggregate would need the same check anyway, since taking one says nothing about
events another relay already published.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Row, and_, delete, func, select, tuple_, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.tables import outbox
from application.outbox import Backlog, Claim, OutboxRecord, OutboxUnavailable, PendingEvent
from application.ports import Clock

_PENDING = and_(outbox.c.published_at.is_(None), outbox.c.parked_at.is_(None))
_AGGREGATE = tuple_(outbox.c.aggregate_type, outbox.c.aggregate_id)
_ERROR_CHARS = 1000
# A relay never stops on a database error: it pauses, says why, and tries again.
_UNAVAILABLE = (OSError, TimeoutError, DBAPIError, PoolTimeout)


def _claim(limit: int) -> Any:
    return (
        select(outbox)
        .where(_PENDING)
        .order_by(outbox.c.sequence)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


def _event(row: Row[Any]) -> PendingEvent:
    record = OutboxRecord(
        event_id=row.event_id,
        type=row.type,
        aggregate_type=row.aggregate_type,
        aggregate_id=row.aggregate_id,
        payload=row.payload,
        occurred_at=row.occurred_at,
        trace_context=row.trace_context or {},
    )
    return PendingEvent(row.sequence, record)


class SqlAlchemyOutboxStore:
    """Takes its connections from the process's one pool, through its gate (database.py)."""

    def __init__(self, database: Database, *, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    @asynccontextmanager
    async def claim(self, limit: int) -> AsyncIterator[Claim]:
        async with self._transaction() as conn:
            rows = (await conn.execute(_claim(limit))).all()
            claim = Claim(await _in_turn(conn, [_event(row) for row in rows]))
            yield claim
            await self._mark(conn, claim)

    async def _mark(self, conn: AsyncConnection, claim: Claim) -> None:
        now = self._clock.now()
        if claim.done:
            published = update(outbox).where(outbox.c.sequence.in_(claim.done))
            await conn.execute(published.values(published_at=now))
        for sequence, reason in claim.set_aside.items():
            parked = update(outbox).where(outbox.c.sequence == sequence)
            await conn.execute(parked.values(parked_at=now, last_error=reason[:_ERROR_CHARS]))

    async def purge(self, *, published_before: datetime) -> int:
        async with self._transaction() as conn:
            result = await conn.execute(
                delete(outbox).where(outbox.c.published_at < published_before)
            )
            return int(result.rowcount)

    async def backlog(self) -> Backlog:
        pending = select(func.count(), func.min(outbox.c.occurred_at)).where(_PENDING)
        parked = select(func.count()).where(outbox.c.parked_at.is_not(None))
        async with self._transaction() as conn:
            count, oldest = (await conn.execute(pending)).one()
            return Backlog(pending=count, oldest=oldest, parked=(await conn.scalar(parked)) or 0)

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncConnection]:
        try:
            async with self._database.connection() as conn, conn.begin():
                yield conn
        except _UNAVAILABLE as error:
            reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise OutboxUnavailable(f"database: {type(error).__name__} {reason}") from error


async def _in_turn(conn: AsyncConnection, events: list[PendingEvent]) -> list[PendingEvent]:
    """The claimed events minus those of aggregates with an older pending event outside
    the claim (see the module docstring)."""
    if not events:
        return events
    mine = [event.sequence for event in events]
    aggregates = {(e.record.aggregate_type, e.record.aggregate_id) for e in events}
    older_elsewhere = (
        select(outbox.c.aggregate_type, outbox.c.aggregate_id, func.min(outbox.c.sequence))
        .where(_PENDING, outbox.c.sequence < max(mine), outbox.c.sequence.not_in(mine))
        .where(_AGGREGATE.in_(list(aggregates)))
        .group_by(outbox.c.aggregate_type, outbox.c.aggregate_id)
    )
    first_elsewhere = {(t, i): s for t, i, s in (await conn.execute(older_elsewhere)).all()}
    return [
        event
        for event in events
        if event.sequence
        < first_elsewhere.get((event.record.aggregate_type, event.record.aggregate_id), 2**63)
    ]
