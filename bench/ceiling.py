"""The ceiling: a bare ASGI app on an asyncpg pool with orjson, doing Catalog's work.

Same SQL statements, same JSON, same token check (PyJWT) and the same active-user
lookup on authenticated routes, with nothing else in between: no framework, no
validation library, no ORM. `uvicorn bench.ceiling:create_app --factory`.
"""

import asyncio
import os
import time
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs
from uuid import uuid4

import asyncpg
import orjson
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError

from bench import shared

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

USER_SQL = (
    "SELECT id, name, email, password_hash, is_active, is_admin, created_at, updated_at, version "
    "FROM users WHERE id = $1"
)
LOGIN_SQL = "SELECT id, password_hash, is_active FROM users WHERE email = $1"
GET_SQL = (
    "SELECT id, owner_id, name, description, price, created_at, updated_at, version "
    "FROM items WHERE id = $1"
)
PAGE_SQL = (
    "SELECT id, owner_id, name, description, price, created_at, updated_at, version "
    "FROM items WHERE (price, id) > ($1, $2) ORDER BY price, id LIMIT $3"
)
FIRST_PAGE_SQL = (
    "SELECT id, owner_id, name, description, price, created_at, updated_at, version "
    "FROM items ORDER BY price, id LIMIT $1"
)
INSERT_SQL = (
    "INSERT INTO items (owner_id, name, description, price, created_at, updated_at, version) "
    "VALUES ($1, $2, $3, $4, $5, $5, 1) RETURNING id"
)
UPDATE_SQL = (
    "UPDATE items SET owner_id = $3, name = $4, description = $5, price = $6, created_at = $7, "
    "updated_at = $8, version = $9 WHERE id = $1 AND version = $2"
)
# Catalog writes the outbox when CATALOG_NATS_URL is set; so does the ceiling, the same row.
OUTBOX_SQL = (
    "INSERT INTO outbox (event_id, type, aggregate_type, aggregate_id, payload, occurred_at) "
    "VALUES ($1, $2, 'item', $3, $4, $5)"
)

TOKEN_MEMO = 10_000


class Problem(Exception):
    def __init__(self, status: int, title: str) -> None:
        self.status, self.title = status, title


class Ceiling:
    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None
        self.key = shared.secret()
        self.hasher = PasswordHasher()
        self.verified: dict[str, tuple[int, float]] = {}  # header → (user id, expires at)
        self.outbox = bool(os.environ.get("CATALOG_NATS_URL"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        try:
            status, body, headers = await self.route(scope, receive)
        except Problem as problem:
            status, headers = problem.status, [(b"content-type", b"application/problem+json")]
            body = orjson.dumps({"title": problem.title, "status": problem.status})
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.pool = await asyncpg.create_pool(
                    shared.database_url(), min_size=shared.POOL_SIZE, max_size=shared.POOL_SIZE
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def route(self, scope: Scope, receive: Receive) -> tuple[int, bytes, list[Any]]:
        method, parts = scope["method"], scope["path"].strip("/").split("/")
        if parts[0] == "items" and len(parts) == 1:
            if method == "GET":
                return await self.list_items(scope)
            if method == "POST":
                return await self.create_item(scope, await body_of(receive))
        elif parts[0] == "items" and len(parts) == 2 and parts[1].isdigit():
            if method == "GET":
                return await self.get_item(int(parts[1]))
            if method == "PATCH":
                return await self.update_item(scope, int(parts[1]), await body_of(receive))
        elif parts == ["auth", "token"] and method == "POST":
            return await self.login(await body_of(receive))
        raise Problem(404, "Not Found")

    @property
    def db(self) -> asyncpg.Pool:
        assert self.pool is not None
        return self.pool

    async def get_item(self, item_id: int) -> tuple[int, bytes, list[Any]]:
        row = await self.db.fetchrow(GET_SQL, item_id)
        if row is None:
            raise Problem(404, "Not Found")
        return 200, orjson.dumps(shared.item_json(row)), item_headers(row)

    async def list_items(self, scope: Scope) -> tuple[int, bytes, list[Any]]:
        query = parse_qs(scope["query_string"].decode())
        limit = int(query.get("limit", [str(shared.PAGE_LIMIT_DEFAULT)])[0])
        if query.get("sort", ["price"])[0] != "price" or not 1 <= limit <= shared.PAGE_LIMIT_MAX:
            raise Problem(422, "Unprocessable Content")
        if "cursor" in query:
            try:
                price, after = shared.decode_cursor(query["cursor"][0])
            except ValueError:
                raise Problem(422, "Unprocessable Content") from None
            rows = await self.db.fetch(PAGE_SQL, price, after, limit + 1)
        else:
            rows = await self.db.fetch(FIRST_PAGE_SQL, limit + 1)
        headers = [(b"content-type", b"application/json")]
        if len(rows) > limit:
            rows = rows[:limit]
            cursor = shared.encode_cursor(rows[-1]["price"], rows[-1]["id"])
            host = dict(scope["headers"]).get(b"host", b"localhost").decode()
            link = f'<http://{host}/items?sort=price&limit={limit}&cursor={cursor}>; rel="next"'
            headers.append((b"link", link.encode()))
        return 200, orjson.dumps([shared.item_json(row) for row in rows]), headers

    async def create_item(self, scope: Scope, body: bytes) -> tuple[int, bytes, list[Any]]:
        user_id = self.caller(scope)
        name, description, price = item_fields(body, required=True)
        created = now()
        async with self.db.acquire() as conn, conn.transaction():
            await active_user(conn, user_id)
            item_id = await conn.fetchval(INSERT_SQL, user_id, name, description, price, created)
            await self.record(conn, "item.created", item_id, {"owner_id": user_id}, created)
        item = {"id": item_id, "owner_id": user_id, "name": name, "description": description}
        item.update(price=price, created_at=created, updated_at=created, version=1)
        headers = item_headers(item)
        headers.append((b"location", f"/items/{item_id}".encode()))
        return 201, orjson.dumps(shared.item_json(item)), headers

    async def update_item(
        self, scope: Scope, item_id: int, body: bytes
    ) -> tuple[int, bytes, list[Any]]:
        user_id = self.caller(scope)
        name, description, price = item_fields(body, required=False)
        async with self.db.acquire() as conn, conn.transaction():
            user = await active_user(conn, user_id)
            row = await conn.fetchrow(GET_SQL, item_id)
            if row is None:
                raise Problem(404, "Not Found")
            if row["owner_id"] != user_id and not user["is_admin"]:
                raise Problem(403, "Forbidden")
            item = dict(row)
            item.update(
                name=name or row["name"],
                description=row["description"] if description is None else description,
                price=row["price"] if price is None else price,
                updated_at=now(),
                version=row["version"] + 1,
            )
            status = await conn.execute(
                UPDATE_SQL,
                item_id,
                row["version"],
                *(item[key] for key in ("owner_id", "name", "description", "price")),
                *(item[key] for key in ("created_at", "updated_at", "version")),
            )
            if status != "UPDATE 1":
                raise Problem(409, "Conflict")
            version = {"version": item["version"]}
            await self.record(conn, "item.updated", item_id, version, item["updated_at"])
        return 200, orjson.dumps(shared.item_json(item)), item_headers(item)

    async def record(
        self, conn: asyncpg.Connection, kind: str, item_id: int, data: dict[str, Any], at: datetime
    ) -> None:
        if self.outbox:
            payload = orjson.dumps({"item_id": item_id, **data}).decode()
            await conn.execute(OUTBOX_SQL, uuid4(), kind, str(item_id), payload, at)

    async def login(self, body: bytes) -> tuple[int, bytes, list[Any]]:
        form = parse_qs(body.decode())
        email = form.get("username", [""])[0].strip().lower()
        row = await self.db.fetchrow(LOGIN_SQL, email)
        if row is None or not row["is_active"]:
            raise Problem(401, "Unauthorized")
        try:
            await asyncio.to_thread(self.hasher.verify, row["password_hash"], form["password"][0])
        except (VerificationError, KeyError):
            raise Problem(401, "Unauthorized") from None
        body = orjson.dumps(shared.issue_token(row["id"], self.key))
        return 200, body, [(b"content-type", b"application/json")]

    def caller(self, scope: Scope) -> int:
        """The token's user id; a token verified once is remembered until it expires, as
        Catalog does (entrypoints/http/auth.py), so both do the same work per request."""
        header = dict(scope["headers"]).get(b"authorization", b"").decode()
        remembered = self.verified.get(header)
        if remembered is not None and time.time() < remembered[1]:
            return remembered[0]
        user_id = shared.token_subject(header, self.key)
        if user_id is None:
            raise Problem(401, "Unauthorized")
        if len(self.verified) >= TOKEN_MEMO:
            self.verified.clear()
        self.verified[header] = (user_id, time.time() + shared.TOKEN_TTL)
        return user_id


async def active_user(conn: asyncpg.Connection, user_id: int) -> Any:
    user = await conn.fetchrow(USER_SQL, user_id)
    if user is None or not user["is_active"]:
        raise Problem(401, "Unauthorized")
    return user


async def body_of(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def item_fields(body: bytes, *, required: bool) -> tuple[str | None, str | None, Decimal | None]:
    try:
        data = orjson.loads(body)
        price = None if data.get("price") is None else Decimal(str(data["price"]))
        name, description = data.get("name"), data.get("description")
    except (orjson.JSONDecodeError, InvalidOperation, AttributeError):
        raise Problem(422, "Unprocessable Content") from None
    if required and (not name or price is None):
        raise Problem(422, "Unprocessable Content")
    return name, description, price


def item_headers(item: Any) -> list[Any]:
    etag = f'"{item["version"]}"'.encode()
    return [(b"content-type", b"application/json"), (b"etag", etag)]


def now() -> datetime:
    return datetime.now(UTC)


def create_app() -> Ceiling:
    return Ceiling()
