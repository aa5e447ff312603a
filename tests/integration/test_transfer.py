"""The copy's engine (adapters/sqlalchemy/transfer.py): a source read as one snapshot while
it is written to, and a copy cut off halfway (Ctrl-C, a lost connection) left in a state
the next copy detects, and redoes."""

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import asyncpg
import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from adapters.sqlalchemy import migrations
from adapters.sqlalchemy.snapshot import Snapshot
from adapters.sqlalchemy.tables import items, users
from adapters.sqlalchemy.target import DatabaseTarget
from adapters.sqlalchemy.transfer import BATCH_ROWS, TransferError, transfer
from adapters.sqlalchemy.transfer_engine import APPLICATION_NAME, transfer_engine
from entrypoints.progress import Observer

ITEMS = 3 * BATCH_ROWS + 17
USER = (
    "INSERT INTO users VALUES (1, 'Ann', 'ann@example.com', 'h', 1, 0, "
    "'2026-01-01 00:00:00', '2026-01-01 00:00:00', 1)"
)
ITEMS_SQL = """
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
INSERT INTO items SELECT i, 1, 'item ' || i, NULL, i, '2026-01-01 00:00:00',
    '2026-01-01 00:00:00', 1 FROM n
"""


async def _migrate(url: str) -> None:
    engine = transfer_engine(url)
    try:
        await migrations.upgrade(engine)
    finally:
        await engine.dispose()


@pytest.fixture
async def source(tmp_path: Path) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path / 'source.db'}"
    await _migrate(url)
    with sqlite3.connect(tmp_path / "source.db") as db:
        db.execute(USER)
        db.execute(ITEMS_SQL, (ITEMS,))
    return url


def _user(email: str) -> dict[str, object]:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return {
        "id": 2,
        "name": "Bo",
        "email": email,
        "password_hash": "h",
        "is_active": True,
        "is_admin": False,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }


async def _add_user(url: str, email: str) -> None:
    engine = transfer_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(users.insert().values(_user(email)))
    finally:
        await engine.dispose()


async def test_a_source_is_read_as_of_one_instant(source: str, fresh_postgres_url: str) -> None:
    await _copy(source, fresh_postgres_url, Observer())
    for url in (source, fresh_postgres_url):
        async with Snapshot(url) as snapshot:
            assert await snapshot.count(users) == 1
            await _add_user(url, f"bo-{len(url)}@example.com")  # committed meanwhile
            assert await snapshot.count(users) == 1
            streamed = [batch async for batch in snapshot.batches(users)]
            assert sum(len(batch.rows) for batch in streamed) == 1


class _CutOff(Observer):
    """Does `cut` once the first batch of items has been written."""

    def __init__(self, cut: Callable[[], None]) -> None:
        self.cut = cut
        self.current = ""

    def table(self, name: str, total: int | None) -> None:
        self.current = name

    def advance(self, rows: int) -> None:
        if self.current == "items":
            self.cut()


async def _copy(source: str, target_url: str, observer: Observer, *, redo: bool = False) -> None:
    target = DatabaseTarget(target_url)
    try:
        async with Snapshot(source) as snapshot:
            await target.prepare(origin="test", redo=redo)
            await transfer(snapshot, target, observer)
            await target.finish()
    finally:
        await target.dispose()


def _ctrl_c() -> None:
    raise asyncio.CancelledError  # what asyncio.run does to the task on SIGINT


def _drop_connection(url: str) -> Callable[[], None]:
    args = make_url(url).translate_connect_args(username="user", database="dbname")

    def drop() -> None:
        with psycopg.connect(**args, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND application_name = %s",
                (args["dbname"], APPLICATION_NAME),
            )

    return drop


async def _counts(url: str) -> tuple[int, int]:
    engine = transfer_engine(url)
    try:
        async with engine.connect() as connection:
            found = [
                await connection.scalar(select(func.count()).select_from(t)) for t in (users, items)
            ]
            return found[0] or 0, found[1] or 0
    finally:
        await engine.dispose()


# What the copy raises: the task's cancellation; the driver's loss of its connection.
CUT_OFF: dict[str, tuple[type[BaseException], ...]] = {
    "ctrl-c": (asyncio.CancelledError,),
    "lost connection": (DBAPIError, asyncpg.InterfaceError, asyncpg.PostgresError),
}


@pytest.mark.parametrize("cut", ["ctrl-c", "lost connection"])
async def test_an_interrupted_copy_is_refused_then_redone(
    source: str, fresh_postgres_url: str, cut: str
) -> None:
    action = _ctrl_c if cut == "ctrl-c" else _drop_connection(fresh_postgres_url)
    with pytest.raises(CUT_OFF[cut]):
        await _copy(source, fresh_postgres_url, _CutOff(action))
    assert await _counts(fresh_postgres_url) == (1, 0)  # users committed, items rolled back
    with pytest.raises(TransferError, match=r"interrupted copy .* --redo"):
        await _copy(source, fresh_postgres_url, Observer())
    await _copy(source, fresh_postgres_url, Observer(), redo=True)
    assert await _counts(fresh_postgres_url) == (1, ITEMS)
