"""PostgreSQL for tests: a server, and a uniquely named database per test session.

The server is, in order: CATALOG_TEST_DATABASE_URL; the local server on 127.0.0.1:5432
(user postgres, trust); a private throwaway cluster made with initdb/pg_ctl in a temporary
directory on a free port. With none of these the tests skip, loudly, or fail when CI=true.
CATALOG_TEST_PRIVATE_CLUSTER=1 ignores the first two (to test the third).

Register with `pytest_plugins = ["tests.support.postgres"]`; request `postgres_url` (the
session's database, empty: migrate it yourself) or `fresh_postgres_url` (one per test).
"""

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from sqlalchemy.engine import URL, make_url

from tests.support import processes

URL_VARIABLE = "CATALOG_TEST_DATABASE_URL"
PRIVATE_VARIABLE = "CATALOG_TEST_PRIVATE_CLUSTER"
LOCAL_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True, slots=True)
class PostgresServer:
    """A server we may create databases on; `url` names its maintenance database."""

    url: URL
    origin: str

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        args = self.url.translate_connect_args(username="user", database="dbname")
        return psycopg.connect(**args, autocommit=True, connect_timeout=5)

    def create_database(self, prefix: str = "catalog_test") -> str:
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with self._admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # a fresh uuid: nothing to escape
        return self.url.set(drivername="postgresql+asyncpg", database=name).render_as_string(
            hide_password=False
        )

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def reachable(url: URL) -> bool:
    try:
        with closing(socket.create_connection((url.host or "127.0.0.1", url.port or 5432), 1)):
            return True
    except OSError:
        return False


def free_port() -> int:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _as_postgres(argv: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: drop to the postgres user then."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def _run(argv: list[str]) -> None:
    try:
        subprocess.run(_as_postgres(argv), check=True, capture_output=True, text=True, timeout=60)
    except subprocess.CalledProcessError as error:
        raise RuntimeError(f"{argv[0]} failed: {error.stderr.strip()}") from None


@dataclass(frozen=True, slots=True)
class PrivateCluster(PostgresServer):
    """A cluster this process started: it may stop, start, freeze and thaw it (fault tests)."""

    base: Path

    def _pg_ctl(self, *args: str) -> None:
        _run(["pg_ctl", "-D", str(self.base / "data"), *args])

    def start(self) -> None:
        port = self.url.port
        options = f"-p {port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._pg_ctl("-l", str(self.base / "log"), "-o", options, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "-w", "stop")

    def _processes(self) -> list[int]:
        """The postmaster and its children (backends, checkpointer, ...)."""
        pid_file = (self.base / "data" / "postmaster.pid").read_text()
        postmaster = int(pid_file.split()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        return [postmaster, *map(int, children)]

    def freeze(self) -> None:
        """SIGSTOP: the sockets stay open and nothing answers, as in a network partition."""
        for pid in self._processes():
            processes.freeze(pid)

    def thaw(self) -> None:
        for pid in self._processes():
            processes.thaw(pid)


@contextmanager
def private_cluster() -> Iterator[PrivateCluster]:
    """A throwaway cluster in a temporary directory, stopped and deleted afterwards."""
    missing = [tool for tool in ("initdb", "pg_ctl") if shutil.which(tool) is None]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not on PATH")
    base = Path(tempfile.mkdtemp(prefix="catalog-pg-"))
    url = make_url(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres")
    cluster = PrivateCluster(url, "private", base)
    if os.geteuid() == 0:
        shutil.chown(base, user="postgres")
    try:
        _run(["initdb", "-D", str(base / "data"), "-U", "postgres", "-A", "trust", "--no-sync"])
        cluster.start()
        try:
            yield cluster
        finally:
            with suppress(OSError, ValueError):
                cluster.thaw()  # a frozen cluster would not stop
            with suppress(RuntimeError, subprocess.SubprocessError):
                cluster.stop("immediate")
    finally:
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def provision() -> Iterator[PostgresServer]:
    """The first server available, per the order in this module's docstring."""
    if not os.environ.get(PRIVATE_VARIABLE):
        configured = os.environ.get(URL_VARIABLE)
        if configured:
            yield PostgresServer(make_url(configured), URL_VARIABLE)
            return
        local = make_url(LOCAL_URL)
        if reachable(local):
            yield PostgresServer(local, "local")
            return
    with private_cluster() as server:
        yield server


def unavailable(reason: str, *, what: str = "PostgreSQL") -> NoReturn:
    message = f"{what} unavailable for tests: {reason}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: failing instead of skipping)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    stack = ExitStack()
    try:
        server = stack.enter_context(provision())
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        unavailable(f"{error}; set {URL_VARIABLE}, or put initdb and pg_ctl on PATH")
    with stack:
        yield server


def _create(server: PostgresServer) -> str:
    try:
        return server.create_database()
    except psycopg.OperationalError as error:
        reason = str(error).strip().splitlines()[0]
        unavailable(f"{server.origin} server at {server.url.host}:{server.url.port}: {reason}")


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """An empty database of this test session's own, dropped at the end."""
    url = _create(postgres_server)
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """An empty database for one test, dropped after it."""
    url = _create(postgres_server)
    try:
        yield url
    finally:
        postgres_server.drop_database(url)


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivateCluster]:
    """A cluster of the module's own, for tests that stop or freeze it (never a shared one)."""
    stack = ExitStack()
    try:
        cluster = stack.enter_context(private_cluster())
    except (RuntimeError, OSError, subprocess.SubprocessError) as error:
        unavailable(f"cannot start a private cluster: {error}")
    with stack:
        yield cluster
