"""POST /auth/token and bearer tokens on protected routes."""

import base64
import time

import jwt
import orjson
import pytest

from tests.e2e.api import PASSWORD, SECRET, Api
from tests.e2e.problems import error_locations, problem
from tests.unit.fakes import FakePasswordHasher, unique_email


def _claims(user_id: int, **overrides: object) -> dict[str, object]:
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + 600, "iss": "catalog", "aud": "catalog"}
    return {**claims, **overrides}


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


async def _me(api: Api, token: str) -> int:
    response = await api.client.get("/users/me", headers={"Authorization": f"Bearer {token}"})
    if response.status_code == 401:
        problem(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"
    return response.status_code


async def test_a_token_is_issued_for_the_right_password(api: Api) -> None:
    email = unique_email()
    user_id = await api.register(email=email)
    response = await api.client.post(
        "/auth/token", data={"username": email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900  # 15 minutes
    assert response.headers["cache-control"] == "no-store"
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"], audience="catalog")
    assert claims["sub"] == str(user_id)
    assert claims["exp"] - claims["iat"] == 900
    assert jwt.get_unverified_header(body["access_token"])["typ"] == "at+jwt"
    assert {"sid", "jti", "nbf"} <= set(claims)
    assert len(body["refresh_token"]) >= 43  # 256 random bits, base64url


async def test_wrong_password_and_unknown_email_look_the_same(api: Api) -> None:
    email = unique_email()
    await api.register(email=email)
    hasher = api.container.hasher()
    assert isinstance(hasher, FakePasswordHasher)
    before = hasher.verifies
    wrong = await api.client.post("/auth/token", data={"username": email, "password": "nope-123"})
    unknown = await api.client.post(
        "/auth/token", data={"username": unique_email(), "password": PASSWORD}
    )
    assert problem(wrong, 401) == problem(unknown, 401) | {"instance": "/auth/token"}
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"] == "Bearer"
    assert hasher.verifies == before + 2  # the unknown email paid for a check too


async def test_the_token_form_needs_both_fields(api: Api) -> None:
    response = await api.client.post("/auth/token", data={"username": unique_email()})
    assert ["body", "password"] in error_locations(response)


@pytest.mark.parametrize(
    ("authorization", "problem_type"),
    [
        (None, "not-authenticated"),  # no token offered at all
        ("Basic dTpw", "not-authenticated"),  # no bearer token among what was offered
        ("Bearer not-a-jwt", "invalid-credentials"),  # a token, and a bad one
    ],
)
async def test_a_protected_route_without_a_valid_token_is_401_with_a_challenge(
    api: Api, authorization: str | None, problem_type: str
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    response = await api.client.get("/users/me", headers=headers)
    body = problem(response, 401)
    assert body["type"] == f"urn:catalog:problem:{problem_type}"
    assert body["detail"] == problem_type.replace("-", " ")
    assert response.headers["www-authenticate"] == "Bearer"


async def test_a_valid_token_reaches_the_caller(api: Api) -> None:
    actor = await api.user()
    assert await _me(api, actor.token) == 200


async def test_tampered_tokens_are_refused(api: Api) -> None:
    actor = await api.user()
    header, _, signature = actor.token.split(".")
    other = _b64(_claims(actor.id + 1))
    flipped = signature[:-2] + ("AA" if not signature.endswith("AA") else "BB")
    for token in (f"{header}.{other}.{signature}", f"{header}.{_b64(_claims(actor.id))}.{flipped}"):
        assert await _me(api, token) == 401
    assert await _me(api, "not-a-jwt") == 401


async def test_alg_none_is_refused(api: Api) -> None:
    actor = await api.user()
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(actor.id))}."
    assert await _me(api, unsigned) == 401


async def test_expired_foreign_and_misaddressed_tokens_are_refused(api: Api) -> None:
    actor = await api.user()
    tokens = [
        jwt.encode(_claims(actor.id, exp=int(time.time()) - 10), SECRET, algorithm="HS256"),
        jwt.encode(_claims(actor.id), "another-secret-that-is-32-bytes-long!!", algorithm="HS256"),
        jwt.encode(_claims(actor.id, aud="someone-else"), SECRET, algorithm="HS256"),
        jwt.encode(_claims(actor.id, iss="someone-else"), SECRET, algorithm="HS256"),
    ]
    for token in tokens:
        assert await _me(api, token) == 401


async def test_the_tokens_of_a_deactivated_user_stop_working(api: Api) -> None:
    admin, actor = await api.admin(), await api.user()
    deactivate = await api.client.patch(
        f"/users/{actor.id}", json={"is_active": False}, headers=admin.auth
    )
    assert deactivate.status_code == 200
    assert deactivate.json()["is_active"] is False
    assert await _me(api, actor.token) == 401
    login = await api.client.post(
        "/auth/token", data={"username": actor.email, "password": PASSWORD}
    )
    problem(login, 401)


async def test_the_tokens_of_a_deleted_user_stop_working(api: Api) -> None:
    actor = await api.user()
    assert (await api.client.delete(f"/users/{actor.id}", headers=actor.auth)).status_code == 204
    assert await _me(api, actor.token) == 401
    create = await api.client.post("/items", json={"name": "x", "price": "1"}, headers=actor.auth)
    problem(create, 401)
