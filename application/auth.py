"""Authentication: exchanging credentials for an access token."""

from dataclasses import dataclass, field

from application.ports import PasswordHasher, UserReader
from application.throttling import LoginThrottle
from application.tokens import OpenSession, TokenPair
from domain.errors import InvalidCredentials, InvariantViolated, TooManyAttempts
from domain.users import normalise_email


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthenticateCommand:
    email: str
    password: str = field(repr=False)
    address: str | None = None  # the client's, for throttling
    user_agent: str | None = None  # shown in the list of sessions


class Authenticate:
    """Opens a session (an access and a refresh token) for an active user whose password
    matches. An unknown email, a wrong password and an inactive user fail alike, at the
    cost of one hash check.
    After too many failures for the account or from the address, attempts are refused
    (429) without checking the password, until the window ends; a success clears the
    account's failures."""

    def __init__(
        self,
        *,
        users: UserReader,
        hasher: PasswordHasher,
        sessions: OpenSession,
        throttle: LoginThrottle,
    ) -> None:
        self._users, self._hasher, self._sessions = users, hasher, sessions
        self._throttle = throttle

    async def __call__(self, cmd: AuthenticateCommand) -> TokenPair:
        try:
            email = normalise_email(cmd.email)
        except InvariantViolated:
            email = None
        wait = await self._throttle.retry_after(account=email, address=cmd.address)
        if wait is not None:
            raise TooManyAttempts(wait)
        user = None if email is None else await self._users.get_by_email(email)
        matches = await self._hasher.verify(
            None if user is None else user.password_hash, cmd.password
        )
        if user is None or not matches or not user.is_active:
            await self._throttle.failed(account=email, address=cmd.address)
            raise InvalidCredentials()
        await self._throttle.succeeded(account=user.email)
        return await self._sessions(user.id, user_agent=cmd.user_agent)
