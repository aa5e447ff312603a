"""The synchronous style: FastAPI `def` routes, SQLAlchemy `Session` on psycopg.

The routes run in Starlette's default thread pool; the models and schemas are the
tutorial app's (the ORM mapping does not care whether the session is sync).
`uvicorn bench.sync_app:create_app --factory`.

Each route opens its session and commits it inside its own body, so a request's database
work runs in one thread from checkout to commit. A session from a `yield` dependency would
commit in the dependency's teardown, which FastAPI runs as a second thread-pool task: under
load every thread can be waiting for a connection that only a teardown, queued behind them
for a thread, would give back (the deadlock that left this app's POST row at 0 req/s).
"""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from typing import Annotated

from argon2.exceptions import VerificationError
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from sqlalchemy import create_engine, select, tuple_
from sqlalchemy.orm import Session, sessionmaker

from bench import shared
from bench.tutorial import Item, ItemIn, ItemOut, ItemPatch, TokenOut, User, hasher, oauth2


@contextmanager
def transaction(request: Request) -> Iterator[Session]:
    """A session whose transaction commits when the block ends without an error."""
    sessions: sessionmaker[Session] = request.app.state.sessions
    with sessions.begin() as session:
        yield session


def current_user(db: Session, token: str) -> User:
    user_id = shared.token_subject(f"Bearer {token}", shared.secret())
    user = None if user_id is None else db.get(User, user_id)
    if user is None or not user.is_active:
        raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})
    return user


Token = Annotated[str, Depends(oauth2)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    url = shared.database_url().replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url, pool_size=shared.POOL_SIZE, max_overflow=0)
    app.state.sessions = sessionmaker(engine, expire_on_commit=False)
    yield
    engine.dispose()


def create_app() -> FastAPI:
    app = FastAPI(lifespan=lifespan)

    @app.post("/auth/token", response_model=TokenOut)
    def login(request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
        email = form.username.strip().lower()
        with transaction(request) as db:
            user = db.execute(select(User).where(User.email == email)).scalar_one_or_none()
        if user is None or not user.is_active:
            raise HTTPException(401, "Incorrect email or password")
        try:
            hasher.verify(user.password_hash, form.password)
        except VerificationError:
            raise HTTPException(401, "Incorrect email or password") from None
        return TokenOut(**shared.issue_token(user.id, shared.secret()))

    @app.get("/items/{item_id}", response_model=ItemOut)
    def get_item(item_id: int, request: Request, response: Response) -> Item:
        with transaction(request) as db:
            item = db.get(Item, item_id)
        if item is None:
            raise HTTPException(404, "Item not found")
        response.headers["ETag"] = f'"{item.version}"'
        return item

    @app.get("/items", response_model=list[ItemOut])
    def list_items(
        request: Request,
        response: Response,
        sort: Annotated[str, Query(pattern="^price$")] = "price",
        limit: Annotated[int, Query(ge=1, le=shared.PAGE_LIMIT_MAX)] = shared.PAGE_LIMIT_DEFAULT,
        cursor: str | None = None,
    ) -> list[Item]:
        query = select(Item).order_by(Item.price, Item.id).limit(limit + 1)
        if cursor is not None:
            try:
                price, after = shared.decode_cursor(cursor)
            except ValueError:
                raise HTTPException(422, "Invalid cursor") from None
            query = query.where(tuple_(Item.price, Item.id) > tuple_(price, after))
        with transaction(request) as db:
            items = list(db.execute(query).scalars())
        if len(items) > limit:
            items = items[:limit]
            next_cursor = shared.encode_cursor(items[-1].price, items[-1].id)
            url = request.url.include_query_params(cursor=next_cursor)
            response.headers["Link"] = f'<{url}>; rel="next"'
        return items

    @app.post("/items", response_model=ItemOut, status_code=201)
    def create_item(body: ItemIn, request: Request, token: Token, response: Response) -> Item:
        with transaction(request) as db:
            user = current_user(db, token)
            now = datetime.now(UTC)
            item = Item(**body.model_dump(), owner_id=user.id, created_at=now, updated_at=now)
            db.add(item)
            db.flush()  # the id and the version, from the INSERT's RETURNING
        response.headers["Location"] = f"/items/{item.id}"
        response.headers["ETag"] = f'"{item.version}"'
        return item

    @app.patch("/items/{item_id}", response_model=ItemOut)
    def update_item(
        item_id: int, body: ItemPatch, request: Request, token: Token, response: Response
    ) -> Item:
        with transaction(request) as db:
            user = current_user(db, token)
            item = db.get(Item, item_id)
            if item is None:
                raise HTTPException(404, "Item not found")
            if item.owner_id != user.id and not user.is_admin:
                raise HTTPException(403, "Not your item")
            for field, value in body.model_dump(exclude_unset=True).items():
                setattr(item, field, value)
            item.updated_at = datetime.now(UTC)
            db.flush()  # the UPDATE, checked against the version the row was read at
        response.headers["ETag"] = f'"{item.version}"'
        return item

    return app
