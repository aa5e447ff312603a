"""The composition root: the one place that chooses an implementation for every port.

The HTTP app and the command line both build a `Container` from a `Settings`; tests
override its providers with fakes (`container.hasher.override(providers.Object(fake))`,
`container.clock.override(...)`). Nothing here runs at import time. The storage is a
sub-container picked by the database URL's scheme (storage.py). The use cases are
stateless Singletons: `start()` opens the resources and makes each of them once, and from
then on a call such as `container.get_item()` hands back that instance without awaiting.
"""

from collections.abc import AsyncIterator

from dependency_injector import containers, providers
from limits.aio.storage import Storage

from adapters.clock import SystemClock
from adapters.nats.publisher import JetStreamPublisher
from adapters.relay_metrics import RelayMetrics
from adapters.security import Argon2PasswordHasher, JwtTokenService
from adapters.throttle import LimitsLoginThrottle, redis_storage
from application.auth import Authenticate
from application.idempotency import IdempotencyKeys
from application.items import CreateItem, DeleteItem, ExportItems, GetItem, ListItems, UpdateItem
from application.registration import CreateAdmin, RegisterUser
from application.relay import Relay
from application.tokens import OpenSession
from application.users import DeleteUser, GetUser, ListUsers, UpdateUser
from application.writes import Writes
from entrypoints.container import lifecycle, options
from entrypoints.container.storage import InMemoryStorage, SqlStorage
from entrypoints.settings import Settings


async def _redis(url: str | None) -> AsyncIterator[Storage | None]:
    """A counter store on Redis when `url` is set; its connections close on shutdown."""
    if url is None:
        yield None
        return
    async with redis_storage(url) as storage:
        yield storage


def _counters(database: Storage, redis: Storage | None) -> Storage:
    """Where failed logins are counted: Redis when configured, else the database."""
    return database if redis is None else redis


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)

    # The storage: "memory", "sqlite" or "postgresql", from the database URL.
    storage_kind = providers.Callable(options.kind, settings)
    memory_storage = providers.Container(InMemoryStorage, settings=settings, clock=clock)
    sql_storage = providers.Container(SqlStorage, settings=settings, clock=clock)
    storage = providers.Selector(
        storage_kind, memory=memory_storage, sqlite=sql_storage, postgresql=sql_storage
    )
    uow = storage.provided.uow.call()
    users = storage.provided.users.call()
    items = storage.provided.items.call()
    sessions = storage.provided.sessions.call()
    ping = storage.provided.ping.call()  # `await container.ping()`: StorageUnavailable if down
    migrate = storage.provided.migrate.call()  # `await container.migrate()`
    pool = storage.provided.pool.call()  # a PoolStatus, now
    relay_store = storage.provided.relay_store.call()  # None on memory://
    wakeup = storage.provided.wakeup.call()  # a new one per call: the relay closes it

    hasher = providers.Singleton(Argon2PasswordHasher)
    tokens = providers.Singleton(
        JwtTokenService,
        # A Singleton: without a configured secret, each call would make a new one.
        secret=settings.provided.signing_secret.call(),
        ttl_seconds=settings.provided.access_token_ttl_seconds,
        previous=settings.provided.verifying_secrets.call(),
    )

    redis = providers.Resource(_redis, url=settings.provided.redis_url)
    counters = providers.Callable(_counters, database=storage.provided.counters.call(), redis=redis)
    throttle = providers.Singleton(
        LimitsLoginThrottle,
        storage=counters,
        per_account=settings.provided.login_max_failures_per_account,
        per_address=settings.provided.login_max_failures_per_address,
        window_seconds=settings.provided.login_window_seconds,
    )

    idempotency_keys = providers.Singleton(
        IdempotencyKeys,
        uow=uow,
        clock=clock,
        abandoned_after=providers.Callable(options.claim_lapse, settings),
    )
    writes = providers.Singleton(Writes, uow=uow, keys=idempotency_keys)
    open_session = providers.Singleton(
        OpenSession,
        writes=writes,
        tokens=tokens,
        clock=clock,
        lifetime=providers.Callable(options.days, settings.provided.session_lifetime_days),
    )
    authenticate = providers.Singleton(
        Authenticate, users=users, hasher=hasher, sessions=open_session, throttle=throttle
    )
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
        JetStreamPublisher, target=providers.Factory(options.stream_target, settings)
    )
    relay = providers.Factory(
        Relay,
        store=relay_store,
        clock=clock,
        options=providers.Factory(options.relay_options, settings),
        observer=relay_metrics,
    )


def build_container(settings: Settings) -> Container:
    return Container(settings=settings)


async def start(container: Container) -> None:
    """Opens the resources (the selected storage's engine, Redis) and makes every
    Singleton once; from then on the container answers synchronously."""
    await lifecycle.open_all(container)


async def stop(container: Container) -> None:
    """Closes the resources, so that a later `start` opens them anew."""
    await lifecycle.close_all(container)
