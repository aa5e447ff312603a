"""The relay as a process (`catalog relay`) or as a task of `catalog serve --relay`.

Both resolve it from the container: the storage's relay store and wakeup, a JetStream
publisher, the settings' options and the relay's metrics.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING

from application.relay import Relay

if TYPE_CHECKING:
    from entrypoints.container import Container


class RelayNotConfigured(Exception):
    pass


def _check(container: "Container") -> None:
    if container.settings().nats_url is None:
        raise RelayNotConfigured("the relay needs CATALOG_NATS_URL (e.g. nats://127.0.0.1:4222)")
    if container.relay_store() is None:  # started: the container answers at once
        raise RelayNotConfigured("the relay needs a SQL database, not memory://")


async def run_relay(container: "Container") -> None:
    """Publishes the outbox until cancelled."""
    _check(container)
    publisher, wakeup = container.publisher(), container.wakeup()
    try:
        relay: Relay = container.relay(publisher=publisher, wakeup=wakeup)
        await relay.run()
    finally:
        await publisher.close()
        await wakeup.close()


@asynccontextmanager
async def relay_in_background(container: "Container") -> AsyncIterator[None]:
    """Runs the relay beside the HTTP app when the settings ask for it."""
    if not container.settings().relay_in_process:
        yield
        return
    _check(container)  # a relay that cannot run stops the start-up
    task = asyncio.create_task(run_relay(container), name="catalog-relay")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
