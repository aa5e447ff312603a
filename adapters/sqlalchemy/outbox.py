"""The unit of work's side of the outbox: its events become rows in its own transaction.

`OutboxWriter` is handed to the unit of work when publishing is configured
(`CATALOG_NATS_URL`); without it nothing is written. On PostgreSQL the table's statement
trigger (migration 0002) notifies `catalog_outbox` in the same transaction, so a listening
relay wakes at commit.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from adapters import tracing
from adapters.sqlalchemy.tables import outbox
from application.outbox import OutboxRecord, outbox_records
from application.ports import Clock
from domain.events import DomainEvent

NOTIFY_CHANNEL = "catalog_outbox"
_INSERT = insert(outbox)


def outbox_row(record: OutboxRecord) -> dict[str, Any]:
    return {
        "event_id": record.event_id,
        "type": record.type,
        "aggregate_type": record.aggregate_type,
        "aggregate_id": record.aggregate_id,
        "payload": record.payload,
        "occurred_at": record.occurred_at,
        "trace_context": record.trace_context or None,
    }


async def write_records(
    connection: AsyncConnection | AsyncSession, records: Sequence[OutboxRecord]
) -> None:
    if records:
        await connection.execute(_INSERT, [outbox_row(record) for record in records])


class OutboxWriter:
    """Stamps the events of a unit of work (an id each, the commit's instant) and
    inserts them, in the order they were recorded."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    async def write(
        self, connection: AsyncConnection | AsyncSession, events: Sequence[DomainEvent]
    ) -> None:
        await write_records(connection, tracing.stamp(outbox_records(events, self._clock)))
