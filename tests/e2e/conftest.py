"""One app for the session (FastAPI prepares its routes once per app); each test starts it
afresh, and so gets its own empty in-memory backend."""

from collections.abc import AsyncIterator

import pytest
from fastapi import FastAPI

from entrypoints.container import Container
from tests.e2e.api import Api, build_app, serving, settings_for


@pytest.fixture(scope="session")
def memory_app() -> tuple[FastAPI, Container]:
    return build_app(settings_for())


@pytest.fixture
async def api(memory_app: tuple[FastAPI, Container]) -> AsyncIterator[Api]:
    async with serving(*memory_app) as running:
        yield running
