"""Shared fixtures for every test folder: PostgreSQL and Redis provisioning (tests/support)."""

pytest_plugins = ["tests.support.postgres", "tests.support.redis"]
