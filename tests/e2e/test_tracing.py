"""Traces of the app in process, with the SDK's in-memory exporter: a client's
`traceparent` continues into the HTTP, use case and SQL spans, the outbox row keeps the
trace context, and log lines carry the ids."""

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from tests.e2e.api import build_app, serving, settings_for
from tests.support.tracing import named

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{CLIENT_SPAN}-01"


def _hex(span: ReadableSpan) -> tuple[str, str]:
    assert span.context is not None
    return format(span.context.trace_id, "032x"), format(span.context.span_id, "016x")


def _scope(span: ReadableSpan) -> str | None:
    return None if span.instrumentation_scope is None else span.instrumentation_scope.name


async def test_a_client_traceparent_continues_through_http_use_case_sql_and_outbox(
    spans: InMemorySpanExporter, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'traced.db'}"
    settings = settings_for(url, nats_url="nats://127.0.0.1:9", log_level="INFO")
    app, container = build_app(settings)
    async with serving(app, container) as api:
        owner = await api.user()
        spans.clear()
        body = {"name": "traced", "price": "1.00"}
        headers = {**owner.auth, "traceparent": TRACEPARENT}
        response = await api.client.post("/items", json=body, headers=headers)
        assert response.status_code == 201, response.text
    with closing(sqlite3.connect(tmp_path / "traced.db")) as db:
        [(stored,)] = db.execute("SELECT trace_context FROM outbox WHERE type = 'item.created'")
    server = named(spans, "POST /items")
    assert server.kind is SpanKind.SERVER
    assert _hex(server)[0] == TRACE_ID
    assert server.parent is not None
    assert format(server.parent.span_id, "016x") == CLIENT_SPAN
    use_case = named(spans, "items.CreateItem")
    assert use_case.parent is not None
    assert use_case.parent.span_id == server.context.span_id
    statements = [s for s in spans.get_finished_spans() if _scope(s) == "catalog.sql"]
    assert any(s.name.startswith("INSERT") for s in statements), [s.name for s in statements]
    assert {_hex(s)[0] for s in statements} == {TRACE_ID}
    # The outbox row: the use case span's context, in the client's trace.
    assert json.loads(stored)["traceparent"] == f"00-{TRACE_ID}-{_hex(use_case)[1]}-01"
    logged = [line for line in capsys.readouterr().err.splitlines() if TRACE_ID in line]
    assert any('"span_id"' in line for line in logged), logged
