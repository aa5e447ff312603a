"""Liveness and readiness probes."""

import asyncio

from fastapi import APIRouter, Request
from starlette.responses import Response

from entrypoints.http.dependencies import container
from entrypoints.http.errors import problem
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
    """The database answers a ping within two seconds."""
    try:
        async with asyncio.timeout(PING_TIMEOUT_SECONDS):
            await container(request).backend().ping()
    except Exception:
        return problem(
            request,
            503,
            detail="the database is not reachable",
            kind="unavailable",
            headers={"Retry-After": "5"},
        )
    return Response(_OK, media_type=JSON)
