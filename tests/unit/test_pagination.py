"""Page requests and keyset cursors: bounds, round trips and garbage."""

import base64
import json
from decimal import Decimal

import pytest

from application.pagination import LIMIT_MAX, OFFSET_MAX, Keyset, PageRequest, Sort
from domain.errors import InvariantViolated


def cursor_of(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode()


@pytest.mark.parametrize(
    "keyset",
    [
        Keyset(Sort.ID, 1),
        Keyset(Sort.ID_DESC, 2**31 - 1),  # the largest id storage holds
        Keyset(Sort.PRICE, 7, Decimal("0.00")),
        Keyset(Sort.PRICE_DESC, 8, Decimal("99999999.99")),
    ],
)
def test_a_cursor_round_trips(keyset: Keyset) -> None:
    cursor = keyset.encode()
    assert cursor.isascii()
    assert "=" not in cursor
    assert Keyset.decode(cursor, sort=keyset.sort) == keyset


def test_a_cursor_for_another_sort_is_refused() -> None:
    cursor = Keyset(Sort.ID, 3).encode()
    with pytest.raises(InvariantViolated, match="another sort"):
        Keyset.decode(cursor, sort=Sort.ID_DESC)


GARBAGE_FOR_ID = [
    "",
    "not a cursor!",
    "%%%%",
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    base64.urlsafe_b64encode(b"[" * 100_000).decode(),
    cursor_of({"sort": "id"}),
    cursor_of(["id"]),
    cursor_of(["id", "one", None]),
    cursor_of(["up", 1, None]),
    cursor_of(["id", 1, "2.00"]),
    cursor_of(["id", 2**31, None]),  # past the INTEGER column
    cursor_of(["id", 0, None]),
    cursor_of(["id", True, None]),
    cursor_of(["id", "1", None]),
    cursor_of(["id", 1.0, None]),
]
GARBAGE_FOR_PRICE = [
    cursor_of(["price", 1, None]),
    cursor_of(["price", 1, "NaN"]),
    cursor_of(["price", 1, "-Infinity"]),
    cursor_of(["price", 1, "cheap"]),
    cursor_of(["price", 1, [1]]),
    cursor_of(["price", 1, "0E-1000000"]),
    cursor_of(["price", 1, "\u0661.00"]),
    cursor_of(["price", 1, "1.001"]),
    cursor_of(["price", 1, 1.5]),
]


@pytest.mark.parametrize(
    ("cursor", "sort"),
    [(c, Sort.ID) for c in GARBAGE_FOR_ID] + [(c, Sort.PRICE) for c in GARBAGE_FOR_PRICE],
)
def test_a_garbage_cursor_is_refused_as_invalid_input(cursor: str, sort: Sort) -> None:
    with pytest.raises(InvariantViolated) as caught:
        Keyset.decode(cursor, sort=sort)
    assert caught.value.field == "cursor"


@pytest.mark.parametrize("limit", [1, LIMIT_MAX])
def test_a_limit_of_1_to_100_is_accepted(limit: int) -> None:
    assert PageRequest(limit=limit).limit == limit


@pytest.mark.parametrize("limit", [0, -1, LIMIT_MAX + 1])
def test_a_limit_outside_1_to_100_is_refused(limit: int) -> None:
    with pytest.raises(InvariantViolated) as caught:
        PageRequest(limit=limit)
    assert caught.value.field == "limit"


@pytest.mark.parametrize("offset", [-1, OFFSET_MAX + 1])
def test_an_offset_outside_0_to_10000_is_refused(offset: int) -> None:
    with pytest.raises(InvariantViolated) as caught:
        PageRequest(offset=offset)
    assert caught.value.field == "skip"


def test_an_offset_up_to_10000_is_accepted() -> None:
    assert PageRequest(offset=OFFSET_MAX).offset == OFFSET_MAX


def test_a_cursor_and_an_offset_do_not_combine() -> None:
    with pytest.raises(InvariantViolated):
        PageRequest(offset=1, after=Keyset(Sort.ID, 1))
