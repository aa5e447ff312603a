"""In-process micro-benchmark: the cost of the metrics middleware per request.

    .venv/bin/python -m bench.micro_metrics [--requests N] [--rounds R]

Drives the whole app (memory backend, every middleware) straight through ASGI, with no
server and no client library in the way, on `GET /items/{id}`, `GET /items` and
`GET /health/live`: once as built, once with the metrics middleware taken out, in
interleaved rounds. Prints the median CPU microseconds per request of each and the
difference.
"""

import argparse
import asyncio
import statistics
import time
from decimal import Decimal

from fastapi import FastAPI
from starlette.types import Message

from application.items import CreateItemCommand
from application.users import RegisterUserCommand
from entrypoints.http.app import create_app
from entrypoints.http.middleware.metrics import MetricsMiddleware
from entrypoints.settings import Settings

PATHS = ("/items/1", "/items", "/health/live")


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
    services = app.state.services
    user = await services.register_user(
        RegisterUserCommand(name="Bench", email="bench@example.com", password="bench password")
    )
    for n in range(20):
        command = CreateItemCommand(actor_id=user.id, name=f"item {n}", price=Decimal("9.99"))
        await services.create_item(command)


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


async def main(requests: int, rounds: int) -> None:
    apps = {"with metrics": _app(metrics=True), "without": _app(metrics=False)}
    async with (
        apps["with metrics"].router.lifespan_context(apps["with metrics"]),
        apps["without"].router.lifespan_context(apps["without"]),
    ):
        for app in apps.values():
            await _seed(app)
            assert await _request(app, "/items/1") == 200
        for path in PATHS:
            timings: dict[str, list[float]] = {name: [] for name in apps}
            for n in range(rounds):
                order = list(apps.items())  # interleaved, each first in turn: drift hits both
                for name, app in order if n % 2 else order[::-1]:
                    timings[name].append(await _round(app, path, requests))
            with_, without = (statistics.median(timings[n]) for n in apps)
            print(
                f"GET {path:<13} with metrics {with_:7.1f} us/req   without {without:7.1f} us/req"
                f"   difference {with_ - without:+6.1f} us ({(with_ / without - 1) * 100:+.1f}%)"
            )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=31)
    args = parser.parse_args()
    asyncio.run(main(args.requests, args.rounds))
