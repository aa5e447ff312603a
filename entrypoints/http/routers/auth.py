"""POST /auth/token: the OAuth2 password flow (also at /token, where FastAPI's tutorials put it)."""

from inspect import getdoc
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from starlette.responses import Response

from application.auth import Authenticate, AuthenticateCommand
from entrypoints.http.clients import client_address
from entrypoints.http.dependencies import container
from entrypoints.http.representations import JSON, dumps
from entrypoints.http.schemas import Problem, TokenOut
from entrypoints.http.shared import problems

router = APIRouter(tags=["auth"])
_UNAUTHORIZED = {"model": Problem, "description": "Wrong email or password"}


# FastAPI's security tutorial serves its token at /token (`tokenUrl="token"`): clients written
# from it log in unchanged. Only /auth/token is documented.
@router.post("/token", include_in_schema=False)
@router.post(
    "/auth/token",
    response_model=TokenOut,
    description=getdoc(Authenticate),
    responses={401: _UNAUTHORIZED, **problems(422, 429)},
)
async def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()], request: Request
) -> Response:
    """Exchange an email (`username`) and password for a bearer token."""
    pair = await container(request).authenticate()(
        AuthenticateCommand(
            email=form.username,
            password=form.password,
            address=client_address(request),
            user_agent=request.headers.get("user-agent"),
        )
    )
    token = pair.access
    body = {
        "access_token": token.token,
        "token_type": "bearer",
        "expires_in": token.expires_in,
        "refresh_token": pair.refresh,
    }
    return Response(dumps(body), 200, {"Cache-Control": "no-store"}, media_type=JSON)
