"""Pure ASGI middleware, one concern per module.

Each class wraps the next ASGI app and touches only `http` requests. They sit on every
request's path, so they do as little as they can: one pass over the headers, no buffering,
no `BaseHTTPMiddleware` (which copies every body through a task and a memory stream).

Order, outermost first: request id, access log, metrics (when given), server error,
body size limit, trailing slash, consistency token (see `install_middleware`).
"""

from starlette.applications import Starlette

from entrypoints.http.metrics import Metrics
from entrypoints.http.middleware.access_log import AccessLogMiddleware
from entrypoints.http.middleware.body_limit import BodySizeLimitMiddleware
from entrypoints.http.middleware.consistency import ConsistencyMiddleware
from entrypoints.http.middleware.metrics import MetricsMiddleware
from entrypoints.http.middleware.request_id import RequestIdMiddleware
from entrypoints.http.middleware.server_error import ServerErrorMiddleware
from entrypoints.http.middleware.trailing_slash import TrailingSlashMiddleware

__all__ = ["install_middleware"]


def install_middleware(
    app: Starlette,
    *,
    max_body_bytes: int,
    metrics: Metrics | None = None,
    consistency: bool = False,
) -> None:
    """Adds them in the right order (Starlette runs the last added first); the
    consistency token only where there are read replicas to need it."""
    if consistency:
        app.add_middleware(ConsistencyMiddleware)
    app.add_middleware(TrailingSlashMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_body_bytes=max_body_bytes)
    app.add_middleware(ServerErrorMiddleware)
    if metrics is not None:
        app.add_middleware(MetricsMiddleware, metrics=metrics)
    app.add_middleware(AccessLogMiddleware)
    app.add_middleware(RequestIdMiddleware)
