"""Bounds and documented error responses the routers share."""

from inspect import getdoc
from typing import Any

from pydantic import BaseModel

from entrypoints.http.schemas import ID_MAX, Problem
from entrypoints.http.versions import IF_MATCH

__all__ = ["ID_MAX", "VERSIONED_WRITE", "WRITE", "change", "problems"]

_MEANING = {
    304: "Not modified: `If-None-Match` names the current version",
    401: "Missing, invalid or expired token (with `WWW-Authenticate: Bearer`)",
    403: "Authenticated but not allowed",
    404: "No such resource",
    409: "Conflict: email already registered, a concurrent change, or a request with the "
    "same `Idempotency-Key` still in flight",
    412: "`If-Match` names a version that is not the current one",
    422: "Invalid input: `errors` lists each {loc, msg}",
    429: "Too many failed logins for this account or from this address: wait `Retry-After`",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors an operation can answer with."""
    return {
        status: {"description": _MEANING[status]}
        if status == 304
        else {"model": Problem, "description": _MEANING[status]}
        for status in statuses
    }


WRITE = problems(401, 403, 404, 409, 412, 422)
# A PATCH, PUT or DELETE of one resource: its errors, and the `If-Match` it honours.
VERSIONED_WRITE: dict[str, Any] = {"responses": WRITE, "openapi_extra": IF_MATCH}


def change(response_model: type[BaseModel], use_case: object) -> dict[str, Any]:
    """A PATCH or PUT of one resource: what it answers, its text, its errors and `If-Match`."""
    return {"response_model": response_model, "description": getdoc(use_case), **VERSIONED_WRITE}
