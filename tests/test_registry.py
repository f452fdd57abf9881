"""The rule registry: unique stable codes and names, complete docs, examples that run."""

from __future__ import annotations

import re

import pytest

from ses_lsp.lint.diagnostics import Severity
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.rules import ALL_RULES, REGISTRY

CODE = re.compile(r"SES\d{3}")
NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def test_codes_and_names_are_unique_and_well_formed():
    codes = [r.code for r in ALL_RULES]
    names = [r.name for r in ALL_RULES]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))
    for rule in ALL_RULES:
        assert CODE.fullmatch(rule.code), rule.code
        assert NAME.fullmatch(rule.name), rule.name
        assert isinstance(rule.severity, Severity)


def test_every_rule_is_documented():
    for rule in ALL_RULES:
        assert rule.summary.strip(), rule.code
        assert rule.doc.what.strip() and rule.doc.why.strip(), rule.code
        assert rule.source.strip(), rule.code


def test_references_are_public_sources():
    """Every reference a user reads carries a public URL; none cites an internal note."""
    for rule in ALL_RULES:
        for ref in rule.doc.references:
            assert re.search(r"https://\S+", ref), (rule.code, ref)
        for text in (rule.doc.what, rule.doc.why, rule.doc.notes, *rule.doc.references):
            assert not re.search(r"ses-semantics|research notes|design note|shared/", text), (rule.code, text)


def test_registry_lookup_and_expand():
    assert REGISTRY.get("SES101").name == "unknown-member"
    assert REGISTRY.get("unknown-member").code == "SES101"
    assert REGISTRY.get("ses101").code == "SES101"
    assert REGISTRY.expand(["SES10"]) >= {"SES101", "SES102"}
    assert REGISTRY.expand(["ALL"]) == {r.code for r in ALL_RULES}
    with pytest.raises(ValueError, match="unknown rule"):
        REGISTRY.expand(["SES999"])


def test_generated_index_is_current():
    """`_index.py` (what the engine reads instead of importing every family) matches the rules."""
    from pathlib import Path

    from ses_lsp.lint import rules

    current = Path(rules.__file__).parent.parent.joinpath("_rule_index.py").read_text()
    assert current == rules.index_source(), "run `python -m ses_lsp.lint.rules` to regenerate it"
    assert [(i.code, i.name, i.severity, i.kinds, i.suppressible) for i in rules.CATALOGUE.rules] == [
        (r.code, r.name, r.severity, r.kinds, r.suppressible) for r in ALL_RULES
    ]


def test_what_a_suppression_comment_cannot_silence():
    """Syntax errors, crashed rules and the suppression pass's own findings always show; every
    other rule can be silenced."""
    from ses_lsp.lint.suppressions import suppressible

    assert [r.code for r in ALL_RULES if not r.suppressible] == ["SES001", "SES008", "SES009", "SES010"]
    assert all(suppressible(r.code) == r.suppressible for r in ALL_RULES)
    assert not suppressible("SES999")  # no such rule


def test_checks_for_kind_are_exactly_the_applicable_rules():
    from ses_lsp.lint import kinds
    from ses_lsp.lint.rules import checks_for_kind

    for kind in kinds.all_kinds():
        want = [r for r in ALL_RULES if r.check is not None and (r.kinds is None or kind in r.kinds)]
        assert checks_for_kind(kind) == want, kind


def test_a_classic_lint_does_not_import_the_ingress_or_dsn_rules():
    """Start-up: families are imported only for the kinds they check (a fresh interpreter)."""
    import json
    import subprocess
    import sys

    code = (
        "import json, sys\n"
        "from ses_lsp.lint.engine import lint_text\n"
        "r = lint_text('Rule:\\n  Name: r\\n  Enabled: true\\n  Actions: []\\n', 'x.yaml',"
        " kind='ses:create-receipt-rule')\n"
        "print(json.dumps({'families': [m.rsplit('.', 1)[1] for m in sys.modules"
        " if m.startswith('ses_lsp.lint.rules.')], 'codes': [d.code for d in r.diagnostics],"
        " 'mm': 'ses_lsp.semantics.mailmanager' in sys.modules}))\n"
    )
    out = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert "ingress" not in out["families"] and {"names", "flow", "addresses", "arns"} <= set(out["families"])
    assert "dsn" not in out["families"]  # SendBounce's own rules
    assert "SES508" in out["codes"]  # rule-without-actions: the flow checks ran
    assert out["mm"] is False  # nor the Mail Manager model


EXAMPLES = [(r, "bad", r.doc.bad) for r in ALL_RULES if r.doc.bad] + [
    (r, "good", r.doc.good) for r in ALL_RULES if r.doc.good
]


@pytest.mark.parametrize("rule,which,example", EXAMPLES, ids=[f"{r.code}-{w}" for r, w, _ in EXAMPLES])
def test_doc_examples(rule, which, example):
    """A rule's bad example triggers exactly that rule; its fixed example is clean."""
    result = lint_text(example.text, example.path, kind=example.kind or None)
    codes = sorted({d.code for d in result.diagnostics})
    if which == "bad":
        assert codes == [rule.code], [(d.code, d.message) for d in result.diagnostics]
    else:
        assert codes == [], [(d.code, d.message) for d in result.diagnostics]


def test_every_example_file_belongs_to_its_rule():
    """Examples are files named after their rule and verdict; none is missing or left over."""
    import os

    from ses_lsp.lint.registry import EXAMPLES_DIR

    named = {example.file: f"{rule.code}-{which}.{example.format}" for rule, which, example in EXAMPLES}
    assert len(named) == len(EXAMPLES) and all(file == want for file, want in named.items())
    assert sorted(os.listdir(EXAMPLES_DIR)) == sorted(named)


def test_rules_with_a_fix_have_examples_or_notes():
    for rule in ALL_RULES:
        if rule.fixable:
            assert rule.doc.bad is not None or rule.doc.notes, rule.code


def test_docs_rules_md_is_current():
    """docs/rules.md is generated from the rules; regenerate with `python -m ses_lsp.lint.docs`."""
    from ses_lsp.lint import docs

    assert docs.main(["--check"]) == 0


def test_every_rule_leads_to_its_code_in_one_hop():
    """`ses-lsp rule CODE` names the file and line of the rule's definition and of its check."""
    from pathlib import Path

    from ses_lsp.lint.rules import source_locations

    root = Path(__file__).resolve().parents[1]
    for rule in ALL_RULES:
        places = source_locations(rule)
        what, path, line = places[0]
        assert what == "definition"
        assert f'code="{rule.code}"' in (root / path).read_text(encoding="utf-8").splitlines()[line - 1]
        if rule.check is not None:
            what, path, line = places[1]
            assert what == f"check {rule.check.__name__}"
            assert f"def {rule.check.__name__}(" in (root / path).read_text(encoding="utf-8").splitlines()[line - 1]
