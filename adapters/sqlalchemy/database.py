"""The database as the adapters see it: one engine, one pool, one gate in front of it.

Every connection the process opens comes from this one pool (`CATALOG_DB_POOL_SIZE`,
no overflow): units of work take theirs through their `AsyncSession`, readers check one
out per query. On PostgreSQL both queue at the same first-come, first-served gate
(gate.py), as large as the pool, so the pool itself never queues.
"""

from types import TracebackType

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker
from sqlalchemy.pool import QueuePool

from adapters.sqlalchemy import migrations
from adapters.sqlalchemy.dialect import gated
from adapters.sqlalchemy.faults import translated
from adapters.sqlalchemy.gate import FairGate
from application.storage import PoolStatus


class Database:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.gate = _gate(engine)
        # Built once per process. Rows are read with Core statements and mapped explicitly,
        # so there are no ORM instances to expire or lazy-load.
        self.sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

    def connection(self) -> "Checkout":
        """`async with database.connection() as conn:` a pooled connection, in turn."""
        return Checkout(self)

    async def ping(self) -> None:
        """Returns when the database answers; StorageUnavailable when it does not."""
        with translated():
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))

    async def migrate(self) -> None:
        """Brings the schema to the newest revision (migrations.py)."""
        await migrations.upgrade(self.engine)

    def pool_status(self) -> PoolStatus:
        pool = self.engine.pool
        in_use = pool.checkedout() if isinstance(pool, QueuePool) else 0
        return PoolStatus(in_use, 0 if self.gate is None else self.gate.waiting)

    async def dispose(self) -> None:
        await self.engine.dispose()


class Checkout:
    """One connection for one reader's query: a place at the gate, then the pool's."""

    __slots__ = ("_conn", "_database")

    def __init__(self, database: Database) -> None:
        self._database = database
        self._conn: AsyncConnection | None = None

    async def __aenter__(self) -> AsyncConnection:
        gate = self._database.gate
        if gate is not None:
            await gate.enter()
        try:
            self._conn = await self._database.engine.connect()
        except BaseException:
            if gate is not None:
                gate.leave()
            raise
        return self._conn

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            if self._conn is not None:
                await self._conn.close()
        finally:
            if self._database.gate is not None:
                self._database.gate.leave()


def _gate(engine: AsyncEngine) -> FairGate | None:
    """A gate for a PostgreSQL engine's pool (engine.py: a fixed size, no overflow)."""
    pool = engine.pool
    if not gated(engine.dialect.name) or not isinstance(pool, QueuePool):
        return None
    return FairGate(pool.size(), timeout=pool.timeout())
