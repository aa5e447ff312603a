"""import-linter keeps the layers: it passes on the real tree and fails on a broken copy."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "application", "adapters", "entrypoints")
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    """Runs lint-imports on the tree at `cwd`, which comes first on the import path."""
    env = {**os.environ, "PYTHONPATH": str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def copy_of_the_tree(into: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(
            ROOT / package, into / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(ROOT / "pyproject.toml", into / "pyproject.toml")
    return into


def test_the_real_tree_keeps_every_contract() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract", "chain"),
    [
        (
            "domain/__init__.py",
            "import sqlalchemy",
            "The core imports no framework BROKEN",
            "domain -> sqlalchemy",
        ),
        (
            "application/__init__.py",
            "import pydantic",
            "The core imports no framework BROKEN",
            "application -> pydantic",
        ),
        (
            "domain/errors.py",
            "import application.ports",
            "Layers: entrypoints > adapters > application > domain BROKEN",
            "domain.errors -> application.ports",
        ),
        (
            "adapters/clock.py",
            "import entrypoints.settings",
            "Layers: entrypoints > adapters > application > domain BROKEN",
            "adapters.clock -> entrypoints.settings",
        ),
    ],
)
def test_a_broken_rule_fails_the_check_and_names_its_contract(
    tmp_path: Path, module: str, line: str, contract: str, chain: str
) -> None:
    tree = copy_of_the_tree(tmp_path)
    with (tree / module).open("a") as source:
        source.write(f"\n{line}  # the break under test\n")
    result = lint_imports(tree)
    assert result.returncode != 0, result.stdout
    assert contract in result.stdout, result.stdout
    assert chain in result.stdout, result.stdout
