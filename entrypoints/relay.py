"""The relay as a process (`catalog relay`) or as a task of `catalog serve --relay`.

Both resolve it from the container: the backend's outbox store and wakeup, a JetStream
publisher, the settings' options and the relay's metrics.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING

from adapters.backends import Backend
from application.relay import Relay

if TYPE_CHECKING:
    from entrypoints.container import Container


class RelayNotConfigured(Exception):
    pass


async def _backend(container: "Container") -> Backend:
    if container.settings().nats_url is None:
        raise RelayNotConfigured("the relay needs CATALOG_NATS_URL (e.g. nats://127.0.0.1:4222)")
    backend: Backend = container.backend()  # started: the container answers at once
    if backend.outbox is None:
        raise RelayNotConfigured("the relay needs a SQL database, not memory://")
    return backend


async def run_relay(container: "Container") -> None:
    """Publishes the outbox until cancelled."""
    backend = await _backend(container)
    publisher, wakeup = container.publisher(), backend.wakeup()
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
    await _backend(container)  # a relay that cannot run stops the start-up
    task = asyncio.create_task(run_relay(container), name="catalog-relay")
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
