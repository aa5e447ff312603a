"""Assertions about RFC 9457 problem details."""

from typing import Any

import httpx


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem body of `response`, after checking it is one with `status`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    assert body["status"] == status
    assert "Traceback" not in response.text
    return body


def error_locations(response: httpx.Response) -> list[list[object]]:
    body = problem(response, 422)
    assert body["errors"], body
    assert all(set(error) == {"loc", "msg"} for error in body["errors"])
    return [error["loc"] for error in body["errors"]]
