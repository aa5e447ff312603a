"""/items: publish, browse, export, change and delete items."""

from collections.abc import AsyncGenerator
from inspect import getdoc
from typing import Annotated, Any, cast

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response, StreamingResponse

from application.items import (
    CreateItem,
    CreateItemCommand,
    DeleteItem,
    DeleteItemCommand,
    ExportItems,
    ExportItemsQuery,
    GetItem,
    GetItemQuery,
    ListItems,
    ListItemsQuery,
    UpdateItem,
    UpdateItemCommand,
)
from application.pagination import (
    ItemFilter,
    Keyset,
    PageRequest,
)
from domain.items import Item
from entrypoints.http.dependencies import ActorId, container
from entrypoints.http.idempotency import IDEMPOTENCY_DOC, answered, idempotency_key
from entrypoints.http.json_body import ExactJsonRoute
from entrypoints.http.representations import (
    ITEM,
    NDJSON,
    item_body,
    listing,
    ndjson_stream,
)
from entrypoints.http.schemas import ItemCreate, ItemOut, ItemPatch, ItemQuery, ItemReplace, Price
from entrypoints.http.schemas import NameContains as SchemaNameContains
from entrypoints.http.shared import ID_MAX, VERSIONED_WRITE, change, problems
from entrypoints.http.versions import IF_NONE_MATCH, expected_version

router = APIRouter(prefix="/items", tags=["items"], route_class=ExactJsonRoute)
ItemId = Annotated[int, Path(ge=1, le=ID_MAX)]
_CHANGE = change(ItemOut, UpdateItem)


def _update(item_id: int, actor: int, request: Request, **changes: Any) -> UpdateItemCommand:
    return UpdateItemCommand(
        actor_id=actor, item_id=item_id, expected_version=expected_version(request), **changes
    )


# The export's filters are plain query parameters (a dependency would be solved on every
# request); the list's parameters are one model (`ItemQuery`), validated in one pass.
OwnerId = Annotated[int | None, Query(ge=1, le=ID_MAX)]
NameContains = Annotated[SchemaNameContains | None, Query(description="Name contains")]
PriceBound = Annotated[Price | None, Query()]


@router.post(
    "",
    status_code=201,
    response_model=ItemOut,
    description=getdoc(CreateItem),
    responses=problems(401, 409, 422),
    openapi_extra=IDEMPOTENCY_DOC,
)
async def create_item(body: ItemCreate, actor: ActorId, request: Request) -> Response:
    """Publish an item; the caller owns it."""
    command = CreateItemCommand(actor_id=actor, **body.model_dump())
    key = idempotency_key(request, caller=f"user:{actor}", body=body.model_dump(mode="json"))
    written = await container(request).create_item()(command, key=key)
    return answered(request, written, ITEM.created)


@router.get(
    "", response_model=list[ItemOut], description=getdoc(ListItems), responses=problems(422)
)
async def list_items(request: Request, query: Annotated[ItemQuery, Query()]) -> Response:
    """Browse items, a page at a time."""
    sort, cursor = query.sort, query.cursor
    after = None if cursor is None else Keyset.decode(cursor, sort=sort)
    page = PageRequest(limit=query.limit, offset=query.skip, after=after, sort=sort)
    where = ItemFilter(
        owner_id=query.owner_id,
        name_contains=query.q,
        min_price=query.min_price,
        max_price=query.max_price,
    )
    result = await container(request).list_items()(ListItemsQuery(where=where, page=page))
    return listing(map(item_body, result.items), request=request, next_key=result.next)


@router.get(
    "/export",
    response_class=StreamingResponse,
    responses={
        200: {"content": {NDJSON: {}}, "description": "One item per line"},
        **problems(422),
    },
    description=getdoc(ExportItems),
)
async def export_items(
    request: Request,
    owner_id: OwnerId = None,
    q: NameContains = None,
    min_price: PriceBound = None,
    max_price: PriceBound = None,
) -> StreamingResponse:
    """Every matching item as NDJSON, streamed."""
    where = ItemFilter(owner_id=owner_id, name_contains=q, min_price=min_price, max_price=max_price)
    stream = container(request).export_items()(ExportItemsQuery(where=where))
    items = cast(AsyncGenerator[Item], stream)
    # The first row is read before answering, so a bad filter still gets its 422.
    first = await anext(items, None)
    return StreamingResponse(ndjson_stream(first, items), media_type=NDJSON)


@router.get(
    "/{item_id:int}",
    response_model=ItemOut,
    description=getdoc(GetItem),
    responses=problems(304, 404, 422),
    openapi_extra=IF_NONE_MATCH,
)
async def get_item(item_id: ItemId, request: Request) -> Response:
    """Read an item."""
    item = await container(request).get_item()(GetItemQuery(item_id=item_id))
    return ITEM.read(request, item)


@router.patch("/{item_id:int}", **_CHANGE)
async def patch_item(
    item_id: ItemId, body: ItemPatch, actor: ActorId, request: Request
) -> Response:
    """Change some of an item's fields."""
    changes = body.model_dump(exclude_unset=True)
    item = await container(request).update_item()(_update(item_id, actor, request, **changes))
    return ITEM.one(item)


@router.put("/{item_id:int}", **_CHANGE)
async def replace_item(
    item_id: ItemId, body: ItemReplace, actor: ActorId, request: Request
) -> Response:
    """Replace an item's name, description and price."""
    changes = body.model_dump()
    item = await container(request).update_item()(_update(item_id, actor, request, **changes))
    return ITEM.one(item)


@router.delete(
    "/{item_id:int}",
    status_code=204,
    description=getdoc(DeleteItem),
    **VERSIONED_WRITE,
)
async def delete_item(item_id: ItemId, actor: ActorId, request: Request) -> Response:
    """Delete an item."""
    command = DeleteItemCommand(
        actor_id=actor, item_id=item_id, expected_version=expected_version(request)
    )
    await container(request).delete_item()(command)
    return Response(status_code=204)
