"""`X-Request-ID` on every response and in every log line of the request; and, on the
same pass over the response's headers, those OWASP's REST security cheat sheet asks of
an API: `X-Content-Type-Options: nosniff` on all, `Cache-Control: no-store` on those that
hold personal data (users' emails: everything under /users)."""

import random
import re

from starlette.types import Message, Receive, Scope, Send

from entrypoints.http.middleware.headers import HttpOnly, header
from entrypoints.logging import request_id_var

REQUEST_ID_HEADER = b"x-request-id"
_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")
_random_bits = random.getrandbits  # correlation ids, not secrets
_NOSNIFF = (b"x-content-type-options", b"nosniff")
_NO_STORE = (b"cache-control", b"no-store")
_PERSONAL = "/users"


def _personal(path: str) -> bool:
    return path == _PERSONAL or path.startswith(_PERSONAL + "/")


class RequestIdMiddleware(HttpOnly):
    """Keeps the caller's `X-Request-ID` when it is sane, else makes one; puts it on the
    response and in `request_id_var`, so every log line of the request carries it."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        given = header(scope, REQUEST_ID_HEADER)
        if given is not None and _SANE_REQUEST_ID.fullmatch(given):
            raw = given
        else:
            # 128 random bits as 32 hex digits, like uuid4().hex without the syscall: an id
            # to correlate logs by, not a secret.
            raw = b"%032x" % _random_bits(128)
        token = request_id_var.set(raw.decode())
        extra = [(REQUEST_ID_HEADER, raw), _NOSNIFF]
        if _personal(scope["path"]):
            extra.append(_NO_STORE)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
