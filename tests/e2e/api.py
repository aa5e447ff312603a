"""A client of the API for tests: one running app, helpers that register, log in and publish."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import httpx
from dependency_injector import providers
from fastapi import FastAPI

from application.registration import RegisterUserCommand
from entrypoints.container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.settings import Settings
from tests.unit.fakes import FakePasswordHasher, unique, unique_email

PASSWORD = "correct horse battery"
SECRET = "e2e-tests-signing-secret-of-at-least-32-bytes"
BASE_URL = "http://catalog.test"


def settings_for(database_url: str = "memory://", **overrides: Any) -> Settings:
    values: dict[str, Any] = {"jwt_secret": SECRET, "log_level": "WARNING", **overrides}
    return Settings(_env_file=None, database_url=database_url, **values)


async def _no_secret_leaves(response: httpx.Response) -> None:
    """Every response of every e2e test: no password and no hash, ever."""
    body = (await response.aread()).decode(errors="replace")
    for secret in (PASSWORD, FakePasswordHasher.PREFIX, "password_hash", "$argon2"):
        assert secret not in body, f"{response.request.url} leaked {secret!r}"


@dataclass
class Actor:
    id: int
    email: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class Api:
    client: httpx.AsyncClient
    app: FastAPI
    container: Container

    async def register(self, *, email: str | None = None, password: str = PASSWORD) -> int:
        body = {"name": unique("user"), "email": email or unique_email(), "password": password}
        response = await self.client.post("/users", json=body)
        assert response.status_code == 201, response.text
        user_id: int = response.json()["id"]
        return user_id

    async def token(self, email: str, password: str = PASSWORD) -> str:
        response = await self.client.post(
            "/auth/token", data={"username": email, "password": password}
        )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    async def user(self) -> Actor:
        email = unique_email()
        user_id = await self.register(email=email)
        return Actor(user_id, email, await self.token(email))

    async def admin(self) -> Actor:
        """The first admin comes from the command line's path, not from the API."""
        email = unique_email("admin")
        user = await self.container.create_admin()(
            RegisterUserCommand(name=unique("admin"), email=email, password=PASSWORD)
        )
        return Actor(user.id, email, await self.token(email))

    async def item(
        self, owner: Actor, *, name: str | None = None, price: str = "10.00", **fields: Any
    ) -> dict[str, Any]:
        body = {"name": name or unique("item"), "price": price, **fields}
        response = await self.client.post("/items", json=body, headers=owner.auth)
        assert response.status_code == 201, response.text
        item: dict[str, Any] = response.json()
        assert Decimal(item["price"]) == Decimal(price)
        return item


def build_app(settings: Settings) -> tuple[FastAPI, Container]:
    """The app over `settings`, with a fast fake hasher in place of argon2."""
    container = build_container(settings)
    container.hasher.override(providers.Object(FakePasswordHasher()))
    return create_app(settings, container=container), container


@asynccontextmanager
async def serving(app: FastAPI, container: Container) -> AsyncIterator[Api]:
    """Starts the app (its lifespan: a fresh backend) and stops it after."""
    transport = httpx.ASGITransport(app=app)
    hooks = {"response": [_no_secret_leaves]}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url=BASE_URL, event_hooks=hooks) as client,
    ):
        yield Api(client, app, container)
