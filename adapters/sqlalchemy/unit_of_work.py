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
from sqlalchemy.pool import QueuePool

from adapters.sqlalchemy.gate import FairGate
from adapters.sqlalchemy.idempotency import SqlAlchemyIdempotencyStore
from adapters.sqlalchemy.reads import CoreReader, DriverReader, RowReader
from adapters.sqlalchemy.repositories import SqlAlchemyItemRepository, SqlAlchemyUserRepository
from domain.events import DomainEvent


class SqlAlchemyUnitOfWork:
    users: SqlAlchemyUserRepository
    items: SqlAlchemyItemRepository
    idempotency: SqlAlchemyIdempotencyStore

    def __init__(
        self, engine: AsyncEngine, *, read_only: bool = False, gate: FairGate | None = None
    ) -> None:
        self._engine = engine
        self._gate = gate
        self.read_only = read_only
        self.events: list[DomainEvent] = []
        self.committed = False
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> Self:
        if self._gate is not None:
            await self._gate.enter()
        try:
            self._conn = conn = await self._engine.connect()
        except BaseException:
            self._leave_gate()
            raise
        reader: RowReader = CoreReader(conn)
        if self.read_only and conn.dialect.name == "postgresql":
            reader = DriverReader(conn)
        self.users = SqlAlchemyUserRepository(conn, reader)
        self.items = SqlAlchemyItemRepository(conn, reader)
        self.idempotency = SqlAlchemyIdempotencyStore(conn, dialect=conn.dialect.name)
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
        try:
            if conn is not None:
                await conn.close()  # rolls back whatever was not committed
        finally:
            self._leave_gate()

    def _leave_gate(self) -> None:
        gate, self._gate = self._gate, None  # once per unit of work
        if gate is not None:
            gate.leave()

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
    PostgreSQL; by default `engine` itself). On PostgreSQL each engine's units of work
    pass a `FairGate` as large as its pool (gate.py: first come, first served)."""

    def __init__(self, engine: AsyncEngine, *, reader: AsyncEngine | None = None) -> None:
        self._engine = engine
        self._reader = reader or engine
        self._writes = _gate(self._engine)
        self._reads = self._writes if self._reader is self._engine else _gate(self._reader)

    def __call__(self, *, read_only: bool = False) -> SqlAlchemyUnitOfWork:
        if read_only:
            return SqlAlchemyUnitOfWork(self._reader, read_only=True, gate=self._reads)
        return SqlAlchemyUnitOfWork(self._engine, gate=self._writes)


def _gate(engine: AsyncEngine) -> FairGate | None:
    """A gate for a PostgreSQL engine's pool (engine.py: a fixed size, no overflow)."""
    pool = engine.pool
    if engine.dialect.name != "postgresql" or not isinstance(pool, QueuePool):
        return None
    return FairGate(pool.size(), timeout=pool.timeout())
