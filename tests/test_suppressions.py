"""Suppression comments: the one module that reads them (the engine, hover) and writes them
(the editor's "Disable CODE for this line"), so what it writes is what it reads."""

from __future__ import annotations

from pathlib import Path

import pytest

from ses_lsp.document.document import Document
from ses_lsp.lint.config import Config, load_config_file
from ses_lsp.lint.diagnostics import Diagnostic, TextEdit
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.fixes import apply_edits
from ses_lsp.lint.suppressions import (
    DISABLE,
    DISABLE_FILE,
    DISABLE_NEXT_LINE,
    disable_edit,
    find_suppressions,
    suppression_fixes,
)

GOLDEN = Path(__file__).parent / "golden"
RULE_YAML = """RuleSetName: inbound
Rule:
  Name: store
  Enabled: true
  TlsPolicy: required
  Actions: [{S3Action: {BucketName: mail-bucket}}]
"""


def apply(text: str, edit: TextEdit) -> str:
    return apply_edits(text, [(edit.start, edit.end, edit.new_text)])


def test_comments_are_read_with_their_codes_and_targets():
    text = (
        "# ses-lsp: disable-file=SES507, invalid-enum-value\n"
        "RuleSetName: inbound  # ses-lsp: disable=SES201\n"
        "# ses-lsp: disable=SES104\n"
        "Rule:  # ses-lsp:disable-next-line = SES301 SES302\n"
        "  Name: x  # an ordinary comment\n"
    )
    found = find_suppressions(Document(text, "x.yaml"))
    assert [(s.line, s.directive, s.target_line, [c for c, _s, _e in s.codes]) for s in found] == [
        (0, DISABLE_FILE, None, ["SES507", "invalid-enum-value"]),
        (1, DISABLE, 1, ["SES201"]),
        (2, DISABLE, 3, ["SES104"]),  # alone on its line: the next line
        (3, DISABLE_NEXT_LINE, 4, ["SES301", "SES302"]),
    ]
    for sup in found:
        assert text[sup.start] == "#"
        for code, s, e in sup.codes:
            assert text[s:e] == code
    assert find_suppressions(Document('{"a": 1}', "x.json")) == []


def test_the_written_comment_suppresses_the_diagnostic():
    d = next(d for d in lint_text(RULE_YAML, "x.yaml").diagnostics if d.code == "SES104")
    doc = Document(RULE_YAML, "x.yaml")
    edit = disable_edit(doc, d.start, "SES104")
    assert edit is not None
    text = apply(RULE_YAML, edit)
    assert "  TlsPolicy: required  # ses-lsp: disable=SES104\n" in text
    assert [d.code for d in lint_text(text, "x.yaml").diagnostics] == []
    # a second code extends that comment; a code already listed gives no edit
    doc = Document(text, "x.yaml")
    again = disable_edit(doc, d.start, "SES113")
    assert again is not None and apply(text, again).count("# ses-lsp: disable=SES104,SES113\n") == 1
    assert disable_edit(doc, d.start, "SES104") is None


@pytest.mark.parametrize(
    "text,needle",
    [
        ('{"Rule": {"TlsPolicy": "required"}}', "required"),  # JSON has no comments
        ("Rule:\n  Name: |\n    two\n    lines\n", "two"),  # inside a block scalar
        ("Rule: {Name: x,\n  TlsPolicy: required}\n", "Name"),  # inside a multi-line flow mapping
        ("# ses-lsp: kind=ses:nope\nRule: {}\n", "nope"),  # a comment's line: it applies to the next one
        ("Rule:\n  # ses-lsp: disable=SES101\n  Name: x\n", "SES101"),  # the same, extending it
    ],
)
def test_no_comment_where_it_would_change_the_document(text, needle):
    doc = Document(text, "x.json" if text.startswith("{") else "x.yaml")
    assert disable_edit(doc, text.index(needle), "SES104") is None


def test_unsuppressible_diagnostics_get_no_fix_and_one_per_code_and_line():
    text = "RuleSetName: inbound\nRule: {Name: x, Enabled: true, TlsPolicy: required, Extra: 1, More: 2}\n"
    diags = lint_text(text, "x.yaml").diagnostics
    assert [d.code for d in diags].count("SES101") == 2
    titles = [f.title for _d, f in suppression_fixes(Document(text, "x.yaml"), diags)]
    assert titles.count("Disable SES101 for this line") == 1 and "Disable SES104 for this line" in titles
    broken = RULE_YAML + "  Extra: [\n"
    diags = lint_text(broken, "x.yaml").diagnostics
    assert "SES001" in [d.code for d in diags]
    assert all(d.code != "SES001" for d, _f in suppression_fixes(Document(broken, "x.yaml"), diags))
    internal = Diagnostic("SES008", "internal-error", diags[0].severity, "crash", 0, 1)
    assert suppression_fixes(Document(broken, "x.yaml"), [internal]) == []


YAML_CASES = sorted(p for p in GOLDEN.rglob("*.yaml") if ".config" not in p.name)


@pytest.mark.parametrize("path", YAML_CASES, ids=[str(p.relative_to(GOLDEN)) for p in YAML_CASES])
def test_every_offered_suppression_suppresses_what_it_names(path):
    """On the golden YAML cases: each "Disable CODE for this line" fix, applied alone, removes
    that code's diagnostics from that line and leaves no unused or unknown suppression."""
    side = path.with_name(path.name + ".config.toml")
    config = load_config_file(str(side)) if side.exists() else Config()
    kind_file = path.with_name(path.name + ".kind")
    kind = kind_file.read_text().strip() if kind_file.exists() else None
    text = path.read_text(encoding="utf-8")
    result = lint_text(text, str(path), config=config, kind=kind)
    assert result.document is not None
    lines = result.document.lines
    for d, fix in suppression_fixes(result.document, result.diagnostics):
        line = lines.position(d.start)[0]
        (edit,) = fix.edits
        after = lint_text(apply(text, edit), str(path), config=config, kind=kind)
        assert after.document is not None
        left = [
            (x.code, after.document.lines.position(x.start)[0])
            for x in after.diagnostics
            if x.code in (d.code, "SES009", "SES010")
        ]
        assert (d.code, line) not in left and not [c for c, _l in left if c in ("SES009", "SES010")], (d, left)
