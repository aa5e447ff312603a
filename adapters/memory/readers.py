"""The query side over the in-memory database: committed rows only, never written."""

from collections.abc import AsyncIterator

from adapters.memory import queries
from adapters.memory.unit_of_work import InMemoryDatabase
from application.pagination import ItemFilter, PageRequest
from domain.items import Item
from domain.users import User


class InMemoryUserReader:
    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database

    async def get(self, user_id: int) -> User | None:
        return self._db.users.get(user_id)

    async def get_by_email(self, email: str) -> User | None:
        return next((user for user in self._db.users.values() if user.email == email), None)

    async def list(self, page: PageRequest) -> list[User]:
        return queries.page(self._db.users.values(), page)


class InMemoryItemReader:
    def __init__(self, database: InMemoryDatabase) -> None:
        self._db = database

    async def get(self, item_id: int) -> Item | None:
        return self._db.items.get(item_id)

    async def list(self, where: ItemFilter, page: PageRequest) -> list[Item]:
        return queries.page((i for i in self._db.items.values() if queries.matches(i, where)), page)

    async def stream(self, where: ItemFilter, *, batch_size: int) -> AsyncIterator[Item]:
        """By id, from a snapshot of the committed rows (commits may land meanwhile)."""
        for item in sorted(self._db.items.values(), key=lambda row: row.id):
            if queries.matches(item, where):
                yield item
