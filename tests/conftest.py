"""Shared fixtures for every test folder: PostgreSQL, pgbouncer, NATS, Redis, Prometheus."""

pytest_plugins = [
    "tests.support.postgres",
    "tests.support.pgbouncer",
    "tests.support.nats",
    "tests.support.redis",
    "tests.support.prometheus",
    "tests.support.tracing",
]
