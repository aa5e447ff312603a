"""Shared fixtures for every test folder: PostgreSQL, pgbouncer and NATS (see tests/support)."""

pytest_plugins = ["tests.support.postgres", "tests.support.pgbouncer", "tests.support.nats"]
