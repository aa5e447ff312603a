"""In-process micro-benchmark: what tracing costs per request.

    .venv/bin/python -m bench.micro_tracing [--processes N]

The whole app (memory backend, every middleware) driven straight through ASGI, as
bench/micro_metrics.py does, on `GET /items/{id}` and `GET /items`: with the OTEL_*
settings unset, and with tracing on at a 10% and a 100% sample rate (OTLP to a sink that
discards), each in fresh processes, alternated. Prints the median CPU microseconds per
request of each. The memory backend has no SQL: the statement spans are not in these.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys

from bench.micro_metrics import _app, _request, _round, _seed
from bench.otlp_sink import TRACED_ENV, start_sink

PATHS = ("/items/1", "/items")
VARIANTS = {
    "off": {},
    "10%": TRACED_ENV,
    "100%": {**TRACED_ENV, "OTEL_TRACES_SAMPLER_ARG": "1.0"},
}


async def one(requests: int, rounds: int) -> dict[str, float]:
    app = _app(metrics=True)
    async with app.router.lifespan_context(app):
        await _seed(app)
        assert await _request(app, "/items/1") == 200
        await _round(app, "/items", requests)  # warm up
        timings: dict[str, list[float]] = {path: [] for path in PATHS}
        for _ in range(rounds):
            for path in PATHS:
                timings[path].append(await _round(app, path, requests))
    return {path: statistics.median(times) for path, times in timings.items()}


def main(processes: int) -> None:
    sink = start_sink()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "CATALOG_"))}
    results: dict[str, list[dict[str, float]]] = {name: [] for name in VARIANTS}
    for _ in range(processes):
        for name, env in VARIANTS.items():
            argv = [sys.executable, "-m", "bench.micro_tracing", "--one"]
            run = subprocess.run(argv, env=clean | env, check=True, capture_output=True, text=True)
            results[name].append(json.loads(run.stdout.splitlines()[-1]))
    sink.shutdown()
    for path in PATHS:
        off = statistics.median(r[path] for r in results["off"])
        line = f"GET {path:<9} off {off:6.1f} us/req"
        for name in ("10%", "100%"):
            on = statistics.median(r[path] for r in results[name])
            line += f"   {name} {on:6.1f} us/req ({(on / off - 1) * 100:+.1f}%)"
        print(line)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(asyncio.run(one(requests=300, rounds=15))))
    else:
        main(args.processes)
