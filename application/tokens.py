"""Issuing tokens: a login opens a session, which the access token names (`sid`).

The refresh token is 256 random bits, given to the client once; storage keeps only its
SHA-256, so a copy of the database opens no session.
"""

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from application.ports import AccessToken, Clock, TokenService, UnitOfWork
from application.writes import Outcome, Writes
from domain.sessions import Session

REFRESH_BYTES = 32  # 256 bits


def refresh_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenPair:
    access: AccessToken
    refresh: str = field(repr=False)


class OpenSession:
    """Opens a session for `user_id`, which lapses after `lifetime` whatever its use."""

    def __init__(
        self, *, writes: Writes, tokens: TokenService, clock: Clock, lifetime: timedelta
    ) -> None:
        self._writes, self._tokens, self._clock = writes, tokens, clock
        self._lifetime = lifetime

    async def __call__(self, user_id: int, *, user_agent: str | None) -> TokenPair:
        refresh = secrets.token_urlsafe(REFRESH_BYTES)

        async def rule(uow: UnitOfWork) -> Outcome[Session]:
            opened = Session.open(
                user_id=user_id,
                refresh_hash=refresh_hash(refresh),
                user_agent=user_agent,
                now=self._clock.now(),
                lifetime=self._lifetime,
            )
            return Outcome(await uow.sessions.add(opened))

        session = await self._writes(rule)
        return TokenPair(self._tokens.issue(user_id, session_id=session.id), refresh)
