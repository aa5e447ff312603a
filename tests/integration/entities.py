"""The contract suite's registry: every entity says here how to make a valid instance
and how to change it, where its repository and reader are, and how to list it. The
generic contract (test_entities.py) then runs for it on every backend.

A new entity registers itself with one `register(EntityContract(...))`; the suite fails
for an entity mapped in adapters/sqlalchemy/mapping.py that has not registered here.
"""

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

from application.pagination import ItemFilter, PageRequest
from application.ports import Reader, Repository, Stored, UnitOfWork
from domain.items import Item
from domain.sessions import Session
from domain.users import User
from tests.support.backends import Backend
from tests.support.data import NOW, new_item, new_user, unique

E = TypeVar("E", bound=Stored)


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityContract(Generic[E]):
    name: str  # the table's name, the test id
    make: Callable[[UnitOfWork], Awaitable[E]]  # valid, not added; may add what it needs
    change: Callable[[E], E]  # a valid change: the next version
    repository: Callable[[UnitOfWork], Repository[E]]
    reader: Callable[[Backend], Reader[E]]
    page: Callable[[Backend, PageRequest], Awaitable[list[E]]]  # of every committed row


CONTRACTS: list[EntityContract[Any]] = []


def register(contract: EntityContract[E]) -> EntityContract[E]:
    CONTRACTS.append(contract)
    return contract


async def _user(tx: UnitOfWork) -> User:
    return new_user()


async def _users_page(backend: Backend, page: PageRequest) -> list[User]:
    return await backend.users.list(page)


async def _item(tx: UnitOfWork) -> Item:
    owner = await tx.users.add(new_user())
    return new_item(owner.id)


async def _items_page(backend: Backend, page: PageRequest) -> list[Item]:
    return await backend.items.list(ItemFilter(), page)


register(
    EntityContract(
        name="users",
        make=_user,
        change=lambda user: user.change(now=NOW, name=unique("renamed"), is_admin=True),
        repository=lambda tx: tx.users,
        reader=lambda backend: backend.users,
        page=_users_page,
    )
)
register(
    EntityContract(
        name="items",
        make=_item,
        change=lambda item: item.change(now=NOW, name=unique("renamed"), description=None),
        repository=lambda tx: tx.items,
        reader=lambda backend: backend.items,
        page=_items_page,
    )
)


def _hash() -> str:
    return hashlib.sha256(unique("token").encode()).hexdigest()


async def _session(tx: UnitOfWork) -> Session:
    user = await tx.users.add(new_user())
    return Session.open(
        user_id=user.id,
        refresh_hash=_hash(),
        user_agent="curl/8",
        now=NOW,
        lifetime=timedelta(days=90),
    )


async def _sessions_page(backend: Backend, page: PageRequest) -> list[Session]:
    return await backend.sessions.page(page)


register(
    EntityContract(
        name="sessions",
        make=_session,
        change=lambda session: session.rotate(refresh_hash=_hash(), now=NOW),
        repository=lambda tx: tx.sessions,
        reader=lambda backend: backend.sessions,
        page=_sessions_page,
    )
)
