"""A dump: the copied tables in one NDJSON file, written and read as a stream.

    {"format": "catalog-dump", "version": 1, "revision": "0004"}
    {"table": "users", "columns": ["id", "name", ...]}
    [1, "Ada", ...]                       one line per row, canonical (canonical.py)
    {"end": "users", "rows": 1, "sha256": "…", "sequence": 3}
    {"table": "items", ...}               and so on, in dependency order

A restore checks the header (the same format and schema revision), each table's name and
columns, and each table's count and checksum against its `end` line, so a truncated or
altered file is refused.
"""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import IO, Any

import orjson
from sqlalchemy import Table

from adapters.sqlalchemy.canonical import Batch, Tally, decode, decoders
from adapters.sqlalchemy.transfer import BATCH_ROWS, TableWriter, TransferError

FORMAT = "catalog-dump"
VERSION = 1


def _dumps(value: dict[str, Any]) -> bytes:
    return orjson.dumps(value) + b"\n"


class DumpTarget:
    """A Target (transfer.py) writing to a binary stream."""

    def __init__(self, stream: IO[bytes], *, revision: str) -> None:
        self.stream = stream
        stream.write(_dumps({"format": FORMAT, "version": VERSION, "revision": revision}))

    @asynccontextmanager
    async def table(self, table: Table) -> AsyncIterator[TableWriter]:
        columns = [column.name for column in table.columns]
        self.stream.write(_dumps({"table": table.name, "columns": columns}))
        yield _TableLines(self.stream, table.name)

    async def tally(self, table: Table, expected: Tally) -> Tally:
        return expected  # the file holds exactly the lines that were counted


class _TableLines:
    def __init__(self, stream: IO[bytes], name: str) -> None:
        self.stream = stream
        self.name = name

    async def write(self, batch: Batch) -> None:
        self.stream.write(b"".join(one + b"\n" for one in batch.lines))

    async def end(self, tally: Tally, sequence: int) -> None:
        end = {"end": self.name, "rows": tally.rows, "sha256": tally.sha256, "sequence": sequence}
        self.stream.write(_dumps(end))


class DumpSource:
    """A Source (transfer.py) reading a dump from a binary stream."""

    def __init__(self, stream: IO[bytes], *, revision: str) -> None:
        self._lines = _numbered(stream)
        self._ends: dict[str, dict[str, Any]] = {}
        header = self._next("the header")
        if header.get("format") != FORMAT or header.get("version") != VERSION:
            raise TransferError(f"not a {FORMAT} of version {VERSION}: {str(header)[:80]}")
        if header.get("revision") != revision:
            raise TransferError(
                f"the dump is of schema revision {header.get('revision')}, this Catalog is at "
                f"{revision}: restore it with the Catalog that made it"
            )

    def _next(self, what: str) -> Any:
        number, line = next(self._lines, (None, b""))
        if number is None:
            raise TransferError(f"the dump ends before {what}: the file is truncated")
        try:
            return orjson.loads(line)
        except orjson.JSONDecodeError:
            raise TransferError(f"line {number} of the dump is not JSON") from None

    async def count(self, table: Table) -> int | None:
        return None  # known at the table's end only

    async def batches(self, table: Table) -> AsyncIterator[Batch]:
        self._begin(table)
        decoding, rows = decoders(table), []
        while isinstance(value := self._next(f"the end of {table.name}"), list):
            rows.append(_decoded(table, value, decoding))
            if len(rows) == BATCH_ROWS:
                yield Batch.of(rows)
                rows = []
        if rows:
            yield Batch.of(rows)
        if not isinstance(value, dict) or value.get("end") != table.name:
            raise TransferError(f"the dump's {table.name} rows end without their end line")
        self._ends[table.name] = value

    def _begin(self, table: Table) -> None:
        start = self._next(f"the table {table.name}")
        columns = [column.name for column in table.columns]
        if not isinstance(start, dict) or start.get("table") != table.name:
            raise TransferError(f"the dump has {str(start)[:60]} where {table.name} belongs")
        if start.get("columns") != columns:
            raise TransferError(f"the dump's {table.name} columns are not this schema's")

    async def sequence(self, table: Table) -> int:
        return int(self._ends[table.name].get("sequence", 0))

    def check(self, table: Table, tally: Tally) -> None:
        end = self._ends[table.name]
        if (end.get("rows"), end.get("sha256")) != (tally.rows, tally.sha256):
            raise TransferError(
                f"the dump's {table.name} rows do not match their end line "
                f"({tally.rows} read, {end.get('rows')} written): the file was altered"
            )


def _decoded(table: Table, row: list[Any], decoding: list[Any]) -> tuple[Any, ...]:
    try:
        return decode(row, decoding)
    except (ValueError, TypeError, ArithmeticError):
        raise TransferError(f"a {table.name} row of the dump does not fit its columns") from None


def _numbered(stream: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield number, line
