"""A served Catalog under light load while its PostgreSQL stops, or freezes, then returns.

The cluster is private (tests/support/postgres.py): these tests stop it and SIGSTOP it.
The timeouts are short so that the freeze outlasts every bound by far; the long runs the
issue quotes come from `python -m tests.support.outage` (tests/support/outage.py).
"""

from pathlib import Path

from tests.e2e.live_server import Served, serving
from tests.support.outage import Report, freeze_for, run_fault, stop_for
from tests.support.postgres import PrivateCluster

BOUND = 1.0  # seconds, each of the connect, statement and pool timeouts
TIMEOUTS = {
    f"CATALOG_DB_{name}_TIMEOUT_SECONDS": str(BOUND) for name in ("CONNECT", "STATEMENT", "POOL")
}


def _assert_sound(report: Report, served: Served) -> None:
    """Only 2xx and 503s with Retry-After, no reset connection, nothing 2xx lost, and one
    log line per failure, without a traceback."""
    print(report.summary())
    assert set(report.total()) <= {200, 201, 503}, report.summary()
    assert all(outcome.sound for outcome in report.outcomes), report.summary()
    assert report.during()[503] > 0, report.summary()
    assert report.stored == len(report.created()) > 0, report.summary()
    log = served.log_text()
    assert "Traceback" not in log
    assert log.count('"database unavailable"') == report.total()[503]


def test_a_stopped_database_gives_503_then_the_service_recovers_by_itself(
    private_postgres: PrivateCluster, tmp_path: Path
) -> None:
    url = private_postgres.create_database()
    with serving(tmp_path, url, **TIMEOUTS) as served:
        report = run_fault(
            base_url=served.base_url,
            database_url=url,
            fault=stop_for(private_postgres, 4),
            name="stop",
            after=3,
        )
        _assert_sound(report, served)
    assert report.recovery() < 2
    longest = report.longest()
    assert longest.ended - longest.started < 3 * BOUND


def test_a_frozen_database_gives_503_within_the_bound(
    private_postgres: PrivateCluster, tmp_path: Path
) -> None:
    url = private_postgres.create_database()
    with serving(tmp_path, url, **TIMEOUTS) as served:
        report = run_fault(
            base_url=served.base_url,
            database_url=url,
            fault=freeze_for(private_postgres, 6),
            name="freeze",
            after=3,
        )
        _assert_sound(report, served)
    longest = report.longest()
    # No wait is longer than its bound: a request meets at most the pool's, the connect's
    # and one statement's, far less than the 6 s the server answers nothing.
    assert longest.ended - longest.started < 3 * BOUND + 0.5, report.summary()
    assert report.recovery() < 3 * BOUND + 0.5
