"""Every test runs with its own user cache directory (``XDG_CACHE_HOME``), inherited by the
CLI processes the tests start: ``ses-lsp lint`` caches results per user, and a test must
neither read nor fill the cache of the user running it.

Before any test, the package's byte code is written once (``pytest_configure``)."""

from __future__ import annotations

import compileall
import importlib.util
import os

import pytest


def pytest_configure(config: pytest.Config) -> None:
    """Write ses_lsp's byte code (``__pycache__/*.pyc``) before any test starts a process, as a
    regular (wheel) install has it.

    The tests start hundreds of ``ses-lsp`` and server processes. An editable install from a fresh
    clone has no byte code, and where PYTHONDONTWRITEBYTECODE is set (some CI and sandboxes) no
    process writes it, so each one compiled the whole package from source again: ``ses-lsp lint
    examples/classic`` took 0.78 s instead of 0.38 s, and the suite, in one process on 2 cores,
    852 s (781 s of CPU) instead of 707 s (593 s of CPU). compileall writes even under
    PYTHONDONTWRITEBYTECODE. Only the process that runs first does it:
    pytest-xdist's controller (its workers, which carry PYTEST_XDIST_WORKER, start after this hook
    returns), so no two processes write the same file."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    spec = importlib.util.find_spec("ses_lsp")
    if spec is None or not spec.submodule_search_locations:
        return  # not installed: the tests say so themselves
    for location in spec.submodule_search_locations:
        compileall.compile_dir(location, quiet=1)


@pytest.fixture(autouse=True, scope="session")
def _user_cache_home(tmp_path_factory):
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old
