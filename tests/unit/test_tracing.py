"""Traces: off unless the OTEL_* settings ask, spans and the trace context through the outbox,
with the SDK's in-memory exporter. (A fresh process: tests/e2e/test_tracing_start_up.py.)"""

from dataclasses import replace
from datetime import UTC, datetime

import orjson
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from adapters import tracing
from adapters.nats.cloudevents import encode
from application.outbox import OutboxRecord, outbox_record
from domain.events import ItemCreated
from entrypoints.tracing import wanted
from tests.support.tracing import named

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
TRACEPARENT = f"00-{TRACE_ID}-b7ad6b7169203331-01"


@pytest.mark.parametrize(
    ("env", "on"),
    [
        ({}, False),
        ({"OTEL_SERVICE_NAME": "catalog", "OTEL_TRACES_SAMPLER": "always_on"}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://127.0.0.1:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://x"}, False),
    ],
)
def test_traces_are_on_only_when_the_standard_settings_ask(env: dict[str, str], on: bool) -> None:
    assert wanted(env) is on


def _record() -> OutboxRecord:
    return outbox_record(ItemCreated(item_id=7, owner_id=3), occurred_at=datetime.now(UTC))


def test_while_off_records_keep_no_trace_context() -> None:
    assert tracing.stamp([_record()])[0].trace_context == {}
    assert "traceparent" not in orjson.loads(encode(_record(), source="/catalog"))


def test_a_record_keeps_the_trace_context_of_the_span_that_wrote_it(
    spans: InMemorySpanExporter,
) -> None:
    with tracing.span("items.CreateItem"):
        [record] = tracing.stamp([_record()])
        current = trace.get_current_span().get_span_context()
    assert tracing.trace_id_of(record.trace_context) == format(current.trace_id, "032x")
    assert record.trace_context["traceparent"].split("-")[2] == format(current.span_id, "016x")
    event = orjson.loads(encode(record, source="/catalog"))
    assert event["traceparent"] == record.trace_context["traceparent"]  # CloudEvents extension


def test_the_publish_span_continues_and_links_the_writers_trace(
    spans: InMemorySpanExporter,
) -> None:
    context = {"traceparent": TRACEPARENT, "tracestate": "vendor=1"}
    record = replace(_record(), trace_context=context)
    with tracing.publish_span(record, destination="catalog.item.created"):
        pass
    sent = named(spans, "send catalog.item.created")
    assert sent.kind is SpanKind.PRODUCER
    assert format(sent.context.trace_id, "032x") == TRACE_ID
    assert sent.parent is not None
    assert format(sent.parent.span_id, "016x") == "b7ad6b7169203331"
    [link] = sent.links
    assert format(link.context.trace_id, "032x") == TRACE_ID
    assert sent.attributes is not None
    assert sent.attributes["messaging.message.id"] == str(record.event_id)


def test_trace_ids_are_read_from_well_formed_traceparents_only() -> None:
    assert tracing.trace_id_of({"traceparent": TRACEPARENT}) == TRACE_ID
    assert tracing.trace_id_of({"traceparent": "garbage"}) is None
    assert tracing.trace_id_of({}) is None
