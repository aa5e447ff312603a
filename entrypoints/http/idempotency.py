"""`Idempotency-Key` on creates: read the header, run the create once, replay its response.

The response kept for a key is its status, `Location`, `ETag` and body, as JSON; a replay
answers them again, marked `Idempotent-Replayed: true`.
"""

import hashlib
import re
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, TypeVar

import orjson
from fastapi import Request
from starlette.responses import Response

from application.idempotency import HEADER, IdempotencyKey, IdempotentWrite, Replay
from domain.errors import InvariantViolated
from entrypoints.http.dependencies import container
from entrypoints.http.representations import JSON

T = TypeVar("T")
_KEPT_HEADERS = ("location", "etag")
_SANE_KEY = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII, as the IETF draft suggests
_DESCRIPTION = (
    "Makes a retry safe: a request repeated with the same key and the same body gets the "
    "first one's status, `Location`, `ETag` and body back (and `Idempotent-Replayed: true`) "
    "and creates nothing. The same key with another body is a 422; while the first request "
    "is still being processed, a 409. Keys belong to the caller (the token's user, or the "
    "client address for registration) and are kept 24 hours."
)
IDEMPOTENCY_DOC: dict[str, Any] = {
    "parameters": [
        {
            "name": HEADER,
            "in": "header",
            "required": False,
            "description": _DESCRIPTION,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255},
        }
    ]
}


def idempotency_key(
    request: Request, *, caller: str, body: Mapping[str, Any]
) -> IdempotencyKey | None:
    """The request's key, scoped to `caller` and this operation; None without the header.
    `body` is what must be the same on a retry (the parsed request, not its bytes)."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    if not _SANE_KEY.fullmatch(raw):
        raise InvariantViolated(HEADER, "must be 1 to 255 visible ASCII characters")
    digest = hashlib.sha256(orjson.dumps(body, option=orjson.OPT_SORT_KEYS)).hexdigest()
    scope = f"{request.method} {request.url.path.rstrip('/')} {caller}"
    return IdempotencyKey(scope=scope, key=raw, fingerprint=digest)


async def created_once(
    request: Request,
    key: IdempotencyKey | None,
    *,
    create: Callable[[IdempotentWrite[T] | None], Awaitable[T]],
    respond: Callable[[T], Response],
) -> Response:
    """`respond(await create(...))`, or with a key: the create at most once."""
    if key is None:
        return respond(await create(None))
    outcome = (
        await container(request)
        .idempotency_keys()
        .run(key, create, present=lambda made: _kept(respond(made)))
    )
    if isinstance(outcome, Replay):
        request.state.idempotent_replay = True
        return _replayed(outcome.response)
    return respond(outcome)


def _kept(response: Response) -> bytes:
    headers = {name: response.headers[name] for name in _KEPT_HEADERS if name in response.headers}
    body = bytes(response.body).decode()  # JSON: UTF-8 text
    return orjson.dumps({"status": response.status_code, "headers": headers, "body": body})


def _replayed(stored: bytes) -> Response:
    kept = orjson.loads(stored)
    headers = {**kept["headers"], "Idempotent-Replayed": "true"}
    return Response(kept["body"].encode(), kept["status"], headers, media_type=JSON)
