"""Shared fixtures for every test folder: PostgreSQL, pgbouncer and Redis (see tests/support)."""

pytest_plugins = ["tests.support.postgres", "tests.support.pgbouncer", "tests.support.redis"]
