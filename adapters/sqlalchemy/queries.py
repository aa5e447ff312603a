"""List queries as Core statements: filters, sort orders, keysets and offsets, in SQL.

Every order ends on the id, so equal prices still page in one stable order, and a keyset
(price, id) row comparison walks the (price, id) and (owner_id, price, id) indexes.

A page's statement depends only on its shape (the sort, which filters are set, whether it
starts after a keyset, whether it skips rows); every value is a bound parameter. So each
shape is built (and compiled) once per process and reused: `users_page` and `items_page`
answer the cached statement and this request's parameters.
"""

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, bindparam, select, tuple_

from adapters.sqlalchemy.tables import items, users
from application.pagination import ItemFilter, PageRequest, Sort

Query = tuple[Select[Any], dict[str, Any]]
_ESCAPE = "/"


def users_page(page: PageRequest) -> Query:
    """Users sort by id only; a price sort means nothing for them and orders by id."""
    sort = Sort.ID_DESC if page.sort.descending else Sort.ID
    after = page.after is not None
    params = _page_params(page, by_price=False)
    return _users_statement(sort, after=after, skip=page.offset > 0), params


def items_page(where: ItemFilter, page: PageRequest) -> Query:
    by_price = page.sort.key == "price"
    params = _filter_params(where)
    params.update(_page_params(page, by_price=by_price))
    keyset = None if page.after is None else ("price" if "after_price" in params else "id")
    stmt = _items_statement(page.sort, tuple(params), keyset=keyset, skip=page.offset > 0)
    return stmt, params


def export_batch(where: ItemFilter, *, after_id: int, limit: int) -> Query:
    """The next batch of an export: matching items by id, after `after_id`."""
    params = _filter_params(where)
    stmt = _export_statement(tuple(params))
    return stmt, {**params, "after_id": after_id, "limit": limit}


def escape_like(text: str) -> str:
    """`text` matched literally inside LIKE: its % and _ match themselves."""
    return (
        text.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    )


def _filter_params(where: ItemFilter) -> dict[str, Any]:
    params: dict[str, Any] = {}
    if where.owner_id is not None:
        params["owner_id"] = where.owner_id
    if where.name_contains is not None:
        params["name_contains"] = escape_like(where.name_contains)
    if where.min_price is not None:
        params["min_price"] = where.min_price
    if where.max_price is not None:
        params["max_price"] = where.max_price
    return params


def _page_params(page: PageRequest, *, by_price: bool) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": page.limit + 1}
    after = page.after
    if after is not None:
        if by_price and after.price is not None:
            params["after_price"] = after.price
        params["after_id"] = after.id
    if page.offset:
        params["offset"] = page.offset
    return params


@cache
def _users_statement(sort: Sort, *, after: bool, skip: bool) -> Select[Any]:
    return _ordered(select(users), users, sort, keyset="id" if after else None, skip=skip)


@cache
def _export_statement(names: tuple[str, ...]) -> Select[Any]:
    after_id = bindparam("after_id", type_=items.c.id.type)
    stmt = select(items).where(*_bound_matching(names), items.c.id > after_id)
    return stmt.order_by(items.c.id).limit(bindparam("limit", type_=items.c.id.type))


@cache
def _items_statement(
    sort: Sort, names: tuple[str, ...], *, keyset: str | None, skip: bool
) -> Select[Any]:
    stmt = select(items).where(*_bound_matching(names))
    return _ordered(stmt, items, sort, keyset=keyset, skip=skip)


def _ordered(
    stmt: Select[Any], table: Table, sort: Sort, *, keyset: str | None, skip: bool
) -> Select[Any]:
    """Ordered by `sort` (then id), after the keyset when there is one, limited, skipping."""
    by_price = sort.key == "price" and table is items
    columns = [table.c.price, table.c.id] if by_price else [table.c.id]
    keys = [column.desc() for column in columns] if sort.descending else columns
    if keyset == "price":
        key = tuple_(table.c.price, table.c.id)
        position = tuple_(bindparam("after_price", type_=table.c.price.type), bindparam("after_id"))
        stmt = stmt.where(key < position if sort.descending else key > position)
    elif keyset == "id":
        after_id = bindparam("after_id", type_=table.c.id.type)
        stmt = stmt.where(table.c.id < after_id if sort.descending else table.c.id > after_id)
    stmt = stmt.order_by(*keys).limit(bindparam("limit", type_=table.c.id.type))
    return stmt.offset(bindparam("offset", type_=table.c.id.type)) if skip else stmt


def _bound_matching(names: tuple[str, ...]) -> list[ColumnElement[bool]]:
    """The filter conditions for the parameters present, each a bound parameter."""
    conditions: list[ColumnElement[bool]] = []
    if "owner_id" in names:
        conditions.append(items.c.owner_id == bindparam("owner_id"))
    if "name_contains" in names:  # case-insensitive; the value arrives escaped
        pattern = bindparam("name_contains", type_=items.c.name.type)
        conditions.append(items.c.name.icontains(pattern, escape=_ESCAPE))
    if "min_price" in names:
        conditions.append(items.c.price >= bindparam("min_price"))
    if "max_price" in names:
        conditions.append(items.c.price <= bindparam("max_price"))
    return conditions
