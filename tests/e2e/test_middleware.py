"""The pure ASGI middleware and the logging set-up, around a tiny app that echoes what it got."""

import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
import structlog
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from entrypoints.http.middleware import install_middleware
from entrypoints.logging import configure_logging
from entrypoints.settings import Settings

LIMIT = 1024


async def echo(request: Request) -> JSONResponse:
    body = await request.body()
    structlog.get_logger("test").info("echoed", size=len(body), password="hunter2hunter2")
    return JSONResponse({"path": request.url.path, "size": len(body)})


async def boom(request: Request) -> JSONResponse:
    raise RuntimeError("internals")


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = Starlette(routes=[Route("/echo", echo, methods=["GET", "POST"]), Route("/boom", boom)])
    install_middleware(app, max_body_bytes=LIMIT)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


async def chunks(count: int, size: int = 300) -> AsyncIterator[bytes]:
    for _ in range(count):
        yield b"x" * size


async def test_a_declared_length_over_the_limit_is_refused_before_the_app_runs(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/echo", content=b"x" * (LIMIT + 1))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 413
    assert response.json()["instance"] == "/echo"
    assert response.headers["x-request-id"]


async def test_a_streamed_body_is_refused_once_it_passes_the_limit(
    client: httpx.AsyncClient,
) -> None:
    response = await client.post("/echo", content=chunks(4))  # chunked: no Content-Length
    assert response.status_code == 413
    assert response.json()["title"] == "Content Too Large"


async def test_bodies_within_the_limit_pass_whole(client: httpx.AsyncClient) -> None:
    streamed = await client.post("/echo", content=chunks(3))
    declared = await client.post("/echo", content=b"y" * LIMIT)
    assert (streamed.status_code, streamed.json()["size"]) == (200, 900)
    assert (declared.status_code, declared.json()["size"]) == (200, LIMIT)


async def test_a_trailing_slash_is_served_directly(client: httpx.AsyncClient) -> None:
    response = await client.get("/echo/")
    assert response.status_code == 200
    assert response.json()["path"] == "/echo"


@pytest.mark.parametrize(
    ("given", "kept"),
    [("req-42.a:b_c", True), ("has space", False), ("x" * 129, False), ("ünï", False)],
)
async def test_a_sane_request_id_is_kept_and_any_other_replaced(
    client: httpx.AsyncClient, given: str, kept: bool
) -> None:
    response = await client.get("/echo", headers=[(b"x-request-id", given.encode())])
    returned = response.headers["x-request-id"]
    assert (returned == given) is kept
    assert kept or re.fullmatch(r"[0-9a-f]{32}", returned)


async def test_json_logs_carry_the_request_id_and_mask_secrets(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(Settings(_env_file=None, log_format="json", log_level="INFO"))
    await client.get("/echo", headers={"X-Request-ID": "trace-me"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    mine = [line for line in lines if line.get("request_id") == "trace-me"]
    assert [line["event"] for line in mine] == ["echoed", "request"]
    assert mine[0]["password"] == "***"
    assert {"method": "GET", "path": "/echo", "status": 200}.items() <= mine[1].items()
    assert mine[1]["duration_ms"] >= 0


async def test_an_exception_is_a_500_problem_with_the_request_id_and_one_log_line(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(Settings(_env_file=None, log_format="json", log_level="INFO"))
    response = await client.get("/boom", headers={"X-Request-ID": "trace-boom"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "trace-boom"
    assert "internals" not in response.text
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    mine = [line for line in lines if line.get("request_id") == "trace-boom"]
    assert [line["event"] for line in mine] == ["unhandled error", "request"]
    assert "RuntimeError: internals" in mine[0]["exception"]
    assert mine[1]["status"] == 500


async def test_console_logs_are_for_people(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging(Settings(_env_file=None, log_format="console", log_level="WARNING"))
    structlog.get_logger("test").warning("careful", token="abc.def.ghi")
    await client.get("/echo")  # INFO: below the level, not written
    err = capsys.readouterr().err
    assert "careful" in err
    assert "abc.def.ghi" not in err
    assert "echoed" not in err
    assert not err.lstrip().startswith("{")
