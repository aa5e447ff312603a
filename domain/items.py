"""The Item entity and its rules."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation

from domain import rules
from domain.errors import InvariantViolated

DESCRIPTION_MAX = 2000
PRICE_MAX = Decimal("99999999.99")
_CENT = Decimal("0.01")


def check_price(value: Decimal) -> Decimal:
    """A price is an exact decimal in [0, 99,999,999.99] with at most two places."""
    if not isinstance(value, Decimal) or not value.is_finite():
        raise InvariantViolated("price", "must be a finite decimal number")
    try:
        cents = value.quantize(_CENT)
    except InvalidOperation:
        raise InvariantViolated("price", f"must be at most {PRICE_MAX}") from None
    if cents != value:
        raise InvariantViolated("price", "must have at most 2 decimal places")
    if not Decimal(0) <= cents <= PRICE_MAX:
        raise InvariantViolated("price", f"must be between 0 and {PRICE_MAX}")
    return abs(cents)  # -0.00 is 0.00


def check_description(value: str | None) -> str | None:
    if value is None:
        return None
    return rules.text(value, field="description", max_length=DESCRIPTION_MAX)


class Keep:
    """Marks a field an update leaves as it is (where None is a real value)."""


KEEP = Keep()


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    id: int = rules.UNSAVED
    owner_id: int
    name: str
    description: str | None = None
    price: Decimal
    created_at: datetime
    updated_at: datetime
    version: int = 1

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", rules.name(self.name))
        object.__setattr__(self, "description", check_description(self.description))
        object.__setattr__(self, "price", check_price(self.price))
        rules.check_stamps(self)

    @classmethod
    def restore(cls, values: Mapping[str, object]) -> "Item":
        """A item as storage holds it (a value for each field), its fields not
        checked again. Only repositories and readers call this."""
        return rules.restored(cls, values)

    @classmethod
    def create(
        cls, *, owner_id: int, name: str, description: str | None, price: Decimal, now: datetime
    ) -> "Item":
        return cls(
            owner_id=owner_id,
            name=name,
            description=description,
            price=price,
            created_at=now,
            updated_at=now,
        )

    def change(
        self,
        *,
        now: datetime,
        name: str | None = None,
        description: str | Keep | None = KEEP,
        price: Decimal | None = None,
    ) -> "Item":
        """A copy with the given fields changed, a new version and `updated_at`."""
        return replace(
            self,
            name=self.name if name is None else name,
            description=self.description if isinstance(description, Keep) else description,
            price=self.price if price is None else price,
            updated_at=now,
            version=self.version + 1,
        )
