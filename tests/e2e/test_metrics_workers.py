"""`catalog serve --workers 2`: every scrape, whichever worker answers it, counts the
requests of both (prometheus-client's multiprocess mode, in a directory `catalog serve`
makes and deletes).

Which worker takes a connection is the kernel's choice, so the test makes the choice for
it: uvicorn hands one listening socket to every worker, and a worker frozen with SIGSTOP
does not call accept, so the other takes every new connection. Each freeze lasts a few
requests (well under the supervisor's 5 s healthcheck, after which it would replace the
worker), and a worker is always thawed in a `finally`.
"""

import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from prometheus_client.multiprocess import MultiProcessCollector

from tests.e2e.live_server import Served, serving_workers
from tests.e2e.test_metrics import samples, value
from tests.support.processes import freeze, thaw

ROUTE = "/health/live"
TO_FIRST, TO_SECOND = 7, 5  # requests each worker serves alone (told apart by count)
DEADLINE_S = 30.0  # only a real fault is this slow


def _served_by_pid(directory: Path, route: str = ROUTE) -> Counter[int]:
    """Requests to `route` per worker, from each worker's own counter file."""
    served: Counter[int] = Counter()
    for path in directory.glob("counter_*.db"):
        pid = int(path.stem.removeprefix("counter_"))
        metrics = MultiProcessCollector._read_metrics([str(path)])  # type: ignore[no-untyped-call]
        for metric in metrics.values():
            for sample in metric.samples:
                labels = dict(sample.labels)  # raw samples: label pairs
                if sample.name == "catalog_http_requests_total" and labels.get("route") == route:
                    served[pid] += int(sample.value)
    return served


def _eventually(check: Callable[[], bool], what: str) -> None:
    """Polls `check` until it holds; fails only if it does not within DEADLINE_S."""
    deadline = time.monotonic() + DEADLINE_S
    while not check():
        assert time.monotonic() < deadline, f"not within {DEADLINE_S}s: {what}"
        time.sleep(0.02)


def _workers(served: Served) -> tuple[int, int]:
    """The two uvicorn workers: children of `catalog serve` that are not multiprocessing's
    resource tracker, once both have finished their start-up."""
    started = "Application startup complete."
    _eventually(lambda: served.log_text().count(started) == 2, "both workers started")
    children: list[int] = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rpartition(")")[2].split()[1])
            command = (stat.parent / "cmdline").read_bytes()
        except (OSError, ValueError):
            continue  # a process that ended while we looked
        if parent == served.process.pid and b"resource_tracker" not in command:
            children.append(int(stat.parent.name))
    assert len(children) == 2, f"expected two workers, found {children}"
    return children[0], children[1]


@contextmanager
def _frozen(pid: int) -> Iterator[None]:
    """`pid` stopped (it accepts nothing) for the block, and running again after it."""
    try:
        freeze(pid)  # returns once every thread of it is stopped
        yield
    finally:
        thaw(pid)


def _send(client: httpx.Client, count: int) -> None:
    for _ in range(count):
        assert client.get(ROUTE).status_code == 200


def _scrape(client: httpx.Client) -> float:
    response = client.get("/metrics")
    assert response.status_code == 200
    return value(
        samples(response.text),
        "catalog_http_requests_total",
        method="GET",
        route=ROUTE,
        status="200",
    )


def _scraped_by_both(directory: Path, *pids: int) -> bool:
    scrapes = _served_by_pid(directory, "/metrics")
    return all(scrapes[pid] >= 1 for pid in pids)


def test_two_workers_report_the_requests_of_both(tmp_path: Path) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    fresh = httpx.Limits(max_keepalive_connections=0)  # every request on a new connection
    with (
        serving_workers(tmp_path, "memory://", workers=2, env={"TMPDIR": str(temp)}) as served,
        httpx.Client(base_url=served.base_url, limits=fresh, timeout=10) as client,
    ):
        (directory,) = temp.glob("catalog-metrics-*")
        first, second = _workers(served)
        expected = Counter({first: TO_FIRST, second: TO_SECOND})  # readiness asks /health/ready
        with _frozen(second):
            _send(client, TO_FIRST)
        with _frozen(first):
            _send(client, TO_SECOND)
        # A worker counts a request just after it answers: wait for both counts to land.
        _eventually(lambda: _served_by_pid(directory) == expected, f"counts {expected}")
        total = sum(expected.values())
        with _frozen(second):
            answered_by_first = _scrape(client)
        with _frozen(first):
            answered_by_second = _scrape(client)
        either = [_scrape(client) for _ in range(4)]
        _eventually(lambda: _scraped_by_both(directory, first, second), "both answered a scrape")
    assert [answered_by_first, answered_by_second, *either] == [total] * 6
    assert not directory.exists()  # deleted when the workers stopped
