"""Bearer tokens to user ids, remembering the ones already verified.

Verifying an HS256 token costs more than the rest of a cached read; a client sends the
same token on every request until it expires. So a token that passed the full check is
remembered, with its expiry, and is taken again without re-verifying until then. Only
verified tokens enter the memo, so junk tokens cannot fill it, and the use cases still
check on every request that the user is active.
"""

import base64
import time

import orjson

from application.ports import TokenService

MEMO_SIZE = 10_000


class VerifiedTokens:
    def __init__(self, tokens: TokenService, *, size: int = MEMO_SIZE) -> None:
        self._tokens, self._size = tokens, size
        self._memo: dict[str, tuple[int, float]] = {}  # token → (user id, expires at)

    def subject(self, token: str) -> int:
        """The user id of a valid token; InvalidCredentials otherwise."""
        remembered = self._memo.get(token)
        if remembered is not None:
            user_id, expires_at = remembered
            if time.time() < expires_at:
                return user_id
            del self._memo[token]
        user_id = self._tokens.subject(token)  # raises unless valid
        if len(self._memo) >= self._size:
            self._memo.clear()
        self._memo[token] = (user_id, _expiry(token))
        return user_id


def _expiry(token: str) -> float:
    """The `exp` of a token whose signature and claims were just verified."""
    payload = token.split(".")[1]
    claims = orjson.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return float(claims["exp"])
