"""Shared fixtures for every test folder: PostgreSQL and pgbouncer (see tests/support)."""

pytest_plugins = ["tests.support.postgres", "tests.support.pgbouncer"]
