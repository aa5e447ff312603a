"""Use cases about users: register, read, list, change and delete."""

from dataclasses import dataclass, field, replace

from application.access import (
    active_actor,
    existing_user,
    lost_race_fails_precondition,
    require_admin,
    require_self_or_admin,
    require_version,
)
from application.idempotency import IdempotentWrite, remember
from application.pagination import Page, PageRequest, Sort, page_of
from application.ports import Clock, PasswordHasher, UnitOfWork, UnitOfWorkFactory, UserReader
from domain import rules
from domain.errors import EmailAlreadyRegistered, InvariantViolated, PermissionDenied
from domain.events import UserDeleted, UserRegistered, UserUpdated
from domain.users import User, check_password, normalise_email


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterUserCommand:
    name: str
    email: str
    password: str = field(repr=False)


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


async def _ensure_email_free(uow: UnitOfWork, email: str) -> None:
    if await uow.users.get_by_email(email) is not None:
        raise EmailAlreadyRegistered(email)


class _Registration:
    """Registration's rules, shared by RegisterUser and CreateAdmin."""

    def __init__(self, *, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow, self._hasher, self._clock = uow, hasher, clock

    async def _register(
        self,
        cmd: RegisterUserCommand,
        *,
        is_admin: bool,
        idempotency: IdempotentWrite[User] | None = None,
    ) -> User:
        email = normalise_email(cmd.email)
        rules.name(cmd.name)  # refuse bad input before paying for a hash
        password_hash = await self._hasher.hash(check_password(cmd.password))
        async with self._uow() as uow:
            await _ensure_email_free(uow, email)
            user = User.register(
                name=cmd.name, email=email, password_hash=password_hash, now=self._clock.now()
            )
            user = await uow.users.add(replace(user, is_admin=True) if is_admin else user)
            uow.record(UserRegistered(user_id=user.id, email=user.email))
            await remember(uow, idempotency, user)
            await uow.commit()
        return user


class RegisterUser(_Registration):
    """Anyone may register. The email is unique whatever its case; the password is
    8–128 characters and only its argon2id hash is kept."""

    async def __call__(
        self, cmd: RegisterUserCommand, idempotency: IdempotentWrite[User] | None = None
    ) -> User:
        return await self._register(cmd, is_admin=False, idempotency=idempotency)


class CreateAdmin(_Registration):
    """An administrator, under the rules of registration. Only an admin may grant
    `is_admin`, so the first one comes from here: the command line and the service's
    start-up (CATALOG_FIRST_ADMIN_*) call it; no route does."""

    async def __call__(self, cmd: RegisterUserCommand) -> User:
        return await self._register(cmd, is_admin=True)

    async def if_missing(self, cmd: RegisterUserCommand) -> User | None:
        """The new admin, or None when a user already has that email. Processes that
        start together race to create it: one does, the others find it there."""
        async with self._uow() as uow:  # left without a commit: it only looks
            if await uow.users.get_by_email(normalise_email(cmd.email)) is not None:
                return None
        try:
            return await self(cmd)
        except EmailAlreadyRegistered:
            return None


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

    def __init__(self, *, uow: UnitOfWorkFactory, hasher: PasswordHasher, clock: Clock) -> None:
        self._uow, self._hasher, self._clock = uow, hasher, clock

    async def __call__(self, cmd: UpdateUserCommand) -> User:
        email = None if cmd.email is None else normalise_email(cmd.email)
        password_hash = None
        if cmd.password is not None:
            password_hash = await self._hasher.hash(check_password(cmd.password))
        async with self._uow() as uow:
            actor = await active_actor(uow.users, cmd.actor_id)
            require_self_or_admin(actor, cmd.user_id)
            if (cmd.is_active is not None or cmd.is_admin is not None) and not actor.is_admin:
                raise PermissionDenied("only an admin may change is_active or is_admin")
            user = await existing_user(uow.users, cmd.user_id)
            require_version("user", user.id, user.version, cmd.expected_version)
            if email is not None and email != user.email:
                await _ensure_email_free(uow, email)
            changed = user.change(
                now=self._clock.now(),
                name=cmd.name,
                email=email,
                password_hash=password_hash,
                is_active=cmd.is_active,
                is_admin=cmd.is_admin,
            )
            with lost_race_fails_precondition("user", user.id, cmd.expected_version):
                await uow.users.update(changed, expected_version=user.version)
                uow.record(UserUpdated(user_id=changed.id, version=changed.version))
                await uow.commit()
        return changed


class DeleteUser:
    """A user may delete themselves; an admin may delete anyone. Their items go with them."""

    def __init__(self, *, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    async def __call__(self, cmd: DeleteUserCommand) -> None:
        async with self._uow() as uow:
            actor = await active_actor(uow.users, cmd.actor_id)
            require_self_or_admin(actor, cmd.user_id)
            user = await existing_user(uow.users, cmd.user_id)
            require_version("user", user.id, user.version, cmd.expected_version)
            with lost_race_fails_precondition("user", user.id, cmd.expected_version):
                await uow.users.delete(user.id, expected_version=user.version)
                uow.record(UserDeleted(user_id=user.id))
                await uow.commit()
