"""The composition root: the one place that chooses an implementation for every port.

The HTTP app and the command line both build a `Container` from a `Settings`; tests
override its providers with fakes (`container.hasher.override(providers.Object(fake))`).
Nothing here runs at import time. The use cases are stateless Singletons: `start()`
opens the backend and makes each of them once, and from then on a call such as
`container.get_item()` hands back that instance without awaiting anything.
"""

import inspect
from collections.abc import AsyncIterator
from datetime import timedelta

from dependency_injector import containers, providers
from limits.aio.storage import Storage

from adapters.backends import Backend, open_backend
from adapters.clock import SystemClock
from adapters.nats.publisher import JetStreamPublisher, StreamTarget
from adapters.relay_metrics import RelayMetrics
from adapters.security import Argon2PasswordHasher, JwtTokenService
from adapters.sqlalchemy.engine import DatabaseTimeouts
from adapters.throttle import LimitsLoginThrottle, redis_storage
from application.auth import Authenticate
from application.idempotency import IdempotencyKeys
from application.items import CreateItem, DeleteItem, ExportItems, GetItem, ListItems, UpdateItem
from application.registration import CreateAdmin, RegisterUser
from application.relay import Relay, RelayOptions
from application.users import DeleteUser, GetUser, ListUsers, UpdateUser
from application.writes import Writes
from entrypoints.settings import Settings


def stream_target(settings: Settings) -> StreamTarget:
    return StreamTarget(
        url=settings.nats_url or "",
        stream=settings.events_stream,
        subject_prefix=settings.events_subject_prefix,
        source=settings.events_source,
    )


def _relay_options(settings: Settings) -> RelayOptions:
    return RelayOptions(
        batch_size=settings.relay_batch_size,
        poll_seconds=settings.relay_poll_seconds,
        retention=timedelta(seconds=settings.relay_retention_seconds),
    )


async def _backend(settings: Settings) -> AsyncIterator[Backend]:
    """The storage backend for the process; its connections close on shutdown."""
    timeouts = DatabaseTimeouts(
        connect=settings.db_connect_timeout_seconds,
        statement=settings.db_statement_timeout_seconds,
        pool=settings.db_pool_timeout_seconds,
    )
    backend = open_backend(
        settings.database_url,
        pool_size=settings.db_pool_size,
        pooler=settings.db_pooler,
        timeouts=timeouts,
        outbox=settings.outbox_enabled,
    )
    try:
        yield backend
    finally:
        await backend.dispose()


async def _redis(url: str | None) -> AsyncIterator[Storage | None]:
    """A counter store on Redis when `url` is set; its connections close on shutdown."""
    if url is None:
        yield None
        return
    async with redis_storage(url) as storage:
        yield storage


def _counters(backend: Backend, redis: Storage | None) -> Storage:
    """Where failed logins are counted: Redis when configured, else the database."""
    return backend.counters if redis is None else redis


def _claim_lapse(settings: Settings) -> timedelta:
    """How long an `Idempotency-Key` claim stays in flight without its create completing:
    longer, twice over, than any create can last, since every wait it makes is bounded (a
    place in the pool, a connection, its few statements)."""
    create = (
        settings.db_pool_timeout_seconds
        + settings.db_connect_timeout_seconds
        + 5 * settings.db_statement_timeout_seconds
    )
    return timedelta(seconds=max(30.0, 2 * create))


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)

    backend = providers.Resource(_backend, settings=settings)
    uow = backend.provided.uow
    users = backend.provided.users
    items = backend.provided.items

    clock = providers.Singleton(SystemClock)
    hasher = providers.Singleton(Argon2PasswordHasher)
    tokens = providers.Singleton(
        JwtTokenService,
        # A Singleton: without a configured secret, each call would make a new one.
        secret=settings.provided.signing_secret.call(),
        ttl_seconds=settings.provided.access_token_ttl_seconds,
    )

    redis = providers.Resource(_redis, url=settings.provided.redis_url)
    counters = providers.Callable(_counters, backend=backend, redis=redis)
    throttle = providers.Singleton(
        LimitsLoginThrottle,
        storage=counters,
        per_account=settings.provided.login_max_failures_per_account,
        per_address=settings.provided.login_max_failures_per_address,
        window_seconds=settings.provided.login_window_seconds,
    )

    authenticate = providers.Singleton(
        Authenticate, users=users, hasher=hasher, tokens=tokens, throttle=throttle
    )
    idempotency_keys = providers.Singleton(
        IdempotencyKeys,
        uow=uow,
        clock=clock,
        abandoned_after=providers.Callable(_claim_lapse, settings),
    )
    writes = providers.Singleton(Writes, uow=uow, keys=idempotency_keys)
    register_user = providers.Singleton(RegisterUser, writes=writes, hasher=hasher, clock=clock)
    create_admin = providers.Singleton(
        CreateAdmin, writes=writes, users=users, hasher=hasher, clock=clock
    )
    get_user = providers.Singleton(GetUser, users=users)
    list_users = providers.Singleton(ListUsers, users=users)
    update_user = providers.Singleton(UpdateUser, writes=writes, hasher=hasher, clock=clock)
    delete_user = providers.Singleton(DeleteUser, writes=writes)

    create_item = providers.Singleton(CreateItem, writes=writes, clock=clock)
    get_item = providers.Singleton(GetItem, items=items)
    list_items = providers.Singleton(ListItems, items=items)
    export_items = providers.Singleton(ExportItems, items=items)
    update_item = providers.Singleton(UpdateItem, writes=writes, clock=clock)
    delete_item = providers.Singleton(DeleteItem, writes=writes)

    # The relay (entrypoints/relay.py supplies the publisher and wakeup it closes).
    relay_metrics = providers.Singleton(RelayMetrics)
    publisher = providers.Factory(
        JetStreamPublisher, target=providers.Factory(stream_target, settings)
    )
    relay = providers.Factory(
        Relay,
        store=backend.provided.outbox,
        clock=clock,
        options=providers.Factory(_relay_options, settings),
        observer=relay_metrics,
    )


def build_container(settings: Settings) -> Container:
    return Container(settings=settings)


async def start(container: Container) -> Backend:
    """Opens the resources (the backend), makes every Singleton once, and lets them answer
    synchronously from then on (they depend on an async resource, so until now each call
    returned an awaitable). Returns the backend."""
    initialised = container.init_resources()
    if initialised is not None:
        await initialised
    for provider in _made_once(container):
        made = provider()
        if inspect.isawaitable(made):
            await made
        provider.disable_async_mode()
    return container.backend()


async def stop(container: Container) -> None:
    """Closes the resources (the backend's connections), so that a later `start` opens
    them anew. The backend's Resource is async again first: in sync mode it would not
    await its shutdown, and the connections would be left to the garbage collector."""
    for provider in _made_once(container):
        if isinstance(provider, providers.Resource):
            provider.enable_async_mode()
    shutdown = container.shutdown_resources()
    if shutdown is not None:
        await shutdown
    for provider in _made_once(container):
        provider.reset_async_mode()
    container.reset_singletons()


def _made_once(container: Container) -> list["providers.Provider[object]"]:
    return list(container.traverse(types=[providers.Resource, providers.Singleton]))
