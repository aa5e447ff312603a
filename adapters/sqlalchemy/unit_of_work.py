"""The unit of work: one `AsyncSession`, one transaction, committed only on request.

The session comes from the `async_sessionmaker` built once per process (database.py);
it begins on its first statement and holds one pooled connection until the unit of work
ends. Repositories receive the session and never commit: `commit()` commits it, and
leaving without a commit rolls back and closes it. On PostgreSQL the unit of work first
takes a place at the pool's gate, so a request waits in line, not inside the pool.

A fault of the database met inside the unit of work (by a repository, the outbox, the
commit or the close) leaves it as the application's StorageUnavailable (faults.py).

Every registered entity's repository is an attribute named after its table (`uow.users`,
`uow.items`), made on first use from the registry (repositories.py).
"""

from typing import Any, Self

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sqlalchemy.database import Database
from adapters.sqlalchemy.faults import translate, translated
from adapters.sqlalchemy.idempotency import SqlAlchemyIdempotencyStore
from adapters.sqlalchemy.outbox import OutboxWriter
from adapters.sqlalchemy.repositories import (
    REPOSITORIES,
    SqlAlchemyRepository,
    SqlAlchemyUserRepository,
)
from application.consistency import record_write
from domain.events import DomainEvent
from domain.items import Item
from domain.sessions import Session

# Where the primary's WAL is once a commit returned: at or past the commit's record.
_POSITION = text("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")


class SqlAlchemyUnitOfWork:
    # Typed for readers of this class; any registered table's repository works unnamed.
    users: SqlAlchemyUserRepository
    items: SqlAlchemyRepository[Item]
    sessions: SqlAlchemyRepository[Session]
    idempotency: SqlAlchemyIdempotencyStore

    def __init__(
        self, database: Database, *, outbox: OutboxWriter | None = None, positions: bool = False
    ) -> None:
        self._database = database
        self._outbox = outbox
        self._positions = positions  # read replicas configured: record the commit's position
        self._written = 0  # events already in the outbox
        self._session: AsyncSession | None = None
        self.events: list[DomainEvent] = []
        self.committed = False

    async def __aenter__(self) -> Self:
        gate = self._database.gate
        if gate is not None:
            with translated():
                await gate.enter()
        self._session = session = self._database.sessions()
        dialect = self._database.engine.dialect.name
        self.idempotency = SqlAlchemyIdempotencyStore(session, dialect=dialect)
        return self

    def __getattr__(self, name: str) -> Any:
        """A registered entity's repository, made once per opening (then an attribute)."""
        make = REPOSITORIES.get(name)
        if make is None or self._session is None:
            raise AttributeError(name)
        repository = self.__dict__[name] = make(self._session)
        return repository

    async def __aexit__(self, *exc_info: object) -> None:
        if not self.committed:
            self.events.clear()
        session, self._session = self._session, None
        for name in REPOSITORIES:
            self.__dict__.pop(name, None)  # they hold the session
        try:
            if session is not None:
                with translated():
                    await session.close()  # rolls back whatever was not committed
        finally:
            if session is not None and self._database.gate is not None:
                self._database.gate.leave()
        if isinstance(exc_info[1], BaseException):
            translate(exc_info[1])  # what the block met, in the application's terms

    def record(self, event: DomainEvent) -> None:
        self.events.append(event)

    async def commit(self) -> None:
        if self._session is None:
            raise RuntimeError("the unit of work is not open")
        with translated():
            if self._outbox is not None:  # the events go in the transaction of their rows
                await self._outbox.write(self._session, self.events[self._written :])
                self._written = len(self.events)
            await self._session.commit()
        self.committed = True
        if self._positions:
            with translated():
                position = (await self._session.execute(_POSITION)).scalar()
            record_write(int(position or 0))


class SqlAlchemyUnitOfWorkFactory:
    """Units of work on `database`; with an `outbox` writer (publishing configured), each
    writes the events it recorded into the outbox as it commits."""

    def __init__(
        self, database: Database, *, outbox: OutboxWriter | None = None, positions: bool = False
    ) -> None:
        self._database = database
        self._outbox = outbox
        self._positions = positions

    def __call__(self) -> SqlAlchemyUnitOfWork:
        return SqlAlchemyUnitOfWork(self._database, outbox=self._outbox, positions=self._positions)
