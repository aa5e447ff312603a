"""What the middleware share: reading one request header, noting the response's status,
answering with a problem."""

import time

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of request header `name` (lower-case), in one pass, or None."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class StatusNoted:
    """`send`, noting the status of the response it starts (500 until then: what the
    client gets if the app fails before it answers) and whether it started one."""

    __slots__ = ("send", "started", "status")

    def __init__(self, send: Send) -> None:
        self.send = send
        self.status = 500
        self.started = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status, self.started = message["status"], True
        await self.send(message)


class HttpOnly:
    """Base of the middleware that act on HTTP requests alone: `handle` gets those, the
    rest (lifespan, websockets) pass straight through."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        else:
            await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class Observed(HttpOnly):
    """Base of the middleware that look at every answer once it is given (or failed):
    `observe` gets the request's scope, the status and how long it took."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        noted = StatusNoted(send)
        try:
            await self.app(scope, receive, noted)
        finally:
            self.observe(scope, noted.status, time.perf_counter() - started)

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        raise NotImplementedError


async def send_problem(
    send: Send,
    *,
    status: int,
    title: str,
    detail: str,
    instance: str,
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    """An RFC 9457 problem+json response, for middleware that answers before the app does."""
    problem = {"type": "about:blank", "title": title, "status": status}
    body = orjson.dumps({**problem, "detail": detail, "instance": instance})
    length = (b"content-length", str(len(body)).encode())
    start = [(b"content-type", b"application/problem+json"), length, *headers]
    await send({"type": "http.response.start", "status": status, "headers": start})
    await send({"type": "http.response.body", "body": body})
