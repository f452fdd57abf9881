"""Code lenses of a rule set: how many routing-test mails reach each rule.

The routing tests are the files of the workspace folders that the configuration's
``routing-tests`` globs make routing tests (``*.routing.yaml`` by default), found by the walk
``ses-lsp test`` does, plus the routing-test documents open in the editor.  Those whose
``RuleFiles`` name the rule set (the file, or a directory holding it) count: each case's mail
is run through the rule set's current text (with the IP filters, traffic policy and ingress
point the test names, read as ``ses-lsp test`` reads them) by the evaluation model, and a rule
counts a mail when the trace shows the mail reaching it (the rule is considered and matches
one of its recipients).

Editor independent: the caller says which documents are open (:class:`OpenDocuments`) and
gets offsets and titles back.  Results are remembered per rule set version: they are computed
again when the rule set's text, a routing test, a rule file or a mail file it reads changes
(open documents by version, others by size and modification time), or when the list of
routing-test files changes (the walk is repeated at most every :data:`WALK_SECONDS`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ses_lsp.document.document import Document
from ses_lsp.document.nodes import OBJECT, STRING, Node
from ses_lsp.lint.files import discover, read_file, stamp
from ses_lsp.lint.rules.common import (
    CLASSIC_FILTER_KINDS,
    CLASSIC_RULE_KINDS,
    MM_INGRESS_KINDS,
    MM_RULE_SET_KINDS,
    MM_TRAFFIC_POLICY_KINDS,
)
from ses_lsp.routing_files import base_directory, document_kind, entry_path, rule_entries, walk
from ses_lsp.routing_run import case_mail
from ses_lsp.schema import ROUTING_TEST_KIND
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics.mail import Mail
from ses_lsp.semantics.routing import read_routing
from ses_lsp.simulate import InputError, load_mail

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.lint.config import Config

__all__ = ["OpenDocuments", "RoutingLenses", "RuleLens"]

RULE_SET_KINDS = CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS
WALK_SECONDS = 2.0  # how long a walk of the workspace folders for routing-test files is reused


class OpenDocuments(Protocol):
    """The editor's documents, by normalised absolute path."""

    def version(self, path: str) -> object | None:
        """A token that changes with the open document's text (None: not open)."""

    def document(self, path: str) -> tuple[Document, str | None] | None:
        """The open document and its kind (None: not open)."""

    def routing_tests(self) -> Iterable[str]:
        """The paths of the open routing-test documents."""


@dataclass(frozen=True)
class RuleLens:
    """One rule's lens: where it goes (offsets of the rule's first member), and its counts."""

    rule_index: int
    start: int
    end: int
    reached: int  # mails that reach the rule
    total: int  # mails of the routing tests that name the rule set
    cases: tuple[str, ...] = ()  # "file:line: case name" of the mails that reach it

    @property
    def title(self) -> str:
        noun = "mail" if self.total == 1 else "mails"
        verb = "reaches" if self.total == 1 else "reach"
        return f"{self.reached} of {self.total} routing-test {noun} {verb} this rule"


def norm(path: str) -> str:
    return os.path.normcase(os.path.abspath(path))


@dataclass
class _Result:
    key: tuple
    tests: tuple[str, ...]
    deps: list[tuple[str, Any]]
    lenses: list[RuleLens]


@dataclass
class _Loaded:
    """What the lenses of one rule set read: files with their version tokens."""

    deps: list[tuple[str, Any]] = field(default_factory=list)


class RoutingLenses:
    """The code lenses of rule set documents (one instance per server)."""

    def __init__(self, config_for: Callable[[str], Config]) -> None:
        self.config_for = config_for
        self._results: dict[str, _Result] = {}
        self._walk: tuple[float, tuple[str, ...], tuple[str, ...]] | None = None  # (when, folders, files)
        self._disk_docs: dict[str, tuple[list, Document]] = {}

    def forget_walk(self) -> None:
        """Walk the workspace folders again at the next request (a file was created or deleted)."""
        self._walk = None

    # -- finding the routing tests ---------------------------------------------------------------

    def routing_test_files(self, folders: list[str], open_docs: OpenDocuments) -> tuple[str, ...]:
        """The routing-test files of the workspace folders and the open routing-test documents."""
        now = time.monotonic()
        walk = self._walk
        key = tuple(folders)
        if walk is None or walk[1] != key or now - walk[0] > WALK_SECONDS:
            found: list[str] = []
            for folder in folders:
                if not os.path.isdir(folder):
                    continue
                targets, _ = discover([folder])
                for t in targets:
                    if t.path is None:
                        continue
                    try:
                        kind = self.config_for(os.path.dirname(os.path.abspath(t.path))).kind_for(t.path)
                    except Exception:  # a broken configuration file: no routing tests there
                        kind = None
                    if kind == ROUTING_TEST_KIND:
                        found.append(norm(t.path))
            walk = self._walk = (now, key, tuple(found))
        files = dict.fromkeys(walk[2])
        for p in open_docs.routing_tests():
            files[norm(p)] = None
        return tuple(sorted(files))

    # -- the lenses ------------------------------------------------------------------------------

    def lenses(
        self,
        path: str,
        doc: Document,
        kind: str,
        version: object,
        folders: list[str],
        open_docs: OpenDocuments,
    ) -> list[RuleLens]:
        """The lenses of the rule set document at ``path`` (its current text ``doc``)."""
        if kind not in RULE_SET_KINDS or doc.root is None:
            return []
        path = norm(path)
        tests = self.routing_test_files(folders, open_docs)
        key = (version, kind, id(doc))
        old = self._results.get(path)
        if old is not None and old.key == key and old.tests == tests and self._unchanged(old.deps, open_docs):
            return old.lenses
        loaded = _Loaded()
        lenses = self._compute(path, doc, kind, tests, open_docs, loaded)
        if len(self._results) > 64:
            self._results.clear()
        self._results[path] = _Result(key, tests, loaded.deps, lenses)
        return lenses

    def _unchanged(self, deps: list[tuple[str, Any]], open_docs: OpenDocuments) -> bool:
        for p, token in deps:
            v = open_docs.version(p)
            if v is not None:
                if token != ("open", v):
                    return False
            elif token != ("disk", stamp(p)):
                return False
        return True

    def _read(self, path: str, open_docs: OpenDocuments, loaded: _Loaded) -> tuple[Document, str | None] | None:
        """A document, from the editor when it is open, else from disk (remembered by stamp)."""
        opened = open_docs.document(path)
        if opened is not None:
            loaded.deps.append((path, ("open", open_docs.version(path))))
            doc, kind = opened
            return doc, kind if kind is not None else document_kind(path, doc)
        st = stamp(path)
        loaded.deps.append((path, ("disk", st)))
        if st[1] < 0:
            return None
        hit = self._disk_docs.get(path)
        if hit is not None and hit[0] == st:
            d = hit[1]
        else:
            try:
                d = Document(read_file(path).decode("utf-8"), path)
            except (OSError, ValueError):
                return None
            if len(self._disk_docs) > 256:
                self._disk_docs.clear()
            self._disk_docs[path] = (st, d)
        return d, document_kind(path, d)

    def _compute(
        self, path: str, doc: Document, kind: str, tests: tuple[str, ...], open_docs: OpenDocuments, loaded: _Loaded
    ) -> list[RuleLens]:
        positions = _rule_positions(doc.root)
        if not positions:
            return []
        reached: dict[int, list[str]] = {i: [] for i, _, _ in positions}
        total = 0
        for test_path in tests:
            got = self._read(test_path, open_docs, loaded)
            if got is None or got[1] != ROUTING_TEST_KIND or got[0].root is None or got[0].root.kind != OBJECT:
                continue
            tdoc = got[0]
            routing = read_routing(tdoc.root)
            setup = self._setup_for(test_path, routing.rule_files, path, doc, kind, open_docs, loaded)
            if setup is None:
                continue
            verified = list(self.config_for(os.path.dirname(path)).verified_domains) or None
            for case in routing.cases:
                line = tdoc.lines.position(case.node.start)[0] + 1
                where = f"{os.path.basename(test_path)}:{line}"
                mail = self._mail(test_path, where, case, verified, loaded)
                if mail is None:
                    continue
                total += 1
                for i in _reached(setup, mail):
                    if i in reached:
                        reached[i].append(f"{where}: {case.name}")
        if total == 0:
            return []
        return [RuleLens(i, s, e, len(reached[i]), total, tuple(reached[i])) for i, s, e in positions]

    def _setup_for(
        self,
        test_path: str,
        entries: list[tuple[str, Node]],
        path: str,
        doc: Document,
        kind: str,
        open_docs: OpenDocuments,
        loaded: _Loaded,
    ) -> Any:
        """The evaluation model's setup of a routing test whose RuleFiles name the rule set at
        ``path`` (its other rule files read as ``ses-lsp test`` reads them), else None."""
        base = base_directory(test_path)
        files: list[str] = []
        for entry, _node in entries:
            p = entry_path(base, entry)
            if os.path.isdir(p):
                loaded.deps.append((norm(p), ("disk", stamp(p))))
                files += [norm(f) for f in walk(p)]
            else:
                files.append(norm(p))
        if path not in files:
            return None
        filters: list[tuple[Node | None, object]] = []
        roles: dict[str, tuple[Node | None, str]] = {}
        for f in files:
            if f == path:
                continue
            got = self._read(f, open_docs, loaded)
            if got is None:
                continue
            other, okind = got
            if okind in RULE_SET_KINDS:
                return None  # (two rule sets: `ses-lsp test` refuses the test)
            if okind in CLASSIC_FILTER_KINDS:
                filters.append((other.root, f))
            elif okind in MM_TRAFFIC_POLICY_KINDS:
                roles.setdefault("policy", (other.root, f))
            elif okind in MM_INGRESS_KINDS:
                roles.setdefault("ingress", (other.root, f))
        if kind in MM_RULE_SET_KINDS:
            policy = roles.get("policy", (None, ""))
            ingress = roles.get("ingress", (None, ""))
            return ev.MailManagerSetup.from_documents(doc.root, path, policy[0], policy[1], ingress[0], ingress[1])
        return ev.ClassicSetup.from_documents(doc.root, path, filters)

    def _mail(self, test_path: str, where: str, case: Any, verified: list[str] | None, loaded: _Loaded) -> Mail | None:
        """The case's mail (None when it cannot be used: ``ses-lsp test`` reports why)."""
        base = base_directory(test_path)

        def load(p: str, v: list[str] | None, label: str) -> Mail:
            loaded.deps.append((norm(p), ("disk", stamp(norm(p)))))
            return load_mail(p, v, label, report=_ignore)

        if isinstance(case.mail, Node) and case.mail.kind == OBJECT:
            eml = case.mail.get("Message")
            if eml is not None and eml.kind == STRING:
                p = norm(os.path.join(base, eml.str_value))
                loaded.deps.append((p, ("disk", stamp(p))))
        try:
            return case_mail(where, base, case, verified, load)[0]
        except InputError:
            return None


def _ignore(_text: str) -> None:
    pass


def _reached(setup: Any, mail: Mail) -> set[int]:
    """The rules (indexes in Rules) the mail reaches for some recipient: considered, and matching.

    SES classic without explaining every rule: an accepted recipient reaches the enabled rules
    that match it up to the rule where its evaluation stopped (that one included), the same
    rules :func:`ses_lsp.semantics.witness.reaching_recipient` finds in an explained trace
    (tests/test_routing_lens.py checks both agree)."""
    out: set[int] = set()
    if isinstance(setup, ev.MailManagerSetup):
        trace = ev.evaluate_mailmanager(setup, mail, True)
        for r in trace.recipients:
            out.update(s.rule_index for s in r.steps if s.matched)
        return out
    trace = ev.evaluate_classic(setup, mail, False)
    rules = setup.rules
    for r in trace.recipients:
        if not r.accepted:
            continue
        last = r.stopped_by.rule_index if r.stopped_by is not None else None
        for pos in setup.index.matching(r.address, catch_all=True):
            index = rules[pos].index
            if last is None or index <= last:
                out.add(index)
    return out


def _rule_positions(root: Node | None) -> list[tuple[int, int, int]]:
    """(index in Rules, start, end) of each rule: its Name value, else the rule itself."""
    if root is None or root.kind != OBJECT:
        return []
    out = []
    for i, r in enumerate(rule_entries(root)):
        if r.kind != OBJECT:
            continue
        name = r.get("Name")
        target = name if name is not None and name.kind == STRING else r
        out.append((i, target.start, target.end))
    return out
