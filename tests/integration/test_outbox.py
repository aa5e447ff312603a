"""The SQL unit of work writes its events to the outbox in its own transaction: a commit
writes exactly its events, in order; no commit, no row; publishing off, no row."""

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from domain.events import ItemUpdated, UserRegistered
from domain.items import Item
from domain.users import User
from tests.integration.outbox import outbox_rows
from tests.support.backends import Backend, engine_for, open_backend
from tests.unit.fakes import ManualClock, unique, unique_email


@pytest.fixture
async def backend(sql_url: str) -> AsyncIterator[Backend]:
    opened = await open_backend(sql_url, pool_size=2, outbox=True)
    try:
        yield opened
    finally:
        await opened.dispose()


async def _rows(url: str) -> list[dict[str, object]]:
    engine = engine_for(url)
    try:
        return await outbox_rows(engine)
    finally:
        await engine.dispose()


def _user() -> User:
    return User.register(
        name=unique(), email=unique_email(), password_hash="fake$h", now=ManualClock().now()
    )


async def test_a_commit_writes_its_rows_and_its_events_together(
    backend: Backend, sql_url: str
) -> None:
    before = len(await _rows(sql_url))
    async with backend.uow() as uow:
        user = await uow.users.add(_user())
        item = await uow.items.add(
            Item.create(
                owner_id=user.id,
                name=unique(),
                description=None,
                price=Decimal("1.00"),
                now=ManualClock().now(),
            )
        )
        uow.record(UserRegistered(user_id=user.id, email=user.email))
        uow.record(ItemUpdated(item_id=item.id, version=1))
        await uow.commit()

    rows = (await _rows(sql_url))[before:]
    assert [(r["type"], r["aggregate_type"], r["aggregate_id"]) for r in rows] == [
        ("user.registered", "user", str(user.id)),
        ("item.updated", "item", str(item.id)),
    ]
    assert rows[1]["payload"] == {"item_id": item.id, "version": 1}
    assert rows[0]["published_at"] is None
    assert rows[0]["event_id"] != rows[1]["event_id"]
    assert rows[0]["sequence"] < rows[1]["sequence"]  # type: ignore[operator]
    assert rows[0]["occurred_at"] == rows[1]["occurred_at"]  # one commit, one instant


async def test_a_unit_of_work_left_without_commit_writes_no_event(
    backend: Backend, sql_url: str
) -> None:
    before = await _rows(sql_url)
    async with backend.uow() as uow:
        user = await uow.users.add(_user())
        uow.record(UserRegistered(user_id=user.id, email=user.email))
    assert await _rows(sql_url) == before


async def test_with_publishing_off_no_event_is_written(sql_url: str) -> None:
    backend = await open_backend(sql_url, pool_size=2)
    before = await _rows(sql_url)
    try:
        async with backend.uow() as uow:
            user = await uow.users.add(_user())
            uow.record(UserRegistered(user_id=user.id, email=user.email))
            await uow.commit()
    finally:
        await backend.dispose()
    assert await _rows(sql_url) == before
