"""One factory picks the storage backend from the database URL.

Nothing in `domain` or `application` knows which backend runs: they see a
`UnitOfWorkFactory`. The entrypoints see a `Backend`: the factory plus the few
operations an operator needs (is the database there, build its schema, let it go).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from application.ports import UnitOfWorkFactory

MEMORY_URL = "memory://"


async def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Backend:
    name: str  # "memory", "sqlite" or "postgresql"
    uow: UnitOfWorkFactory
    ping: Callable[[], Awaitable[None]]  # raises when the database cannot be reached
    migrate: Callable[[], Awaitable[None]]  # brings the schema to the newest revision
    dispose: Callable[[], Awaitable[None]]  # closes every connection


def open_backend(url: str, *, pool_size: int = 5) -> Backend:
    """A backend for `memory://`, `sqlite+aiosqlite:///path` or `postgresql+asyncpg://...`."""
    if url.startswith(MEMORY_URL):
        database = InMemoryDatabase()

        def uow(*, read_only: bool = False) -> InMemoryUnitOfWork:
            return InMemoryUnitOfWork(database, read_only=read_only)

        return Backend("memory", uow, _nothing, _nothing, _nothing)
    raise ValueError(f"unsupported database URL scheme: {url.split(':', 1)[0]}")
