"""/users: registration, the caller, and user administration."""

from inspect import getdoc
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from application.pagination import LIMIT_DEFAULT, LIMIT_MAX, OFFSET_MAX, Keyset, PageRequest, Sort
from application.registration import RegisterUser, RegisterUserCommand
from application.users import (
    DeleteUser,
    DeleteUserCommand,
    GetUser,
    GetUserQuery,
    ListUsers,
    ListUsersQuery,
    UpdateUser,
    UpdateUserCommand,
)
from entrypoints.http.clients import client_address
from entrypoints.http.dependencies import ActorId, container
from entrypoints.http.idempotency import IDEMPOTENCY_DOC, answered, idempotency_key
from entrypoints.http.json_body import ExactJsonRoute
from entrypoints.http.representations import USER, listing, user_body
from entrypoints.http.schemas import UserCreate, UserOut, UserPatch, UserReplace
from entrypoints.http.shared import ID_MAX, VERSIONED_WRITE, change, problems
from entrypoints.http.versions import IF_NONE_MATCH, expected_version

router = APIRouter(prefix="/users", tags=["users"], route_class=ExactJsonRoute)
UserId = Annotated[int, Path(ge=1, le=ID_MAX)]
_CHANGE = change(UserOut, UpdateUser)


async def _changed(request: Request, actor: int, user_id: int, changes: dict[str, Any]) -> Response:
    command = UpdateUserCommand(
        actor_id=actor, user_id=user_id, expected_version=expected_version(request), **changes
    )
    return USER.one(await container(request).update_user()(command))


@router.post(
    "",
    status_code=201,
    response_model=UserOut,
    description=getdoc(RegisterUser),
    responses=problems(409, 422),
    openapi_extra=IDEMPOTENCY_DOC,
)
async def register(body: UserCreate, request: Request) -> Response:
    """Register a new user."""
    command = RegisterUserCommand(name=body.name, email=body.email, password=body.password)
    # Anonymous: keys belong to the client address. The password stays out of the stored
    # fingerprint (a fast hash of it would outlive the request); the rest must match.
    fingerprint = body.model_dump(mode="json", exclude={"password"})
    key = idempotency_key(request, caller=f"address:{client_address(request)}", body=fingerprint)
    written = await container(request).register_user()(command, key=key)
    return answered(request, written, USER.created)


@router.get(
    "/me", response_model=UserOut, responses=problems(304, 401), openapi_extra=IF_NONE_MATCH
)
async def me(actor: ActorId, request: Request) -> Response:
    """The caller's own user."""
    user = await container(request).get_user()(GetUserQuery(actor_id=actor, user_id=actor))
    return USER.read(request, user)


@router.get(
    "",
    response_model=list[UserOut],
    description=getdoc(ListUsers),
    responses=problems(401, 403, 422),
)
async def list_users(
    request: Request,
    actor: ActorId,
    sort: Annotated[Sort, Query(description="id or -id")] = Sort.ID,
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX)] = LIMIT_DEFAULT,
    skip: Annotated[int, Query(ge=0, le=OFFSET_MAX)] = 0,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> Response:
    """List users (admins only)."""
    after = None if cursor is None else Keyset.decode(cursor, sort=sort)
    page = PageRequest(limit=limit, offset=skip, after=after, sort=sort)
    result = await container(request).list_users()(ListUsersQuery(actor_id=actor, page=page))
    return listing(map(user_body, result.items), request=request, next_key=result.next)


@router.get(
    "/{user_id:int}",
    response_model=UserOut,
    description=getdoc(GetUser),
    responses=problems(304, 401, 403, 404, 422),
    openapi_extra=IF_NONE_MATCH,
)
async def get_user(user_id: UserId, actor: ActorId, request: Request) -> Response:
    """Read a user."""
    user = await container(request).get_user()(GetUserQuery(actor_id=actor, user_id=user_id))
    return USER.read(request, user)


@router.patch("/{user_id:int}", **_CHANGE)
async def patch_user(
    user_id: UserId, body: UserPatch, actor: ActorId, request: Request
) -> Response:
    """Change some of a user's fields."""
    return await _changed(request, actor, user_id, body.model_dump(exclude_unset=True))


@router.put("/{user_id:int}", **_CHANGE)
async def replace_user(
    user_id: UserId, body: UserReplace, actor: ActorId, request: Request
) -> Response:
    """Replace a user's name and email."""
    return await _changed(request, actor, user_id, body.model_dump())


@router.delete(
    "/{user_id:int}",
    status_code=204,
    description=getdoc(DeleteUser),
    **VERSIONED_WRITE,
)
async def delete_user(user_id: UserId, actor: ActorId, request: Request) -> Response:
    """Delete a user and their items."""
    await container(request).delete_user()(
        DeleteUserCommand(
            actor_id=actor, user_id=user_id, expected_version=expected_version(request)
        )
    )
    return Response(status_code=204)
