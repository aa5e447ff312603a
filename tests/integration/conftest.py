"""The contract suite's one fixture: a migrated backend, parametrised memory / sqlite /
postgres / pgbouncer.

SQLite: each test gets its own copy of a database migrated once per session.
PostgreSQL: the session's database, migrated once; tests keep to their own unique rows.
pgbouncer: the same database, reached through pgbouncer in transaction pooling mode.
"""

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.sqlalchemy.dialect import Pooler
from application.ports import UnitOfWorkFactory
from tests.integration.outbox import Relays
from tests.support.backends import Backend, open_backend

BACKENDS = ["memory", "sqlite", "postgres", "pgbouncer"]


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def _migrate(url: str) -> None:
    backend = await open_backend(url)
    try:
        await backend.migrate()
    finally:
        await backend.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    asyncio.run(_migrate(sqlite_url(path)))
    return path


@pytest.fixture(scope="session")
def migrated_postgres_url(postgres_url: str) -> str:
    asyncio.run(_migrate(postgres_url))
    return postgres_url


def _url(request: pytest.FixtureRequest, name: str, tmp_path: Path) -> str:
    if name == "memory":
        return "memory://"
    if name == "sqlite":
        path = tmp_path / "catalog.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return sqlite_url(path)
    url = str(request.getfixturevalue("migrated_postgres_url"))
    if name == "pgbouncer":
        return request.getfixturevalue("pgbouncer").url_for(url)  # type: ignore[no-any-return]
    return url


# Sync fixtures, so that the session fixtures they pull in run outside the test's loop.
@pytest.fixture(params=BACKENDS)
def backend_target(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, Pooler]:
    """The database URL, and what stands between it and us."""
    pooler: Pooler = "pgbouncer" if request.param == "pgbouncer" else "none"
    return _url(request, request.param, tmp_path), pooler


@pytest.fixture(params=["sqlite", "postgres"])
def sql_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return _url(request, request.param, tmp_path)


@pytest.fixture
async def backend(backend_target: tuple[str, Pooler]) -> AsyncIterator[Backend]:
    url, pooler = backend_target
    opened = await open_backend(url, pool_size=4, pooler=pooler)
    try:
        yield opened
    finally:
        await opened.dispose()


@pytest.fixture
def uow(backend: Backend) -> UnitOfWorkFactory:
    return backend.uow


@pytest.fixture
async def relays() -> AsyncIterator[Relays]:
    """Relays over real JetStream publishers, closed after the test (see outbox.py)."""
    made = Relays()
    try:
        yield made
    finally:
        await made.close()
