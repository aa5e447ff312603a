"""JwtTokenService: HS256 tokens that only this service's own, current tokens pass."""

import base64
import json
import time

import jwt
import pytest

from adapters.security import JwtTokenService
from domain.errors import InvalidCredentials

SECRET = "s" * 64
CLAIMS = ("sub", "exp", "iat", "iss", "aud")


@pytest.fixture
def tokens() -> JwtTokenService:
    return JwtTokenService(secret=SECRET, ttl_seconds=1800)


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "sub": "7",
        "iat": now,
        "exp": now + 60,
        "iss": "catalog",
        "aud": "catalog",
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def signed(payload: dict[str, object], *, secret: str = SECRET, algorithm: str = "HS256") -> str:
    return jwt.encode(payload, secret, algorithm=algorithm)


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_token_names_its_user_and_carries_every_claim(tokens: JwtTokenService) -> None:
    token = tokens.issue(42)
    assert tokens.subject(token.token) == 42
    assert token.expires_in == 1800
    header = jwt.get_unverified_header(token.token)
    body = jwt.decode(token.token, options={"verify_signature": False})
    assert header["alg"] == "HS256"
    assert set(CLAIMS) <= set(body)
    assert body["exp"] - body["iat"] == 1800
    assert (body["sub"], body["iss"], body["aud"]) == ("42", "catalog", "catalog")


def test_a_well_formed_token_from_elsewhere_passes(tokens: JwtTokenService) -> None:
    assert tokens.subject(signed(claims())) == 7  # the baseline the refusals below vary


@pytest.mark.parametrize(
    "token",
    [
        signed(claims(exp=int(time.time()) - 5)),
        signed(claims(), secret="t" * 64),
        signed(claims(), algorithm="HS512"),
        signed(claims(iss="someone-else")),
        signed(claims(aud="someone-else")),
        signed(claims(sub="not-a-number")),
        f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}.",
        "not.a.token",
        "",
    ],
    ids=[
        "expired",
        "other-secret",
        "HS512",
        "issuer",
        "audience",
        "sub",
        "alg-none",
        "junk",
        "empty",
    ],
)
def test_a_bad_token_is_refused(tokens: JwtTokenService, token: str) -> None:
    with pytest.raises(InvalidCredentials):
        tokens.subject(token)


def test_a_tampered_payload_is_refused(tokens: JwtTokenService) -> None:
    header, _, signature = tokens.issue(42).token.split(".")
    forged = f"{header}.{b64(claims(sub='1'))}.{signature}"
    with pytest.raises(InvalidCredentials):
        tokens.subject(forged)


@pytest.mark.parametrize("missing", CLAIMS)
def test_a_token_missing_a_required_claim_is_refused(tokens: JwtTokenService, missing: str) -> None:
    with pytest.raises(InvalidCredentials):
        tokens.subject(signed(claims(**{missing: None})))


def test_an_expired_token_of_this_service_is_refused(tokens: JwtTokenService) -> None:
    now = int(time.time())
    with pytest.raises(InvalidCredentials):
        tokens.subject(signed(claims(iat=now - 120, exp=now - 60)))


def test_a_lifetime_that_is_not_positive_is_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        JwtTokenService(secret=SECRET, ttl_seconds=0)


def test_a_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        JwtTokenService(secret="s" * 31, ttl_seconds=60)
