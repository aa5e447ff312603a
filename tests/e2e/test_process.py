"""The installed `catalog` command, as an operator runs it: real processes, a real socket."""

import json
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.e2e.live_server import Served, catalog_env, run_catalog, serving
from tests.support.data import unique, unique_email

PASSWORD = "process tests password"
UNREACHABLE_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:1/catalog"


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"


def _token(client: httpx.Client, email: str, password: str) -> dict[str, str]:
    response = client.post("/auth/token", data={"username": email, "password": password})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _log_lines_with(served: Served, text: str) -> list[dict[str, object]]:
    """The JSON log lines mentioning `text`, once there are some (the access log line is
    written just after the response goes out)."""
    deadline = time.monotonic() + 5
    while True:
        lines = [json.loads(line) for line in served.log_text().splitlines() if text in line]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def _register_login_publish(served: Served) -> None:
    email, name = unique_email("proc"), unique("item")
    with httpx.Client(base_url=served.base_url, timeout=10) as client:
        registered = client.post(
            "/users/", json={"name": "Ada", "email": email, "password": PASSWORD}
        )
        assert registered.status_code == 201, registered.text
        auth = _token(client, email, PASSWORD)
        created = client.post("/items", json={"name": name, "price": "12.50"}, headers=auth)
        assert created.status_code == 201, created.text
        owner_id = registered.json()["id"]
        listed = client.get("/items", params={"owner_id": owner_id}, headers={"X-Request-ID": name})
    assert listed.status_code == 200
    assert [(i["name"], i["price"]) for i in listed.json()] == [(name, "12.50")]
    assert listed.headers["x-request-id"] == name
    access = _log_lines_with(served, name)  # the access log, keyed by our request id
    assert {"method": "GET", "path": "/items", "status": 200}.items() <= access[-1].items()
    assert PASSWORD not in served.log_text()


@pytest.mark.parametrize("backend", ["memory", "sqlite", "postgresql"])
def test_a_served_process_registers_logs_in_and_publishes(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "memory":
        url = "memory://"
    elif backend == "sqlite":
        url = _sqlite_url(tmp_path)
    else:
        url = str(request.getfixturevalue("fresh_postgres_url"))
    with serving(tmp_path, url) as served:
        _register_login_publish(served)
        served.process.terminate()
        # It drains (here for 0 s: catalog_env), shuts down gracefully and exits 0.
        assert served.process.wait(timeout=15) == 0
    assert "Application shutdown complete" in served.log_text()


def test_migrate_then_create_admin_from_stdin_then_the_admin_lists_users(tmp_path: Path) -> None:
    url, email = _sqlite_url(tmp_path), unique_email("admin")
    env = catalog_env(url)
    migrated = run_catalog("migrate", env=env)
    assert migrated.returncode == 0, migrated.stderr
    assert "sqlite" in migrated.stdout
    assert (tmp_path / "catalog.db").stat().st_size > 0
    args = ("create-admin", "--email", email, "--name", "Root")
    created = run_catalog(*args, stdin=PASSWORD + "\n", env=env)
    assert created.returncode == 0, created.stderr
    assert email in created.stdout
    again = run_catalog(
        "create-admin", "--email", email.upper(), "--name", "B", stdin=PASSWORD, env=env
    )
    assert "already registered" in _one_line_error(again)
    with serving(tmp_path, url) as served, httpx.Client(base_url=served.base_url) as client:
        users = client.get("/users", headers=_token(client, email, PASSWORD))
    assert users.status_code == 200, users.text
    assert [(u["email"], u["is_admin"]) for u in users.json()] == [(email, True)]


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line: str = lines[0]
    assert line.startswith("catalog")
    return line


def test_create_admin_refuses_a_short_password(tmp_path: Path) -> None:
    args = ("create-admin", "--email", unique_email(), "--name", "C")
    short = run_catalog(*args, stdin="short\n", env=catalog_env(_sqlite_url(tmp_path)))
    assert "password" in _one_line_error(short)


def test_openapi_prints_the_json_document() -> None:
    result = run_catalog("openapi", env=catalog_env("memory://"))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["openapi"].startswith("3.")
    assert {"/users", "/items", "/auth/token", "/health/ready"} <= document["paths"].keys()


@pytest.mark.parametrize(
    ("args", "env", "says"),
    [
        (["serve", "--port", "eighty"], {}, "invalid int value"),
        (["frobnicate"], {}, "invalid choice"),
        (["create-admin", "--name", "A"], {}, "--email"),
        (["serve", "--workers", "2"], {}, "CATALOG_JWT_SECRET"),
        (["migrate"], {"CATALOG_DATABASE_URL": UNREACHABLE_POSTGRES}, "database unavailable"),
        (
            ["serve", "--port", "0"],
            {"CATALOG_DATABASE_URL": UNREACHABLE_POSTGRES},
            "database unavailable",
        ),
        (["migrate"], {"CATALOG_DATABASE_URL": "mysql://x/y"}, "database URL"),
        (["migrate"], {"CATALOG_DB_POOL_SIZE": "0"}, "CATALOG_DB_POOL_SIZE"),
    ],
)
def test_bad_input_gives_one_line_and_a_non_zero_exit(
    args: list[str], env: dict[str, str], says: str
) -> None:
    result = run_catalog(*args, env=catalog_env("memory://", **env), timeout=30)
    assert says in _one_line_error(result)
