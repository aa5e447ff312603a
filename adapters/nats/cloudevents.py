"""Outbox records as CloudEvents 1.0 (structured JSON mode) on subjects
`<prefix>.<aggregate>.<event>`, e.g. `catalog.item.created`."""

from typing import Any

import orjson

from application.outbox import OutboxRecord

SPEC_VERSION = "1.0"
TYPE_PREFIX = "catalog"  # the event type does not follow the subject prefix: it is the contract
TYPE_VERSION = "v1"
CONTENT_TYPE = "application/cloudevents+json"


def subject(record: OutboxRecord, *, prefix: str) -> str:
    return f"{prefix}.{record.type}"


def cloudevent(record: OutboxRecord, *, source: str) -> dict[str, Any]:
    """The event; with the trace context of the request that wrote it as the CloudEvents
    distributed-tracing extension (`traceparent`, `tracestate`) when it was traced."""
    return {
        "specversion": SPEC_VERSION,
        "id": str(record.event_id),
        "source": source,
        "type": f"{TYPE_PREFIX}.{record.type}.{TYPE_VERSION}",  # catalog.item.created.v1
        "subject": f"{record.aggregate_type}/{record.aggregate_id}",
        "time": record.occurred_at.isoformat(),
        "datacontenttype": "application/json",
        "data": record.payload,
        **record.trace_context,
    }


def encode(record: OutboxRecord, *, source: str) -> bytes:
    return orjson.dumps(cloudevent(record, source=source))
