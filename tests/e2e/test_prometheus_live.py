"""A real Prometheus (Debian's, on a free port) scrapes a running `catalog serve` every
second with deploy/prometheus/rules.yml loaded, and a recording rule evaluates over it."""

import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.e2e.live_server import free_port, serving
from tests.support.prometheus import RULES

DEADLINE_S = 30.0


def _config(directory: Path, target: str) -> Path:
    config = directory / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"rule_files: ['{RULES}']\n"
        "scrape_configs:\n"
        f"  - job_name: catalog\n    static_configs: [{{targets: ['{target}']}}]\n"
    )
    return config


@contextmanager
def prometheus(binaries: Path, directory: Path, target: str) -> Iterator[str]:
    port = free_port()
    log = directory / "prometheus.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                str(binaries / "prometheus"),
                f"--config.file={_config(directory, target)}",
                f"--storage.tsdb.path={directory / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=15)


def _query(client: httpx.Client, expr: str) -> list[dict[str, object]]:
    try:
        response = client.get("/api/v1/query", params={"query": expr})
    except httpx.TransportError:
        return []  # not listening yet
    if response.status_code == 503:
        return []  # listening, not ready yet (its answer is plain text then)
    assert response.status_code == 200, response.text
    result: list[dict[str, object]] = response.json()["data"]["result"]
    return result


def test_a_recording_rule_evaluates_over_a_running_catalog(
    tmp_path: Path, prometheus_binaries: Path
) -> None:
    with (
        serving(tmp_path, "memory://") as served,
        prometheus(prometheus_binaries, tmp_path, served.base_url.removeprefix("http://")) as url,
        httpx.Client(base_url=url, timeout=2) as client,
    ):
        found: list[dict[str, object]] = []
        deadline = time.monotonic() + DEADLINE_S
        while not found and time.monotonic() < deadline:
            # Each scrape is a request to /metrics: the rate is above 0 after two of them.
            found = _query(client, "catalog:http_requests:rate5m > 0")
            time.sleep(0.2)
        assert found, (tmp_path / "prometheus.log").read_text()[-2000:]
        assert found[0]["metric"] == {"__name__": "catalog:http_requests:rate5m"}
