"""A served Catalog under light load while its PostgreSQL stops, or freezes, then returns.

The cluster is private (tests/support/postgres.py): these tests stop it and SIGSTOP it.
The timeouts are short so that the freeze outlasts every bound by far; the long runs the
issue quotes come from `python -m tests.support.outage` (tests/support/outage.py).
"""

from pathlib import Path

from tests.e2e.live_server import serving
from tests.support.outage import Fault, Report, freeze_for, run_fault, stop_for
from tests.support.postgres import PrivateCluster

BOUND = 1.0  # seconds, each of the connect, statement and pool timeouts
TIMEOUTS = {
    f"CATALOG_DB_{name}_TIMEOUT_SECONDS": str(BOUND) for name in ("CONNECT", "STATEMENT", "POOL")
}


def _sound_run(cluster: PrivateCluster, tmp_path: Path, fault: Fault, name: str) -> Report:
    """The fault under load, then: only 2xx and 503s with Retry-After, no reset
    connection, nothing 2xx lost, and one log line per failure, without a traceback."""
    url = cluster.create_database()
    with serving(tmp_path, url, **TIMEOUTS) as served:
        report = run_fault(
            base_url=served.base_url, database_url=url, fault=fault, name=name, after=3
        )
        log = served.log_text()
    print(report.summary())
    assert set(report.total()) <= {200, 201, 503}, report.summary()
    assert all(outcome.sound for outcome in report.outcomes), report.summary()
    assert report.during()[503] > 0, report.summary()
    assert report.stored == len(report.created()) > 0, report.summary()
    assert "Traceback" not in log
    assert log.count('"database unavailable"') == report.total()[503]
    return report


def _longest(report: Report) -> float:
    longest = report.longest()
    return longest.ended - longest.started


def test_a_stopped_database_gives_503_then_the_service_recovers_by_itself(
    private_postgres: PrivateCluster, tmp_path: Path
) -> None:
    report = _sound_run(private_postgres, tmp_path, stop_for(private_postgres, 4), "stop")
    assert report.recovery() < 2
    assert _longest(report) < 3 * BOUND


def test_a_frozen_database_gives_503_within_the_bound(
    private_postgres: PrivateCluster, tmp_path: Path
) -> None:
    report = _sound_run(private_postgres, tmp_path, freeze_for(private_postgres, 6), "freeze")
    # No wait is longer than its bound: a request meets at most the pool's, the connect's
    # and one statement's, far less than the 6 s the server answers nothing.
    assert _longest(report) < 3 * BOUND + 0.5, report.summary()
    assert report.recovery() < 3 * BOUND + 0.5
