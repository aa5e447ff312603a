"""List queries as Core statements: filters, sort orders, keysets and offsets, in SQL.

Every order ends on the id, so equal prices still page in one stable order, and a keyset
(price, id) row comparison walks the (price, id) and (owner_id, price, id) indexes.
"""

from typing import Any

from sqlalchemy import ColumnElement, Select, Table, literal, select, tuple_

from adapters.sqlalchemy.tables import PRICE, items, users
from application.pagination import ItemFilter, PageRequest


def users_page(page: PageRequest) -> Select[Any]:
    """Users sort by id only; a price sort means nothing for them and orders by id."""
    return _ordered(select(users), page, by_price=False, table=users)


def items_page(where: ItemFilter, page: PageRequest) -> Select[Any]:
    by_price = page.sort.key == "price"
    return _ordered(select(items).where(*_matching(where)), page, by_price=by_price, table=items)


def items_after(where: ItemFilter, *, last_id: int, limit: int) -> Select[Any]:
    """The next batch of an export: matching items by id, after `last_id`."""
    stmt = select(items).where(*_matching(where), items.c.id > last_id)
    return stmt.order_by(items.c.id).limit(limit)


def _after(page: PageRequest, *, by_price: bool, table: Table) -> list[ColumnElement[bool]]:
    """The keyset condition: rows strictly after the cursor in the page's order."""
    after = page.after
    if after is None:
        return []
    if by_price and after.price is not None:
        key = tuple_(table.c.price, table.c.id)
        position = tuple_(literal(after.price, PRICE), literal(after.id))
        return [key < position if page.sort.descending else key > position]
    return [table.c.id < after.id if page.sort.descending else table.c.id > after.id]


def _ordered(stmt: Select[Any], page: PageRequest, *, by_price: bool, table: Table) -> Select[Any]:
    columns = [table.c.price, table.c.id] if by_price else [table.c.id]
    keys = [column.desc() for column in columns] if page.sort.descending else columns
    stmt = stmt.where(*_after(page, by_price=by_price, table=table)).order_by(*keys)
    stmt = stmt.limit(page.limit + 1)
    return stmt.offset(page.offset) if page.offset else stmt


def _matching(where: ItemFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if where.owner_id is not None:
        conditions.append(items.c.owner_id == where.owner_id)
    if where.name_contains is not None:  # case-insensitive; % and _ match themselves
        conditions.append(items.c.name.icontains(where.name_contains, autoescape=True))
    if where.min_price is not None:
        conditions.append(items.c.price >= where.min_price)
    if where.max_price is not None:
        conditions.append(items.c.price <= where.max_price)
    return conditions
