"""The app as a whole: its published contract and its cross-origin policy."""

from inspect import getdoc

from application.items import ExportItems
from application.users import RegisterUser
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
