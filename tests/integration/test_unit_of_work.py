"""Contract: a unit of work is one transaction, committed only on request."""

import pytest

from application.ports import UnitOfWorkFactory
from domain.events import UserRegistered
from domain.users import User
from tests.support.backends import Backend
from tests.support.data import new_item, new_user


async def test_commit_persists(uow: UnitOfWorkFactory, backend: Backend) -> None:
    async with uow() as tx:
        user = await tx.users.add(new_user())
        item = await tx.items.add(new_item(user.id, price="12.34"))
        await tx.commit()
    assert user.id > 0
    assert item.id > 0
    assert await backend.users.get(user.id) == user
    assert await backend.items.get(item.id) == item
    assert await backend.users.get_by_email(user.email) == user


async def test_a_transaction_sees_its_own_writes(uow: UnitOfWorkFactory) -> None:
    async with uow() as tx:
        user = await tx.users.add(new_user())
        assert await tx.users.get(user.id) == user
        assert await tx.users.get_by_email(user.email) == user


async def test_exit_without_commit_discards(uow: UnitOfWorkFactory, backend: Backend) -> None:
    async with uow() as tx:
        user = await tx.users.add(new_user())
    assert await backend.users.get(user.id) is None
    assert await backend.users.get_by_email(user.email) is None


async def test_exception_discards_and_propagates(uow: UnitOfWorkFactory, backend: Backend) -> None:
    class Boom(Exception):
        pass

    added: list[User] = []

    async def fail_midway() -> None:
        async with uow() as tx:
            added.append(await tx.users.add(new_user()))
            raise Boom

    with pytest.raises(Boom):
        await fail_midway()
    assert await backend.users.get(added[0].id) is None


async def test_changes_after_commit_are_discarded(uow: UnitOfWorkFactory, backend: Backend) -> None:
    async with uow() as tx:
        user = await tx.users.add(new_user())
        await tx.commit()
        await tx.users.update(user.change(now=user.updated_at, name="later"), expected_version=1)
    assert await backend.users.get(user.id) == user


async def test_events_count_only_when_committed(backend: Backend) -> None:
    event = UserRegistered(user_id=1, email="a@example.com")
    kept, dropped = backend.uow(), backend.uow()
    async with kept as tx:
        tx.record(event)
        await tx.commit()
    async with dropped as tx:
        tx.record(event)
    assert list(kept.events) == [event]
    assert list(dropped.events) == []


async def test_ping_and_migrate_are_idempotent(backend: Backend) -> None:
    await backend.migrate()
    await backend.ping()
    async with backend.uow() as tx:
        user = await tx.users.add(new_user())
        await tx.commit()
    assert user.id > 0


async def test_readers_see_committed_rows_only(backend: Backend) -> None:
    async with backend.uow() as tx:
        user = await tx.users.add(new_user())
        item = await tx.items.add(new_item(user.id, price="0.10"))
        assert await backend.users.get(user.id) is None
        assert await backend.users.get_by_email(user.email) is None
        assert await backend.items.get(item.id) is None
        await tx.commit()
    assert await backend.users.get(user.id) == user
    assert await backend.users.get_by_email(user.email) == user
    assert await backend.items.get(item.id) == item


async def test_a_unit_of_work_exposes_its_events_in_order(backend: Backend) -> None:
    first = UserRegistered(user_id=1, email="a@example.com")
    second = UserRegistered(user_id=2, email="b@example.com")
    async with backend.uow() as tx:
        tx.record(first)
        tx.record(second)
        assert list(tx.events) == [first, second]
        await tx.commit()
        assert list(tx.events) == [first, second]
