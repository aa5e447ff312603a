"""The in-memory database: a table of rows by id for every registered entity (the SQL
mappings, adapters/sqlalchemy/mapping.py), and one transaction's pending changes.

The tables know their entity's rules from the same registration: which columns are
unique, which reference another table (and go when the row they reference goes).
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import count
from typing import Any, Generic

from adapters.sqlalchemy.mapping import MAPPINGS, E, EntityMapping
from application.outbox import OutboxRecord
from application.ports import IdempotencyRecord
from domain.events import DomainEvent


@dataclass
class InMemoryTable(Generic[E]):
    mapping: EntityMapping[E]
    rows: dict[int, E] = field(default_factory=dict)  # committed, by id
    ids: Iterator[int] = field(default_factory=lambda: count(1))
    # The tables whose rows reference this one's, and by which column.
    referenced_by: list[tuple[str, str]] = field(default_factory=list)


def _tables() -> dict[str, InMemoryTable[Any]]:
    tables = {name: InMemoryTable(mapping) for name, mapping in MAPPINGS.items()}
    for name, mapping in MAPPINGS.items():
        for reference in mapping.references:
            tables[reference.target].referenced_by.append((name, reference.column))
    return tables


@dataclass
class InMemoryDatabase:
    """The committed state, shared by every unit of work of one backend."""

    tables: dict[str, InMemoryTable[Any]] = field(default_factory=_tables)
    committed_events: list[DomainEvent] = field(default_factory=list)
    outbox: list[OutboxRecord] = field(default_factory=list)  # written when publishing
    idempotency: dict[tuple[str, str], IdempotencyRecord] = field(default_factory=dict)

    def __getattr__(self, name: str) -> dict[int, Any]:
        """`db.users`: the committed rows of a table, by id."""
        table = self.__dict__.get("tables", {}).get(name)
        if table is None:
            raise AttributeError(name)
        return table.rows  # type: ignore[no-any-return]

    def delete(self, name: str, key: int) -> None:
        """Deletes a committed row, and the rows that reference it (ON DELETE CASCADE)."""
        table = self.tables[name]
        if table.rows.pop(key, None) is None:
            return
        for other, column in table.referenced_by:
            rows = self.tables[other].rows
            for row_id in [row.id for row in rows.values() if getattr(row, column) == key]:
                self.delete(other, row_id)


@dataclass
class Changes:
    """One transaction's writes: a row, or None for a deletion, and the version it read."""

    rows: defaultdict[str, dict[int, Any]] = field(default_factory=lambda: defaultdict(dict))
    read_versions: dict[tuple[str, int], int] = field(default_factory=dict)
    idempotency: dict[tuple[str, str], IdempotencyRecord | None] = field(default_factory=dict)

    def clear(self) -> None:
        self.rows.clear()
        self.read_versions.clear()
        self.idempotency.clear()

    def row(self, db: InMemoryDatabase, name: str, key: int) -> Any | None:
        """A row as this transaction sees it: its own write, or the committed row."""
        pending = self.rows.get(name)
        if pending is not None and key in pending:
            return pending[key]
        return db.tables[name].rows.get(key)

    def visible(self, db: InMemoryDatabase, name: str) -> dict[int, Any]:
        rows = {**db.tables[name].rows, **self.rows.get(name, {})}
        return {key: row for key, row in rows.items() if row is not None}

    def delete(self, db: InMemoryDatabase, name: str, key: int) -> None:
        """Deletes a row in this transaction, and the rows that reference it."""
        self.rows[name][key] = None
        for other, column in db.tables[name].referenced_by:
            for row in self.visible(db, other).values():
                if getattr(row, column) == key:
                    self.delete(db, other, row.id)
