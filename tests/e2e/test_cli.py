"""The `catalog` command's first-hour edges, through the real console script: what a new
user types, and the one line they get back when it cannot work."""

import os
import select
import socket
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.e2e.live_server import CATALOG, ROOT, catalog_env, make_run, run_catalog, serving
from tests.support.data import unique_email

# Makes the pseudo-terminal on standard input the controlling terminal of a new session (as
# a terminal emulator does), then becomes the command: getpass reads /dev/tty, and Ctrl-C
# there sends SIGINT.
_ON_A_TERMINAL = (
    "import os, sys; os.login_tty(os.open(os.ttyname(0), os.O_RDWR)); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)
CTRL_C = b"\x03"


def _sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("catalog: error: ")
    return lines[0]


def test_version_prints_the_installed_version() -> None:
    result = run_catalog("--version", env=catalog_env("memory://"))
    assert (result.returncode, result.stdout) == (0, f"catalog {version('catalog')}\n")


def test_serve_help_shows_each_option_default() -> None:
    result = run_catalog("serve", "--help", env=catalog_env("memory://"))
    assert result.returncode == 0
    for option, default in (("--host", "127.0.0.1"), ("--port", "8000"), ("--workers", "1")):
        line = next(line for line in result.stdout.splitlines() if line.strip().startswith(option))
        assert f"(default: {default})" in line


def test_serve_on_a_port_in_use_says_so_in_one_line_before_migrating(tmp_path: Path) -> None:
    database = tmp_path / "catalog.db"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_catalog(
            "serve", "--port", str(port), env=catalog_env(_sqlite_url(database)), timeout=30
        )
    assert f"127.0.0.1:{port}" in _one_line_error(result)
    assert "in use" in result.stderr
    assert not database.exists()  # it stopped before migrating


@pytest.mark.parametrize(
    "args",
    [("migrate",), ("serve", "--port", "0"), ("create-admin", "--email", "a@b.co", "--name", "A")],
)
def test_a_sqlite_path_in_a_missing_directory_is_one_line(
    tmp_path: Path, args: tuple[str, ...]
) -> None:
    url = _sqlite_url(tmp_path / "no" / "such" / "catalog.db")
    result = run_catalog(*args, env=catalog_env(url), stdin="long enough\n", timeout=30)
    assert "does not exist" in _one_line_error(result)
    assert list(tmp_path.iterdir()) == []  # no directories, no database, no lock file


def test_create_admin_on_memory_refuses_and_says_what_to_do() -> None:
    args = ("create-admin", "--email", unique_email(), "--name", "Root")
    result = run_catalog(*args, stdin="long enough\n", env=catalog_env("memory://"))
    line = _one_line_error(result)
    assert "memory://" in line
    assert "CATALOG_FIRST_ADMIN_EMAIL" in line
    assert "created" not in result.stdout


def _read_until(terminal: int, wanted: bytes, *, timeout: float) -> bytes:
    """What the terminal shows, up to `wanted` or until the other side closes."""
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([terminal], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(terminal, 1024)
            except OSError:  # EIO: every process on the terminal has closed it
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_ctrl_c_at_the_password_prompt_aborts_at_once(tmp_path: Path) -> None:
    controller, terminal = os.openpty()
    args = ("create-admin", "--email", unique_email(), "--name", "Root")
    process = subprocess.Popen(
        [sys.executable, "-c", _ON_A_TERMINAL, CATALOG, *args],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=catalog_env(_sqlite_url(tmp_path / "catalog.db")),
    )
    os.close(terminal)
    try:
        shown = _read_until(controller, b"Password: ", timeout=30)
        assert b"Password: " in shown, shown
        os.write(controller, CTRL_C)
        shown += _read_until(controller, b"\0never", timeout=10)
        assert process.wait(timeout=5) == 130
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    text = shown.decode()
    assert "Repeat password" not in text
    assert [line.strip() for line in text.splitlines() if line.strip()][-1] == (
        "catalog: error: interrupted"
    )
    assert text.count("catalog: error") == 1


def test_an_empty_jwt_secret_counts_as_unset(tmp_path: Path) -> None:
    """A blank `CATALOG_JWT_SECRET=` line in .env: the service starts, with the warning."""
    (tmp_path / ".env").write_text("CATALOG_JWT_SECRET=\n")
    env = catalog_env(_sqlite_url(tmp_path / "catalog.db"))
    migrated = run_catalog("migrate", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    with serving(tmp_path, "memory://", CATALOG_JWT_SECRET="") as served:
        assert "CATALOG_JWT_SECRET is not set" in served.log_text()


def test_make_run_migrates_once_and_quietly(tmp_path: Path) -> None:
    """Each revision applied is one line, on the first start only; Alembic's set-up lines
    ("Context impl", "Will assume") never show."""
    env = catalog_env(_sqlite_url(tmp_path / "catalog.db"))
    revisions = len(list((ROOT / "alembic" / "versions").glob("*.py")))
    for start, applied in enumerate((revisions, 0)):  # a fresh database, then again
        log = tmp_path / f"run-{start}.log"
        with make_run(env, log):
            pass
        alembic = [line for line in log.read_text().splitlines() if "alembic" in line]
        assert len(alembic) == applied, alembic
        assert all("Running upgrade" in line for line in alembic)
