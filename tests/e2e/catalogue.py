"""A catalogue filled through the API, and what the API shows of it: every user, every item,
the listings, each with its ETag, so a copy of the database can be served and compared."""

from dataclasses import dataclass
from typing import Any

from tests.e2e.api import PASSWORD, Actor, Api

IDEMPOTENT_BODY = {"name": "retried create", "price": "12.34"}
IDEMPOTENT_KEY = "copy-test-1"


@dataclass
class Catalogue:
    admin: Actor
    users: list[Actor]
    item_ids: list[int]
    gone_user: int
    gone_item: int


async def fill(api: Api) -> Catalogue:
    """Users (one with a non-ASCII name, one deleted), items with odd prices and names, a
    changed item, a deleted one (the newest, so the next id must skip it), an
    Idempotency-Key's stored response; with the outbox on, each change's unpublished event."""
    admin = await api.admin()
    ada, bob, gone = await api.user(), await api.user(), await api.user()
    renamed = await api.client.patch(
        f"/users/{ada.id}", json={"name": "Zoë Ångström-Łukasz"}, headers=ada.auth
    )
    assert renamed.status_code == 200, renamed.text
    items = [
        await api.item(ada, name="thé vert 🍵", price="0.01", description="Ünïcödé — «ok»"),
        await api.item(ada, name="Большой", price="99999999.99"),
        await api.item(bob, price="10.00", description=None),
        await api.item(gone, price="1.00"),
    ]
    changed = await api.client.patch(
        f"/items/{items[2]['id']}", json={"price": "10.10"}, headers=bob.auth
    )
    assert changed.status_code == 200, changed.text
    replayed = await api.client.post(
        "/items", json=IDEMPOTENT_BODY, headers={**bob.auth, "Idempotency-Key": IDEMPOTENT_KEY}
    )
    assert replayed.status_code == 201, replayed.text
    last = await api.item(bob, price="3.00")
    assert (await api.client.delete(f"/items/{last['id']}", headers=bob.auth)).status_code == 204
    assert (await api.client.delete(f"/users/{gone.id}", headers=admin.auth)).status_code == 204
    kept = [item["id"] for item in items[:3]] + [replayed.json()["id"]]
    return Catalogue(admin, [admin, ada, bob], kept, gone.id, last["id"])


def _shown(response: Any) -> tuple[int, Any, str | None]:
    return response.status_code, response.json(), response.headers.get("etag")


async def seen(api: Api, catalogue: Catalogue) -> dict[str, Any]:
    """What the API shows: each user and item (body and ETag), the listings, the gone."""
    auth = catalogue.admin.auth
    get = api.client.get
    shown: dict[str, Any] = {}
    for user in catalogue.users:
        shown[f"user {user.id}"] = _shown(await get(f"/users/{user.id}", headers=auth))
    for item_id in catalogue.item_ids:
        shown[f"item {item_id}"] = _shown(await get(f"/items/{item_id}"))
    shown["users"] = _shown(await get("/users", headers=auth))
    shown["items"] = _shown(await get("/items"))
    shown["gone user"] = (await get(f"/users/{catalogue.gone_user}", headers=auth)).status_code
    shown["gone item"] = (await get(f"/items/{catalogue.gone_item}")).status_code
    return shown


async def logins_and_ids_continue(api: Api, catalogue: Catalogue) -> None:
    """Every user logs in with their password, a replayed create answers as before, and the
    next item's id comes after every id ever given (the deleted newest one too)."""
    for user in catalogue.users:
        assert await api.token(user.email, PASSWORD)
    bob = catalogue.users[2]
    again = await api.client.post(
        "/items", json=IDEMPOTENT_BODY, headers={**bob.auth, "Idempotency-Key": IDEMPOTENT_KEY}
    )
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.json()["id"] == catalogue.item_ids[-1]
    new = await api.item(bob)
    assert new["id"] > catalogue.gone_item
