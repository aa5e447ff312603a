"""Catalog's use cases and the ports they need; depends on `domain` only."""
