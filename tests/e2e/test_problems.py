"""Every error is problem+json: unknown routes, wrong methods, bad input, big bodies."""

import httpx
import pytest
from dependency_injector import providers

from tests.e2e.api import BASE_URL, Api, build_app, settings_for
from tests.e2e.problems import error_locations, problem
from tests.unit.fakes import unique_email


async def test_an_unknown_route_is_a_404_problem(api: Api) -> None:
    body = problem(await api.client.get("/no/such/route"), 404)
    assert body["instance"] == "/no/such/route"


async def test_a_wrong_method_is_a_405_problem_naming_the_allowed_ones(api: Api) -> None:
    response = await api.client.delete("/items")
    problem(response, 405)
    assert "GET" in response.headers["allow"]


async def test_an_unknown_body_field_is_refused(api: Api) -> None:
    body = {"name": "n", "email": unique_email(), "password": "long enough", "is_admin": True}
    response = await api.client.post("/users", json=body)
    assert ["body", "is_admin"] in error_locations(response)


async def test_validation_errors_list_every_field_without_echoing_input(api: Api) -> None:
    response = await api.client.post("/users", json={"name": "", "email": "x"})
    locations = error_locations(response)
    assert ["body", "name"] in locations
    assert ["body", "password"] in locations


async def test_malformed_json_is_a_422_problem(api: Api) -> None:
    response = await api.client.post(
        "/users", content=b"{not json", headers={"content-type": "application/json"}
    )
    error_locations(response)


async def test_a_domain_rule_broken_is_a_422_with_the_field(api: Api) -> None:
    body = {"name": "bell\x07", "email": unique_email(), "password": "long enough"}
    assert error_locations(await api.client.post("/users", json=body)) == [["body", "name"]]


@pytest.mark.parametrize(
    ("field", "value"), [("email", "not-an-email"), ("email", "a@b"), ("password", "x" * 7)]
)
async def test_fields_refused_by_request_or_domain_rules_report_one_location_form(
    api: Api, field: str, value: str
) -> None:
    body = {"name": "Ada", "email": unique_email(), "password": "long enough", field: value}
    assert error_locations(await api.client.post("/users", json=body)) == [["body", field]]


async def test_a_bad_path_parameter_is_a_422_not_a_500(api: Api) -> None:
    for path in ("/items/0", f"/items/{2**64}"):
        assert error_locations(await api.client.get(path)) == [["path", "item_id"]]
    problem(await api.client.get("/items/abc"), 404)  # names no item: no route matches


async def test_a_method_a_fixed_path_does_not_take_is_405_not_a_bad_id(api: Api) -> None:
    for method, path, allowed in (("PUT", "/users/me", "GET"), ("DELETE", "/items/export", "GET")):
        response = await api.client.request(method, path)
        problem(response, 405)
        assert response.headers["allow"] == allowed


async def test_a_body_over_the_limit_is_a_413_problem(api: Api) -> None:
    owner = await api.user()
    huge = {"name": "big", "price": "1.00", "description": "x" * (65 * 1024)}
    response = await api.client.post("/items", json=huge, headers=owner.auth)
    problem(response, 413)


async def test_paths_answer_with_and_without_a_trailing_slash_without_redirect(api: Api) -> None:
    owner = await api.user()
    created = await api.client.post(
        "/items/", json={"name": "slash", "price": "1.00"}, headers=owner.auth
    )
    assert created.status_code == 201
    for path in ("/items", "/items/", f"/items/{created.json()['id']}/", "/users/me/"):
        response = await api.client.get(path, headers=owner.auth)
        assert response.status_code == 200, path


async def test_every_response_carries_a_request_id_and_keeps_the_callers(api: Api) -> None:
    assert (await api.client.get("/health/live")).headers["x-request-id"]
    response = await api.client.get("/nowhere", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"


class _Broken:
    async def __call__(self, query: object) -> object:
        raise RuntimeError("secret internals: /srv/catalog/db.py line 12")


async def test_an_unexpected_failure_is_a_500_problem_with_the_request_id() -> None:
    app, container = build_app(settings_for())
    container.get_item.override(providers.Factory(_Broken))
    transport = httpx.ASGITransport(app=app)  # nothing escapes the app to the server
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client,
    ):
        response = await client.get("/items/1", headers={"X-Request-ID": "trace-500"})
    body = problem(response, 500)
    assert "secret internals" not in response.text
    assert body["instance"] == "/items/1"
    assert response.headers["x-request-id"] == "trace-500"
