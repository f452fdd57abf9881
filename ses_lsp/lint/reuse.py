"""Reusing what the per-rule checks said about the rules an edit did not touch.

A rule set (classic or Mail Manager) is a list of rules, ``Rules``.  Many semantic
rules look at one rule of the set at a time: what they report about rule *i* depends on
rule *i* alone.  Those are marked ``per_rule`` (:class:`~ses_lsp.lint.registry.Rule`),
a contract each of them keeps:

* examining rule *i* (its object in ``Rules``), the check reports only on nodes of rule
  *i*, with related locations and fix edits inside rule *i*'s lines;
* what it reports depends only on rule *i*'s text and index (a message may name the
  rule's index or quote its ``Name``; a pointer holds the index), on the configuration,
  the document's kind and format, and on what the schema pass reported inside rule *i*;
* it reaches the rules of the set only through the helpers of
  :mod:`ses_lsp.lint.rules.common` that honour :attr:`LintContext.rule_items`
  (``classic_rule_nodes``, ``classic_model``, ``mm_rule_nodes`` and those built on them).

A :class:`LintMemo` keeps, for each rule of the set, the per-rule checks' diagnostics
with the text of the rule's lines (from the start of its first line to the end of its
last, line break included) and its index.  The next lint of the same document (the
language server's, after an edit) runs the per-rule checks only on the rules whose
lines, index or schema diagnostics changed (:attr:`LintContext.rule_items`) and takes
the others' diagnostics from the memo, moved by as many characters as the rule's
lines moved.  The result is the one a full lint gives (tests/test_reuse.py compares
them after random edits).

Why (issue 10, section 2): a 200-rule set whose rules each list a domain and seven
addresses at it carries 1,447 legitimate infos; re-checking every rule and re-building every
diagnostic after a one-character edit made the language server's edit cost 2.8 times that of
the same set with 47 diagnostics (48 ms against 17 ms in process), growing with the number of
diagnostics.  With the memo an edit re-checks one rule.  Measured both ways (in process and
with benchmarks/bench_server.py; see the commit messages).

Nothing is reused, and the memo is emptied, for a document that is not a rule set, YAML with
anchors and aliases (a rule's values may come from another rule), a document holding
credentials (their masking, ses_lsp.lint.secrets, rewrites diagnostics in place) and a change
of kind, format, configuration or per-rule checks.  A rule sharing a line with another
("}, {") or whose lines are far longer than the rule (minified JSON) is never remembered:
checked every time.  A per-rule check that fails, or reports outside the rules it was given,
gets every rule checked and the memo emptied.  (A partial parse runs no semantic rule: the
memo waits for the next complete one.)
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from ses_lsp.document.nodes import ARRAY, OBJECT
from ses_lsp.lint.diagnostics import Diagnostic, Fix, Related, TextEdit

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document
    from ses_lsp.document.nodes import Node

# A rule whose lines hold more than this many characters besides the rule itself is not
# remembered (its key would copy much of the document: several rules share a line).
MAX_EXTRA = 256


class LintMemo:
    """What the per-rule checks reported about each rule of one document's rule set, for
    the next lint of that document (see the module docstring).  One per document: the
    language server keeps one for each open document."""

    __slots__ = ("context", "rules", "reused", "checked", "origins")

    def __init__(self) -> None:
        # What every remembered result depends on besides the rule itself: kind, format,
        # configuration, the per-rule checks that ran.
        self.context: tuple | None = None
        # (index, length of the rule's lines, its schema spans) -> (start of its lines, their text,
        # its diagnostics).  (The text is compared in place, not sliced and hashed for the key.)
        self.rules: dict[tuple, tuple[int, str, list[Diagnostic]]] = {}
        # Of the last lint: how many rules' diagnostics were reused and how many rules were checked.
        self.reused = 0
        self.checked = 0
        # Of the last lint: id(diagnostic) -> (the diagnostic of the lint before, characters moved)
        # for each diagnostic reused from it at another offset (a copy; one reused where it was is
        # the same object).  The same text moved: consumers may move what they derived from it.
        self.origins: dict[int, tuple[Diagnostic, int]] = {}

    def clear(self) -> None:
        self.context = None
        self.rules = {}
        self.origins = {}


def rule_set_items(root: Node | None) -> list[Node] | None:
    """The items of a rule set's ``Rules`` list, or None (not a rule set)."""
    if root is None or root.kind != OBJECT:
        return None
    rules = root.dict_value.get("Rules")
    if rules is None or rules.kind != ARRAY:
        return None
    return rules.list_value


def usable(document: Document) -> bool:
    """Can per-rule results of this document be remembered and reused (YAML anchors and
    aliases make one rule's values another's)?"""
    text = document.text
    return not (document.format == "yaml" and "&" in text and "*" in text)


class Plan:
    """The rules of one lint: which to check, and the remembered diagnostics of the others."""

    __slots__ = ("text", "keys", "regions", "dirty", "reused")

    def __init__(self, text: str) -> None:
        self.text = text
        self.keys: list[tuple | None] = []  # per item: its memo key (None: never remembered)
        self.regions: list[tuple[int, int]] = []  # per item: its lines (start, end)
        self.dirty: list[int] = []  # items to check
        self.reused: list[list[Diagnostic]] = []  # per item: remembered diagnostics (moved), or []


def plan(memo: LintMemo, context: tuple, document: Document, items: list[Node], earlier: list[Diagnostic]) -> Plan:
    """Which rules to check, given the memo; ``earlier``: the diagnostics of the parse and
    schema passes (the per-rule checks skip what the schema pass reported)."""
    if memo.context != context:
        memo.clear()
        memo.context = context
    text = document.text
    find, rfind = text.find, text.rfind
    size = len(text)
    p = Plan(text)
    for item in items:
        ls = rfind("\n", 0, item.start) + 1
        le = find("\n", max(item.end - 1, item.start))
        le = size if le == -1 else le + 1
        p.regions.append((ls, le))
    # Rules sharing a line ("}, {") are never remembered: a diagnostic there could be either's.
    shared = {j for i in range(1, len(items)) if p.regions[i - 1][1] > p.regions[i][0] for j in (i - 1, i)}
    # The schema pass's spans inside each rule's lines (relative), part of its key.
    schema: dict[int, list[tuple[int, int]]] = {}
    if earlier:
        starts = [r[0] for r in p.regions]
        for d in earlier:
            i = bisect_right(starts, d.start) - 1
            if i >= 0 and d.start < p.regions[i][1]:
                ls = p.regions[i][0]
                schema.setdefault(i, []).append((d.start - ls, d.end - ls))
    remembered = memo.rules
    fresh: dict[tuple, tuple[int, str, list[Diagnostic]]] = {}
    origins: dict[int, tuple[Diagnostic, int]] = {}
    startswith = text.startswith
    for i, item in enumerate(items):
        ls, le = p.regions[i]
        key = None
        if le - ls <= item.end - item.start + MAX_EXTRA and i not in shared:
            spans = schema.get(i)
            key = (i, le - ls, tuple(sorted(spans)) if spans else ())
        p.keys.append(key)
        hit = remembered.get(key) if key is not None else None
        if key is None or hit is None or not startswith(hit[1], ls):
            p.dirty.append(i)
            p.reused.append([])
            continue
        was, lines, diags = hit
        if was != ls:
            delta = ls - was
            copies = []
            for d in diags:
                c = moved(d, delta)
                copies.append(c)
                origins[id(c)] = (d, delta)
            diags = copies
        fresh[key] = (ls, lines, diags)
        p.reused.append(diags)
    memo.rules = fresh
    memo.origins = origins
    memo.reused = len(items) - len(p.dirty)
    memo.checked = len(p.dirty)
    return p


def remember(memo: LintMemo, p: Plan, found: list[Diagnostic]) -> bool:
    """Remember what the per-rule checks found on the rules checked (``p.dirty``); False when
    a diagnostic lies outside the lines of every rule checked (the contract is broken: the
    caller checks every rule and forgets the memo)."""
    if not p.dirty:
        return not found
    starts = [p.regions[i][0] for i in p.dirty]
    by_item: dict[int, list[Diagnostic]] = {i: [] for i in p.dirty}
    unkeyed: set[int] = set()
    for d in found:
        k = bisect_right(starts, d.start) - 1
        if k < 0:
            return False
        i = p.dirty[k]
        ls, le = p.regions[i]
        if not d.start < le:
            return False
        if not _inside(d, ls, le):
            unkeyed.add(i)  # (kept out of the memo: checked again next time)
        by_item[i].append(d)
    text = p.text
    for i, diags in by_item.items():
        key = p.keys[i]
        if key is not None and i not in unkeyed:
            ls, le = p.regions[i]
            memo.rules[key] = (ls, text[ls:le], diags)
    return True


def _inside(d: Diagnostic, ls: int, le: int) -> bool:
    """Do all of a diagnostic's offsets (its own, its related locations', its fix edits') lie
    within ``[ls, le]``?"""
    if not (ls <= d.start <= le and ls <= d.end <= le):
        return False
    for r in d.related:
        if r.file is not None or not (ls <= r.start <= le and ls <= r.end <= le):
            return False
    if d.fix is not None:
        for e in d.fix.edits:
            if not (ls <= e.start <= le and ls <= e.end <= le):
                return False
    return True


def moved(d: Diagnostic, delta: int) -> Diagnostic:
    """A copy of ``d`` with every offset moved by ``delta`` characters (see :class:`Moved`)."""
    return Moved.of_origin(d, delta)


def _moved_fix(fix: Fix, delta: int) -> Fix:
    return Fix(fix.title, tuple([TextEdit(e.start + delta, e.end + delta, e.new_text) for e in fix.edits]), fix.safe)


class Moved(Diagnostic):
    """A remembered diagnostic moved by ``delta`` characters along with its rule's lines: its own
    offsets moved at once, its related locations and fix when first read.

    Why (issue 10, section 2): after a one-character edit in the middle of the noisy 200-rule set,
    about 700 remembered diagnostics move, and building each one's moved related location and fix
    (five objects) made reuse.plan take 5.2 ms of CPU an edit (medians, on a loaded machine),
    while nothing of a language server's edit reads them (the publication reuses the JSON of the
    diagnostic it moved from, see ``LintMemo.origins``; a code action reads the fix of the
    diagnostics it is asked about); moved when read, 2.8 ms.  Measured both ways with
    benchmarks/bench_edit_cpu.py and a timer around reuse.plan: without it the noisy/ordinary edit
    CPU ratio is 1.48-1.55 (target <= 1.5), with it 1.34-1.39.

    (Like every dataclass, it compares equal to instances of its own class only: compare what
    diagnostics say, as tests/test_reuse.py does, not the objects.)
    """

    # Never built by the dataclass __init__: of_origin fills the instance's dict, where
    # "_unmoved" holds the related locations and fix to move by "_delta" (until they are read),
    # or "_related" and "_fix" the moved ones.

    @classmethod
    def of_origin(cls, d: Diagnostic, delta: int) -> Moved:
        fields = dict(d.__dict__)
        fields["start"] += delta
        fields["end"] += delta
        if "_unmoved" in fields:  # a Moved moved again before its related locations and fix were read
            fields["_delta"] += delta
        else:
            plain = "related" in fields  # a Diagnostic (else a Moved whose related and fix were read)
            related = fields.pop("related" if plain else "_related")
            fix = fields.pop("fix" if plain else "_fix")
            if related or fix is not None:
                fields["_unmoved"] = (related, fix)
                fields["_delta"] = delta
            else:  # (nothing to move)
                fields["_related"] = related
                fields["_fix"] = fix
        m = object.__new__(cls)
        m.__dict__.update(fields)
        return m

    def _materialise(self) -> None:
        fields = self.__dict__
        related, fix = fields.pop("_unmoved")
        delta = fields.pop("_delta")
        if related:
            related = [Related(r.start + delta, r.end + delta, r.message, r.file) for r in related]
        fields["_related"] = related
        fields["_fix"] = None if fix is None else _moved_fix(fix, delta)

    @property
    def related(self) -> list[Related]:
        if "_unmoved" in self.__dict__:
            self._materialise()
        return self.__dict__["_related"]

    @related.setter
    def related(self, value: list[Related]) -> None:
        if "_unmoved" in self.__dict__:
            self._materialise()
        self.__dict__["_related"] = value

    @property
    def fix(self) -> Fix | None:
        if "_unmoved" in self.__dict__:
            self._materialise()
        return self.__dict__["_fix"]

    @fix.setter
    def fix(self, value: Fix | None) -> None:
        if "_unmoved" in self.__dict__:
            self._materialise()
        self.__dict__["_fix"] = value
