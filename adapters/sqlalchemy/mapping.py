"""Each entity paired with its table, once: a column for every field, by the same name.

Repositories and readers turn rows into entities and entities into rows only through
these mappings, so adding a column touches the migration, the entity, the table and the
API models, and nothing here. The pairing is checked when the mapping is made: a field
without a column, or a column without a field, fails at start-up, not at the first query.
"""

import dataclasses
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Table

from adapters.sqlalchemy.tables import items, users
from domain.items import Item
from domain.users import User

E = TypeVar("E", User, Item)


class EntityMapping(Generic[E]):
    def __init__(self, entity: type[E], table: Table) -> None:
        fields = [field.name for field in dataclasses.fields(entity)]
        columns = [column.name for column in table.columns]
        if fields != columns:
            raise TypeError(f"{entity.__name__} fields {fields} != {table.name} columns {columns}")
        self.entity: type[E] = entity
        self.table = table
        self.columns: tuple[str, ...] = tuple(columns)
        self.stored: tuple[str, ...] = tuple(name for name in columns if name != "id")

    def load(self, row: Sequence[Any]) -> E:
        """The entity a row of `select(table)` holds (columns in table order)."""
        return self.entity.restore(dict(zip(self.columns, row, strict=True)))

    def values(self, entity: E) -> dict[str, Any]:
        """The column values that store `entity`, all but its id."""
        return {name: getattr(entity, name) for name in self.stored}

    def with_id(self, entity: E, new_id: int) -> E:
        """`entity` with the id storage gave it; its fields passed the checks already."""
        return self.entity.restore({**self.values(entity), "id": new_id})


USERS = EntityMapping(User, users)
ITEMS = EntityMapping(Item, items)
