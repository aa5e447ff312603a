"""The User entity and its rules."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime

from domain import rules
from domain.errors import InvariantViolated

EMAIL_MAX = 254
PASSWORD_MIN = 8
PASSWORD_MAX = 128


def normalise_email(value: str) -> str:
    """Trimmed and lower-cased; one @ with something on each side, no spaces."""
    email = value.strip().lower()
    local, at, domain = email.rpartition("@")
    if not (at and local and domain) or "@" in local or len(email) > EMAIL_MAX:
        raise InvariantViolated("email", "must be a valid email address")
    if any(c.isspace() for c in email) or rules.has_control_characters(email):
        raise InvariantViolated("email", "must not contain spaces or control characters")
    if "." not in domain or domain.startswith(".") or domain.endswith("."):
        raise InvariantViolated("email", "must be a valid email address")
    return email


def check_password(password: str) -> str:
    """A password is 8–128 characters; it is checked, never stored."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise InvariantViolated("password", f"must be {PASSWORD_MIN} to {PASSWORD_MAX} characters")
    return password


@dataclass(frozen=True, slots=True, kw_only=True)
class User:
    id: int = rules.UNSAVED
    name: str
    email: str
    password_hash: str = field(metadata=rules.CONFIDENTIAL)
    is_active: bool = True
    is_admin: bool = False
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", rules.name(self.name))
        object.__setattr__(self, "email", normalise_email(self.email))
        rules.check_stamps(self)
        if not self.password_hash:
            raise InvariantViolated("password_hash", "must not be empty")

    def __repr__(self) -> str:  # never show the hash, even in logs of a failure
        return f"User(id={self.id}, email={self.email!r}, version={self.version})"

    @classmethod
    def restore(cls, values: Mapping[str, object]) -> "User":
        """A user as storage holds it (a value for each field), its fields not
        checked again. Only repositories and readers call this."""
        return rules.restored(cls, values)

    @classmethod
    def register(cls, *, name: str, email: str, password_hash: str, now: datetime) -> "User":
        return cls(
            name=name, email=email, password_hash=password_hash, created_at=now, updated_at=now
        )

    def change(
        self,
        *,
        now: datetime,
        name: str | None = None,
        email: str | None = None,
        password_hash: str | None = None,
        is_active: bool | None = None,
        is_admin: bool | None = None,
    ) -> "User":
        """A copy with the given fields changed, a new version and `updated_at`."""
        return replace(
            self,
            name=self.name if name is None else name,
            email=self.email if email is None else email,
            password_hash=self.password_hash if password_hash is None else password_hash,
            is_active=self.is_active if is_active is None else is_active,
            is_admin=self.is_admin if is_admin is None else is_admin,
            updated_at=now,
            version=self.version + 1,
        )
