"""`make bench`, after the tools are installed: provision, migrate, seed, drive, report.

The PostgreSQL server is found as the tests find theirs (tests/support/postgres.py:
CATALOG_TEST_DATABASE_URL, else the local server on 127.0.0.1:5432, else a private
throwaway cluster); the benchmark gets a uniquely named database of its own, built by
Catalog's own migrations (`catalog migrate`), seeded with COPY, and dropped at the end.
Arguments are passed on to the driver (`python -m bench.main --rounds 1 --duration 3`).
"""

import asyncio
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy.engine import make_url

from bench import database, driver, report
from tests.support.postgres import provision

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def plain(url: str) -> str:
    """`postgresql+asyncpg://...` as asyncpg and psycopg take it: `postgresql://...`."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def migrate(url: str) -> None:
    env = {**os.environ, "CATALOG_DATABASE_URL": url}
    subprocess.run([str(BIN / "catalog"), "migrate"], cwd=ROOT, env=env, check=True)


def main(argv: list[str]) -> None:
    args = driver.parse(argv)
    with provision() as server:
        url = server.create_database(prefix="catalog_bench")
        print(f"benchmark database: {make_url(url).database} ({server.origin} server)")
        try:
            os.environ.update(
                CATALOG_DATABASE_URL=url,
                BENCH_DATABASE_URL=plain(url),
                CATALOG_JWT_SECRET=secrets.token_urlsafe(48),
            )
            migrate(url)
            started = time.monotonic()
            asyncio.run(database.seed(plain(url)))
            print(f"seeded {database.USERS} users and {database.ITEMS} items "
                  f"in {time.monotonic() - started:.1f}s")  # fmt: skip
            driver.run(args)
        finally:
            server.drop_database(url)
    report.write(args.out / "results.json", ROOT / "bench")


if __name__ == "__main__":
    main(sys.argv[1:])
