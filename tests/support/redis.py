"""Redis for tests: CATALOG_TEST_REDIS_URL, else the local server on 127.0.0.1:6379, else a
private `redis-server` on a free port (in memory, no persistence), stopped afterwards.
With none of these the tests skip, loudly, or fail when CI=true. Tests share the server:
each keeps to keys of its own (`redis_key_prefix`).
"""

import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager

import pytest

URL_VARIABLE = "CATALOG_TEST_REDIS_URL"
LOCAL = ("127.0.0.1", 6379)
START_TIMEOUT = 10.0


def _answers(host: str, port: int) -> bool:
    try:
        with closing(socket.create_connection((host, port), 1)) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def _free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def _private_server() -> Iterator[str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError("redis-server not on PATH")
    port = _free_port()
    argv = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while not _answers("127.0.0.1", port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start on port {port}")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    configured = os.environ.get(URL_VARIABLE)
    if configured:
        yield configured
        return
    if _answers(*LOCAL):
        yield "redis://127.0.0.1:6379/0"
        return
    stack = ExitStack()
    try:
        url = stack.enter_context(_private_server())
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        message = f"Redis unavailable for tests: {error}; set {URL_VARIABLE}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message + " (CI=true: failing instead of skipping)", pytrace=False)
        pytest.skip(message)
    with stack:
        yield url


@pytest.fixture
def redis_key_prefix() -> str:
    return f"catalog-test-{uuid.uuid4().hex[:12]}"
