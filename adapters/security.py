"""Password hashing with argon2id and access tokens with PyJWT."""

import asyncio
import hashlib
import secrets
import time
from collections.abc import Sequence

import jwt
from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError

from application.ports import AccessToken
from domain.errors import InvalidCredentials
from domain.rules import ID_MAX

OWASP_MEMORY_KIB = 19 * 1024
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1


class Argon2PasswordHasher:
    """argon2id at no less than OWASP's parameters; the work runs in a worker thread."""

    def __init__(
        self,
        *,
        memory_kib: int = OWASP_MEMORY_KIB,
        time_cost: int = OWASP_TIME_COST,
        parallelism: int = OWASP_PARALLELISM,
    ) -> None:
        if memory_kib < OWASP_MEMORY_KIB or time_cost < OWASP_TIME_COST or parallelism < 1:
            raise ValueError("argon2id parameters below OWASP's minimum (m=19 MiB, t=2, p=1)")
        self._argon2 = _Argon2(
            memory_cost=memory_kib, time_cost=time_cost, parallelism=parallelism, type=Type.ID
        )
        self._dummy_hash = self._argon2.hash("an unknown account has this password")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            self._argon2.verify(password_hash or self._dummy_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None


def _user_id(subject: object) -> int:
    """A subject as `issue` writes one: an id in ASCII digits, within what storage holds
    (int() also reads other scripts' digits, spaces and signs)."""
    if isinstance(subject, str) and subject.isascii() and subject.isdigit():
        user_id = int(subject)
        if 1 <= user_id <= ID_MAX and subject == str(user_id):
            return user_id
    raise ValueError(subject)


class JwtTokenService:
    """HS256 access tokens (RFC 9068: header `typ: at+jwt`) carrying sub, sid, jti, exp,
    iat, nbf, iss and aud. `secret` signs; `previous` secrets still verify, each chosen by
    the `kid` in the header, so keys rotate without logging anyone out. Only HS256 is
    accepted back."""

    ALGORITHM = "HS256"
    TYPE = "at+jwt"
    REQUIRED = ("sub", "sid", "jti", "exp", "iat", "nbf", "iss", "aud")

    def __init__(
        self,
        *,
        secret: str,
        ttl_seconds: int,
        previous: Sequence[str] = (),
        issuer: str = "catalog",
        audience: str = "catalog",
    ) -> None:
        if any(len(key.encode()) < 32 for key in (secret, *previous)):
            raise ValueError("a JWT secret must be at least 32 bytes")
        if ttl_seconds < 1:
            raise ValueError("the token lifetime must be positive")
        self._kid, self._secret, self._ttl = key_id(secret), secret, ttl_seconds
        self._keys = {key_id(key): key for key in (*previous, secret)}
        self._issuer, self._audience = issuer, audience

    def issue(self, user_id: int, *, session_id: int) -> AccessToken:
        now = int(time.time())
        claims = {
            "sub": str(user_id),
            "sid": str(session_id),
            "jti": secrets.token_urlsafe(16),
            "iat": now,
            "nbf": now,
            "exp": now + self._ttl,
            "iss": self._issuer,
            "aud": self._audience,
        }
        headers = {"typ": self.TYPE, "kid": self._kid}
        token = jwt.encode(claims, self._secret, algorithm=self.ALGORITHM, headers=headers)
        return AccessToken(token, self._ttl)

    def subject(self, token: str) -> int:
        try:
            header = jwt.get_unverified_header(token)
            secret = self._keys.get(str(header.get("kid")))
            if secret is None or header.get("typ") != self.TYPE:
                raise InvalidCredentials()
            claims = jwt.decode(
                token,
                secret,
                algorithms=[self.ALGORITHM],
                issuer=self._issuer,
                audience=self._audience,
                options={"require": list(self.REQUIRED)},
            )
            int(claims["sid"])
            return _user_id(claims["sub"])
        except (jwt.PyJWTError, ValueError, TypeError):
            raise InvalidCredentials() from None


def key_id(secret: str) -> str:
    """A key's public name: the start of its SHA-256 (the secret cannot be read back)."""
    return hashlib.sha256(secret.encode()).hexdigest()[:16]
