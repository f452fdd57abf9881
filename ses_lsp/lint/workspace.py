"""The other documents a lint can see: what the engine's ``workspace=`` receives.

Cross-file rules (a reference to a classic rule another document defines, see
:mod:`ses_lsp.lint.rules.names`) read :meth:`Workspace.documents`.  The CLI builds one from
the files of a run; the language server's (an :class:`ses_lsp.editor.navigation.Workspace`,
which adds the rule-name index its navigation uses) holds the open documents.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the CLI imports this module)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import TypeAlias

    from ses_lsp.document.document import Document

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
