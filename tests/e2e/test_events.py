"""Events end to end: the API's writes reach JetStream through the outbox and a relay, in
the app's own process (`serve --relay`) or as `catalog relay`; `catalog events tail`
shows them."""

import asyncio
import signal
from pathlib import Path

import pytest

from adapters.nats.publisher import StreamTarget
from domain.events import ItemCreated, UserRegistered
from tests.e2e.api import build_app, serving, settings_for
from tests.e2e.live_server import CATALOG, catalog_env, run_catalog
from tests.integration.outbox import eventually
from tests.support.backends import open_backend
from tests.support.nats import cloudevents, stream_messages


def _events_env(target: StreamTarget) -> dict[str, str]:
    return {
        "CATALOG_NATS_URL": target.url,
        "CATALOG_EVENTS_STREAM": target.stream,
        "CATALOG_EVENTS_SUBJECT_PREFIX": target.subject_prefix,
        "CATALOG_RELAY_POLL_SECONDS": "0.1",
    }


async def _types(target: StreamTarget, count: int) -> list[str]:
    async def enough() -> bool:
        return len(await stream_messages(target)) >= count

    await eventually(enough)
    return [event["type"] for event in cloudevents(await stream_messages(target))]


async def test_writes_through_the_api_reach_the_stream_in_order(
    tmp_path: Path, events_target: StreamTarget
) -> None:
    settings = settings_for(
        f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}",
        nats_url=events_target.url,
        events_stream=events_target.stream,
        events_subject_prefix=events_target.subject_prefix,
        relay_in_process=True,
        relay_poll_seconds=0.1,
    )
    async with serving(*build_app(settings)) as api:
        owner = await api.user()
        item = await api.item(owner)
        patched = await api.client.patch(
            f"/items/{item['id']}", json={"price": "3.00"}, headers=owner.auth
        )
        assert patched.status_code == 200
        types = await _types(events_target, 3)
    assert types == [
        "catalog.user.registered.v1",
        "catalog.item.created.v1",
        "catalog.item.updated.v1",
    ]
    data = cloudevents(await stream_messages(events_target))[2]["data"]
    assert data == {"item_id": item["id"], "version": 2}


async def test_catalog_relay_publishes_and_events_tail_prints(
    tmp_path: Path, events_target: StreamTarget
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'catalog.db'}"
    backend = await open_backend(url, outbox=True)
    try:
        await backend.migrate()
        async with backend.uow() as uow:
            uow.record(UserRegistered(user_id=1, email="a@example.com"))
            uow.record(ItemCreated(item_id=2, owner_id=1))
            await uow.commit()
    finally:
        await backend.dispose()
    env = catalog_env(url, **_events_env(events_target))

    relay = await asyncio.create_subprocess_exec(CATALOG, "relay", env=env)
    try:
        assert await _types(events_target, 2) == [
            "catalog.user.registered.v1",
            "catalog.item.created.v1",
        ]
    finally:
        relay.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(relay.wait(), 10) == 0  # a clean stop

    tail = run_catalog("events", "tail", "--all", "--limit", "2", env=env, timeout=20)
    assert tail.returncode == 0, tail.stderr
    assert [line.split('"type":"')[1].split('"')[0] for line in tail.stdout.splitlines()] == [
        "catalog.user.registered.v1",
        "catalog.item.created.v1",
    ]


@pytest.mark.parametrize(
    ("command", "extra"),
    [
        (["events", "tail"], {}),
        (["serve", "--relay"], {}),
        (["relay"], {"CATALOG_NATS_URL": "nats://127.0.0.1:1"}),
        (["events", "tail"], {"CATALOG_NATS_URL": "nats://127.0.0.1:1"}),
    ],
)
def test_the_event_commands_explain_what_is_missing_in_one_line(
    command: list[str], extra: dict[str, str]
) -> None:
    result = run_catalog(*command, env=catalog_env("memory://", **extra), timeout=30)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert any(why in result.stderr for why in ("CATALOG_NATS_URL", "SQL database", "127.0.0.1:1"))
