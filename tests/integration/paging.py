"""Walks pages the way the API does: `limit + 1` rows, `page_of`, the next keyset."""

from collections.abc import Awaitable, Callable
from typing import TypeVar

from application.pagination import ItemFilter, Keyset, Page, PageRequest, Sort, page_of
from application.ports import ItemReader, UserReader
from domain.items import Item
from domain.users import User

E = TypeVar("E", User, Item)


async def walk(
    fetch: Callable[[PageRequest], Awaitable[Page[E]]],
    *,
    sort: Sort,
    limit: int,
    after: Keyset | None = None,
    between_pages: Callable[[], Awaitable[None]] | None = None,
) -> list[E]:
    seen: list[E] = []
    while True:
        page = await fetch(PageRequest(limit=limit, sort=sort, after=after))
        seen.extend(page.items)
        if page.next is None:
            return seen
        after = page.next
        if between_pages is not None:
            await between_pages()


def item_pages(
    items: ItemReader, where: ItemFilter
) -> Callable[[PageRequest], Awaitable[Page[Item]]]:
    async def fetch(request: PageRequest) -> Page[Item]:
        rows = await items.list(where, request)
        return page_of(rows, request, price=lambda item: item.price)

    return fetch


def user_pages(users: UserReader) -> Callable[[PageRequest], Awaitable[Page[User]]]:
    async def fetch(request: PageRequest) -> Page[User]:
        return page_of(await users.list(request), request)

    return fetch
