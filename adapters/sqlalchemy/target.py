"""A database as the target of a copy or a restore: migrated, empty, filled table by table.

Each table is written in one transaction of its own (PostgreSQL's COPY, batched inserts on
SQLite), and its sequence is set in it: past the highest id and past the source's own
counter, so that no id is ever given out twice. While a copy runs, the target holds a marker
table (`catalog_copy`), dropped once every table has been verified: a copy that was
interrupted (Ctrl-C, a lost connection) leaves it behind, the next copy refuses, and
`--redo` empties the tables and copies again. Redo, not resume: the source may have changed
since, and a resumed copy would mix two snapshots.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, MetaData, Table, Text, delete, func, insert, inspect, literal, select
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy import migrations
from adapters.sqlalchemy.canonical import Batch, Tally
from adapters.sqlalchemy.transfer import (
    BATCH_ROWS,
    TableWriter,
    TransferError,
    copied_tables,
    sequence_column,
)
from adapters.sqlalchemy.transfer_engine import STATEMENT_SECONDS, transfer_engine

MARKER = Table("catalog_copy", MetaData(), Column("origin", Text), Column("started_at", Text))


class DatabaseTarget:
    def __init__(self, url: str) -> None:
        self.engine = transfer_engine(url)

    async def dispose(self) -> None:
        await self.engine.dispose()

    async def prepare(self, *, origin: str, redo: bool) -> None:
        """Migrates the target, checks that it is empty (or, with `redo`, empties what an
        interrupted copy left), and marks it as being filled."""
        await migrations.upgrade(self.engine)
        async with self.engine.begin() as connection:
            marked = await connection.run_sync(lambda c: inspect(c).has_table(MARKER.name))
            if marked and not redo:
                raise TransferError(await _interrupted(connection))
            if not marked:
                await _check_empty(connection)
                await connection.run_sync(MARKER.create)
            for table in reversed(copied_tables()):
                await connection.execute(delete(table))
            await connection.execute(delete(MARKER))
            started = datetime.now(UTC).isoformat(timespec="seconds")
            await connection.execute(insert(MARKER).values(origin=origin, started_at=started))

    async def finish(self) -> None:
        async with self.engine.begin() as connection:
            await connection.run_sync(MARKER.drop)

    @asynccontextmanager
    async def table(self, table: Table) -> AsyncIterator[TableWriter]:
        async with self.engine.connect() as connection, connection.begin():
            if connection.dialect.name == "postgresql":
                yield _Copy(connection, table)
            else:
                yield _Inserts(connection, table)

    async def tally(self, table: Table, expected: Tally) -> Tally:
        found = Tally()
        query = select(table).order_by(*table.primary_key.columns)
        async with self.engine.connect() as connection:
            result = await connection.stream(query)
            async for rows in result.partitions(BATCH_ROWS):
                found.add(Batch.of(rows))
        return found


async def _interrupted(connection: AsyncConnection) -> str:
    row = (await connection.execute(select(MARKER))).first()
    origin, started = (row.origin, row.started_at) if row is not None else ("?", "?")
    return (
        f"the target holds an interrupted copy (from {origin}, started {started}): "
        "run again with --redo to empty it and copy afresh"
    )


async def _check_empty(connection: AsyncConnection) -> None:
    filled = []
    for table in copied_tables():
        if await connection.scalar(select(literal(1)).select_from(table).limit(1)):
            filled.append(table.name)
    if filled:
        raise TransferError(
            f"the target is not empty ({', '.join(filled)} hold rows): "
            "copy into a new, empty database"
        )


class _Writer:
    def __init__(self, connection: AsyncConnection, table: Table) -> None:
        self.connection = connection
        self.table = table
        self.names = [column.name for column in table.columns]

    async def end(self, tally: Tally, sequence: int) -> None:
        column = sequence_column(self.table)
        if column is None:
            return
        highest = await self.connection.scalar(select(func.max(column)))
        await self._continue_after(column, max(sequence, int(highest or 0)))

    async def _continue_after(self, column: Any, last: int) -> None:
        forget = sql("DELETE FROM sqlite_sequence WHERE name = :name")
        await self.connection.execute(forget, {"name": self.table.name})
        if last > 0:
            remember = sql("INSERT INTO sqlite_sequence (name, seq) VALUES (:name, :seq)")
            await self.connection.execute(remember, {"name": self.table.name, "seq": last})


class _Inserts(_Writer):
    async def write(self, batch: Batch) -> None:
        if batch.rows:
            values = [dict(zip(self.names, row, strict=True)) for row in batch.rows]
            await self.connection.execute(insert(self.table), values)


class _Copy(_Writer):
    """COPY through asyncpg, inside the transaction SQLAlchemy began (its first statement
    starts it on the driver's connection). Values go through the columns' bind processors,
    as SQLAlchemy would send them (JSON as text, for one)."""

    def __init__(self, connection: AsyncConnection, table: Table) -> None:
        super().__init__(connection, table)
        dialect = connection.dialect
        self.processors = [c.type.dialect_impl(dialect).bind_processor(dialect) for c in table.c]
        self.driver: Any = None

    async def write(self, batch: Batch) -> None:
        if self.driver is None:
            await self.connection.execute(select(literal(1)))
            self.driver = (await self.connection.get_raw_connection()).driver_connection
        records = [self._record(row) for row in batch.rows]
        await self.driver.copy_records_to_table(
            self.table.name, records=records, columns=self.names, timeout=STATEMENT_SECONDS
        )

    def _record(self, row: Sequence[Any]) -> tuple[Any, ...]:
        pairs = zip(row, self.processors, strict=True)
        return tuple(v if p is None or v is None else p(v) for v, p in pairs)

    async def _continue_after(self, column: Any, last: int) -> None:
        serial = func.pg_get_serial_sequence(self.table.name, column.name)
        await self.connection.execute(select(func.setval(serial, max(last, 1), last > 0)))
