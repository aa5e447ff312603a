"""JwtTokenService: HS256 access tokens (typ at+jwt) that only this service's own, current
tokens pass, signed by the current secret and verified by it or a previous one (by kid)."""

import base64
import json
import time

import jwt
import pytest

from adapters.security import JwtTokenService, key_id
from domain.errors import InvalidCredentials

SECRET = "s" * 64
OLD = "o" * 64
CLAIMS = ("sub", "sid", "jti", "exp", "iat", "nbf", "iss", "aud")


@pytest.fixture
def tokens() -> JwtTokenService:
    return JwtTokenService(secret=SECRET, ttl_seconds=1800)


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    base: dict[str, object] = {
        "sub": "7",
        "sid": "3",
        "jti": "a-token-id",
        "iat": now,
        "nbf": now,
        "exp": now + 60,
        "iss": "catalog",
        "aud": "catalog",
    }
    base.update(overrides)
    return {key: value for key, value in base.items() if value is not None}


def signed(
    payload: dict[str, object],
    *,
    secret: str = SECRET,
    algorithm: str = "HS256",
    typ: str = "at+jwt",
    kid: str | None = None,
) -> str:
    headers = {"typ": typ, "kid": kid or key_id(secret)}
    return jwt.encode(payload, secret, algorithm=algorithm, headers=headers)


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_token_names_its_user_and_carries_every_claim(tokens: JwtTokenService) -> None:
    token = tokens.issue(42, session_id=5)
    assert tokens.subject(token.token) == 42
    assert token.expires_in == 1800
    header = jwt.get_unverified_header(token.token)
    body = jwt.decode(token.token, options={"verify_signature": False})
    assert (header["alg"], header["typ"], header["kid"]) == ("HS256", "at+jwt", key_id(SECRET))
    assert set(CLAIMS) <= set(body)
    assert body["exp"] - body["iat"] == 1800
    assert (body["sub"], body["sid"], body["iss"], body["aud"]) == ("42", "5", "catalog", "catalog")
    assert body["nbf"] == body["iat"]
    assert tokens.issue(42, session_id=5).token != token.token  # each has its own jti


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
        signed(claims(sid="not-a-number")),
        signed(claims(nbf=int(time.time()) + 120)),
        signed(claims(), typ="JWT"),
        signed(claims(), secret="t" * 64, kid=key_id(SECRET)),
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
        "sid",
        "not-yet-valid",
        "typ-JWT",
        "other-secret-our-kid",
        "alg-none",
        "junk",
        "empty",
    ],
)
def test_a_bad_token_is_refused(tokens: JwtTokenService, token: str) -> None:
    with pytest.raises(InvalidCredentials):
        tokens.subject(token)


def test_a_tampered_payload_is_refused(tokens: JwtTokenService) -> None:
    header, _, signature = tokens.issue(42, session_id=5).token.split(".")
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


def test_a_token_signed_by_a_previous_secret_still_passes_and_new_ones_use_the_current() -> None:
    before = JwtTokenService(secret=OLD, ttl_seconds=60).issue(7, session_id=3).token
    rotated = JwtTokenService(secret=SECRET, ttl_seconds=60, previous=[OLD])
    assert rotated.subject(before) == 7
    assert jwt.get_unverified_header(rotated.issue(7, session_id=3).token)["kid"] == key_id(SECRET)
    with pytest.raises(InvalidCredentials):  # once the old secret is dropped
        JwtTokenService(secret=SECRET, ttl_seconds=60).subject(before)


def test_a_previous_secret_too_short_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        JwtTokenService(secret=SECRET, ttl_seconds=60, previous=["short"])
