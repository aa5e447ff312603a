"""`q`, items whose name or description contains a text, served by an index on each backend.

PostgreSQL: ILIKE on both columns, each with a pg_trgm GIN index (a BitmapOr of the two).
SQLite: the FTS5 table `items_search` with the trigram tokenizer, kept by triggers (both
made by migration 0006). A trigram index serves three characters or more, so the use case
refuses a shorter `q`. The condition is one element compiled per dialect, so a page's
statement stays one cached shape; it reads the parameter its dialect compiles to.
"""

from typing import Any

from sqlalchemy import Boolean, bindparam, column, or_, select, table
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import ColumnElement

from adapters.sqlalchemy.tables import items

ESCAPE = "/"
_fts = table("items_search", column("rowid"), column("items_search"))


class TextSearch(ColumnElement[bool]):
    """True for an item whose name or description contains the searched text."""

    inherit_cache = True
    type = Boolean()


def search_params(text: str) -> dict[str, Any]:
    """The bound values for `text`: a LIKE pattern and an FTS5 phrase (each literal)."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%")
    pattern = "%" + escaped.replace("_", ESCAPE + "_") + "%"
    return {"name_contains": pattern, "search_phrase": '"' + text.replace('"', '""') + '"'}


@compiles(TextSearch)
def _like(element: TextSearch, compiler: Any, **kw: Any) -> str:
    pattern = bindparam("name_contains", type_=items.c.name.type)
    either = or_(
        items.c.name.ilike(pattern, escape=ESCAPE),
        items.c.description.ilike(pattern, escape=ESCAPE),
    )
    return str(compiler.process(either.self_group(), **kw))


@compiles(TextSearch, "sqlite")
def _fts5(element: TextSearch, compiler: Any, **kw: Any) -> str:
    phrase = bindparam("search_phrase", type_=items.c.name.type)
    matching = select(_fts.c.rowid).where(_fts.c.items_search.op("MATCH")(phrase))
    return str(compiler.process(items.c.id.in_(matching.scalar_subquery()), **kw))
