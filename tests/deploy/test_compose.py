"""docker-compose.yml as `docker compose config` reads it (the real Compose v2, from the dev
dependencies; it needs no Docker daemon), and the Dockerfile's volume."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = str(Path(sys.executable).with_name("docker-compose"))


def _config(**variables: str) -> dict[str, Any]:
    """The resolved compose model, with only `variables` set in the environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CATALOG_", "PORT"))}
    env.pop("PUBLISH_ADDRESS", None)
    result = subprocess.run(
        [COMPOSE, "-f", str(ROOT / "docker-compose.yml"), "config", "--format", "json"],
        env={**env, **variables},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    config: dict[str, Any] = json.loads(result.stdout)
    return config


@pytest.fixture(scope="module")
def services() -> dict[str, Any]:
    services: dict[str, Any] = _config()["services"]
    return services


def test_the_api_is_published_on_this_machine_only_by_default(services: dict[str, Any]) -> None:
    [port] = services["api"]["ports"]
    assert (port["host_ip"], port["published"], port["target"]) == ("127.0.0.1", "8000", 8000)


def test_publishing_wider_or_elsewhere_is_one_variable() -> None:
    [port] = _config(PUBLISH_ADDRESS="0.0.0.0", PORT="9000")["services"]["api"]["ports"]  # noqa: S104
    assert (port["host_ip"], port["published"]) == ("0.0.0.0", "9000")  # noqa: S104


def test_a_configuration_error_does_not_restart_in_a_loop(services: dict[str, Any]) -> None:
    """`migrate` reads every setting first and is never restarted; the API starts only after
    it succeeded, and retries a failure at most 3 times."""
    assert services["migrate"]["command"] == ["catalog", "migrate"]
    assert services["migrate"]["restart"] == "no"
    assert services["api"]["restart"] == "on-failure:3"
    others = [s for s in services.values() if s.get("image") == "catalog:latest"]
    others = [s for s in others if s["command"] != ["catalog", "migrate"]]
    assert {"catalog serve", "catalog relay"} <= {" ".join(s["command"][:2]) for s in others}
    for service in others:  # the API and the relay
        assert service["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_the_first_admin_passes_through_to_the_api() -> None:
    variables = {
        "CATALOG_FIRST_ADMIN_EMAIL": "root@example.com",
        "CATALOG_FIRST_ADMIN_PASSWORD": "root password",
    }
    environment = _config(**variables)["services"]["api"]["environment"]
    assert variables.items() <= environment.items()
    assert environment["CATALOG_DATABASE_URL"].startswith("postgresql+asyncpg://")


def test_the_image_keeps_its_sqlite_data_in_a_volume() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    assert 'VOLUME ["/data"]' in lines
    assert any("CATALOG_DATABASE_URL=sqlite+aiosqlite:////data/" in line for line in lines)
