"""Light load on a served Catalog: a few clients, each on one keep-alive connection,
looping over the main routes and noting what every request got (tests/support/outage.py)."""

import asyncio
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.support.data import unique, unique_email

PASSWORD = "outage tests password"


@dataclass(frozen=True, slots=True)
class Outcome:
    route: str
    started: float  # seconds since the load began
    ended: float
    status: int | str  # the HTTP status, or "reset" / "timeout" when none came
    sound: bool  # a 503 with Retry-After and problem+json, or any other status
    created: str | None = None  # the name of an item answered 201


@dataclass
class Load:
    """`workers` clients, each on one keep-alive connection, looping over a few routes."""

    base_url: str
    workers: int = 4
    pause: float = 0.05
    timeout: float = 60.0
    outcomes: list[Outcome] = field(default_factory=list)
    _auth: dict[str, str] = field(default_factory=dict)
    _began: float = 0.0
    _stopping: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def now(self) -> float:
        return time.monotonic() - self._began

    def start(self) -> None:
        email = unique_email("outage")
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            body = {"name": "Load", "email": email, "password": PASSWORD}
            assert client.post("/users", json=body).status_code == 201
            login = client.post("/auth/token", data={"username": email, "password": PASSWORD})
        self._auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        self._began = time.monotonic()
        self._thread = threading.Thread(target=asyncio.run, args=(self._run(),), daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(self.timeout + 5)

    async def _run(self) -> None:
        await asyncio.gather(*(self._worker(n) for n in range(self.workers)))

    async def _worker(self, n: int) -> None:
        async with httpx.AsyncClient(base_url=self.base_url, timeout=self.timeout) as client:
            call = self._caller(client)
            item_id, turn = None, 0
            while not self._stopping.is_set():
                name = unique("outage")
                body = {"name": name, "price": "1.00"}
                created = await call("POST /items", "/items", json=body, created=name)
                item_id = created.get("id", item_id)
                await call("GET /items", "/items", params={"limit": 5})
                if item_id is not None:
                    await call("GET /items/{id}", f"/items/{item_id}")
                await call("GET /users/me", "/users/me")
                if n == 0 and turn % 10 == 0:
                    await call("GET /items/export", "/items/export", params={"max_price": "2"})
                turn += 1
                await asyncio.sleep(self.pause)

    def _caller(self, client: httpx.AsyncClient) -> Callable[..., Any]:
        async def call(route: str, url: str, *, created: str | None = None, **kw: Any) -> Any:
            method = route.split()[0]
            started = self.now()
            try:
                response = await client.request(method, url, headers=self._auth, **kw)
            except httpx.TimeoutException:
                self._note(route, started, "timeout", sound=False)
                return {}
            except httpx.TransportError:
                self._note(route, started, "reset", sound=False)
                return {}
            status = response.status_code
            made = created if status == 201 else None
            self._note(route, started, status, sound=_sound(response), created=made)
            return response.json() if status == 201 else {}

        return call

    def _note(self, route: str, started: float, status: int | str, **kw: Any) -> None:
        self.outcomes.append(Outcome(route, started, self.now(), status, **kw))


def _sound(response: httpx.Response) -> bool:
    if response.status_code != 503:
        return response.status_code < 500
    problem: bool = response.headers.get("content-type") == "application/problem+json"
    retry_after: str = response.headers.get("retry-after", "")
    return problem and retry_after.isdigit()
