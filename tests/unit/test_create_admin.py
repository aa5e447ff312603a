"""CreateAdmin: registration's rules with the admin flag, for the CLI and the start-up."""

import asyncio

import pytest

from application.registration import CreateAdmin, RegisterUserCommand
from domain.errors import EmailAlreadyRegistered, InvariantViolated
from domain.events import UserRegistered
from tests.unit.conftest import PASSWORD, World
from tests.unit.fakes import FakePasswordHasher, unique_email


@pytest.fixture
def create_admin(world: World) -> CreateAdmin:
    return CreateAdmin(
        writes=world.writes, users=world.users, hasher=world.hasher, clock=world.clock
    )


def _command(email: str) -> RegisterUserCommand:
    return RegisterUserCommand(name="Root", email=email, password=PASSWORD)


async def test_an_admin_is_registered_with_the_flag_set(
    world: World, create_admin: CreateAdmin
) -> None:
    email = unique_email("admin")
    admin = await create_admin(_command(email.upper()))
    assert world.db.users[admin.id] == admin
    assert (admin.email, admin.is_admin, admin.is_active) == (email, True, True)
    assert world.events == [UserRegistered(user_id=admin.id, email=email)]


async def test_registration_rules_hold_for_admins_too(
    world: World, create_admin: CreateAdmin
) -> None:
    email = (await world.user()).email
    with pytest.raises(EmailAlreadyRegistered):
        await create_admin(_command(email))
    with pytest.raises(InvariantViolated):
        await create_admin(RegisterUserCommand(name="Root", email=unique_email(), password="short"))
    assert world.hasher.hashes == 1  # the duplicate's; the short password never got hashed


async def test_if_missing_leaves_an_existing_user_as_they_are_without_hashing(
    world: World, create_admin: CreateAdmin
) -> None:
    existing = await world.user()
    assert await create_admin.if_missing(_command(existing.email)) is None
    assert world.db.users == {existing.id: existing}  # not promoted, not changed
    assert (world.hasher.hashes, world.uow.commits, world.events) == (0, 0, [])


class _MeetingHasher(FakePasswordHasher):
    """Holds every caller until `parties` of them are hashing: both start-ups have then
    seen no admin, and race to create one."""

    def __init__(self, parties: int) -> None:
        super().__init__()
        self._barrier = asyncio.Barrier(parties)

    async def hash(self, password: str) -> str:
        await self._barrier.wait()
        return await super().hash(password)


async def test_processes_starting_together_create_one_admin_and_none_fails(world: World) -> None:
    hasher = _MeetingHasher(parties=2)
    starts = [
        CreateAdmin(writes=world.writes, users=world.users, hasher=hasher, clock=world.clock)
        for _ in range(2)
    ]
    command = _command(unique_email("admin"))
    results = await asyncio.gather(*(start.if_missing(command) for start in starts))
    created = [user for user in results if user is not None]
    assert len(created) == 1
    assert list(world.db.users.values()) == created
    assert hasher.hashes == 2
