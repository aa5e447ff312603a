"""Authenticate: every failure looks alike and costs one password check."""

import pytest

from application.auth import Authenticate, AuthenticateCommand
from domain.errors import InvalidCredentials
from tests.unit.conftest import PASSWORD, World
from tests.unit.fakes import FakeTokenService, unique_email


@pytest.fixture
def authenticate(world: World) -> Authenticate:
    return Authenticate(users=world.users, hasher=world.hasher, tokens=FakeTokenService())


async def test_the_right_password_gets_a_token_for_the_user(
    world: World, authenticate: Authenticate
) -> None:
    ada = await world.user()
    token = await authenticate(
        AuthenticateCommand(email=f" {ada.email.upper()} ", password=PASSWORD)
    )
    assert FakeTokenService().subject(token.token) == ada.id
    assert token.expires_in == FakeTokenService.TTL
    assert world.hasher.verifies == 1


async def test_logging_in_writes_nothing(world: World, authenticate: Authenticate) -> None:
    ada = await world.user()
    await authenticate(AuthenticateCommand(email=ada.email, password=PASSWORD))
    assert (world.uow.commits, world.events) == (0, [])


@pytest.mark.parametrize(
    "case", ["wrong password", "unknown email", "inactive user", "malformed email"]
)
async def test_every_failure_is_invalid_credentials_after_one_check(
    world: World, authenticate: Authenticate, case: str
) -> None:
    ada = await world.user(active=case != "inactive user")
    email = {"unknown email": unique_email(), "malformed email": "not an email"}.get(
        case, ada.email
    )
    password = "wrong password" if case == "wrong password" else PASSWORD
    with pytest.raises(InvalidCredentials):
        await authenticate(AuthenticateCommand(email=email, password=password))
    known = case in ("wrong password", "inactive user")
    assert world.hasher.checked == [ada.password_hash if known else world.hasher.DUMMY_HASH]


async def test_the_dummy_hash_never_lets_anyone_in(
    world: World, authenticate: Authenticate
) -> None:
    dummy_password = world.hasher.DUMMY_HASH.removeprefix(world.hasher.PREFIX)[::-1]
    with pytest.raises(InvalidCredentials):
        await authenticate(AuthenticateCommand(email=unique_email(), password=dummy_password))
    assert world.hasher.verifies == 1


def test_the_password_never_shows_in_the_command_repr() -> None:
    assert PASSWORD not in repr(AuthenticateCommand(email=unique_email(), password=PASSWORD))
