"""Contract, for every entity registered in entities.py, on every backend: stored as
given, written and deleted only at the version read, listed in id order, and seen by the
readers only once committed."""

from dataclasses import replace
from typing import Any

import pytest

from adapters.sqlalchemy.mapping import MAPPINGS
from application.pagination import Keyset, PageRequest, Sort
from application.ports import UnitOfWorkFactory
from domain.errors import VersionConflict
from tests.integration.entities import CONTRACTS, EntityContract
from tests.support.backends import Backend

Contract = EntityContract[Any]
by_entity = pytest.mark.parametrize("entity", CONTRACTS, ids=lambda contract: contract.name)


async def _added(uow: UnitOfWorkFactory, entity: Contract, n: int = 1) -> list[Any]:
    async with uow() as tx:
        added = [await entity.repository(tx).add(await entity.make(tx)) for _ in range(n)]
        await tx.commit()
    return added


def test_every_mapped_entity_has_its_contract() -> None:
    assert sorted(contract.name for contract in CONTRACTS) == sorted(MAPPINGS)


@by_entity
async def test_what_add_returns_is_what_is_read_back(entity: Contract, backend: Backend) -> None:
    async with backend.uow() as tx:
        draft = await entity.make(tx)
        added = await entity.repository(tx).add(draft)
        assert await entity.repository(tx).get(added.id) == added
        await tx.commit()
    assert added.id > 0
    assert added == replace(draft, id=added.id)
    assert await entity.reader(backend).get(added.id) == added


@by_entity
async def test_update_happens_at_the_version_read(entity: Contract, backend: Backend) -> None:
    (stored,) = await _added(backend.uow, entity)
    changed = entity.change(stored)
    async with backend.uow() as tx:
        await entity.repository(tx).update(changed, expected_version=stored.version)
        await tx.commit()
    async with backend.uow() as tx:
        with pytest.raises(VersionConflict):  # the version read is no longer current
            await entity.repository(tx).update(entity.change(stored), expected_version=1)
    assert await entity.reader(backend).get(stored.id) == changed
    assert changed.version == stored.version + 1


@by_entity
async def test_delete_happens_at_the_version_read(entity: Contract, backend: Backend) -> None:
    (stored,) = await _added(backend.uow, entity)
    async with backend.uow() as tx:
        with pytest.raises(VersionConflict):
            await entity.repository(tx).delete(stored.id, expected_version=stored.version + 1)
    assert await entity.reader(backend).get(stored.id) == stored
    async with backend.uow() as tx:
        await entity.repository(tx).delete(stored.id, expected_version=stored.version)
        assert await entity.repository(tx).get(stored.id) is None
        await tx.commit()
    assert await entity.reader(backend).get(stored.id) is None


@by_entity
async def test_writing_a_missing_row_is_a_conflict(entity: Contract, backend: Backend) -> None:
    (stored,) = await _added(backend.uow, entity)
    async with backend.uow() as tx:
        await entity.repository(tx).delete(stored.id, expected_version=stored.version)
        await tx.commit()
    async with backend.uow() as tx:
        with pytest.raises(VersionConflict):
            await entity.repository(tx).update(entity.change(stored), expected_version=1)
        with pytest.raises(VersionConflict):
            await entity.repository(tx).delete(stored.id, expected_version=1)


@by_entity
async def test_lists_in_id_order_both_ways(entity: Contract, backend: Backend) -> None:
    ids = [row.id for row in await _added(backend.uow, entity, 4)]
    assert ids == sorted(ids)
    up = PageRequest(limit=len(ids), sort=Sort.ID, after=Keyset(Sort.ID, ids[0] - 1))
    assert [row.id for row in await entity.page(backend, up)][: len(ids)] == ids
    down = PageRequest(limit=len(ids), sort=Sort.ID_DESC, after=Keyset(Sort.ID_DESC, ids[-1] + 1))
    assert [row.id for row in await entity.page(backend, down)][: len(ids)] == ids[::-1]


@by_entity
async def test_readers_see_committed_rows_only(entity: Contract, backend: Backend) -> None:
    reader = entity.reader(backend)
    async with backend.uow() as tx:
        discarded = await entity.repository(tx).add(await entity.make(tx))
    assert await reader.get(discarded.id) is None
    async with backend.uow() as tx:
        stored = await entity.repository(tx).add(await entity.make(tx))
        assert await reader.get(stored.id) is None
        await tx.commit()
    assert await reader.get(stored.id) == stored
    changed = entity.change(stored)
    async with backend.uow() as tx:
        await entity.repository(tx).update(changed, expected_version=stored.version)
        assert await reader.get(stored.id) == stored
        await tx.commit()
    assert await reader.get(stored.id) == changed
