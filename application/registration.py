"""Registration: anyone may register; the first administrator comes from the same rules."""

from dataclasses import dataclass, field, replace

from application.idempotency import IdempotencyKey
from application.ports import Clock, PasswordHasher, UnitOfWork, UserReader
from application.writes import Outcome, Rule, Writes, Written
from domain import rules
from domain.errors import EmailAlreadyRegistered
from domain.events import UserRegistered
from domain.users import User, check_password, normalise_email


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisterUserCommand:
    name: str
    email: str
    password: str = field(repr=False)


async def ensure_email_free(uow: UnitOfWork, email: str) -> None:
    if await uow.users.get_by_email(email) is not None:
        raise EmailAlreadyRegistered(email)


def _added(user: User) -> Rule[User]:
    async def add(uow: UnitOfWork) -> Outcome[User]:
        await ensure_email_free(uow, user.email)
        added = await uow.users.add(user)
        return Outcome(added, UserRegistered(user_id=added.id, email=added.email))

    return add


class _Registration:
    """Registration's rules, shared by RegisterUser and CreateAdmin."""

    def __init__(self, *, writes: Writes, hasher: PasswordHasher, clock: Clock) -> None:
        self._writes, self._hasher, self._clock = writes, hasher, clock

    async def _draft(self, cmd: RegisterUserCommand, *, is_admin: bool) -> User:
        email = normalise_email(cmd.email)
        rules.name(cmd.name)  # refuse bad input before paying for a hash
        password_hash = await self._hasher.hash(check_password(cmd.password))
        user = User.register(
            name=cmd.name, email=email, password_hash=password_hash, now=self._clock.now()
        )
        return replace(user, is_admin=True) if is_admin else user


class RegisterUser(_Registration):
    """Anyone may register. The email is unique whatever its case; the password is
    8–128 characters and only its argon2id hash is kept."""

    async def __call__(
        self, cmd: RegisterUserCommand, *, key: IdempotencyKey | None = None
    ) -> Written[User]:
        user = await self._draft(cmd, is_admin=False)
        return await self._writes.once(_added(user), key=key, kept=User)


class CreateAdmin(_Registration):
    """An administrator, under the rules of registration. Only an admin may grant
    `is_admin`, so the first one comes from here: the command line and the service's
    start-up (CATALOG_FIRST_ADMIN_*) call it; no route does."""

    def __init__(
        self, *, writes: Writes, users: UserReader, hasher: PasswordHasher, clock: Clock
    ) -> None:
        super().__init__(writes=writes, hasher=hasher, clock=clock)
        self._users = users

    async def __call__(self, cmd: RegisterUserCommand) -> User:
        return await self._writes(_added(await self._draft(cmd, is_admin=True)))

    async def if_missing(self, cmd: RegisterUserCommand) -> User | None:
        """The new admin, or None when a user already has that email. Processes that
        start together race to create it: one does, the others find it there."""
        if await self._users.get_by_email(normalise_email(cmd.email)) is not None:
            return None
        try:
            return await self(cmd)
        except EmailAlreadyRegistered:
            return None
