"""ListItems and ExportItems: filters, sorts, offset and keyset paging."""

from decimal import Decimal

import pytest

from application.items import ExportItems, ExportItemsQuery, ListItems, ListItemsQuery
from application.pagination import ItemFilter, Keyset, PageRequest, Sort
from domain.errors import InvariantViolated
from domain.items import Item
from tests.unit.conftest import World

PRICES = ["5.00", "1.00", "5.00", "0.00", "99999999.99", "2.50", "5.00"]


async def catalogue(world: World) -> list[Item]:
    """Items in id order, with tied prices so that the id must break ties."""
    ada, bob = await world.user(), await world.user()
    names = ["Red Lamp", "blue lamp", "Chair", "LAMPSHADE", "Table", "desk lamp", "Rug"]
    return [
        await world.item(ada if n % 2 else bob, name=name, price=Decimal(price))
        for n, (name, price) in enumerate(zip(names, PRICES, strict=True))
    ]


async def listed(world: World, where: ItemFilter, page: PageRequest | None = None) -> list[Item]:
    query = ListItemsQuery(where=where, page=page or PageRequest(limit=100))
    return (await ListItems(items=world.items)(query)).items


async def test_filters_combine(world: World) -> None:
    items = await catalogue(world)
    owner = items[1].owner_id
    assert await listed(world, ItemFilter(owner_id=owner)) == items[1::2]
    assert await listed(world, ItemFilter(name_contains="LaMp")) == [items[i] for i in (0, 1, 3, 5)]
    cheap = ItemFilter(min_price=Decimal("1.00"), max_price=Decimal("5.00"))
    assert await listed(world, cheap) == [items[i] for i in (0, 1, 2, 5, 6)]
    both = ItemFilter(owner_id=owner, name_contains="lamp", max_price=Decimal("2.50"))
    assert await listed(world, both) == [items[1], items[3], items[5]]


@pytest.mark.parametrize(
    "where",
    [
        ItemFilter(min_price=Decimal("5.01"), max_price=Decimal("5.00")),
        ItemFilter(min_price=Decimal("-1")),
        ItemFilter(max_price=Decimal("0.001")),
        ItemFilter(name_contains="x" * 101),
    ],
)
async def test_bad_filters_are_refused(world: World, where: ItemFilter) -> None:
    with pytest.raises(InvariantViolated):
        await listed(world, where)
    with pytest.raises(InvariantViolated):
        [item async for item in ExportItems(items=world.items)(ExportItemsQuery(where=where))]


@pytest.mark.parametrize("sort", list(Sort))
async def test_each_sort_orders_by_its_key_then_id(world: World, sort: Sort) -> None:
    items = await catalogue(world)
    expected = sorted(
        items,
        key=lambda i: (i.price if sort.key == "price" else 0, i.id),
        reverse=sort.descending,
    )
    assert await listed(world, ItemFilter(), PageRequest(limit=100, sort=sort)) == expected


async def test_offset_and_limit_cut_the_page(world: World) -> None:
    items = await catalogue(world)
    page = await ListItems(items=world.items)(ListItemsQuery(page=PageRequest(limit=2, offset=3)))
    assert page.items == items[3:5]
    assert page.next == Keyset(Sort.ID, items[4].id)


async def test_the_last_page_has_no_next(world: World) -> None:
    items = await catalogue(world)
    page = await ListItems(items=world.items)(ListItemsQuery(page=PageRequest(limit=len(items))))
    assert (page.items, page.next) == (items, None)


@pytest.mark.parametrize("sort", list(Sort))
async def test_following_cursors_visits_every_row_once_while_rows_are_inserted(
    world: World, sort: Sort
) -> None:
    items = await catalogue(world)
    owner = await world.user()
    seen: list[Item] = []
    request = PageRequest(limit=2, sort=sort)
    for _ in range(len(items) * 2):
        page = await ListItems(items=world.items)(ListItemsQuery(page=request))
        seen.extend(page.items)
        await world.item(owner, price=Decimal("5.00"))  # lands on every side of the cursor
        if page.next is None:
            break
        cursor = page.next.encode()
        request = PageRequest(limit=2, sort=sort, after=Keyset.decode(cursor, sort=sort))
    else:
        pytest.fail("the cursor never reached the last page")
    ids = [item.id for item in seen]
    assert len(ids) == len(set(ids))
    assert {item.id for item in items} <= set(ids)


async def test_export_yields_every_matching_item_by_id(world: World) -> None:
    items = await catalogue(world)
    export = ExportItems(items=world.items, batch_size=2)
    everything = [item async for item in export(ExportItemsQuery())]
    lamps = [i async for i in export(ExportItemsQuery(where=ItemFilter(name_contains="lamp")))]
    assert everything == items
    assert lamps == [items[i] for i in (0, 1, 3, 5)]
    assert world.uow.commits == 0
