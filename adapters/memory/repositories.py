"""Repositories over the in-memory database: reads see committed rows and this
transaction's own writes; writes go to the transaction until it commits."""

from dataclasses import replace
from typing import TYPE_CHECKING

from domain.errors import VersionConflict
from domain.items import Item
from domain.users import User

if TYPE_CHECKING:
    from adapters.memory.unit_of_work import Changes, InMemoryDatabase


class InMemoryUserRepository:
    def __init__(self, db: "InMemoryDatabase", changes: "Changes") -> None:
        self._db, self._changes = db, changes

    def _visible(self) -> dict[int, User]:
        rows = {**self._db.users, **self._changes.users}
        return {key: user for key, user in rows.items() if user is not None}

    async def add(self, user: User) -> User:
        stored = replace(user, id=next(self._db.user_ids))
        self._changes.users[stored.id] = stored
        return stored

    async def get(self, user_id: int) -> User | None:
        if user_id in self._changes.users:
            return self._changes.users[user_id]
        return self._db.users.get(user_id)

    async def get_by_email(self, email: str) -> User | None:
        return next((u for u in self._visible().values() if u.email == email), None)

    async def update(self, user: User, *, expected_version: int) -> None:
        current = await self.get(user.id)
        if current is None or current.version != expected_version:
            raise VersionConflict("user", user.id)
        self._changes.read_versions.setdefault(("user", user.id), expected_version)
        self._changes.users[user.id] = user

    async def delete(self, user_id: int, *, expected_version: int) -> None:
        current = await self.get(user_id)
        if current is None or current.version != expected_version:
            raise VersionConflict("user", user_id)
        self._changes.read_versions.setdefault(("user", user_id), expected_version)
        self._changes.users[user_id] = None
        for item in [*self._db.items.values(), *self._changes.items.values()]:
            if item is not None and item.owner_id == user_id:
                self._changes.items[item.id] = None


class InMemoryItemRepository:
    def __init__(self, db: "InMemoryDatabase", changes: "Changes") -> None:
        self._db, self._changes = db, changes

    def _visible(self) -> list[Item]:
        rows = {**self._db.items, **self._changes.items}
        return [item for item in rows.values() if item is not None]

    async def add(self, item: Item) -> Item:
        stored = replace(item, id=next(self._db.item_ids))
        self._changes.items[stored.id] = stored
        return stored

    async def get(self, item_id: int) -> Item | None:
        if item_id in self._changes.items:
            return self._changes.items[item_id]
        return self._db.items.get(item_id)

    async def update(self, item: Item, *, expected_version: int) -> None:
        current = await self.get(item.id)
        if current is None or current.version != expected_version:
            raise VersionConflict("item", item.id)
        self._changes.read_versions.setdefault(("item", item.id), expected_version)
        self._changes.items[item.id] = item

    async def delete(self, item_id: int, *, expected_version: int) -> None:
        current = await self.get(item_id)
        if current is None or current.version != expected_version:
            raise VersionConflict("item", item_id)
        self._changes.read_versions.setdefault(("item", item_id), expected_version)
        self._changes.items[item_id] = None
