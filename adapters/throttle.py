"""The login throttle on the `limits` library: fixed windows in a shared counter store.

The store is a `limits` async storage: in process (`MemoryStorage`, for `memory://`), the
database itself (sqlalchemy/counters.py), or Redis (`redis_storage`). Every process that
uses the same store shares the counts.
"""

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter
from redis.asyncio import ConnectionPool

REDIS_TIMEOUT_S = 2.0  # every wait on Redis is bounded, like every wait on the database
REDIS_KEY_PREFIX = "catalog"


class LimitsLoginThrottle:
    """At most `per_account` failed logins for one account, and `per_address` from one
    client address, in each window of `window_seconds`."""

    def __init__(
        self, storage: Storage, *, per_account: int, per_address: int, window_seconds: int
    ) -> None:
        self._limiter = FixedWindowRateLimiter(storage)
        self._account = RateLimitItemPerSecond(per_account, window_seconds, "login-account")
        self._address = RateLimitItemPerSecond(per_address, window_seconds, "login-address")

    def _limits(self, account: str | None, address: str | None) -> list[tuple[RateLimitItem, str]]:
        pairs = ((self._account, account), (self._address, address))
        return [(limit, key) for limit, key in pairs if key is not None]

    async def retry_after(self, *, account: str | None, address: str | None) -> int | None:
        waits = [await self._wait(limit, key) for limit, key in self._limits(account, address)]
        return max((wait for wait in waits if wait is not None), default=None)

    async def _wait(self, limit: RateLimitItem, key: str) -> int | None:
        if await self._limiter.test(limit, key):
            return None
        stats = await self._limiter.get_window_stats(limit, key)
        return max(1, math.ceil(stats.reset_time - time.time()))

    async def failed(self, *, account: str | None, address: str | None) -> None:
        for limit, key in self._limits(account, address):
            await self._limiter.hit(limit, key)

    async def succeeded(self, *, account: str) -> None:
        await self._limiter.clear(self._account, account)


@asynccontextmanager
async def redis_storage(url: str, *, key_prefix: str = REDIS_KEY_PREFIX) -> AsyncIterator[Storage]:
    """A `limits` storage on the Redis at `url` (`redis://host:port/db`); its
    connections close on exit."""
    pool = ConnectionPool.from_url(
        url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
    )
    try:
        options: dict[str, Any] = {"connection_pool": pool}  # typed as scalars in `limits`
        yield RedisStorage(
            f"async+{url}", implementation="redispy", key_prefix=key_prefix, **options
        )
    finally:
        await pool.aclose()
