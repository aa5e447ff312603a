"""What endpoints need from the request: the services, the caller, and the version headers."""

from typing import Annotated, Any, cast

from fastapi import Depends, Header, Request
from fastapi.security import OAuth2PasswordBearer

from domain.errors import NotAuthenticated
from entrypoints.container import Services
from entrypoints.http.auth import VerifiedTokens

_bearer = OAuth2PasswordBearer(tokenUrl="/auth/token", auto_error=False)
_NEVER = 0  # versions start at 1, so an unreadable If-Match matches nothing: 412


def services(request: Request) -> Services:
    """The use cases, resolved once at startup. A plain call, not a dependency: FastAPI
    solves each dependency on every request, and this one never varies."""
    return cast(Services, request.app.state.services)


async def _actor_id(request: Request, token: Annotated[str | None, Depends(_bearer)]) -> int:
    """The caller's user id from the bearer token; the use case checks they are active."""
    if token is None:
        raise NotAuthenticated()
    verified: VerifiedTokens = request.app.state.verified_tokens
    return verified.subject(token)


ActorId = Annotated[int, Depends(_actor_id)]
IfMatch = Annotated[str | None, Header(description='The resource\'s ETag, e.g. "3"')]
IfNoneMatch = Annotated[str | None, Header()]

# The busiest routes read their version headers straight from the request (`if_match`,
# `if_none_match`) instead of declaring them as parameters FastAPI validates on every
# request; these document them in the OpenAPI schema exactly as the parameters would.
_OPTIONAL_STRING = {"anyOf": [{"type": "string"}, {"type": "null"}]}
_IF_MATCH_DESCRIPTION = 'The resource\'s ETag, e.g. "3"'
IF_MATCH_DOC: dict[str, Any] = {
    "parameters": [
        {
            "name": "if-match",
            "in": "header",
            "required": False,
            "schema": {
                **_OPTIONAL_STRING,
                "description": _IF_MATCH_DESCRIPTION,
                "title": "If-Match",
            },
            "description": _IF_MATCH_DESCRIPTION,
        }
    ]
}
IF_NONE_MATCH_DOC: dict[str, Any] = {
    "parameters": [
        {
            "name": "if-none-match",
            "in": "header",
            "required": False,
            "schema": {**_OPTIONAL_STRING, "title": "If-None-Match"},
        }
    ]
}


def if_match(request: Request) -> str | None:
    return request.headers.get("if-match")


def if_none_match(request: Request) -> str | None:
    return request.headers.get("if-none-match")


def etag(version: int) -> str:
    return f'"{version}"'


def _tags(header: str) -> list[str]:
    return [tag.strip().removeprefix("W/") for tag in header.split(",")]


def expected_version(if_match: str | None) -> int | None:
    """The version an `If-Match` names: None for no header or `*`."""
    if if_match is None or if_match.strip() == "*":
        return None
    tags = _tags(if_match)
    if len(tags) != 1:
        return _NEVER
    value = tags[0].strip('"')
    return int(value) if value.isdigit() and len(value) < 19 else _NEVER


def matches(if_none_match: str | None, version: int) -> bool:
    """True when the caller's `If-None-Match` names the current version (or is `*`)."""
    if if_none_match is None:
        return False
    return if_none_match.strip() == "*" or etag(version) in _tags(if_none_match)
