"""`catalog copy`, `dump` and `restore` through the real console script: a catalogue filled
through the API on SQLite is served from PostgreSQL (and back on SQLite) with every row,
login and ETag as before; and each refusal is one line."""

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select

from adapters.sqlalchemy.tables import outbox
from adapters.sqlalchemy.transfer_engine import head_revision, transfer_engine
from tests.e2e.api import build_app, serving, settings_for
from tests.e2e.catalogue import Catalogue, fill, logins_and_ids_continue, seen
from tests.e2e.live_server import CATALOG, catalog_env, run_catalog

pytestmark = pytest.mark.timeout(240)
OUTBOX_ON = {"nats_url": "nats://127.0.0.1:4222"}  # units of work write events; none is sent


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _env() -> dict[str, str]:
    return catalog_env("memory://")


async def _filled(url: str) -> tuple[Catalogue, dict[str, Any]]:
    async with serving(*build_app(settings_for(url, **OUTBOX_ON))) as api:
        catalogue = await fill(api)
        shown = await seen(api, catalogue)
    assert all(etag for key, (_, _, etag) in _entities(shown) if key.startswith("item "))
    assert (shown["gone user"], shown["gone item"]) == (404, 404)
    assert len(shown["items"][1]) == len(catalogue.item_ids)
    return catalogue, shown


def _entities(shown: dict[str, Any]) -> list[tuple[str, Any]]:
    return [(key, value) for key, value in shown.items() if key.startswith(("item ", "user "))]


async def _served_alike(url: str, catalogue: Catalogue, before: dict[str, Any]) -> None:
    async with serving(*build_app(settings_for(url, **OUTBOX_ON))) as api:
        assert await seen(api, catalogue) == before
        await logins_and_ids_continue(api, catalogue)


async def _events(url: str, *, publish_first: bool = False) -> list[tuple[Any, ...]]:
    """The outbox's rows, in order (after marking the first one published)."""
    engine = transfer_engine(url)
    try:
        async with engine.begin() as connection:
            if publish_first:
                first = select(outbox.c.sequence).order_by(outbox.c.sequence).limit(1)
                published = outbox.update().where(outbox.c.sequence == first.scalar_subquery())
                await connection.execute(published.values(published_at=func.now()))
            rows = await connection.execute(select(outbox).order_by(outbox.c.sequence))
            return [tuple(row) for row in rows]
    finally:
        await engine.dispose()


def _pending(events: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    published_at = list(outbox.c.keys()).index("published_at")
    return [event for event in events if event[published_at] is None]


def _copied(source: str, target: str) -> str:
    result = run_catalog("copy", "--from", source, "--to", target, env=_env(), timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    (summary,) = result.stdout.splitlines()  # not a terminal: one line
    assert "verified" in summary
    return summary


def test_a_copy_to_postgresql_and_back_serves_every_row_login_and_etag(
    tmp_path: Path, fresh_postgres_url: str
) -> None:
    source = sqlite_url(tmp_path / "catalog.db")
    catalogue, before = asyncio.run(_filled(source))
    events = asyncio.run(_events(source, publish_first=True))
    pending = _pending(events)
    assert len(pending) == len(events) - 1 >= 10  # one event from each change
    assert "users 3" in _copied(source, fresh_postgres_url)
    back = sqlite_url(tmp_path / "back.db")
    _copied(fresh_postgres_url, back)
    assert asyncio.run(_events(fresh_postgres_url)) == pending  # and not the published one
    assert asyncio.run(_events(back)) == pending
    asyncio.run(_served_alike(fresh_postgres_url, catalogue, before))
    asyncio.run(_served_alike(back, catalogue, before))


def _dump(source: str, path: Path) -> None:
    with path.open("wb") as out:
        result = subprocess.run(
            [CATALOG, "dump", "--from", source], stdout=out, stderr=subprocess.PIPE, env=_env()
        )
    assert result.returncode == 0, result.stderr
    assert b"dumped" in result.stderr


def _restore(path: Path, target: str) -> subprocess.CompletedProcess[str]:
    with path.open("rb") as dump:
        stdin = dump.read().decode()
    return run_catalog("restore", "--to", target, env=_env(), stdin=stdin, timeout=120)


def test_a_dump_restores_into_postgresql_with_every_row_login_and_etag(
    tmp_path: Path, fresh_postgres_url: str
) -> None:
    source = sqlite_url(tmp_path / "catalog.db")
    catalogue, before = asyncio.run(_filled(source))
    dump = tmp_path / "catalog.ndjson"
    _dump(source, dump)
    header = orjson.loads(dump.read_bytes().splitlines()[0])
    assert header == {"format": "catalog-dump", "version": 1, "revision": head_revision()}
    restored = _restore(dump, fresh_postgres_url)
    assert restored.returncode == 0, restored.stderr
    assert "verified" in restored.stdout
    assert asyncio.run(_events(fresh_postgres_url)) == asyncio.run(_events(source))
    asyncio.run(_served_alike(fresh_postgres_url, catalogue, before))
