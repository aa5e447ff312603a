"""`catalog serve` (the HTTP API, in uvicorn) and `catalog openapi` (its document)."""

import argparse
import asyncio
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

import orjson

from entrypoints.cli.common import CommandError, Subcommands, check_database_url, settings
from entrypoints.listening import listen_problem
from entrypoints.settings import Settings

APP_FACTORY = "entrypoints.http.app:served_app"
METRICS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus-client in each worker


def add_parsers(commands: Subcommands) -> None:
    serve = commands.add_parser(
        "serve",
        help="serve the HTTP API (migrating first, unless CATALOG_AUTO_MIGRATE=false)",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="TCP port to listen on")
    serve.add_argument("--workers", type=int, default=1, help="worker processes (1 to 64)")
    serve.add_argument(
        "--relay", action="store_true", help="also publish the outbox (CATALOG_RELAY_IN_PROCESS)"
    )
    commands.add_parser("openapi", help="print the OpenAPI document (JSON)")


def _checked(args: argparse.Namespace) -> Settings:
    """The settings, refused in one line when they cannot serve as asked."""
    current = settings()
    if not 1 <= args.workers <= 64:
        raise CommandError("--workers must be between 1 and 64")
    if args.workers > 1 and not current.jwt_secret_configured:
        raise CommandError(
            "--workers > 1 needs CATALOG_JWT_SECRET: each worker would sign with its own secret"
        )
    if args.relay and not current.outbox_enabled:
        raise CommandError("--relay needs CATALOG_NATS_URL (e.g. nats://127.0.0.1:4222)")
    return current


def serve(args: argparse.Namespace) -> None:
    current = _checked(args)
    if args.relay:
        os.environ["CATALOG_RELAY_IN_PROCESS"] = "true"  # read by each worker's settings
    problem = listen_problem(args.host, args.port)  # before migrating: a busy port is one line
    if problem is not None:
        raise CommandError(problem)
    check_database_url(current)
    from entrypoints.cli.database import migrated
    from entrypoints.logging import configure_logging

    configure_logging(current)
    if current.auto_migrate:
        # Here, not in the app's start-up: an unreachable database is one line and an exit,
        # not a failed start-up's traceback; and it happens once, not once per worker.
        asyncio.run(migrated(current))
        os.environ["CATALOG_AUTO_MIGRATE"] = "false"  # for the app (and its workers)
    with _metrics_directory(args.workers):
        _uvicorn(args, shutdown_timeout=current.shutdown_timeout_seconds)


def _uvicorn(args: argparse.Namespace, *, shutdown_timeout: int) -> None:
    import uvicorn

    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        http="httptools",
        access_log=False,  # AccessLogMiddleware logs each request, with its id
        log_config=None,  # keep ours
        server_header=False,
        timeout_graceful_shutdown=shutdown_timeout,  # after the drain (http/draining.py)
    )


@contextmanager
def _metrics_directory(workers: int) -> Iterator[None]:
    """With several workers, a fresh directory where each writes its metrics (Prometheus
    multiprocess mode), deleted when they stop. One the operator set is left alone."""
    if workers == 1 or os.environ.get(METRICS_DIRECTORY):
        yield
        return
    directory = tempfile.mkdtemp(prefix="catalog-metrics-")
    os.environ[METRICS_DIRECTORY] = directory  # the workers inherit it
    try:
        yield
    finally:
        del os.environ[METRICS_DIRECTORY]
        shutil.rmtree(directory, ignore_errors=True)


def openapi(_: argparse.Namespace) -> None:
    from entrypoints.http.app import create_app

    document = create_app(settings()).openapi()
    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")
