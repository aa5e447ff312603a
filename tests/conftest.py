"""Shared fixtures for every test folder: PostgreSQL provisioning (see tests/support)."""

pytest_plugins = ["tests.support.postgres", "tests.support.nats"]
