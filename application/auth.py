"""Authentication: exchanging credentials for an access token."""

from dataclasses import dataclass, field

from application.ports import AccessToken, PasswordHasher, TokenService, UserReader
from domain.errors import InvalidCredentials, InvariantViolated
from domain.users import normalise_email


@dataclass(frozen=True, slots=True, kw_only=True)
class AuthenticateCommand:
    email: str
    password: str = field(repr=False)


class Authenticate:
    """Issues a token for an active user whose password matches. An unknown email, a
    wrong password and an inactive user fail alike, at the cost of one hash check."""

    def __init__(self, *, users: UserReader, hasher: PasswordHasher, tokens: TokenService) -> None:
        self._users, self._hasher, self._tokens = users, hasher, tokens

    async def __call__(self, cmd: AuthenticateCommand) -> AccessToken:
        try:
            email = normalise_email(cmd.email)
        except InvariantViolated:
            email = None
        user = None if email is None else await self._users.get_by_email(email)
        matches = await self._hasher.verify(
            None if user is None else user.password_hash, cmd.password
        )
        if user is None or not matches or not user.is_active:
            raise InvalidCredentials()
        return self._tokens.issue(user.id)
