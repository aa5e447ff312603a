"""Every error becomes RFC 9457 problem details; errors map to status in ONE table.

The storage being unavailable (the application's StorageUnavailable, translated from the
driver's fault by the adapter that met it) is a 503 with Retry-After and one log line."""

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, cast

import orjson
import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match

from application.idempotency import IdempotencyKeyInFlight
from application.storage import StorageUnavailable
from domain.errors import (
    DomainError,
    EmailAlreadyRegistered,
    InvalidCredentials,
    InvariantViolated,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    PreconditionFailed,
    TooManyAttempts,
    VersionConflict,
)

PROBLEM_JSON = "application/problem+json"
BEARER_CHALLENGE = {"WWW-Authenticate": "Bearer"}
_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")
RETRY_AFTER_SECONDS = 5  # about the time a restarted database takes to accept connections
_log = structlog.get_logger("catalog.errors")

# The one table: an error (or its nearest base class) → status and problem type.
STATUS_OF: dict[type[Exception], tuple[HTTPStatus, str]] = {
    StorageUnavailable: (HTTPStatus.SERVICE_UNAVAILABLE, "unavailable"),
    NotFound: (HTTPStatus.NOT_FOUND, "not-found"),
    EmailAlreadyRegistered: (HTTPStatus.CONFLICT, "email-already-registered"),
    IdempotencyKeyInFlight: (HTTPStatus.CONFLICT, "idempotency-key-in-flight"),
    InvalidCredentials: (HTTPStatus.UNAUTHORIZED, "invalid-credentials"),
    NotAuthenticated: (HTTPStatus.UNAUTHORIZED, "not-authenticated"),
    PermissionDenied: (HTTPStatus.FORBIDDEN, "permission-denied"),
    PreconditionFailed: (HTTPStatus.PRECONDITION_FAILED, "precondition-failed"),
    VersionConflict: (HTTPStatus.CONFLICT, "version-conflict"),
    InvariantViolated: (HTTPStatus.UNPROCESSABLE_ENTITY, "validation-error"),
    TooManyAttempts: (HTTPStatus.TOO_MANY_REQUESTS, "too-many-attempts"),
    DomainError: (HTTPStatus.BAD_REQUEST, "bad-request"),
}


def problem(
    request: Request,
    status: int,
    *,
    detail: str,
    kind: str | None = None,
    headers: Mapping[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem+json response; `kind` names the problem type (else `about:blank`)."""
    body = {
        "type": f"urn:catalog:problem:{kind}" if kind else "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return Response(orjson.dumps(body), status, headers=headers, media_type=PROBLEM_JSON)


def status_of(error: Exception) -> tuple[HTTPStatus, str]:
    for cls in type(error).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return STATUS_OF[DomainError]  # pragma: no cover - DomainError is in every MRO


async def _domain_error(request: Request, exc: Exception) -> Response:
    error = cast(DomainError, exc)  # registered for DomainError only
    status, kind = status_of(error)
    if isinstance(error, InvariantViolated):
        errors = [{"loc": [_location(request, error.field), error.field], "msg": error.message}]
        return problem(request, status, detail=str(error), kind=kind, errors=errors)
    headers = BEARER_CHALLENGE if status == HTTPStatus.UNAUTHORIZED else None
    if isinstance(error, TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after)}
    return problem(request, status, detail=str(error), kind=kind, headers=headers)


def _location(request: Request, field: str) -> str:
    """Where a field the use case refused came from, in request validation's words
    (`["body", "email"]`, `["query", "cursor"]`, `["header", "Idempotency-Key"]`): the query
    string or the headers when they hold it, the body otherwise."""
    if field in request.query_params:
        return "query"
    return "header" if field in request.headers else "body"


async def _validation_error(request: Request, exc: Exception) -> Response:
    error = cast(RequestValidationError, exc)
    # loc and msg only: echoing the input could echo a password.
    errors = [{"loc": list(e["loc"]), "msg": e["msg"]} for e in error.errors()]
    detail = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors)
    return problem(request, 422, detail=detail, kind="validation-error", errors=errors)


def _allowed_methods(request: Request) -> str:
    """Every method some route of this path accepts (Starlette names only the first route's)."""
    routes = request.app.router.routes
    return ", ".join(
        method
        for method in _METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    error = cast(HTTPException, exc)
    headers = dict(error.headers or {})
    if error.status_code == HTTPStatus.METHOD_NOT_ALLOWED:
        headers["Allow"] = _allowed_methods(request)
    detail = error.detail if isinstance(error.detail, str) else HTTPStatus(error.status_code).phrase
    return problem(request, error.status_code, detail=detail, headers=headers)


def unavailable(request: Request, *, cause: str, detail: str | None = None) -> Response:
    """503 for a database that is down, unreachable, too slow, or out of connections.
    The cause goes on the request's state (`unavailable_cause`) for the metrics."""
    request.state.unavailable_cause = cause
    status, kind = STATUS_OF[StorageUnavailable]
    return problem(
        request,
        status,
        detail=detail or f"the database is unavailable ({cause}); try again shortly",
        kind=kind,
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def log_unavailable(error: BaseException, *, cause: str) -> None:
    """One line per failure, no traceback: the cause and the innermost error's words."""
    _log.warning("database unavailable", cause=cause, error=_innermost(error))


def _innermost(error: BaseException) -> str:
    while error.__cause__ is not None:
        error = error.__cause__
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


async def _storage_unavailable(request: Request, exc: Exception) -> Response:
    error = cast(StorageUnavailable, exc)  # registered for StorageUnavailable only
    log_unavailable(error, cause=error.cause)
    return unavailable(request, cause=error.cause)


def install_error_handlers(app: FastAPI) -> None:
    """The handlers of expected errors. An unexpected exception is answered by the
    `ServerErrorMiddleware` of middleware/server_error.py, inside the request id."""
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    # By type, not under `Exception`: Starlette re-raises what reaches the catch-all after
    # answering, so the server logs a traceback and closes the keep-alive connection.
    app.add_exception_handler(StorageUnavailable, _storage_unavailable)
