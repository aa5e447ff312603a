"""Probes, and what the app does when it starts and stops."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncEngine

from application.storage import StorageUnavailable
from entrypoints.container import Container
from tests.e2e.api import Api, build_app, serving, settings_for
from tests.e2e.problems import problem
from tests.support.backends import engine_for


@dataclass
class FakeStorage:
    """Stands in for the storage's ping, migration and engine: records what the app
    asked of them, and can be down."""

    down: bool = False
    calls: list[str] = field(default_factory=list)

    async def ping(self) -> None:
        if self.down:
            raise StorageUnavailable("unreachable")

    async def migrate(self) -> None:
        self.calls.append("migrate")

    async def engine(self, url: str) -> AsyncIterator[AsyncEngine]:
        engine = engine_for(url)
        yield engine
        await engine.dispose()
        self.calls.append("dispose")


def _app_over(fake: FakeStorage, tmp_path: Path, **settings: Any) -> tuple[FastAPI, Container]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"
    app, container = build_app(settings_for(url, **settings))
    container.ping.override(providers.Coroutine(fake.ping))
    container.migrate.override(providers.Coroutine(fake.migrate))
    container.sql_storage.engine.override(providers.Resource(fake.engine, url))
    return app, container


async def test_live_and_ready_answer_ok(api: Api) -> None:
    for path in ("/health/live", "/health/ready"):
        response = await api.client.get(path)
        assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_ready_is_503_when_the_database_is_unreachable(tmp_path: Path) -> None:
    fake = FakeStorage(down=True)
    async with serving(*_app_over(fake, tmp_path)) as api:
        response = await api.client.get("/health/ready")
        problem(response, 503)
        assert response.headers["retry-after"]
        assert (await api.client.get("/health/live")).status_code == 200


async def test_startup_migrates_and_shutdown_disposes(tmp_path: Path) -> None:
    fake = FakeStorage()
    async with serving(*_app_over(fake, tmp_path)):
        assert fake.calls == ["migrate"]
    assert fake.calls == ["migrate", "dispose"]


async def test_startup_does_not_migrate_when_told_not_to(tmp_path: Path) -> None:
    fake = FakeStorage()
    async with serving(*_app_over(fake, tmp_path, auto_migrate=False)):
        assert fake.calls == []


async def test_without_a_configured_secret_it_warns_and_still_signs_tokens(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serving(*build_app(settings_for(jwt_secret=None))) as api:
        assert "CATALOG_JWT_SECRET is not set" in capsys.readouterr().err
        actor = await api.user()
        assert (await api.client.get("/users/me", headers=actor.auth)).status_code == 200
