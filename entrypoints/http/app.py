"""`create_app(settings)`: the FastAPI app, built on demand (nothing happens at import)."""

import asyncio
import gc
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, suppress

import structlog
from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

from entrypoints import first_admin, version
from entrypoints.container import Container, build_container, start, stop
from entrypoints.http.auth import VerifiedTokens
from entrypoints.http.docs import mount_docs
from entrypoints.http.draining import Drain, DrainMiddleware
from entrypoints.http.errors import install_error_handlers
from entrypoints.http.metrics import (
    Deferred,
    Metrics,
    forget_this_process,
    metrics_endpoint,
    sample_pool_forever,
)
from entrypoints.http.middleware import install_middleware
from entrypoints.http.openapi import install_openapi
from entrypoints.http.routers import auth, health, items, users
from entrypoints.logging import configure_logging
from entrypoints.relay import relay_in_background
from entrypoints.settings import Settings
from entrypoints.tracing import TracedWrites, configure_tracing, fastapi_telemetry

DESCRIPTION = """Users register and publish items that anyone can browse.

Errors are RFC 9457 problem details. Lists are bare JSON arrays; follow the
`Link: <...>; rel="next"` header for the next page. Single resources carry an `ETag`;
send it back in `If-Match` to change them safely. Prices are decimal strings ("12.50")."""

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]
# A young-generation collection every 20,000 net container allocations instead of 700.
# Measured (1 worker, wrk, bench database): with freeze + this, GET /items/{id} went from
# ~1,500 to ~2,000 req/s and its p99 from ~225 to ~30 ms; 100,000 measured no better.
GC_THRESHOLD = (20_000, 50, 100)


def _settle_garbage_collector() -> None:
    """Once started, the process holds a large, long-lived heap (FastAPI's routes and
    models, SQLAlchemy's compiled statements, pydantic's validators) that the cyclic GC
    would otherwise traverse again and again: every full collection under load walks all
    of it and stalls every in-flight request (the p99). Collect what startup left, move
    the survivors to the permanent generation (`gc.freeze`) so no collection visits them
    again, and collect the young generation less often: a request makes few cycles, and
    reference counting frees everything else at once."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


async def _open(app: FastAPI, container: Container, settings: Settings) -> None:
    """The container started, the schema migrated (unless told not to), the first admin
    made (first_admin.py), and the token verifier ready."""
    if not settings.jwt_secret_configured:
        structlog.get_logger("catalog.app").warning(
            "CATALOG_JWT_SECRET is not set: tokens are signed with a random secret "
            "and stop working when the process restarts"
        )
    await start(container)
    if settings.auto_migrate:
        await container.migrate()
    await first_admin.ensure(settings, container)
    app.state.verified_tokens = VerifiedTokens(container.tokens())


async def _cancelled(task: "asyncio.Task[None] | None") -> None:
    if task is not None:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task


def _lifespan(
    container: Container, settings: Settings, *, settle_gc: bool, metrics: Metrics
) -> Lifespan:
    log = structlog.get_logger("catalog.app")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        sampler: asyncio.Task[None] | None = None
        try:
            await _open(app, container, settings)
            if settle_gc:  # a serving process: it drains on SIGTERM (draining.py)
                _settle_garbage_collector()
                app.state.drain.install()
            sampler = asyncio.create_task(sample_pool_forever(metrics, container.pool))
            log.info("started", backend=container.storage_kind())
            async with relay_in_background(container):
                yield
        finally:
            await _cancelled(sampler)
            forget_this_process()
            await stop(container)

    return lifespan


def served_app() -> FastAPI:
    """The app as `catalog serve` runs it (uvicorn's factory), the garbage collector
    settled once it has started. Only a serving process does this: it changes the
    collector for the whole process, which an app built by a test must not."""
    return create_app(settle_gc=True)


def create_app(
    settings: Settings | None = None,
    *,
    container: Container | None = None,
    settle_gc: bool = False,
) -> FastAPI:
    """The API over `settings` (read from the environment when not given). Pass a
    `container` to override providers with fakes."""
    settings = settings or Settings()
    container = container or build_container(settings)
    provider = configure_tracing()  # before the logs: their lines then carry trace ids
    if provider is not None:  # a span per use case around the write path
        container.writes.set_provides(TracedWrites)
    configure_logging(settings)
    metrics = Metrics()
    app = FastAPI(
        title="Catalog",
        version=version(),
        description=DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
        redirect_slashes=False,
        lifespan=_lifespan(container, settings, settle_gc=settle_gc, metrics=metrics),
        telemetry=fastapi_telemetry(provider),  # type: ignore[arg-type]
    )
    app.state.container = container
    app.state.drain = drain = Drain(settings.drain_seconds)
    install_error_handlers(app)
    for module in (items, users, auth, health):  # the busiest first: matching is in order
        # The routes go straight into the app's table: an included router adds a level of
        # matching to every request.
        app.router.routes.extend(module.router.routes)
    mount_docs(app)
    install_openapi(app)
    if settings.relay_in_process:
        metrics.include(Deferred(container.relay_metrics))
    serve_metrics = metrics_endpoint(metrics, container.pool)
    app.add_route("/metrics", serve_metrics, methods=["GET"], include_in_schema=False)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ETag", "Link", "Location", "X-Request-ID"],
        )
    install_middleware(
        app,
        max_body_bytes=settings.max_body_bytes,
        metrics=metrics,
        consistency=bool(settings.database_replica_urls),
    )
    app.add_middleware(DrainMiddleware, drain=drain)
    return app
