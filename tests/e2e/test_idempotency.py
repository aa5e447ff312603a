"""`Idempotency-Key` on POST /items and POST /users, on every backend."""

import asyncio
from pathlib import Path

import pytest

from tests.e2e.api import PASSWORD, Api, build_app, serving
from tests.e2e.problems import error_locations, problem
from tests.e2e.test_flows import BACKENDS, _settings
from tests.unit.fakes import unique, unique_email


async def _check_items(api: Api) -> None:
    owner, other = await api.user(), await api.user()
    body = {"name": unique("once"), "price": "3.50"}
    headers = {**owner.auth, "Idempotency-Key": "create-1"}
    first = await api.client.post("/items", json=body, headers=headers)
    again = await api.client.post("/items", json=dict(reversed(body.items())), headers=headers)
    assert first.status_code == again.status_code == 201
    assert (again.text, again.headers["etag"]) == (first.text, first.headers["etag"])
    assert again.headers["location"] == first.headers["location"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    listed = await api.client.get(f"/items?owner_id={owner.id}")
    assert [item["id"] for item in listed.json()] == [first.json()["id"]]

    changed = await api.client.post("/items", json={**body, "price": "4"}, headers=headers)
    assert error_locations(changed) == [["header", "Idempotency-Key"]]
    theirs = await api.client.post(
        "/items", json=body, headers={**other.auth, "Idempotency-Key": "create-1"}
    )
    assert theirs.status_code == 201  # another caller's key, though spelled the same
    assert theirs.json()["id"] != first.json()["id"]
    bad = await api.client.post("/items", json=body, headers={**headers, "Idempotency-Key": ""})
    assert error_locations(bad) == [["header", "Idempotency-Key"]]


async def _check_users(api: Api) -> None:
    email = unique_email()
    body = {"name": "Ada", "email": email, "password": PASSWORD}
    key = {"Idempotency-Key": unique("register")}
    first = await api.client.post("/users", json=body, headers=key)
    again = await api.client.post("/users", json=body, headers=key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert (again.text, again.headers["location"]) == (first.text, first.headers["location"])
    # A failed create keeps nothing: the retry runs again, and fails alike.
    other_key = {"Idempotency-Key": unique("register")}
    for _ in range(2):
        problem(await api.client.post("/users", json=body, headers=other_key), 409)


async def _concurrent_retries(api: Api) -> None:
    owner = await api.user()
    headers = {**owner.auth, "Idempotency-Key": "burst"}
    body = {"name": unique("burst"), "price": "1.00"}
    answers = await asyncio.gather(
        *(api.client.post("/items", json=body, headers=headers) for _ in range(10))
    )
    statuses = sorted(answer.status_code for answer in answers)
    assert set(statuses) <= {201, 409}, statuses
    made = {answer.json()["id"] for answer in answers if answer.status_code == 201}
    assert len(made) == 1
    listed = await api.client.get(f"/items?owner_id={owner.id}")
    assert [item["id"] for item in listed.json()] == list(made)


@pytest.mark.parametrize("backend", BACKENDS)
async def test_idempotency_keys_on_each_backend(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    async with serving(*build_app(_settings(backend, tmp_path, request))) as api:
        await _check_items(api)
        await _check_users(api)
        await _concurrent_retries(api)


async def test_the_header_is_documented_on_both_creates(api: Api) -> None:
    paths = (await api.client.get("/openapi.json")).json()["paths"]
    for path in ("/users", "/items"):
        names = [p["name"] for p in paths[path]["post"]["parameters"]]
        assert "Idempotency-Key" in names
        assert "409" in paths[path]["post"]["responses"]
