"""Tests that the layer rules of SPEC §2 are enforced by the tools, not hoped for."""
