"""The login throttle on every counter store: in process, SQLite, PostgreSQL and Redis."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from limits.aio.storage import MemoryStorage, Storage

from adapters.throttle import LimitsLoginThrottle, redis_storage
from tests.integration.conftest import _url
from tests.support.backends import open_backend

STORES = ["memory", "sqlite", "postgres", "redis"]
PER_ACCOUNT, PER_ADDRESS = 3, 20


@pytest.fixture(params=STORES)
def store_name(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def store_url(request: pytest.FixtureRequest, store_name: str, tmp_path: Path) -> str:
    if store_name == "redis":
        return str(request.getfixturevalue("redis_url"))
    return _url(request, store_name, tmp_path)


@pytest.fixture
async def storage(store_name: str, store_url: str, redis_key_prefix: str) -> AsyncIterator[Storage]:
    if store_name == "memory":
        yield MemoryStorage()
    elif store_name == "redis":
        async with redis_storage(store_url, key_prefix=redis_key_prefix) as redis:
            yield redis
    else:
        backend = await open_backend(store_url, pool_size=4)
        try:
            yield backend.counters
        finally:
            await backend.dispose()


def throttle(storage: Storage, *, window: int = 60) -> LimitsLoginThrottle:
    return LimitsLoginThrottle(
        storage, per_account=PER_ACCOUNT, per_address=PER_ADDRESS, window_seconds=window
    )


def unique_key(kind: str) -> str:
    return f"{kind}-{uuid.uuid4().hex}"


async def test_an_account_is_refused_once_it_reaches_the_limit(storage: Storage) -> None:
    logins = throttle(storage)
    account, other = unique_key("account"), unique_key("account")
    for _ in range(PER_ACCOUNT - 1):
        await logins.failed(account=account, address=None)
    assert await logins.retry_after(account=account, address=None) is None
    await logins.failed(account=account, address=None)
    wait = await logins.retry_after(account=account, address=None)
    assert wait is not None
    assert 0 < wait <= 60
    assert await logins.retry_after(account=other, address=None) is None


async def test_a_success_clears_the_account_but_not_the_address(storage: Storage) -> None:
    logins = throttle(storage)
    account, address = unique_key("account"), unique_key("address")
    for _ in range(PER_ACCOUNT):
        await logins.failed(account=account, address=address)
    await logins.succeeded(account=account)
    assert await logins.retry_after(account=account, address=None) is None
    for _ in range(PER_ADDRESS - PER_ACCOUNT):
        await logins.failed(account=None, address=address)
    assert await logins.retry_after(account=unique_key("account"), address=address)


async def test_concurrent_failures_are_each_counted(storage: Storage) -> None:
    logins = LimitsLoginThrottle(storage, per_account=12, per_address=12, window_seconds=60)
    account = unique_key("account")
    await asyncio.gather(*(logins.failed(account=account, address=None) for _ in range(11)))
    assert await logins.retry_after(account=account, address=None) is None
    await logins.failed(account=account, address=None)
    assert await logins.retry_after(account=account, address=None) is not None


async def test_the_count_starts_again_when_the_window_ends(storage: Storage) -> None:
    logins = throttle(storage, window=1)
    account = unique_key("account")
    for _ in range(PER_ACCOUNT):
        await logins.failed(account=account, address=None)
    started = time.monotonic()
    assert await logins.retry_after(account=account, address=None) == 1
    while await logins.retry_after(account=account, address=None) is not None:
        assert time.monotonic() - started < 2.5, "the window never ended"
        await asyncio.sleep(0.05)
    await logins.failed(account=account, address=None)
    assert await logins.retry_after(account=account, address=None) is None
