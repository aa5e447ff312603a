"""RegisterUser: anyone may register once per email, whatever its case."""

import pytest

from application.registration import RegisterUser, RegisterUserCommand
from domain.errors import EmailAlreadyRegistered, InvariantViolated
from domain.events import UserRegistered
from tests.unit.conftest import PASSWORD, World
from tests.unit.fakes import unique, unique_email


@pytest.fixture
def register(world: World) -> RegisterUser:
    return RegisterUser(writes=world.writes, hasher=world.hasher, clock=world.clock)


async def test_registering_stores_a_normalised_user_with_only_the_hash(
    world: World, register: RegisterUser
) -> None:
    email = unique_email()
    user = (
        await register(RegisterUserCommand(name=" Ada ", email=email.upper(), password=PASSWORD))
    ).value
    assert world.db.users[user.id] == user
    assert (user.name, user.email, user.version) == ("Ada", email, 1)
    assert (user.is_active, user.is_admin) == (True, False)
    assert user.password_hash == await world.hasher.hash(PASSWORD)
    assert PASSWORD not in user.password_hash
    assert user.created_at == user.updated_at == world.clock.now()
    assert world.uow.commits == 1
    assert world.events == [UserRegistered(user_id=user.id, email=email)]


async def test_ids_are_assigned_by_storage(register: RegisterUser) -> None:
    first = (
        await register(RegisterUserCommand(name="A", email=unique_email(), password=PASSWORD))
    ).value
    second = (
        await register(RegisterUserCommand(name="B", email=unique_email(), password=PASSWORD))
    ).value
    assert 0 < first.id < second.id


async def test_an_email_registers_once_whatever_its_case(
    world: World, register: RegisterUser
) -> None:
    email = unique_email()
    await register(RegisterUserCommand(name="A", email=email, password=PASSWORD))
    with pytest.raises(EmailAlreadyRegistered):
        await register(RegisterUserCommand(name="B", email=f" {email.upper()}", password=PASSWORD))
    assert len(world.db.users) == 1
    assert world.uow.commits == 1
    assert len(world.events) == 1


@pytest.mark.parametrize(
    ("name", "email", "password"),
    [
        ("", "ok@example.com", PASSWORD),
        ("A", "not-an-email", PASSWORD),
        ("A", "ok@example.com", "short"),
        ("A", "ok@example.com", "p" * 129),
    ],
)
async def test_bad_input_is_refused_before_hashing_and_commits_nothing(
    world: World, register: RegisterUser, name: str, email: str, password: str
) -> None:
    with pytest.raises(InvariantViolated):
        await register(RegisterUserCommand(name=name, email=email, password=password))
    assert world.hasher.hashes == 0
    assert world.db.users == {}
    assert world.uow.commits == 0
    assert world.events == []


def test_the_password_never_shows_in_the_command_repr() -> None:
    cmd = RegisterUserCommand(name=unique(), email=unique_email(), password=PASSWORD)
    assert PASSWORD not in repr(cmd)
