"""The rule files a routing test names (``RuleFiles``): which exist, which rule set they hold,
and the names of its rules.

Read by the routing-test lint rules (``ses_lsp.lint.rules.routing``), by completion (rule
names inside expectations) and by ``ses-lsp test``.  Paths are relative to the routing-test
file's directory; a directory stands for the documents in it (walked as ``ses-lsp lint``
walks one).  A document open in the editor is read from the editor (the lint's workspace),
any other from disk; what a file holds is remembered while its size and modification time
stay the same.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ses_lsp.document.document import Document
from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.lint.config import config_for
from ses_lsp.lint.files import discover, read_file, stamp
from ses_lsp.lint.kinds import detect_kind, modeline_kind, resolve_kind_name
from ses_lsp.lint.rules.common import CLASSIC_RULE_KINDS, MM_RULE_SET_KINDS

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from collections.abc import Iterable

RULE_SET_KINDS = CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS


@dataclass(frozen=True)
class RuleSetFile:
    """A document holding a rule set (or a single classic receipt rule)."""

    path: str
    kind: str
    names: tuple[str, ...]  # its rules' names as the evaluation model gives them ("#N" for a rule without one)

    @property
    def service(self) -> str:
        return "mailmanager" if self.kind in MM_RULE_SET_KINDS else "ses"


@dataclass
class Referenced:
    """What the ``RuleFiles`` entries of a routing test lead to."""

    base: str  # the directory the entries are relative to
    missing: list[tuple[str, Node]] = field(default_factory=list)  # (entry, its node): no such file or directory
    rule_sets: list[RuleSetFile] = field(default_factory=list)

    @property
    def rule_set(self) -> RuleSetFile | None:
        """The rule set, when the files hold exactly one (as ``ses-lsp test`` needs)."""
        return self.rule_sets[0] if len(self.rule_sets) == 1 and not self.missing else None


def base_directory(doc_path: str | None) -> str:
    """The directory a routing test's paths are relative to (the current one for an unnamed document)."""
    return os.path.dirname(os.path.abspath(doc_path)) if doc_path else os.getcwd()


def entry_path(base: str, entry: str) -> str:
    return os.path.normpath(os.path.join(base, entry))


def walk(directory: str) -> list[str]:
    """The JSON and YAML files under ``directory``, in ``ses-lsp lint``'s order."""
    targets, _ = discover([directory])
    return [t.path for t in targets if t.path is not None]


def resolve(doc_path: str | None, entries: Iterable[tuple[str, Node]], workspace: object | None = None) -> Referenced:
    """Follow ``entries`` (``(path as written, node)``) from the routing test at ``doc_path``."""
    out = Referenced(base_directory(doc_path))
    open_docs = _open_documents(workspace)
    for entry, node in entries:
        path = entry_path(out.base, entry)
        if os.path.isdir(path):
            files = walk(path)
        elif os.path.exists(path) or os.path.normcase(path) in open_docs:
            files = [path]
        else:
            out.missing.append((entry, node))
            continue
        for f in files:
            found = _rule_set_file(f, open_docs)
            if found is not None and found not in out.rule_sets:
                out.rule_sets.append(found)
    return out


def dependencies(doc_path: str | None, root: Node | None) -> list[list]:
    """``[path, size, mtime_ns]`` of each file and directory a routing test's ``RuleFiles`` reach
    (``-1`` for a path that does not exist): a cached lint of the test is valid while these stay
    the same (:func:`ses_lsp.lint.files.unchanged`; see :func:`ses_lsp.lint.runner.make_record`)."""
    entries = _entries(root)
    if not entries:
        return []
    base = base_directory(doc_path)
    out: list[list] = []
    for entry in entries:
        path = entry_path(base, entry)
        out.append(stamp(path))
        if os.path.isdir(path):
            out.extend(stamp(f) for f in walk(path))
    return out


def _entries(root: Node | None) -> list[str]:
    if root is None or root.kind != OBJECT:
        return []
    files = root.get("RuleFiles")
    if files is None or files.kind != ARRAY:
        return []
    return [n.str_value for n in files.list_value if n.kind == STRING and n.str_value]


# -- reading one file ------------------------------------------------------------------------

_MEMO: dict[tuple[str, int, int], RuleSetFile | None] = {}
_MEMO_LIMIT = 256


def _open_documents(workspace: object | None) -> dict[str, tuple[Document, str | None]]:
    """The editor's documents by normalised path (none outside the editor)."""
    out: dict[str, tuple[Document, str | None]] = {}
    documents = getattr(workspace, "documents", None)
    if documents is None:
        return out
    for _uri, doc, kind in documents():
        if doc.path:
            out[os.path.normcase(os.path.abspath(doc.path))] = (doc, kind)
    return out


def _rule_set_file(path: str, open_docs: dict[str, tuple[Document, str | None]]) -> RuleSetFile | None:
    opened = open_docs.get(os.path.normcase(path))
    if opened is not None:
        doc, kind = opened
        return _read(path, doc, kind)
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # (ValueError: a name no file system takes: NUL, a lone surrogate)
        return None
    key = (path, st.st_size, st.st_mtime_ns)
    if key in _MEMO:
        return _MEMO[key]
    try:
        text = read_file(path).decode("utf-8")
    except (OSError, ValueError):  # (a decoding error is a ValueError)
        return None
    found = _read(path, Document(text, path), None)
    if len(_MEMO) >= _MEMO_LIMIT:
        _MEMO.clear()
    _MEMO[key] = found
    return found


def document_kind(path: str, doc: Document) -> str | None:
    """The kind of the document at ``path`` as a lint decides it (configuration, modeline, content)."""
    kind = config_for(os.path.dirname(path)).kind_for(path)
    if kind is None and doc.parsed.comments:
        found = modeline_kind(doc.parsed.comments)
        kind = resolve_kind_name(found[0]) if found is not None else None
    if kind is None:
        kind = detect_kind(doc.root)
    return kind


def _read(path: str, doc: Document, kind: str | None) -> RuleSetFile | None:
    """The rule set in ``doc``: its kind as a lint decides it (configuration, modeline, content)."""
    root = doc.root
    if kind is None:
        kind = document_kind(path, doc)
    if kind not in RULE_SET_KINDS or root is None or root.kind != OBJECT:
        return None
    return RuleSetFile(path, kind, tuple(rule_names(root)))


def rule_entries(root: Node) -> list[Node]:
    """The rule entries of a rule set (``Rules``) or of a single receipt rule document (``Rule``),
    in order; entries of any kind (a caller skips those that are not objects)."""
    single = root.get("Rule")
    if single is not None:
        return [single]
    node = root.get("Rules")
    return node.list_value if node is not None and node.kind == ARRAY else []


def rule_names(root: Node) -> list[str]:
    """The names of a rule set's rules (or a single receipt rule's), as the evaluation model
    names them: the ``Name``, else ``#N`` (1-based)."""
    from ses_lsp.semantics.evaluate import rule_name

    out = []
    for i, r in enumerate(rule_entries(root)):
        if r.kind != OBJECT:
            continue
        name = r.get("Name")
        out.append(rule_name(name.str_value if name is not None and name.kind == STRING else None, i))
    return out
