"""A first-come, first-served gate in front of a connection pool.

SQLAlchemy's async pool queue lets a newcomer take a connection that was just returned
before the task woken for it runs; the woken task then queues again at the back. Under
load (more requests than connections) a few unlucky requests wait many turns: measured on
PATCH (32 concurrent requests, a pool of 10), p99 was 250-500 ms for a p50 of 40 ms, and
64 ms with a pool that never queues. The gate admits at most as many units of work as
the pool has connections, in arrival order, handing a freed place straight to the
longest waiter, so the pool itself never queues and no request is overtaken.
"""

import asyncio
from collections import deque
from contextlib import suppress

from sqlalchemy.exc import TimeoutError as PoolTimeout


class FairGate:
    def __init__(self, size: int, *, timeout: float) -> None:
        self._free = size
        self._size = size
        self._timeout = timeout
        self._waiters: deque[asyncio.Future[None]] = deque()

    @property
    def waiting(self) -> int:
        return sum(not waiter.done() for waiter in self._waiters)

    async def enter(self) -> None:
        """Waits for a place (in arrival order); PoolTimeout after `timeout` seconds, as
        the pool would have raised."""
        if self._free > 0 and not self._waiters:
            self._free -= 1
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            async with asyncio.timeout(self._timeout):
                await waiter
        except TimeoutError:
            self._give_up(waiter)
            raise PoolTimeout(
                f"no connection free within {self._timeout}s (pool size {self._size})"
            ) from None
        except BaseException:  # cancelled: pass on a place it was given, or leave the line
            self._give_up(waiter)
            raise

    def leave(self) -> None:
        """Frees a place: to the longest waiter, else back to the gate."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self._free += 1

    def _give_up(self, waiter: asyncio.Future[None]) -> None:
        if waiter.done() and not waiter.cancelled():
            self.leave()  # it had been given a place it will not use
        else:
            waiter.cancel()
            with suppress(ValueError):  # not there if `leave` skipped it already
                self._waiters.remove(waiter)
