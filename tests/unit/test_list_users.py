"""ListUsers: admin only, by id in either direction, paged by offset or cursor."""

import pytest

from application.pagination import PageRequest, Sort
from application.users import ListUsers, ListUsersQuery
from domain.errors import InvalidCredentials, InvariantViolated, PermissionDenied
from domain.users import User
from tests.unit.conftest import World


async def users(world: World, count: int) -> list[User]:
    return [await world.user() for _ in range(count)]


async def test_an_admin_lists_users_by_id_both_ways(world: World) -> None:
    admin = await world.user(admin=True)
    everyone = [admin, *await users(world, 3)]
    listed = ListUsers(users=world.users)
    up = await listed(ListUsersQuery(actor_id=admin.id, page=PageRequest()))
    down = await listed(ListUsersQuery(actor_id=admin.id, page=PageRequest(sort=Sort.ID_DESC)))
    assert up.items == everyone
    assert down.items == everyone[::-1]
    assert not up.has_more


async def test_an_admin_pages_through_users_with_a_cursor(world: World) -> None:
    admin = await world.user(admin=True)
    everyone = [admin, *await users(world, 4)]
    listed, seen = ListUsers(users=world.users), []
    request = PageRequest(limit=2)
    for _ in range(len(everyone)):
        page = await listed(ListUsersQuery(actor_id=admin.id, page=request))
        seen.extend(page.items)
        if page.next is None:
            break
        request = PageRequest(limit=2, after=page.next)
    else:
        pytest.fail("the cursor never reached the last page")
    assert seen == everyone


async def test_offset_skips_users(world: World) -> None:
    admin = await world.user(admin=True)
    everyone = [admin, *await users(world, 3)]
    page = await ListUsers(users=world.users)(
        ListUsersQuery(actor_id=admin.id, page=PageRequest(limit=2, offset=1))
    )
    assert page.items == everyone[1:3]
    assert page.has_more


async def test_a_non_admin_may_not_list_users(world: World) -> None:
    ada = await world.user()
    with pytest.raises(PermissionDenied):
        await ListUsers(users=world.users)(ListUsersQuery(actor_id=ada.id, page=PageRequest()))


async def test_an_inactive_admin_is_nobody(world: World) -> None:
    admin = await world.user(admin=True, active=False)
    with pytest.raises(InvalidCredentials):
        await ListUsers(users=world.users)(ListUsersQuery(actor_id=admin.id, page=PageRequest()))


@pytest.mark.parametrize("sort", [Sort.PRICE, Sort.PRICE_DESC])
async def test_users_sort_only_by_id(world: World, sort: Sort) -> None:
    admin = await world.user(admin=True)
    with pytest.raises(InvariantViolated) as caught:
        await ListUsers(users=world.users)(
            ListUsersQuery(actor_id=admin.id, page=PageRequest(sort=sort))
        )
    assert caught.value.field == "sort"


async def test_a_non_admin_is_refused_before_the_sort_is_judged(world: World) -> None:
    ada = await world.user()
    with pytest.raises(PermissionDenied):
        await ListUsers(users=world.users)(
            ListUsersQuery(actor_id=ada.id, page=PageRequest(sort=Sort.PRICE))
        )
