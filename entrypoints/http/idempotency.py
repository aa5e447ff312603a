"""`Idempotency-Key` on creates: the caller's key from the header, and the answer.

The write path keeps what a create made under its key (application/writes.py); a retry
gets it back and is answered as the first request was, marked `Idempotent-Replayed: true`.
"""

import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import orjson
from fastapi import Request
from starlette.responses import Response

from application.idempotency import HEADER, IdempotencyKey
from application.writes import Written
from domain.errors import InvariantViolated

T = TypeVar("T")
SCOPE_MAX = 200  # what storage holds (idempotency_keys.scope)
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
    if len(scope) > SCOPE_MAX:  # the caller is bounded (an id, a canonical address)
        raise InvariantViolated(HEADER, "cannot be used on this request")
    return IdempotencyKey(scope=scope, key=raw, fingerprint=digest)


def answered(request: Request, written: Written[T], respond: Callable[[T], Response]) -> Response:
    """The response to a create, rendered once from what it made (now, or by the first
    request with its key: then marked `Idempotent-Replayed: true`)."""
    response = respond(written.value)
    if written.replayed:
        request.state.idempotent_replay = True
        response.headers["Idempotent-Replayed"] = "true"
    return response
