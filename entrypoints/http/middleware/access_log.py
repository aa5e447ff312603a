"""One log line per request."""

import time

import structlog
from starlette.types import ASGIApp, Receive, Scope, Send

from entrypoints.http.middleware.headers import StatusNoted


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
        noted = StatusNoted(send)
        try:
            await self.app(scope, receive, noted)
        finally:
            self.log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=noted.status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
