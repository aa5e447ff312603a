"""413 for a request body over the limit, without buffering it."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from entrypoints.http.middleware.headers import header, send_problem

_DISCONNECT: Message = {"type": "http.disconnect"}
_BODILESS = frozenset({"GET", "HEAD"})


async def _send_too_large(send: Send, limit: int, path: str) -> None:
    await send_problem(
        send,
        status=413,
        title="Content Too Large",
        detail=f"The request body exceeds {limit} bytes.",
        instance=path,
        headers=((b"connection", b"close"),),
    )


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
        declared = header(scope, b"content-length")
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
        counted = _CountedBody(receive, send, limit=self.limit, path=scope["path"])
        try:
            await self.app(scope, counted.receive, counted.send)
        except Exception:
            if not counted.over:
                raise
            # The app failed on the body it was refused (ClientDisconnect): 413 went out.


class _CountedBody:
    """A streamed body's `receive` and `send`, counting the bytes: past the limit, the
    app sees the client go and the client gets a 413 (unless an answer had started)."""

    def __init__(self, receive: Receive, send: Send, *, limit: int, path: str) -> None:
        self._receive, self._send, self._limit, self._path = receive, send, limit, path
        self.received = 0
        self.answered = False  # once we or the app started a response, we stay out of its way

    @property
    def over(self) -> bool:
        return self.received > self._limit

    async def receive(self) -> Message:
        message = await self._receive()
        if message["type"] != "http.request":
            return message
        self.received += len(message.get("body", b""))
        if not self.over:
            return message
        if not self.answered:
            self.answered = True
            await _send_too_large(self._send, self._limit, self._path)
        return _DISCONNECT  # the app stops reading as if the client had gone

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            if self.answered:
                return
            self.answered = True
        elif self.over:
            return  # the app's answer to a body it never fully got: ours went out
        await self._send(message)
