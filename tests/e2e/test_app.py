"""The app as a whole: its published contract and its cross-origin policy."""

import gc
from inspect import getdoc

from application.items import ExportItems
from application.registration import RegisterUser
from entrypoints.container import build_container
from entrypoints.http.app import GC_THRESHOLD, create_app
from entrypoints.http.versions import IF_MATCH, IF_NONE_MATCH
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
    assert patch[("header", "if-match")] == IF_MATCH["parameters"][0]
    # Every route with a version documents its header the same way (versions.py).
    for path in ("/items/{item_id}", "/users/{user_id}"):
        for method in ("patch", "put", "delete"):
            assert parameters(method, path)[("header", "if-match")] == IF_MATCH["parameters"][0]
        header = parameters("get", path)[("header", "if-none-match")]
        assert header == IF_NONE_MATCH["parameters"][0]
    assert ("header", "if-none-match") in parameters("get", "/users/me")
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


async def test_only_the_served_app_settles_the_garbage_collector() -> None:
    """`catalog serve`'s app freezes its startup heap and collects less often; an app a
    test builds leaves the process's collector as it found it."""
    defaults = (700, 10, 10)  # Python's, as a fresh process has them

    async def started(**options: bool) -> tuple[tuple[int, int, int], int]:
        gc.unfreeze()
        gc.set_threshold(*defaults)
        settings = settings_for()
        app = create_app(settings, container=build_container(settings), **options)
        async with app.router.lifespan_context(app):
            return gc.get_threshold(), gc.get_freeze_count()

    try:
        assert await started() == (defaults, 0)
        threshold, frozen = await started(settle_gc=True)
        assert threshold == GC_THRESHOLD
        assert frozen > 0  # startup's objects are out of the collector's way
    finally:
        gc.unfreeze()
        gc.set_threshold(*defaults)
