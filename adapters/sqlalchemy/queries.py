"""List queries as Core statements: filters, sort orders, keysets and offsets, in SQL.

Every order ends on the id, so equal prices still page in one stable order, and a keyset
(price, id) row comparison walks the (price, id) and (owner_id, price, id) indexes.

A page's statement depends only on its shape (the sort, which filters are set, whether it
starts after a keyset, whether it skips rows); every value is a bound parameter. So each
shape is built (and compiled) once per process and reused: `page_query` answers the
cached statement and this request's parameters, for any table; an entity's own filters
(items: `items_page`) are its parameters and the conditions they call for.
"""

from collections.abc import Callable
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, bindparam, select, tuple_

from adapters.sqlalchemy.tables import items, users
from application.pagination import ItemFilter, PageRequest, Sort

Query = tuple[Select[Any], dict[str, Any]]
Conditions = Callable[[tuple[str, ...]], list[ColumnElement[bool]]]
_ESCAPE = "/"


def _no_conditions(names: tuple[str, ...]) -> list[ColumnElement[bool]]:
    return []


def page_query(
    table: Table,
    page: PageRequest,
    *,
    params: dict[str, Any] | None = None,
    conditions: Conditions = _no_conditions,
) -> Query:
    """A page of any table's rows, matching `conditions` for the filter `params` set; in
    `page.sort` order if the table has the sort's column, by id otherwise."""
    sort = page.sort
    if sort.key not in table.c:
        sort = Sort.ID_DESC if sort.descending else Sort.ID
    params = {} if params is None else params  # the caller's own, filled in
    params.update(_page_params(page, key=sort.key))
    keyset = None if page.after is None else ("key" if "after_key" in params else "id")
    stmt = _page_statement(table, sort, conditions, tuple(params), keyset, page.offset > 0)
    return stmt, params


def users_page(page: PageRequest) -> Query:
    return page_query(users, page)


def items_page(where: ItemFilter, page: PageRequest) -> Query:
    return page_query(items, page, params=_item_params(where), conditions=_item_conditions)


def export_batch(where: ItemFilter, *, after_id: int, limit: int) -> Query:
    """The next batch of an export: matching items by id, after `after_id`."""
    params = _item_params(where)
    stmt = _export_statement(tuple(params))
    return stmt, {**params, "after_id": after_id, "limit": limit}


def escape_like(text: str) -> str:
    """`text` matched literally inside LIKE: its % and _ match themselves."""
    return (
        text.replace(_ESCAPE, _ESCAPE * 2).replace("%", _ESCAPE + "%").replace("_", _ESCAPE + "_")
    )


def _item_params(where: ItemFilter) -> dict[str, Any]:
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


def _page_params(page: PageRequest, *, key: str) -> dict[str, Any]:
    params: dict[str, Any] = {"limit": page.limit + 1}
    after = page.after
    if after is not None:
        if key != "id" and after.price is not None:
            params["after_key"] = after.price
        params["after_id"] = after.id
    if page.offset:
        params["offset"] = page.offset
    return params


@cache
def _export_statement(names: tuple[str, ...]) -> Select[Any]:
    after_id = bindparam("after_id", type_=items.c.id.type)
    stmt = select(items).where(*_item_conditions(names), items.c.id > after_id)
    return stmt.order_by(items.c.id).limit(bindparam("limit", type_=items.c.id.type))


@cache
def _page_statement(
    table: Table,
    sort: Sort,
    conditions: Conditions,
    names: tuple[str, ...],
    keyset: str | None,
    skip: bool,
) -> Select[Any]:
    """Ordered by `sort` (then id), after the keyset when there is one, limited, skipping."""
    stmt = select(table).where(*conditions(names))
    columns = [table.c.id] if sort.key == "id" else [table.c[sort.key], table.c.id]
    after_id = bindparam("after_id", type_=table.c.id.type)
    if keyset == "key":
        key = tuple_(*columns)
        position = tuple_(bindparam("after_key", type_=columns[0].type), after_id)
        stmt = stmt.where(key < position if sort.descending else key > position)
    elif keyset == "id":
        stmt = stmt.where(table.c.id < after_id if sort.descending else table.c.id > after_id)
    keys = [column.desc() for column in columns] if sort.descending else columns
    stmt = stmt.order_by(*keys).limit(bindparam("limit", type_=table.c.id.type))
    return stmt.offset(bindparam("offset", type_=table.c.id.type)) if skip else stmt


def _item_conditions(names: tuple[str, ...]) -> list[ColumnElement[bool]]:
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
