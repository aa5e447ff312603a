"""The relay's Prometheus metrics: backlog size and age, published, parked, failures.

They live in a registry of their own (`RelayMetrics.registry`), so that several relays in
one process (tests) do not collide in the global one. `catalog relay --metrics-port N`
serves it. `RelayMetrics` is also a collector: an HTTP app that runs the relay in process
shows them on its /metrics with `app_registry.register(container.relay_metrics())`. The
backlog is measured at each housekeeping round of the relay (every 15 s by default).
"""

from collections.abc import Iterator
from datetime import datetime
from functools import partial

from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.metrics_core import Metric

from application.outbox import Backlog, BrokerUnavailable, OutboxUnavailable, Unavailable

_DEPENDENCY = {BrokerUnavailable: "broker", OutboxUnavailable: "database"}


class RelayMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry = registry or CollectorRegistry()
        counter, gauge = partial(Counter, registry=registry), partial(Gauge, registry=registry)
        self._published = counter("catalog_outbox_published", "Events the relay published")
        self._parked = counter(
            "catalog_outbox_parked", "Events the broker refused for good (too large), set aside"
        )
        self._failures = counter(
            "catalog_relay_failures",
            "Rounds cut short: the broker or the database unavailable, or other errors",
            ["dependency"],
        )
        self._pending = gauge("catalog_outbox_backlog", "Events waiting to be published")
        self._age = gauge(
            "catalog_outbox_backlog_age_seconds", "How long the oldest waiting event has waited"
        )
        self._parked_now = gauge("catalog_outbox_parked_events", "Parked events still kept")

    def collect(self) -> Iterator[Metric]:
        """Every relay metric, for a registry that registers this object."""
        yield from self.registry.collect()

    def published(self, count: int) -> None:
        self._published.inc(count)

    def parked(self, count: int) -> None:
        self._parked.inc(count)

    def failed(self, error: Unavailable) -> None:
        self._failures.labels(_DEPENDENCY.get(type(error), "other")).inc()

    def backlog(self, backlog: Backlog, *, now: datetime) -> None:
        self._pending.set(backlog.pending)
        self._parked_now.set(backlog.parked)
        age = 0.0 if backlog.oldest is None else (now - backlog.oldest).total_seconds()
        self._age.set(max(age, 0.0))
