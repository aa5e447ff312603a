"""Repositories over the unit of work's `AsyncSession`: Core statements in, entities out.

One generic repository serves every registered entity (mapping.py) with the mapping's
statements, built once; an entity that needs more (users are found by email) adds it in
a small subclass. A refused write is translated here: a unique column taken is the
mapping's `duplicate` error, a missing referenced row is NotFound, a lost version race
is VersionConflict. They never open a session, begin, commit or roll back: the unit of
work owns that.
"""

from collections.abc import Callable
from functools import partial
from typing import Any, Generic

from sqlalchemy import Select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sqlalchemy.mapping import MAPPINGS, USERS, E, EntityMapping
from domain.errors import NotFound, VersionConflict
from domain.rules import ID_MAX
from domain.users import User

_UNIQUE = frozenset({"23505", "SQLITE_CONSTRAINT_UNIQUE"})
_FOREIGN_KEY = frozenset({"23503", "SQLITE_CONSTRAINT_FOREIGNKEY"})


def violated(error: IntegrityError, codes: frozenset[str]) -> bool:
    """True if the SQLSTATE (PostgreSQL) or extended error name (SQLite) is in `codes`."""
    orig = error.orig
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", "")) in codes


class SqlAlchemyRepository(Generic[E]):
    def __init__(self, mapping: EntityMapping[E], session: AsyncSession) -> None:
        self._mapping = mapping
        self._session = session

    async def add(self, entity: E) -> E:
        mapping = self._mapping
        try:
            result = await self._session.execute(mapping.insert, mapping.values(entity))
        except IntegrityError as error:
            self._refuse(error, entity)
            raise
        return mapping.with_id(entity, result.scalar_one())

    async def get(self, key: int, /) -> E | None:
        if not 1 <= key <= ID_MAX:  # no row has it, and the driver would refuse it
            return None
        return await self._one(self._mapping.get, key)

    async def update(self, entity: E, *, expected_version: int) -> None:
        params = {**self._mapping.values(entity), "key": entity.id, "expected": expected_version}
        try:
            result = await self._session.execute(self._mapping.update, params)
        except IntegrityError as error:
            self._refuse(error, entity)
            raise
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise VersionConflict(self._mapping.kind, entity.id)

    async def delete(self, key: int, *, expected_version: int) -> None:
        # What references the row goes in the same statement: ON DELETE CASCADE.
        params = {"key": key, "expected": expected_version}
        result = await self._session.execute(self._mapping.delete, params)
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise VersionConflict(self._mapping.kind, key)

    async def _one(self, stmt: Select[Any], key: object) -> E | None:
        row = (await self._session.execute(stmt, {"key": key})).first()
        return None if row is None else self._mapping.load(row)

    def _refuse(self, error: IntegrityError, entity: E) -> None:
        """Raises the domain's error for a write the constraints refused, if it has one."""
        if violated(error, _UNIQUE) and self._mapping.unique:
            raise self._mapping.duplicate(entity) from None
        if violated(error, _FOREIGN_KEY) and self._mapping.references:
            reference = self._mapping.references[0]  # SQLite does not say which one
            raise NotFound(reference.kind, getattr(entity, reference.column)) from None


_BY_EMAIL = USERS.get_by["email"]


class SqlAlchemyUserRepository(SqlAlchemyRepository[User]):
    async def get_by_email(self, email: str) -> User | None:
        return await self._one(_BY_EMAIL, email)


RepositoryFactory = Callable[[AsyncSession], SqlAlchemyRepository[Any]]

# Every registered entity's repository, by table name: the generic one unless its own.
REPOSITORIES: dict[str, RepositoryFactory] = {
    name: partial(SqlAlchemyRepository, mapping) for name, mapping in MAPPINGS.items()
} | {USERS.name: partial(SqlAlchemyUserRepository, USERS)}
