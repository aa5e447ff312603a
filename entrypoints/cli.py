"""The `catalog` command: serve, migrate, create-admin, openapi, relay, events tail, copy,
dump, restore (and --version).

Every failure an operator can cause (a bad argument or setting, an unreachable database, a
duplicate email, a short password) ends in one line on standard error and a non-zero exit.
"""

import argparse
import asyncio
import getpass
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import orjson
import pydantic

from application.registration import RegisterUserCommand
from domain import rules
from domain.errors import DomainError
from domain.users import User, normalise_email
from entrypoints import copy_commands, version
from entrypoints.listening import listen_problem
from entrypoints.settings import Settings

# The heavy modules (FastAPI, SQLAlchemy, the container) load inside the commands that need
# them, so `catalog --help` and a mistyped argument answer at once.

APP_FACTORY = "entrypoints.http.app:served_app"
METRICS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"  # read by prometheus-client in each worker
MEMORY_URL = "memory://"
_DATABASE_LIBRARIES = frozenset({"sqlalchemy", "asyncpg", "aiosqlite", "sqlite3", "alembic"})


class CommandError(Exception):
    """A failure to report in one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (try --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="catalog", description="Catalog: users and items over a REST API.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
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
    commands.add_parser("migrate", help="bring the database schema to the newest revision")
    admin = commands.add_parser(
        "create-admin",
        help="create an administrator (the password is asked twice, or read from stdin)",
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True)
    commands.add_parser("openapi", help="print the OpenAPI document (JSON)")
    relay = commands.add_parser("relay", help="publish the outbox to NATS JetStream")
    relay.add_argument("--metrics-port", type=int, help="serve the relay's Prometheus metrics")
    relay.add_argument("--metrics-host", default="127.0.0.1")
    events = commands.add_parser("events", help="look at the published events")
    tail = events.add_subparsers(dest="events_command", required=True, metavar="COMMAND")
    follow = tail.add_parser("tail", help="print events as they arrive (one JSON per line)")
    follow.add_argument("--all", action="store_true", help="start from the first event kept")
    follow.add_argument("--limit", type=int, help="stop after this many events")
    copy_commands.add_parsers(commands)
    return parser


def _settings() -> Settings:
    try:
        return Settings()
    except pydantic.ValidationError as error:
        problems = "; ".join(_setting_problem(e["loc"], e["msg"]) for e in error.errors())
        raise CommandError(f"invalid settings: {problems}") from None


def _setting_problem(loc: tuple[int | str, ...], message: str) -> str:
    message = message.removeprefix("Value error, ")
    return f"CATALOG_{'_'.join(map(str, loc)).upper()}: {message}" if loc else message


def _check_database_url(settings: Settings) -> None:
    from adapters.backends import check_database_url

    try:
        check_database_url(settings.database_url)
    except ValueError as error:
        raise CommandError(f"CATALOG_DATABASE_URL: {error}") from None


def serve(args: argparse.Namespace) -> None:
    settings = _settings()
    if not 1 <= args.workers <= 64:
        raise CommandError("--workers must be between 1 and 64")
    if args.workers > 1 and not settings.jwt_secret_configured:
        raise CommandError(
            "--workers > 1 needs CATALOG_JWT_SECRET: each worker would sign with its own secret"
        )
    if args.relay:
        if not settings.outbox_enabled:
            raise CommandError("--relay needs CATALOG_NATS_URL (e.g. nats://127.0.0.1:4222)")
        os.environ["CATALOG_RELAY_IN_PROCESS"] = "true"  # read by each worker's settings
    problem = listen_problem(args.host, args.port)  # before migrating: a busy port is one line
    if problem is not None:
        raise CommandError(problem)
    _check_database_url(settings)
    from entrypoints.logging import configure_logging

    configure_logging(settings)
    if settings.auto_migrate:
        # Here, not in the app's start-up: an unreachable database is one line and an exit,
        # not a failed start-up's traceback; and it happens once, not once per worker.
        asyncio.run(_migrate(settings))
        os.environ["CATALOG_AUTO_MIGRATE"] = "false"  # for the app (and its workers)
    with _metrics_directory(args.workers):
        _uvicorn(args)


def _uvicorn(args: argparse.Namespace) -> None:
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


async def _migrate(settings: Settings) -> str:
    from entrypoints.container import build_container, start, stop

    container = build_container(settings)
    backend = await start(container)
    try:
        await backend.migrate()
    finally:
        await stop(container)
    return backend.name


async def migrate(_: argparse.Namespace) -> None:
    settings = _settings()
    _check_database_url(settings)
    print(f"migrated the {await _migrate(settings)} database")


def _password() -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    try:
        first = getpass.getpass("Password: ")
        again = getpass.getpass("Repeat password: ")
    except KeyboardInterrupt:
        sys.stderr.write("\n")  # end the prompt's line before the error's
        raise
    if again != first:
        raise CommandError("the passwords do not match")
    return first


def create_admin(args: argparse.Namespace) -> None:
    """Synchronous up to the password: inside `asyncio.run`, Ctrl-C would only cancel the
    task, and the prompt would go on reading."""
    settings = _settings()
    if settings.database_url.startswith(MEMORY_URL):
        raise CommandError(
            "create-admin cannot reach a memory:// database (it lives inside `catalog serve`): "
            "set CATALOG_FIRST_ADMIN_EMAIL and CATALOG_FIRST_ADMIN_PASSWORD for serve instead"
        )
    _check_database_url(settings)
    rules.name(args.name)  # refuse bad input before asking for a password
    normalise_email(args.email)
    command = RegisterUserCommand(name=args.name, email=args.email, password=_password())
    user = asyncio.run(_create_admin(settings, command))
    print(f"created admin {user.email} (id {user.id})")


async def _create_admin(settings: Settings, command: RegisterUserCommand) -> User:
    from entrypoints.container import build_container, start, stop

    container = build_container(settings)
    backend = await start(container)
    try:
        if settings.auto_migrate:
            await backend.migrate()
        return await container.create_admin()(command)
    finally:
        await stop(container)


def openapi(_: argparse.Namespace) -> None:
    from entrypoints.http.app import create_app

    document = create_app(_settings()).openapi()
    sys.stdout.write(orjson.dumps(document, option=orjson.OPT_INDENT_2).decode() + "\n")


async def relay_command(args: argparse.Namespace) -> None:
    from entrypoints.events import relay

    await relay(_settings(), metrics_port=args.metrics_port, metrics_host=args.metrics_host)


async def events_command(args: argparse.Namespace) -> None:
    from entrypoints.events import tail

    if args.limit is not None and args.limit < 1:
        raise CommandError("--limit must be at least 1")
    await tail(_settings(), from_start=args.all, limit=args.limit)


def _run_async(
    command: Callable[[argparse.Namespace], Coroutine[Any, Any, None]],
) -> Callable[[argparse.Namespace], None]:
    def run(args: argparse.Namespace) -> None:
        asyncio.run(command(args))

    return run


COMMANDS: dict[str, Callable[[argparse.Namespace], None]] = {
    "serve": serve,
    "migrate": _run_async(migrate),
    "create-admin": create_admin,
    "openapi": openapi,
    "relay": _run_async(relay_command),
    "events": _run_async(events_command),
    **copy_commands.COMMANDS,
}


def _one_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except (CommandError, DomainError) as error:
        return _fail(_one_line(error))
    except KeyboardInterrupt:
        return _fail("interrupted", code=130)
    except Exception as error:  # the operator gets one line, not a traceback
        return _fail(_describe(error))
    return 0


def _describe(error: Exception) -> str:
    origin = type(error).__module__.split(".", 1)[0]
    if isinstance(error, OSError | TimeoutError) or origin in _DATABASE_LIBRARIES:
        return f"database unavailable: {type(error).__name__}: {_one_line(error)}"
    return f"{type(error).__name__}: {_one_line(error)}"


def _fail(message: str, *, code: int = 1) -> int:
    sys.stderr.write(f"catalog: error: {message}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
