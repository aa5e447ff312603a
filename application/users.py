"""Use cases about users: read, list, change and delete (registration.py registers)."""

from dataclasses import dataclass, field

from application.access import (
    active_actor,
    existing_user,
    require_admin,
    require_self_or_admin,
    require_version,
)
from application.pagination import Page, PageRequest, Sort, page_of
from application.ports import Clock, PasswordHasher, UnitOfWork, UserReader
from application.registration import ensure_email_free
from application.writes import Outcome, Writes
from domain.errors import InvariantViolated, PermissionDenied
from domain.events import UserDeleted, UserUpdated
from domain.users import User, check_password, normalise_email


@dataclass(frozen=True, slots=True, kw_only=True)
class GetUserQuery:
    actor_id: int
    user_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ListUsersQuery:
    actor_id: int
    page: PageRequest


@dataclass(frozen=True, slots=True, kw_only=True)
class UpdateUserCommand:
    actor_id: int
    user_id: int
    name: str | None = None
    email: str | None = None
    password: str | None = field(default=None, repr=False)
    is_active: bool | None = None
    is_admin: bool | None = None
    expected_version: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class DeleteUserCommand:
    actor_id: int
    user_id: int
    expected_version: int | None = None


class GetUser:
    """A user may read their own record; an admin may read anyone's."""

    def __init__(self, *, users: UserReader) -> None:
        self._users = users

    async def __call__(self, query: GetUserQuery) -> User:
        actor = await active_actor(self._users, query.actor_id)
        require_self_or_admin(actor, query.user_id)
        if actor.id == query.user_id:
            return actor
        return await existing_user(self._users, query.user_id)


class ListUsers:
    """Only an admin may list users, by id in either direction."""

    def __init__(self, *, users: UserReader) -> None:
        self._users = users

    async def __call__(self, query: ListUsersQuery) -> Page[User]:
        require_admin(await active_actor(self._users, query.actor_id))
        if query.page.sort not in (Sort.ID, Sort.ID_DESC):
            raise InvariantViolated("sort", "users sort only by id or -id")
        return page_of(await self._users.list(query.page), query.page)


class UpdateUser:
    """A user may change their own name, email and password; an admin may change anyone's,
    and only an admin may change `is_active` or `is_admin`."""

    def __init__(self, *, writes: Writes, hasher: PasswordHasher, clock: Clock) -> None:
        self._writes, self._hasher, self._clock = writes, hasher, clock

    async def __call__(self, cmd: UpdateUserCommand) -> User:
        email = None if cmd.email is None else normalise_email(cmd.email)
        password_hash = None
        if cmd.password is not None:  # hashed before the transaction opens
            password_hash = await self._hasher.hash(check_password(cmd.password))

        async def change(uow: UnitOfWork) -> Outcome[User]:
            actor, user = await _yours(uow, cmd.actor_id, cmd.user_id, cmd.expected_version)
            if (cmd.is_active is not None or cmd.is_admin is not None) and not actor.is_admin:
                raise PermissionDenied("only an admin may change is_active or is_admin")
            if email is not None and email != user.email:
                await ensure_email_free(uow, email)
            changed = user.change(
                now=self._clock.now(),
                name=cmd.name,
                email=email,
                password_hash=password_hash,
                is_active=cmd.is_active,
                is_admin=cmd.is_admin,
            )
            await uow.users.update(changed, expected_version=user.version)
            return Outcome(changed, UserUpdated(user_id=changed.id, version=changed.version))

        return await self._writes(change, expected_version=cmd.expected_version)


class DeleteUser:
    """A user may delete themselves; an admin may delete anyone. Their items go with them."""

    def __init__(self, *, writes: Writes) -> None:
        self._writes = writes

    async def __call__(self, cmd: DeleteUserCommand) -> None:
        async def delete(uow: UnitOfWork) -> Outcome[None]:
            _, user = await _yours(uow, cmd.actor_id, cmd.user_id, cmd.expected_version)
            await uow.users.delete(user.id, expected_version=user.version)
            return Outcome(None, UserDeleted(user_id=user.id))

        await self._writes(delete, expected_version=cmd.expected_version)


async def _yours(
    uow: UnitOfWork, actor_id: int, user_id: int, expected: int | None
) -> tuple[User, User]:
    """The actor and the user to change: themselves (or the actor is an admin), at the
    version they named."""
    actor = await active_actor(uow.users, actor_id)
    require_self_or_admin(actor, user_id)
    user = await existing_user(uow.users, user_id)
    require_version("user", user.id, user.version, expected)
    return actor, user
