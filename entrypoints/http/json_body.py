"""JSON request bodies read exactly: a number with a fraction or an exponent becomes a
`Decimal`, not a float (`12.10` stays 12.10; `1E-1000000` is not rounded to 0 and so can be
refused); `NaN` and `Infinity`, which JSON does not have, are refused as malformed."""

import json
from collections.abc import Callable, Coroutine
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.responses import Response

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _no_constant(name: str) -> Any:
    raise json.JSONDecodeError(f"{name} is not JSON", name, 0)


def loads(body: bytes) -> Any:
    return json.loads(body, parse_float=Decimal, parse_constant=_no_constant)


class ExactJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = loads(await self.body())
        return self._json


class ExactJsonRoute(APIRoute):
    """A route whose JSON body is read by `loads`."""

    def get_route_handler(self) -> Handler:
        handle = super().get_route_handler()

        async def exact(request: Request) -> Response:
            return await handle(ExactJsonRequest(request.scope, request.receive))

        return exact
