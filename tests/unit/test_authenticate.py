"""Authenticate: every failure looks alike and costs one password check; too many
failures per account or per address are refused without one."""

from datetime import timedelta

import pytest
from limits.aio.storage import MemoryStorage

from adapters.throttle import LimitsLoginThrottle
from application.auth import Authenticate, AuthenticateCommand
from application.tokens import OpenSession, refresh_hash
from domain.errors import InvalidCredentials, TooManyAttempts
from tests.unit.conftest import PASSWORD, World
from tests.unit.fakes import FakeTokenService, unique_email

PER_ACCOUNT, PER_ADDRESS, WINDOW = 3, 5, 60
LIFETIME = timedelta(days=90)


@pytest.fixture
def authenticate(world: World) -> Authenticate:
    throttle = LimitsLoginThrottle(
        MemoryStorage(), per_account=PER_ACCOUNT, per_address=PER_ADDRESS, window_seconds=WINDOW
    )
    sessions = OpenSession(
        writes=world.writes, tokens=FakeTokenService(), clock=world.clock, lifetime=LIFETIME
    )
    return Authenticate(
        users=world.users, hasher=world.hasher, sessions=sessions, throttle=throttle
    )


async def _fail(authenticate: Authenticate, email: str, *, address: str = "10.0.0.1") -> None:
    with pytest.raises(InvalidCredentials):
        await authenticate(AuthenticateCommand(email=email, password="wrong!", address=address))


async def test_the_right_password_gets_a_token_for_the_user(
    world: World, authenticate: Authenticate
) -> None:
    ada = await world.user()
    pair = await authenticate(
        AuthenticateCommand(email=f" {ada.email.upper()} ", password=PASSWORD)
    )
    assert FakeTokenService().subject(pair.access.token) == ada.id
    assert pair.access.expires_in == FakeTokenService.TTL
    assert world.hasher.verifies == 1


async def test_logging_in_opens_a_session_that_keeps_only_the_refresh_tokens_hash(
    world: World, authenticate: Authenticate
) -> None:
    ada = await world.user()
    pair = await authenticate(
        AuthenticateCommand(email=ada.email, password=PASSWORD, user_agent="curl/8")
    )
    assert (world.uow.commits, world.events) == (1, [])
    (session,) = world.db.sessions.values()
    assert FakeTokenService().session(pair.access.token) == session.id
    assert (session.user_id, session.user_agent) == (ada.id, "curl/8")
    assert session.refresh_hash == refresh_hash(pair.refresh) != pair.refresh
    assert len(pair.refresh) >= 43  # 256 bits, base64url
    assert session.expires_at == world.clock.now() + LIFETIME


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


@pytest.mark.parametrize("registered", [True, False])
async def test_too_many_failures_for_an_account_are_refused_without_a_hash(
    world: World, authenticate: Authenticate, registered: bool
) -> None:
    email = (await world.user()).email if registered else unique_email()
    for attempt in range(PER_ACCOUNT):
        await _fail(authenticate, email, address=f"10.0.0.{attempt}")
    checked = world.hasher.verifies
    with pytest.raises(TooManyAttempts) as refused:
        await authenticate(AuthenticateCommand(email=email, password=PASSWORD, address="10.9.9.9"))
    assert 0 < refused.value.retry_after <= WINDOW
    assert world.hasher.verifies == checked  # the refused attempt cost no hash


async def test_a_success_clears_the_accounts_failures(
    world: World, authenticate: Authenticate
) -> None:
    ada = await world.user()
    for _ in range(PER_ACCOUNT - 1):
        await _fail(authenticate, ada.email)
    await authenticate(AuthenticateCommand(email=ada.email, password=PASSWORD))
    for _ in range(PER_ACCOUNT - 1):
        await _fail(authenticate, ada.email, address="10.0.0.2")
    await authenticate(AuthenticateCommand(email=ada.email, password=PASSWORD))


async def test_too_many_failures_from_one_address_are_refused_for_every_account(
    world: World, authenticate: Authenticate
) -> None:
    for _ in range(PER_ADDRESS):
        await _fail(authenticate, unique_email(), address="10.0.0.7")
    ada = await world.user()
    with pytest.raises(TooManyAttempts):
        await authenticate(
            AuthenticateCommand(email=ada.email, password=PASSWORD, address="10.0.0.7")
        )
    pair = await authenticate(
        AuthenticateCommand(email=ada.email, password=PASSWORD, address="10.0.0.8")
    )
    assert FakeTokenService().subject(pair.access.token) == ada.id
