"""The static checks run with the tests: mypy on the package, ruff's lint and ruff's format check.

Each runs as its own process from the repository root, with the settings of pyproject.toml
([tool.mypy], [tool.ruff]) and the exact versions the ``test`` extra pins, so a type error,
a lint finding or an unformatted file fails the suite like any other test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

CHECKS = {
    "mypy": ["mypy", "ses_lsp"],
    "ruff-check": ["ruff", "check", "."],
    "ruff-format": ["ruff", "format", "--check", "."],
}


@pytest.mark.parametrize("args", CHECKS.values(), ids=CHECKS.keys())
def test_static_check_passes(args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
    )
    assert proc.returncode == 0, (
        f"`python -m {' '.join(args)}` exited with {proc.returncode}:\n{proc.stdout}{proc.stderr}"
    )
