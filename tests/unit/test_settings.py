"""Settings from the environment: empty values count as unset; the first admin's settings
are checked by the domain's rules before anything starts."""

import os

import pytest
from pydantic import ValidationError

from entrypoints import first_admin
from entrypoints.settings import Settings


@pytest.fixture(autouse=True)
def _no_catalog_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [n for n in os.environ if n.startswith("CATALOG_")]:
        monkeypatch.delenv(name)


def _settings() -> Settings:
    return Settings(_env_file=None)


def test_an_empty_jwt_secret_is_unset_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_JWT_SECRET", "")
    monkeypatch.setenv("CATALOG_DB_POOL_SIZE", "")
    settings = _settings()
    assert not settings.jwt_secret_configured
    assert settings.db_pool_size == 10
    assert len(settings.signing_secret()) >= 32


def test_a_short_jwt_secret_is_still_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_JWT_SECRET", "short")
    with pytest.raises(ValidationError, match="at least 32 bytes"):
        _settings()


def test_no_first_admin_unless_configured() -> None:
    assert first_admin.configured(_settings()) is None


def test_the_first_admin_command_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CATALOG_FIRST_ADMIN_EMAIL", " Root@Example.COM ")
    monkeypatch.setenv("CATALOG_FIRST_ADMIN_PASSWORD", "root password")
    command = first_admin.configured(_settings())
    assert command is not None
    assert (command.name, command.email, command.password) == (
        "Admin",
        "root@example.com",
        "root password",
    )
    assert "root password" not in repr(_settings())


@pytest.mark.parametrize(
    ("environment", "says"),
    [
        ({"CATALOG_FIRST_ADMIN_EMAIL": "root@example.com"}, "go together"),
        ({"CATALOG_FIRST_ADMIN_PASSWORD": "root password"}, "go together"),
        (
            {"CATALOG_FIRST_ADMIN_EMAIL": "root", "CATALOG_FIRST_ADMIN_PASSWORD": "root password"},
            "valid email",
        ),
        (
            {"CATALOG_FIRST_ADMIN_EMAIL": "root@example.com", "CATALOG_FIRST_ADMIN_PASSWORD": "s"},
            "8 to 128 characters",
        ),
        ({"CATALOG_FIRST_ADMIN_NAME": "\x07"}, "control characters"),
    ],
)
def test_a_bad_first_admin_is_refused_at_once(
    monkeypatch: pytest.MonkeyPatch, environment: dict[str, str], says: str
) -> None:
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=says):
        _settings()
