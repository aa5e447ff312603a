"""SIGTERM drains a served process: not ready at once, still serving for the drain
period (each answer closing its connection), then an exit with status 0."""

import signal
import time
from pathlib import Path

import httpx

from tests.e2e.live_server import serving

DRAIN_S = 1.5


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"


def _until(check: object, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not within {timeout}s: {what}"
        time.sleep(0.02)


def test_sigterm_answers_not_ready_serves_on_for_the_drain_then_exits_0(tmp_path: Path) -> None:
    env = {"CATALOG_DRAIN_SECONDS": str(DRAIN_S)}
    with serving(tmp_path, _sqlite_url(tmp_path), **env) as served:
        with httpx.Client(base_url=served.base_url, timeout=5) as client:
            assert client.get("/health/ready").status_code == 200
            served.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            _until(lambda: client.get("/health/ready").status_code == 503, "not ready")
            ready = client.get("/health/ready")
            assert ready.headers["content-type"] == "application/problem+json"
            assert "shutting down" in ready.json()["detail"]
            answered = client.get("/items")  # still serving, on a connection it closes
            assert answered.status_code == 200
            assert answered.headers["connection"] == "close"
            assert time.monotonic() - signalled < DRAIN_S  # all that within the drain
        assert served.process.wait(timeout=15) == 0
        assert time.monotonic() - signalled >= DRAIN_S
    assert "Application shutdown complete" in served.log_text()
