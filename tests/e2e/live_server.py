"""A real `catalog` process: the installed console script, a free port, a log file."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

CATALOG = str(Path(sys.executable).with_name("catalog"))
ROOT = Path(__file__).resolve().parents[2]
SECRET = "process-tests-signing-secret-of-32-bytes-or-more"
READY_TIMEOUT = 90.0  # two workers importing the app on a loaded 2-core machine took over 30 s


def free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def catalog_env(database_url: str, **extra: str) -> dict[str, str]:
    """The caller's environment minus any CATALOG_* it has, plus the given settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CATALOG_")}
    # No drain: a test that stops a server does not wait for a load balancer (test_drain.py).
    env |= {"CATALOG_DATABASE_URL": database_url, "CATALOG_LOG_FORMAT": "json"}
    env |= {"CATALOG_DRAIN_SECONDS": "0", **extra}
    return env


def run_catalog(
    *args: str, env: dict[str, str], stdin: str = "", timeout: float = 60, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CATALOG, *args],
        input=stdin,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
    )


@dataclass(frozen=True)
class Served:
    base_url: str
    log: Path
    process: "subprocess.Popen[bytes]"

    def log_text(self) -> str:
        return self.log.read_text()


def wait_until_live(
    base_url: str, process: "subprocess.Popen[bytes]", log: Path, *, path: str = "/health/ready"
) -> None:
    """Returns once `path` answers 200; fails with the log if the process exits or is slow."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}{path}", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server was not ready in {READY_TIMEOUT}s:\n{log.read_text()}")


@contextmanager
def serving(tmp_path: Path, database_url: str, **extra_env: str) -> Iterator[Served]:
    """Starts `catalog serve`, yields once /health/ready answers 200, stops it with SIGTERM."""
    with serving_workers(tmp_path, database_url, workers=1, env=extra_env) as served:
        yield served


@contextmanager
def serving_workers(
    tmp_path: Path, database_url: str, *, workers: int, env: dict[str, str]
) -> Iterator[Served]:
    """`serving` with `--workers` and settings (`env`) given as a mapping."""
    port = free_port()
    log = tmp_path / f"serve-{port}.log"
    env = catalog_env(database_url, **{"CATALOG_JWT_SECRET": SECRET, **env})
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                CATALOG,
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    served = Served(f"http://127.0.0.1:{port}", log, process)
    try:
        wait_until_live(served.base_url, process, log)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@contextmanager
def make_run(env: dict[str, str], log: Path) -> Iterator[str]:
    """`make run` as the README shows it; yields its base URL, stops its process group."""
    port = free_port()
    with log.open("wb") as sink:
        process = subprocess.Popen(
            ["make", "--no-print-directory", "run", f"PORT={port}"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_live(base_url, process, log)
        yield base_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
