"""`catalog serve --workers 2`: every scrape, whichever worker answers it, counts the
requests of both (prometheus-client's multiprocess mode, in a directory `catalog serve`
makes and deletes)."""

from collections import Counter
from pathlib import Path

import httpx
from prometheus_client.multiprocess import MultiProcessCollector

from tests.e2e.live_server import serving_workers
from tests.e2e.test_metrics import samples, value

ROUTE = "/health/live"
MAX_REQUESTS = 400


def _served_by_pid(directory: Path) -> Counter[str]:
    """Requests to ROUTE per worker, from each worker's own counter file."""
    served: Counter[str] = Counter()
    for path in directory.glob("counter_*.db"):
        pid = path.stem.removeprefix("counter_")
        metrics = MultiProcessCollector._read_metrics([str(path)])  # type: ignore[no-untyped-call]
        for metric in metrics.values():
            for sample in metric.samples:
                labels = dict(sample.labels)  # raw samples: label pairs
                if sample.name == "catalog_http_requests_total" and labels.get("route") == ROUTE:
                    served[pid] += int(sample.value)
    return served


def test_two_workers_report_the_requests_of_both(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    fresh = httpx.Limits(max_keepalive_connections=0)  # a new connection, maybe a new worker
    with (
        serving_workers(tmp_path, "memory://", workers=2, env={"TMPDIR": str(temp)}) as served,
        httpx.Client(base_url=served.base_url, limits=fresh, timeout=10) as client,
    ):
        (directory,) = temp.glob("catalog-metrics-*")
        sent = 0
        while len(_served_by_pid(directory)) < 2 and sent < MAX_REQUESTS:
            assert client.get(ROUTE).status_code == 200
            sent += 1
        assert len(_served_by_pid(directory)) == 2, "one worker took every connection"
        scrapes = [samples(client.get("/metrics").text) for _ in range(6)]
        totals = [
            value(s, "catalog_http_requests_total", method="GET", route=ROUTE, status="200")
            for s in scrapes
        ]
    assert totals == [sent] * len(scrapes)
    assert not directory.exists()  # deleted when the workers stopped
