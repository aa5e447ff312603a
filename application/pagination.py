"""Queries, sorts, keyset cursors and pages: how lists are asked for and returned."""

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Generic, Protocol, TypeVar

from domain.errors import InvariantViolated
from domain.items import check_price
from domain.rules import ID_MAX

T = TypeVar("T")


class _Identified(Protocol):
    @property
    def id(self) -> int: ...


E = TypeVar("E", bound=_Identified)
LIMIT_DEFAULT = 20
LIMIT_MAX = 100
OFFSET_MAX = 10_000
_PRICE_TEXT = re.compile(r"[0-9]{1,8}(\.[0-9]{1,2})?")  # as Keyset.encode writes one


class Sort(StrEnum):
    ID = "id"
    ID_DESC = "-id"
    PRICE = "price"
    PRICE_DESC = "-price"

    @property
    def descending(self) -> bool:
        return self.value.startswith("-")

    @property
    def key(self) -> str:
        return self.value.lstrip("-")


@dataclass(frozen=True, slots=True)
class Keyset:
    """The position after which the next page starts: the sort key's value and the id."""

    sort: Sort
    id: int
    price: Decimal | None = None

    def encode(self) -> str:
        payload = [self.sort.value, self.id, None if self.price is None else f"{self.price:f}"]
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, cursor: str, *, sort: Sort) -> "Keyset":
        """The keyset a cursor names. A cursor is the client's to forge: only an id storage
        can hold and a price written in ASCII digits, within the price's bounds, pass."""
        try:
            raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
            sort_value, key, price = json.loads(raw)
            keyset = cls(Sort(sort_value), _id(key), _price(price))
        except (ValueError, TypeError, binascii.Error, ArithmeticError, RecursionError):
            raise InvariantViolated("cursor", "is not a valid cursor") from None
        if keyset.sort is not sort:
            raise InvariantViolated("cursor", "was made for another sort order")
        if (sort.key == "price") != (keyset.price is not None):
            raise InvariantViolated("cursor", "is not a valid cursor")
        return keyset


def _id(key: object) -> int:
    if type(key) is not int or not 1 <= key <= ID_MAX:
        raise ValueError(key)
    return key


def _price(price: object) -> Decimal | None:
    """The checked price (check_price's value, not the text again), or None."""
    if price is None:
        return None
    if not isinstance(price, str) or not _PRICE_TEXT.fullmatch(price):
        raise ValueError(price)
    try:
        return check_price(Decimal(price))
    except InvariantViolated:
        raise ValueError(price) from None


@dataclass(frozen=True, slots=True, kw_only=True)
class PageRequest:
    limit: int = LIMIT_DEFAULT
    offset: int = 0
    after: Keyset | None = None
    sort: Sort = Sort.ID

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= LIMIT_MAX:
            raise InvariantViolated("limit", f"must be between 1 and {LIMIT_MAX}")
        if not 0 <= self.offset <= OFFSET_MAX:
            raise InvariantViolated("skip", f"must be between 0 and {OFFSET_MAX}")
        if self.after is not None and self.offset:
            raise InvariantViolated("cursor", "cannot be combined with skip")


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemFilter:
    owner_id: int | None = None
    name_contains: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of results; `next` is where the following page starts, if there is one."""

    items: list[T]
    next: Keyset | None = field(default=None)

    @property
    def has_more(self) -> bool:
        return self.next is not None


def page_of(
    rows: list[E], page: PageRequest, *, price: Callable[[E], Decimal] | None = None
) -> Page[E]:
    """Turns the `limit + 1` rows a repository returned into a page and its next keyset."""
    if len(rows) <= page.limit:
        return Page(rows)
    items = rows[: page.limit]
    last = items[-1]
    last_price = price(last) if price is not None and page.sort.key == "price" else None
    return Page(items, Keyset(page.sort, last.id, last_price))
