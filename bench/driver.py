"""Drive every app through every scenario with wrk, in interleaved rounds.

    python -m bench.driver --out bench/out [--rounds 3 --duration 8 --warmup 2 ...]

Needs BENCH_DATABASE_URL (plain postgresql://, seeded), CATALOG_DATABASE_URL and
CATALOG_JWT_SECRET in the environment; BENCH_BASELINE=<checkout> adds that checkout's
Catalog as `baseline-1w`. In each round every app in turn (the order rotates
from round to round) is started on its own port, goes through every scenario (a short
warm-up, then one measurement each) and is stopped, so only one app's pool holds database
connections at a time. Every measurement and the medians go to OUT/results.json.
"""

import argparse
import asyncio
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psycopg

from bench import database, shared
from bench.otlp_sink import TRACED_ENV, start_sink

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "lua"
BIN = Path(sys.executable).parent
UVICORN = ["--loop", "uvloop", "--http", "httptools", "--no-access-log", "--workers", "1"]
SCENARIOS = {
    "get": "get_item.lua",
    "list": "list_items.lua",
    "patch": "patch_item.lua",
    "post": "post_item.lua",
}
LIST_PATHS = 2_000
RESET = "DELETE FROM items WHERE id > %s"  # the rows POST added
RESET_OUTBOX = "DELETE FROM outbox"  # the events POST and PATCH wrote (nothing relays them)
# Turns the outbox on in Catalog and the ceiling alike; no relay runs, nothing connects to it.
OUTBOX_URL = "nats://127.0.0.1:4222"


@dataclass
class App:
    name: str
    port: int
    command: list[str]
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    token: str = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def reference(module: str, name: str, port: int) -> App:
    uvicorn = [str(BIN / "uvicorn"), f"bench.{module}:create_app", "--factory"]
    return App(name, port, [*uvicorn, "--host", "127.0.0.1", "--port", str(port), *UVICORN])


def catalog(workers: int, port: int, *, traced: bool = False) -> App:
    """`catalog serve`; `traced`: with OpenTelemetry on, 10% sampled, to a discarding sink."""
    command = [str(BIN / "catalog"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    env = {"CATALOG_AUTO_MIGRATE": "false", "CATALOG_LOG_LEVEL": "WARNING"}
    name = f"catalog-{workers}w" + ("-traced" if traced else "")
    return App(
        name, port, [*command, "--workers", str(workers)], env | (TRACED_ENV if traced else {})
    )


def baseline(tree: str, port: int) -> App:
    """Catalog as an earlier checkout at `tree` has it (BENCH_BASELINE), 1 worker, for a
    before-and-after comparison in the same run: `git worktree add /tmp/base <rev>`."""
    command = [sys.executable, "-m", "entrypoints.cli", "serve", "--port", str(port)]
    env = {"CATALOG_AUTO_MIGRATE": "false", "CATALOG_LOG_LEVEL": "WARNING", "PYTHONPATH": tree}
    return App("baseline-1w", port, command, env)


def all_apps() -> dict[str, App]:
    apps = [
        reference("ceiling", "ceiling", 8101),
        catalog(1, 8102),
        catalog(2, 8103),
        catalog(1, 8107, traced=True),
        reference("tutorial", "tutorial", 8104),
        reference("sync_app", "sync", 8105),
    ]
    tree = os.environ.get("BENCH_BASELINE")
    if tree:
        apps.append(baseline(tree, 8106))
    return {app.name: app for app in apps}


def start(app: App, logs: Path) -> None:
    log = (logs / f"{app.name}.log").open("ab")
    app.process = subprocess.Popen(
        app.command,
        cwd=ROOT,
        env={**os.environ, **app.env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(app: App) -> None:
    if app.process is None or app.process.poll() is not None:
        return
    os.killpg(app.process.pid, signal.SIGTERM)
    try:
        app.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(app.process.pid, signal.SIGKILL)
        app.process.wait()


def call(
    app: App,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return httpx.request(method, app.url + path, content=body, headers=headers, timeout=10)


def wait_ready(app: App, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert app.process is not None
        if app.process.poll() is not None:
            raise SystemExit(f"{app.name} exited with {app.process.returncode}; see its log")
        try:
            if call(app, "GET", "/items/1").status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"{app.name} did not answer GET /items/1 within {timeout:.0f}s")


def login(app: App) -> str:
    form = {"username": database.BENCH_EMAIL, "password": database.BENCH_PASSWORD}
    body = urllib.parse.urlencode(form).encode()
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    response = call(app, "POST", "/auth/token", body, form_type)
    if response.status_code != 200:
        raise SystemExit(f"{app.name}: login answered {response.status_code}: {response.text}")
    return str(response.json()["access_token"])


def smoke(app: App, list_path: str) -> None:
    """Each scenario answers as expected once, before any load."""
    auth = {"Authorization": f"Bearer {app.token}", "Content-Type": "application/json"}
    checks = [
        ("GET", "/items/2", None, {}, 200),
        ("GET", list_path, None, {}, 200),
        ("PATCH", "/items/3", b'{"price": "12.50"}', auth, 200),
        ("POST", "/items", b'{"name": "smoke", "price": "1.00"}', auth, 201),
    ]
    for method, path, body, headers, expected in checks:
        response = call(app, method, path, body, headers)
        if response.status_code != expected:
            problem = f"{method} {path} gave {response.status_code}: {response.text[:300]}"
            raise SystemExit(f"{app.name}: {problem}")
        if path == list_path and (len(response.json()) != 20 or "link" not in response.headers):
            raise SystemExit(f"{app.name}: {list_path} is not a page of 20 with a next link")


async def list_paths(out: Path) -> Path:
    """Random real keyset positions, as `sort=price` cursors in Catalog's format."""
    conn = await asyncpg.connect(shared.database_url())
    try:
        rows = await conn.fetch(
            "SELECT price, id FROM items WHERE id <= $1 ORDER BY random() LIMIT $2",
            database.ITEMS,
            LIST_PATHS,
        )
    finally:
        await conn.close()
    path = out / "list_paths.txt"
    lines = [
        f"/items?sort=price&limit=20&cursor={shared.encode_cursor(row['price'], row['id'])}"
        for row in rows
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


def wrk(app: App, scenario: str, *, seconds: int, args: argparse.Namespace) -> dict[str, Any]:
    command = ["wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{seconds}s"]
    command += ["--timeout", "5s", "-s", str(LUA / SCENARIOS[scenario]), app.url]
    env = {
        **os.environ,
        "BENCH_LUA_DIR": str(LUA),
        "BENCH_TOKEN": app.token,
        "BENCH_THREADS": str(args.threads),
        "BENCH_ITEMS": str(database.ITEMS),
        "BENCH_OWNED": str(database.OWNED_BY_BENCH_USER),
    }
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_RESULT "))
    result: dict[str, Any] = json.loads(line.removeprefix("BENCH_RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def median(results: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "rps": statistics.median(r["rps"] for r in results),
        "p50_ms": statistics.median(r["p50_us"] for r in results) / 1000,
        "p99_ms": statistics.median(r["p99_us"] for r in results) / 1000,
        "errors": sum(sum(r["errors"].values()) for r in results),
        "requests": sum(r["requests"] for r in results),
        "rounds": len(results),
    }


def show(result: dict[str, Any]) -> str:
    p50, p99 = result["p50_us"] / 1000, result["p99_us"] / 1000
    errors = sum(result["errors"].values())
    return f"{result['rps']:8.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:7.1f} ms  errors {errors}"


def measure(
    apps: list[App], args: argparse.Namespace, db: psycopg.Connection[Any]
) -> dict[str, dict[str, list[Any]]]:
    """Rounds; in each, the apps in turn (a rotating order), each up only for its turn."""
    runs: dict[str, dict[str, list[Any]]] = {a.name: {s: [] for s in args.scenarios} for a in apps}
    first_list_path = Path(os.environ["BENCH_LIST_PATHS"]).read_text().splitlines()[0]
    for round_no in range(args.rounds):
        order = apps[round_no % len(apps) :] + apps[: round_no % len(apps)]
        for app in order:
            start(app, args.out)
            try:
                wait_ready(app)
                app.token = login(app)
                if round_no == 0:
                    smoke(app, first_list_path)
                    db.execute(RESET, (database.ITEMS,))
                for scenario in args.scenarios:
                    wrk(app, scenario, seconds=args.warmup, args=args)
                    result = wrk(app, scenario, seconds=args.duration, args=args)
                    runs[app.name][scenario].append(result)
                    print(
                        f"round {round_no + 1} {scenario:5} {app.name:11} {show(result)}",
                        flush=True,
                    )
                    if scenario == "post":
                        db.execute(RESET, (database.ITEMS,))
                    db.execute(RESET_OUTBOX)
            finally:
                stop(app)
    return runs


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


async def postgres_version() -> str:
    conn = await asyncpg.connect(shared.database_url())
    try:
        return str(await conn.fetchval("SHOW server_version"))
    finally:
        await conn.close()


def environment() -> dict[str, Any]:
    """The machine and the versions, for the report."""
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines()
                  if line.startswith("model name")), "unknown")  # fmt: skip
    memory_kib = int(Path("/proc/meminfo").read_text().split()[1])
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    names = ("uvicorn", "uvloop", "httptools", "starlette", "fastapi", "pydantic", "sqlalchemy",
             "asyncpg", "psycopg", "orjson", "pyjwt")  # fmt: skip
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": memory_kib / 2**20,
        "os": platform.platform(terse=True),
        "python": platform.python_version(),
        "postgres": asyncio.run(postgres_version()),
        "wrk": (wrk_version.splitlines() or ["wrk"])[0].split(" [")[0],
        "packages": {name: metadata.version(name) for name in names},
        "load_before": load_average(),
    }


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--apps", nargs="+", default=list(all_apps()))
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS), choices=SCENARIOS)
    parser.add_argument(
        "--outbox",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="writes write their events to the outbox (Catalog and the ceiling)",
    )
    return parser.parse_args(argv)


def run(args: argparse.Namespace) -> None:
    """Every app through every scenario; the results in OUT/results.json."""
    args.out.mkdir(parents=True, exist_ok=True)
    if args.outbox:
        os.environ["CATALOG_NATS_URL"] = OUTBOX_URL
    else:
        os.environ.pop("CATALOG_NATS_URL", None)
    catalog_apps = all_apps()
    apps = [catalog_apps[name] for name in args.apps]
    if any(app.env.keys() & TRACED_ENV.keys() for app in apps):
        start_sink()
    before = environment()
    paths = asyncio.run(list_paths(args.out))
    os.environ["BENCH_LIST_PATHS"] = str(paths)
    # One connection for the resets, opened before any app takes its pool's share.
    with psycopg.connect(shared.database_url(), autocommit=True) as db:
        started = time.time()
        runs = measure(apps, args, db)
    settings = {k: v for k, v in vars(args).items() if k != "out"}
    summary = {
        "settings": settings,
        "environment": {**before, "load_after": load_average()},
        "seconds": round(time.time() - started),
        "medians": {app: {s: median(r) for s, r in by.items()} for app, by in runs.items()},
        "runs": runs,
    }
    (args.out / "results.json").write_text(json.dumps(summary, indent=2))


if __name__ == "__main__":
    run(parse(sys.argv[1:]))
