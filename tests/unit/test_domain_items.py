"""SPEC §3, Item: name, description, exact decimal price, version."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from domain.errors import InvariantViolated
from domain.items import Item, check_price

NOW = datetime(2026, 3, 4, 5, 6, 7, tzinfo=UTC)


def make_item(**overrides: object) -> Item:
    fields: dict[str, object] = {
        "owner_id": 1,
        "name": "Lamp",
        "price": Decimal("9.99"),
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(overrides)
    return Item(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("0", Decimal("0.00")),
        ("0.1", Decimal("0.10")),
        ("19.99", Decimal("19.99")),
        ("1.50", Decimal("1.50")),
        ("99999999.99", Decimal("99999999.99")),
        ("1E+2", Decimal("100.00")),
        ("-0.00", Decimal("0.00")),
    ],
)
def test_a_price_is_kept_as_an_exact_decimal_with_two_places(raw: str, stored: Decimal) -> None:
    price = make_item(price=Decimal(raw)).price
    assert price == stored
    assert isinstance(price, Decimal)
    assert price.as_tuple().exponent == -2
    assert not price.is_signed()


def test_prices_add_up_exactly() -> None:
    prices = [make_item(price=Decimal("0.10")).price for _ in range(3)]
    assert sum(prices) == Decimal("0.30")


@pytest.mark.parametrize("bad", ["0.001", "1.999", "-0.01", "-1", "100000000.00", "1E+30"])
def test_a_price_out_of_range_or_with_more_than_two_places_is_refused(bad: str) -> None:
    with pytest.raises(InvariantViolated) as caught:
        check_price(Decimal(bad))
    assert caught.value.field == "price"


@pytest.mark.parametrize("bad", [1.5, 2, "3.00", Decimal("NaN"), Decimal("sNaN"), Decimal("Inf")])
def test_a_price_that_is_not_a_finite_decimal_is_refused(bad: object) -> None:
    with pytest.raises(InvariantViolated) as caught:
        make_item(price=bad)
    assert caught.value.field == "price"


@pytest.mark.parametrize("description", [None, "", "a" * 2000, "two\nlines\tand a tab"])
def test_a_description_is_optional_and_up_to_2000_characters(description: str | None) -> None:
    assert make_item(description=description).description == description


@pytest.mark.parametrize("bad", ["a" * 2001, "bell\x07"])
def test_a_long_description_or_one_with_control_characters_is_refused(bad: str) -> None:
    with pytest.raises(InvariantViolated) as caught:
        make_item(description=bad)
    assert caught.value.field == "description"


@pytest.mark.parametrize("bad", ["", "  ", "x" * 101, "tab\tinside"])
def test_an_item_name_is_1_to_100_characters_without_control_characters(bad: str) -> None:
    with pytest.raises(InvariantViolated):
        make_item(name=bad)


def test_each_change_adds_one_to_the_version_and_keeps_what_it_does_not_name() -> None:
    item = make_item(description="old")
    later = NOW + timedelta(hours=1)
    once = item.change(now=later, price=Decimal("5.00"))
    twice = once.change(now=later, description=None)
    assert (item.version, once.version, twice.version) == (1, 2, 3)
    assert (once.name, once.description, once.price) == ("Lamp", "old", Decimal("5.00"))
    assert twice.description is None
    assert (twice.created_at, twice.updated_at) == (NOW, later)


def test_a_change_is_checked_like_a_new_item() -> None:
    with pytest.raises(InvariantViolated):
        make_item().change(now=NOW, price=Decimal("0.005"))


def test_a_naive_timestamp_is_refused() -> None:
    with pytest.raises(InvariantViolated):
        make_item(created_at=datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test


def test_restore_rebuilds_an_item_from_storage_without_checking_it_again() -> None:
    # A value no constructor would accept proves the checks did not run: restore trusts
    # storage, which only ever holds items that passed them.
    untrimmed = " Lamp "
    restored = Item.restore(
        {
            "id": 7,
            "owner_id": 1,
            "name": untrimmed,
            "description": None,
            "price": Decimal("9.999"),
            "created_at": NOW,
            "updated_at": NOW,
            "version": 3,
        }
    )
    assert restored.name == untrimmed
    assert restored.price == Decimal("9.999")
    assert (restored.id, restored.owner_id, restored.version) == (7, 1, 3)
    with pytest.raises(InvariantViolated):
        make_item(price=Decimal("9.999"))
    assert make_item(name=untrimmed).name == "Lamp"


def test_a_restored_item_equals_the_item_it_was_stored_from_and_stays_frozen() -> None:
    item = make_item(id=5, description="Bright", version=2)
    restored = Item.restore(
        {
            "id": item.id,
            "owner_id": item.owner_id,
            "name": item.name,
            "description": item.description,
            "price": item.price,
            "created_at": item.created_at,
            "updated_at": item.updated_at,
            "version": item.version,
        }
    )
    assert restored == item
    assert hash(restored) == hash(item)
    with pytest.raises(AttributeError):
        restored.name = "Other"  # type: ignore[misc]
    changed = restored.change(now=NOW + timedelta(seconds=1), name="  Dim  ")
    assert (changed.name, changed.version) == ("Dim", 3)
