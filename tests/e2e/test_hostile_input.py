"""Input an attacker would send, to a real `catalog serve` on SQLite and PostgreSQL: every
value past what its column holds is a 4xx problem, never a 500 (SPEC §5, issue 21)."""

import base64
import json
import time
from collections.abc import Iterator

import httpx
import jwt
import pytest

from tests.e2e.live_server import SECRET, Served, serving
from tests.support.data import unique, unique_email
from tests.support.postgres import PostgresServer

PASSWORD = "hostile input password"


def _cursor(payload: object) -> str:
    raw = json.dumps(payload).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _token(sub: str) -> str:
    now = int(time.time())
    claims = {"sub": sub, "iat": now, "exp": now + 60, "iss": "catalog", "aud": "catalog"}
    return jwt.encode(claims, SECRET, algorithm="HS256")


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    tmp_path = tmp_path_factory.mktemp("hostile")
    if request.param == "sqlite":
        with serving(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}") as running:
            yield running
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = server.create_database()
    try:
        with serving(tmp_path, url) as running:
            yield running
    finally:
        server.drop_database(url)


@pytest.fixture
def client(served: Served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served.base_url, timeout=10) as opened:
        yield opened


def _problem(response: httpx.Response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/problem+json")


HOSTILE_LISTS = [
    {"cursor": _cursor(["id", 2**31, None])},
    {"cursor": _cursor(["id", 2**63, None])},
    {"cursor": _cursor(["id", 0, None])},
    {"cursor": _cursor(["id", -1, None])},
    {"cursor": _cursor(["id", True, None])},
    {"cursor": _cursor(["id", 1.5, None])},
    {"cursor": _cursor(["id", "1", None])},
    {"cursor": _cursor(["price", 1, "1E+1000000"]), "sort": "price"},
    {"cursor": _cursor(["price", 1, "0E-1000000"]), "sort": "price"},
    {"cursor": _cursor(["price", 1, "\u0661.00"]), "sort": "price"},
    {"cursor": _cursor(["price", 1, " 1.00"]), "sort": "price"},
    {"cursor": _cursor(["price", 2**31, "1.00"]), "sort": "price"},
    {"min_price": "0E-1000000"},
    {"max_price": "1E+1000000"},
    {"min_price": "\u0661.00"},
    {"min_price": "1e2"},
    {"owner_id": "\u0661"},
    {"owner_id": str(2**31)},
]


@pytest.mark.parametrize("params", HOSTILE_LISTS, ids=lambda params: str(params)[:40])
def test_a_forged_cursor_or_filter_is_a_422(client: httpx.Client, params: dict[str, str]) -> None:
    _problem(client.get("/items", params=params), 422)


@pytest.mark.parametrize("params", HOSTILE_LISTS[-6:], ids=lambda params: str(params)[:40])
def test_a_hostile_export_filter_is_a_422(client: httpx.Client, params: dict[str, str]) -> None:
    _problem(client.get("/items/export", params=params), 422)


def _user(client: httpx.Client) -> dict[str, str]:
    email = unique_email("hostile")
    body = {"name": "Mallory", "email": email, "password": PASSWORD}
    assert client.post("/users", json=body).status_code == 201
    token = client.post("/auth/token", data={"username": email, "password": PASSWORD})
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


PRICES = ["\u0661.00", "1E-1000000", "0E-1000000", "1E+1000000", "1.001"]


@pytest.mark.parametrize("price", PRICES)
def test_a_price_out_of_bounds_as_a_string_is_a_422(client: httpx.Client, price: str) -> None:
    body = {"name": unique("item"), "price": price}
    _problem(client.post("/items", json=body, headers=_user(client)), 422)


@pytest.mark.parametrize("number", ["1E-1000000", "0E-1000000", "1E+1000000", "12.5E-100"])
def test_a_json_number_price_with_an_extreme_exponent_is_a_422(
    client: httpx.Client, number: str
) -> None:
    body = f'{{"name": "{unique("item")}", "price": {number}}}'.encode()
    headers = {**_user(client), "Content-Type": "application/json"}
    _problem(client.post("/items", content=body, headers=headers), 422)


def test_an_exact_json_number_price_is_kept_exactly(client: httpx.Client) -> None:
    body = f'{{"name": "{unique("item")}", "price": 12.10}}'.encode()
    headers = {**_user(client), "Content-Type": "application/json"}
    created = client.post("/items", content=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["price"] == "12.10"


@pytest.mark.parametrize("sub", ["\u0661", str(2**31), str(2**63), "-1", "0", " 1", "1.0"])
def test_a_signed_token_whose_subject_is_no_user_id_is_a_401(
    client: httpx.Client, sub: str
) -> None:
    response = client.get("/users/me", headers={"Authorization": f"Bearer {_token(sub)}"})
    _problem(response, 401)


def test_an_idempotency_key_too_long_is_refused(client: httpx.Client) -> None:
    body = {"name": "Eve", "email": unique_email("eve"), "password": PASSWORD}
    response = client.post("/users", json=body, headers={"Idempotency-Key": "k" * 256})
    _problem(response, 400, 422)


def test_a_long_forwarded_address_with_an_idempotency_key_is_no_500(client: httpx.Client) -> None:
    body = {"name": "Eve", "email": unique_email("eve"), "password": PASSWORD}
    headers = {"Idempotency-Key": unique("key"), "X-Forwarded-For": "1" * 300}
    response = client.post("/users", json=body, headers=headers)
    assert response.status_code in (201, 400, 422), response.text


def test_a_long_forwarded_address_on_a_failed_login_is_no_500(client: httpx.Client) -> None:
    form = {"username": unique_email("nobody"), "password": "wrong password"}
    response = client.post("/auth/token", data=form, headers={"X-Forwarded-For": "a" * 600})
    _problem(response, 400, 401, 422)


def test_a_long_email_on_a_failed_login_is_no_500(client: httpx.Client) -> None:
    form = {"username": "a" * 600 + "@example.com", "password": "wrong password"}
    _problem(client.post("/auth/token", data=form), 401, 422)


def test_the_log_holds_no_traceback(served: Served, client: httpx.Client) -> None:
    client.get("/items", params={"cursor": _cursor(["id", 2**31, None])})
    assert "Traceback" not in served.log_text()


def test_every_response_says_nosniff_and_personal_data_is_not_stored(
    client: httpx.Client,
) -> None:
    me = client.get("/users/me", headers=_user(client))
    assert me.status_code == 200
    assert me.headers["x-content-type-options"] == "nosniff"
    assert me.headers["cache-control"] == "no-store"
    listed = client.get("/items")
    assert listed.headers["x-content-type-options"] == "nosniff"
    assert "cache-control" not in listed.headers  # public: caches may keep it
    refused = client.get("/items", params={"limit": "0"})
    assert refused.headers["x-content-type-options"] == "nosniff"
