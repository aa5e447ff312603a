"""Catalog's domain: entities, value rules, errors and events, in plain Python."""
