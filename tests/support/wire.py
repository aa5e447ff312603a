"""Counts PostgreSQL round trips on the wire: a loopback TCP proxy that reads the client's
messages. A round trip ends at each simple Query ('Q') and at each Sync ('S') of the
extended protocol. A simple query is labelled by its first word (BEGIN, COMMIT ...); an
extended one "PARSE <word>" when it prepares a statement, else "EXECUTE" (a prepared
statement run again). Connect through it with TLS off (`ssl=disable`).
"""

import asyncio
import struct
from collections import Counter
from collections.abc import Coroutine
from contextlib import suppress
from typing import Any

_SSL_REQUEST, _GSS_REQUEST = 80877103, 80877104


def _first_word(sql: bytes) -> str:
    words = sql.split(b"\0", 1)[0].decode(errors="replace").strip().rstrip(";").split()
    return words[0].upper() if words else "EMPTY"


class RoundTripCounter:
    def __init__(self, *, host: str, port: int) -> None:
        self._upstream = (host, port)
        self.round_trips: Counter[str] = Counter()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        """Listens on a free loopback port and returns it."""
        self._server = await asyncio.start_server(self._accept, "127.0.0.1", 0)
        port: int = self._server.sockets[0].getsockname()[1]
        return port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with suppress(asyncio.CancelledError, OSError):
                await task

    def total(self) -> int:
        return sum(self.round_trips.values())

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        server_r, server_w = await asyncio.open_connection(*self._upstream)
        self._spawn(self._relay(server_r, client_w))
        self._spawn(self._from_client(client_r, server_w))

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while chunk := await reader.read(65536):
                writer.write(chunk)
                await writer.drain()
        finally:
            writer.close()

    async def _from_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:  # startup: untyped messages until the startup packet itself
                header = await reader.readexactly(8)
                length, code = struct.unpack("!ii", header)
                writer.write(header + await reader.readexactly(length - 8))
                if code not in (_SSL_REQUEST, _GSS_REQUEST):
                    break
            label = ""
            while True:
                kind = await reader.readexactly(1)
                (length,) = struct.unpack("!i", await reader.readexactly(4))
                body = await reader.readexactly(length - 4)
                writer.write(kind + struct.pack("!i", length) + body)
                if kind == b"Q":
                    self.round_trips[_first_word(body)] += 1
                elif kind == b"P":  # Parse: name\0 query\0 ...
                    label = label or "PARSE " + _first_word(body.split(b"\0", 1)[1])
                elif kind == b"S":
                    self.round_trips[label or "EXECUTE"] += 1
                    label = ""
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()
