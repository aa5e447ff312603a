"""Reads the event stream as it grows (`catalog events tail`): an ordered, ephemeral
consumer, nothing left behind on the server when it stops."""

from collections.abc import AsyncGenerator
from typing import Any

import orjson
from nats.errors import Error as NatsError
from nats.js.api import DeliverPolicy

from adapters.nats.publisher import StreamTarget, connect, ensure_stream
from application.outbox import BrokerUnavailable


async def tail(
    target: StreamTarget, *, from_start: bool = False
) -> AsyncGenerator[tuple[str, dict[str, Any]]]:
    """(subject, CloudEvent) for each event published from now on, or since the start of
    the stream with `from_start`. Creates the stream when missing, so a tail may start
    before the first relay."""
    try:
        client = await connect(target.url, name="catalog-events-tail")
    except (NatsError, OSError) as error:
        raise BrokerUnavailable(f"NATS at {target.url} unreachable: {error}") from error
    try:
        js = client.jetstream(timeout=target.timeout)
        await ensure_stream(js, target)
        subscription = await js.subscribe(
            f"{target.subject_prefix}.>",
            stream=target.stream,
            ordered_consumer=True,
            deliver_policy=DeliverPolicy.ALL if from_start else DeliverPolicy.NEW,
        )
        async for message in subscription.messages:
            yield message.subject, orjson.loads(message.data)
        raise BrokerUnavailable(f"lost the connection to NATS at {target.url}")
    finally:
        await client.close()
