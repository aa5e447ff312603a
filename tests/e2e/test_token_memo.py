"""The HTTP layer's memo of verified bearer tokens (entrypoints/http/auth.py)."""

import time

import jwt
import pytest

from application.ports import AccessToken
from domain.errors import InvalidCredentials
from entrypoints.http.auth import VerifiedTokens

KEY = "memo-tests-secret-of-at-least-32-bytes!"


class CountingTokens:
    """A TokenService that accepts the tokens it is told to, and counts its checks."""

    def __init__(self) -> None:
        self.valid: set[str] = set()
        self.checks = 0

    def issue(self, user_id: int, *, session_id: int = 1) -> AccessToken:
        token = jwt.encode({"sub": str(user_id), "exp": int(time.time()) + 600}, KEY)
        self.valid.add(token)
        return AccessToken(token, 600)

    def subject(self, token: str) -> int:
        self.checks += 1
        if token not in self.valid:
            raise InvalidCredentials()
        return int(jwt.decode(token, KEY, algorithms=["HS256"])["sub"])


def test_a_verified_token_is_taken_again_without_a_second_check() -> None:
    tokens = CountingTokens()
    memo = VerifiedTokens(tokens)
    token = tokens.issue(7).token
    assert [memo.subject(token) for _ in range(3)] == [7, 7, 7]
    assert tokens.checks == 1


def test_an_invalid_token_is_never_remembered() -> None:
    tokens = CountingTokens()
    memo = VerifiedTokens(tokens)
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            memo.subject("junk")
    assert tokens.checks == 2


def test_a_remembered_token_is_checked_again_once_it_expires(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tokens = CountingTokens()
    memo = VerifiedTokens(tokens)
    token = tokens.issue(7).token
    memo.subject(token)
    tokens.valid.clear()  # what the real service would say after `exp`
    later = time.time() + 601
    monkeypatch.setattr("entrypoints.http.auth.time.time", lambda: later)
    with pytest.raises(InvalidCredentials):
        memo.subject(token)


def test_the_memo_stays_bounded() -> None:
    tokens = CountingTokens()
    memo = VerifiedTokens(tokens, size=3)
    issued = [tokens.issue(n).token for n in range(10)]
    for token in issued:
        memo.subject(token)
    assert memo.subject(issued[-1]) == 9
    checks = tokens.checks
    memo.subject(issued[0])  # long forgotten: verified again
    assert tokens.checks == checks + 1
