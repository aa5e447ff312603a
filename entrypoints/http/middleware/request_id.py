"""`X-Request-ID` on every response and in every log line of the request."""

import random
import re

from starlette.types import Message, Receive, Scope, Send

from entrypoints.http.middleware.headers import HttpOnly, header
from entrypoints.logging import request_id_var

REQUEST_ID_HEADER = b"x-request-id"
_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")
_random_bits = random.getrandbits  # correlation ids, not secrets


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

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), (REQUEST_ID_HEADER, raw)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)
