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
