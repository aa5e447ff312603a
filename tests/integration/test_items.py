"""Contract: exact prices, filters, stable pages, cursors that never skip or repeat, streams."""

from decimal import Decimal

import pytest

from application.pagination import ItemFilter, PageRequest, Sort
from application.ports import UnitOfWorkFactory
from domain.errors import VersionConflict
from domain.items import Item
from tests.integration.paging import item_pages, walk
from tests.support.backends import Backend
from tests.support.data import NOW, new_item, new_user, unique


async def _owner_with(uow: UnitOfWorkFactory, prices: list[str], **fields: str) -> list[Item]:
    async with uow() as tx:
        owner = await tx.users.add(new_user())
        items = [await tx.items.add(new_item(owner.id, price=p, **fields)) for p in prices]
        await tx.commit()
    return items


def _order(items: list[Item], sort: Sort) -> list[int]:
    def key(item: Item) -> tuple[Decimal, int]:
        return (item.price if sort.key == "price" else Decimal(0), item.id)

    return [item.id for item in sorted(items, key=key, reverse=sort.descending)]


async def test_prices_round_trip_exactly(uow: UnitOfWorkFactory, backend: Backend) -> None:
    prices = ["0.01", "99999999.99", "10.10", "0", "0.5"]
    items = await _owner_with(uow, prices)
    stored = [await backend.items.get(item.id) for item in items]
    assert [str(item.price) for item in stored if item] == [
        "0.01",
        "99999999.99",
        "10.10",
        "0.00",
        "0.50",
    ]
    assert all(isinstance(item.price, Decimal) for item in stored if item)


async def test_what_add_returns_is_what_storage_reads_back(
    uow: UnitOfWorkFactory, backend: Backend
) -> None:
    # Rows come back through Item.restore/User.restore, unchecked: every field must land
    # in its own place, as the checked entity had it.
    async with uow() as tx:
        owner = await tx.users.add(new_user())
        added = await tx.items.add(new_item(owner.id, price="12.30", description="Two\nlines"))
        await tx.commit()
    (listed,) = await backend.items.list(ItemFilter(owner_id=owner.id), PageRequest())
    assert await backend.items.get(added.id) == added == listed
    assert await backend.users.get(owner.id) == owner
    assert await backend.users.get_by_email(owner.email) == owner
    assert added.id > 0
    assert owner.id > 0
    assert (added.owner_id, added.description, str(added.price)) == (
        owner.id,
        "Two\nlines",
        "12.30",
    )


async def test_price_order_is_numeric(uow: UnitOfWorkFactory, backend: Backend) -> None:
    items = await _owner_with(uow, ["100.00", "9.99", "10.00", "10.10", "2"])
    where = ItemFilter(owner_id=items[0].owner_id)
    rows = await backend.items.list(where, PageRequest(sort=Sort.PRICE))
    assert [str(item.price) for item in rows] == ["2.00", "9.99", "10.00", "10.10", "100.00"]


async def test_item_update_is_conditional_on_version(
    uow: UnitOfWorkFactory, backend: Backend
) -> None:
    (item,) = await _owner_with(uow, ["1.00"])
    changed = item.change(now=NOW, price=Decimal("2.50"), description=None)

    async def update(new: Item) -> None:
        async with uow() as tx:
            await tx.items.update(new, expected_version=1)
            await tx.commit()

    await update(changed)
    with pytest.raises(VersionConflict):
        await update(item.change(now=NOW, name="stale"))

    async def delete(version: int) -> None:
        async with uow() as tx:
            await tx.items.delete(item.id, expected_version=version)
            await tx.commit()

    with pytest.raises(VersionConflict):  # a delete, too, happens at the version read
        await delete(1)
    async with uow() as tx:
        assert await tx.items.get(item.id) == changed
        await tx.items.delete(item.id, expected_version=changed.version)
        await tx.commit()
    assert await backend.items.get(item.id) is None


@pytest.mark.parametrize("sort", list(Sort), ids=lambda sort: sort.name.lower())
async def test_pages_are_stable_with_many_equal_prices(
    uow: UnitOfWorkFactory, sort: Sort, backend: Backend
) -> None:
    prices = ["5.00", "1.00", "5.00", "5.00", "3.00", "5.00", "1.00", "5.00", "5.00"]
    items = await _owner_with(uow, prices)
    fetch = item_pages(backend.items, ItemFilter(owner_id=items[0].owner_id))
    seen = await walk(fetch, sort=sort, limit=2)
    assert [item.id for item in seen] == _order(items, sort)
    where = ItemFilter(owner_id=items[0].owner_id)
    rows = await backend.items.list(where, PageRequest(limit=3, offset=4, sort=sort))
    assert [item.id for item in rows] == _order(items, sort)[4:8]


@pytest.mark.parametrize("sort", list(Sort), ids=lambda sort: sort.name.lower())
async def test_cursors_visit_every_row_once_while_rows_arrive(
    uow: UnitOfWorkFactory, sort: Sort, backend: Backend
) -> None:
    items = await _owner_with(uow, ["4.00", "2.00", "4.00", "8.00", "2.00", "6.00", "4.00"])
    owner_id = items[0].owner_id
    prices = iter(["0.00", "4.00", "9.00", "2.00", "4.00", "1.00", "7.00", "4.00"])

    async def insert_one() -> None:
        async with uow() as tx:
            await tx.items.add(new_item(owner_id, price=next(prices, "3.00")))
            await tx.commit()

    fetch = item_pages(backend.items, ItemFilter(owner_id=owner_id))
    seen = await walk(fetch, sort=sort, limit=2, between_pages=insert_one)
    ids = [item.id for item in seen]
    assert len(ids) == len(set(ids))
    assert {item.id for item in items} <= set(ids)
    assert ids == _order(seen, sort)


async def test_filters(uow: UnitOfWorkFactory, backend: Backend) -> None:
    tag = unique("tag")
    names = [f"{tag} Red Widget", f"{tag} 50% off", f"{tag} a_b", f"{tag} plain", "other"]
    async with uow() as tx:
        owner, other = await tx.users.add(new_user()), await tx.users.add(new_user())
        mine = [
            await tx.items.add(new_item(owner.id, name=n, price=p))
            for n, p in zip(names, ["1.00", "2.00", "3.00", "4.00", "5.00"], strict=True)
        ]
        theirs = await tx.items.add(new_item(other.id, name=f"{tag} red", price="1.50"))
        await tx.commit()

    async def names_where(**fields: object) -> list[str]:
        rows = await backend.items.list(ItemFilter(**fields), PageRequest(limit=100))  # type: ignore[arg-type]
        return [item.name for item in rows]

    assert await names_where(owner_id=owner.id) == names
    assert await names_where(name_contains=f"{tag} RED") == [names[0], theirs.name]
    assert await names_where(owner_id=owner.id, name_contains="%") == [names[1]]
    assert await names_where(owner_id=owner.id, name_contains="_") == [names[2]]
    assert await names_where(owner_id=owner.id, name_contains="A_B") == [names[2]]
    in_range = await names_where(
        owner_id=owner.id, min_price=Decimal("2.00"), max_price=Decimal("4")
    )
    assert in_range == names[1:4]
    assert len(mine) == 5


async def test_stream_returns_every_match_by_id(uow: UnitOfWorkFactory, backend: Backend) -> None:
    items = await _owner_with(uow, [f"{n}.00" for n in range(1, 12)])
    where = ItemFilter(owner_id=items[0].owner_id, min_price=Decimal("2.00"))
    streamed = [item async for item in backend.items.stream(where, batch_size=3)]
    assert streamed == items[1:]


async def test_name_filter_folds_case_beyond_ascii(
    uow: UnitOfWorkFactory, backend: Backend
) -> None:
    tag = unique("accent")
    items = await _owner_with(uow, ["1.00"], name=f"{tag} Élan Vital")
    rows = await backend.items.list(ItemFilter(name_contains="éLAN"), PageRequest(limit=100))
    assert [item.id for item in rows if item.name.startswith(tag)] == [items[0].id]
