"""Reusing the per-rule checks' diagnostics of the rules an edit did not touch
(ses_lsp.lint.reuse): after any edit the lint with the memo is the full lint, diagnostic
for diagnostic (fixes, related locations, order included); one edit re-checks one rule; and
nothing is reused where it could be wrong."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ses_lsp.document.document import Document
from ses_lsp.document.incremental import reparse
from ses_lsp.lint import engine
from ses_lsp.lint.config import Config
from ses_lsp.lint.diagnostics import Diagnostic, Fix, Related, Severity, TextEdit
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.reuse import LintMemo, moved
from ses_lsp.lint.rules import REGISTRY


def _recipients(i: int) -> list[str]:
    """Entries that make every per-rule recipient check report: redundant addresses, a
    duplicate, upper case, a wildcard, an invalid entry, and plain ones."""
    d = f"d{i}.example.com"
    return [
        d,
        f"user0@{d}",
        f"user1@{d}",
        f"user1@{d}",
        f"Mixed@D{i}.Example.com",
        f"*@{d}",
        f"Name <x{i}@other.example.org>",
        f"solo{i}@other.example.net",
    ]


def classic(rules: int = 8) -> dict:
    return {
        "Metadata": {"Name": "inbound"},
        "Rules": [
            {
                "Name": f"rule-{i:02d}",
                "Enabled": True,
                "TlsPolicy": "Require" if i % 3 else "require",  # a schema diagnostic inside some rules
                "Recipients": _recipients(i),
                "Actions": [{"S3Action": {"BucketName": f"bucket-{i}"}}, {"StopAction": {"Scope": "RuleSet"}}],
            }
            for i in range(rules)
        ],
    }


def mail_manager(rules: int = 6) -> dict:
    return {
        "RuleSetName": "inbound",
        "Rules": [
            {
                "Name": f"rule-{i}",
                "Actions": [
                    {"ReplaceRecipient": {"ReplaceWith": [f"a{i}@example.com", f"a{i}@example.com", "b@example.com"]}},
                    {"Drop": {}},
                ],
            }
            for i in range(rules)
        ],
    }


TEXTS = {
    "classic.yaml": yaml.safe_dump(classic(), sort_keys=False),
    "classic.json": json.dumps(classic(), indent=2) + "\n",
    "classic-flow.yaml": yaml.safe_dump(classic(4), sort_keys=False, default_flow_style=None, width=60),
    "mm.yaml": yaml.safe_dump(mail_manager(), sort_keys=False),
    "mm.json": json.dumps(mail_manager(), indent=2) + "\n",
}


def view(result) -> list[tuple]:
    """Everything a diagnostic says, in order."""
    return [
        (
            d.code,
            d.name,
            d.severity,
            d.message,
            d.start,
            d.end,
            d.pointer,
            [(r.start, r.end, r.message, r.file) for r in d.related],
            None if d.fix is None else (d.fix.title, d.fix.safe, [(e.start, e.end, e.new_text) for e in d.fix.edits]),
            tuple(d.tags),
        )
        for d in result.diagnostics
    ]


def test_the_documents_exercise_every_per_rule_check():
    per_rule = {r.code for r in REGISTRY.rules if r.per_rule}
    config = Config(verified_domains=("example.com",))
    found = {d.code for name, text in TEXTS.items() for d in lint_text(text, name, config=config).diagnostics}
    assert per_rule <= found, per_rule - found


def _one_char_edit(text: str, at: str) -> str:
    i = text.index(at) + len(at)
    return text[:i] + "x" + text[i:]


@pytest.mark.parametrize("name", list(TEXTS))
def test_an_edit_in_one_rule_checks_that_rule_alone(name):
    text = TEXTS[name]
    rules = len(yaml.safe_load(text)["Rules"])
    memo = LintMemo()
    first = lint_text(text, name, memo=memo)
    assert (memo.reused, memo.checked) == (0, rules)
    same = lint_text(text, name, memo=memo)
    assert view(same) == view(first) and (memo.reused, memo.checked) == (rules, 0)
    # A character in the name of the third rule: the rules before are reused where they were,
    # the rules after are moved by one character.
    edited = _one_char_edit(text, "rule-02" if "classic" in name else "rule-2")
    again = lint_text(edited, name, memo=memo)
    assert (memo.reused, memo.checked) == (rules - 1, 1)
    assert view(again) == view(lint_text(edited, name))
    assert len(memo.origins) > 0  # the rules after the edit moved
    before = {id(d) for d in first.diagnostics}
    assert any(id(d) in before for d in again.diagnostics)  # the rules before: the same objects


def test_a_moved_diagnostic_moves_its_related_locations_and_fix_when_read():
    fix = Fix("Remove it", (TextEdit(10, 20, ""), TextEdit(30, 31, "y")), safe=False)
    d = Diagnostic(
        "SES610", "redundant-recipient", Severity.INFO, "m", 12, 18, "/Rules/0", [Related(2, 5, "here")], fix
    )
    once = moved(d, 3)
    twice = moved(once, -1)  # moved again before anything read its related locations or fix
    assert (twice.start, twice.end, twice.pointer, twice.message) == (14, 20, "/Rules/0", "m")
    assert [(r.start, r.end, r.message) for r in twice.related] == [(4, 7, "here")]
    assert twice.fix is not None and [(e.start, e.end, e.new_text) for e in twice.fix.edits] == [
        (12, 22, ""),
        (32, 33, "y"),
    ]
    assert (twice.fix.title, twice.fix.safe) == ("Remove it", False)
    assert [(r.start, r.end) for r in once.related] == [(5, 8)] and once.fix.edits[0].start == 13
    thrice = moved(twice, 10)  # moved after they were read
    assert [(r.start, r.end) for r in thrice.related] == [(14, 17)] and thrice.fix.edits[1].end == 43
    # The original is untouched; a moved diagnostic takes new values like any other.
    assert (d.start, d.related[0].start, d.fix.edits[0].start) == (12, 2, 10)
    twice.fix = None
    twice.related = []
    assert twice.fix is None and twice.related == [] and thrice.fix is not None
    bare = moved(Diagnostic("SES309", "x", Severity.INFO, "m", 1, 2), 5)
    assert (bare.start, bare.end, bare.related, bare.fix) == (6, 7, [], None)


PIECES = [
    "x",
    "\n",
    " ",
    "  ",
    "- ",
    "#",
    ":",
    ",",
    '"',
    "{",
    "}",
    "[",
    "]",
    "@",
    ".",
    "*",
    "&a ",
    "user9@d1.example.com",
]


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    name=st.sampled_from(list(TEXTS)),
    edits=st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 12), st.lists(st.sampled_from(PIECES), max_size=3).map("".join)),
        min_size=1,
        max_size=6,
    ),
    incremental=st.booleans(),
)
def test_after_random_edits_the_lint_is_the_full_lint(name, edits, incremental):
    """Random edits (some break the syntax, add or remove lines, rules or anchors), linted as
    the language server does (with the memo, on incrementally re-parsed documents or not):
    every result equals the full lint of the same text."""
    text = TEXTS[name]
    memo = LintMemo()
    doc = Document(text, name)
    lint_text(text, name, memo=memo, document=doc)
    for where, length, insert in edits:
        start = int(where * len(text))
        end = min(len(text), start + length)
        new = text[:start] + insert + text[end:]
        if incremental:
            doc = reparse(doc, new, start, end, start + len(insert), consume=True)
        else:
            doc = Document(new, name)
        got = lint_text(new, name, memo=memo, document=doc)
        assert view(got) == view(lint_text(new, name)), (name, where, length, insert)
        text = new


def test_random_edits_reuse_most_rules():
    """The same comparison on a fixed sequence of random edits, counting the edits after which
    some rules' diagnostics were reused: the memo must be doing its job, not only be harmless."""
    import random

    rng = random.Random(10)
    steps = reusing = 0
    for name, text in TEXTS.items():
        for _ in range(8):
            memo = LintMemo()
            doc = Document(text, name)
            lint_text(text, name, memo=memo, document=doc)
            current = text
            for _ in range(5):
                start = rng.randrange(len(current))
                end = min(len(current), start + rng.randrange(8))
                insert = "".join(rng.choice(PIECES) for _ in range(rng.randrange(3)))
                new = current[:start] + insert + current[end:]
                doc = reparse(doc, new, start, end, start + len(insert), consume=True)
                got = lint_text(new, name, memo=memo, document=doc)
                assert view(got) == view(lint_text(new, name)), (name, start, end, insert)
                steps += 1
                reusing += memo.reused > 0
                current = new
    assert steps == 200 and reusing >= 80, reusing


def test_settings_and_kind_are_part_of_the_memo():
    text = TEXTS["classic.yaml"]
    memo = LintMemo()
    lint_text(text, "a.yaml", memo=memo)
    for config in (Config(ignore=("SES610",)), Config(severity=(("SES610", "warning"),)), Config()):
        got = lint_text(text, "a.yaml", config=config, memo=memo)
        assert memo.reused == 0  # another configuration: nothing reused
        assert view(got) == view(lint_text(text, "a.yaml", config=config))
        again = lint_text(text, "a.yaml", config=config, memo=memo)
        assert memo.checked == 0 and view(again) == view(got)


@pytest.mark.parametrize(
    "change",
    [
        # YAML anchors and aliases: a rule's value may be another rule's
        lambda t: t.replace("Metadata:\n", "x-shared: &shared example.com\nMetadata:\n", 1).replace(
            "  - d1.example.com\n", "  - *shared\n", 1
        ),
        # a credential in the document: its masking rewrites diagnostics
        lambda t: t.replace("Metadata:\n", "Metadata:\n  ApiToken: d2.example.com-secret\n", 1),
    ],
    ids=["anchors", "credential"],
)
def test_nothing_is_reused_where_it_could_be_wrong(change):
    text = change(TEXTS["classic.yaml"])
    memo = LintMemo()
    lint_text(text, "a.yaml", memo=memo)
    got = lint_text(text, "a.yaml", memo=memo)
    assert memo.reused == 0 and not memo.rules
    assert view(got) == view(lint_text(text, "a.yaml"))


def test_a_per_rule_check_breaking_its_contract_gets_the_full_lint():
    """A per-rule check that reports outside the rule it examines (here: on the document's first
    character, for every rule) makes the engine check every rule and keep nothing."""
    text = TEXTS["classic.yaml"]
    rule = next(r for r in REGISTRY.rules if r.code == "SES610")
    original = rule.check

    def misplaced(ctx):
        original(ctx)
        ctx.report((0, 1), "outside every rule")

    object.__setattr__(rule, "check", misplaced)  # (a frozen dataclass)
    try:
        memo = LintMemo()
        lint_text(text, "a.yaml", memo=memo)
        edited = _one_char_edit(text, "rule-02")
        got = lint_text(edited, "a.yaml", memo=memo)
        assert not memo.rules
        assert view(got) == view(lint_text(edited, "a.yaml"))
        assert sum(d.message == "outside every rule" for d in got.diagnostics) == 1  # (deduplicated)
    finally:
        object.__setattr__(rule, "check", original)


def test_a_crashing_per_rule_check_is_reported_as_in_a_full_lint():
    text = TEXTS["classic.yaml"]
    rule = next(r for r in REGISTRY.rules if r.code == "SES612")
    original = rule.check

    def crash(ctx):
        raise RuntimeError("boom")

    memo = LintMemo()
    lint_text(text, "a.yaml", memo=memo)
    object.__setattr__(rule, "check", crash)
    try:
        edited = _one_char_edit(text, "rule-02")
        got = lint_text(edited, "a.yaml", memo=memo)
        assert view(got) == view(lint_text(edited, "a.yaml"))
        assert any(d.code == "SES008" and "SES612" in d.message for d in got.diagnostics)
    finally:
        object.__setattr__(rule, "check", original)


def test_the_engine_failing_empties_the_memo(monkeypatch):
    memo = LintMemo()
    lint_text(TEXTS["classic.yaml"], "a.yaml", memo=memo)
    assert memo.rules

    def fail(*args, **kw):
        raise RuntimeError("engine failure")

    monkeypatch.setattr(engine, "_finish", fail)
    got = lint_text(TEXTS["classic.yaml"], "a.yaml", memo=memo)
    assert [d.code for d in got.diagnostics] == ["SES008"] and not memo.rules
