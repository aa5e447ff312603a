"""What the middleware share: reading one request header, noting the response's status,
answering with a problem."""

import orjson
from starlette.types import Message, Scope, Send


def header(scope: Scope, name: bytes) -> bytes | None:
    """The first value of request header `name` (lower-case), in one pass, or None."""
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value)
    return None


class StatusNoted:
    """`send`, noting the status of the response it starts (500 until then: what the
    client gets if the app fails before it answers)."""

    __slots__ = ("send", "status")

    def __init__(self, send: Send) -> None:
        self.send = send
        self.status = 500

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = message["status"]
        await self.send(message)


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
