"""The main flows again on every backend: memory, SQLite (a file) and PostgreSQL."""

import asyncio
from pathlib import Path

import httpx
import orjson
import pytest

from entrypoints.container import build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.e2e.api import PASSWORD, Api, build_app, serving, settings_for
from tests.e2e.problems import error_locations, problem
from tests.unit.fakes import unique, unique_email


async def _register_login_publish_list_change_delete(api: Api) -> None:
    owner, other = await api.user(), await api.user()
    problem(
        await api.client.post(
            "/users", json={"name": "x", "email": owner.email.upper(), "password": PASSWORD}
        ),
        409,
    )
    tag = unique("flow")
    made = [await api.item(owner, name=f"{tag}-{n}", price=f"{n}.99") for n in range(5)]
    rows: list[int] = []
    url: str | None = f"/items?q={tag}&sort=-price&limit=2"
    while url:
        page = await api.client.get(url)
        rows += [row["id"] for row in page.json()]
        url = page.links.get("next", {}).get("url")
    assert rows == [item["id"] for item in reversed(made)]
    exported = await api.client.get(f"/items/export?q={tag}")
    assert [orjson.loads(line) for line in exported.content.splitlines()] == made

    item_url = f"/items/{made[0]['id']}"
    guarded = {**owner.auth, "If-Match": '"1"'}
    changed = await api.client.patch(item_url, json={"price": "0.01"}, headers=guarded)
    assert (changed.status_code, changed.json()["price"]) == (200, "0.01")
    problem(await api.client.patch(item_url, json={"price": "0.02"}, headers=guarded), 412)
    problem(await api.client.delete(item_url, headers=other.auth), 403)
    assert (await api.client.delete(item_url, headers=owner.auth)).status_code == 204
    problem(await api.client.get(item_url), 404)

    assert (await api.client.delete(f"/users/{owner.id}", headers=owner.auth)).status_code == 204
    assert (await api.client.get(f"/items?q={tag}")).json() == []
    problem(await api.client.get("/users/me", headers=owner.auth), 401)
    assert (await api.client.get("/health/ready")).status_code == 200


def _sqlite(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'e2e.db'}"


BACKENDS = ["memory", "sqlite", "postgresql", "pgbouncer"]


def _settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """The app's settings for `backend`; "pgbouncer" is PostgreSQL in transaction pooling
    mode behind pgbouncer, with the setting that makes Catalog safe there."""
    if backend == "memory":
        return settings_for()
    if backend == "sqlite":
        return settings_for(_sqlite(tmp_path))
    url = str(request.getfixturevalue("fresh_postgres_url"))
    if backend == "pgbouncer":
        pooled = request.getfixturevalue("pgbouncer").url_for(url)
        return settings_for(pooled, db_pooler="pgbouncer")
    return settings_for(url)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_the_main_flows_on_each_backend(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with serving(*build_app(_settings(backend, tmp_path, request))) as api:
        assert api.container.storage_kind() == backend.replace("pgbouncer", "postgresql")
        await _register_login_publish_list_change_delete(api)


async def test_the_unoverridden_container_hashes_with_argon2id() -> None:
    settings = settings_for()
    app = create_app(settings, container=build_container(settings))
    email = unique_email()
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as client,
    ):
        body = {"name": unique(), "email": email, "password": PASSWORD}
        assert (await client.post("/users", json=body)).status_code == 201
        token = await client.post("/auth/token", data={"username": email, "password": PASSWORD})
        assert token.status_code == 200
        user = await app.state.container.users().get_by_email(email)
        assert user is not None
        assert user.password_hash.startswith("$argon2id$")


@pytest.mark.parametrize("backend", BACKENDS)
async def test_concurrent_writes_never_lose_an_update_or_fail(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with serving(*build_app(_settings(backend, tmp_path, request))) as api:
        owner = await api.user()
        item = await api.item(owner, price="1.00")
        item_url = f"/items/{item['id']}"
        patches = [
            api.client.patch(item_url, json={"name": f"writer {n}"}, headers=owner.auth)
            for n in range(8)
        ]
        statuses = [response.status_code for response in await asyncio.gather(*patches)]
        assert set(statuses) <= {200, 409}, statuses
        final = await api.client.get(item_url)
        assert final.headers["etag"] == f'"{1 + statuses.count(200)}"'


@pytest.mark.parametrize("backend", BACKENDS)
async def test_ids_past_the_storage_range_are_422_not_500(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with serving(*build_app(_settings(backend, tmp_path, request))) as api:
        owner = await api.user()
        largest = 2**31 - 1
        problem(await api.client.get(f"/items/{largest}"), 404)
        problem(await api.client.get(f"/users/{largest}", headers=owner.auth), 403)
        for path in (f"/items/{largest + 1}", f"/items?owner_id={largest + 1}"):
            problem(await api.client.get(path), 422)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_a_nul_byte_in_the_search_is_a_422_not_a_500(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with serving(*build_app(_settings(backend, tmp_path, request))) as api:
        for path in ("/items?q=%00", "/items?q=a%00b", "/items/export?q=%00", "/items?q=%09"):
            assert error_locations(await api.client.get(path)) == [["query", "q"]], path
        assert (await api.client.get("/items?q=%C3%A9")).json() == []  # no name has control
