"""Every test runs with its own user cache directory (``XDG_CACHE_HOME``), inherited by the
CLI processes the tests start: ``ses-lsp lint`` caches results per user, and a test must
neither read nor fill the cache of the user running it."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True, scope="session")
def _user_cache_home(tmp_path_factory):
    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old
