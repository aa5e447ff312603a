"""Value rules shared by the entities: each returns the normalised value or raises."""

import unicodedata
from datetime import UTC, datetime

from domain.errors import InvariantViolated

NAME_MAX = 100
UNSAVED = 0  # the id of an entity not yet persisted; storage assigns ids from 1
_ALLOWED_IN_TEXT = frozenset("\n\r\t")


def has_control_characters(text: str, *, allowed: frozenset[str] = frozenset()) -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in text)


def name(value: str, *, field: str = "name") -> str:
    trimmed = value.strip()
    if not 1 <= len(trimmed) <= NAME_MAX:
        raise InvariantViolated(field, f"must be 1 to {NAME_MAX} characters after trimming")
    if has_control_characters(trimmed):
        raise InvariantViolated(field, "must not contain control characters")
    return trimmed


def text(value: str, *, field: str, max_length: int) -> str:
    if len(value) > max_length:
        raise InvariantViolated(field, f"must be at most {max_length} characters")
    if has_control_characters(value, allowed=_ALLOWED_IN_TEXT):
        raise InvariantViolated(field, "must not contain control characters")
    return value


def timestamp(value: datetime, *, field: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvariantViolated(field, "must be timezone-aware")
    return value.astimezone(UTC)


def version(value: int) -> int:
    if value < 1:
        raise InvariantViolated("version", "starts at 1")
    return value
