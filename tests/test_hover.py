"""Hover unit tests (`|` marks the cursor)."""

from __future__ import annotations

import pytest

from ses_lsp.document.document import Document
from ses_lsp.editor.hover import hover

RULE = "ses:create-receipt-rule"


def at(src: str, fmt: str, kind: str | None = RULE):
    off = src.index("|")
    text = src.replace("|", "", 1)
    return text, hover(Document(text, f"x.{fmt}", fmt), kind, off)


@pytest.mark.parametrize(
    "fmt,src",
    [
        ("json", '{"RuleSetName": "x", "Rule": {"Tls|Policy": "Require"}}'),
        ("yaml", "RuleSetName: x\nRule:\n  Tls|Policy: Require\n"),
    ],
)
def test_member(fmt, src):
    text, h = at(src, fmt)
    assert h is not None
    assert h.markdown.startswith("**TlsPolicy** · a string · optional")
    assert "Allowed values: `Require`, `Optional`" in h.markdown
    assert text[h.start : h.end].strip('"') == "TlsPolicy"


def test_required_pattern_and_length():
    _, h = at('{"RuleSetName": "x", "Rule": {"Na|me": "a"}}', "json")
    assert "required" in h.markdown.split("\n")[0]
    mm = '{"RuleSetName": "x", "Rules": [{"Na|me": "a", "Actions": []}]}'
    _, h = at(mm, "json", "mailmanager:create-rule-set")
    assert "- Length: 1 to 32 characters" in h.markdown
    assert "- Only letters, digits, '_', '.' and '-' are allowed" in h.markdown
    _, h = at(mm.replace("Na|me", "Name").replace("Acti", "Ac|ti"), "json", "mailmanager:create-rule-set")
    assert "- Count: 1 to 10 items" in h.markdown and "required" in h.markdown
    _, h = at("RuleSetName: x\nRule:\n  Actions:\n    - BounceAction:\n        SmtpRe|plyCode: '550'\n", "yaml")
    assert "SMTP reply code" in h.markdown


def test_enum_value():
    _, h = at("RuleSetName: x\nRule:\n  TlsPolicy: Opt|ional\n", "yaml")
    assert "`Optional`: one of the allowed values of **TlsPolicy**" in h.markdown
    _, h = at("RuleSetName: x\nRule:\n  TlsPolicy: opt|ional\n", "yaml")
    assert "**not** an allowed value" in h.markdown


def test_rule_code_in_suppression_comment():
    _, h = at("RuleSetName: x\nRule:\n  Bogus: 1  # ses-lsp: disable=SES1|01\n", "yaml")
    assert h is not None and "**SES101** `unknown-member`" in h.markdown
    assert "Bad:" in h.markdown and "docs/rules.md#ses101" in h.markdown
    _, h = at("RuleSetName: x\nRule:\n  Bogus: 1  # ses-lsp: disable=SES101, wrong-ty|pe\n", "yaml")
    assert "`wrong-type`" in h.markdown


def test_nothing_for_unknown_kinds_or_places():
    assert at('{"a|": 1}', "json", None)[1] is None
    assert at('{"RuleSetName": "x", "Nope|": 1}', "json")[1] is None
