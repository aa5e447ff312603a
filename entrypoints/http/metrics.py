"""Prometheus metrics: what they are, how they are served at `/metrics`, and the pool sampler.

Single process: one registry per app. Several workers (`catalog serve --workers N`, which
sets PROMETHEUS_MULTIPROC_DIR): prometheus-client's multiprocess mode, where every process
writes its values to files in that directory and a scrape, whichever worker answers it,
adds up all of them. Gauges sum over the live processes only.
"""

import asyncio
import os
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from functools import partial

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    multiprocess,
    values,
)
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response

from adapters.backends import PoolStatus

MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
SAMPLE_EVERY_S = 1.0


def multiprocess_mode() -> bool:
    """Whether values go to files: prometheus-client decides when it is first imported,
    from PROMETHEUS_MULTIPROC_DIR."""
    return values.ValueClass is not values.MutexValue


class Metrics:
    """The service's metrics, made per app (no registry at import time)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self._included: list[Collector] = []
        counter = partial(Counter, registry=self.registry)
        live_gauge = partial(Gauge, registry=self.registry, multiprocess_mode="livesum")
        self.requests = counter(
            "catalog_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
        )
        self.latency = Histogram(
            "catalog_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template",
            ["route"],
            registry=self.registry,
        )
        self.unavailable = counter("catalog_http_unavailable", "503 answers, by cause", ["cause"])
        self.logins_throttled = counter(
            "catalog_logins_throttled", "Logins refused with 429 (too many failures)"
        )
        self.idempotent_replays = counter(
            "catalog_idempotent_replays", "Requests answered from a stored Idempotency-Key response"
        )
        self.pool_in_use = live_gauge(
            "catalog_db_pool_connections_in_use", "Database connections checked out of the pool"
        )
        self.pool_waiting = live_gauge(
            "catalog_db_pool_waiting", "Units of work waiting for a database connection"
        )

    def include(self, collector: Collector) -> None:
        """Shows another collector's metrics on /metrics too (the in-process relay's)."""
        self._included.append(collector)
        self.registry.register(collector)

    def sample_pool(self, status: PoolStatus) -> None:
        self.pool_in_use.set(status.in_use)
        self.pool_waiting.set(status.waiting)

    def collector(self) -> Collector:
        """This process's registry, or one that reads every worker's files."""
        if not multiprocess_mode():
            return self.registry
        merged = CollectorRegistry()
        multiprocess.MultiProcessCollector(merged)  # type: ignore[no-untyped-call]
        for collector in self._included:  # this worker's own: they keep no files
            merged.register(collector)
        return merged

    def exposition(self, accept: str = "") -> tuple[bytes, str]:
        """The body and content type the scraper asked for (`Accept`): Prometheus text
        0.0.4 by default, OpenMetrics or text 1.0.0 on request."""
        encode, content_type = choose_encoder(accept)
        return encode(self.collector()), content_type


class Deferred(Collector):
    """A collector looked up at each scrape (a container Singleton made at start-up)."""

    def __init__(self, collector: Callable[[], Collector]) -> None:
        self._collector = collector

    def collect(self) -> Iterable[Metric]:
        return self._collector().collect()


def metrics_endpoint(
    metrics: Metrics, pool: Callable[[], Callable[[], PoolStatus]]
) -> Callable[[Request], Awaitable[Response]]:
    """GET /metrics. `pool` gives the running backend's pool status (after start-up)."""

    async def serve(request: Request) -> Response:
        metrics.sample_pool(pool()())  # this process's gauges, fresh
        body, content_type = metrics.exposition(request.headers.get("accept", ""))
        return Response(body, headers={"Content-Type": content_type})

    return serve


async def sample_pool_forever(metrics: Metrics, pool: Callable[[], PoolStatus]) -> None:
    """Keeps this process's pool gauges current (a scrape may land on another worker)."""
    while True:
        metrics.sample_pool(pool())
        await asyncio.sleep(SAMPLE_EVERY_S)


def forget_this_process() -> None:
    """On shutdown: this worker's live gauges stop counting."""
    if multiprocess_mode():
        with suppress(OSError):
            multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
