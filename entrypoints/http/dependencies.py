"""What endpoints need from the request: the use cases and the caller."""

from typing import Annotated, cast

from fastapi import Depends, Request
from fastapi.security import OAuth2PasswordBearer

from domain.errors import NotAuthenticated
from entrypoints.container import Container
from entrypoints.http.auth import VerifiedTokens

_bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)


def container(request: Request) -> Container:
    """The composition root, started: `container(request).get_item()` is the use case
    made once at startup. A plain call, not a dependency: FastAPI solves each dependency
    on every request, and this one never varies."""
    return cast(Container, request.app.state.container)


async def _actor_id(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> int:
    """The caller's user id from the bearer token; the use case checks they are active."""
    if token is None:
        raise NotAuthenticated()
    verified: VerifiedTokens = request.app.state.verified_tokens
    return verified.subject(token)


ActorId = Annotated[int, Depends(_actor_id)]
