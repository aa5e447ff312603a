"""The API's request and response models: the HTTP contract, separate from the domain.

Prices are exact decimals. Requests may send them as JSON strings ("12.50") or numbers
(12.5); responses always send strings with two places ("12.50"), so no client ever
reads a price through a binary float.
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
)

from application.pagination import LIMIT_DEFAULT, LIMIT_MAX, OFFSET_MAX, Sort
from domain.items import DESCRIPTION_MAX, PRICE_MAX
from domain.rules import NAME_MAX
from domain.users import EMAIL_MAX, PASSWORD_MAX, PASSWORD_MIN

ID_MAX = 2**31 - 1  # the largest id storage holds: ids are INTEGER columns

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
    Field(ge=0, le=PRICE_MAX, decimal_places=2, allow_inf_nan=False),
    WithJsonSchema(PRICE_SCHEMA, mode="validation"),
]
NameContains = Annotated[
    str,
    Field(max_length=NAME_MAX),
    _documented(NAME_CONTAINS_PATTERN),
]
Cursor = Annotated[str, Field(max_length=200), _documented(CURSOR_PATTERN)]


def _not_nullable(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A patch's absent field stays as it is; null is refused where the field cannot be
    empty: say so (pydantic documents `X | None` as "X or null")."""
    nullable: frozenset[str] = getattr(model, "nullable", frozenset())
    for name, field in schema.get("properties", {}).items():
        choices = field.get("anyOf")
        if name in nullable or not choices:
            continue
        kept = [choice for choice in choices if choice != {"type": "null"}]
        field.pop("anyOf")
        field.pop("default", None)
        field.update(kept[0] if len(kept) == 1 else {"anyOf": kept})


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Patch(_Request):
    """A partial update: absent fields stay as they are; null is refused where the
    field cannot be empty."""

    model_config = ConfigDict(json_schema_extra=_not_nullable)
    nullable: ClassVar[frozenset[str]] = frozenset()

    @field_validator("*", mode="before")
    @classmethod
    def _no_null(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name not in cls.nullable:
            raise ValueError("may not be null")
        return value


class UserCreate(_Request):
    name: Name
    email: Email
    password: Password


class UserReplace(_Request):
    name: Name
    email: Email


class UserPatch(_Patch):
    name: Name | None = None
    email: Email | None = None
    password: Password | None = None
    is_active: bool | None = None
    is_admin: bool | None = None


class UserOut(BaseModel):
    id: int
    name: str
    email: str
    is_active: bool
    is_admin: bool
    created_at: datetime
    updated_at: datetime


class ItemCreate(_Request):
    name: Name
    description: Description | None = None
    price: Price


class ItemReplace(ItemCreate):
    pass


class ItemPatch(_Patch):
    nullable: ClassVar[frozenset[str]] = frozenset({"description"})

    name: Name | None = None
    description: Description | None = None
    price: Price | None = None


class ItemOut(BaseModel):
    id: int
    owner_id: int
    name: str
    description: str | None
    price: Annotated[str, Field(examples=["12.50"], pattern=r"^\d{1,8}\.\d{2}$")]
    created_at: datetime
    updated_at: datetime


class ItemQuery(BaseModel):
    """`GET /items`'s query parameters, validated in one pass: one model costs less per
    request than eight separately declared parameters, and documents the same ones."""

    owner_id: Annotated[int | None, Field(ge=1, le=ID_MAX)] = None
    q: Annotated[NameContains | None, Field(description="Name contains")] = None
    min_price: Price | None = None
    max_price: Price | None = None
    sort: Sort = Sort.ID
    limit: Annotated[int, Field(ge=1, le=LIMIT_MAX)] = LIMIT_DEFAULT
    skip: Annotated[int, Field(ge=0, le=OFFSET_MAX)] = 0
    cursor: Cursor | None = None


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[dict[str, Any]] | None = None
