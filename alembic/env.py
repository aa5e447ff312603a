"""Alembic environment: async engines, the adapter's metadata, one advisory lock.

Run by the `alembic` command (URL from `-x url=`, CATALOG_DATABASE_URL or alembic.ini)
or by adapters.sqlalchemy.migrations, which hands over an open connection.
"""

import asyncio
import logging.config
import os

from alembic import context
from sqlalchemy import Connection, pool, text
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.sqlalchemy.migrations import check_sqlite_directory, sqlite_lock
from adapters.sqlalchemy.tables import metadata

# Any constant will do, as long as every process migrating this schema uses the same one.
MIGRATION_LOCK_KEY = 0x0CA7A109


def database_url() -> str:
    config = context.config
    url = (
        config.attributes.get("url")
        or context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("CATALOG_DATABASE_URL")
        or config.get_main_option("sqlalchemy.url")
    )
    if not url:
        raise RuntimeError("no database URL: pass -x url=... or set CATALOG_DATABASE_URL")
    return str(url)


def run_migrations(connection: Connection) -> None:
    with sqlite_lock(connection.engine.url.render_as_string(hide_password=False)):
        _run_migrations(connection)


def _run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":  # released when the transaction ends
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        context.run_migrations()


async def run_async_migrations(url: str) -> None:
    check_sqlite_directory(url)
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await engine.dispose()


def run_migrations_offline(url: str) -> None:
    context.configure(url=url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    shared = context.config.attributes.get("connection")
    if shared is not None:
        run_migrations(shared)
        return
    if context.config.config_file_name is not None:
        logging.config.fileConfig(context.config.config_file_name, disable_existing_loggers=False)
    if context.is_offline_mode():
        run_migrations_offline(database_url())
    else:
        asyncio.run(run_async_migrations(database_url()))


main()
