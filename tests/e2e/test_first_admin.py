"""CATALOG_FIRST_ADMIN_*: the administrator the service creates at start-up, on every
backend (memory:// included: it is made in the serving process), once, however many
processes start together."""

import asyncio
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from tests.e2e.api import PASSWORD, Api, build_app, serving, settings_for
from tests.e2e.live_server import catalog_env, make_run
from tests.support.backends import open_backend
from tests.support.data import unique_email


def _first_admin(url: str, email: str) -> dict[str, str]:
    return {"database_url": url, "first_admin_email": email, "first_admin_password": PASSWORD}


async def _users_seen_by(api: Api, email: str) -> list[tuple[str, bool]]:
    token = await api.token(email)
    response = await api.client.get("/users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return [(user["email"], user["is_admin"]) for user in response.json()]


async def test_on_memory_the_first_admin_exists_in_the_serving_app() -> None:
    email = unique_email("root")
    async with serving(*build_app(settings_for(**_first_admin("memory://", email)))) as api:
        assert await _users_seen_by(api, email) == [(email, True)]


async def test_a_restart_finds_the_admin_and_an_existing_user_is_not_promoted(
    tmp_path: Path,
) -> None:
    url, email = f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}", unique_email("root")
    plain = unique_email("plain")
    async with serving(*build_app(settings_for(**_first_admin(url, email)))) as api:
        await api.register(email=plain)
    async with serving(*build_app(settings_for(**_first_admin(url, email)))) as api:
        assert await _users_seen_by(api, email) == [(email, True), (plain, False)]
    async with serving(*build_app(settings_for(**_first_admin(url, plain)))) as api:
        assert await _users_seen_by(api, email) == [(email, True), (plain, False)]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
async def test_processes_starting_together_make_one_admin(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """Real argon2 (off the event loop): the start-ups overlap, and all of them start."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"
    else:
        url = str(request.getfixturevalue("fresh_postgres_url"))
    storage = await open_backend(url)
    await storage.migrate()  # once: in-process start-ups would queue on the SQLite file lock
    await storage.dispose()
    email = unique_email("root")
    settings = settings_for(**_first_admin(url, email), auto_migrate=False)
    apps = [create_app(settings, container=build_container(settings)) for _ in range(3)]
    async with AsyncExitStack() as started:
        await asyncio.gather(
            *(started.enter_async_context(app.router.lifespan_context(app)) for app in apps)
        )
        transport = httpx.ASGITransport(app=apps[-1])
        async with httpx.AsyncClient(transport=transport, base_url="http://catalog.test") as client:
            api = Api(client, apps[-1], apps[-1].state.container)
            assert await _users_seen_by(api, email) == [(email, True)]


def test_make_run_on_memory_with_a_first_admin_from_the_environment(tmp_path: Path) -> None:
    """The README's line: CATALOG_DATABASE_URL=memory:// CATALOG_FIRST_ADMIN_EMAIL=...
    CATALOG_FIRST_ADMIN_PASSWORD=... make run; then GET /users with the admin's token."""
    email = unique_email("root")
    env = catalog_env(
        "memory://", CATALOG_FIRST_ADMIN_EMAIL=email, CATALOG_FIRST_ADMIN_PASSWORD=PASSWORD
    )
    with (
        make_run(env, tmp_path / "run.log") as base_url,
        httpx.Client(base_url=base_url) as client,
    ):
        login = client.post("/auth/token", data={"username": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        token = login.json()["access_token"]
        users = client.get("/users", headers={"Authorization": f"Bearer {token}"})
    assert users.status_code == 200, users.text
    assert [(u["email"], u["is_admin"]) for u in users.json()] == [(email, True)]
