"""Idempotency keys: a create runs at most once per key, and a retry gets its response."""

from datetime import timedelta
from decimal import Decimal

import pytest

from application.idempotency import (
    IdempotencyKey,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    IdempotencyKeys,
    IdempotentWrite,
    Replay,
)
from application.items import CreateItem, CreateItemCommand
from domain.errors import InvalidCredentials
from domain.items import Item
from tests.unit.conftest import World

KEY = IdempotencyKey(scope="POST /items user:1", key="k-1", fingerprint="f-1")


def _keys(world: World) -> IdempotencyKeys:
    return IdempotencyKeys(uow=world.uow, clock=world.clock)


async def _create(world: World, key: IdempotencyKey = KEY) -> Item | Replay:
    owner = await world.user()
    create = CreateItem(uow=world.uow, clock=world.clock)
    command = CreateItemCommand(actor_id=owner.id, name="thing", price=Decimal("1.00"))

    async def made(write: IdempotentWrite[Item]) -> Item:
        return await create(command, write)

    return await _keys(world).run(key, made, present=lambda item: f"item {item.id}".encode())


async def test_a_retry_gets_the_stored_response_and_creates_nothing(world: World) -> None:
    first = await _create(world)
    assert isinstance(first, Item)
    again = await _keys(world).claim(KEY)
    assert again == Replay(f"item {first.id}".encode())
    assert list(world.db.items) == [first.id]


async def test_the_same_key_with_another_request_is_refused(world: World) -> None:
    await _create(world)
    with pytest.raises(IdempotencyKeyReused):
        await _keys(world).claim(IdempotencyKey(KEY.scope, KEY.key, fingerprint="other"))


async def test_a_key_in_flight_is_a_conflict_until_its_claim_lapses(world: World) -> None:
    keys = _keys(world)
    assert await keys.claim(KEY) is None  # claimed, the create still running
    with pytest.raises(IdempotencyKeyInFlight):
        await keys.claim(KEY)
    world.clock.advance(timedelta(seconds=71))  # its process died, say
    assert await keys.claim(KEY) is None


async def test_keys_belong_to_their_scope(world: World) -> None:
    assert await _keys(world).claim(KEY) is None
    assert await _keys(world).claim(IdempotencyKey("POST /items user:2", "k-1", "f-1")) is None


async def test_a_failed_create_releases_its_key(world: World) -> None:
    keys = _keys(world)
    create = CreateItem(uow=world.uow, clock=world.clock)
    command = CreateItemCommand(actor_id=404, name="thing", price=Decimal("1.00"))

    async def made(write: IdempotentWrite[Item]) -> Item:
        return await create(command, write)

    with pytest.raises(InvalidCredentials):
        await keys.run(KEY, made, present=lambda item: b"")
    assert world.db.idempotency == {}
    assert await keys.claim(KEY) is None  # a retry runs again


async def test_keys_expire_after_a_day_and_go_with_the_next_claim(world: World) -> None:
    await _create(world)
    world.clock.advance(timedelta(hours=24, seconds=1))
    other = IdempotencyKey("POST /users address:10.0.0.1", "k-2", "f-2")
    assert await _keys(world).claim(other) is None
    assert set(world.db.idempotency) == {(other.scope, other.key)}  # the old one purged
