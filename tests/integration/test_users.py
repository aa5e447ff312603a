"""Contract: users are unique by email, written only at the version read, deleted with
their items."""

import asyncio

import pytest

from application.pagination import Keyset, Sort
from application.ports import UnitOfWork, UnitOfWorkFactory
from domain.errors import EmailAlreadyRegistered, NotFound, VersionConflict
from domain.users import User
from tests.integration.paging import user_pages, walk
from tests.support.backends import Backend
from tests.support.data import NOW, new_item, new_user, unique


async def _register(tx: UnitOfWork, user: User) -> User:
    """Adds and commits; the duplicate may be refused at either step."""
    stored = await tx.users.add(user)
    await tx.commit()
    return stored


async def _update(uow: UnitOfWorkFactory, user: User, *, expected_version: int) -> None:
    async with uow() as tx:
        await tx.users.update(user, expected_version=expected_version)
        await tx.commit()


async def test_email_is_unique_whatever_its_case(uow: UnitOfWorkFactory, backend: Backend) -> None:
    name = unique("mixed")
    async with uow() as tx:
        first = await _register(tx, new_user(email=f"{name}@Example.COM"))
    assert first.email == f"{name}@example.com"
    with pytest.raises(EmailAlreadyRegistered):
        async with uow() as tx:
            await _register(tx, new_user(email=f"{name.upper()}@example.com"))
    assert await backend.users.get_by_email(first.email) == first


async def test_concurrent_registrations_of_one_email_one_wins(
    uow: UnitOfWorkFactory, backend: Backend
) -> None:
    email = f"{unique('race')}@example.com"
    both_checked = asyncio.Barrier(2)

    async def register() -> User:
        async with uow() as tx:
            assert await tx.users.get_by_email(email) is None
            await both_checked.wait()  # both saw the email free: a real race
            return await _register(tx, new_user(email=email))

    outcomes = await asyncio.wait_for(
        asyncio.gather(register(), register(), return_exceptions=True), timeout=20
    )
    winners = [o for o in outcomes if isinstance(o, User)]
    losers = [o for o in outcomes if isinstance(o, EmailAlreadyRegistered)]
    assert (len(winners), len(losers)) == (1, 1), outcomes
    assert await backend.users.get_by_email(email) == winners[0]


async def test_changing_email_to_a_taken_one_is_refused(
    uow: UnitOfWorkFactory, backend: Backend
) -> None:
    async with uow() as tx:
        taken = await tx.users.add(new_user())
        user = await tx.users.add(new_user())
        await tx.commit()
    with pytest.raises(EmailAlreadyRegistered):
        await _update(uow, user.change(now=NOW, email=taken.email), expected_version=1)
    assert await backend.users.get(user.id) == user


async def test_update_writes_at_the_expected_version(
    uow: UnitOfWorkFactory, backend: Backend
) -> None:
    async with uow() as tx:
        user = await _register(tx, new_user())
    changed = user.change(now=NOW, name="renamed", is_admin=True)
    await _update(uow, changed, expected_version=user.version)
    assert await backend.users.get(user.id) == changed
    assert changed.version == 2


async def test_a_stale_version_is_rejected(uow: UnitOfWorkFactory, backend: Backend) -> None:
    async with uow() as tx:
        user = await _register(tx, new_user())
    await _update(uow, user.change(now=NOW, name="first"), expected_version=1)
    with pytest.raises(VersionConflict):
        await _update(uow, user.change(now=NOW, name="second"), expected_version=1)
    stored = await backend.users.get(user.id)
    assert stored is not None
    assert (stored.name, stored.version) == ("first", 2)


async def test_updating_a_missing_user_is_a_conflict(uow: UnitOfWorkFactory) -> None:
    ghost = new_user()
    with pytest.raises(VersionConflict):
        await _update(uow, ghost.change(now=NOW), expected_version=1)


async def test_deleting_a_user_deletes_their_items(
    uow: UnitOfWorkFactory, backend: Backend
) -> None:
    async with uow() as tx:
        owner, other = await tx.users.add(new_user()), await tx.users.add(new_user())
        mine = [await tx.items.add(new_item(owner.id)) for _ in range(3)]
        theirs = await tx.items.add(new_item(other.id))
        await tx.commit()
    async with uow() as tx:
        await tx.users.delete(owner.id, expected_version=owner.version)
        assert [await tx.items.get(item.id) for item in mine] == [None] * 3  # same transaction
        await tx.commit()
    assert await backend.users.get(owner.id) is None
    assert [await backend.items.get(item.id) for item in mine] == [None] * 3
    assert await backend.items.get(theirs.id) == theirs


async def test_an_item_needs_an_existing_owner(uow: UnitOfWorkFactory) -> None:
    async def add_orphan() -> None:
        async with uow() as tx:
            await tx.items.add(new_item(owner_id=2_000_000_000))
            await tx.commit()

    with pytest.raises(NotFound):  # at add (SQL) or at commit (memory)
        await add_orphan()


async def test_users_page_by_id_in_both_directions(
    uow: UnitOfWorkFactory, backend: Backend
) -> None:
    async with uow() as tx:
        mine = [await tx.users.add(new_user()) for _ in range(5)]
        await tx.commit()
    ids = [user.id for user in mine]
    start = min(ids) - 1  # from just before our rows, not through other tests' users
    up = await walk(user_pages(backend.users), sort=Sort.ID, limit=2, after=Keyset(Sort.ID, start))
    assert [user.id for user in up] == ids
    assert up == mine
    down = await walk(user_pages(backend.users), sort=Sort.ID_DESC, limit=2)
    down_ids = [user.id for user in down]
    assert down_ids == sorted(set(down_ids), reverse=True)
    assert set(ids) <= set(down_ids)
