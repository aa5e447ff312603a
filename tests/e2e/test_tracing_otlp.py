"""A traced `catalog serve --relay` on PostgreSQL and NATS exports OTLP/HTTP to a receiver
the test runs: a `POST /items` with a client `traceparent` gives one trace holding the HTTP,
use case, SQL and publish spans, and the CloudEvent on NATS carries that trace."""

from pathlib import Path

import httpx
import orjson

from adapters.nats.publisher import StreamTarget
from tests.e2e.live_server import catalog_env, run_catalog, serving
from tests.integration.outbox import eventually
from tests.support.nats import cloudevents, stream_messages
from tests.support.otlp import Receiver, otlp_receiver

TRACE_ID = "5b8aa5a2d2c872e8321cf37308d69df2"
TRACEPARENT = f"00-{TRACE_ID}-051581bf3cb55c13-01"
SERVER, PRODUCER = 2, 4  # OTLP's SpanKind numbers
PASSWORD = "correct horse battery"


def _env(target: StreamTarget, receiver: Receiver) -> dict[str, str]:
    return {
        "CATALOG_NATS_URL": target.url,
        "CATALOG_EVENTS_STREAM": target.stream,
        "CATALOG_EVENTS_SUBJECT_PREFIX": target.subject_prefix,
        "CATALOG_RELAY_IN_PROCESS": "true",
        "CATALOG_RELAY_POLL_SECONDS": "0.1",
        "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
        "OTEL_SERVICE_NAME": "catalog-e2e",
        "OTEL_BSP_SCHEDULE_DELAY": "100",
    }


async def _token(client: httpx.AsyncClient) -> str:
    user = {"name": "Ada", "email": "ada@example.com", "password": PASSWORD}
    assert (await client.post("/users", json=user)).status_code == 201
    form = {"username": user["email"], "password": PASSWORD}
    token: str = (await client.post("/auth/token", data=form)).json()["access_token"]
    return token


async def test_one_trace_from_the_request_through_the_outbox_to_nats(
    tmp_path: Path, fresh_postgres_url: str, events_target: StreamTarget
) -> None:
    with (
        otlp_receiver() as receiver,
        serving(tmp_path, fresh_postgres_url, **_env(events_target, receiver)) as served,
    ):
        async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as client:
            headers = {"Authorization": f"Bearer {await _token(client)}"}
            headers["traceparent"] = TRACEPARENT
            created = await client.post(
                "/items", json={"name": "n", "price": "2.00"}, headers=headers
            )
            assert created.status_code == 201, created.text

        async def published() -> bool:
            types = [e["type"] for e in cloudevents(await stream_messages(events_target))]
            return "catalog.item.created.v1" in types

        async def exported() -> bool:
            return any(span.kind == PRODUCER for span in receiver.trace(TRACE_ID))

        await eventually(published)
        await eventually(exported)
    [event] = [
        e for e in cloudevents(await stream_messages(events_target)) if "item.created" in e["type"]
    ]
    assert event["traceparent"].split("-")[1] == TRACE_ID
    spans = receiver.trace(TRACE_ID)
    [http] = [span for span in spans if span.kind == SERVER]
    assert http.name == "POST /items"
    assert http.parent_span_id == "051581bf3cb55c13"
    assert any(span.name == "items.CreateItem" for span in spans)
    assert any(span.scope == "catalog.sql" and span.name.startswith("INSERT") for span in spans)
    [send] = [span for span in spans if span.kind == PRODUCER]
    assert send.name == f"send {events_target.subject_prefix}.item.created"
    assert send.links == (TRACE_ID,)
    _tail_shows_the_trace_id(fresh_postgres_url, events_target)


def _tail_shows_the_trace_id(url: str, target: StreamTarget) -> None:
    env = catalog_env(url, **_env(target, Receiver())) | {"OTEL_TRACES_EXPORTER": "none"}
    tail = run_catalog("events", "tail", "--all", "--limit", "2", env=env, timeout=20)
    assert tail.returncode == 0, tail.stderr
    [created] = [orjson.loads(line) for line in tail.stdout.splitlines() if "item.created" in line]
    assert created["trace_id"] == TRACE_ID
