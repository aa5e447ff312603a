"""What the middleware share: reading one request header, answering with a problem."""

import orjson
from starlette.types import Scope, Send


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of request header `name` (lower-case), in one pass, or None."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


async def send_problem(
    send: Send,
    *,
    status: int,
    title: str,
    detail: str,
    instance: str,
    headers: tuple[tuple[bytes, bytes], ...] = (),
) -> None:
    """An RFC 9457 problem+json response, for middleware that answers before the app does."""
    body = orjson.dumps(
        {
            "type": "about:blank",
            "title": title,
            "status": status,
            "detail": detail,
            "instance": instance,
        }
    )
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
