"""Debian's `prometheus` and `promtool` for tests (scripts/ensure-prometheus, run by
`make test`, installs them). Without them the tests that need them skip, loudly, or fail
when CI=true. Request `prometheus_binaries` for the directory that holds both."""

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENSURE = ROOT / "scripts" / "ensure-prometheus"
RULES = ROOT / "deploy" / "prometheus" / "rules.yml"
RULES_TEST = ROOT / "deploy" / "prometheus" / "rules_test.yml"
BIN = Path("/usr/bin")


@pytest.fixture(scope="session")
def prometheus_binaries() -> Path:
    """/usr/bin, once it holds `prometheus` and `promtool` (installed when missing)."""
    if not all((BIN / name).exists() for name in ("prometheus", "promtool")):
        installed = subprocess.run([ENSURE], capture_output=True, text=True, timeout=600)
        if installed.returncode != 0 and os.environ.get("CI") != "true":
            pytest.skip(f"prometheus is not installed: {installed.stderr.strip()}")
        assert installed.returncode == 0, installed.stderr
    return BIN
