"""GetUser and DeleteUser: self or admin; deleting a user deletes their items."""

import pytest

from application.users import DeleteUser, DeleteUserCommand, GetUser, GetUserQuery
from domain.errors import InvalidCredentials, NotFound, PermissionDenied, PreconditionFailed
from domain.events import UserDeleted
from tests.unit.conftest import World


async def test_a_user_reads_themselves_and_an_admin_reads_anyone(world: World) -> None:
    ada, admin = await world.user(), await world.user(admin=True)
    get = GetUser(users=world.users)
    assert await get(GetUserQuery(actor_id=ada.id, user_id=ada.id)) == ada
    assert await get(GetUserQuery(actor_id=admin.id, user_id=ada.id)) == ada


async def test_a_non_admin_may_not_read_another_user(world: World) -> None:
    ada, bob = await world.user(), await world.user()
    with pytest.raises(PermissionDenied):
        await GetUser(users=world.users)(GetUserQuery(actor_id=ada.id, user_id=bob.id))


async def test_an_admin_reading_a_missing_user_gets_not_found(world: World) -> None:
    admin = await world.user(admin=True)
    with pytest.raises(NotFound):
        await GetUser(users=world.users)(GetUserQuery(actor_id=admin.id, user_id=10_000))


@pytest.mark.parametrize("actor", ["inactive", "deleted"])
async def test_an_inactive_or_deleted_actor_is_nobody(world: World, actor: str) -> None:
    ada = await world.user(active=actor != "inactive")
    if actor == "deleted":
        await DeleteUser(writes=world.writes)(DeleteUserCommand(actor_id=ada.id, user_id=ada.id))
    with pytest.raises(InvalidCredentials):
        await GetUser(users=world.users)(GetUserQuery(actor_id=ada.id, user_id=ada.id))


async def test_deleting_a_user_deletes_their_items_and_only_theirs(world: World) -> None:
    ada, bob = await world.user(), await world.user()
    await world.item(ada)
    await world.item(ada)
    kept = await world.item(bob)
    await DeleteUser(writes=world.writes)(DeleteUserCommand(actor_id=ada.id, user_id=ada.id))
    assert ada.id not in world.db.users
    assert list(world.db.items.values()) == [kept]
    assert world.uow.commits == 1
    assert world.events == [UserDeleted(user_id=ada.id)]


async def test_an_admin_may_delete_anyone(world: World) -> None:
    ada, admin = await world.user(), await world.user(admin=True)
    await DeleteUser(writes=world.writes)(DeleteUserCommand(actor_id=admin.id, user_id=ada.id))
    assert set(world.db.users) == {admin.id}


async def test_a_non_admin_may_not_delete_another_user(world: World) -> None:
    ada, bob = await world.user(), await world.user()
    with pytest.raises(PermissionDenied):
        await DeleteUser(writes=world.writes)(DeleteUserCommand(actor_id=ada.id, user_id=bob.id))
    assert bob.id in world.db.users
    assert (world.uow.commits, world.events) == (0, [])


async def test_a_delete_based_on_an_old_version_is_refused(world: World) -> None:
    ada = await world.user()
    with pytest.raises(PreconditionFailed):
        await DeleteUser(writes=world.writes)(
            DeleteUserCommand(actor_id=ada.id, user_id=ada.id, expected_version=ada.version + 1)
        )
    assert ada.id in world.db.users
    assert (world.uow.commits, world.events) == (0, [])


async def test_deleting_a_missing_user_is_not_found(world: World) -> None:
    admin = await world.user(admin=True)
    with pytest.raises(NotFound):
        await DeleteUser(writes=world.writes)(DeleteUserCommand(actor_id=admin.id, user_id=10_000))
    assert world.uow.commits == 0
