"""The unit of work: one pooled connection, one transaction, committed only on request.

A plain `AsyncConnection` with Core statements (no ORM session: no identity map to keep,
nothing to lazy-load); bench/micro_uow.py measures it against the bare driver and an
`AsyncSession`. On PostgreSQL a read-only unit of work takes its connection from a pool
kept in autocommit, so a read costs its queries and no BEGIN or ROLLBACK: under READ
COMMITTED each statement sees a fresh snapshot anyway, so a transaction would not make
the reads more consistent. Its lookups by key go straight to the driver (see reads.py).
"""

from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from adapters.sqlalchemy.reads import CoreReader, DriverReader, RowReader
from adapters.sqlalchemy.repositories import SqlAlchemyItemRepository, SqlAlchemyUserRepository
from domain.events import DomainEvent


class SqlAlchemyUnitOfWork:
    users: SqlAlchemyUserRepository
    items: SqlAlchemyItemRepository

    def __init__(self, engine: AsyncEngine, *, read_only: bool = False) -> None:
        self._engine = engine
        self.read_only = read_only
        self.events: list[DomainEvent] = []
        self.committed = False
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        self._conn = conn = await self._engine.connect()
        reader: RowReader = CoreReader(conn)
        if self.read_only and conn.dialect.name == "postgresql":
            reader = DriverReader(conn)
        self.users = SqlAlchemyUserRepository(conn, reader)
        self.items = SqlAlchemyItemRepository(conn, reader)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self.committed:
            self.events.clear()
        conn, self._conn = self._conn, None
        if conn is not None:
            await conn.close()  # rolls back whatever was not committed

    def record(self, event: DomainEvent) -> None:
        self.events.append(event)

    async def commit(self) -> None:
        if self.read_only:
            raise RuntimeError("a read-only unit of work cannot commit")
        if self._conn is None:
            raise RuntimeError("the unit of work is not open")
        await self._conn.commit()
        self.committed = True


class SqlAlchemyUnitOfWorkFactory:
    """Makes units of work: writes on `engine`, reads on `reader` (an autocommit engine on
    PostgreSQL; by default `engine` itself)."""

    def __init__(self, engine: AsyncEngine, *, reader: AsyncEngine | None = None) -> None:
        self._engine = engine
        self._reader = reader or engine

    def __call__(self, *, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        engine = self._reader if read_only else self._engine
        return SqlAlchemyUnitOfWork(engine, read_only=read_only)
