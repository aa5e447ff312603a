"""One log line per request."""

import structlog
from starlette.types import ASGIApp, Scope

from entrypoints.http.middleware.headers import Observed


class AccessLogMiddleware(Observed):
    """One log line per request: method, path, status, duration in ms (and the request id,
    added by the logging processors)."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.log = structlog.get_logger("catalog.access").bind()

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        self.log.info(
            "request",
            method=scope["method"],
            path=scope["path"],
            status=status,
            duration_ms=round(seconds * 1000, 2),
        )
