"""Brings a database to the newest Alembic revision, from inside a running event loop.

Alembic's env.py sees the connection we hand it (`config.attributes["connection"]`), so
the upgrade runs on our engine. Two processes starting together cannot race: on PostgreSQL
env.py holds an advisory lock for the upgrade's transaction; on SQLite, a file lock.
"""

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

REPOSITORY = Path(__file__).resolve().parents[2]


def alembic_directory() -> Path:
    """alembic/ of the source tree; or of the working directory, for a non-editable install."""
    for root in (REPOSITORY, Path.cwd()):
        if (root / "alembic" / "env.py").exists():
            return root / "alembic"
    raise RuntimeError("no alembic/ directory next to the code or in the working directory")


def alembic_config(url: str) -> Config:
    """The repository's Alembic configuration, pointed at `url`."""
    directory = alembic_directory()
    ini = directory.parent / "alembic.ini"
    config = Config(str(ini)) if ini.exists() else Config()
    config.set_main_option("script_location", str(directory))
    config.attributes["url"] = url  # not through the ini: no % interpolation of passwords
    return config


def sqlite_file(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def check_sqlite_directory(url: str) -> None:
    """Raises ValueError when a SQLite file's directory does not exist: a typo in the path
    should not create directories and an empty database."""
    path = sqlite_file(url)
    if path is not None and not path.parent.is_dir():
        raise ValueError(f"the directory of the SQLite database {path} does not exist")


@contextmanager
def sqlite_lock(url: str) -> Iterator[None]:
    """Serialises migrations of one SQLite file across processes (its DDL is not
    transactional, so a database lock alone would not do). The lock is held on the
    file's directory: a lock file would outlive the migration."""
    path = sqlite_file(url)
    if path is None:
        yield
        return
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        fcntl.flock(directory, fcntl.LOCK_EX)
        yield
    finally:
        os.close(directory)  # and with it the lock


async def upgrade(engine: AsyncEngine, *, revision: str = "head") -> None:
    url = engine.url.render_as_string(hide_password=False)
    check_sqlite_directory(url)
    config = alembic_config(url)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.connect() as connection:
        await connection.run_sync(run)
        await connection.commit()
