"""/users: registration, the caller, administration, and who may do what."""

from datetime import datetime

from tests.e2e.api import PASSWORD, Api
from tests.e2e.problems import error_locations, problem
from tests.unit.fakes import unique, unique_email

USER_FIELDS = {"id", "name", "email", "is_active", "is_admin", "created_at", "updated_at"}


async def test_registration_answers_201_with_location_etag_and_the_user(api: Api) -> None:
    email = unique_email()
    response = await api.client.post(
        "/users", json={"name": "  Ada  ", "email": f"  {email.upper()} ", "password": PASSWORD}
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == USER_FIELDS
    assert (body["name"], body["email"]) == ("Ada", email)
    assert (body["is_active"], body["is_admin"]) == (True, False)
    assert datetime.fromisoformat(body["created_at"]).tzinfo is not None
    assert response.headers["location"] == f"/users/{body['id']}"
    assert response.headers["etag"] == '"1"'
    fetched = await api.client.get(response.headers["location"], headers=(await _auth(api, email)))
    assert fetched.json() == body


async def _auth(api: Api, email: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {await api.token(email)}"}


async def test_a_duplicate_email_in_any_case_is_409(api: Api) -> None:
    email = unique_email()
    await api.register(email=email)
    again = await api.client.post(
        "/users", json={"name": unique(), "email": email.upper(), "password": PASSWORD}
    )
    assert problem(again, 409)["type"].endswith("email-already-registered")


async def test_password_bounds_are_enforced(api: Api) -> None:
    for password in ("short", "x" * 129):
        body = {"name": unique(), "email": unique_email(), "password": password}
        assert error_locations(await api.client.post("/users", json=body)) == [["body", "password"]]


async def test_me_is_the_caller(api: Api) -> None:
    actor = await api.user()
    response = await api.client.get("/users/me", headers=actor.auth)
    assert response.json()["id"] == actor.id
    assert response.headers["etag"] == '"1"'


async def test_only_an_admin_lists_users_and_pages_follow_link(api: Api) -> None:
    admin, actor = await api.admin(), await api.user()
    problem(await api.client.get("/users", headers=actor.auth), 403)
    ids = [await api.register() for _ in range(4)]
    seen: list[int] = []
    url: str | None = "/users?limit=2"
    while url:
        response = await api.client.get(url, headers=admin.auth)
        assert response.status_code == 200
        seen += [user["id"] for user in response.json()]
        url = response.links.get("next", {}).get("url")
    assert seen == sorted({admin.id, actor.id, *ids})


async def test_users_sort_only_by_id(api: Api) -> None:
    admin = await api.admin()
    descending = await api.client.get("/users?sort=-id", headers=admin.auth)
    assert [u["id"] for u in descending.json()] == [admin.id]
    assert error_locations(await api.client.get("/users?sort=price", headers=admin.auth)) == [
        ["query", "sort"]
    ]


async def test_a_user_reads_and_changes_only_themselves(api: Api) -> None:
    actor, other = await api.user(), await api.user()
    for method in ("GET", "DELETE"):
        problem(await api.client.request(method, f"/users/{other.id}", headers=actor.auth), 403)
    patch = await api.client.patch(f"/users/{other.id}", json={"name": "x"}, headers=actor.auth)
    problem(patch, 403)
    promote = await api.client.patch(
        f"/users/{actor.id}", json={"is_admin": True}, headers=actor.auth
    )
    problem(promote, 403)


async def test_an_admin_reads_and_changes_anyone(api: Api) -> None:
    admin, actor = await api.admin(), await api.user()
    assert (await api.client.get(f"/users/{actor.id}", headers=admin.auth)).status_code == 200
    promoted = await api.client.patch(
        f"/users/{actor.id}", json={"is_admin": True}, headers=admin.auth
    )
    assert promoted.json()["is_admin"] is True
    assert (await api.client.delete(f"/users/{actor.id}", headers=admin.auth)).status_code == 204
    problem(await api.client.get(f"/users/{actor.id}", headers=admin.auth), 404)


async def test_patch_changes_name_email_and_password(api: Api) -> None:
    actor = await api.user()
    new_email, new_password = unique_email(), "a new password"
    response = await api.client.patch(
        f"/users/{actor.id}",
        json={"name": "Renamed", "email": new_email, "password": new_password},
        headers=actor.auth,
    )
    assert response.status_code == 200
    assert (response.json()["name"], response.json()["email"]) == ("Renamed", new_email)
    assert response.headers["etag"] == '"2"'
    assert await api.token(new_email, new_password)


async def test_patch_refuses_null_and_an_email_already_taken(api: Api) -> None:
    actor, other = await api.user(), await api.user()
    null = await api.client.patch(f"/users/{actor.id}", json={"name": None}, headers=actor.auth)
    assert error_locations(null) == [["body", "name"]]
    taken = await api.client.patch(
        f"/users/{actor.id}", json={"email": other.email.upper()}, headers=actor.auth
    )
    problem(taken, 409)


async def test_put_replaces_name_and_email_and_needs_both(api: Api) -> None:
    actor = await api.user()
    email = unique_email()
    replaced = await api.client.put(
        f"/users/{actor.id}", json={"name": "Put", "email": email}, headers=actor.auth
    )
    assert (replaced.json()["name"], replaced.json()["email"]) == ("Put", email)
    partial = await api.client.put(f"/users/{actor.id}", json={"name": "x"}, headers=actor.auth)
    assert error_locations(partial) == [["body", "email"]]


async def test_if_match_guards_user_writes(api: Api) -> None:
    actor = await api.user()
    url = f"/users/{actor.id}"
    ok = await api.client.patch(url, json={"name": "v2"}, headers={**actor.auth, "If-Match": '"1"'})
    assert ok.headers["etag"] == '"2"'
    stale = await api.client.patch(
        url, json={"name": "v3"}, headers={**actor.auth, "If-Match": '"1"'}
    )
    problem(stale, 412)
    problem(await api.client.delete(url, headers={**actor.auth, "If-Match": '"1"'}), 412)
    assert (
        await api.client.delete(url, headers={**actor.auth, "If-Match": '"2"'})
    ).status_code == 204


async def test_if_none_match_gives_304(api: Api) -> None:
    actor = await api.user()
    cached = await api.client.get("/users/me", headers={**actor.auth, "If-None-Match": '"1"'})
    assert cached.status_code == 304
    assert cached.content == b""
    assert cached.headers["etag"] == '"1"'
    fresh = await api.client.get("/users/me", headers={**actor.auth, "If-None-Match": '"9"'})
    assert fresh.status_code == 200


async def test_an_unknown_user_is_404_for_an_admin(api: Api) -> None:
    admin = await api.admin()
    assert problem(await api.client.get("/users/999999", headers=admin.auth), 404)["type"].endswith(
        "not-found"
    )
