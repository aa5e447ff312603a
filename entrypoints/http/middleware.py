"""Pure ASGI middleware: request ids, access log, body size limit, trailing slashes.

Each class wraps the next ASGI app and touches only `http` requests. They sit on every
request's path, so they do as little as they can: one pass over the headers, no buffering,
no `BaseHTTPMiddleware` (which copies every body through a task and a memory stream).

Order, outermost first: `RequestIdMiddleware`, `AccessLogMiddleware`,
`BodySizeLimitMiddleware`, `TrailingSlashMiddleware` (see `install_middleware`).
"""

import random
import re
import time

import orjson
import structlog
from starlette.applications import Starlette
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.logging import request_id_var

REQUEST_ID_HEADER = b"x-request-id"
_SANE_REQUEST_ID = re.compile(rb"[A-Za-z0-9._:\-]{1,128}")
_DISCONNECT: Message = {"type": "http.disconnect"}
_BODILESS = frozenset({"GET", "HEAD"})
_random_bits = random.getrandbits  # correlation ids, not secrets


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class RequestIdMiddleware:
    """Keeps the caller's `X-Request-ID` when it is sane, else makes one; puts it on the
    response and in `request_id_var`, so every log line of the request carries it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = _header(scope, REQUEST_ID_HEADER)
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


class AccessLogMiddleware:
    """One log line per request: method, path, status, duration in ms (and the request id,
    added by the logging processors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("catalog.access").bind()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers if the app fails before it responds

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            self.log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )


def _too_large_body(limit: int, path: str) -> bytes:
    return orjson.dumps(
        {
            "type": "about:blank",
            "title": "Content Too Large",
            "status": 413,
            "detail": f"The request body exceeds {limit} bytes.",
            "instance": path,
        }
    )


async def _send_too_large(send: Send, limit: int, path: str) -> None:
    body = _too_large_body(limit, path)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class BodySizeLimitMiddleware:
    """413 problem+json for a body over `max_body_bytes`: at once when `Content-Length`
    says so, else as soon as the streamed body passes the limit. Nothing is buffered."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.limit = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _header(scope, b"content-length")
        if declared is not None and declared.isdigit():
            if int(declared) > self.limit:
                await _send_too_large(send, self.limit, scope["path"])
                return
            # The server never hands over more than the declared length.
            await self.app(scope, receive, send)
            return
        if scope["method"] in _BODILESS:
            await self.app(scope, receive, send)  # no declared body, and none is read
            return
        await self._counted(scope, receive, send)

    async def _counted(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        answered = False  # once we or the app started a response, we stay out of its way

        async def counting_receive() -> Message:
            nonlocal received, answered
            message = await receive()
            if message["type"] != "http.request":
                return message
            received += len(message.get("body", b""))
            if received <= self.limit:
                return message
            if not answered:
                answered = True
                await _send_too_large(send, self.limit, scope["path"])
            return _DISCONNECT  # the app stops reading as if the client had gone

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if message["type"] == "http.response.start":
                if answered:
                    return
                answered = True
            elif received > self.limit:
                return  # the app's answer to a body it never fully got: ours went out
            await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        except Exception:
            if received <= self.limit:
                raise
            # The app failed on the body it was refused (ClientDisconnect): 413 went out.


class TrailingSlashMiddleware:
    """`/users/` is served as `/users`, directly: no redirect, one route per path."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            if len(path) > 1 and path.endswith("/"):
                scope = {**scope, "path": path.rstrip("/") or "/"}
                raw_path = scope.get("raw_path")
                if raw_path:
                    scope["raw_path"] = raw_path.rstrip(b"/") or b"/"
        await self.app(scope, receive, send)


def install_middleware(app: Starlette, *, max_body_bytes: int) -> None:
    """Adds the four in the right order (Starlette runs the last added first)."""
    app.add_middleware(TrailingSlashMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=max_body_bytes)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestIdMiddleware)
