"""The OpenAPI document says what the server answers: the errors' media type, the
statuses middleware and handlers add, and request schemas as strict as the checks."""

from typing import Any

from tests.e2e.api import Api

PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


async def _document(api: Api) -> dict[str, Any]:
    document: dict[str, Any] = (await api.client.get("/openapi.json")).json()
    return document


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in document["paths"].items() for m, op in ops.items()]


async def test_every_error_is_documented_as_problem_json(api: Api) -> None:
    document = await _document(api)
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["content"] == PROBLEM, (method, path, status)
    assert "HTTPValidationError" not in document["components"]["schemas"]


async def test_503_everywhere_400_and_413_where_a_body_is_read_429_on_login(api: Api) -> None:
    document = await _document(api)
    for method, path, operation in _operations(document):
        responses = operation["responses"]
        assert "Retry-After" in responses["503"]["headers"], (method, path)
        reads_body = "requestBody" in operation
        assert ("400" in responses) is reads_body, (method, path)
        assert ("413" in responses) is reads_body, (method, path)
    login = document["paths"]["/auth/token"]["post"]["responses"]
    assert "Retry-After" in login["429"]["headers"]


async def test_request_schemas_refuse_what_the_server_refuses(api: Api) -> None:
    schemas = (await _document(api))["components"]["schemas"]
    patch = schemas["UserPatch"]["properties"]
    assert patch["name"]["type"] == "string"  # not "string or null": null is refused
    assert "pattern" in patch["email"]
    price = schemas["ItemCreate"]["properties"]["price"]["anyOf"]
    assert {"type": "string", "pattern": r"^\d{1,8}(\.\d{1,2})?$"} in price
    assert {"type": "number", "minimum": 0, "maximum": 99999999.99, "multipleOf": 0.01} in price
    assert schemas["ItemPatch"]["properties"]["description"]["anyOf"][1] == {"type": "null"}


async def test_null_in_a_patch_is_refused_as_documented(api: Api) -> None:
    owner = await api.user()
    response = await api.client.patch(f"/users/{owner.id}", json={"name": None}, headers=owner.auth)
    assert response.status_code == 422
