"""`q` is served by an index: pg_trgm GIN on PostgreSQL, an FTS5 trigram table on SQLite.

Revision ID: 0007_search
Revises: 0006_sessions
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007_search"
down_revision: str | Sequence[str] | None = "0006_sessions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_UP = (
    "CREATE VIRTUAL TABLE items_search USING fts5(name, description, content='items',"
    " content_rowid='id', tokenize='trigram case_sensitive 0')",
    "INSERT INTO items_search(items_search) VALUES ('rebuild')",
    "CREATE TRIGGER items_search_insert AFTER INSERT ON items BEGIN"
    " INSERT INTO items_search(rowid, name, description)"
    " VALUES (new.id, new.name, new.description); END",
    "CREATE TRIGGER items_search_delete AFTER DELETE ON items BEGIN"
    " INSERT INTO items_search(items_search, rowid, name, description)"
    " VALUES ('delete', old.id, old.name, old.description); END",
    "CREATE TRIGGER items_search_update AFTER UPDATE OF name, description ON items BEGIN"
    " INSERT INTO items_search(items_search, rowid, name, description)"
    " VALUES ('delete', old.id, old.name, old.description);"
    " INSERT INTO items_search(rowid, name, description)"
    " VALUES (new.id, new.name, new.description); END",
)
_SQLITE_DOWN = (
    "DROP TRIGGER items_search_update",
    "DROP TRIGGER items_search_delete",
    "DROP TRIGGER items_search_insert",
    "DROP TABLE items_search",
)
_POSTGRESQL_UP = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX ix_items_name_trgm ON items USING gin (name gin_trgm_ops)",
    "CREATE INDEX ix_items_description_trgm ON items USING gin (description gin_trgm_ops)",
)
_POSTGRESQL_DOWN = ("DROP INDEX ix_items_description_trgm", "DROP INDEX ix_items_name_trgm")


def _run(statements: dict[str, tuple[str, ...]]) -> None:
    for statement in statements.get(op.get_bind().dialect.name, ()):
        op.execute(statement)


def upgrade() -> None:
    _run({"sqlite": _SQLITE_UP, "postgresql": _POSTGRESQL_UP})


def downgrade() -> None:
    _run({"sqlite": _SQLITE_DOWN, "postgresql": _POSTGRESQL_DOWN})
