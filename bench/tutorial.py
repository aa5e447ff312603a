"""The flat tutorial style: FastAPI routes that use an `AsyncSession` and the ORM directly.

Declarative models, pydantic response models, the usual `get_db` dependency that
commits after the route, the ORM's version counter for the conditional UPDATE.
`uvicorn bench.tutorial:create_app --factory`.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from fastapi import Depends, FastAPI, HTTPException, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import OAuth2PasswordBearer, OAuth2PasswordRequestForm
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import DateTime, Numeric, String, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bench import shared


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True)}  # noqa: RUF012


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str]
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str]
    is_active: Mapped[bool]
    is_admin: Mapped[bool]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int]


class Item(Base):
    __tablename__ = "items"
    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int]
    name: Mapped[str]
    description: Mapped[str | None]
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    version: Mapped[int] = mapped_column()
    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    price: Decimal = Field(ge=0, le=Decimal("99999999.99"), decimal_places=2)


class ItemPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    price: Decimal | None = Field(default=None, ge=0, le=Decimal("99999999.99"), decimal_places=2)


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    owner_id: int
    name: str
    description: str | None
    price: Decimal
    created_at: datetime
    updated_at: datetime


class TokenOut(BaseModel):
    access_token: str
    token_type: str
    expires_in: int


oauth2 = OAuth2PasswordBearer(tokenUrl="/auth/token")
hasher = PasswordHasher()


async def get_db(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session
        await session.commit()


DB = Annotated[AsyncSession, Depends(get_db)]


async def current_user(db: DB, token: Annotated[str, Depends(oauth2)]) -> User:
    user_id = shared.token_subject(f"Bearer {token}", shared.secret())
    user = None if user_id is None else await db.get(User, user_id)
    if user is None or not user.is_active:
        raise HTTPException(401, "Not authenticated", headers={"WWW-Authenticate": "Bearer"})
    return user


CurrentUser = Annotated[User, Depends(current_user)]


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    url = shared.database_url().replace("postgresql://", "postgresql+asyncpg://", 1)
    engine = create_async_engine(url, pool_size=shared.POOL_SIZE, max_overflow=0)
    app.state.sessions = async_sessionmaker(engine, expire_on_commit=False)
    yield
    await engine.dispose()


def create_app() -> FastAPI:
    app = FastAPI(lifespan=lifespan)

    @app.post("/auth/token", response_model=TokenOut)
    async def login(db: DB, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
        email = form.username.strip().lower()
        user = (await db.execute(select(User).where(User.email == email))).scalar_one_or_none()
        if user is None or not user.is_active:
            raise HTTPException(401, "Incorrect email or password")
        try:
            await run_in_threadpool(hasher.verify, user.password_hash, form.password)
        except VerificationError:
            raise HTTPException(401, "Incorrect email or password") from None
        return TokenOut(**shared.issue_token(user.id, shared.secret()))

    @app.get("/items/{item_id}", response_model=ItemOut)
    async def get_item(item_id: int, db: DB, response: Response) -> Item:
        item = await db.get(Item, item_id)
        if item is None:
            raise HTTPException(404, "Item not found")
        response.headers["ETag"] = f'"{item.version}"'
        return item

    @app.get("/items", response_model=list[ItemOut])
    async def list_items(
        db: DB,
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
        items = list((await db.execute(query)).scalars())
        if len(items) > limit:
            items = items[:limit]
            next_cursor = shared.encode_cursor(items[-1].price, items[-1].id)
            url = request.url.include_query_params(cursor=next_cursor)
            response.headers["Link"] = f'<{url}>; rel="next"'
        return items

    @app.post("/items", response_model=ItemOut, status_code=201)
    async def create_item(body: ItemIn, db: DB, user: CurrentUser, response: Response) -> Item:
        now = datetime.now(UTC)
        item = Item(**body.model_dump(), owner_id=user.id, created_at=now, updated_at=now)
        db.add(item)
        await db.commit()
        await db.refresh(item)
        response.headers["Location"] = f"/items/{item.id}"
        response.headers["ETag"] = f'"{item.version}"'
        return item

    @app.patch("/items/{item_id}", response_model=ItemOut)
    async def update_item(
        item_id: int, body: ItemPatch, db: DB, user: CurrentUser, response: Response
    ) -> Item:
        item = await db.get(Item, item_id)
        if item is None:
            raise HTTPException(404, "Item not found")
        if item.owner_id != user.id and not user.is_admin:
            raise HTTPException(403, "Not your item")
        for field, value in body.model_dump(exclude_unset=True).items():
            setattr(item, field, value)
        item.updated_at = datetime.now(UTC)
        await db.commit()
        await db.refresh(item)
        response.headers["ETag"] = f'"{item.version}"'
        return item

    return app
