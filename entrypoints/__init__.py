"""Composition root and the ways in: HTTP and the command line."""

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _installed_version


def version() -> str:
    """The installed distribution's version (pyproject.toml's)."""
    try:
        return _installed_version("catalog")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"
