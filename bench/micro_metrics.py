"""In-process micro-benchmark: the cost of the metrics middleware per request.

    .venv/bin/python -m bench.micro_metrics [--processes N]

Drives the whole app (memory backend, every middleware) straight through ASGI, with no
server and no client library in the way, on `GET /items/{id}`, `GET /items` and
`GET /health/live`: as built, and with the metrics middleware taken out, each in fresh
processes, alternated. Prints the median CPU microseconds per request of each and the
difference; and first the middleware's own cost, around an app that answers at once.
"""

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import time
from decimal import Decimal

from fastapi import FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.items import CreateItemCommand
from application.registration import RegisterUserCommand
from entrypoints.http.app import create_app
from entrypoints.http.metrics import Metrics
from entrypoints.http.middleware.metrics import MetricsMiddleware
from entrypoints.settings import Settings

PATHS = ("/items/1", "/items", "/health/live")
ROUTE = "/items/{item_id}"


def _app(*, metrics: bool) -> FastAPI:
    settings = Settings(
        _env_file=None, database_url="memory://", log_level="ERROR", jwt_secret="b" * 32
    )
    app = create_app(settings)
    if not metrics:
        kept = [m for m in app.user_middleware if m.cls != MetricsMiddleware]  # type: ignore[comparison-overlap]
        app.user_middleware = kept
    return app


async def _seed(app: FastAPI) -> None:
    container = app.state.container
    written = await container.register_user()(
        RegisterUserCommand(name="Bench", email="bench@example.com", password="bench password")
    )
    user = written.value
    for n in range(20):
        command = CreateItemCommand(actor_id=user.id, name=f"item {n}", price=Decimal("9.99"))
        await container.create_item()(command)


async def _request(app: FastAPI, path: str) -> int:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
    }
    status = 0

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _round(app: FastAPI, path: str, requests: int) -> float:
    started = time.process_time()  # CPU time: other processes on the machine count less
    for _ in range(requests):
        await _request(app, path)
    return (time.process_time() - started) / requests * 1e6


async def one(*, metrics: bool, requests: int, rounds: int) -> dict[str, float]:
    """One process, one app: the median CPU microseconds per request of each path."""
    app = _app(metrics=metrics)
    async with app.router.lifespan_context(app):
        await _seed(app)
        assert await _request(app, "/items/1") == 200
        await _round(app, "/items", requests)  # warm up
        timings: dict[str, list[float]] = {path: [] for path in PATHS}
        for _ in range(rounds):
            for path in PATHS:
                timings[path].append(await _round(app, path, requests))
    return {path: statistics.median(times) for path, times in timings.items()}


async def isolated(calls: int = 20_000, rounds: int = 15) -> tuple[float, float]:
    """The middleware alone: around an app that answers at once, against that app bare
    (interleaved rounds; median CPU microseconds per call of each)."""
    route = next(r for r in _app(metrics=False).routes if getattr(r, "path_format", "") == ROUTE)

    async def answer(scope: Scope, receive: Receive, send: Send) -> None:
        scope["route"] = route  # as the router leaves it
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def nothing(message: Message) -> None:
        return None

    async def calls_of(app: ASGIApp) -> float:
        scope = {"type": "http", "method": "GET", "path": "/items/1"}
        started = time.process_time()
        for _ in range(calls):
            await app(scope, nothing, nothing)  # type: ignore[arg-type]
        return (time.process_time() - started) / calls * 1e6

    wrapped = MetricsMiddleware(answer, metrics=Metrics())
    times: dict[str, list[float]] = {"with": [], "without": []}
    for _ in range(rounds):
        times["with"].append(await calls_of(wrapped))
        times["without"].append(await calls_of(answer))
    return statistics.median(times["with"]), statistics.median(times["without"])


def main(processes: int) -> None:
    """Each variant in fresh processes, alternated (an app built second in one process
    measured up to 9% faster than an identical one built first: no sharing)."""
    results: dict[str, list[dict[str, float]]] = {"with": [], "without": []}
    for _ in range(processes):
        for variant in results:
            argv = [sys.executable, "-m", "bench.micro_metrics", "--one", variant]
            out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
            results[variant].append(json.loads(out))
    with_, without = asyncio.run(isolated())
    print(f"the middleware alone: {with_ - without:.1f} us per request")
    for path in PATHS:
        with_, without = (statistics.median(r[path] for r in results[v]) for v in results)
        print(
            f"GET {path:<13} with metrics {with_:7.1f} us/req   without {without:7.1f} us/req"
            f"   difference {with_ - without:+6.1f} us ({(with_ / without - 1) * 100:+.1f}%)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=6)
    parser.add_argument("--one", choices=["with", "without"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        timings = asyncio.run(one(metrics=args.one == "with", requests=300, rounds=15))
        print(json.dumps(timings))
    else:
        main(args.processes)
