"""Reads on a streaming replica, with read-your-writes, against a real primary and standby.

Both clusters are private to this module: the primary from initdb, the standby from
`pg_basebackup -R` of it, on free ports in temporary folders. Two `catalog serve`
processes share them; with replay paused on the standby, a read that sends back the
write's `Catalog-Consistency` still sees the write, whichever process serves it.
"""

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

import httpx
import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.e2e.live_server import serving
from tests.support.data import unique, unique_email
from tests.support.load import PASSWORD
from tests.support.postgres import PrivateCluster, _run, free_port

HEADER = "Catalog-Consistency"


@pytest.fixture(scope="module")
def standby(private_postgres: PrivateCluster) -> Iterator[PrivateCluster]:
    base = Path(tempfile.mkdtemp(prefix="catalog-standby-"))
    if os.geteuid() == 0:
        shutil.chown(base, user="postgres")
    primary = private_postgres.url
    source = ["-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
    _run(["pg_basebackup", *source, "-D", str(base / "data"), "-R", "-X", "stream", "--no-sync"])
    url = make_url(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres")
    cluster = PrivateCluster(url, "standby", base)
    cluster.start()
    try:
        yield cluster
    finally:
        with suppress(Exception):
            cluster.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


_EXISTS = "SELECT 1 FROM pg_database WHERE datname = %s"


def _sql(cluster: PrivateCluster, database: str, statement: str, *params: object) -> object:
    conninfo = cluster.url.set(database=database).render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        row = conn.execute(statement, params or None).fetchone()
        return None if row is None else row[0]


def _wait(condition: object, deadline: float = 20.0) -> None:
    ends = time.monotonic() + deadline
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < ends, "condition not met in time"
        time.sleep(0.05)


def _as_asyncpg(cluster: PrivateCluster, database: str) -> str:
    url = cluster.url.set(drivername="postgresql+asyncpg", database=database)
    return url.render_as_string(hide_password=False)


def test_reads_see_their_writes_through_a_paused_replica(
    private_postgres: PrivateCluster, standby: PrivateCluster, tmp_path: Path
) -> None:
    url = private_postgres.create_database()
    name = make_url(url).database or ""
    _wait(lambda: _sql(standby, "postgres", _EXISTS, name))
    env = {"CATALOG_DATABASE_REPLICA_URLS": _as_asyncpg(standby, name)}
    with (
        serving(tmp_path, url, **env) as first,
        serving(tmp_path, url, **env) as second,
        httpx.Client(base_url=first.base_url, timeout=10) as a,
        httpx.Client(base_url=second.base_url, timeout=10) as b,
    ):
        email = unique_email("replica")
        made = a.post("/users", json={"name": "R", "email": email, "password": PASSWORD})
        assert made.status_code == 201
        token = made.headers[HEADER]
        login = b.post(
            "/auth/token", data={"username": email, "password": PASSWORD}, headers={HEADER: token}
        )
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}
        _sql(standby, name, "SELECT pg_wal_replay_pause()")
        stale = 0
        for _ in range(20):
            item = _create(a, auth)
            seen = b.get(f"/items/{item.id}", headers=auth | {HEADER: item.token})
            assert seen.status_code == 200, seen.text
            stale += b.get(f"/items/{item.id}", headers=auth).status_code == 404
        assert stale > 0  # the replica served the untokened reads: it was behind
        # Past the lag bound (1 s), the paused replica is left out: reads are fresh.
        time.sleep(1.5)
        for _ in range(20):
            item = _create(a, auth)
            assert b.get(f"/items/{item.id}", headers=auth).status_code == 200
            garbled = b.get(f"/items/{item.id}", headers=auth | {HEADER: "zz; drop"})
            assert garbled.status_code == 200
        _sql(standby, name, "SELECT pg_wal_replay_resume()")
        print(f"stale reads without the token, replay paused, within the bound: {stale} of 20")


@dataclass(frozen=True)
class _Made:
    id: int
    token: str


def _create(client: httpx.Client, auth: dict[str, str]) -> _Made:
    created = client.post("/items", json={"name": unique("r"), "price": "1.00"}, headers=auth)
    assert created.status_code == 201, created.text
    return _Made(created.json()["id"], created.headers[HEADER])
