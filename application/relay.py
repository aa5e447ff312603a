"""The relay: publishes the outbox, oldest first, and never gives up.

Each round claims a small batch in a short transaction, publishes its events in order on
one connection (pipelined: sent one after the other, then every acknowledgement awaited,
so events of one aggregate reach the stream in order), and commits the marks. A crash
between an acknowledgement and the commit leaves the event pending: it is sent again and
the broker's de-duplication (on the event id) absorbs the repeat. When the broker or the
database is away, the relay waits, longer each time up to a ceiling, and starts again; it
never ends on its own.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from application.outbox import (
    Backlog,
    BrokerUnavailable,
    Claim,
    EventPublisher,
    EventRejected,
    OutboxStore,
    RelayObserver,
    Unavailable,
    Wakeup,
)
from application.ports import Clock

log = logging.getLogger("catalog.relay")


@dataclass(frozen=True, slots=True)
class RelayOptions:
    batch_size: int = 100
    poll_seconds: float = 1.0  # the longest an event waits when no notification comes
    retention: timedelta = timedelta(days=1)  # published events are kept this long
    housekeeping_seconds: float = 15.0  # how often the backlog is measured and purged
    backoff_seconds: tuple[float, float] = (0.1, 15.0)  # first and longest wait on a fault


class NullObserver:
    def published(self, count: int) -> None: ...

    def parked(self, count: int) -> None: ...

    def failed(self, error: Unavailable) -> None: ...

    def backlog(self, backlog: Backlog, *, now: datetime) -> None: ...


class Relay:
    def __init__(
        self,
        *,
        store: OutboxStore,
        publisher: EventPublisher,
        wakeup: Wakeup,
        clock: Clock,
        options: RelayOptions | None = None,
        observer: RelayObserver | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`sleep` waits out a back-off pause (a test passes one that returns at once)."""
        self._store = store
        self._publisher = publisher
        self._wakeup = wakeup
        self._clock = clock
        self._options = options or RelayOptions()
        self._observer = observer or NullObserver()
        self._sleep = sleep
        self._next_housekeeping = 0.0

    async def run(self) -> None:
        """Relays until cancelled."""
        delay = self._options.backoff_seconds[0]
        while True:
            try:
                handled = await self.relay_once()
                await self._housekeeping()
            except Exception as error:  # a fault pauses the relay; nothing ends it
                self._report(error, pause=delay)
                await self._sleep(delay)
                delay = min(delay * 2, self._options.backoff_seconds[1])
                continue
            delay = self._options.backoff_seconds[0]
            if handled < self._options.batch_size:
                await self._wakeup.wait(self._options.poll_seconds)

    def _report(self, error: Exception, *, pause: float) -> None:
        if isinstance(error, Unavailable):
            log.warning("relay paused for %.1f s: %s", pause, error)
        else:  # not foreseen: the whole story, once per pause
            log.exception("relay paused for %.1f s by an unexpected error", pause)
        self._observer.failed(error if isinstance(error, Unavailable) else Unavailable(error))

    async def relay_once(self) -> int:
        """Publishes one batch; returns how many events it settled (published or parked).

        Raises Unavailable when the broker or the database is away; what was acknowledged
        before that is still marked published."""
        async with self._store.claim(self._options.batch_size) as claim:
            return await self._publish(claim)

    async def _publish(self, claim: Claim) -> int:
        if not claim.events:
            return 0
        outcomes = await self._publisher.publish([event.record for event in claim.events])
        published = parked = 0
        for event, outcome in zip(claim.events, outcomes, strict=False):
            if outcome is None:
                claim.published(event)
                published += 1
            elif isinstance(outcome, EventRejected):
                log.error("event %s parked: %s", event.record.event_id, outcome)
                claim.parked(event, reason=str(outcome))
                parked += 1
            else:  # the broker went away: what follows waits for the next round
                error = outcome if isinstance(outcome, Unavailable) else BrokerUnavailable(outcome)
                if not published + parked:
                    raise error
                self._observer.failed(error)
                log.warning("batch cut short after %d events: %s", published + parked, outcome)
                break
        self._observer.published(published)
        self._observer.parked(parked)
        return published + parked

    async def _housekeeping(self) -> None:
        loop = asyncio.get_running_loop()
        if loop.time() < self._next_housekeeping:
            return
        self._next_housekeeping = loop.time() + self._options.housekeeping_seconds
        now = self._clock.now()
        purged = await self._store.purge(published_before=now - self._options.retention)
        if purged:
            log.info("purged %d published events", purged)
        self._observer.backlog(await self._store.backlog(), now=now)
