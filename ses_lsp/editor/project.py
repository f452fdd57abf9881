"""The editor's view of the repository: open documents over the index of the workspace folders.

The language server keeps a :class:`ProjectWorkspace`: the repository model
(:class:`ses_lsp.lint.repository.Repository`) of its workspace folders, built in the background
(:func:`index_folders`) and kept up to date from the file events the client reports
(:func:`apply_file_events`), with the open documents laid over it: an open document's text wins
over the file on disk, whatever its state of saving.  Navigation (definition, references,
rename, :func:`workspace_symbols`), completion of names and the lint's cross-file checks read
it as they read any :class:`~ses_lsp.editor.navigation.Workspace`; names in files that were
never opened come from the index (their summaries), and their text, when an answer needs it
(a rename's quoting, a location's line and column), from the disk.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Protocol

from ses_lsp.document.document import guess_format
from ses_lsp.editor.navigation import Workspace
from ses_lsp.lint.files import SUFFIXES
from ses_lsp.lint.related import fs_path
from ses_lsp.lint.repository import (
    DEFINITION,
    MAX_INDEX_BYTES,
    RULE,
    UNNAMED,
    Occurrence,
    Repository,
    build,
    normalise,
    scan,
    summary_contributions,
    summary_data,
)

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document
    from ses_lsp.lint.cache import Cache
    from ses_lsp.lint.config import Config
    from ses_lsp.lint.rules.names import RuleSetContribution

__all__ = ["MAX_FILES", "OpenDocument", "ProjectWorkspace", "apply_file_events", "index_folders", "workspace_symbols"]

# A workspace folder with more candidate files than this is indexed up to this many (the
# server says so): a home directory opened by mistake must not take the machine.
MAX_FILES = 50_000
# workspace/symbol answers at most this many symbols.
MAX_SYMBOLS = 500


class OpenDocument(Protocol):
    """What the workspace reads of an open document (the server's ``DocState``)."""

    uri: str
    path: str | None
    text: str
    fmt: str
    kind: str | None
    version: int | None

    def document(self) -> Document: ...
    def occurrences(self) -> list[Occurrence]: ...


class ProjectWorkspace(Workspace):
    """The open documents (``open_documents()``: those with a kind) over ``repository``."""

    def __init__(self, open_documents: Callable[[], Iterable[OpenDocument]], repository: Repository) -> None:
        super().__init__()
        self._open = open_documents
        self.repository = repository
        # uri -> (version, kind, summary data): what an open document contributes to rule sets.
        self._summaries: dict[str, tuple[int | None, str | None, dict | None]] = {}

    def _open_keys(self) -> set[str]:
        return {normalise(d.path) for d in self._open() if d.path is not None}

    # -- the lint workspace --

    def documents(self):
        for d in self._open():
            yield d.uri, d.document(), d.kind

    def rule_set_contributions(self, own: str | None) -> Iterator[RuleSetContribution]:
        """What the open documents but ``own`` (a path or URI) and the files of the index that are
        not open say about classic rule sets."""
        mine = normalise(own) if own is not None else None
        open_docs = list(self._open())
        for d in open_docs:
            key = normalise(d.path or d.uri)
            if key == mine:
                continue
            cached = self._summaries.get(d.uri)
            if cached is None or cached[:2] != (d.version, d.kind):
                doc = d.document()
                cached = (d.version, d.kind, summary_data(doc.root, d.kind, doc.text))
                self._summaries[d.uri] = cached
            data = cached[2]
            if data is not None and data["sets"]:
                yield from summary_contributions(d.uri, d.occurrences(), data["sets"])
        skip = {normalise(d.path) for d in open_docs if d.path is not None}
        if mine is not None:
            skip.add(mine)
        yield from self.repository.rule_set_contributions(None, skip=skip)

    def pipeline_definitions(self, own: str | None) -> Iterator[Occurrence]:
        """The Mail Manager pipeline resources the open documents but ``own`` and the files of the
        index that are not open define (what SES708 reads)."""
        mine = normalise(own) if own is not None else None
        open_docs = list(self._open())
        for d in open_docs:
            if normalise(d.path or d.uri) == mine:
                continue
            for o in d.occurrences():
                if o.facet is not None and o.role == DEFINITION:
                    yield o
        skip = {normalise(d.path) for d in open_docs if d.path is not None}
        if mine is not None:
            skip.add(mine)
        yield from self.repository.pipeline_definitions(None, skip=skip)

    # -- navigation --

    def uris(self) -> list[str]:
        open_docs = list(self._open())
        skip = {normalise(d.path) for d in open_docs if d.path is not None}
        return [d.uri for d in open_docs] + [n for n, _s in self.repository.summaries(skip=skip)]

    def text_of(self, uri: str) -> tuple[str, str] | None:
        for d in self._open():
            if d.uri == uri:
                return d.text, d.fmt
        return read_text(uri)

    def all_occurrences(self) -> Iterator[Occurrence]:
        open_docs = list(self._open())
        for d in open_docs:
            yield from d.occurrences()
        skip = {normalise(d.path) for d in open_docs if d.path is not None}
        yield from self.repository.occurrences(skip=skip)


def read_text(uri: str) -> tuple[str, str] | None:
    """The text and format of a file of the workspace that is not open (None: unreadable)."""
    path = fs_path(uri)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_INDEX_BYTES + 1)
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text, guess_format(path, text)


def workspace_symbols(workspace: Workspace, query: str) -> list[Occurrence]:
    """The definitions whose names match ``query`` (its characters in order, case ignored; every
    definition for an empty query), rules first, then by name; at most :data:`MAX_SYMBOLS`."""
    q = query.lower()
    found: list[Occurrence] = []
    for o in workspace.all_occurrences():
        if o.role != DEFINITION or o.facet == UNNAMED:
            continue
        if q and not _subsequence(q, o.name.lower()):
            continue
        found.append(o)
    found.sort(key=lambda o: (o.symbol != RULE, not o.name.lower().startswith(q), o.name, o.uri or "", o.start))
    return found[:MAX_SYMBOLS]


def _subsequence(q: str, name: str) -> bool:
    i = 0
    for c in name:
        if c == q[i]:
            i += 1
            if i == len(q):
                return True
    return False


def index_folders(
    folders: list[str],
    config_for: Callable[[str], Config],
    name_of: Callable[[str], str],
    *,
    cache: Cache | None = None,
    jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    max_files: int = MAX_FILES,
) -> tuple[Repository, int]:
    """A new repository of ``folders`` (paths), and how many candidate files were left out
    beyond ``max_files``.  Runs anywhere (the server calls it in a thread); nothing of it is
    shared until it returns."""
    repo = Repository(folders[0] if folders else None, name_of)
    files: list[str] = []
    seen: set[str] = set()
    for folder in folders:
        for f in scan(folder, config_for(os.path.join(folder, "-"))):
            if f not in seen:
                seen.add(f)
                files.append(f)
    left_out = max(0, len(files) - max_files)
    files = files[:max_files]
    build(
        folders[0] if folders else ".",
        config_for=config_for,
        cache=cache,
        jobs=jobs,
        files=files,
        progress=progress,
        repository=repo,
    )
    return repo, left_out


# File events (workspace/didChangeWatchedFiles): the LSP's FileChangeType values.
CREATED, CHANGED, DELETED = 1, 2, 3


def apply_file_events(
    repository: Repository,
    events: Iterable[tuple[str, int]],
    config_for: Callable[[str], Config],
    folders: list[str],
    cache: Cache | None = None,
) -> bool:
    """Re-index the files of ``events`` (``(path, change type)``) that are in ``folders``: one
    file read and summarised per event.  Returns whether the repository changed."""
    before = repository.generation
    roots = [os.path.normcase(os.path.abspath(f)).rstrip(os.sep) + os.sep for f in folders]
    for path, change in events:
        if not path.lower().endswith(SUFFIXES):
            continue
        key = normalise(path)
        if not any(key.startswith(r) for r in roots):
            continue
        if change == DELETED or not os.path.isfile(path):
            repository.remove(path)
            continue
        config = config_for(path)
        if (config.include or config.exclude) and not config.in_repository(path):
            repository.remove(path)
            continue
        repository.update(path, config, cache=cache)
    return repository.generation != before
