"""`Catalog-Consistency`: the token a write answers, that a read sends back (SPEC §6)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.consistency import Consistency, consistency_var, format_token, parse_token
from entrypoints.http.middleware.headers import header

CONSISTENCY_HEADER = b"catalog-consistency"


class ConsistencyMiddleware:
    """Opens the request's `Consistency` with the token it sent (a garbled one counts as
    none: the read goes wherever an untokened one would, never to an error), and puts
    the position its write committed at on a successful response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = header(scope, CONSISTENCY_HEADER)
        wanted = None if given is None else parse_token(given.decode("latin-1"))
        current = Consistency(wanted=wanted)
        token = consistency_var.set(current)

        async def send_with_token(message: Message) -> None:
            written = current.written
            started = message["type"] == "http.response.start"
            if started and written is not None and message["status"] < 400:
                value = format_token(written).encode()
                message["headers"] = [*message.get("headers", ()), (CONSISTENCY_HEADER, value)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_token)
        finally:
            consistency_var.reset(token)
