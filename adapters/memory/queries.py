"""Filtering, ordering and keyset paging over rows held in memory, as SQL would."""

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from application.pagination import ItemFilter, Keyset, PageRequest, Sort
from application.ports import Stored
from domain.items import Item

R = TypeVar("R", bound=Stored)


def matches(item: Item, where: ItemFilter) -> bool:
    return (
        (where.owner_id is None or item.owner_id == where.owner_id)
        and (where.name_contains is None or where.name_contains.lower() in item.name.lower())
        and (where.min_price is None or item.price >= where.min_price)
        and (where.max_price is None or item.price <= where.max_price)
    )


def page(rows: Iterable[R], request: PageRequest, *, columns: tuple[str, ...]) -> list[R]:
    """The `limit + 1` rows of the requested page, in order: by the sort's column if the
    rows have it (`columns`), then by id; by id alone otherwise."""
    sort = request.sort
    if sort.key not in columns:
        sort = Sort.ID_DESC if sort.descending else Sort.ID
    key = _key(sort)
    ordered = sorted(rows, key=key, reverse=sort.descending)
    if request.after is not None:
        after = _after(sort, request.after, key)
        ordered = [row for row in ordered if after(row)]
    return ordered[request.offset : request.offset + request.limit + 1]


def _key(sort: Sort) -> Callable[[Any], tuple[Any, ...]]:
    if sort.key == "id":
        return lambda row: (row.id,)
    return lambda row: (getattr(row, sort.key), row.id)


def _after(
    sort: Sort, keyset: Keyset, key: Callable[[Any], tuple[Any, ...]]
) -> Callable[[Any], bool]:
    """Whether a row comes after the keyset; on its id alone if the keyset has no value."""
    position: tuple[Any, ...]
    if sort.key == "id" or keyset.price is None:
        position, key = (keyset.id,), _key(Sort.ID)
    else:
        position = (keyset.price, keyset.id)
    if sort.descending:
        return lambda row: key(row) < position
    return lambda row: key(row) > position
