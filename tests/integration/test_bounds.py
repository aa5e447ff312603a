"""Values past what a column holds never reach a statement: readers and repositories find
no row for an id out of range, and a counter key of any length is counted (SPEC §5)."""

import pytest

from domain.rules import ID_MAX
from tests.support.backends import Backend

OUT_OF_RANGE = [0, -1, ID_MAX + 1, 2**63, 2**64]


@pytest.mark.parametrize("key", OUT_OF_RANGE)
async def test_a_reader_finds_no_row_for_an_id_out_of_range(backend: Backend, key: int) -> None:
    assert await backend.users.get(key) is None
    assert await backend.items.get(key) is None


@pytest.mark.parametrize("key", OUT_OF_RANGE)
async def test_a_repository_finds_no_row_for_an_id_out_of_range(backend: Backend, key: int) -> None:
    async with backend.uow() as uow:
        assert await uow.users.get(key) is None
        assert await uow.items.get(key) is None


async def test_a_counter_key_longer_than_its_column_is_counted(backend: Backend) -> None:
    key = "login-address/" + "a" * 2000
    other = "login-address/" + "a" * 1999 + "b"
    assert await backend.counters.incr(key, 60) == 1
    assert await backend.counters.incr(key, 60) == 2
    assert await backend.counters.get(key) == 2
    assert await backend.counters.get(other) == 0
    await backend.counters.clear(key)
    assert await backend.counters.get(key) == 0
