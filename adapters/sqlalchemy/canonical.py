"""Rows in one canonical form, the same whichever database they were read from.

A row is a JSON array of its column values, in the table's column order: decimals as text
(normalised: 10.00 and 10 are one price), instants as UTC ISO 8601, UUIDs as text, bytes as
base64, JSON values with sorted keys. The checksum of a table is the SHA-256 of its rows'
lines in primary-key order; a dump's row lines (dump.py) are the same lines.
"""

import base64
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import Column, Table

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_SORT_KEYS


def _canonical(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, UUID):  # asyncpg's own UUID class, which orjson does not know
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    raise TypeError(f"no canonical form for {type(value).__name__}")


def line(row: Sequence[object]) -> bytes:
    """One row's canonical line, without its newline."""
    return orjson.dumps(list(row), default=_canonical, option=_OPTIONS)


@dataclass(frozen=True, slots=True)
class Batch:
    """Rows as the database gives and takes them, and their canonical lines."""

    rows: Sequence[Sequence[Any]]
    lines: list[bytes]

    @classmethod
    def of(cls, rows: Sequence[Sequence[Any]]) -> "Batch":
        return cls(rows, [line(row) for row in rows])


@dataclass(slots=True)
class Tally:
    """How many rows a table has, and the checksum of their content."""

    rows: int = 0
    _digest: Any = field(default_factory=hashlib.sha256)

    def add(self, batch: Batch) -> None:
        self.rows += len(batch.lines)
        for one in batch.lines:
            self._digest.update(one)
            self._digest.update(b"\n")

    @property
    def sha256(self) -> str:
        return str(self._digest.hexdigest())


def _decoder(column: Column[Any]) -> Callable[[Any], Any] | None:
    kind = column.type.python_type
    decoders: dict[type, Callable[[Any], Any]] = {
        Decimal: Decimal,
        datetime: datetime.fromisoformat,
        UUID: UUID,
        bytes: base64.b64decode,
    }
    return decoders.get(kind)


def decoders(table: Table) -> list[Callable[[Any], Any] | None]:
    """For each column, what turns a canonical value back into the column's Python value."""
    return [_decoder(column) for column in table.columns]


def decode(row: list[Any], decoding: list[Callable[[Any], Any] | None]) -> tuple[Any, ...]:
    return tuple(
        value if value is None or how is None else how(value)
        for value, how in zip(row, decoding, strict=True)
    )
