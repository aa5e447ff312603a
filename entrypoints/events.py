"""`catalog relay` and `catalog events tail`: the commands around the event stream."""

import asyncio
import signal
import sys
from collections.abc import Coroutine
from contextlib import aclosing, suppress
from typing import Any

import orjson
from prometheus_client import start_http_server

from adapters.nats.tail import tail as tail_stream
from entrypoints.container import build_container, start, stop
from entrypoints.container.options import stream_target
from entrypoints.logging import configure_logging
from entrypoints.relay import RelayNotConfigured, run_relay
from entrypoints.settings import Settings
from entrypoints.tracing import configure_tracing, trace_id_of


def _require_nats(settings: Settings) -> str:
    if settings.nats_url is None:
        raise RelayNotConfigured("set CATALOG_NATS_URL (e.g. nats://127.0.0.1:4222)")
    return settings.nats_url


async def relay(settings: Settings, *, metrics_port: int | None, metrics_host: str) -> None:
    """Publishes the outbox until interrupted (SIGINT) or terminated (SIGTERM)."""
    _require_nats(settings)
    configure_tracing()
    configure_logging(settings)
    container = build_container(settings)
    await start(container)
    try:
        if settings.auto_migrate:
            await container.migrate()
        if metrics_port is not None:
            start_http_server(metrics_port, metrics_host, container.relay_metrics().registry)
        await _until_terminated(run_relay(container))
    finally:
        await stop(container)


async def _until_terminated(work: Coroutine[Any, Any, None]) -> None:
    task = asyncio.ensure_future(work)
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    with suppress(asyncio.CancelledError):
        await task


async def tail(settings: Settings, *, from_start: bool, limit: int | None) -> None:
    """Prints each event's CloudEvent as one JSON line, as it arrives, with the trace id of
    the request that caused it (`trace_id`, from its `traceparent`) when it was traced."""
    _require_nats(settings)
    printed = 0
    async with aclosing(tail_stream(stream_target(settings), from_start=from_start)) as events:
        async for _, event in events:
            trace_id = trace_id_of(event)
            line = event if trace_id is None else {"trace_id": trace_id, **event}
            sys.stdout.write(orjson.dumps(line).decode() + "\n")
            sys.stdout.flush()
            printed += 1
            if printed == limit:
                return
