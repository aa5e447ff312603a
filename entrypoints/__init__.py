"""Composition root and the ways in: HTTP and the command line."""
