"""The in-memory unit of work behaves as a transaction: private until commit, all or nothing."""

from dataclasses import replace

import pytest

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork, InMemoryUserReader
from domain.errors import EmailAlreadyRegistered, NotFound, VersionConflict
from domain.events import UserRegistered
from domain.users import User
from tests.unit.conftest import World
from tests.unit.fakes import ManualClock, unique, unique_email


def new_user(email: str | None = None) -> User:
    now = ManualClock().now()
    return User.register(
        name=unique(), email=email or unique_email(), password_hash="fake$h", now=now
    )


async def stored(db: InMemoryDatabase) -> User:
    async with InMemoryUnitOfWork(db) as uow:
        user = await uow.users.add(new_user())
        await uow.commit()
    return user


async def test_writes_are_invisible_to_others_until_commit() -> None:
    db = InMemoryDatabase()
    async with InMemoryUnitOfWork(db) as writer:
        user = await writer.users.add(new_user())
        assert await writer.users.get(user.id) == user
        async with InMemoryUnitOfWork(db) as other:
            assert await other.users.get(user.id) is None
            assert await other.users.get_by_email(user.email) is None
        reader = InMemoryUserReader(db)
        assert await reader.get(user.id) is None
        assert await reader.get_by_email(user.email) is None
        writer.record(UserRegistered(user_id=user.id, email=user.email))
        await writer.commit()
    assert await reader.get(user.id) == user
    assert await reader.get_by_email(user.email) == user
    assert db.committed_events == [UserRegistered(user_id=user.id, email=user.email)]


async def test_leaving_without_commit_discards_writes_and_events() -> None:
    db = InMemoryDatabase()
    async with InMemoryUnitOfWork(db) as uow:
        user = await uow.users.add(new_user())
        uow.record(UserRegistered(user_id=user.id, email=user.email))
    assert (db.users, db.committed_events, uow.committed, uow.events) == ({}, [], False, [])


async def test_an_exception_inside_discards_writes() -> None:
    db = InMemoryDatabase()

    async def add_then_fail() -> None:
        async with InMemoryUnitOfWork(db) as uow:
            await uow.users.add(new_user())
            raise LookupError

    with pytest.raises(LookupError):
        await add_then_fail()
    assert db.users == {}


async def test_the_same_email_added_by_two_units_of_work_commits_once() -> None:
    db = InMemoryDatabase()
    email = unique_email()
    async with InMemoryUnitOfWork(db) as first, InMemoryUnitOfWork(db) as second:
        await first.users.add(new_user(email))
        await second.users.add(new_user(email.upper()))
        await first.commit()
        with pytest.raises(EmailAlreadyRegistered):
            await second.commit()
    assert [u.email for u in db.users.values()] == [email]


async def test_an_update_from_a_stale_version_is_refused_at_once() -> None:
    db = InMemoryDatabase()
    user = await stored(db)
    async with InMemoryUnitOfWork(db) as uow:
        await uow.users.update(replace(user, name="New", version=2), expected_version=1)
        await uow.commit()
    async with InMemoryUnitOfWork(db) as uow:
        with pytest.raises(VersionConflict):
            await uow.users.update(replace(user, name="Lost", version=2), expected_version=1)
    assert (db.users[user.id].name, db.users[user.id].version) == ("New", 2)


async def test_the_second_of_two_racing_updates_fails_at_commit() -> None:
    db = InMemoryDatabase()
    user = await stored(db)
    async with InMemoryUnitOfWork(db) as first, InMemoryUnitOfWork(db) as second:
        await first.users.update(replace(user, name="First", version=2), expected_version=1)
        await second.users.update(replace(user, name="Second", version=2), expected_version=1)
        await first.commit()
        with pytest.raises(VersionConflict):
            await second.commit()
    assert db.users[user.id].name == "First"


async def test_deleting_a_user_deletes_their_items_at_commit_only() -> None:
    world = World()
    owner = await world.user()
    item = await world.item(owner)
    async with InMemoryUnitOfWork(world.db) as uow:
        await uow.users.delete(owner.id, expected_version=owner.version)
        assert await uow.items.get(item.id) is None
        assert world.db.items == {item.id: item}
        await uow.commit()
    assert (world.db.users, world.db.items) == ({}, {})


async def test_an_item_for_an_owner_deleted_meanwhile_is_refused_at_commit() -> None:
    world = World()
    owner = await world.user()
    draft = replace(await world.item(owner), id=0)
    async with InMemoryUnitOfWork(world.db) as adder, InMemoryUnitOfWork(world.db) as deleter:
        await adder.items.add(draft)
        await deleter.users.delete(owner.id, expected_version=owner.version)
        await deleter.commit()
        with pytest.raises(NotFound):
            await adder.commit()
    assert world.db.items == {}


async def test_committing_twice_publishes_each_event_once() -> None:
    db = InMemoryDatabase()
    async with InMemoryUnitOfWork(db) as uow:
        user = await uow.users.add(new_user())
        uow.record(UserRegistered(user_id=user.id, email=user.email))
        await uow.commit()
        await uow.commit()
    assert db.committed_events == [UserRegistered(user_id=user.id, email=user.email)]
