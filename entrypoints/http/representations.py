"""Domain objects to responses. Each resource's JSON has one definition, its response
model in schemas.py (which also documents it); `body_of` reads that model's fields off
the domain object, with no second validation pass. Fields the model declares as `str`
go out as `str(value)`: prices leave as the exact strings they are ("12.50"), and orjson
serialises everything else natively, with no per-value Python hook."""

from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode, urlunsplit

import orjson
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response

from adapters.sqlalchemy.faults import FAULT_TYPES, unavailable_cause
from application.pagination import Keyset
from application.ports import Stored
from domain.items import Item
from domain.users import User
from entrypoints.http.errors import log_unavailable
from entrypoints.http.schemas import ItemOut, UserOut
from entrypoints.http.versions import etag, unchanged

JSON = "application/json"
NDJSON = "application/x-ndjson"
_OPTIONS = orjson.OPT_UTC_Z
EXPORT_CHUNK = 200  # lines per write
Body = dict[str, Any]


def body_of(model: type[BaseModel]) -> Callable[[object], Body]:
    """A function from a domain object to the JSON body `model` describes."""
    names = tuple(model.model_fields)
    read = attrgetter(*names)
    as_text = tuple(name for name, field in model.model_fields.items() if field.annotation is str)

    def body(entity: object) -> Body:
        values = dict(zip(names, read(entity), strict=True))
        for name in as_text:
            values[name] = str(values[name])
        return values

    return body


user_body = body_of(UserOut)  # never the password hash: UserOut has no such field
item_body = body_of(ItemOut)


def dumps(body: object) -> bytes:
    return orjson.dumps(body, option=_OPTIONS)


def resource(
    body: Body, *, version: int, status: int = 200, location: str | None = None
) -> Response:
    """A single resource, with its ETag (and its Location when just created)."""
    headers = {"ETag": etag(version)}
    if location is not None:
        headers["Location"] = location
    return Response(dumps(body), status, headers, media_type=JSON)


def current(request: Request, body: Body, *, version: int) -> Response:
    """A resource as read: 304 with its ETag when the caller already holds this version."""
    if unchanged(request, version):
        return Response(status_code=304, headers={"ETag": etag(version)})
    return resource(body, version=version)


V = TypeVar("V", bound=Stored)


@dataclass(frozen=True, slots=True)
class Shape(Generic[V]):
    """How one kind of resource answers: its body, its ETag, and where it lives."""

    path: str  # the collection, e.g. "/items"
    body: Callable[[V], Body]

    def one(self, entity: V) -> Response:
        return resource(self.body(entity), version=entity.version)

    def created(self, entity: V) -> Response:
        location = f"{self.path}/{entity.id}"
        return resource(self.body(entity), version=entity.version, status=201, location=location)

    def read(self, request: Request, entity: V) -> Response:
        return current(request, self.body(entity), version=entity.version)


ITEM: Shape[Item] = Shape("/items", item_body)
USER: Shape[User] = Shape("/users", user_body)


def listing(rows: Iterable[Body], *, request: Request, next_key: Keyset | None) -> Response:
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


def ndjson_line(body: Body) -> bytes:
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
    finally:  # a client that goes away ends the read now, not at garbage collection
        await rest.aclose()
    if lines:
        yield b"".join(lines)
