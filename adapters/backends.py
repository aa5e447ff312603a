"""One factory picks the storage backend from the database URL.

Nothing in `domain` or `application` knows which backend runs: they see a
`UnitOfWorkFactory`. The entrypoints see a `Backend`: the factory plus the few
operations an operator needs (is the database there, build its schema, let it go).
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import text

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from adapters.sqlalchemy import migrations
from adapters.sqlalchemy.engine import create_engine
from adapters.sqlalchemy.unit_of_work import SqlAlchemyUnitOfWorkFactory
from application.ports import UnitOfWorkFactory

MEMORY_URL = "memory://"
_SQL_SCHEMES = {"sqlite+aiosqlite": "sqlite", "postgresql+asyncpg": "postgresql"}


async def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True)
class Backend:
    name: str  # "memory", "sqlite" or "postgresql"
    uow: UnitOfWorkFactory
    ping: Callable[[], Awaitable[None]]  # raises when the database cannot be reached
    migrate: Callable[[], Awaitable[None]]  # brings the schema to the newest revision
    dispose: Callable[[], Awaitable[None]]  # closes every connection


def check_database_url(url: str) -> None:
    """Raises ValueError, saying why, for a URL no backend can use. Connects to nothing."""
    if url.startswith(MEMORY_URL):
        return
    scheme = url.split(":", 1)[0]
    if scheme not in _SQL_SCHEMES:
        raise ValueError(
            f"unsupported database URL scheme {scheme!r}: use memory://, "
            "sqlite+aiosqlite:///path or postgresql+asyncpg://..."
        )
    migrations.check_sqlite_directory(url)


def open_backend(url: str, *, pool_size: int = 5) -> Backend:
    """A backend for `memory://`, `sqlite+aiosqlite:///path` or `postgresql+asyncpg://...`.

    Nothing connects here: the first unit of work, ping or migration does."""
    check_database_url(url)
    if url.startswith(MEMORY_URL):
        return _memory()
    return _sql(_SQL_SCHEMES[url.split(":", 1)[0]], url, pool_size=pool_size)


def _memory() -> Backend:
    database = InMemoryDatabase()

    def uow(*, read_only: bool = False) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(database, read_only=read_only)

    return Backend("memory", uow, _nothing, _nothing, _nothing)


def _sql(name: str, url: str, *, pool_size: int) -> Backend:
    """On PostgreSQL, reads get a pool of their own in autocommit (each pool `pool_size`)."""
    engine = create_engine(url, pool_size=pool_size)
    reader = engine
    if name == "postgresql":
        reader = create_engine(url, pool_size=pool_size, autocommit=True)

    async def ping() -> None:
        async with reader.connect() as connection:
            await connection.execute(text("SELECT 1"))

    async def migrate() -> None:
        await migrations.upgrade(engine)

    async def dispose() -> None:
        await engine.dispose()
        await reader.dispose()

    uow = SqlAlchemyUnitOfWorkFactory(engine, reader=reader)
    return Backend(name, uow, ping, migrate, dispose)
