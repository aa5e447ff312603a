"""The last resort: an unexpected exception becomes a 500 problem, inside the request id.

Starlette answers an exception nobody handled in its `ServerErrorMiddleware`, which is
outside every middleware the app adds: its 500 would miss `X-Request-ID` (and the access
log, and the metrics). This one sits inside them, so a 500 is a response like any other.
"""

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from entrypoints.http.middleware.headers import StatusNoted, send_problem


class ServerErrorMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("catalog.error")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        noted = StatusNoted(send)
        try:
            await self.app(scope, receive, noted)
        except Exception:
            # The traceback stays in the server's log; the client gets a problem.
            self.log.exception("unhandled error", method=scope["method"], path=scope["path"])
            if noted.started:
                raise  # half a response went out: only closing the connection is honest
            await send_problem(
                send,
                status=500,
                title="Internal Server Error",
                detail="the server failed to handle this request",
                instance=scope["path"],
            )
