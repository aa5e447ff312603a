"""Counts and times every request for Prometheus (entrypoints/http/metrics.py).

The labels are the route template the router matched (`/items/{item_id}`, read from
`scope["route"]` once routing is done: no path parsing), the method and the status. The
labelled children are looked up once per label set and cached, so a request costs two
clock reads, a dict lookup, an increment and an observation.
"""

from typing import Any

from starlette.routing import Route
from starlette.types import ASGIApp, Scope

from entrypoints.http.metrics import Metrics
from entrypoints.http.middleware.headers import Observed

UNMATCHED = "unmatched"  # no route: one label for every unknown path
OTHER = "other"  # answered without an API route (the docs' static assets)
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_THROTTLED_ROUTE = "/auth/token"


class MetricsMiddleware(Observed):
    def __init__(self, app: ASGIApp, *, metrics: Metrics) -> None:
        super().__init__(app)
        self.metrics = metrics
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._plain_paths: frozenset[str] | None = None

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        if route is not None:
            template: str = getattr(route, "path_format", UNMATCHED)  # /items/{item_id}
        else:
            template = self._unrouted(scope, status)
        method: str = scope["method"]
        if method not in _METHODS:
            method = "other"  # a client may send any token: keep the label set bounded
        key = (method, template, status)
        children = self._children.get(key)
        if children is None:
            children = self._children[key] = self._labelled(method, template, status)
        children[0].inc()
        children[1].observe(seconds)
        state = scope.get("state")
        if state and state.get("idempotent_replay"):
            self.metrics.idempotent_replays.inc()
        if status >= 429:
            self._note_refusal(scope, template, status)

    def _unrouted(self, scope: Scope, status: int) -> str:
        """FastAPI names the route in the scope for its API routes only: the others
        (/openapi.json, /docs, /metrics) are labelled by their fixed paths."""
        if self._plain_paths is None:
            routes = getattr(scope.get("app"), "routes", ())
            self._plain_paths = frozenset(r.path for r in routes if isinstance(r, Route))
        path: str = scope["path"]
        if path in self._plain_paths:
            return path
        return UNMATCHED if status == 404 else OTHER

    def _labelled(self, method: str, template: str, status: int) -> tuple[Any, Any]:
        return (
            self.metrics.requests.labels(method, template, str(status)),
            self.metrics.latency.labels(template),
        )

    def _note_refusal(self, scope: Scope, template: str, status: int) -> None:
        if status == 503:
            cause = (scope.get("state") or {}).get("unavailable_cause") or "other"
            self.metrics.unavailable.labels(str(cause)).inc()
        elif status == 429 and template == _THROTTLED_ROUTE:
            self.metrics.logins_throttled.inc()
