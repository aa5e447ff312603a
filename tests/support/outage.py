"""Light load on a served Catalog while its private PostgreSQL is stopped or frozen, and a
report of what the clients saw (the load itself: tests/support/load.py).

Used by tests/e2e/test_outage.py (short faults) and by hand for the long ones the issue
quotes: `.venv/bin/python -m tests.support.outage --stop 10 --freeze 20`.
"""

import argparse
import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from tests.e2e.live_server import serving
from tests.support.load import Load, Outcome
from tests.support.postgres import PrivateCluster, private_cluster

Fault = Callable[[], None]  # brings the fault about, and returns once it is over


@dataclass(frozen=True)
class Report:
    fault: str
    window: tuple[float, float]  # when the fault began and ended, on the load's clock
    outcomes: list[Outcome]
    stored: int  # of the items answered 201, how many the database holds

    def during(self) -> Counter[int | str]:
        begin, end = self.window
        return Counter(o.status for o in self.outcomes if o.ended >= begin and o.started <= end)

    def total(self) -> Counter[int | str]:
        return Counter(o.status for o in self.outcomes)

    def longest(self) -> Outcome:
        return max(self.outcomes, key=lambda o: o.ended - o.started)

    def longest_by_route(self) -> dict[str, float]:
        longest: dict[str, float] = {}
        for o in self.outcomes:
            longest[o.route] = round(max(longest.get(o.route, 0.0), o.ended - o.started), 2)
        return longest

    def recovery(self) -> float:
        """Seconds from the fault's end to the end of the last request that failed."""
        failed = [o.ended for o in self.outcomes if not 200 <= _as_int(o.status) < 400]
        return max(0.0, max(failed, default=0.0) - self.window[1])

    def first_success(self) -> float:
        """Seconds from the fault's end to the first 2xx of a request sent after it."""
        end = self.window[1]
        done = [o.ended for o in self.outcomes if o.started >= end and _as_int(o.status) < 300]
        return min(done, default=float("inf")) - end

    def created(self) -> list[str]:
        return [o.created for o in self.outcomes if o.created is not None]

    def summary(self) -> str:
        longest = self.longest()
        return "\n".join(
            [
                f"{self.fault}: {self.window[1] - self.window[0]:.1f} s, "
                f"{len(self.outcomes)} requests",
                f"  during the fault: {dict(self.during())}",
                f"  in total: {dict(self.total())}",
                f"  longest request: {longest.ended - longest.started:.2f} s ({longest.route}, "
                f"{longest.status})",
                f"  longest by route: {self.longest_by_route()}",
                f"  recovered {self.recovery():.2f} s after the fault ended (last failure); "
                f"first 2xx after it: {self.first_success():.2f} s",
                f"  items answered 201: {len(self.created())}, stored: {self.stored}",
            ]
        )


def _as_int(status: int | str) -> int:
    return status if isinstance(status, int) else 599


def log_events(log: str) -> dict[str, int]:
    """How many JSON log lines of each event (by cause for the database's faults)."""
    events: Counter[str] = Counter()
    for line in log.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            events["(not JSON)"] += 1
            continue
        cause = f" ({entry['cause']})" if "cause" in entry else ""
        events[f"{entry.get('event')}{cause}"] += 1
    return dict(events)


def count_stored(database_url: str, names: list[str]) -> int:
    args = make_url(database_url).translate_connect_args(username="user", database="dbname")
    with psycopg.connect(**args, connect_timeout=10) as conn:
        row = conn.execute("SELECT count(*) FROM items WHERE name = ANY(%s)", [names]).fetchone()
    return int(row[0]) if row else 0


def run_fault(
    *,
    base_url: str,
    database_url: str,
    fault: Fault,
    name: str,
    settle: float = 1.5,
    after: float = 4.0,
    workers: int = 4,
) -> Report:
    """Load for `settle` s, then `fault()` (which returns when the fault is over), then
    `after` s more; counts what the database holds of every 201."""
    load = Load(base_url, workers=workers)
    load.start()
    try:
        time.sleep(settle)
        begin = load.now()
        fault()
        end = load.now()
        time.sleep(after)
    finally:
        load.stop()
    stored = count_stored(database_url, [o.created for o in load.outcomes if o.created])
    return Report(name, (begin, end), list(load.outcomes), stored)


def stop_for(cluster: PrivateCluster, seconds: float) -> Fault:
    def fault() -> None:
        cluster.stop()
        time.sleep(seconds)
        cluster.start()

    return fault


def freeze_for(cluster: PrivateCluster, seconds: float) -> Fault:
    def fault() -> None:
        cluster.freeze()
        try:
            time.sleep(seconds)
        finally:
            cluster.thaw()

    return fault


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stop", type=float, default=10.0, help="seconds stopped")
    parser.add_argument("--freeze", type=float, default=20.0, help="seconds frozen")
    parser.add_argument("--workers", type=int, default=4, help="concurrent clients")
    args = parser.parse_args()
    with private_cluster() as cluster, tempfile.TemporaryDirectory() as tmp:
        url = cluster.create_database()
        with serving(Path(tmp), url) as served:
            for name, fault in (
                ("stop", stop_for(cluster, args.stop)),
                ("freeze", freeze_for(cluster, args.freeze)),
            ):
                report = run_fault(
                    base_url=served.base_url,
                    database_url=url,
                    fault=fault,
                    name=name,
                    workers=args.workers,
                )
                print(report.summary(), flush=True)
            log = served.log_text()
        print(f"log: {log.count('Traceback')} tracebacks; lines by event: {log_events(log)}")


if __name__ == "__main__":
    main()
