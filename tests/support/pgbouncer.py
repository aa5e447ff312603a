"""pgbouncer for tests: Debian's pgbouncer in transaction pooling mode, in front of the
test session's PostgreSQL server, on a free port, for this test session alone.

`scripts/ensure-pgbouncer` (run by `make test`) installs it. Without it the tests that
need it skip, loudly, or fail when CI=true. Request `pgbouncer` (the running instance)
and call `pgbouncer.url_for(url)` to reach a database of the session's server through it.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.support.postgres import PostgresServer, free_port, unavailable

BINARY = "pgbouncer"
START_TIMEOUT_S = 10


@dataclass(frozen=True, slots=True)
class PgBouncer:
    host: str
    port: int

    def url_for(self, url: str) -> str:
        """`url` (a database on the session's server) reached through this pgbouncer."""
        through = make_url(url).set(host=self.host, port=self.port, password=None)
        return through.render_as_string(hide_password=False)


def _config(directory: Path, server: PostgresServer, port: int) -> Path:
    target = f"host={server.url.host or '127.0.0.1'} port={server.url.port or 5432}"
    if server.url.username:
        target += f" user={server.url.username}"
    if server.url.password:
        target += f" password={server.url.password}"
    (directory / "users.txt").write_text(f'"{server.url.username or "postgres"}" ""\n')
    config = directory / "pgbouncer.ini"
    config.write_text(
        "\n".join(
            [
                "[databases]",
                f"* = {target}",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                f"listen_port = {port}",
                "unix_socket_dir =",
                "auth_type = trust",
                f"auth_file = {directory / 'users.txt'}",
                "pool_mode = transaction",
                "max_client_conn = 400",
                "default_pool_size = 20",
                "ignore_startup_parameters = extra_float_digits",
                f"logfile = {directory / 'pgbouncer.log'}",
                "",
            ]
        )
    )
    return config


def _as_postgres(argv: list[str]) -> list[str]:
    """pgbouncer refuses to run as root: drop to the postgres user then."""
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


def _wait_for(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {log.read_text(errors='replace')[-500:]}")
        with suppress(OSError), closing(socket.create_connection(("127.0.0.1", port), 0.2)):
            return
        time.sleep(0.05)
    raise RuntimeError(f"pgbouncer did not listen on port {port} in {START_TIMEOUT_S}s")


@pytest.fixture(scope="session")
def pgbouncer(postgres_server: PostgresServer) -> Iterator[PgBouncer]:
    binary = shutil.which(BINARY) or shutil.which(f"/usr/sbin/{BINARY}")
    if binary is None:
        unavailable("not installed (scripts/ensure-pgbouncer installs it)", what="pgbouncer")
    directory = Path(tempfile.mkdtemp(prefix="catalog-pgbouncer-"))
    port = free_port()
    config = _config(directory, postgres_server, port)
    if os.geteuid() == 0:
        for path in (directory, *directory.iterdir()):
            shutil.chown(path, user="postgres")
    process = subprocess.Popen(
        _as_postgres([binary, str(config)]),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        try:
            _wait_for(port, process, directory / "pgbouncer.log")
        except RuntimeError as error:
            unavailable(str(error), what="pgbouncer")
        yield PgBouncer("127.0.0.1", port)
    finally:
        process.terminate()
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=10)
        if process.poll() is None:
            process.kill()
        shutil.rmtree(directory, ignore_errors=True)
