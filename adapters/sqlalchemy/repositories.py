"""Repositories over the unit of work's `AsyncSession`: Core statements in, entities out.

They never open a session, begin, commit or roll back: the unit of work owns that. The
statements are built once; rows become entities through the mappings (mapping.py).
"""

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.sqlalchemy.mapping import ITEMS, USERS
from adapters.sqlalchemy.tables import items, users
from domain.errors import EmailAlreadyRegistered, NotFound, VersionConflict
from domain.items import Item
from domain.users import User

_UNIQUE = frozenset({"23505", "SQLITE_CONSTRAINT_UNIQUE"})
_FOREIGN_KEY = frozenset({"23503", "SQLITE_CONSTRAINT_FOREIGNKEY"})

GET_USER = select(users).where(users.c.id == bindparam("key"))
GET_USER_BY_EMAIL = select(users).where(users.c.email == bindparam("key"))
_INSERT_USER = insert(users).returning(users.c.id)
_UPDATE_USER = update(users).where(
    users.c.id == bindparam("key"), users.c.version == bindparam("expected")
)
_DELETE_USER = delete(users).where(
    users.c.id == bindparam("key"), users.c.version == bindparam("expected")
)

GET_ITEM = select(items).where(items.c.id == bindparam("key"))
_INSERT_ITEM = insert(items).returning(items.c.id)
_UPDATE_ITEM = update(items).where(
    items.c.id == bindparam("key"), items.c.version == bindparam("expected")
)
_DELETE_ITEM = delete(items).where(
    items.c.id == bindparam("key"), items.c.version == bindparam("expected")
)


def violated(error: IntegrityError, codes: frozenset[str]) -> bool:
    """True if the SQLSTATE (PostgreSQL) or extended error name (SQLite) is in `codes`."""
    orig = error.orig
    return str(getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", "")) in codes


class SqlAlchemyUserRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, user: User) -> User:
        try:
            result = await self._session.execute(_INSERT_USER, USERS.values(user))
        except IntegrityError as error:
            if violated(error, _UNIQUE):
                raise EmailAlreadyRegistered(user.email) from None
            raise
        return USERS.with_id(user, result.scalar_one())

    async def get(self, user_id: int) -> User | None:
        row = (await self._session.execute(GET_USER, {"key": user_id})).first()
        return None if row is None else USERS.load(row)

    async def get_by_email(self, email: str) -> User | None:
        row = (await self._session.execute(GET_USER_BY_EMAIL, {"key": email})).first()
        return None if row is None else USERS.load(row)

    async def update(self, user: User, *, expected_version: int) -> None:
        params = {**USERS.values(user), "key": user.id, "expected": expected_version}
        try:
            result = await self._session.execute(_UPDATE_USER, params)
        except IntegrityError as error:
            if violated(error, _UNIQUE):
                raise EmailAlreadyRegistered(user.email) from None
            raise
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise VersionConflict("user", user.id)

    async def delete(self, user_id: int, *, expected_version: int) -> None:
        # Their items go in the same statement: ON DELETE CASCADE.
        params = {"key": user_id, "expected": expected_version}
        result = await self._session.execute(_DELETE_USER, params)
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise VersionConflict("user", user_id)


class SqlAlchemyItemRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, item: Item) -> Item:
        try:
            result = await self._session.execute(_INSERT_ITEM, ITEMS.values(item))
        except IntegrityError as error:
            if violated(error, _FOREIGN_KEY):
                raise NotFound("user", item.owner_id) from None
            raise
        return ITEMS.with_id(item, result.scalar_one())

    async def get(self, item_id: int) -> Item | None:
        row = (await self._session.execute(GET_ITEM, {"key": item_id})).first()
        return None if row is None else ITEMS.load(row)

    async def update(self, item: Item, *, expected_version: int) -> None:
        params = {**ITEMS.values(item), "key": item.id, "expected": expected_version}
        try:
            result = await self._session.execute(_UPDATE_ITEM, params)
        except IntegrityError as error:
            if violated(error, _FOREIGN_KEY):
                raise NotFound("user", item.owner_id) from None
            raise
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise VersionConflict("item", item.id)

    async def delete(self, item_id: int, *, expected_version: int) -> None:
        params = {"key": item_id, "expected": expected_version}
        result = await self._session.execute(_DELETE_ITEM, params)
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise VersionConflict("item", item_id)
