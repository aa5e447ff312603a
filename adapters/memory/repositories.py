"""Repositories over the in-memory database, one generic over every registered entity:
reads see committed rows and this transaction's own writes; writes go to the transaction
until it commits, where the unit of work checks them as a database would."""

from collections.abc import Callable
from functools import partial
from typing import Any, Generic

from adapters.memory.tables import Changes, InMemoryDatabase
from adapters.sqlalchemy.mapping import MAPPINGS, USERS, E
from domain.errors import VersionConflict
from domain.users import User


class InMemoryRepository(Generic[E]):
    def __init__(self, name: str, db: InMemoryDatabase, changes: Changes) -> None:
        self._name, self._db, self._changes = name, db, changes
        self._table = db.tables[name]

    async def add(self, entity: E) -> E:
        stored: E = self._table.mapping.with_id(entity, next(self._table.ids))
        self._changes.rows[self._name][stored.id] = stored
        return stored

    async def get(self, key: int, /) -> E | None:
        row: E | None = self._changes.row(self._db, self._name, key)
        return row

    async def update(self, entity: E, *, expected_version: int) -> None:
        await self._read(entity.id, expected_version)
        self._changes.rows[self._name][entity.id] = entity

    async def delete(self, key: int, *, expected_version: int) -> None:
        await self._read(key, expected_version)
        self._changes.delete(self._db, self._name, key)

    async def _read(self, key: int, expected_version: int) -> None:
        """Refuses a write on a row not at `expected_version`; commit checks it again."""
        current = await self.get(key)
        if current is None or current.version != expected_version:
            raise VersionConflict(self._table.mapping.kind, key)
        self._changes.read_versions.setdefault((self._name, key), expected_version)


class InMemoryUserRepository(InMemoryRepository[User]):
    def __init__(self, db: InMemoryDatabase, changes: Changes) -> None:
        super().__init__(USERS.name, db, changes)

    async def get_by_email(self, email: str) -> User | None:
        users = self._changes.visible(self._db, self._name).values()
        return next((user for user in users if user.email == email), None)


RepositoryFactory = Callable[[InMemoryDatabase, Changes], InMemoryRepository[Any]]

# Every registered entity's repository, by table name: the generic one unless its own.
REPOSITORIES: dict[str, RepositoryFactory] = {
    name: partial(InMemoryRepository, name) for name in MAPPINGS
} | {USERS.name: InMemoryUserRepository}
