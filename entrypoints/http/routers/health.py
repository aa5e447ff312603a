"""Liveness and readiness probes."""

import asyncio

from fastapi import APIRouter, Request
from starlette.responses import Response

from application.storage import StorageUnavailable
from entrypoints.http.dependencies import container
from entrypoints.http.errors import unavailable
from entrypoints.http.representations import JSON
from entrypoints.http.schemas import Problem

router = APIRouter(prefix="/health", tags=["health"])
PING_TIMEOUT_SECONDS = 2.0
_OK = b'{"status":"ok"}'


@router.get("/live")
async def live() -> Response:
    """The process is up and answering."""
    return Response(_OK, media_type=JSON)


@router.get("/ready", responses={503: {"model": Problem, "description": "Database unreachable"}})
async def ready(request: Request) -> Response:
    """The database answers a ping within two seconds, and no SIGTERM has come."""
    if request.app.state.drain.draining:
        return unavailable(request, cause="draining", detail="the process is shutting down")
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS):
            await container(request).ping()
    except StorageUnavailable as error:
        return unavailable(request, cause=error.cause)
    except Exception:  # whatever else the ping met (its own timeout), it is not ready
        return unavailable(request, cause="unreachable")
    return Response(_OK, media_type=JSON)
