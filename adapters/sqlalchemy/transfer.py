"""Moving every row of the schema from a source to a target, table by table, streamed.

Copying is table-level: the tables are those of the metadata, in dependency order
(`metadata.sorted_tables`), less those that hold nothing worth moving, so that a table a
later migration adds is copied with no change here. Each table's rows stream in primary-key
order, in batches; each batch is counted and checksummed in its canonical form
(canonical.py) as it passes, and the target is checked against those figures at the end.

A source is a database snapshot (snapshot.py) or a dump (dump.py); a target is a database
(target.py) or a dump.
"""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Table

from adapters.sqlalchemy.canonical import Batch, Tally
from adapters.sqlalchemy.tables import metadata

BATCH_ROWS = 5000

# Login counters are a window's worth of failed attempts: they lapse within minutes.
SKIPPED = frozenset({"login_failures"})

# The rows of a table worth moving (all, for a table not named): published events are done.
KEPT: dict[str, Callable[[Table], ColumnElement[bool]]] = {
    "outbox": lambda table: table.c.published_at.is_(None),
}


class TransferError(Exception):
    """Why a copy, dump or restore cannot go on, in one line."""


def copied_tables() -> list[Table]:
    return [table for table in metadata.sorted_tables if table.name not in SKIPPED]


def sequence_column(table: Table) -> Any:
    """The column a sequence numbers (an integer primary key of its own), or None."""
    return table.autoincrement_column


class Source(Protocol):
    async def count(self, table: Table) -> int | None: ...

    def batches(self, table: Table) -> AsyncIterator[Batch]: ...

    async def sequence(self, table: Table) -> int:
        """The last number the table's sequence gave out (0 for none): ids never reused."""
        ...

    def check(self, table: Table, tally: Tally) -> None:
        """Raises TransferError when the rows read disagree with what the source promised."""


class TableWriter(Protocol):
    async def write(self, batch: Batch) -> None: ...

    async def end(self, tally: Tally, sequence: int) -> None: ...


class Target(Protocol):
    def table(self, table: Table) -> AbstractAsyncContextManager[TableWriter]: ...

    async def tally(self, table: Table, expected: Tally) -> Tally:
        """The target's own count and checksum of `table` (after every table is written)."""
        ...


class Observer(Protocol):
    def table(self, name: str, total: int | None) -> None: ...

    def advance(self, rows: int) -> None: ...


@dataclass(frozen=True, slots=True)
class Verified:
    table: str
    rows: int
    sha256: str


async def _move(table: Table, source: Source, target: Target, observer: Observer) -> Tally:
    observer.table(table.name, await source.count(table))
    tally = Tally()
    async with target.table(table) as writer:
        async for batch in source.batches(table):
            tally.add(batch)
            await writer.write(batch)
            observer.advance(len(batch.lines))
        source.check(table, tally)
        await writer.end(tally, await source.sequence(table))
    return tally


async def transfer(source: Source, target: Target, observer: Observer) -> list[Verified]:
    """Moves every copied table, then compares the target's counts and checksums with the
    source's; raises TransferError on the first difference."""
    tallies = [(table, await _move(table, source, target, observer)) for table in copied_tables()]
    verified = []
    for table, expected in tallies:
        found = await target.tally(table, expected)
        if (found.rows, found.sha256) != (expected.rows, expected.sha256):
            raise TransferError(
                f"verification failed for {table.name}: {found.rows} rows on the target, "
                f"{expected.rows} read from the source, or their content differs"
            )
        verified.append(Verified(table.name, found.rows, found.sha256))
    return verified
