"""A database that is not there answers 503 with Retry-After on every route, never 500.

The outages of a real server (stopped, frozen) are in test_outage.py; here the database is
unreachable from the start, or its pool is full, and the app runs in-process."""

from collections.abc import AsyncGenerator, AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from application.storage import StorageUnavailable
from domain.items import Item
from entrypoints.http.representations import item_body, ndjson_line, ndjson_stream
from tests.e2e.api import BASE_URL, build_app, settings_for
from tests.e2e.problems import problem
from tests.support.data import new_item
from tests.unit.fakes import unique_email

UNREACHABLE = "postgresql+asyncpg://postgres@127.0.0.1:1/catalog"
ROUTES: list[tuple[str, str, dict[str, Any]]] = [
    ("POST", "/users", {"json": {"name": "A", "email": "a@example.com", "password": "p" * 8}}),
    ("POST", "/auth/token", {"data": {"username": "a@example.com", "password": "p" * 8}}),
    ("GET", "/users/me", {}),
    ("GET", "/users", {}),
    ("GET", "/users/1", {}),
    ("PATCH", "/users/1", {"json": {"name": "B"}}),
    ("DELETE", "/users/1", {}),
    ("POST", "/items", {"json": {"name": "thing", "price": "1.00"}}),
    ("GET", "/items", {}),
    ("GET", "/items/export", {}),
    ("GET", "/items/1", {}),
    ("PUT", "/items/1", {"json": {"name": "thing", "price": "2.00"}}),
    ("DELETE", "/items/1", {}),
    ("GET", "/health/ready", {}),
]


class StateProbe:
    """Gives each request a `state` it keeps, as uvicorn does, to read what the app noted."""

    def __init__(self, app: FastAPI) -> None:
        self.app, self.states = app, list[dict[str, Any]]()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope["state"] = {}
            self.states.append(scope["state"])
        await self.app(scope, receive, send)


@asynccontextmanager
async def _client(app: FastAPI) -> AsyncIterator[tuple[httpx.AsyncClient, StateProbe]]:
    probe = StateProbe(app)
    transport = httpx.ASGITransport(app=probe)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client,
    ):
        yield client, probe


async def test_every_route_answers_503_when_the_database_is_unreachable(
    capsys: pytest.CaptureFixture[str],
) -> None:
    app, container = build_app(settings_for(UNREACHABLE, auto_migrate=False, log_level="INFO"))
    async with _client(app) as (client, probe):
        token = container.tokens().issue(1, session_id=1).token
        auth = {"Authorization": f"Bearer {token}"}
        for method, path, kw in ROUTES:
            response = await client.request(method, path, headers=auth, **kw)
            body = problem(response, 503)
            assert body["type"] == "urn:catalog:problem:unavailable", (path, body)
            assert response.headers["retry-after"].isdigit()
            assert probe.states[-1]["unavailable_cause"] == "unreachable", path
    logged = capsys.readouterr()
    assert "Traceback" not in logged.out + logged.err
    assert (logged.out + logged.err).count("database unavailable") == len(ROUTES) - 1


def _sqlite(tmp_path: Path, _: pytest.FixtureRequest) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'pool.db'}"


def _postgresql(_: Path, request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("fresh_postgres_url"))


@pytest.mark.parametrize("url_for", [_sqlite, _postgresql], ids=["sqlite", "postgresql"])
async def test_a_request_that_finds_no_free_connection_in_time_is_a_503(
    url_for: Any, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    settings = settings_for(url_for(tmp_path, request), db_pool_size=1, db_pool_timeout_seconds=0.2)
    app, container = build_app(settings)
    async with _client(app) as (client, probe):
        body = {"name": "A", "email": unique_email(), "password": "p" * 8}
        assert (await client.post("/users", json=body)).status_code == 201
        async with container.uow()() as held:  # the pool's one connection
            await held.users.get(1)
            problem(await client.post("/users", json=body), 503)
        assert probe.states[-1]["unavailable_cause"] == "pool_timeout"
        problem(await client.post("/users", json=body), 409)  # back to normal


async def _rows_then(error: Exception, *items: Item) -> AsyncGenerator[Item]:
    for item in items:
        yield item
    raise error


async def test_a_fault_mid_export_ends_the_stream_after_the_rows_read(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The 200 went out with the first chunk: the rows read so far follow, then the end."""
    first, second = (replace(new_item(owner_id=1), id=n) for n in (1, 2))
    fault = StorageUnavailable("dropped")  # as the reader raises it
    fault.__cause__ = ConnectionResetError(104, "Connection reset by peer")
    rows = _rows_then(fault, second)
    chunks = [chunk async for chunk in ndjson_stream(first, rows)]
    assert b"".join(chunks) == ndjson_line(item_body(first)) + ndjson_line(item_body(second))
    logged = capsys.readouterr()
    assert "database unavailable" in logged.out + logged.err


async def test_any_other_error_mid_export_is_not_swallowed() -> None:
    rows = _rows_then(ValueError("a bug"))
    with pytest.raises(ValueError, match="a bug"):
        _ = [chunk async for chunk in ndjson_stream(new_item(owner_id=1), rows)]
