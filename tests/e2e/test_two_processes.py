"""Races between two `catalog serve` processes on one PostgreSQL database: what one
process's locks cannot decide, the database must (unique email, versions, idempotency)."""

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.e2e.live_server import Served, serving
from tests.e2e.problems import problem
from tests.support.data import unique, unique_email
from tests.support.postgres import PostgresServer

PASSWORD = "two processes password"


@pytest.fixture(scope="module")
def shared_url(postgres_server: PostgresServer) -> Iterator[str]:
    url = postgres_server.create_database()
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


@pytest.fixture(scope="module")
def pair(
    shared_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Served, Served]]:
    tmp = tmp_path_factory.mktemp("two")
    with serving(tmp, shared_url) as first, serving(tmp, shared_url) as second:
        yield first, second


async def _spread(
    pair: tuple[Served, Served], count: int, method: str, path: str, **kw: Any
) -> list[httpx.Response]:
    """`count` identical requests at once, alternately to each process."""
    async with (
        httpx.AsyncClient(base_url=pair[0].base_url, timeout=30) as one,
        httpx.AsyncClient(base_url=pair[1].base_url, timeout=30) as two,
    ):
        clients = [one, two]
        calls = (clients[n % 2].request(method, path, **kw) for n in range(count))
        return list(await asyncio.gather(*calls))


async def _one(served: Served, method: str, path: str, **kw: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=served.base_url, timeout=30) as client:
        return await client.request(method, path, **kw)


def _owner(served: Served) -> tuple[int, dict[str, str]]:
    email = unique_email("race")
    with httpx.Client(base_url=served.base_url, timeout=30) as client:
        body = {"name": "Racer", "email": email, "password": PASSWORD}
        user_id: int = client.post("/users", json=body).json()["id"]
        login = client.post("/auth/token", data={"username": email, "password": PASSWORD})
    return user_id, {"Authorization": f"Bearer {login.json()['access_token']}"}


async def test_one_email_registers_once_across_processes(pair: tuple[Served, Served]) -> None:
    body = {"name": "Twin", "email": unique_email("twin"), "password": PASSWORD}
    answers = await _spread(pair, 10, "POST", "/users", json=body)
    assert sorted(a.status_code for a in answers) == [201] + [409] * 9


async def test_concurrent_patches_with_one_if_match_let_one_win(
    pair: tuple[Served, Served],
) -> None:
    _, auth = _owner(pair[0])
    body = {"name": unique(), "price": "1.00"}
    item = await _one(pair[0], "POST", "/items", json=body, headers=auth)
    url, headers = item.headers["location"], {**auth, "If-Match": item.headers["etag"]}
    answers = await _spread(pair, 20, "PATCH", url, json={"price": "2.00"}, headers=headers)
    statuses = [a.status_code for a in answers]
    assert statuses.count(200) == 1, statuses
    assert set(statuses) <= {200, 409, 412}, statuses  # never 500, never two winners
    assert (await _one(pair[1], "GET", url)).headers["etag"] == '"2"'


async def test_ten_concurrent_retries_create_one_row(pair: tuple[Served, Served]) -> None:
    owner_id, auth = _owner(pair[0])
    headers = {**auth, "Idempotency-Key": unique("retry")}
    body = {"name": unique("retried"), "price": "5.00"}
    answers = await _spread(pair, 10, "POST", "/items", json=body, headers=headers)
    statuses = [a.status_code for a in answers]
    assert set(statuses) <= {201, 409}, statuses
    created = {a.text for a in answers if a.status_code == 201}
    assert len(created) == 1, created  # every 201 is the same response
    again = await _spread(pair, 2, "POST", "/items", json=body, headers=headers)
    assert {(a.status_code, a.text) for a in again} == {(201, created.pop())}
    listed = await _one(pair[1], "GET", f"/items?owner_id={owner_id}")
    assert len(listed.json()) == 1


@contextmanager
def _user_row_locked(url: str, user_id: int) -> Iterator[None]:
    """Holds the user's row FOR UPDATE: an item inserted for them waits (its foreign key
    check needs a share lock on it) until the block ends."""
    args = make_url(url).translate_connect_args(username="user", database="dbname")
    with psycopg.connect(**args) as conn, conn.transaction():
        conn.execute("SELECT 1 FROM users WHERE id = %s FOR UPDATE", [user_id])
        yield


async def _claimed(url: str, key: str, *, seconds: float = 60.0) -> None:
    """Waits until the claim of `key` is committed (the claim has its own transaction)."""
    args = make_url(url).translate_connect_args(username="user", database="dbname")
    deadline = asyncio.get_running_loop().time() + seconds
    with psycopg.connect(**args, autocommit=True) as conn:
        query = "SELECT count(*) FROM idempotency_keys WHERE key = %s"
        while conn.execute(query, [key]).fetchone() != (1,):
            assert asyncio.get_running_loop().time() < deadline, f"{key} never claimed"
            await asyncio.sleep(0.05)


async def test_a_retry_while_the_first_is_in_flight_in_another_process_is_a_409(
    pair: tuple[Served, Served], shared_url: str
) -> None:
    owner_id, auth = _owner(pair[0])
    headers = {**auth, "Idempotency-Key": unique("slow")}
    body = {"name": unique("slow"), "price": "5.00"}
    with _user_row_locked(shared_url, owner_id):
        first = asyncio.create_task(_one(pair[0], "POST", "/items", json=body, headers=headers))
        await _claimed(shared_url, headers["Idempotency-Key"])  # and waits for the lock
        problem(await _one(pair[1], "POST", "/items", json=body, headers=headers), 409)
    created = await first
    assert created.status_code == 201, created.text
    retried = await _one(pair[1], "POST", "/items", json=body, headers=headers)
    assert (retried.status_code, retried.text) == (201, created.text)
