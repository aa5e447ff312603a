"""CreateItem, GetItem, UpdateItem, DeleteItem: anyone reads, owner or admin writes."""

from dataclasses import replace
from decimal import Decimal

import pytest

from adapters.memory import InMemoryUnitOfWork
from application.idempotency import IdempotencyKeys
from application.items import (
    CreateItem,
    CreateItemCommand,
    DeleteItem,
    DeleteItemCommand,
    GetItem,
    GetItemQuery,
    UpdateItem,
    UpdateItemCommand,
)
from application.writes import Writes
from domain.errors import (
    InvalidCredentials,
    InvariantViolated,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    VersionConflict,
)
from domain.events import ItemCreated, ItemDeleted, ItemUpdated
from domain.items import Item
from tests.unit.conftest import World


async def test_creating_an_item_makes_the_actor_its_owner(world: World) -> None:
    ada = await world.user()
    command = CreateItemCommand(
        actor_id=ada.id, name=" Lamp ", description="bright", price=Decimal("19.9")
    )
    item = (await CreateItem(writes=world.writes, clock=world.clock)(command)).value
    assert world.db.items[item.id] == item
    assert (item.owner_id, item.name, item.description) == (ada.id, "Lamp", "bright")
    assert (item.price, item.version) == (Decimal("19.90"), 1)
    assert item.created_at == item.updated_at == world.clock.now()
    assert world.uow.commits == 1
    assert world.events == [ItemCreated(item_id=item.id, owner_id=ada.id)]


@pytest.mark.parametrize("actor", ["inactive", "deleted"])
async def test_an_inactive_or_deleted_actor_cannot_create(world: World, actor: str) -> None:
    ada = await world.user(active=actor != "inactive")
    if actor == "deleted":
        world.db.users.pop(ada.id)
    with pytest.raises(InvalidCredentials):
        await CreateItem(writes=world.writes, clock=world.clock)(
            CreateItemCommand(actor_id=ada.id, name="Lamp", price=Decimal(1))
        )
    assert (world.db.items, world.uow.commits, world.events) == ({}, 0, [])


async def test_a_bad_price_creates_nothing(world: World) -> None:
    ada = await world.user()
    with pytest.raises(InvariantViolated):
        await CreateItem(writes=world.writes, clock=world.clock)(
            CreateItemCommand(actor_id=ada.id, name="Lamp", price=Decimal("1.001"))
        )
    assert (world.db.items, world.uow.commits) == ({}, 0)


async def test_anyone_reads_any_item_and_a_missing_one_is_not_found(world: World) -> None:
    item = await world.item(await world.user())
    assert await GetItem(items=world.items)(GetItemQuery(item_id=item.id)) == item
    with pytest.raises(NotFound):
        await GetItem(items=world.items)(GetItemQuery(item_id=item.id + 1))


@pytest.mark.parametrize("actor", ["owner", "admin"])
async def test_the_owner_or_an_admin_updates_an_item(world: World, actor: str) -> None:
    owner, admin = await world.user(), await world.user(admin=True)
    item = await world.item(owner)
    later = world.clock.advance()
    changed = await UpdateItem(writes=world.writes, clock=world.clock)(
        UpdateItemCommand(
            actor_id=owner.id if actor == "owner" else admin.id,
            item_id=item.id,
            price=Decimal("0.5"),
            description=None,
            expected_version=1,
        )
    )
    assert world.db.items[item.id] == changed
    assert (changed.name, changed.description, changed.price) == (item.name, None, Decimal("0.50"))
    assert (changed.version, changed.updated_at, changed.owner_id) == (2, later, owner.id)
    assert world.uow.commits == 1
    assert world.events == [ItemUpdated(item_id=item.id, version=2)]


async def test_a_non_owner_may_not_update_or_delete_an_item(world: World) -> None:
    item = await world.item(await world.user())
    other = await world.user()
    with pytest.raises(PermissionDenied):
        await UpdateItem(writes=world.writes, clock=world.clock)(
            UpdateItemCommand(actor_id=other.id, item_id=item.id, name="Mine")
        )
    with pytest.raises(PermissionDenied):
        await DeleteItem(writes=world.writes)(DeleteItemCommand(actor_id=other.id, item_id=item.id))
    assert world.db.items[item.id] == item
    assert (world.uow.commits, world.events) == (0, [])


async def test_a_stale_expected_version_is_refused(world: World) -> None:
    owner = await world.user()
    item = await world.item(owner)
    update = UpdateItem(writes=world.writes, clock=world.clock)
    await update(
        UpdateItemCommand(actor_id=owner.id, item_id=item.id, name="New", expected_version=1)
    )
    with pytest.raises(PreconditionFailed):
        await update(
            UpdateItemCommand(actor_id=owner.id, item_id=item.id, name="Old", expected_version=1)
        )
    with pytest.raises(PreconditionFailed):
        await DeleteItem(writes=world.writes)(
            DeleteItemCommand(actor_id=owner.id, item_id=item.id, expected_version=1)
        )
    assert (world.db.items[item.id].name, world.db.items[item.id].version) == ("New", 2)
    assert world.uow.commits == 1


@pytest.mark.parametrize("actor", ["owner", "admin"])
async def test_the_owner_or_an_admin_deletes_an_item(world: World, actor: str) -> None:
    owner, admin = await world.user(), await world.user(admin=True)
    item = await world.item(owner)
    actor_id = owner.id if actor == "owner" else admin.id
    await DeleteItem(writes=world.writes)(
        DeleteItemCommand(actor_id=actor_id, item_id=item.id, expected_version=1)
    )
    assert world.db.items == {}
    assert world.uow.commits == 1
    assert world.events == [ItemDeleted(item_id=item.id)]


async def test_updating_or_deleting_a_missing_item_is_not_found(world: World) -> None:
    admin = await world.user(admin=True)
    with pytest.raises(NotFound):
        await UpdateItem(writes=world.writes, clock=world.clock)(
            UpdateItemCommand(actor_id=admin.id, item_id=10_000, name="x")
        )
    with pytest.raises(NotFound):
        await DeleteItem(writes=world.writes)(DeleteItemCommand(actor_id=admin.id, item_id=10_000))
    assert world.uow.commits == 0


async def test_an_inactive_owner_may_not_change_their_item(world: World) -> None:
    owner = await world.user()
    item = await world.item(owner)
    world.db.users[owner.id] = owner.change(now=world.clock.now(), is_active=False)
    with pytest.raises(InvalidCredentials):
        await DeleteItem(writes=world.writes)(DeleteItemCommand(actor_id=owner.id, item_id=item.id))
    assert item.id in world.db.items


class LosingRace:
    """Units of work in which someone else commits a change to the item just after it is
    read: the write that follows has lost the race."""

    def __init__(self, world: World) -> None:
        self.world = world

    def __call__(self) -> InMemoryUnitOfWork:
        uow = self.world.uow()
        read = uow.items.get

        async def read_then_lose(item_id: int) -> Item | None:
            found = await read(item_id)
            if found is not None:
                self.world.db.items[item_id] = replace(found, version=found.version + 1)
            return found

        uow.items.get = read_then_lose  # type: ignore[method-assign]
        return uow


@pytest.mark.parametrize("if_match", [True, False])
async def test_losing_a_race_fails_the_precondition_of_a_caller_who_named_the_version(
    world: World, if_match: bool
) -> None:
    ada = await world.user()
    item = await world.item(owner=ada)
    losing = LosingRace(world)
    writes = Writes(uow=losing, keys=IdempotencyKeys(uow=losing, clock=world.clock))
    update = UpdateItem(writes=writes, clock=world.clock)
    expected = item.version if if_match else None
    command = UpdateItemCommand(
        actor_id=ada.id, item_id=item.id, name="mine", expected_version=expected
    )
    with pytest.raises(VersionConflict) as lost:
        await update(command)
    assert isinstance(lost.value, PreconditionFailed) is if_match  # 412, else 409
