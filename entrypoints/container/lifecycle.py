"""Starting and stopping a container: its resources opened, its Singletons made once.

Only the storage the URL selects is opened; the other kinds' providers are never made.
Once started, every provider answers synchronously (a Singleton that depends on an async
resource otherwise hands back an awaitable at each call).
"""

import inspect
from typing import Any, Protocol

from dependency_injector import providers

_MADE_ONCE = (providers.Resource, providers.Singleton)


class Startable(Protocol):
    storage: Any  # a Selector of sub-containers
    storage_kind: Any  # the provider of the selector's key

    def traverse(self, types: Any = ...) -> Any: ...

    def shutdown_resources(self) -> Any: ...

    def reset_singletons(self) -> Any: ...


def made_once(container: Startable) -> list["providers.Provider[Any]"]:
    """The resources and Singletons of the container and of its selected storage."""
    branches: dict[str, Any] = container.storage.providers
    chosen = branches[container.storage_kind()]
    others = {
        id(provider)
        for branch in branches.values()
        if branch is not chosen
        for provider in branch.container.providers.values()
    }
    found = container.traverse(types=list(_MADE_ONCE))
    return [provider for provider in found if id(provider) not in others]


async def _made(result: object) -> None:
    if inspect.isawaitable(result):
        await result


async def open_all(container: Startable) -> None:
    """Opens the resources first, in sync mode from then on, so that nothing made after
    them (a Singleton, a provider reading one) ever sees an awaitable."""
    chosen = made_once(container)
    for resource in chosen:
        if isinstance(resource, providers.Resource):
            await _made(resource.init())
            resource.disable_async_mode()
    for provider in chosen:
        await _made(provider())
        provider.disable_async_mode()


async def close_all(container: Startable) -> None:
    """Closes the resources (the engine's connections), so that a later start opens
    them anew. Each Resource is async again first: in sync mode it would not await its
    shutdown, and the connections would be left to the garbage collector."""
    chosen = made_once(container)
    for provider in chosen:
        if isinstance(provider, providers.Resource):
            provider.enable_async_mode()
    await _made(container.shutdown_resources())
    for provider in chosen:
        provider.reset_async_mode()
    container.reset_singletons()
