"""Value rules shared by the entities: each returns the normalised value or raises."""

import dataclasses
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

from domain.errors import InvariantViolated

NAME_MAX = 100
UNSAVED = 0  # the id of an entity not yet persisted; storage assigns ids from 1
ID_MAX = 2**31 - 1  # the largest id storage holds: ids are INTEGER columns
_ALLOWED_IN_TEXT = frozenset("\n\r\t")
E = TypeVar("E", bound="DataclassInstance")
# Field metadata of a value never kept outside storage, such as a password hash.
CONFIDENTIAL = {"confidential": True}


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


def check_stamps(entity: object) -> None:
    """An entity's timestamps (timezone-aware, kept in UTC) and version (from 1), checked
    in its `__post_init__`: frozen, so the normalised values go in through its slots."""
    for field in ("created_at", "updated_at"):
        object.__setattr__(entity, field, timestamp(getattr(entity, field), field=field))
    version(getattr(entity, "version"))  # noqa: B009 (any entity with a version)


@cache
def _field_names(cls: "type[DataclassInstance]") -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


def restored(cls: type[E], values: Mapping[str, object]) -> E:
    """An entity rebuilt from trusted storage without re-running its checks: storage only
    ever receives entities that passed them, and a page of rows would otherwise run them
    all again on every read. Takes each of the dataclass's fields from `values`."""
    entity = object.__new__(cls)
    set_slot = object.__setattr__  # frozen: the dataclass refuses, its slots still take it
    for name in _field_names(cls):
        set_slot(entity, name, values[name])
    return entity
