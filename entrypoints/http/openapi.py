"""The OpenAPI document, made honest in one place: what FastAPI generates, plus what the
middleware and the error handlers answer that no route declares.

- every error response is `application/problem+json` with the `Problem` schema (FastAPI
  documents them as `application/json`, and its 422 as a shape we never send);
- 400 (a body that cannot be parsed) and 413 (a body over the limit) where a body is read;
- 503 with `Retry-After` everywhere (the database is unreachable or too slow);
- `Retry-After` on 429 and 503.
"""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from entrypoints.http.errors import PROBLEM_JSON

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
RETRY_AFTER = {
    "Retry-After": {
        "description": "Seconds to wait before trying again",
        "schema": {"type": "integer"},
    }
}
ADDED: dict[str, tuple[str, bool]] = {  # status: (meaning, only where a body is read)
    "400": ("The body cannot be parsed as the declared content type", True),
    "413": ("The body is larger than the limit (64 KiB by default)", True),
    "503": ("The database is unreachable or too slow: try again after `Retry-After`", False),
}
_FASTAPI_ONLY = ("HTTPValidationError", "ValidationError")


def install_openapi(app: FastAPI) -> None:
    """`app.openapi()` returns the honest document, built once on first request."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            app.openapi_schema = honest(document)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def honest(document: dict[str, Any]) -> dict[str, Any]:
    for path_item in document.get("paths", {}).values():
        for operation in path_item.values():
            for parameter in operation.get("parameters", []):
                _strict_parameter(parameter)
            _add_responses(operation)
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    _as_problem(status, response)
    schemas = document.get("components", {}).get("schemas", {})
    for name in _FASTAPI_ONLY:
        schemas.pop(name, None)
    return document


def _strict_parameter(parameter: dict[str, Any]) -> None:
    """A query or header parameter is absent or a string: never `null` (FastAPI documents
    `X | None` as "X or null")."""
    schema = parameter.get("schema", {})
    choices = schema.get("anyOf")
    if choices and {"type": "null"} in choices:
        kept = [choice for choice in choices if choice != {"type": "null"}]
        schema.pop("anyOf")
        schema.update(kept[0] if len(kept) == 1 else {"anyOf": kept})


def _add_responses(operation: dict[str, Any]) -> None:
    reads_body = "requestBody" in operation
    responses = operation["responses"]
    for status, (meaning, needs_body) in ADDED.items():
        if reads_body or not needs_body:
            responses.setdefault(status, {"description": meaning})


def _as_problem(status: str, response: dict[str, Any]) -> None:
    response["content"] = {PROBLEM_JSON: {"schema": PROBLEM_REF}}
    if status in ("429", "503"):
        response["headers"] = RETRY_AFTER
