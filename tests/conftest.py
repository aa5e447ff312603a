"""Shared fixtures for every test folder: PostgreSQL, pgbouncer, NATS and Redis (tests/support)."""

pytest_plugins = [
    "tests.support.postgres",
    "tests.support.pgbouncer",
    "tests.support.nats",
    "tests.support.redis",
]
