"""Idempotency keys: a create runs at most once per key, and a retry gets what it made."""

from datetime import timedelta
from decimal import Decimal

import pytest

from application.idempotency import (
    IdempotencyKey,
    IdempotencyKeyInFlight,
    IdempotencyKeyReused,
    IdempotencyKeys,
)
from application.items import CreateItem, CreateItemCommand
from application.registration import RegisterUser, RegisterUserCommand
from application.writes import Written
from domain.errors import InvalidCredentials
from domain.items import Item
from tests.unit.conftest import PASSWORD, World
from tests.unit.fakes import unique_email

KEY = IdempotencyKey(scope="POST /items user:1", key="k-1", fingerprint="f-1")


def _keys(world: World) -> IdempotencyKeys:
    return IdempotencyKeys(uow=world.uow, clock=world.clock)


async def _create(
    world: World, key: IdempotencyKey = KEY, actor: int | None = None
) -> Written[Item]:
    owner_id = (await world.user()).id if actor is None else actor
    create = CreateItem(writes=world.writes, clock=world.clock)
    command = CreateItemCommand(actor_id=owner_id, name="thing", price=Decimal("1.10"))
    return await create(command, key=key)


async def test_a_retry_gets_what_the_first_made_and_creates_nothing(world: World) -> None:
    first = await _create(world)
    world.clock.advance(timedelta(seconds=5))
    again = await _create(world)
    assert (first.replayed, again.replayed) == (False, True)
    assert again.value == first.value  # every field, the price and the stamps exactly
    assert list(world.db.items) == [first.value.id]
    assert world.uow.commits == 3  # the claim, the create with its response; the claim again


async def test_a_replayed_user_has_no_password_hash(world: World) -> None:
    register = RegisterUser(writes=world.writes, hasher=world.hasher, clock=world.clock)
    command = RegisterUserCommand(name="Ada", email=unique_email(), password=PASSWORD)
    key = IdempotencyKey("POST /users address:10.0.0.1", "k-1", "f-1")
    first = await register(command, key=key)
    ((_, kept),) = ((k, r.response) for k, r in world.db.idempotency.items())
    assert kept is not None
    assert first.value.password_hash.encode() not in kept
    again = await register(command, key=key)
    assert again.replayed
    assert again.value.password_hash == ""
    assert (again.value.id, again.value.email) == (first.value.id, first.value.email)


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
    with pytest.raises(InvalidCredentials):
        await _create(world, actor=404)
    assert world.db.idempotency == {}
    assert await _keys(world).claim(KEY) is None  # a retry runs again


async def test_keys_expire_after_a_day_and_go_with_the_next_claim(world: World) -> None:
    await _create(world)
    world.clock.advance(timedelta(hours=24, seconds=1))
    other = IdempotencyKey("POST /users address:10.0.0.1", "k-2", "f-2")
    assert await _keys(world).claim(other) is None
    assert set(world.db.idempotency) == {(other.scope, other.key)}  # the old one purged
