"""Domain objects to JSON bytes, built directly: the response models document the shape,
these functions produce it once, with no second validation pass."""

from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from decimal import Decimal
from typing import Any

import orjson
from starlette.datastructures import URL
from starlette.responses import Response

from application.pagination import Keyset
from domain.items import Item
from domain.users import User
from entrypoints.http.dependencies import etag

JSON = "application/json"
NDJSON = "application/x-ndjson"
_OPTIONS = orjson.OPT_UTC_Z
EXPORT_CHUNK = 200  # lines per write


def _default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)  # exact, with its two places
    raise TypeError(type(value).__name__)


def dumps(body: object) -> bytes:
    return orjson.dumps(body, default=_default, option=_OPTIONS)


def user_body(user: User) -> dict[str, Any]:
    """Never the password hash."""
    return {
        "id": user.id,
        "name": user.name,
        "email": user.email,
        "is_active": user.is_active,
        "is_admin": user.is_admin,
        "created_at": user.created_at,
        "updated_at": user.updated_at,
    }


def item_body(item: Item) -> dict[str, Any]:
    return {
        "id": item.id,
        "owner_id": item.owner_id,
        "name": item.name,
        "description": item.description,
        "price": item.price,
        "created_at": item.created_at,
        "updated_at": item.updated_at,
    }


def resource(
    body: dict[str, Any], *, version: int, status: int = 200, location: str | None = None
) -> Response:
    """A single resource, with its ETag (and its Location when just created)."""
    headers = {"ETag": etag(version)}
    if location is not None:
        headers["Location"] = location
    return Response(dumps(body), status, headers, media_type=JSON)


def not_modified(version: int) -> Response:
    return Response(status_code=304, headers={"ETag": etag(version)})


def listing(rows: Iterable[dict[str, Any]], *, url: URL, next_key: Keyset | None) -> Response:
    """A bare JSON array; `Link: <...>; rel="next"` when more rows exist."""
    headers = None
    if next_key is not None:
        next_url = url.remove_query_params("skip").include_query_params(cursor=next_key.encode())
        headers = {"Link": f'<{next_url}>; rel="next"'}
    return Response(dumps(list(rows)), 200, headers, media_type=JSON)


def ndjson_line(body: dict[str, Any]) -> bytes:
    return dumps(body) + b"\n"


async def ndjson_stream(first: Item | None, rest: AsyncGenerator[Item]) -> AsyncIterator[bytes]:
    """NDJSON lines in chunks of EXPORT_CHUNK: fewer, larger writes."""
    if first is None:
        return
    lines = [ndjson_line(item_body(first))]
    try:
        async for item in rest:
            lines.append(ndjson_line(item_body(item)))
            if len(lines) >= EXPORT_CHUNK:
                yield b"".join(lines)
                lines.clear()
        yield b"".join(lines)
    finally:  # a client that goes away ends the read and its transaction now, not at GC
        await rest.aclose()
