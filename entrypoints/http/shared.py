"""Bounds and documented error responses the routers share."""

from typing import Any

from entrypoints.http.schemas import Problem

ID_MAX = 2**63 - 1  # the largest id storage can hold (BIGINT)

PROBLEMS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "description": description}
    for status, description in {
        401: "Missing, invalid or expired token (with `WWW-Authenticate: Bearer`)",
        403: "Authenticated but not allowed",
        404: "No such resource",
        409: "Conflict: email already registered, or a concurrent change",
        412: "`If-Match` names a version that is not the current one",
        422: "Invalid input: `errors` lists each {loc, msg}",
    }.items()
}
