"""UpdateUser: self or admin; only an admin changes is_active and is_admin."""

from dataclasses import dataclass

import pytest

from application.users import UpdateUser, UpdateUserCommand
from domain.errors import (
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvariantViolated,
    PermissionDenied,
    PreconditionFailed,
)
from domain.events import UserUpdated
from tests.unit.conftest import World
from tests.unit.fakes import unique_email


@dataclass(frozen=True)
class Change:
    """An UpdateUserCommand without its actor and target, to parametrize tests with."""

    name: str | None = None
    email: str | None = None
    password: str | None = None
    is_active: bool | None = None
    is_admin: bool | None = None

    def by(self, actor_id: int, *, on: int) -> UpdateUserCommand:
        return UpdateUserCommand(
            actor_id=actor_id,
            user_id=on,
            name=self.name,
            email=self.email,
            password=self.password,
            is_active=self.is_active,
            is_admin=self.is_admin,
        )


@pytest.fixture
def update(world: World) -> UpdateUser:
    return UpdateUser(writes=world.writes, hasher=world.hasher, clock=world.clock)


async def test_a_user_changes_their_name_email_and_password(
    world: World, update: UpdateUser
) -> None:
    ada = await world.user()
    email = unique_email()
    later = world.clock.advance()
    changed = await update(
        UpdateUserCommand(
            actor_id=ada.id, user_id=ada.id, name=" Ada L ", email=email.upper(), password="n" * 8
        )
    )
    assert world.db.users[ada.id] == changed
    assert (changed.name, changed.email) == ("Ada L", email)
    assert changed.password_hash == await world.hasher.hash("n" * 8)
    assert (changed.version, changed.updated_at, changed.created_at) == (2, later, ada.created_at)
    assert world.uow.commits == 1
    assert world.events == [UserUpdated(user_id=ada.id, version=2)]


async def test_each_update_adds_one_to_the_version(world: World, update: UpdateUser) -> None:
    ada = await world.user()
    for expected in (1, 2, 3):
        cmd = UpdateUserCommand(actor_id=ada.id, user_id=ada.id, name=f"n{expected}")
        assert (await update(cmd)).version == expected + 1
    assert world.db.users[ada.id].version == 4


async def test_an_admin_may_change_anyone_including_flags(world: World, update: UpdateUser) -> None:
    ada, admin = await world.user(), await world.user(admin=True)
    changed = await update(
        UpdateUserCommand(actor_id=admin.id, user_id=ada.id, is_active=False, is_admin=True)
    )
    assert (changed.is_active, changed.is_admin) == (False, True)


@pytest.mark.parametrize(
    "change", [Change(is_active=False), Change(is_admin=True)], ids=["is_active", "is_admin"]
)
async def test_a_non_admin_may_not_change_their_own_flags(
    world: World, update: UpdateUser, change: Change
) -> None:
    ada = await world.user()
    with pytest.raises(PermissionDenied):
        await update(change.by(ada.id, on=ada.id))
    assert world.db.users[ada.id] == ada
    assert (world.uow.commits, world.events) == (0, [])


async def test_a_non_admin_may_not_change_another_user(world: World, update: UpdateUser) -> None:
    ada, bob = await world.user(), await world.user()
    with pytest.raises(PermissionDenied):
        await update(UpdateUserCommand(actor_id=ada.id, user_id=bob.id, name="Mallory"))
    assert world.db.users[bob.id] == bob


async def test_an_inactive_actor_is_nobody(world: World, update: UpdateUser) -> None:
    ada = await world.user(active=False)
    with pytest.raises(InvalidCredentials):
        await update(UpdateUserCommand(actor_id=ada.id, user_id=ada.id, name="Back"))


async def test_taking_another_users_email_in_any_case_is_refused(
    world: World, update: UpdateUser
) -> None:
    ada, bob = await world.user(), await world.user()
    with pytest.raises(EmailAlreadyRegistered):
        await update(UpdateUserCommand(actor_id=ada.id, user_id=ada.id, email=bob.email.upper()))
    assert world.db.users[ada.id] == ada
    assert (world.uow.commits, world.events) == (0, [])


async def test_keeping_ones_own_email_in_another_case_is_fine(
    world: World, update: UpdateUser
) -> None:
    ada = await world.user()
    changed = await update(
        UpdateUserCommand(actor_id=ada.id, user_id=ada.id, email=ada.email.upper())
    )
    assert (changed.email, changed.version) == (ada.email, 2)


async def test_a_stale_expected_version_is_refused(world: World, update: UpdateUser) -> None:
    ada = await world.user()
    await update(
        UpdateUserCommand(actor_id=ada.id, user_id=ada.id, name="Once", expected_version=1)
    )
    with pytest.raises(PreconditionFailed):
        await update(
            UpdateUserCommand(actor_id=ada.id, user_id=ada.id, name="Twice", expected_version=1)
        )
    assert world.db.users[ada.id].name == "Once"
    assert world.uow.commits == 1


@pytest.mark.parametrize(
    "change",
    [Change(name=" "), Change(email="nope"), Change(password="short"), Change(password="p" * 129)],
    ids=["name", "email", "short-password", "long-password"],
)
async def test_bad_values_are_refused_and_commit_nothing(
    world: World, update: UpdateUser, change: Change
) -> None:
    ada = await world.user()
    with pytest.raises(InvariantViolated):
        await update(change.by(ada.id, on=ada.id))
    assert world.db.users[ada.id] == ada
    assert (world.uow.commits, world.events) == (0, [])
