"""Entities kept as JSON, for the response an `Idempotency-Key` replays.

A create that ran under a key keeps a snapshot of what it made, in the same transaction;
a retry gets that entity back, and the entrypoint renders it as it rendered the first
answer. Confidential fields (marked `rules.CONFIDENTIAL`, such as a password hash) are never
kept: a replayed entity has them empty.
"""

import json
from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from types import UnionType
from typing import TYPE_CHECKING, Any, get_args, get_type_hints

from domain import rules
from domain.rules import E

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


def dump(entity: "DataclassInstance") -> bytes:
    kept = {
        field.name: _plain(getattr(entity, field.name))
        for field in fields(entity)
        if not field.metadata.get("confidential")
    }
    return json.dumps(kept, separators=(",", ":")).encode()


def load(cls: type[E], snapshot: bytes) -> E:
    kept = json.loads(snapshot)
    hints = get_type_hints(cls)
    values = {
        field.name: _typed(hints[field.name], kept[field.name]) if field.name in kept else ""
        for field in fields(cls)
    }
    return rules.restored(cls, values)


def _plain(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _typed(hint: Any, value: Any) -> object:
    if value is None:
        return None
    if isinstance(hint, UnionType):  # `X | None`: the type that is not None
        (hint,) = (arg for arg in get_args(hint) if arg is not type(None))
    if hint is datetime:
        return datetime.fromisoformat(value)
    if hint is Decimal:
        return Decimal(value)
    return value
