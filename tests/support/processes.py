"""Freezing a process (SIGSTOP) and thawing it (SIGCONT), returning only once it took effect.

`kill` returns before the signal lands: on a busy machine a process that was just sent
SIGSTOP may still run for a while, and answer what a test sent it meanwhile. These wait
until every thread of the process shows the state the test asked for, in /proc.
"""

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

SETTLE_TIMEOUT_S = 10.0  # a signal that has not landed by then is a fault
STOPPED = frozenset("Tt")  # stopped; stopped by a tracer
ENDED = frozenset("ZX")  # a thread that has ended runs no more either


def _states(pid: int) -> list[str]:
    """The state letter of each thread of `pid` (none once it has gone)."""
    states = []
    for stat in Path(f"/proc/{pid}/task").glob("*/stat"):
        try:
            states.append(stat.read_text().rpartition(")")[2].split()[0])
        except (OSError, IndexError):
            continue  # a thread that ended while we looked
    return states


def _until(check: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + SETTLE_TIMEOUT_S
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {SETTLE_TIMEOUT_S}s: {what}")
        time.sleep(0.002)


def freeze(pid: int) -> None:
    """SIGSTOP, then waits until every thread of `pid` is stopped."""
    os.kill(pid, signal.SIGSTOP)
    _until(lambda: all(s in STOPPED | ENDED for s in _states(pid)), f"process {pid} stopped")


def thaw(pid: int) -> None:
    """SIGCONT, then waits until no thread of `pid` is stopped (or it has gone)."""
    try:
        os.kill(pid, signal.SIGCONT)
    except ProcessLookupError:
        return
    _until(lambda: not any(s in STOPPED for s in _states(pid)), f"process {pid} running")
