"""Domain objects to JSON bytes, built directly: the response models document the shape,
these functions produce it once, with no second validation pass. Prices go out as the
strings they are ("12.50", exact, with their two places): orjson serialises every value
natively, with no Python `default` hook called per price."""

from collections.abc import AsyncGenerator, AsyncIterator, Iterable
from typing import Any
from urllib.parse import urlencode, urlunsplit

import orjson
from starlette.requests import Request
from starlette.responses import Response

from adapters.sqlalchemy.faults import FAULT_TYPES, unavailable_cause
from application.pagination import Keyset
from domain.items import Item
from domain.users import User
from entrypoints.http.dependencies import etag
from entrypoints.http.errors import log_unavailable

JSON = "application/json"
NDJSON = "application/x-ndjson"
_OPTIONS = orjson.OPT_UTC_Z
EXPORT_CHUNK = 200  # lines per write


def dumps(body: object) -> bytes:
    return orjson.dumps(body, option=_OPTIONS)


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
        "price": str(item.price),  # exact, with its two places
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


def listing(
    rows: Iterable[dict[str, Any]], *, request: Request, next_key: Keyset | None
) -> Response:
    """A bare JSON array; `Link: <...>; rel="next"` when more rows exist."""
    headers = None
    if next_key is not None:
        headers = {"Link": f'<{next_url(request, next_key.encode())}>; rel="next"'}
    return Response(dumps(list(rows)), 200, headers, media_type=JSON)


def next_url(request: Request, cursor: str) -> str:
    """The request's URL with `cursor` set last and no `skip`: the query parameters as
    the app already parsed them, encoded once."""
    params = [
        (key, value)
        for key, value in request.query_params.multi_items()
        if key != "skip" and key != "cursor"
    ]
    params.append(("cursor", cursor))
    return urlunsplit(request.url.components._replace(query=urlencode(params)))


def ndjson_line(body: dict[str, Any]) -> bytes:
    return dumps(body) + b"\n"


async def ndjson_stream(first: Item | None, rest: AsyncGenerator[Item]) -> AsyncIterator[bytes]:
    """NDJSON lines in chunks of EXPORT_CHUNK: fewer, larger writes.

    The status went out with the first chunk, so a database fault mid-stream cannot become
    a 503: the lines read so far go out, the fault is logged, and the response ends."""
    if first is None:
        return
    lines = [ndjson_line(item_body(first))]
    try:
        async for item in rest:
            lines.append(ndjson_line(item_body(item)))
            if len(lines) >= EXPORT_CHUNK:
                yield b"".join(lines)
                lines.clear()
    except FAULT_TYPES as error:
        cause = unavailable_cause(error)
        if cause is None:
            raise
        log_unavailable(error, cause=cause)
    finally:  # a client that goes away ends the read and its transaction now, not at GC
        await rest.aclose()
    if lines:
        yield b"".join(lines)
