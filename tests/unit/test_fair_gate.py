"""The fair gate in front of the PostgreSQL pools: first come, first served, never more
holders than places, and a waiter that gives up never loses or keeps a place."""

import asyncio

import pytest
from sqlalchemy.exc import TimeoutError as PoolTimeout

from adapters.sqlalchemy.gate import FairGate


async def test_it_admits_up_to_its_size_at_once() -> None:
    gate = FairGate(2, timeout=1)
    await gate.enter()
    await gate.enter()
    third = asyncio.create_task(gate.enter())
    await asyncio.sleep(0)
    assert not third.done()
    assert gate.waiting == 1
    gate.leave()
    await asyncio.wait_for(third, 1)
    assert gate.waiting == 0


async def test_a_freed_place_goes_to_the_longest_waiter_not_to_a_newcomer() -> None:
    gate = FairGate(1, timeout=1)
    await gate.enter()
    order: list[str] = []

    async def holder(name: str) -> None:
        await gate.enter()
        order.append(name)
        await asyncio.sleep(0)
        gate.leave()

    first = asyncio.create_task(holder("first"))
    second = asyncio.create_task(holder("second"))
    await asyncio.sleep(0)
    gate.leave()  # the place goes to "first", even though a newcomer now asks at once
    newcomer = asyncio.create_task(holder("newcomer"))
    await asyncio.wait_for(asyncio.gather(first, second, newcomer), 1)
    assert order == ["first", "second", "newcomer"]
    await gate.enter()  # every place came back
    assert gate.waiting == 0


async def test_waiting_too_long_raises_the_pools_timeout_and_leaves_the_line() -> None:
    gate = FairGate(1, timeout=0)  # expires at the next turn of the loop: no real wait
    await gate.enter()
    with pytest.raises(PoolTimeout):
        await gate.enter()
    assert gate.waiting == 0
    gate.leave()
    await asyncio.wait_for(gate.enter(), 1)  # the place was not lost to the timed-out waiter


async def test_a_cancelled_waiter_passes_on_a_place_it_was_given() -> None:
    gate = FairGate(1, timeout=1)
    await gate.enter()
    given = asyncio.create_task(gate.enter())
    later = asyncio.create_task(gate.enter())
    await asyncio.sleep(0)
    gate.leave()  # "given" now holds the place, but is cancelled before it runs
    given.cancel()
    with pytest.raises(asyncio.CancelledError):
        await given
    await asyncio.wait_for(later, 1)  # so the place went on to the next in line
    assert gate.waiting == 0


async def test_a_cancelled_waiter_leaves_the_line_without_taking_a_place() -> None:
    gate = FairGate(1, timeout=1)
    await gate.enter()
    leaving = asyncio.create_task(gate.enter())
    await asyncio.sleep(0)
    leaving.cancel()
    with pytest.raises(asyncio.CancelledError):
        await leaving
    assert gate.waiting == 0
    gate.leave()
    await asyncio.wait_for(gate.enter(), 1)
