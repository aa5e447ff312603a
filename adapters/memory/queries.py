"""Filtering, ordering and keyset paging over rows held in memory, as SQL would."""

from collections.abc import Iterable
from decimal import Decimal
from typing import TypeVar

from application.pagination import ItemFilter, Keyset, PageRequest, Sort
from domain.items import Item
from domain.users import User

R = TypeVar("R", User, Item)


def matches(item: Item, where: ItemFilter) -> bool:
    return (
        (where.owner_id is None or item.owner_id == where.owner_id)
        and (where.name_contains is None or where.name_contains.lower() in item.name.lower())
        and (where.min_price is None or item.price >= where.min_price)
        and (where.max_price is None or item.price <= where.max_price)
    )


def _key(row: User | Item, sort: Sort) -> tuple[Decimal, int]:
    if sort.key == "price" and isinstance(row, Item):
        return (row.price, row.id)
    return (Decimal(row.id), row.id)


def _after(row: User | Item, keyset: Keyset) -> bool:
    position = (keyset.price if keyset.price is not None else Decimal(keyset.id), keyset.id)
    key = _key(row, keyset.sort)
    return key < position if keyset.sort.descending else key > position


def page(rows: Iterable[R], request: PageRequest) -> list[R]:
    """The `limit + 1` rows of the requested page, in order."""
    ordered = sorted(rows, key=lambda row: _key(row, request.sort), reverse=request.sort.descending)
    if request.after is not None:
        after = request.after
        ordered = [row for row in ordered if _after(row, after)]
    return ordered[request.offset : request.offset + request.limit + 1]
