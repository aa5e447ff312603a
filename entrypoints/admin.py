"""Creating an administrator: the one user nobody can promote through the API.

`UpdateUser` lets only an admin grant `is_admin`, so the first admin is made here, for the
command line: `RegisterUser`'s rules, with the flag set, in one unit of work.
"""

from dataclasses import replace

from application.ports import Clock, PasswordHasher, UnitOfWorkFactory
from domain import rules
from domain.errors import EmailAlreadyRegistered
from domain.events import UserRegistered
from domain.users import User, check_password, normalise_email


async def create_admin(
    *,
    uow: UnitOfWorkFactory,
    hasher: PasswordHasher,
    clock: Clock,
    name: str,
    email: str,
    password: str,
) -> User:
    email = normalise_email(email)
    rules.name(name)  # refuse bad input before paying for a hash
    password_hash = await hasher.hash(check_password(password))
    async with uow() as unit:
        if await unit.users.get_by_email(email) is not None:
            raise EmailAlreadyRegistered(email)
        registered = User.register(
            name=name, email=email, password_hash=password_hash, now=clock.now()
        )
        user = await unit.users.add(replace(registered, is_admin=True))
        unit.record(UserRegistered(user_id=user.id, email=user.email))
        await unit.commit()
    return user
