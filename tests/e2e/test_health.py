"""Probes, and what the app does when it starts and stops."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from typing import Any

import pytest
from dependency_injector import providers
from fastapi import FastAPI

from adapters.backends import Backend, open_backend
from entrypoints.container import Container
from tests.e2e.api import Api, build_app, serving, settings_for
from tests.e2e.problems import problem


@dataclass
class FakeBackend:
    """A memory backend that records what the app asked of it, and can be down."""

    down: bool = False
    calls: list[str] = field(default_factory=list)

    def backend(self) -> Backend:
        memory = open_backend("memory://")
        return replace(
            memory, name="fake", ping=self._ping, migrate=self._migrate, dispose=self._dispose
        )

    async def _ping(self) -> None:
        if self.down:
            raise ConnectionRefusedError("the database is down")

    async def _migrate(self) -> None:
        self.calls.append("migrate")

    async def _dispose(self) -> None:
        self.calls.append("dispose")


def _app_over(fake: FakeBackend, **settings: Any) -> tuple[FastAPI, Container]:
    app, container = build_app(settings_for(**settings))
    container.backend.override(providers.Resource(_resource, fake))
    return app, container


async def _resource(fake: FakeBackend) -> AsyncIterator[Backend]:
    backend = fake.backend()
    yield backend
    await backend.dispose()


async def test_live_and_ready_answer_ok(api: Api) -> None:
    for path in ("/health/live", "/health/ready"):
        response = await api.client.get(path)
        assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_ready_is_503_when_the_database_is_unreachable() -> None:
    fake = FakeBackend(down=True)
    async with serving(*_app_over(fake)) as api:
        response = await api.client.get("/health/ready")
        problem(response, 503)
        assert response.headers["retry-after"]
        assert (await api.client.get("/health/live")).status_code == 200


async def test_startup_migrates_and_shutdown_disposes() -> None:
    fake = FakeBackend()
    async with serving(*_app_over(fake)):
        assert fake.calls == ["migrate"]
    assert fake.calls == ["migrate", "dispose"]


async def test_startup_does_not_migrate_when_told_not_to() -> None:
    fake = FakeBackend()
    async with serving(*_app_over(fake, auto_migrate=False)):
        assert fake.calls == []


async def test_without_a_configured_secret_it_warns_and_still_signs_tokens(
    capsys: pytest.CaptureFixture[str],
) -> None:
    async with serving(*build_app(settings_for(jwt_secret=None))) as api:
        assert "CATALOG_JWT_SECRET is not set" in capsys.readouterr().err
        actor = await api.user()
        assert (await api.client.get("/users/me", headers=actor.auth)).status_code == 200
