"""The composition root: the one place that chooses an implementation for every port.

The HTTP app and the command line both build a `Container` from a `Settings`; tests
override its providers with fakes (`container.hasher.override(providers.Object(fake))`).
Nothing here runs at import time.
"""

import inspect
from collections.abc import AsyncIterator
from dataclasses import dataclass, fields
from typing import Any, TypeVar, cast

from dependency_injector import containers, providers

from adapters.backends import Backend, open_backend
from adapters.clock import SystemClock
from adapters.security import Argon2PasswordHasher, JwtTokenService
from application.auth import Authenticate
from application.items import (
    CreateItem,
    DeleteItem,
    ExportItems,
    GetItem,
    ListItems,
    UpdateItem,
)
from application.ports import TokenService
from application.users import (
    CreateAdmin,
    DeleteUser,
    GetUser,
    ListUsers,
    RegisterUser,
    UpdateUser,
)
from entrypoints.settings import Settings

T = TypeVar("T")


async def _backend(url: str, pool_size: int) -> AsyncIterator[Backend]:
    """The storage backend for the process; its connections close on shutdown."""
    backend = open_backend(url, pool_size=pool_size)
    try:
        yield backend
    finally:
        await backend.dispose()


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    backend = providers.Resource(
        _backend,
        url=settings.provided.database_url,
        pool_size=settings.provided.db_pool_size,
    )
    uow = backend.provided.uow

    clock = providers.Singleton(SystemClock)
    hasher = providers.Singleton(Argon2PasswordHasher)
    tokens = providers.Singleton(
        JwtTokenService,
        # A Singleton: without a configured secret, each call would make a new one.
        secret=settings.provided.signing_secret.call(),
        ttl_seconds=settings.provided.access_token_ttl_seconds,
    )

    authenticate = providers.Factory(Authenticate, uow=uow, hasher=hasher, tokens=tokens)
    register_user = providers.Factory(RegisterUser, uow=uow, hasher=hasher, clock=clock)
    create_admin = providers.Factory(CreateAdmin, uow=uow, hasher=hasher, clock=clock)
    get_user = providers.Factory(GetUser, uow=uow)
    list_users = providers.Factory(ListUsers, uow=uow)
    update_user = providers.Factory(UpdateUser, uow=uow, hasher=hasher, clock=clock)
    delete_user = providers.Factory(DeleteUser, uow=uow)

    create_item = providers.Factory(CreateItem, uow=uow, clock=clock)
    get_item = providers.Factory(GetItem, uow=uow)
    list_items = providers.Factory(ListItems, uow=uow)
    export_items = providers.Factory(ExportItems, uow=uow)
    update_item = providers.Factory(UpdateItem, uow=uow, clock=clock)
    delete_item = providers.Factory(DeleteItem, uow=uow)


def build_container(settings: Settings) -> Container:
    return Container(settings=settings)


@dataclass(frozen=True, slots=True)
class Services:
    """What a running entrypoint uses, resolved once from the container at startup.

    The use cases are stateless, so one instance of each serves every request.
    """

    backend: Backend
    tokens: TokenService
    authenticate: Authenticate
    register_user: RegisterUser
    create_admin: CreateAdmin
    get_user: GetUser
    list_users: ListUsers
    update_user: UpdateUser
    delete_user: DeleteUser
    create_item: CreateItem
    get_item: GetItem
    list_items: ListItems
    export_items: ExportItems
    update_item: UpdateItem
    delete_item: DeleteItem


async def _resolve(provider: "providers.Provider[T]") -> T:
    # Providers that depend on the async backend resource answer with awaitables.
    value: Any = provider()
    return cast(T, await value if inspect.isawaitable(value) else value)


async def start(container: Container) -> Services:
    """Opens the resources (the backend) and resolves every service."""
    initialised = container.init_resources()
    if initialised is not None:
        await initialised
    names = [field.name for field in fields(Services)]
    resolved = {name: await _resolve(getattr(container, name)) for name in names}
    return Services(**resolved)


async def stop(container: Container) -> None:
    """Closes the resources: the backend's connections."""
    shutdown = container.shutdown_resources()
    if shutdown is not None:
        await shutdown
