"""The first administrator: the one rule for how a fresh service gets its first admin.

Only an admin may grant `is_admin`, so the first one comes from outside the API: the
`catalog create-admin` command on a SQL database, or CATALOG_FIRST_ADMIN_EMAIL and
CATALOG_FIRST_ADMIN_PASSWORD (and _NAME) in the serving process, on every backend
(memory:// too, whose rows live in that process). A user who already has the email is
left as they are. The settings check the values (settings.py); the behaviour is here.
"""

import structlog

from application.registration import RegisterUserCommand
from entrypoints.container import Container
from entrypoints.settings import Settings

ON_MEMORY = (
    "create-admin cannot reach a memory:// database (it lives inside `catalog serve`): "
    "set CATALOG_FIRST_ADMIN_EMAIL and CATALOG_FIRST_ADMIN_PASSWORD for serve instead"
)


def configured(settings: Settings) -> RegisterUserCommand | None:
    """The administrator to create at start-up, if one is configured."""
    if settings.first_admin_email is None or settings.first_admin_password is None:
        return None
    return RegisterUserCommand(
        name=settings.first_admin_name,
        email=settings.first_admin_email,
        password=settings.first_admin_password.get_secret_value(),
    )


async def ensure(settings: Settings, container: Container) -> None:
    """At start-up (the container started): creates the configured admin, once, however
    many processes start together."""
    command = configured(settings)
    if command is None:
        return
    created = await container.create_admin().if_missing(command)
    if created is not None:
        structlog.get_logger("catalog.app").info("first admin created", email=created.email)
