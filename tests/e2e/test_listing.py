"""GET /items and /items/export: filters, sorts, pages, cursors and the NDJSON export."""

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
import pytest

from application.items import CreateItem, CreateItemCommand
from tests.e2e.api import BASE_URL, Api
from tests.e2e.problems import error_locations
from tests.unit.fakes import unique


async def _all_pages(api: Api, url: str) -> tuple[list[dict[str, Any]], int]:
    """Every row, following `Link: rel="next"`; and how many pages it took."""
    rows: list[dict[str, Any]] = []
    pages = 0
    next_url: str | None = url
    while next_url:
        response = await api.client.get(next_url)
        assert response.status_code == 200, response.text
        assert isinstance(response.json(), list)
        rows += response.json()
        pages += 1
        next_url = response.links.get("next", {}).get("url")
    return rows, pages


async def test_a_list_is_a_bare_array_without_link_when_it_all_fits(api: Api) -> None:
    owner = await api.user()
    item = await api.item(owner)
    response = await api.client.get(f"/items?owner_id={owner.id}")
    assert response.json() == [item]
    assert "link" not in response.headers


async def test_filters_by_owner_name_and_price(api: Api) -> None:
    owner, other = await api.user(), await api.user()
    tag = unique("lamp")
    cheap = await api.item(owner, name=f"{tag} small", price="5.00")
    dear = await api.item(owner, name=f"{tag.upper()} big", price="50.00")
    await api.item(other, name=f"{tag} other", price="5.00")
    await api.item(owner, name=unique("chair"), price="5.00")

    async def ids(query: str) -> list[int]:
        return [row["id"] for row in (await api.client.get(f"/items?{query}")).json()]

    assert await ids(f"owner_id={owner.id}&q={tag}") == [cheap["id"], dear["id"]]
    assert await ids(f"owner_id={owner.id}&q={tag}&min_price=10") == [dear["id"]]
    assert await ids(f"owner_id={owner.id}&q={tag}&max_price=5") == [cheap["id"]]
    assert await ids(f"owner_id={owner.id}&q={tag}&sort=-price") == [dear["id"], cheap["id"]]
    assert await ids(f"owner_id={owner.id}&q={tag}&sort=-id") == [dear["id"], cheap["id"]]


@pytest.mark.parametrize("sort", ["id", "-id", "price", "-price"])
async def test_following_next_links_visits_every_row_once_in_order(api: Api, sort: str) -> None:
    owner = await api.user()
    tag = unique("page")
    prices = ["3.00", "1.00", "2.00", "1.00", "5.00", "4.00", "2.00"]
    made = [await api.item(owner, name=f"{tag}-{n}", price=p) for n, p in enumerate(prices)]
    rows, pages = await _all_pages(api, f"/items?q={tag}&sort={sort}&limit=3")
    assert pages == 3
    key = (lambda r: (Decimal(r["price"]), r["id"])) if "price" in sort else (lambda r: r["id"])
    assert rows == sorted(made, key=key, reverse=sort.startswith("-"))


async def test_the_next_link_is_absolute_and_keeps_the_other_parameters(api: Api) -> None:
    owner = await api.user()
    tag = unique("link")
    for _ in range(4):
        await api.item(owner, name=tag)
    response = await api.client.get(f"/items?q={tag}&limit=2&skip=1&max_price=99")
    link = response.links["next"]["url"]
    assert response.headers["link"].endswith('; rel="next"')
    assert link.startswith(f"{BASE_URL}/items?")
    query = parse_qs(urlsplit(link).query)
    assert query["q"] == [tag]
    assert query["limit"] == ["2"]
    assert query["max_price"] == ["99"]
    assert "skip" not in query  # a cursor replaces the offset
    assert query["cursor"]


async def test_rows_inserted_while_paging_never_make_a_row_repeat_or_vanish(api: Api) -> None:
    owner = await api.user()
    tag = unique("moving")
    made = [await api.item(owner, name=tag) for _ in range(5)]
    first = await api.client.get(f"/items?q={tag}&limit=2")
    await api.item(owner, name=tag)  # arrives after the first page was read
    rest, _ = await _all_pages(api, first.links["next"]["url"])
    seen = [row["id"] for row in first.json() + rest]
    assert len(seen) == len(set(seen))
    assert {item["id"] for item in made} <= set(seen)


async def test_skip_is_an_offset(api: Api) -> None:
    owner = await api.user()
    tag = unique("skip")
    made = [await api.item(owner, name=tag) for _ in range(3)]
    response = await api.client.get(f"/items?q={tag}&skip=2")
    assert response.json() == made[2:]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=101", ["query", "limit"]),
        ("limit=0", ["query", "limit"]),
        ("skip=10001", ["query", "skip"]),
        ("sort=name", ["query", "sort"]),
        ("min_price=-1", ["query", "min_price"]),
        ("owner_id=abc", ["query", "owner_id"]),
        (f"q={'x' * 101}", ["query", "q"]),
        ("cursor=bogus", ["query", "cursor"]),
        ("min_price=1.001", ["query", "min_price"]),
        ("min_price=9&max_price=1", ["query", "min_price"]),
    ],
)
async def test_bad_list_parameters_are_422(api: Api, query: str, field: list[str]) -> None:
    assert field in error_locations(await api.client.get(f"/items?{query}"))


async def test_a_cursor_is_tied_to_its_sort_and_excludes_skip(api: Api) -> None:
    owner = await api.user()
    tag = unique("cursor")
    for _ in range(3):
        await api.item(owner, name=tag)
    cursor = parse_qs(
        urlsplit((await api.client.get(f"/items?q={tag}&limit=1")).links["next"]["url"]).query
    )["cursor"][0]
    for query in (f"cursor={cursor}&sort=-id", f"cursor={cursor}&skip=1"):
        assert ["query", "cursor"] in error_locations(await api.client.get(f"/items?{query}"))


async def test_export_streams_every_matching_item_as_ndjson(api: Api) -> None:
    owner = await api.user()
    tag = unique("export")
    made = [await api.item(owner, name=tag, price=f"{n}.25") for n in range(3)]
    await api.item(owner, name=unique("elsewhere"))
    response = await api.client.get(f"/items/export?q={tag}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/x-ndjson"
    lines = response.content.splitlines()
    assert [orjson.loads(line) for line in lines] == made
    assert response.content.endswith(b"\n")


async def test_export_of_many_rows_arrives_whole_in_id_order(api: Api) -> None:
    owner = await api.user()
    tag = unique("bulk")
    create: CreateItem = api.container.create_item()  # bypasses HTTP to seed quickly
    for n in range(450):
        await create(CreateItemCommand(actor_id=owner.id, name=f"{tag}-{n}", price=Decimal(n)))
    response = await api.client.get(f"/items/export?q={tag}")
    rows = [orjson.loads(line) for line in response.content.splitlines()]
    assert len(rows) == 450
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)


async def test_export_of_nothing_is_empty_and_a_bad_filter_is_422(api: Api) -> None:
    empty = await api.client.get(f"/items/export?q={unique('none')}")
    assert (empty.status_code, empty.content) == (200, b"")
    assert ["query", "min_price"] in error_locations(
        await api.client.get("/items/export?min_price=9&max_price=1")
    )
