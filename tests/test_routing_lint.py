"""Linting routing tests (SES541-SES543) as a real `ses-lsp lint` process: the checks read the
rule files a test names, so a cached result is used only while those files are unchanged."""

from __future__ import annotations

import json
import os
from pathlib import Path

from test_cli import run, write

RULES = """Metadata: {Name: inbound}
Rules:
  - Name: NAME
    Enabled: true
    Recipients: [ceo@example.com]
    Actions:
      - S3Action: {BucketName: vip-mail}
"""
TEST = """RuleFiles: [rules/rule-set.yaml]
Cases:
  - Mail: {Recipients: [ceo@example.com]}
    Expect:
      ceo@example.com: {rules: [ceo], actions: [{type: S3Action}]}
"""


def _lint(cwd: Path):
    p = run(["lint", "inbound.routing.yaml", "--format", "json", "--verbose"], cwd)
    return p.returncode, [(d["code"], d["message"]) for d in json.loads(p.stdout)], p.stderr


def test_a_renamed_rule_is_seen_through_the_cache(tmp_path):
    rules = write(tmp_path, "rules/rule-set.yaml", RULES.replace("NAME", "ceo"))
    write(tmp_path, "inbound.routing.yaml", TEST)
    code, diags, err = _lint(tmp_path)
    assert (code, diags) == (0, []) and "cached: 0 files" in err
    code, diags, err = _lint(tmp_path)
    assert (code, diags) == (0, []) and "cached: 1 file" in err  # nothing changed: the cache answers
    rules.write_text(RULES.replace("NAME", "chief"), encoding="utf-8")
    os.utime(rules, ns=(1, 1))  # (a different modification time whatever the clock's resolution)
    code, diags, err = _lint(tmp_path)
    assert "cached: 0 files" in err
    assert code == 1
    assert diags == [
        (
            "SES542",
            'rule "ceo" is not a rule of "rules/rule-set.yaml" (its rules: "chief"), so this case can never pass',
        )
    ]
    rules.unlink()  # a rule file that goes away
    code, diags, err = _lint(tmp_path)
    assert [c for c, _ in diags] == ["SES541"] and "cached: 0 files" in err


def test_an_open_document_is_read_from_the_editor_not_the_disk(tmp_path):
    from ses_lsp.document.document import Document
    from ses_lsp.lint.engine import lint_text
    from ses_lsp.lint.workspace import Workspace

    rules = write(tmp_path, "rules/rule-set.yaml", RULES.replace("NAME", "ceo"))
    test = tmp_path / "inbound.routing.yaml"
    assert lint_text(TEST, str(test)).diagnostics == []
    edited = Document(RULES.replace("NAME", "vip"), str(rules))
    ws = Workspace([(rules.as_uri(), edited, "ses:describe-receipt-rule-set")])
    got = [(d.code, d.message) for d in lint_text(TEST, str(test), workspace=ws).diagnostics]
    assert got == [
        ("SES542", 'rule "ceo" is not a rule of "rules/rule-set.yaml" (its rules: "vip"), so this case can never pass')
    ]
