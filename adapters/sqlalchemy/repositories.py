"""Repositories over one connection: Core statements in, domain dataclasses out.

They never open a transaction, commit or roll back: the unit of work owns that.
"""

from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, TypeVar

from sqlalchemy import Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from adapters.sqlalchemy import queries
from adapters.sqlalchemy.reads import RowReader
from adapters.sqlalchemy.tables import items, users
from application.pagination import ItemFilter, PageRequest
from domain.errors import EmailAlreadyRegistered, NotFound, VersionConflict
from domain.items import Item
from domain.users import User

E = TypeVar("E", User, Item)
_UNIQUE = frozenset({"23505", "SQLITE_CONSTRAINT_UNIQUE"})
_FOREIGN_KEY = frozenset({"23503", "SQLITE_CONSTRAINT_FOREIGNKEY"})

_USER_FIELDS = ("name", "email", "password_hash", "is_active", "is_admin")
_ITEM_FIELDS = ("owner_id", "name", "description", "price")
_STAMPS = ("created_at", "updated_at", "version")

_GET_USER = select(users).where(users.c.id == bindparam("key"))
_GET_USER_BY_EMAIL = select(users).where(users.c.email == bindparam("key"))
_INSERT_USER = insert(users).returning(users.c.id)
_UPDATE_USER = update(users).where(
    users.c.id == bindparam("key"), users.c.version == bindparam("expected")
)
_DELETE_USER = delete(users).where(users.c.id == bindparam("key"))

_GET_ITEM = select(items).where(items.c.id == bindparam("key"))
_INSERT_ITEM = insert(items).returning(items.c.id)
_UPDATE_ITEM = update(items).where(
    items.c.id == bindparam("key"), items.c.version == bindparam("expected")
)
_DELETE_ITEM = delete(items).where(items.c.id == bindparam("key"))


def _code(error: IntegrityError) -> str:
    """The SQLSTATE (PostgreSQL) or extended error name (SQLite) of a violation."""
    return str(getattr(error.orig, "sqlstate", None) or getattr(error.orig, "sqlite_errorname", ""))


# Rows come back through `restore`: storage holds only entities that passed the domain's
# checks, so reading them does not run the checks again.
def _user(row: Sequence[Any]) -> User:
    id_, name, email, password_hash, is_active, is_admin, created, updated, version = row
    return User.restore(
        id=id_,
        name=name,
        email=email,
        password_hash=password_hash,
        is_active=is_active,
        is_admin=is_admin,
        created_at=created,
        updated_at=updated,
        version=version,
    )


def _item(row: Sequence[Any]) -> Item:
    id_, owner_id, name, description, price, created, updated, version = row
    return Item.restore(
        id=id_,
        owner_id=owner_id,
        name=name,
        description=description,
        price=price,
        created_at=created,
        updated_at=updated,
        version=version,
    )


def _with_id(row_of: Callable[[Sequence[Any]], E], entity: E, table: Table, new_id: int) -> E:
    """The entity just inserted, with the id storage gave it. Its fields passed the checks
    when it was made, so they are not checked again (as `dataclasses.replace` would)."""
    return row_of([new_id, *(getattr(entity, column.name) for column in table.c[1:])])


def _values(entity: User | Item, fields: Sequence[str]) -> dict[str, Any]:
    return {field: getattr(entity, field) for field in (*fields, *_STAMPS)}


class SqlAlchemyUserRepository:
    def __init__(self, connection: AsyncConnection, reader: RowReader) -> None:
        self._conn, self._reader = connection, reader

    async def add(self, user: User) -> User:
        try:
            result = await self._conn.execute(_INSERT_USER, _values(user, _USER_FIELDS))
        except IntegrityError as error:
            if _code(error) in _UNIQUE:
                raise EmailAlreadyRegistered(user.email) from None
            raise
        return _with_id(_user, user, users, result.scalar_one())

    async def get(self, user_id: int) -> User | None:
        row = await self._reader.one(_GET_USER, user_id)
        return None if row is None else _user(row)

    async def get_by_email(self, email: str) -> User | None:
        row = await self._reader.one(_GET_USER_BY_EMAIL, email)
        return None if row is None else _user(row)

    async def update(self, user: User, *, expected_version: int) -> None:
        params = {**_values(user, _USER_FIELDS), "key": user.id, "expected": expected_version}
        try:
            result = await self._conn.execute(_UPDATE_USER, params)
        except IntegrityError as error:
            if _code(error) in _UNIQUE:
                raise EmailAlreadyRegistered(user.email) from None
            raise
        if result.rowcount != 1:
            raise VersionConflict("user", user.id)

    async def delete(self, user_id: int) -> None:
        await self._conn.execute(_DELETE_USER, {"key": user_id})  # items go by ON DELETE CASCADE

    async def list(self, page: PageRequest) -> list[User]:
        return [_user(row) for row in await self._reader.all(*queries.users_page(page))]


class SqlAlchemyItemRepository:
    def __init__(self, connection: AsyncConnection, reader: RowReader) -> None:
        self._conn, self._reader = connection, reader

    async def add(self, item: Item) -> Item:
        try:
            result = await self._conn.execute(_INSERT_ITEM, _values(item, _ITEM_FIELDS))
        except IntegrityError as error:
            if _code(error) in _FOREIGN_KEY:
                raise NotFound("user", item.owner_id) from None
            raise
        return _with_id(_item, item, items, result.scalar_one())

    async def get(self, item_id: int) -> Item | None:
        row = await self._reader.one(_GET_ITEM, item_id)
        return None if row is None else _item(row)

    async def update(self, item: Item, *, expected_version: int) -> None:
        params = {**_values(item, _ITEM_FIELDS), "key": item.id, "expected": expected_version}
        try:
            result = await self._conn.execute(_UPDATE_ITEM, params)
        except IntegrityError as error:
            if _code(error) in _FOREIGN_KEY:
                raise NotFound("user", item.owner_id) from None
            raise
        if result.rowcount != 1:
            raise VersionConflict("item", item.id)

    async def delete(self, item_id: int) -> None:
        await self._conn.execute(_DELETE_ITEM, {"key": item_id})

    async def list(self, where: ItemFilter, page: PageRequest) -> list[Item]:
        return [_item(row) for row in await self._reader.all(*queries.items_page(where, page))]

    async def stream(self, where: ItemFilter, *, batch_size: int) -> AsyncIterator[Item]:
        """Keyset batches by id: one short query per batch, no cursor held open."""
        last_id = 0
        while True:
            stmt = queries.items_after(where, last_id=last_id, limit=batch_size)
            rows = (await self._conn.execute(stmt)).all()
            for row in rows:
                yield _item(row)
            if len(rows) < batch_size:
                return
            last_id = rows[-1].id
