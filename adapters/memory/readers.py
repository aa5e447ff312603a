"""The query side over the in-memory database: committed rows only, never written.

A reader is generic over a registered table; users add a lookup by email, items their
filters and an export stream."""

from collections.abc import AsyncIterator, Iterable
from typing import Generic

from adapters.memory import queries
from adapters.memory.tables import InMemoryDatabase
from adapters.sqlalchemy.mapping import ITEMS, USERS, E
from application.pagination import ItemFilter, PageRequest
from domain.items import Item
from domain.users import User


class InMemoryReader(Generic[E]):
    def __init__(self, database: InMemoryDatabase, name: str) -> None:
        table = database.tables[name]
        self._rows: dict[int, E] = table.rows
        self._columns = table.mapping.columns

    async def get(self, key: int, /) -> E | None:
        return self._rows.get(key)

    async def page(self, page: PageRequest) -> list[E]:
        return self._page(self._rows.values(), page)

    def _page(self, rows: Iterable[E], page: PageRequest) -> list[E]:
        return queries.page(rows, page, columns=self._columns)


class InMemoryUserReader(InMemoryReader[User]):
    def __init__(self, database: InMemoryDatabase) -> None:
        super().__init__(database, USERS.name)

    async def get_by_email(self, email: str) -> User | None:
        return next((user for user in self._rows.values() if user.email == email), None)

    async def list(self, page: PageRequest) -> list[User]:
        return await self.page(page)


class InMemoryItemReader(InMemoryReader[Item]):
    def __init__(self, database: InMemoryDatabase) -> None:
        super().__init__(database, ITEMS.name)

    async def list(self, where: ItemFilter, page: PageRequest) -> list[Item]:
        return self._page((i for i in self._rows.values() if queries.matches(i, where)), page)

    async def stream(self, where: ItemFilter, *, batch_size: int) -> AsyncIterator[Item]:
        """By id, from a snapshot of the committed rows (commits may land meanwhile)."""
        for item in sorted(self._rows.values(), key=lambda row: row.id):
            if queries.matches(item, where):
                yield item
