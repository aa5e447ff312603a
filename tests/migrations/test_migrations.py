"""Alembic owns the schema: from empty to head with no drift from the adapter's metadata,
and every revision upgrades, downgrades and upgrades again, on SQLite and PostgreSQL."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Connection, Integer, MetaData, inspect
from sqlalchemy.ext.asyncio import create_async_engine

from adapters.sqlalchemy.migrations import alembic_config, upgrade
from adapters.sqlalchemy.tables import metadata
from tests.support.backends import engine_for

ROOT = Path(__file__).resolve().parents[2]
ALEMBIC = Path(sys.executable).parent / "alembic"


@pytest.fixture(params=["sqlite", "postgres"])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"
    else:
        yield str(request.getfixturevalue("fresh_postgres_url"))


def _inspect(url: str, look: Any) -> Any:
    async def run() -> Any:
        engine = create_async_engine(url)
        try:
            async with engine.connect() as conn:
                return await conn.run_sync(look)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def drift(url: str, target: MetaData = metadata) -> list[Any]:
    def compare(conn: Connection) -> list[Any]:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, target))

    result: list[Any] = _inspect(url, compare)
    return result


def tables(url: str) -> set[str]:
    names: set[str] = _inspect(url, lambda conn: set(inspect(conn).get_table_names()))
    return names - {"alembic_version"}


def test_upgrade_head_from_empty_then_no_drift(empty_url: str) -> None:
    command.upgrade(alembic_config(empty_url), "head")
    assert tables(empty_url) == {
        "users",
        "items",
        "sessions",
        "outbox",
        "idempotency_keys",
        "login_failures",
    }
    assert drift(empty_url) == []


def test_the_drift_check_sees_a_difference(empty_url: str) -> None:
    command.upgrade(alembic_config(empty_url), "head")
    changed = MetaData()
    for table in metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["items"].append_column(Column("stock", Integer, nullable=True))
    assert [d[0] for d in drift(empty_url, changed)] == ["add_column"]


def test_every_revision_upgrades_downgrades_and_upgrades_again(empty_url: str) -> None:
    config = alembic_config(empty_url)
    revisions = list(reversed(list(ScriptDirectory.from_config(config).walk_revisions())))
    assert revisions
    for revision in revisions:
        command.upgrade(config, revision.revision)
        command.downgrade(config, revision.down_revision or "base")  # type: ignore[arg-type]
        command.upgrade(config, revision.revision)
    command.downgrade(config, "base")
    assert tables(empty_url) == set()
    command.upgrade(config, "head")
    assert drift(empty_url) == []


def test_alembic_command_and_concurrent_starts(empty_url: str) -> None:
    """`alembic upgrade head` from the repository root; two at once both succeed (on
    PostgreSQL an advisory lock serialises them)."""
    argv = [str(ALEMBIC), "-x", f"url={empty_url}", "upgrade", "head"]
    env = {**os.environ, "CATALOG_DATABASE_URL": "memory://ignored"}
    runs = [subprocess.Popen(argv, cwd=ROOT, env=env, stderr=subprocess.PIPE) for _ in range(2)]
    errors = [run.communicate(timeout=60)[1].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0], errors
    assert drift(empty_url) == []


def test_a_sqlite_file_in_a_missing_directory_is_refused_and_nothing_is_created(
    tmp_path: Path,
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'typo' / 'catalog.db'}"
    with pytest.raises(ValueError, match="does not exist"):
        asyncio.run(_upgrade_with_the_service(url))
    assert list(tmp_path.iterdir()) == []


def test_the_sqlite_migration_lock_leaves_no_file_behind(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"
    asyncio.run(_upgrade_with_the_service(url))
    command.upgrade(alembic_config(url), "head")  # the alembic path takes the lock too
    assert sorted(path.name for path in tmp_path.iterdir()) == ["catalog.db"]
    assert {"users", "items"} <= tables(url)


async def _upgrade_with_the_service(url: str) -> None:
    """As `catalog migrate` does: the service's own engine and upgrade."""
    engine = engine_for(url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()
