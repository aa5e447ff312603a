"""The relay's metrics, as Prometheus reads them."""

from datetime import timedelta

from prometheus_client import CollectorRegistry, generate_latest

from adapters.relay_metrics import RelayMetrics
from application.outbox import Backlog, BrokerUnavailable, OutboxUnavailable, Unavailable
from tests.unit.fakes import ManualClock


def test_counts_and_backlog_are_exposed() -> None:
    metrics, now = RelayMetrics(), ManualClock().now()
    metrics.published(3)
    metrics.published(2)
    metrics.parked(1)
    metrics.failed(BrokerUnavailable("down"))
    metrics.failed(OutboxUnavailable("down"))
    metrics.failed(Unavailable("surprise"))
    metrics.backlog(Backlog(pending=7, oldest=now - timedelta(seconds=90), parked=1), now=now)

    text = generate_latest(metrics.registry).decode()
    for line in (
        "catalog_outbox_published_total 5.0",
        "catalog_outbox_parked_total 1.0",
        'catalog_relay_failures_total{dependency="broker"} 1.0',
        'catalog_relay_failures_total{dependency="database"} 1.0',
        'catalog_relay_failures_total{dependency="other"} 1.0',
        "catalog_outbox_backlog 7.0",
        "catalog_outbox_backlog_age_seconds 90.0",
        "catalog_outbox_parked_events 1.0",
    ):
        assert line in text.splitlines()


def test_an_empty_backlog_has_no_age() -> None:
    metrics, now = RelayMetrics(), ManualClock().now()
    metrics.backlog(Backlog(pending=0, oldest=None, parked=0), now=now)
    assert "catalog_outbox_backlog_age_seconds 0.0" in generate_latest(metrics.registry).decode()


def test_another_registry_can_show_them() -> None:
    metrics, app_registry = RelayMetrics(), CollectorRegistry()
    app_registry.register(metrics)
    metrics.published(4)
    assert "catalog_outbox_published_total 4.0" in generate_latest(app_registry).decode()
