"""Read-your-writes across processes: the consistency token of a request (SPEC §6).

A write's commit position (PostgreSQL's WAL position, a number) is the token: the
response to the write hands it to the client as `Catalog-Consistency`, and a read that
sends it back is served only where that position has been replayed. The HTTP edge opens
a `Consistency` for each request (`consistency_var`); the storage reads `wanted` and sets
`written`. The token is opaque to the client: a garbled one is no token at all.
"""

import re
from contextvars import ContextVar
from dataclasses import dataclass

_TOKEN = re.compile(r"[0-9a-f]{1,16}")  # a 64-bit position in hex


@dataclass(slots=True)
class Consistency:
    wanted: int | None = None  # the position a read must see, from the client's token
    written: int | None = None  # the position a write of this request committed at


consistency_var: ContextVar[Consistency | None] = ContextVar("consistency", default=None)


def parse_token(raw: str) -> int | None:
    """The position in a token, or None when it is not one of ours."""
    text = raw.strip()
    return int(text, 16) if _TOKEN.fullmatch(text) else None


def format_token(position: int) -> str:
    return f"{position:x}"


def wanted_position() -> int | None:
    current = consistency_var.get()
    return None if current is None else current.wanted


def record_write(position: int) -> None:
    current = consistency_var.get()
    if current is not None:
        current.written = max(position, current.written or 0)
