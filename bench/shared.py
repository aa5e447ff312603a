"""What the reference apps share with Catalog's contract: tokens, cursors and JSON shape.

Every reference app reads the same database (`BENCH_DATABASE_URL`, a plain
`postgresql://` URL) and accepts the same tokens as Catalog (`CATALOG_JWT_SECRET`,
HS256, issuer and audience "catalog"), so one load generator drives them all alike.
"""

import base64
import json
import os
import time
from datetime import datetime
from decimal import Decimal
from typing import Any

import jwt

ISSUER = AUDIENCE = "catalog"
ALGORITHM = "HS256"
TOKEN_TTL = 1800
PAGE_LIMIT_DEFAULT = 20
PAGE_LIMIT_MAX = 100
POOL_SIZE = 10


def database_url() -> str:
    """The plain `postgresql://` URL of the benchmark database."""
    return os.environ["BENCH_DATABASE_URL"]


def secret() -> str:
    return os.environ["CATALOG_JWT_SECRET"]


def issue_token(user_id: int, key: str) -> dict[str, Any]:
    now = int(time.time())
    claims = {"sub": str(user_id), "iat": now, "exp": now + TOKEN_TTL, "iss": ISSUER}
    claims["aud"] = AUDIENCE
    token = jwt.encode(claims, key, algorithm=ALGORITHM)
    return {"access_token": token, "token_type": "bearer", "expires_in": TOKEN_TTL}


def token_subject(authorization: str | None, key: str) -> int | None:
    """The user id a `Bearer` header proves, or None (PyJWT, algorithm pinned)."""
    if not authorization or not authorization.startswith("Bearer "):
        return None
    try:
        claims = jwt.decode(
            authorization[7:],
            key,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=AUDIENCE,
            options={"require": ["sub", "exp", "iat", "iss", "aud"]},
        )
        return int(claims["sub"])
    except (jwt.PyJWTError, ValueError):
        return None


def encode_cursor(price: Decimal, item_id: int) -> str:
    """Catalog's keyset cursor for `sort=price`: base64url of ["price", id, "price"]."""
    raw = json.dumps(["price", item_id, str(price)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Decimal, int]:
    """The (price, id) after which a `sort=price` page starts; ValueError if malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        sort, item_id, price = json.loads(raw)
        if sort != "price":
            raise ValueError("cursor made for another sort")
        return Decimal(price), int(item_id)
    except (TypeError, ArithmeticError, ValueError) as error:
        raise ValueError("bad cursor") from error


def timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with a `Z`, as pydantic writes an aware datetime."""
    return value.isoformat().replace("+00:00", "Z")


def item_json(row: Any) -> dict[str, Any]:
    """The item as Catalog returns it (price a string with two places; no version)."""
    return {
        "id": row["id"],
        "owner_id": row["owner_id"],
        "name": row["name"],
        "description": row["description"],
        "price": str(row["price"]),
        "created_at": timestamp(row["created_at"]),
        "updated_at": timestamp(row["updated_at"]),
    }
