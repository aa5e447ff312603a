"""Failed logins are throttled per account and per address: 429 with Retry-After, on one
process and across two processes serving one PostgreSQL database (or one Redis)."""

import secrets
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.e2e.api import PASSWORD, Api, build_app, serving, settings_for
from tests.e2e.live_server import serving_workers
from tests.e2e.problems import problem
from tests.unit.fakes import FakePasswordHasher, unique_email

PER_ACCOUNT, PER_ADDRESS, WINDOW = 3, 5, 600


WRONG = "wrong password"


async def _login(api: Api, email: str, password: str = WRONG) -> httpx.Response:
    return await api.client.post("/auth/token", data={"username": email, "password": password})


async def test_too_many_failures_answer_429_with_retry_after_and_no_hash() -> None:
    settings = settings_for(
        login_max_failures_per_account=PER_ACCOUNT,
        login_max_failures_per_address=PER_ADDRESS,
        login_window_seconds=WINDOW,
    )
    async with serving(*build_app(settings)) as api:
        email = unique_email()
        await api.register(email=email)
        statuses = [(await _login(api, email)).status_code for _ in range(PER_ACCOUNT)]
        hasher = api.container.hasher()
        assert isinstance(hasher, FakePasswordHasher)
        checked = hasher.verifies
        refused = await _login(api, email, PASSWORD)  # even the right password, for now
        body = problem(refused, 429)
        assert statuses == [401] * PER_ACCOUNT
        assert body["type"] == "urn:catalog:problem:too-many-attempts"
        assert 0 < int(refused.headers["retry-after"]) <= WINDOW
        assert hasher.verifies == checked
        others = [(await _login(api, unique_email())).status_code for _ in range(3)]
        assert others == [401, 401, 429]  # the address's fifth failure was the last


def _loopback_address() -> str:
    """A source address of our own in 127.0.0.0/8, so no other test shares its count."""
    a, b, c = (secrets.randbelow(250) + 2 for _ in range(3))
    return f"127.{a}.{b}.{c}"


def _client(base_url: str, address: str) -> httpx.Client:
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=base_url, transport=transport, timeout=10)


@pytest.mark.parametrize("store", ["database", "redis"])
def test_two_processes_share_the_counts(
    store: str, tmp_path: Path, fresh_postgres_url: str, request: pytest.FixtureRequest
) -> None:
    env = {
        "CATALOG_LOGIN_MAX_FAILURES_PER_ACCOUNT": str(PER_ACCOUNT),
        "CATALOG_LOGIN_MAX_FAILURES_PER_ADDRESS": str(PER_ADDRESS),
        "CATALOG_LOGIN_WINDOW_SECONDS": str(WINDOW),
    }
    if store == "redis":
        env["CATALOG_REDIS_URL"] = str(request.getfixturevalue("redis_url"))
    with ExitStack() as stack:
        first, second = (
            stack.enter_context(serving_workers(tmp_path, fresh_postgres_url, workers=1, env=env))
            for _ in range(2)
        )
        a = stack.enter_context(_client(first.base_url, _loopback_address()))
        b = stack.enter_context(_client(second.base_url, _loopback_address()))
        email = unique_email("throttled")
        assert a.post("/users", json={"name": "T", "email": email, "password": PASSWORD}).is_success
        wrong = {"username": email, "password": WRONG}
        statuses = [client.post("/auth/token", data=wrong).status_code for client in (a, b, a)]
        right = {"username": email, "password": PASSWORD}
        refused = b.post("/auth/token", data=right)
        assert statuses == [401, 401, 401]
        assert problem(refused, 429)
        assert int(refused.headers["retry-after"]) > 0
        # One address, failing on both processes for other accounts, is stopped at its limit.
        c_address = _loopback_address()
        c1 = stack.enter_context(_client(first.base_url, c_address))
        c2 = stack.enter_context(_client(second.base_url, c_address))
        tries = [(c1, c2)[i % 2] for i in range(PER_ADDRESS + 1)]
        seen = [
            c.post("/auth/token", data={"username": unique_email(), "password": "x"}).status_code
            for c in tries
        ]
        assert seen == [401] * PER_ADDRESS + [429]
