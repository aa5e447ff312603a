"""Zero-downtime restarts: what a SIGTERM starts in a serving process.

At once, `/health/ready` answers 503 (a load balancer's health check takes the process out
of rotation) and every response says `Connection: close` (keep-alive connections wind
down as they are used, so none is cut between a request and its answer). The process goes
on serving for the drain period (`CATALOG_DRAIN_SECONDS`), then hands over to uvicorn's own
shutdown: it stops accepting, finishes what is in flight (bounded by
`CATALOG_SHUTDOWN_TIMEOUT_SECONDS`), and the lifespan stops the relay after its batch. A
second SIGTERM stops at once. The exit status is 0.
"""

import asyncio
import signal
from types import FrameType
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("catalog.drain")
_CLOSE = (b"connection", b"close")


class Drain:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.draining = False
        self._previous: Any = None

    def install(self) -> None:
        """Takes SIGTERM over from uvicorn (called in the lifespan, in the main thread)."""
        self._previous = signal.getsignal(signal.SIGTERM)
        loop = asyncio.get_running_loop()

        def on_term(sig: int, frame: FrameType | None) -> None:
            if self.draining:
                self._stop()
                return
            self.draining = True
            loop.call_soon_threadsafe(self._later, loop)

        signal.signal(signal.SIGTERM, on_term)

    def _later(self, loop: asyncio.AbstractEventLoop) -> None:
        log.info("draining", seconds=self.seconds)
        loop.call_later(self.seconds, self._stop)

    def _stop(self) -> None:
        """uvicorn's shutdown, as its own handler would start it, minus the signal it
        re-raises at the end (which would make the exit status -SIGTERM, not 0)."""
        server = getattr(self._previous, "__self__", None)
        if server is not None and hasattr(server, "should_exit"):
            server.should_exit = True
        elif callable(self._previous):
            self._previous(signal.SIGTERM, None)


class DrainMiddleware:
    """Adds `Connection: close` to every response while the process drains."""

    def __init__(self, app: ASGIApp, drain: Drain) -> None:
        self.app = app
        self.drain = drain

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.drain.draining:
            await self.app(scope, receive, send)
            return

        async def closing(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), _CLOSE]
            await send(message)

        await self.app(scope, receive, closing)
