"""Who is acting, and what they may do: authorization as a business rule."""

from application.ports import ItemReader, ItemRepository, UserReader, UserRepository
from domain.errors import (
    InvalidCredentials,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
)
from domain.items import Item
from domain.users import User

Users = UserRepository | UserReader
Items = ItemRepository | ItemReader


async def active_actor(users: Users, actor_id: int) -> User:
    """The acting user; a deleted or deactivated user is no longer anyone."""
    actor = await users.get(actor_id)
    if actor is None or not actor.is_active:
        raise InvalidCredentials()
    return actor


def require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise PermissionDenied("only an admin may do this")


def require_self_or_admin(actor: User, user_id: int) -> None:
    if actor.id != user_id and not actor.is_admin:
        raise PermissionDenied("you may act only on your own user")


def require_owner_or_admin(actor: User, item: Item) -> None:
    if actor.id != item.owner_id and not actor.is_admin:
        raise PermissionDenied("you may change only your own items")


def require_version(kind: str, key: int, current: int, expected: int | None) -> None:
    """The caller's `If-Match`: a write based on an older version is refused."""
    if expected is not None and expected != current:
        raise PreconditionFailed(kind, key)


async def existing_user(users: Users, user_id: int) -> User:
    user = await users.get(user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user


async def existing_item(items: Items, item_id: int) -> Item:
    item = await items.get(item_id)
    if item is None:
        raise NotFound("item", item_id)
    return item
