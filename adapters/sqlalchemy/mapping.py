"""Each entity paired with its table, once: a column for every field, by the same name.

A mapping is the registration of an entity with storage. It builds the entity's
statements once (by id, by each unique column, insert, update and delete at a version) and
reads off its table what every backend must enforce: the unique columns (a clash is the
entity's `duplicate` error) and the references to other entities (deleted with them).
The SQL repositories and readers, and the memory backend, are generic over a mapping.

The pairing is checked when the mapping is made: a field without a column, or a column
without a field, fails at start-up, not at the first query.
"""

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, Self, TypeVar

from sqlalchemy import Delete, Insert, Select, Table, Update, bindparam, delete, insert, select
from sqlalchemy import update as update_

from adapters.sqlalchemy.tables import items, sessions, users
from application.ports import Stored
from domain.errors import DomainError, EmailAlreadyRegistered, VersionConflict
from domain.items import Item
from domain.sessions import Session
from domain.users import User


class Entity(Stored, Protocol):
    @classmethod
    def restore(cls, values: Mapping[str, object]) -> Self: ...


E = TypeVar("E", bound=Entity)


@dataclass(frozen=True, slots=True)
class Reference:
    """A column holding the id of a row of `target` (a registered table); the row goes
    when its target does (ON DELETE CASCADE)."""

    column: str
    target: str  # the referenced table's name
    kind: str  # the referenced entity's kind, for NotFound


class EntityMapping(Generic[E]):
    def __init__(
        self,
        kind: str,
        entity: type[E],
        table: Table,
        *,
        duplicate: Callable[[E], DomainError] | None = None,
    ) -> None:
        self.kind, self.entity, self.table, self.name = kind, entity, table, table.name
        self.columns: tuple[str, ...] = _paired_columns(entity, table)
        self.stored: tuple[str, ...] = tuple(name for name in self.columns if name != "id")
        self.unique = _unique_columns(table)
        if self.unique and duplicate is None:
            raise TypeError(f"{table.name} has unique columns {self.unique}: say the error")
        # The error for an entity clashing with another on a unique column.
        self.duplicate: Callable[[E], DomainError] = duplicate or _no_unique_columns
        self.references = tuple(_reference(table, c) for c in table.c if c.foreign_keys)
        self.get: Select[Any] = _select_by(table, "id")
        self.get_by: dict[str, Select[Any]] = {
            name: _select_by(table, name) for name in self.unique
        }
        self.insert: Insert = insert(table).returning(table.c.id)
        self.update: Update = update_(table).where(*_at_version(table))
        self.delete: Delete = delete(table).where(*_at_version(table))

    def load(self, row: Sequence[Any]) -> E:
        """The entity a row of `select(table)` holds (columns in table order)."""
        return self.entity.restore(dict(zip(self.columns, row, strict=True)))

    def values(self, entity: E) -> dict[str, Any]:
        """The column values that store `entity`, all but its id."""
        return {name: getattr(entity, name) for name in self.stored}

    def with_id(self, entity: E, new_id: int) -> E:
        """`entity` with the id storage gave it; its fields passed the checks already."""
        return self.entity.restore({**self.values(entity), "id": new_id})


def _paired_columns(entity: type[Any], table: Table) -> tuple[str, ...]:
    fields = [field.name for field in dataclasses.fields(entity)]
    columns = [column.name for column in table.columns]
    if fields != columns:
        raise TypeError(f"{entity.__name__} fields {fields} != {table.name} columns {columns}")
    return tuple(columns)


def _no_unique_columns(entity: object) -> DomainError:
    raise TypeError(f"{type(entity).__name__} has no unique column")


def _select_by(table: Table, column: str) -> Select[Any]:
    return select(table).where(table.c[column] == bindparam("key"))


def _at_version(table: Table) -> tuple[Any, ...]:
    return (table.c.id == bindparam("key"), table.c.version == bindparam("expected"))


def _unique_columns(table: Table) -> tuple[str, ...]:
    single = [index.columns for index in table.indexes if index.unique and len(index.columns) == 1]
    return tuple(column.name for columns in single for column in columns)


def _reference(table: Table, column: Any) -> Reference:
    (key,) = column.foreign_keys
    target = key.column.table.name
    if key.ondelete != "CASCADE" or target not in MAPPINGS:
        raise TypeError(f"{table.name}.{column.name}: reference a registered table, on cascade")
    return Reference(column.name, target, MAPPINGS[target].kind)


MAPPINGS: dict[str, EntityMapping[Any]] = {}  # by table name, referenced tables first


def register(mapping: EntityMapping[E]) -> EntityMapping[E]:
    """Makes `mapping` known to every backend: its repository, its memory table."""
    MAPPINGS[mapping.name] = mapping
    return mapping


USERS = register(
    EntityMapping("user", User, users, duplicate=lambda u: EmailAlreadyRegistered(u.email))
)
ITEMS = register(EntityMapping("item", Item, items))
# A refresh token's hash is 256 random bits: a clash is a lost race, never two tokens alike.
SESSIONS = register(
    EntityMapping(
        "session", Session, sessions, duplicate=lambda s: VersionConflict("session", s.id)
    )
)
