"""Clients written from the FastAPI + async SQLAlchemy tutorials: what works unchanged, and
where Catalog answers differently on purpose, clearly (README: "Coming from the tutorials")."""

from decimal import Decimal

import pytest

from tests.e2e.api import PASSWORD, Api
from tests.e2e.problems import error_locations, problem
from tests.support.data import unique_email


async def _tutorial_login(api: Api, email: str) -> dict[str, str]:
    """The security tutorial's client: the form at /token, grant_type and an empty scope."""
    form = {"grant_type": "password", "username": email, "password": PASSWORD, "scope": ""}
    response = await api.client.post("/token", data=form)
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "bearer"
    return {"Authorization": f"bearer {response.json()['access_token']}"}  # any case works


async def test_register_with_a_trailing_slash_and_log_in_at_token(api: Api) -> None:
    email = unique_email()
    body = {"name": "Ada", "email": email, "password": PASSWORD}
    registered = await api.client.post("/users/", json=body)
    assert registered.status_code == 201, registered.text
    me = await api.client.get("/users/me/", headers=await _tutorial_login(api, email))
    assert me.json()["email"] == email


async def test_token_at_the_tutorial_path_refuses_what_auth_token_refuses(api: Api) -> None:
    wrong = await api.client.post("/token", data={"username": unique_email(), "password": "x" * 9})
    assert problem(wrong, 401)["detail"] == "invalid credentials"
    assert ["body", "password"] in error_locations(
        await api.client.post("/token", data={"username": unique_email()})
    )


async def test_the_token_path_stays_out_of_the_documented_schema(api: Api) -> None:
    paths = (await api.client.get("/openapi.json")).json()["paths"]
    assert "/auth/token" in paths
    assert "/token" not in paths


@pytest.mark.parametrize(("sent", "stored"), [(12.5, "12.50"), (10, "10.00"), ("9.99", "9.99")])
async def test_numeric_prices_are_accepted_and_answered_as_decimal_strings(
    api: Api, sent: object, stored: str
) -> None:
    owner = await api.user()
    body = {"name": "Lamp", "description": None, "price": sent}
    created = await api.client.post("/items/", json=body, headers=owner.auth)
    assert created.status_code == 201, created.text
    assert created.json()["price"] == stored
    assert Decimal(created.json()["price"]) == Decimal(str(sent))


async def test_skip_and_limit_as_the_tutorials_send_them(api: Api) -> None:
    owner = await api.user()
    items = [await api.item(owner) for _ in range(3)]
    page = await api.client.get("/items/", params={"skip": 1, "limit": 100})
    assert page.status_code == 200
    assert [item["id"] for item in page.json()] == [item["id"] for item in items[1:]]


async def test_the_differences_on_purpose_answer_with_a_readable_problem(api: Api) -> None:
    email = unique_email()
    no_password = await api.client.post("/users/", json={"name": "Ada", "email": email})
    assert ["body", "password"] in error_locations(no_password)
    await api.register(email=email)
    duplicate = {"name": "Ada", "email": email.upper(), "password": PASSWORD}
    conflict = problem(await api.client.post("/users/", json=duplicate), 409)
    assert conflict["detail"] == f"email {email} is already registered"
    assert problem(await api.client.get("/items/999999"), 404)["detail"] == (
        "item 999999 not found"
    )
    user = await api.user()
    assert problem(await api.client.get("/users/", headers=user.auth), 403)["detail"]
    by_query = await api.client.put(f"/users/{user.id}?name=Bea", headers=user.auth)
    assert error_locations(by_query) == [["body"]]
