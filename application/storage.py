"""The storage as the application sees it when it fails: unavailable, for a reason.

Adapters translate their drivers' faults into `StorageUnavailable` at their edge, so the
entrypoints answer (503, one log line) without knowing which database raised it. The
driver's error stays attached as the `__cause__`.
"""

from dataclasses import dataclass


class StorageUnavailable(Exception):
    """The database is not there right now; try again later. `cause` says why in a word:
    "unreachable", "dropped", "timeout" or "pool_timeout"."""

    def __init__(self, cause: str) -> None:
        super().__init__(f"the database is unavailable ({cause})")
        self.cause = cause


@dataclass(frozen=True, slots=True)
class PoolStatus:
    """How busy the connection pool is, now."""

    in_use: int = 0  # connections checked out of the pool
    waiting: int = 0  # units of work and reads queued for one
