"""GET /metrics: Prometheus text with requests by route template, latency, the pool, 503s
by cause, throttled logins and idempotent replays."""

from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from adapters.relay_metrics import RelayMetrics
from entrypoints.http.metrics import Deferred, Metrics
from entrypoints.http.middleware import install_middleware
from tests.e2e.api import Api, build_app, serving, settings_for
from tests.unit.fakes import unique_email

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


async def scrape(client: httpx.AsyncClient) -> Samples:
    response = await client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return samples(response.text)


async def test_requests_are_counted_by_route_template_method_and_status() -> None:
    async with serving(*build_app(settings_for())) as api:
        for path in ("/items/7", "/items/8", "/items", "/no/such/path", "/items/", "/docs"):
            await api.client.get(path)
        await api.client.delete("/items")
        found = await scrape(api.client)
    requests = "catalog_http_requests_total"
    assert value(found, requests, method="GET", route="/items/{item_id}", status="404") == 2
    assert value(found, requests, method="GET", route="/items", status="200") == 2
    assert value(found, requests, method="GET", route="unmatched", status="404") == 1
    assert value(found, requests, method="DELETE", route="/items", status="405") == 1
    assert value(found, requests, method="GET", route="/docs", status="200") == 1
    latency = "catalog_http_request_duration_seconds_count"
    assert value(found, latency, route="/items/{item_id}") == 2
    assert value(found, "catalog_http_request_duration_seconds_sum", route="/items") > 0
    assert ("catalog_db_pool_connections_in_use", frozenset()) in found
    assert ("catalog_db_pool_waiting", frozenset()) in found


async def test_metrics_are_not_an_operation_of_the_api(api: Api) -> None:
    assert (await api.client.get("/metrics")).status_code == 200
    assert "/metrics" not in (await api.client.get("/openapi.json")).json()["paths"]


async def test_throttled_logins_are_counted() -> None:
    settings = settings_for(login_max_failures_per_account=1)
    async with serving(*build_app(settings)) as api:
        email = unique_email()
        for _ in range(3):
            await api.client.post("/auth/token", data={"username": email, "password": "x"})
        found = await scrape(api.client)
    assert value(found, "catalog_logins_throttled_total") == 2
    assert (
        value(
            found, "catalog_http_requests_total", method="POST", route="/auth/token", status="429"
        )
        == 2
    )


async def unavailable(request: Request) -> Response:
    if "cause" in request.query_params:
        request.state.unavailable_cause = request.query_params["cause"]
    return Response(status_code=503)


async def replayed(request: Request) -> Response:
    request.state.idempotent_replay = True
    return Response(status_code=201)


@pytest.fixture
async def tiny() -> AsyncIterator[tuple[httpx.AsyncClient, Metrics]]:
    """The middleware around routes that answer as part A's handlers do."""
    metrics = Metrics()
    app = Starlette(
        routes=[Route("/down", unavailable), Route("/replay", replayed, methods=["POST"])]
    )
    install_middleware(app, max_body_bytes=1024, metrics=metrics)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client, metrics


async def test_503s_are_counted_by_cause_and_replays_counted(
    tiny: tuple[httpx.AsyncClient, Metrics],
) -> None:
    client, metrics = tiny
    for query in ("?cause=database", "?cause=database", "?cause=pool_timeout", ""):
        await client.get(f"/down{query}")
    await client.post("/replay")
    await client.post("/replay/")
    found = samples(metrics.exposition()[0].decode())
    assert value(found, "catalog_http_unavailable_total", cause="database") == 2
    assert value(found, "catalog_http_unavailable_total", cause="pool_timeout") == 1
    assert value(found, "catalog_http_unavailable_total", cause="other") == 1
    assert value(found, "catalog_idempotent_replays_total") == 2


async def test_the_in_process_relays_metrics_are_on_the_apps_too() -> None:
    metrics = Metrics()
    relay = RelayMetrics()
    metrics.include(Deferred(lambda: relay))
    found = samples(metrics.exposition()[0].decode())
    assert ("catalog_outbox_backlog", frozenset()) in found
