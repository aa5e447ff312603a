"""Unique test data, so tests never depend on each other's rows."""

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from itertools import count
from uuid import uuid4

from domain.items import Item
from domain.users import User

NOW = datetime(2026, 1, 2, 3, 4, 5, 123456, tzinfo=UTC)
_serial: Iterator[int] = count(1)


def unique(prefix: str = "name") -> str:
    return f"{prefix}-{next(_serial)}-{uuid4().hex[:8]}"


def unique_email(prefix: str = "user") -> str:
    return f"{unique(prefix)}@example.com"


def new_user(*, email: str | None = None, name: str | None = None) -> User:
    return User.register(
        name=name or unique("user"),
        email=email or unique_email(),
        password_hash="argon2$not-a-real-hash",
        now=NOW,
    )


def new_item(
    owner_id: int, *, price: str = "9.99", name: str | None = None, description: str | None = None
) -> Item:
    return Item.create(
        owner_id=owner_id,
        name=name or unique("item"),
        description=description,
        price=Decimal(price),
        now=NOW,
    )
