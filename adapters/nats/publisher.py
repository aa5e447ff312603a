"""Publishes outbox records to NATS JetStream with nats-py.

The stream (subjects `<prefix>.>`) is created when missing. Each message carries
`Nats-Msg-Id` = the event id, so JetStream drops a repeat sent inside the duplicate
window (a relay that crashed between the ack and its commit sends the event again).
The connection is made on first use and re-made after it closes; while it is down a
publish raises BrokerUnavailable at once. A batch's messages are written one after the
other on the one connection, then their acknowledgements awaited in order: the answers stop
at the first that does not come.
"""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

import nats
from nats.aio.client import Client
from nats.errors import Error as NatsError
from nats.errors import MaxPayloadError
from nats.js import JetStreamContext
from nats.js.api import PubAck
from nats.js.errors import APIError, NotFoundError

from adapters import tracing
from adapters.nats.cloudevents import CONTENT_TYPE, encode, subject
from application.outbox import BrokerUnavailable, EventRejected, OutboxRecord

DUPLICATE_WINDOW_S = 600.0  # a re-send within ten minutes of the first is dropped
MESSAGE_TOO_LARGE = 10054  # JetStream's error code: larger than the stream accepts
CONNECT_TIMEOUT_S = 2
RECONNECT_WAIT_S = 1
RECONNECT_ATTEMPTS = 3


@dataclass(frozen=True, slots=True)
class StreamTarget:
    url: str
    stream: str = "CATALOG"
    subject_prefix: str = "catalog"
    source: str = "/catalog"  # CloudEvents `source`
    timeout: float = 5.0  # the longest wait for one acknowledgement


async def connect(url: str, *, name: str = "catalog") -> Client:
    """A client that tries a few times, a second apart, to connect and, later, to reconnect;
    past that it raises NoServersError, or closes (the publisher then makes a new one)."""
    return await nats.connect(
        url,
        name=name,
        connect_timeout=CONNECT_TIMEOUT_S,
        reconnect_time_wait=RECONNECT_WAIT_S,
        # Finite: nats-py retries an unreachable server forever otherwise, even on the
        # first connection, and a relay or a tail would hang there instead of saying so.
        max_reconnect_attempts=RECONNECT_ATTEMPTS,
        allow_reconnect=True,
        error_cb=_ignore,  # reconnections are reported by the relay, once per pause
        disconnected_cb=_nothing,
    )


async def _ignore(error: Exception) -> None:
    return None


async def _nothing() -> None:
    return None


async def ensure_stream(js: JetStreamContext, target: StreamTarget) -> None:
    try:
        await js.stream_info(target.stream)
    except NotFoundError:
        await js.add_stream(
            name=target.stream,
            subjects=[f"{target.subject_prefix}.>"],
            duplicate_window=DUPLICATE_WINDOW_S,
        )


class JetStreamPublisher:
    def __init__(self, target: StreamTarget) -> None:
        self._target = target
        self._client: Client | None = None
        self._js: JetStreamContext | None = None
        self._stream_ready = False

    async def publish(self, records: Sequence[OutboxRecord]) -> list[Exception | None]:
        """Sends every record, in order, then awaits each acknowledgement in turn."""
        js = await self._ready()
        sent: list[asyncio.Future[PubAck] | Exception] = []
        for record in records:
            try:
                sent.append(await self._send(js, record))
            except MaxPayloadError as error:
                sent.append(EventRejected(f"larger than the server's max_payload: {error}"))
            except (NatsError, OSError) as error:
                sent.append(BrokerUnavailable(f"NATS: {type(error).__name__} {error}"))
                break
        if sent and isinstance(sent[0], BrokerUnavailable):
            raise sent[0]
        return await self._outcomes(sent)

    async def _outcomes(
        self, sent: list["asyncio.Future[PubAck] | Exception"]
    ) -> list[Exception | None]:
        outcomes: list[Exception | None] = []
        for ack in sent:
            outcomes.append(await self._outcome(ack))
            if isinstance(outcomes[-1], BrokerUnavailable):
                break  # the later ones would each wait out the timeout too
        for ack in sent[len(outcomes) :]:
            if isinstance(ack, asyncio.Future):
                ack.cancel()
        return outcomes

    async def _send(self, js: JetStreamContext, record: OutboxRecord) -> "asyncio.Future[PubAck]":
        headers = {"Nats-Msg-Id": str(record.event_id), "Content-Type": CONTENT_TYPE}
        destination = subject(record, prefix=self._target.subject_prefix)
        with tracing.publish_span(record, destination=destination):
            return await js.publish_async(
                destination,
                encode(record, source=self._target.source),
                wait_stall=None,  # a batch never fills the 4,000 pending acks: no wait, no yield
                headers=headers,
            )

    async def _outcome(self, ack: "asyncio.Future[PubAck] | Exception") -> Exception | None:
        if isinstance(ack, Exception):
            return ack
        try:
            await asyncio.wait_for(ack, self._target.timeout)
        except APIError as error:
            if error.err_code == MESSAGE_TOO_LARGE:
                return EventRejected(f"larger than the stream accepts: {error}")
            self._stream_ready = False  # it may be gone (a new server): check it again
            return BrokerUnavailable(f"JetStream: {error}")
        except (NatsError, TimeoutError, OSError) as error:
            return BrokerUnavailable(f"NATS: no acknowledgement: {type(error).__name__} {error}")
        return None

    async def _ready(self) -> JetStreamContext:
        if self._client is None or self._js is None or self._client.is_closed:
            self._client = await self._connect()
            self._js, self._stream_ready = (
                self._client.jetstream(timeout=self._target.timeout),
                False,
            )
        if not self._client.is_connected:
            raise BrokerUnavailable("NATS: reconnecting")
        if not self._stream_ready:
            try:
                await ensure_stream(self._js, self._target)
            except (NatsError, TimeoutError, OSError) as error:
                raise BrokerUnavailable(f"JetStream: {type(error).__name__} {error}") from error
            self._stream_ready = True
        return self._js

    async def _connect(self) -> Client:
        try:
            return await connect(self._target.url, name="catalog-relay")
        except (NatsError, TimeoutError, OSError) as error:
            raise BrokerUnavailable(f"NATS at {self._target.url}: {error}") from error

    async def close(self) -> None:
        client, self._client, self._js = self._client, None, None
        if client is not None and not client.is_closed:
            await client.close()
