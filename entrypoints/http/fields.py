"""The API's field types: each bounded as strictly as the domain checks it, and documented
with the pattern that says so (the domain checks with its own messages)."""

import re
from decimal import Decimal
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema

from domain.items import DESCRIPTION_MAX, PRICE_MAX
from domain.rules import NAME_MAX
from domain.users import EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN

# The patterns say in the document what the domain checks (domain/rules.py, users.py):
# no control characters (Unicode category Cc) in names, none but tab and line breaks in
# descriptions; an email with one @, no spaces, and a dot inside its domain.
_CC = r"\x00-\x1f\x7f-\x9f"
# A name is 1 to 100 characters once trimmed: the bound is in the pattern, since the
# server trims before it counts (a `maxLength` would count the spaces around it).
NAME_PATTERN = rf"^\s*[^\s{_CC}]([^{_CC}]{{0,{NAME_MAX - 2}}}[^\s{_CC}])?\s*$"
_MAILBOX = rf"[^@\s{_CC}]"
EMAIL_PATTERN = rf"^\s*{_MAILBOX}+@[^@\s.{_CC}]{_MAILBOX}*\.{_MAILBOX}*[^@\s.{_CC}]\s*$"
NAME_CONTAINS_PATTERN = rf"^[^{_CC}]*$"  # no name holds a control character
DESCRIPTION_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$"
PRICE_PATTERN = r"^\d{1,8}(\.\d{1,2})?$"
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+={0,2}$"


_CENT = Decimal("0.01")
# A price as text: ASCII digits (str.isdigit and Decimal take any script's), an optional
# sign so that a negative one is told it is below 0, no exponent, no spaces.
_PRICE_TEXT = re.compile(r"-?[0-9]{1,20}(\.[0-9]{1,20})?")
_EXPONENT_MIN, _EXPONENT_MAX = -20, 20  # a JSON number's (exact: see json_body.py)


def _price_input(value: Any) -> Any:
    """What a price may be written as, before its bounds are checked: text as above, an
    integer, or an exact decimal whose exponent is bounded (Decimal's arithmetic on
    `1E-1000000` is slow, and a driver refuses it)."""
    if isinstance(value, str):
        if not _PRICE_TEXT.fullmatch(value):
            raise ValueError("must be a decimal number in ASCII digits, such as 12.50")
        return Decimal(value)
    if isinstance(value, float):  # a caller that is not the HTTP edge (json_body.py)
        value = Decimal(repr(value))
    if isinstance(value, Decimal) and not _bounded(value):
        raise ValueError("must have at most 2 decimal places and at most 8 digits before them")
    return value


def _bounded(value: Decimal) -> bool:
    exponent = value.as_tuple().exponent
    return isinstance(exponent, int) and _EXPONENT_MIN <= exponent <= _EXPONENT_MAX


def _in_cents(value: Decimal) -> Decimal:
    """The checked value itself, in cents (`1.000` passed as 1 to 2 places: it is 1.00)."""
    return abs(value.quantize(_CENT))


def _documented(pattern: str) -> Any:
    """The pattern in the document only: the domain checks it, with its own messages."""
    return Field(json_schema_extra={"pattern": pattern})


PRICE_SCHEMA = {
    "anyOf": [
        {"type": "string", "pattern": PRICE_PATTERN},
        {"type": "number", "minimum": 0, "maximum": float(PRICE_MAX), "multipleOf": 0.01},
    ],
    "description": "A decimal with at most 2 places, 0 to 99999999.99: best sent as a string",
    "examples": ["12.50"],
}

Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX),
    WithJsonSchema({"type": "string", "pattern": NAME_PATTERN}, mode="validation"),
]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=EMAIL_MAX),
    _documented(EMAIL_PATTERN),
]
Password = Annotated[str, StringConstraints(min_length=PASSWORD_MIN, max_length=PASSWORD_MAX)]
Description = Annotated[
    str, StringConstraints(max_length=DESCRIPTION_MAX), _documented(DESCRIPTION_PATTERN)
]
Price = Annotated[
    Decimal,
    BeforeValidator(_price_input),
    Field(ge=0, le=PRICE_MAX, decimal_places=2, allow_inf_nan=False),
    AfterValidator(_in_cents),
    WithJsonSchema(PRICE_SCHEMA, mode="validation"),
]
NameContains = Annotated[
    str,
    Field(max_length=NAME_MAX),
    _documented(NAME_CONTAINS_PATTERN),
]
Cursor = Annotated[str, Field(max_length=200), _documented(CURSOR_PATTERN)]
