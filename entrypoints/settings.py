"""Configuration from `CATALOG_*` environment variables (and an optional `.env`)."""

import secrets
from collections.abc import Callable
from typing import Annotated, Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from domain import rules
from domain.errors import InvariantViolated
from domain.users import check_password, normalise_email

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./catalog.db"


class Settings(BaseSettings):
    # An empty value (`CATALOG_JWT_SECRET=`, a blank line in .env) counts as unset.
    model_config = SettingsConfigDict(
        env_prefix="CATALOG_", env_file=".env", extra="ignore", frozen=True, env_ignore_empty=True
    )

    database_url: str = DEFAULT_DATABASE_URL
    jwt_secret: SecretStr | None = None
    # Secrets that signed earlier tokens, comma-separated: they still verify (by `kid`).
    jwt_previous_secrets: SecretStr | None = None
    access_token_ttl_seconds: int = Field(default=900, ge=60, le=86_400)
    # A session lapses when unused this long, and at its absolute lifetime whatever the use.
    session_idle_days: int = Field(default=14, ge=1, le=365)
    session_lifetime_days: int = Field(default=90, ge=1, le=3650)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["auto", "json", "console"] = "auto"
    auto_migrate: bool = True
    # The most connections one process opens to the database, reads and writes together.
    db_pool_size: int = Field(default=10, ge=1, le=100)
    # "pgbouncer": PostgreSQL is reached through pgbouncer in transaction pooling mode.
    db_pooler: Literal["none", "pgbouncer"] = "none"
    # Every wait on the database is bounded; past a bound the request gets a 503.
    db_connect_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    db_statement_timeout_seconds: float = Field(default=5.0, gt=0, le=3600)
    db_pool_timeout_seconds: float = Field(default=5.0, gt=0, le=300)
    # Streaming replicas the reads go to (comma-separated URLs), each with a pool of
    # `db_pool_size` of its own; one lagging more than the bound is not used.
    database_replica_urls: Annotated[list[str], NoDecode] = []
    replica_max_lag_seconds: float = Field(default=1.0, ge=0, le=3600)
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    cors_origins: Annotated[list[str], NoDecode] = []
    # An administrator created at start-up when no user has this email (first_admin.py).
    first_admin_email: str | None = None
    first_admin_password: SecretStr | None = None
    first_admin_name: str = "Admin"
    # Events (SPEC §9): with a NATS URL the unit of work writes the outbox; without, not.
    nats_url: str | None = None
    events_stream: str = Field(default="CATALOG", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    events_subject_prefix: str = Field(default="catalog", pattern=r"^[A-Za-z0-9_-]{1,64}$")
    events_source: str = Field(default="/catalog", min_length=1)
    relay_in_process: bool = False  # `catalog serve --relay`
    # On SIGTERM: /health/ready answers 503 and the process serves on this long (a load
    # balancer notices), then finishes what is in flight within the shutdown timeout.
    drain_seconds: float = Field(default=5.0, ge=0, le=300)
    shutdown_timeout_seconds: int = Field(default=10, ge=1, le=600)
    relay_batch_size: int = Field(default=100, ge=1, le=1000)
    relay_poll_seconds: float = Field(default=1.0, gt=0, le=300)
    relay_retention_seconds: int = Field(default=86_400, ge=0)
    # Failed logins allowed per account and per client address in each window; past
    # them, 429 until the window ends. Counted in the database, or in Redis when set.
    login_max_failures_per_account: int = Field(default=5, ge=1, le=10_000)
    login_max_failures_per_address: int = Field(default=30, ge=1, le=1_000_000)
    login_window_seconds: int = Field(default=900, ge=1, le=86_400)
    redis_url: str | None = None

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("cors_origins", "database_replica_urls", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip() for origin in value.split(",") if origin.strip()]
        return value

    @field_validator("nats_url", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("redis_url")
    @classmethod
    def _redis_scheme(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("redis://", "rediss://")):
            raise ValueError("must be a redis:// or rediss:// URL")
        return value or None

    @field_validator("jwt_secret")
    @classmethod
    def _long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().encode()) < 32:
            raise ValueError("must be at least 32 bytes")
        return value

    @field_validator("first_admin_email")
    @classmethod
    def _an_email(cls, value: str | None) -> str | None:
        return None if value is None else _checked(normalise_email, value)

    @field_validator("first_admin_password")
    @classmethod
    def _a_password(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _checked(check_password, value.get_secret_value())
        return value

    @field_validator("first_admin_name")
    @classmethod
    def _a_name(cls, value: str) -> str:
        return _checked(rules.name, value)

    @model_validator(mode="after")
    def _first_admin_complete(self) -> Self:
        if (self.first_admin_email is None) != (self.first_admin_password is None):
            raise ValueError(
                "CATALOG_FIRST_ADMIN_EMAIL and CATALOG_FIRST_ADMIN_PASSWORD go together"
            )
        return self

    @property
    def outbox_enabled(self) -> bool:
        """Whether units of work write their events to the outbox for the relay."""
        return self.nats_url is not None

    @property
    def jwt_secret_configured(self) -> bool:
        return self.jwt_secret is not None

    @field_validator("jwt_previous_secrets")
    @classmethod
    def _each_long_enough(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and any(len(k.encode()) < 32 for k in _split(value)):
            raise ValueError("each must be at least 32 bytes")
        return value

    def verifying_secrets(self) -> tuple[str, ...]:
        """The previous secrets, which verify tokens but sign none."""
        return () if self.jwt_previous_secrets is None else _split(self.jwt_previous_secrets)

    def signing_secret(self) -> str:
        """The configured secret, or a fresh one for this process (callers warn)."""
        if self.jwt_secret is not None:
            return self.jwt_secret.get_secret_value()
        return secrets.token_urlsafe(48)


def _checked(rule: Callable[[str], str], value: str) -> str:
    """A domain rule's verdict as pydantic reports it, so a bad setting is refused at once."""
    try:
        return rule(value)
    except InvariantViolated as error:
        raise ValueError(error.message) from None


def _split(secrets_: SecretStr) -> tuple[str, ...]:
    return tuple(key.strip() for key in secrets_.get_secret_value().split(",") if key.strip())
