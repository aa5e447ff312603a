"""Use cases about items: create, read, list, export, change and delete."""

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from decimal import Decimal

from application.access import (
    active_actor,
    existing_item,
    require_owner_or_admin,
    require_version,
)
from application.idempotency import IdempotencyKey
from application.pagination import ItemFilter, Page, PageRequest, page_of
from application.ports import Clock, ItemReader, UnitOfWork
from application.writes import Outcome, Writes, Written
from domain import rules
from domain.errors import InvariantViolated
from domain.events import ItemCreated, ItemDeleted, ItemUpdated
from domain.items import KEEP, Item, Keep, check_price

EXPORT_BATCH = 500


@dataclass(frozen=True, slots=True, kw_only=True)
class CreateItemCommand:
    actor_id: int
    name: str
    description: str | None = None
    price: Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class GetItemQuery:
    item_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ListItemsQuery:
    where: ItemFilter = field(default_factory=ItemFilter)
    page: PageRequest = field(default_factory=PageRequest)


@dataclass(frozen=True, slots=True, kw_only=True)
class ExportItemsQuery:
    where: ItemFilter = field(default_factory=ItemFilter)


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateItemCommand:
    actor_id: int
    item_id: int
    name: str | None = None
    description: str | Keep | None = KEEP
    price: Decimal | None = None
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteItemCommand:
    actor_id: int
    item_id: int
    expected_version: int | None = None


def check_filter(where: ItemFilter) -> ItemFilter:
    """Bounds the filters as strictly as the fields they filter."""
    contains = where.name_contains
    if contains is not None and len(contains) > rules.NAME_MAX:
        raise InvariantViolated("q", f"must be at most {rules.NAME_MAX} characters")
    if contains is not None and rules.has_control_characters(contains):
        # No name holds one (and PostgreSQL cannot even compare a NUL byte).
        raise InvariantViolated("q", "must not contain control characters")
    low, high = where.min_price, where.max_price
    for bound, name in ((low, "min_price"), (high, "max_price")):
        if bound is not None:
            try:
                check_price(bound)
            except InvariantViolated as error:
                raise InvariantViolated(name, error.message) from None
    if low is not None and high is not None and low > high:
        raise InvariantViolated("min_price", "must not exceed max_price")
    return where


class CreateItem:
    """Any active user may publish an item; they become its owner."""

    def __init__(self, *, writes: Writes, clock: Clock) -> None:
        self._writes, self._clock = writes, clock

    async def __call__(
        self, cmd: CreateItemCommand, *, key: IdempotencyKey | None = None
    ) -> Written[Item]:
        draft = Item.create(
            owner_id=cmd.actor_id,
            name=cmd.name,
            description=cmd.description,
            price=cmd.price,
            now=self._clock.now(),
        )

        async def add(uow: UnitOfWork) -> Outcome[Item]:
            await active_actor(uow.users, cmd.actor_id)
            item = await uow.items.add(draft)
            return Outcome(item, ItemCreated(item_id=item.id, owner_id=item.owner_id))

        return await self._writes.once(add, key=key, kept=Item)


class GetItem:
    """Anyone may read any item."""

    def __init__(self, *, items: ItemReader) -> None:
        self._items = items

    async def __call__(self, query: GetItemQuery) -> Item:
        return await existing_item(self._items, query.item_id)


class ListItems:
    """Anyone may list items, filtered by owner, name and price, sorted by id or price."""

    def __init__(self, *, items: ItemReader) -> None:
        self._items = items

    async def __call__(self, query: ListItemsQuery) -> Page[Item]:
        rows = await self._items.list(check_filter(query.where), query.page)
        return page_of(rows, query.page, price=lambda item: item.price)


class ExportItems:
    """Every matching item, by id, read in batches so memory stays flat."""

    def __init__(self, *, items: ItemReader, batch_size: int = EXPORT_BATCH) -> None:
        self._items, self._batch_size = items, batch_size

    async def __call__(self, query: ExportItemsQuery) -> AsyncIterator[Item]:
        where = check_filter(query.where)
        async for item in self._items.stream(where, batch_size=self._batch_size):
            yield item


class UpdateItem:
    """The owner or an admin may change an item's name, description and price."""

    def __init__(self, *, writes: Writes, clock: Clock) -> None:
        self._writes, self._clock = writes, clock

    async def __call__(self, cmd: UpdateItemCommand) -> Item:
        async def change(uow: UnitOfWork) -> Outcome[Item]:
            item = await _yours(uow, cmd.actor_id, cmd.item_id, cmd.expected_version)
            changed = item.change(
                now=self._clock.now(), name=cmd.name, description=cmd.description, price=cmd.price
            )
            await uow.items.update(changed, expected_version=item.version)
            return Outcome(changed, ItemUpdated(item_id=changed.id, version=changed.version))

        return await self._writes(change, expected_version=cmd.expected_version)


class DeleteItem:
    """The owner or an admin may delete an item."""

    def __init__(self, *, writes: Writes) -> None:
        self._writes = writes

    async def __call__(self, cmd: DeleteItemCommand) -> None:
        async def delete(uow: UnitOfWork) -> Outcome[None]:
            item = await _yours(uow, cmd.actor_id, cmd.item_id, cmd.expected_version)
            await uow.items.delete(item.id, expected_version=item.version)
            return Outcome(None, ItemDeleted(item_id=item.id))

        await self._writes(delete, expected_version=cmd.expected_version)


async def _yours(uow: UnitOfWork, actor_id: int, item_id: int, expected: int | None) -> Item:
    """The item to change: the actor owns it (or is an admin), at the version they named."""
    actor = await active_actor(uow.users, actor_id)
    item = await existing_item(uow.items, item_id)
    require_owner_or_admin(actor, item)
    require_version("item", item.id, item.version, expected)
    return item
