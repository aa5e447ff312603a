"""The `catalog` command: serve, migrate, create-admin, openapi, relay, events tail (and
--version). A module per group of commands: serve.py, database.py, events.py.

Every failure an operator can cause (a bad argument or setting, an unreachable database, a
duplicate email, a short password) ends in one line on standard error and a non-zero exit.
The heavy modules (FastAPI, SQLAlchemy, the container) load inside the commands that need
them, so `catalog --help` and a mistyped argument answer at once.
"""

import argparse
from collections.abc import Sequence
from typing import NoReturn

from domain.errors import DomainError
from entrypoints import copy_commands, version
from entrypoints.cli import database, events, serve
from entrypoints.cli.common import Command, CommandError, describe, fail, one_line, run_async


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (try --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="catalog", description="Catalog: users and items over a REST API.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve.add_parsers(commands)
    database.add_parsers(commands)
    events.add_parsers(commands)
    copy_commands.add_parsers(commands)
    return parser


COMMANDS: dict[str, Command] = {
    "serve": serve.serve,
    "migrate": run_async(database.migrate),
    "create-admin": database.create_admin,
    "openapi": serve.openapi,
    "relay": run_async(events.relay_command),
    "events": run_async(events.events_command),
    **copy_commands.COMMANDS,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        COMMANDS[args.command](args)
    except (CommandError, DomainError) as error:
        return fail(one_line(error))
    except KeyboardInterrupt:
        return fail("interrupted", code=130)
    except Exception as error:  # the operator gets one line, not a traceback
        return fail(describe(error))
    return 0
