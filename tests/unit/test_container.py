"""The container is the one composition root: overriding its clock reaches every adapter
that stamps time (the memory outbox, the SQL outbox writer, the relay's store). Nothing
here connects to anything: the SQL storage's engine is made, never used."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers

from application.registration import RegisterUserCommand
from domain.events import ItemCreated
from entrypoints.container import Container, build_container, start, stop
from entrypoints.settings import Settings
from tests.unit.fakes import FakePasswordHasher, ManualClock, unique_email

NATS = "nats://127.0.0.1:1"  # the outbox on; nothing publishes


def _settings(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url, nats_url=NATS)


@pytest.fixture
async def memory(clock: ManualClock) -> AsyncIterator[Container]:
    container = build_container(_settings("memory://"))
    container.clock.override(providers.Object(clock))
    container.hasher.override(providers.Object(FakePasswordHasher()))
    await start(container)
    yield container
    await stop(container)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


async def test_the_memory_outbox_is_stamped_by_the_overridden_clock(
    memory: Container, clock: ManualClock
) -> None:
    async with memory.uow()() as uow:
        uow.record(ItemCreated(item_id=1, owner_id=2))
        await uow.commit()
    (record,) = memory.memory_storage().database().outbox
    assert record.occurred_at == clock.now()


async def test_the_use_cases_tell_time_by_the_overridden_clock(
    memory: Container, clock: ManualClock
) -> None:
    command = RegisterUserCommand(name="A", email=unique_email(), password="p" * 8)
    user = (await memory.register_user()(command)).value
    assert user.created_at == clock.now()
    assert memory.storage_kind() == "memory"


class RecordingConnection:
    """Takes the outbox writer's statement and keeps its rows; runs nothing."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    async def execute(self, statement: object, rows: list[dict[str, Any]]) -> None:
        self.rows.extend(rows)


async def test_the_sql_outbox_and_relay_store_take_the_overridden_clock(
    tmp_path: Path, clock: ManualClock
) -> None:
    container = build_container(_settings(f"sqlite+aiosqlite:///{tmp_path / 'never.db'}"))
    container.clock.override(providers.Object(clock))
    await start(container)
    try:
        connection = RecordingConnection()
        writer = container.sql_storage.outbox()
        await writer.write(connection, [ItemCreated(item_id=1, owner_id=2)])
        assert [row["occurred_at"] for row in connection.rows] == [clock.now()]
        assert getattr(container.relay_store(), "_clock") is clock  # noqa: B009
        assert container.storage_kind() == "sqlite"
    finally:
        await stop(container)
    assert not (tmp_path / "never.db").exists()  # nothing connected
