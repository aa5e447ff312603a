"""The client's address, as the throttle and idempotency keys count it: canonical, bounded.

The peer's address is what uvicorn says it is (behind a trusted proxy, from its
`X-Forwarded-For`). An IP address is written in its one canonical form (so `::ffff:0:1`
and its other spellings count as one); anything else a proxy header could carry is
counted by its digest, so no client picks the length of a key.
"""

import hashlib
import ipaddress

from fastapi import Request

UNKNOWN = "unknown"


def canonical_address(host: str | None) -> str:
    if not host:
        return UNKNOWN
    try:
        return ipaddress.ip_address(host).compressed
    except ValueError:
        return "digest:" + hashlib.sha256(host.encode(errors="replace")).hexdigest()[:32]


def client_address(request: Request) -> str:
    client = request.client
    return canonical_address(client.host if client else None)
