"""Versions over HTTP, in one place (RFC 9110 §8.8.3, §13): the `ETag` a resource carries,
`If-Match` on the writes and `If-None-Match` on the reads, for every route.

The busy routes read these headers straight from the request rather than declaring them
as parameters (FastAPI would validate them on every request); `IF_MATCH` and
`IF_NONE_MATCH` document them in the OpenAPI schema as parameters would.
"""

from typing import Any

from starlette.requests import Request

_NEVER = 0  # versions start at 1, so an If-Match naming no version matches nothing: 412
_WEAK = "W/"


def _header_doc(name: str, description: str) -> dict[str, Any]:
    schema = {"type": "string", "title": name}
    parameter = {"name": name.lower(), "in": "header", "required": False, "schema": schema}
    return {"parameters": [{**parameter, "description": description}]}


IF_MATCH = _header_doc(
    "If-Match", 'The ETag the change is based on, e.g. "3"; 412 if it is no longer current'
)
IF_NONE_MATCH = _header_doc(
    "If-None-Match", 'The ETag the caller holds, e.g. "3"; 304 if it is still current'
)


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request: Request) -> int | None:
    """The version the caller's `If-Match` names: None with no header or `*`. Strong
    comparison: a weak tag (`W/"3"`), a list or an unreadable value matches nothing."""
    header = request.headers.get("if-match")
    if header is None or header.strip() == "*":
        return None
    tag = header.strip()
    if tag.startswith(_WEAK) or "," in tag or len(tag) < 3 or tag[0] != '"' or tag[-1] != '"':
        return _NEVER
    value = tag[1:-1]
    return int(value) if value.isdigit() and len(value) < 19 else _NEVER


def unchanged(request: Request, version: int) -> bool:
    """True when the caller's `If-None-Match` names the current version (or is `*`).
    Weak comparison, as RFC 9110 asks for this header."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    current = etag(version)
    tags = (tag.strip().removeprefix(_WEAK) for tag in header.split(","))
    return header.strip() == "*" or any(tag == current for tag in tags)
