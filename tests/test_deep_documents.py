"""Documents nested exactly as deep as the parsers read (MAX_DEPTH) never exhaust the stack.

Every walk over the tree, and over values derived from it, is either iterative or bounded by
the tree's depth, and no tree is deeper than MAX_DEPTH collections (aliases included).  These
tests prove it the hard way: every leaf of one document of each kind, in turn, is replaced by
a value nested down to exactly MAX_DEPTH collections, in JSON, block YAML and flow YAML, and
the lint and the editor features run under a recursion limit only MAX_DEPTH + 100 frames above
the test's own stack.  A walk that used a frame per level twice over (or C recursion per
level, like comparing nested tuples) would fail here.
"""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Iterator

import pytest
import yaml
from sample_documents import ROOT, get, is_leaf, paths, replaced

from ses_lsp.document.document import Document
from ses_lsp.document.nodes import MAX_DEPTH, too_deep_message
from ses_lsp.document.yaml_parser import parse_yaml
from ses_lsp.editor.completion import complete
from ses_lsp.editor.hover import hover
from ses_lsp.editor.navigation import occurrences
from ses_lsp.editor.symbols import document_symbols
from ses_lsp.lint.engine import lint_text

# One document of each kind that has a realistic sample (the richest one for rule sets).
SAMPLES = {
    "examples/classic/rule-set.json": "ses:describe-receipt-rule-set",
    "examples/classic/create-rule.yaml": "ses:create-receipt-rule",
    "examples/classic/receipt-filter.json": "ses:create-receipt-filter",
    "examples/classic/send-bounce.yaml": "ses:send-bounce",
    "examples/mailmanager/rule-set.yaml": "mailmanager:create-rule-set",
    "examples/mailmanager/ingress-point.json": "mailmanager:create-ingress-point",
    "tests/golden/ok/bounces-mailmanager.yaml": "mailmanager:create-rule-set",
    "tests/golden/ok/bounces-send-bounce.json": "ses:send-bounce",
    "tests/golden/ok/addresses-filters.json": "ses:list-receipt-filters",
    "tests/golden/ok/ingress-get-mtls.yaml": "mailmanager:get-ingress-point",
    "tests/golden/ok/ingress-update.yaml": "mailmanager:update-ingress-point",
    "tests/golden/ok/names-reorder.yaml": "ses:reorder-receipt-rule-set",
    "tests/golden/names/rule-set-period.json": "ses:create-receipt-rule-set",
    "tests/golden/names/after-self.yaml": "ses:set-receipt-rule-position",
}

TOO_DEEP = (
    too_deep_message("the deeper value is skipped"),
    too_deep_message("the document is not read beyond this point"),
)


@contextlib.contextmanager
def recursion_headroom(frames: int) -> Iterator[None]:
    """Allow only ``frames`` Python frames above the caller's stack while the block runs."""
    depth = 0
    frame = sys._getframe()
    while frame is not None:
        depth += 1
        frame = frame.f_back  # type: ignore[assignment]
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(depth + frames)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def nested(levels: int, leaf: object) -> object:
    """``leaf`` inside ``levels`` collections, objects and arrays in turn."""
    value = leaf
    for i in range(levels):
        value = [value] if i % 2 else {"Deep": value}
    return value


def render(value: object, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(value, indent=1)
    return yaml.dump(value, Dumper=yaml.CSafeDumper, default_flow_style=fmt == "flow", sort_keys=False, width=1 << 20)


def depth(root) -> int:
    best, stack = 0, [(root, 1)]
    while stack:
        n, d = stack.pop()
        if n.kind in ("object", "array"):
            best = max(best, d)
            stack.extend((c, d + 1) for c in n.children())
    return best


def variants(path: str) -> Iterator[tuple[tuple, object]]:
    """(leaf path, the document with that leaf nested down to exactly MAX_DEPTH collections)."""
    text = (ROOT / path).read_text(encoding="utf-8")
    original = Document(text, path).root.to_python()  # type: ignore[union-attr]
    for p in paths(original, is_leaf):
        leaf = get(original, p)
        # The leaf sits inside len(p) collections; an empty collection is one itself.
        inside = len(p) + (1 if isinstance(leaf, (dict, list)) else 0)
        yield p, replaced(original, p, nested(MAX_DEPTH - inside, leaf))


def check_features(doc: Document, kind: str) -> None:
    """The editor features at the deepest point of the document."""
    deepest = max(doc.root.walk(), key=lambda n: len(n.path))  # type: ignore[union-attr]
    for offset in (deepest.start, deepest.end):
        hover(doc, kind, offset)
        complete(doc.text, offset, kind, doc.format, document=doc)
    document_symbols(doc, kind)
    occurrences(doc, kind)


@pytest.mark.parametrize("fmt", ["json", "block", "flow"])
@pytest.mark.parametrize("path", sorted(SAMPLES))
def test_documents_at_the_depth_limit_lint_cleanly_on_a_small_stack(path, fmt):
    kind = SAMPLES[path]
    name = "deep.json" if fmt == "json" else "deep.yaml"
    assert lint_text((ROOT / path).read_text(encoding="utf-8"), path).kind == kind  # the sample is what it says
    lint_text(render(nested(MAX_DEPTH, 1), fmt), name, kind=kind)  # imports the rule families first
    count = 0
    for leaf, value in variants(path):
        text = render(value, fmt)
        with recursion_headroom(MAX_DEPTH + 100):
            result = lint_text(text, name, kind=kind)
            check_features(result.document, kind)  # type: ignore[arg-type]
        problems = [(d.code, d.message) for d in result.diagnostics if d.code in ("SES001", "SES008")]
        assert problems == [], (leaf, problems)
        assert depth(result.document.root) == MAX_DEPTH, leaf  # type: ignore[union-attr]
        count += 1
    assert count >= 1


@pytest.mark.parametrize("fmt", ["json", "block", "flow"])
def test_one_level_more_is_reported_not_read(fmt):
    # The other side of the limit: the tests above are exactly at it.
    text = render(nested(MAX_DEPTH + 1, 1), fmt)
    result = lint_text(text, "deep.json" if fmt == "json" else "deep.yaml", kind="ses:send-bounce")
    assert [d.message for d in result.diagnostics if d.code == "SES001"][0] in TOO_DEEP
    # Nothing is read below MAX_DEPTH levels (JSON keeps the skipped value as an empty stand-in).
    assert max(len(n.path) for n in result.document.root.walk()) <= MAX_DEPTH  # type: ignore[union-attr]


def _alias_chain(levels: int) -> str:
    """YAML whose aliases stack anchored nests: each level adds ``levels`` collections."""
    deep = lambda inner: "{x: " * levels + inner + "}" * levels  # noqa: E731
    return f"a: &a {deep('1')}\nb: &b {deep('*a')}\nc: &c {deep('*b')}\n"


def test_aliases_cannot_nest_deeper_than_the_limit():
    # 3 x 200 levels through aliases: before, a tree 600 levels deep (SES521-SES527 crashed
    # with RecursionError on it); now the alias that would cross MAX_DEPTH stops the read,
    # as nesting written out does.
    text = _alias_chain(200)
    r = parse_yaml(text)
    assert [(p.rule, p.message) for p in r.problems] == [("syntax-error", TOO_DEEP[1])]
    assert r.problems[0].start == text.index("*a")
    assert not r.complete and depth(r.root) <= MAX_DEPTH
    # Exactly at the limit through an alias is fine: the alias inside 1 + 128 open mappings,
    # its anchor holding 127 levels; one level more is too deep.
    inner = "{x: " * 127 + "1" + "}" * 127
    text = f"a: &a {inner}\nb: {'{x: ' * 128}*a{'}' * 128}\n"
    r = parse_yaml(text)
    assert r.problems == [] and depth(r.root) == MAX_DEPTH
    text = f"a: &a {inner}\nb: {'{x: ' * 129}*a{'}' * 129}\n"
    assert [p.message for p in parse_yaml(text).problems] == [TOO_DEEP[1]]


def test_mail_manager_conditions_deep_through_aliases_lint_without_internal_errors():
    deep = "{x: " * 200 + "1" + "}" * 200
    text = (
        "RuleSetName: r\n"
        f"X: {{a: &a {deep}, b: &b {{y: *a}}}}\n"
        "Rules:\n"
        "  - Name: n1\n"
        "    Conditions:\n"
        "      - StringExpression: {Evaluate: {Analysis: {Analyzer: *b}}, Operator: EQUALS, Values: [x]}\n"
        "      - StringExpression: {Evaluate: {Analysis: {Analyzer: *b}}, Operator: EQUALS, Values: [y]}\n"
        "    Actions: [{Drop: {}}]\n"
    )
    with recursion_headroom(MAX_DEPTH + 100):
        result = lint_text(text, "x.yaml")
    assert result.kind == "mailmanager:create-rule-set"
    assert not [d for d in result.diagnostics if d.code == "SES008"]


def test_to_python_is_iterative():
    value = nested(MAX_DEPTH, "leaf")
    root = Document(json.dumps(value), "x.json").root
    with recursion_headroom(50):
        got = root.to_python()  # type: ignore[union-attr]
    assert got == value
