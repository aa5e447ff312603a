"""The app as a whole: its published contract and its cross-origin policy."""

import gc
from inspect import getdoc

from application.items import ExportItems
from application.users import RegisterUser
from entrypoints.http.app import GC_THRESHOLD
from tests.e2e.api import Api, build_app, serving, settings_for

OPERATIONS = {
    ("post", "/auth/token"),
    ("post", "/users"),
    ("get", "/users"),
    ("get", "/users/me"),
    *((method, "/users/{user_id}") for method in ("get", "patch", "put", "delete")),
    ("post", "/items"),
    ("get", "/items"),
    ("get", "/items/export"),
    *((method, "/items/{item_id}") for method in ("get", "patch", "put", "delete")),
    ("get", "/health/live"),
    ("get", "/health/ready"),
}


async def test_the_openapi_document_lists_every_operation_with_its_rules(api: Api) -> None:
    document = (await api.client.get("/openapi.json")).json()
    paths = document["paths"]
    assert {(m, path) for path, ops in paths.items() for m in ops} == OPERATIONS
    assert paths["/users"]["post"]["description"] == getdoc(RegisterUser)
    assert paths["/items/export"]["get"]["description"] == getdoc(ExportItems)
    assert "application/x-ndjson" in paths["/items/export"]["get"]["responses"]["200"]["content"]
    create = document["components"]["schemas"]["ItemCreate"]
    assert create["additionalProperties"] is False


async def test_the_openapi_document_describes_every_parameter_of_the_busiest_routes(
    api: Api,
) -> None:
    # GET /items takes one query model, and GET/PATCH /items/{id} read their version
    # headers from the request: the document must still list each parameter.
    paths = (await api.client.get("/openapi.json")).json()["paths"]

    def parameters(method: str, path: str) -> dict[tuple[str, str], dict[str, object]]:
        return {(p["in"], p["name"]): p for p in paths[path][method]["parameters"]}

    listing = parameters("get", "/items")
    names = ("owner_id", "q", "min_price", "max_price", "sort", "limit", "skip", "cursor")
    assert set(listing) == {("query", name) for name in names}
    assert listing[("query", "limit")]["schema"] == {
        "type": "integer",
        "maximum": 100,
        "minimum": 1,
        "default": 20,
        "title": "Limit",
    }
    assert listing[("query", "q")]["description"] == "Name contains"
    assert set(parameters("get", "/items/{item_id}")) == {
        ("path", "item_id"),
        ("header", "if-none-match"),
    }
    patch = parameters("patch", "/items/{item_id}")
    assert set(patch) == {("path", "item_id"), ("header", "if-match")}
    assert "412" in str(patch[("header", "if-match")]["description"])
    assert paths["/items/{item_id}"]["patch"]["security"] == [{"OAuth2PasswordBearer": []}]


async def test_cors_is_off_unless_origins_are_configured(api: Api) -> None:
    response = await api.client.get("/items", headers={"Origin": "https://shop.example"})
    assert "access-control-allow-origin" not in response.headers


async def test_configured_origins_get_cors_headers() -> None:
    settings = settings_for(cors_origins=["https://shop.example"])
    async with serving(*build_app(settings)) as api:
        preflight = await api.client.options(
            "/items",
            headers={
                "Origin": "https://shop.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "authorization, content-type",
            },
        )
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://shop.example"
        listed = await api.client.get("/items", headers={"Origin": "https://shop.example"})
        assert "ETag" in listed.headers["access-control-expose-headers"]
        stranger = await api.client.get("/items", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in stranger.headers


async def test_a_started_app_freezes_its_startup_heap_and_collects_less_often() -> None:
    gc.unfreeze()
    gc.set_threshold(700, 10, 10)  # Python's defaults, as a fresh process has them
    app, container = build_app(settings_for())
    async with serving(app, container):
        assert gc.get_threshold() == GC_THRESHOLD
        assert gc.get_freeze_count() > 0  # startup's objects are out of the collector's way
