"""What `catalog copy`, `dump` and `restore` refuse, each in one line on standard error."""

import asyncio
import sqlite3
import subprocess
from pathlib import Path

import pytest

from adapters.sqlalchemy import migrations
from adapters.sqlalchemy.target import DatabaseTarget
from adapters.sqlalchemy.transfer_engine import transfer_engine
from tests.e2e.live_server import CATALOG, catalog_env, run_catalog
from tests.e2e.test_copy import sqlite_url


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("catalog: error: ")
    return line


def _migrated(path: Path) -> str:
    url = sqlite_url(path)
    asyncio.run(_migrate(url))
    return url


async def _migrate(url: str) -> None:
    engine = transfer_engine(url)
    try:
        await migrations.upgrade(engine)
    finally:
        await engine.dispose()


def _copy(*args: str) -> subprocess.CompletedProcess[str]:
    return run_catalog("copy", *args, env=catalog_env("memory://"), timeout=60)


def _with_a_user(path: Path) -> str:
    url = _migrated(path)
    with sqlite3.connect(path) as db:
        db.execute(
            "INSERT INTO users VALUES (7, 'Ann', 'ann@example.com', 'h', 1, 0, "
            "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
        )
    return url


def test_a_target_that_holds_rows_is_refused(tmp_path: Path) -> None:
    source = _with_a_user(tmp_path / "source.db")
    target = _with_a_user(tmp_path / "target.db")
    assert "target is not empty (users hold rows)" in _one_line_error(
        _copy("--from", source, "--to", target)
    )
    assert "target is not empty" in _one_line_error(
        _copy("--from", source, "--to", target, "--redo")
    )


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("memory://", "'memory' is not a database to copy"),
        ("sqlite+aiosqlite:///{tmp}/missing.db", "does not exist"),
        ("sqlite+aiosqlite:///{tmp}/no/such/dir.db", "does not exist"),
        ("postgresql+asyncpg://postgres@127.0.0.1:1/none", "database unavailable"),
    ],
)
def test_a_source_that_cannot_be_read_is_one_line(tmp_path: Path, source: str, says: str) -> None:
    target = sqlite_url(tmp_path / "target.db")
    line = _one_line_error(_copy("--from", source.format(tmp=tmp_path), "--to", target))
    assert says in line


def test_a_source_catalog_never_migrated_is_refused(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "other.db").close()
    source = sqlite_url(tmp_path / "other.db")
    line = _one_line_error(_copy("--from", source, "--to", sqlite_url(tmp_path / "t.db")))
    assert "holds no Catalog schema" in line


def test_one_database_is_not_copied_onto_itself(tmp_path: Path) -> None:
    url = _migrated(tmp_path / "catalog.db")
    assert "the same database" in _one_line_error(_copy("--from", url, "--to", url))


@pytest.fixture(scope="module")
def dumped(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    source = _with_a_user(tmp_path_factory.mktemp("dump") / "source.db")
    result = subprocess.run(
        [CATALOG, "dump", "--from", source], capture_output=True, env=catalog_env("memory://")
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def _restore(tmp_path: Path, dump: bytes) -> subprocess.CompletedProcess[str]:
    target = sqlite_url(tmp_path / "restored.db")
    env = catalog_env("memory://")
    return run_catalog("restore", "--to", target, env=env, stdin=dump.decode(), timeout=60)


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda d: d.replace(b'"revision":"', b'"revision":"0003', 1), "schema revision 00030"),
        (lambda d: b"not json\n" + d, "line 1 of the dump is not JSON"),
        (lambda d: d[: d.index(b'{"end":"users"')], "the file is truncated"),
        (lambda d: d.replace(b"Ann", b"Bob"), "the file was altered"),
        (lambda d: b"", "the dump ends before the header"),
    ],
)
def test_a_dump_of_another_revision_or_damaged_is_refused(
    tmp_path: Path, dumped: bytes, change: object, says: str
) -> None:
    dump = change(dumped)  # type: ignore[operator]
    assert says in _one_line_error(_restore(tmp_path, dump))


def test_an_interrupted_copy_is_detected_and_redone(tmp_path: Path) -> None:
    source = _with_a_user(tmp_path / "source.db")
    target_url = sqlite_url(tmp_path / "target.db")
    asyncio.run(_leave_an_interrupted_copy(target_url))
    line = _one_line_error(_copy("--from", source, "--to", target_url))
    assert "interrupted copy" in line
    assert "--redo" in line
    redone = _copy("--from", source, "--to", target_url, "--redo")
    assert redone.returncode == 0, redone.stderr
    assert "users 1" in redone.stdout
    assert "verified" in redone.stdout
    again = _copy("--from", source, "--to", target_url)  # complete now: no marker, not empty
    assert "target is not empty" in _one_line_error(again)


async def _leave_an_interrupted_copy(url: str) -> None:
    target = DatabaseTarget(url)
    try:
        await target.prepare(origin="a test", redo=False)
    finally:
        await target.dispose()
