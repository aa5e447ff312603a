"""`catalog copy`, `catalog dump` and `catalog restore`: every row, streamed and verified
(adapters/sqlalchemy/transfer.py). Progress bars on a terminal; one summary line otherwise.
"""

import argparse
import asyncio
import sys
import time
from collections.abc import Callable, Coroutine, Iterator
from contextlib import contextmanager
from typing import IO, Any

from entrypoints.progress import observer_on

Subcommands = Any  # argparse's private _SubParsersAction


def add_parsers(commands: Subcommands) -> None:
    copy = commands.add_parser(
        "copy", help="copy every row from one database into another, empty one, and verify"
    )
    copy.add_argument("--from", dest="source", required=True, metavar="URL")
    copy.add_argument("--to", dest="target", required=True, metavar="URL")
    _redo(copy)
    dump = commands.add_parser("dump", help="write every row to standard output (NDJSON)")
    dump.add_argument("--from", dest="source", metavar="URL", help="CATALOG_DATABASE_URL")
    restore = commands.add_parser("restore", help="read a dump from standard input, verified")
    restore.add_argument("--to", dest="target", metavar="URL", help="CATALOG_DATABASE_URL")
    _redo(restore)


def _redo(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--redo",
        action="store_true",
        help="empty a target that an interrupted copy left behind, and start again",
    )


async def copy(args: argparse.Namespace) -> None:
    from adapters.sqlalchemy.snapshot import Snapshot
    from adapters.sqlalchemy.transfer_engine import describe

    if args.source == args.target:
        raise _error("--from and --to name the same database")
    async with Snapshot(_url("--from", args.source)) as source:
        await _into_database(args, source, origin=describe(args.source), done="copied")


async def dump(args: argparse.Namespace) -> None:
    from adapters.sqlalchemy.dump import DumpTarget
    from adapters.sqlalchemy.snapshot import Snapshot
    from adapters.sqlalchemy.transfer import transfer
    from adapters.sqlalchemy.transfer_engine import head_revision

    started = time.monotonic()
    async with Snapshot(_url("--from", args.source)) as source:
        target = DumpTarget(sys.stdout.buffer, revision=head_revision())
        with observer_on(sys.stderr) as observer:
            verified = await transfer(source, target, observer)
    sys.stdout.buffer.flush()
    _summary(sys.stderr, "dumped", verified, started, "counts and SHA-256 in each end line")


async def restore(args: argparse.Namespace) -> None:
    from adapters.sqlalchemy.dump import DumpSource
    from adapters.sqlalchemy.transfer_engine import head_revision

    source = DumpSource(sys.stdin.buffer, revision=head_revision())
    await _into_database(args, source, origin="a dump", done="restored")


async def _into_database(args: argparse.Namespace, source: Any, *, origin: str, done: str) -> None:
    """Streams `source` into the `--to` database, verified at the end (copy and restore)."""
    from adapters.sqlalchemy.transfer import transfer

    target = _database_target(args.target)
    started = time.monotonic()
    try:
        await target.prepare(origin=origin, redo=args.redo)
        with observer_on(sys.stderr) as observer:
            verified = await transfer(source, target, observer)
        await target.finish()
    finally:
        await target.dispose()
    _summary(sys.stdout, done, verified, started, "verified: counts and SHA-256 match")


def _database_target(url: str | None) -> Any:
    from adapters.sqlalchemy.target import DatabaseTarget

    return DatabaseTarget(_url("--to", url))


def _url(option: str, url: str | None) -> str:
    """The URL given, checked (or the configured database's); ValueError in one line."""
    from adapters.sqlalchemy.transfer_engine import check_url

    if url is None:
        from entrypoints.cli.common import settings as _settings

        url = _settings().database_url
    try:
        check_url(url)
    except ValueError as error:
        raise _error(f"{option}: {error}") from None
    return url


def _error(message: str) -> Exception:
    from entrypoints.cli.common import CommandError

    return CommandError(message)


def _summary(stream: IO[str], verb: str, verified: list[Any], started: float, how: str) -> None:
    tables = ", ".join(f"{one.table} {one.rows}" for one in verified)
    total = sum(one.rows for one in verified)
    seconds = time.monotonic() - started
    stream.write(f"{verb} {total} rows ({tables}) in {seconds:.1f} s; {how}\n")


@contextmanager
def _failures() -> Iterator[None]:
    """A refusal of the transfer (TransferError) is a command's one-line error."""
    from adapters.sqlalchemy.transfer import TransferError

    try:
        yield
    except TransferError as error:
        raise _error(str(error)) from None


def _run(command: Callable[[argparse.Namespace], Coroutine[Any, Any, None]]) -> Any:
    def run(args: argparse.Namespace) -> None:
        with _failures():
            asyncio.run(command(args))

    return run


COMMANDS: dict[str, Callable[[argparse.Namespace], None]] = {
    "copy": _run(copy),
    "dump": _run(dump),
    "restore": _run(restore),
}
