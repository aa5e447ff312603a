"""/items: publish, read, change and delete, with ownership and versions."""

from decimal import Decimal

import pytest

from tests.e2e.api import Api
from tests.e2e.problems import error_locations, problem
from tests.unit.fakes import unique

ITEM_FIELDS = {"id", "owner_id", "name", "description", "price", "created_at", "updated_at"}


async def test_publishing_answers_201_with_location_and_the_owner(api: Api) -> None:
    owner = await api.user()
    response = await api.client.post(
        "/items",
        json={"name": " Lamp ", "description": "brass", "price": "12.5"},
        headers=owner.auth,
    )
    assert response.status_code == 201
    item = response.json()
    assert set(item) == ITEM_FIELDS
    assert (item["name"], item["owner_id"], item["price"]) == ("Lamp", owner.id, "12.50")
    assert response.headers["location"] == f"/items/{item['id']}"
    assert response.headers["etag"] == '"1"'
    assert (await api.client.get(response.headers["location"])).json() == item


async def test_publishing_needs_a_token(api: Api) -> None:
    response = await api.client.post("/items", json={"name": "x", "price": "1.00"})
    problem(response, 401)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("price", "stored"),
    [("0", "0.00"), (19.99, "19.99"), ("0.10", "0.10"), ("99999999.99", "99999999.99")],
)
async def test_prices_are_exact(api: Api, price: object, stored: str) -> None:
    owner = await api.user()
    response = await api.client.post(
        "/items", json={"name": unique(), "price": price}, headers=owner.auth
    )
    assert response.json()["price"] == stored


@pytest.mark.parametrize(
    "price", ["-0.01", "100000000.00", "1.001", "NaN", "Infinity", "abc", None]
)
async def test_prices_out_of_bounds_are_422(api: Api, price: object) -> None:
    owner = await api.user()
    response = await api.client.post(
        "/items", json={"name": unique(), "price": price}, headers=owner.auth
    )
    assert ["body", "price"] in error_locations(response)


async def test_string_bounds_are_422(api: Api) -> None:
    owner = await api.user()
    for body, field in (
        ({"name": "x" * 101, "price": "1"}, "name"),
        ({"name": "   ", "price": "1"}, "name"),
        ({"name": "x", "price": "1", "description": "d" * 2001}, "description"),
    ):
        response = await api.client.post("/items", json=body, headers=owner.auth)
        assert ["body", field] in error_locations(response)


async def test_an_unknown_item_is_404(api: Api) -> None:
    assert problem(await api.client.get("/items/987654"), 404)["detail"] == "item 987654 not found"


async def test_only_the_owner_or_an_admin_changes_an_item(api: Api) -> None:
    owner, stranger, admin = await api.user(), await api.user(), await api.admin()
    item = await api.item(owner)
    url = f"/items/{item['id']}"
    problem(await api.client.patch(url, json={"name": "mine"}, headers=stranger.auth), 403)
    problem(await api.client.delete(url, headers=stranger.auth), 403)
    by_admin = await api.client.patch(url, json={"price": "3.30"}, headers=admin.auth)
    assert (by_admin.json()["price"], by_admin.json()["owner_id"]) == ("3.30", owner.id)
    assert (await api.client.delete(url, headers=owner.auth)).status_code == 204
    problem(await api.client.get(url), 404)


async def test_patch_changes_only_the_given_fields(api: Api) -> None:
    owner = await api.user()
    item = await api.item(owner, description="keep me", price="5.00")
    url = f"/items/{item['id']}"
    renamed = await api.client.patch(url, json={"name": "Renamed"}, headers=owner.auth)
    assert renamed.json() | {"updated_at": None} == item | {
        "name": "Renamed",
        "updated_at": None,
    }
    assert renamed.headers["etag"] == '"2"'
    cleared = await api.client.patch(url, json={"description": None}, headers=owner.auth)
    assert cleared.json()["description"] is None
    problem(await api.client.patch(url, json={"price": None}, headers=owner.auth), 422)
    problem(await api.client.patch(url, json={"owner_id": 1}, headers=owner.auth), 422)


async def test_put_replaces_the_item(api: Api) -> None:
    owner = await api.user()
    item = await api.item(owner, description="old")
    url = f"/items/{item['id']}"
    replaced = await api.client.put(url, json={"name": "New", "price": "7"}, headers=owner.auth)
    assert (replaced.json()["name"], replaced.json()["price"]) == ("New", "7.00")
    assert replaced.json()["description"] is None
    partial = await api.client.put(url, json={"name": "No price"}, headers=owner.auth)
    assert error_locations(partial) == [["body", "price"]]


async def test_etags_if_match_and_if_none_match(api: Api) -> None:
    owner = await api.user()
    item = await api.item(owner)
    url = f"/items/{item['id']}"
    assert (await api.client.get(url, headers={"If-None-Match": '"1"'})).status_code == 304
    assert (await api.client.get(url, headers={"If-None-Match": 'W/"1", "7"'})).status_code == 304
    assert (await api.client.get(url, headers={"If-None-Match": '"2"'})).status_code == 200
    guarded = {**owner.auth, "If-Match": '"1"'}
    assert (await api.client.patch(url, json={"name": "a"}, headers=guarded)).status_code == 200
    problem(await api.client.patch(url, json={"name": "b"}, headers=guarded), 412)
    problem(await api.client.put(url, json={"name": "b", "price": "1"}, headers=guarded), 412)
    garbage = {**owner.auth, "If-Match": "yesterday"}
    problem(await api.client.patch(url, json={"name": "c"}, headers=garbage), 412)
    weak = {**owner.auth, "If-Match": 'W/"2"'}  # the current version, weakly: strong compares
    problem(await api.client.patch(url, json={"name": "c"}, headers=weak), 412)
    problem(await api.client.delete(url, headers=guarded), 412)
    anything = {**owner.auth, "If-Match": "*"}
    assert (await api.client.patch(url, json={"name": "d"}, headers=anything)).status_code == 200
    current = {**owner.auth, "If-Match": '"3"'}
    assert (await api.client.delete(url, headers=current)).status_code == 204


async def test_deleting_a_user_deletes_their_items(api: Api) -> None:
    owner = await api.user()
    item = await api.item(owner)
    assert (await api.client.delete(f"/users/{owner.id}", headers=owner.auth)).status_code == 204
    problem(await api.client.get(f"/items/{item['id']}"), 404)


async def test_decimal_prices_survive_a_round_trip_exactly(api: Api) -> None:
    owner = await api.user()
    item = await api.item(owner, price="0.30")
    assert Decimal(item["price"]) == Decimal("0.1") + Decimal("0.2")
