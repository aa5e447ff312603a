"""A database read as a source: one consistent snapshot, every table streamed.

PostgreSQL: one REPEATABLE READ READ ONLY transaction, so every table is read as of one
instant while the service goes on writing. SQLite: one read transaction (an explicit BEGIN:
the driver would otherwise run each SELECT on its own), which in WAL mode keeps its view of
the database to the end and does not hold up the service's writers.
"""

from collections.abc import AsyncIterator

from sqlalchemy import Select, Table, func, select, text
from sqlalchemy.dialects.postgresql import REGCLASS
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy.canonical import Batch, Tally
from adapters.sqlalchemy.migrations import sqlite_file
from adapters.sqlalchemy.transfer import BATCH_ROWS, KEPT, TransferError, sequence_column
from adapters.sqlalchemy.transfer_engine import describe, head_revision, revision, transfer_engine


def kept_rows(table: Table) -> Select[tuple[object, ...]]:
    query = select(table).order_by(*table.primary_key.columns)
    keep = KEPT.get(table.name)
    return query if keep is None else query.where(keep(table))


class Snapshot:
    """`async with Snapshot(url) as source:` a Source (transfer.py) over a database."""

    def __init__(self, url: str) -> None:
        path = sqlite_file(url)
        if path is not None and not path.is_file():
            raise TransferError(f"the source {path} does not exist")
        self.url = url
        self.engine = transfer_engine(url)
        self._connection: AsyncConnection | None = None

    async def __aenter__(self) -> "Snapshot":
        connection = await self.engine.connect()
        self._connection = connection
        try:
            await self._begin(connection)
            await self._check_revision(connection)
        except BaseException:
            await self.__aexit__()
            raise
        return self

    async def _begin(self, connection: AsyncConnection) -> None:
        if connection.dialect.name == "postgresql":
            await connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
            await connection.begin()
        else:
            await connection.begin()
            await connection.exec_driver_sql("BEGIN")

    async def _check_revision(self, connection: AsyncConnection) -> None:
        found, head = await revision(connection), head_revision()
        if found is None:
            raise TransferError(f"the source {describe(self.url)} holds no Catalog schema")
        if found != head:
            raise TransferError(
                f"the source is at schema revision {found}, this Catalog at {head}: "
                "run `catalog migrate` on the source first"
            )

    async def __aexit__(self, *_: object) -> None:
        try:
            if self._connection is not None:
                await self._connection.close()  # and so the read transaction ends
        finally:
            await self.engine.dispose()

    @property
    def connection(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("the snapshot is not open")
        return self._connection

    async def count(self, table: Table) -> int | None:
        counted = kept_rows(table).with_only_columns(func.count()).order_by(None)
        return int(await self.connection.scalar(counted) or 0)

    async def batches(self, table: Table) -> AsyncIterator[Batch]:
        result = await self.connection.stream(kept_rows(table))
        async for rows in result.partitions(BATCH_ROWS):
            yield Batch.of(rows)

    async def sequence(self, table: Table) -> int:
        column = sequence_column(table)
        if column is None:
            return 0
        if self.connection.dialect.name == "postgresql":
            used = func.pg_sequence_last_value(
                func.pg_get_serial_sequence(table.name, column.name).cast(REGCLASS)
            )
            return int(await self.connection.scalar(select(used)) or 0)
        counter = text("SELECT seq FROM sqlite_sequence WHERE name = :name")
        return int(await self.connection.scalar(counter, {"name": table.name}) or 0)

    def check(self, table: Table, tally: Tally) -> None:
        return None  # a snapshot promises nothing beyond its rows
