"""The other documents a lint can see: what the engine's ``workspace=`` receives.

Cross-file rules (a reference to a classic rule another document defines, see
:mod:`ses_lsp.lint.rules.names`; a reference to a Mail Manager pipeline resource, see
:mod:`ses_lsp.lint.rules.pipeline`) read the other documents through :func:`other_documents`,
unless the workspace is a repository (:class:`ses_lsp.lint.repository.Repository`, the CLI's;
:class:`ses_lsp.editor.project.ProjectWorkspace`, the language server's), which answers from
its files' summaries.  What is a name or a reference, and how they match, is the repository
model's table (:data:`ses_lsp.lint.repository.NAME_SITES`).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the CLI imports this module)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import TypeAlias

    from ses_lsp.document.document import Document
    from ses_lsp.document.nodes import Node

    Entry: TypeAlias = tuple[str, Document, str | None]  # (path or URI, document, kind)


class Workspace:
    """Documents with their names and kinds.

    ``documents()`` yields ``(path or URI, Document, kind)`` for each document.  Build one
    from a list (``Workspace([(uri, doc, kind), ...])``) or a callable returning such an
    iterable (read again on each call).
    """

    def __init__(self, entries: Iterable[Entry] | Callable[[], Iterable[Entry]] | None = None) -> None:
        self._source: Callable[[], Iterable[Entry]] | None = None
        self._entries: dict[str, tuple[Document, str | None]] = {}
        if callable(entries):
            self._source = entries
        elif entries is not None:
            for uri, doc, kind in entries:
                self._entries[uri] = (doc, kind)

    def add(self, uri: str, document: Document, kind: str | None) -> None:
        self._entries[uri] = (document, kind)

    def remove(self, uri: str) -> None:
        self._entries.pop(uri, None)

    def documents(self) -> Iterator[Entry]:
        if self._source is not None:
            yield from self._source()
            return
        for uri, (doc, kind) in list(self._entries.items()):
            yield uri, doc, kind


# -- the other documents of a lint ------------------------------------------------------------


def other_documents(
    workspace: object | None, own: Document, own_path: str | None
) -> Iterator[tuple[str | None, Node, str]]:
    """``(path or URI, root object, kind)`` of every document of ``workspace`` but ``own`` (the
    document being linted, also when the workspace holds it under ``own_path``)."""
    docs = getattr(workspace, "documents", None) if workspace is not None else None
    if docs is None:
        return
    for entry in docs():
        try:
            path, doc, kind = entry
        except (TypeError, ValueError):
            continue
        if doc is None or doc is own or same_path(path, own_path) or not kind:
            continue
        root = getattr(doc, "root", None)
        if root is None or root.kind != "object":
            continue
        yield path, root, kind


def _norm_path(p: str) -> str:
    """A comparable form of a file path or ``file:`` URI (the server names documents by URI)."""
    import os

    from ses_lsp.lint.related import fs_path

    return os.path.normcase(os.path.abspath(fs_path(p)))


def same_path(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    if a == b:
        return True
    try:
        return _norm_path(a) == _norm_path(b)
    except (TypeError, ValueError, OSError):  # pragma: no cover - odd paths
        return False
