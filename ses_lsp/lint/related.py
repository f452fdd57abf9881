"""The other files that related locations point at (``Related.file``: a rule defined in another
document of the workspace), read for their lines: a location's offsets become lines and
columns there.  One reader per lint result, so each file is read once.

A document is named by its path (the CLI) or by a ``file:`` URI (the language server's
workspace); :func:`fs_path` gives the path of either.
"""

from __future__ import annotations

from collections.abc import Callable

from ses_lsp.document.nodes import LineIndex


def fs_path(name: str) -> str:
    """The file system path of a document name: a path, or a ``file:`` URI."""
    if name.startswith("file:"):
        from urllib.parse import unquote, urlparse
        from urllib.request import url2pathname

        return url2pathname(unquote(urlparse(name).path))
    return name


class RelatedFiles:
    """Line indexes of other files, by document name: the editor's text when it has the file
    open (it may not be saved), else the file's text on disk; None when it cannot be read."""

    def __init__(self, open_lines: Callable[[str], LineIndex | None] | None = None) -> None:
        self._open_lines = open_lines
        self._memo: dict[str, LineIndex | None] = {}

    def lines(self, name: str) -> LineIndex | None:
        if name not in self._memo:
            found = self._open_lines(name) if self._open_lines is not None else None
            if found is None:
                try:
                    with open(fs_path(name), encoding="utf-8", errors="replace") as fh:
                        found = LineIndex(fh.read())
                except (OSError, ValueError):
                    found = None
            self._memo[name] = found
        return self._memo[name]
