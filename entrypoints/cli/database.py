"""`catalog migrate` and `catalog create-admin`: the commands on the database itself."""

import argparse
import asyncio
import getpass
import sys

from application.registration import RegisterUserCommand
from domain import rules
from domain.users import User, normalise_email
from entrypoints.cli.common import CommandError, Subcommands, check_database_url, settings
from entrypoints.settings import Settings


def add_parsers(commands: Subcommands) -> None:
    commands.add_parser("migrate", help="bring the database schema to the newest revision")
    admin = commands.add_parser(
        "create-admin",
        help="create an administrator (the password is asked twice, or read from stdin)",
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True)


async def migrated(current: Settings) -> str:
    """Brings the database to the newest revision; returns its kind."""
    from entrypoints.container import build_container, start, stop

    container = build_container(current)
    await start(container)
    try:
        await container.migrate()
    finally:
        await stop(container)
    return container.storage_kind()


async def migrate(_: argparse.Namespace) -> None:
    current = settings()
    check_database_url(current)
    print(f"migrated the {await migrated(current)} database")


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
    from entrypoints import first_admin

    current = settings()
    check_database_url(current)
    if current.database_url.startswith("memory:"):
        raise CommandError(first_admin.ON_MEMORY)
    rules.name(args.name)  # refuse bad input before asking for a password
    normalise_email(args.email)
    command = RegisterUserCommand(name=args.name, email=args.email, password=_password())
    user = asyncio.run(_create_admin(current, command))
    print(f"created admin {user.email} (id {user.id})")


async def _create_admin(current: Settings, command: RegisterUserCommand) -> User:
    from entrypoints.container import build_container, start, stop

    container = build_container(current)
    await start(container)
    try:
        if current.auto_migrate:
            await container.migrate()
        return await container.create_admin()(command)
    finally:
        await stop(container)
