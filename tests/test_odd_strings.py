"""Every string check survives every string JSON (and YAML) can express.

JSON's ``\\uXXXX`` escapes can write what no UTF-8 file holds: lone UTF-16 surrogates.  Escapes
also bring U+0000, and the text itself U+FFFF and astral characters.  Each of them is put into
every string value of every example document (alone, before, inside and after the original
value) and every golden one (alone and inside), and one string at a time into the examples; no lint may crash (SES008).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from sample_documents import DOCUMENTS, EXAMPLES, get, paths, replaced, value_and_kind

from ses_lsp.document.document import Document
from ses_lsp.lint.engine import lint_text

SURROGATES = ["\ud800", "\udfff", "\udc80\ud800"]  # lone high, lone low, a reversed pair
OTHERS = ["\x00", "\uffff", "\U0001f600"]  # U+0000 (escaped), a noncharacter, an astral character
PLACES = {
    "alone": lambda s, odd: odd,
    "before": lambda s, odd: odd + s,
    "inside": lambda s, odd: s[: len(s) // 2] + odd + s[len(s) // 2 :],
    "after": lambda s, odd: s + odd,
}


def with_strings(value: object, change) -> object:
    """``value`` with ``change`` applied to every string value (not to member names)."""
    if isinstance(value, dict):
        return {k: with_strings(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [with_strings(v, change) for v in value]
    return change(value) if isinstance(value, str) else value


def internal_errors(text: str, name: str, kind: str | None) -> list[str]:
    return [d.message for d in lint_text(text, name, kind=kind).diagnostics if d.code == "SES008"]


@pytest.mark.parametrize("odd", SURROGATES + OTHERS, ids=ascii)
def test_odd_code_points_in_every_string_of_every_document(odd):
    crashes = []
    for path in DOCUMENTS:
        value, kind = value_and_kind(path)
        for place, put in PLACES.items():
            if place in ("before", "after") and path not in EXAMPLES:
                continue  # (the golden documents get the two that differ most)
            changed = with_strings(value, lambda s, put=put: put(s, odd))
            text = json.dumps(changed, indent=1)  # ASCII, escapes included
            assert json.loads(text) == changed
            crashes += [(path.name, place, "json", m) for m in internal_errors(text, "x.json", kind)]
            if odd in OTHERS and place == "inside":
                # YAML cannot hold a surrogate at all (the parser reports it); the rest it can.
                text = yaml.dump(changed, Dumper=yaml.CSafeDumper, allow_unicode=True, sort_keys=False)
                crashes += [(path.name, place, "yaml", m) for m in internal_errors(text, "x.yaml", kind)]
    assert crashes == []


@pytest.mark.parametrize("odd", SURROGATES + OTHERS, ids=ascii)
def test_odd_code_points_in_one_string_at_a_time(odd):
    # One odd string in an otherwise valid document reaches the checks that a document
    # full of odd strings stops early.
    crashes = []
    for path in EXAMPLES:
        value, kind = value_and_kind(path)
        for where in paths(value, lambda v: isinstance(v, str)):
            changed = replaced(value, where, PLACES["inside"](get(value, where), odd))
            text = json.dumps(changed, indent=1)
            crashes += [(path.name, where, m) for m in internal_errors(text, "x.json", kind)]
    assert crashes == []


def _bounce(sender: str) -> str:
    rule = {
        "Name": "bounce",
        "Enabled": True,
        "Recipients": ["user@example.com"],
        "Actions": [{"BounceAction": {"Sender": sender, "SmtpReplyCode": "550", "Message": "no such user"}}],
    }
    return json.dumps({"RuleSetName": "inbound", "Rule": rule}, indent=1)


@pytest.mark.parametrize("sender", ["\ud800", "x\ud800@example.com", "postmaster@exa\udfffmple.com"], ids=ascii)
def test_lone_surrogate_in_a_bounce_sender_is_reported_not_a_crash(sender):
    # SES421 crashed with UnicodeEncodeError measuring the local part's UTF-8 length.
    result = lint_text(_bounce(sender), "x.json")
    found = [d.message for d in result.diagnostics if d.code in ("SES421", "SES008")]
    surrogate = next(c for c in sender if "\ud800" <= c <= "\udfff")
    shown = sender.encode("ascii", "backslashreplace").decode()  # as quote() writes it
    assert found == [
        f'BounceAction Sender "{shown}" is not an email address: it contains "\\u{ord(surrogate):04x}", '
        "half of a UTF-16 surrogate pair, which is not a character; write local@domain, "
        'e.g. "postmaster@example.com"'
    ]


def test_same_unknown_operator_twice_is_a_schema_error_not_a_crash():
    # SES522 crashed with KeyError comparing two conditions with the same operator the API lacks.
    def rule(name: str, value: str, action: dict) -> dict:
        expression = {"Evaluate": {"Attribute": "SUBJECT"}, "Operator": "EQUALZ", "Values": [value]}
        return {"Name": name, "Conditions": [{"StringExpression": expression}], "Actions": [action]}

    rules = [rule("r", "a", {"Drop": {}}), rule("r2", "ab", {"Archive": {"TargetArchive": "a-1"}})]
    text = json.dumps({"RuleSetName": "s", "Rules": rules}, indent=1)
    result = lint_text(text, "x.json")
    assert result.kind == "mailmanager:create-rule-set"
    assert [d.code for d in result.diagnostics if d.code == "SES008"] == []
    assert [d.code for d in result.diagnostics if "EQUALZ" in d.message] == ["SES104", "SES104"]


def test_fixes_keep_lone_surrogates_escaped(tmp_path):
    # A fix rewrote the value with the surrogate as a raw character: --diff and --fix then
    # crashed encoding the text as UTF-8.  The escape must stay an escape.
    target = tmp_path / "rule.json"
    rule = {
        "Name": "support",
        "Enabled": True,
        "Recipients": ["sup\ud800port@Example.COM"],
        "Actions": [{"S3Action": {"BucketName": "mail-bucket"}}],
    }
    target.write_text(json.dumps({"RuleSetName": "inbound", "Rule": rule}, indent=1), encoding="utf-8")
    cmd = [sys.executable, "-m", "ses_lsp", "lint", "--no-cache", str(target)]
    diff = subprocess.run([*cmd, "--diff"], capture_output=True, check=False)
    assert diff.returncode == 1, diff.stderr
    assert b'\n+   "sup\\ud800port@example.com"\n' in diff.stdout, diff.stdout
    fixed = subprocess.run([*cmd, "--fix"], capture_output=True, check=False)
    assert fixed.returncode in (0, 1) and b"internal error" not in fixed.stderr, fixed.stderr
    text = target.read_bytes().decode("utf-8")
    assert json.loads(text)["Rule"]["Recipients"] == ["sup\ud800port@example.com"]
    assert Document(text, "rule.json").root is not None
