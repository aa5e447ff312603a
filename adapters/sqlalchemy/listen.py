"""Waking the relay: LISTEN/NOTIFY on PostgreSQL, a plain timer elsewhere.

`PostgresWakeup` keeps one connection of its own (asyncpg, outside the engine's pool: a
listening connection must stay checked out) on `catalog_outbox`, which the outbox's
trigger notifies in every transaction that writes events. Each wait still ends after its
timeout, so a lost connection or a missed notification only delays events to the next
poll; the connection is re-made on a later wait.
"""

import asyncio
import contextlib
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from adapters.sqlalchemy.dialect import APPLICATION_NAME
from adapters.sqlalchemy.outbox import NOTIFY_CHANNEL


class PollingWakeup:
    async def wait(self, at_most: float) -> None:
        await asyncio.sleep(at_most)

    async def close(self) -> None:
        return None


class PostgresWakeup:
    def __init__(self, url: str, *, connect_timeout: float) -> None:
        self._dsn = make_url(url).set(drivername="postgresql").render_as_string(False)
        self._timeout = connect_timeout
        self._connection: Any = None
        self._notified = asyncio.Event()

    async def wait(self, at_most: float) -> None:
        await self._listen()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._notified.wait(), at_most)
        self._notified.clear()

    async def _listen(self) -> None:
        if self._connection is not None and not self._connection.is_closed():
            return
        try:
            self._connection = await asyncpg.connect(
                self._dsn,
                timeout=self._timeout,
                server_settings={"application_name": f"{APPLICATION_NAME}-relay-listen"},
            )
            await self._connection.add_listener(NOTIFY_CHANNEL, self._on_notify)
        except (OSError, TimeoutError, asyncpg.PostgresError):
            self._connection = None  # poll meanwhile; try again on the next wait
            return
        self._notified.set()  # events may have come while nobody listened

    def _on_notify(self, *_: object) -> None:
        self._notified.set()

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(OSError, TimeoutError, asyncpg.PostgresError):
                await connection.close(timeout=self._timeout)
