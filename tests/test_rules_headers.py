"""Unit tests for the headers family (SES3xx): header names and values, DSN fields, Mail Manager fixes."""

from __future__ import annotations

import json

import pytest

from ses_lsp.lint.config import Config
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.fixes import apply_edit_groups

RULE = "ses:create-receipt-rule"
RULE_SET = "ses:describe-receipt-rule-set"
MM = "mailmanager:create-rule-set"


def lint(doc, kind, path="x.json", **cfg):
    text = doc if isinstance(doc, str) else json.dumps(doc, indent=2)
    result = lint_text(text, path, kind=kind, config=Config(**cfg) if cfg else None)
    return text, result.diagnostics


def codes(diags, prefix="SES3"):
    return [d.code for d in diags if d.code.startswith(prefix)]


def classic(*actions, stop=False):
    acts = [{"AddHeaderAction": {"HeaderName": n, "HeaderValue": v}} for n, v in actions]
    acts.append({"S3Action": {"BucketName": "mail-bucket"}})
    if stop:
        acts.append({"StopAction": {"Scope": "RuleSet"}})
    return {"RuleSetName": "inbound", "Rule": {"Name": "r", "Enabled": True, "Actions": acts}}


def fix_all(text, diags, code):
    return apply_edit_groups(text, [d.fix.edits for d in diags if d.code == code and d.fix is not None])


# -- classic AddHeaderAction -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,code",
    [
        ("X-Tag", None),
        ("X-" + "a" * 48, None),  # 50 characters
        ("X-" + "a" * 49, "SES301"),
        ("", "SES301"),
        ("X-Tag:", "SES301"),
        ("X Tag", "SES301"),
        ("X-Tág", "SES301"),
        ("X-\u0007", "SES301"),
        ("X_Tag", "SES302"),
        ("X.Tag", "SES302"),
        ("X-Tag!", "SES302"),
    ],
)
def test_header_names(name, code):
    _, diags = lint(classic((name, "v")), RULE)
    found = [c for c in codes(diags) if c in ("SES301", "SES302")]
    assert found == ([code] if code else [])


@pytest.mark.parametrize(
    "value,code",
    [("v", None), ("", None), ("a" * 2048, None), ("a" * 2049, "SES303"), ("a\nb", "SES303"), ("a\rb", "SES303")],
)
def test_header_values(value, code):
    _, diags = lint(classic(("X-Tag", value)), RULE)
    assert [c for c in codes(diags) if c == "SES303"] == ([code] if code else [])


def test_line_break_fix_is_unsafe_and_joins_lines():
    text, diags = lint(classic(("X-Tag", "first\r\n  second\n")), RULE)
    (d,) = [d for d in diags if d.code == "SES303"]
    assert d.fix is not None and not d.fix.safe
    fixed = apply_edit_groups(text, [d.fix.edits])
    assert json.loads(fixed)["Rule"]["Actions"][0]["AddHeaderAction"]["HeaderValue"] == "first second"


def test_yaml_block_scalar_value_has_a_trailing_newline():
    text = (
        "RuleSetName: inbound\nRule:\n  Name: r\n  Enabled: true\n  Actions:\n"
        "    - AddHeaderAction:\n        HeaderName: X-Tag\n        HeaderValue: |\n          support\n"
        "    - S3Action: {BucketName: mail-bucket}\n"
    )
    diags = lint_text(text, "x.yaml", kind=RULE).diagnostics
    assert "SES303" in codes(diags)


def test_placeholders_are_not_checked():
    _, diags = lint(classic(("${HeaderName}", "{{ value }}\n")), RULE)
    assert codes(diags) == []


def test_reserved_headers():
    for name in ("Subject", "from", "Content-Type", "DKIM-Signature", "X-SES-Spam-Verdict"):
        _, diags = lint(classic((name, "v")), RULE)
        assert codes(diags) == ["SES310"], name
    _, diags = lint(classic(("X-Subject", "v")), RULE)
    assert codes(diags) == []


def test_duplicate_added_header_is_case_insensitive_and_per_rule():
    text, diags = lint(classic(("X-Tag", "a"), ("x-tag", "b")), RULE)
    (d,) = [d for d in diags if d.code == "SES308"]
    assert d.related[0].start == text.index('"X-Tag"')
    assert text[d.start : d.end] == '"x-tag"'
    two_rules = {
        "Metadata": {"Name": "s"},
        "Rules": [classic(("X-Tag", "a"))["Rule"] | {"Name": "a"}, classic(("X-Tag", "b"))["Rule"] | {"Name": "b"}],
    }
    two_rules["Rules"][0]["Recipients"] = ["a@example.com"]
    two_rules["Rules"][1]["Recipients"] = ["b@example.com"]
    assert "SES308" not in codes(lint(two_rules, RULE_SET)[1])


# -- added-header-unused ----------------------------------------------------------------------


def _rule(name, *actions, recipients=("example.com",)):
    return {"Name": name, "Enabled": True, "Recipients": list(recipients), "Actions": list(actions)}


ADD = {"AddHeaderAction": {"HeaderName": "X-Tag", "HeaderValue": "v"}}
S3 = {"S3Action": {"BucketName": "mail-bucket"}}
STOP = {"StopAction": {"Scope": "RuleSet"}}


@pytest.mark.parametrize(
    "rules,expected",
    [
        ([_rule("a", ADD, S3)], 0),
        ([_rule("a", S3, ADD)], 1),
        ([_rule("a", ADD), _rule("b", S3)], 0),
        ([_rule("a", S3), _rule("b", ADD)], 1),
        ([_rule("a", ADD, STOP), _rule("b", S3)], 1),
        ([_rule("a", ADD, S3, STOP)], 0),
        ([_rule("a", STOP, ADD)], 0),  # after the Stop: flow's unreachable-action, not this rule
        ([_rule("a", ADD, {"S3Action": {"BucketName": "b"}, "SNSAction": {"TopicArn": "t"}})], 0),  # malformed
    ],
)
def test_added_header_unused_in_rule_sets(rules, expected):
    _, diags = lint({"Metadata": {"Name": "s"}, "Rules": rules}, RULE_SET)
    assert codes(diags).count("SES309") == expected


def test_added_header_unused_in_a_single_rule_needs_a_stop():
    doc = {"RuleSetName": "s", "Rule": _rule("a", S3, ADD)}
    assert "SES309" not in codes(lint(doc, RULE)[1])  # later rules are unknown
    doc = {"RuleSetName": "s", "Rule": _rule("a", S3, ADD, STOP)}
    assert "SES309" in codes(lint(doc, RULE)[1])


def test_mm_added_header_unused_and_later_delivery():
    add = {"AddHeader": {"HeaderName": "X-Tag", "HeaderValue": "v"}}
    archive = {"Archive": {"TargetArchive": "a-1234567890abcdef"}}
    drop = {"Drop": {}}
    doc = {"RuleSetName": "rs", "Rules": [{"Name": "a", "Actions": [add]}, {"Name": "b", "Actions": [archive]}]}
    assert "SES309" not in codes(lint(doc, MM)[1])
    doc = {"RuleSetName": "rs", "Rules": [{"Name": "a", "Actions": [add, drop]}, {"Name": "b", "Actions": [archive]}]}
    assert "SES309" in codes(lint(doc, MM)[1])


# -- DSN extension fields ----------------------------------------------------------------------


def bounce(*fields):
    return {
        "OriginalMessageId": "m",
        "BounceSender": "mailer@example.com",
        "MessageDsn": {
            "ReportingMta": "dns; mx.example.com",
            "ExtensionFields": [{"Name": n, "Value": v} for n, v in fields],
        },
        "BouncedRecipientInfoList": [{"Recipient": "u@example.com", "BounceType": "DoesNotExist"}],
    }


@pytest.mark.parametrize(
    "name,value,expected",
    [
        ("X-Trace", "abc", []),
        ("X-" + "a" * 48, "a" * 2048, []),
        ("X-" + "a" * 49, "abc", ["SES304"]),
        ("X_Trace", "abc", ["SES304"]),
        ("", "abc", ["SES304"]),
        ("X-Trace", "a\nb", ["SES305"]),
        ("X-Trace", "a" * 2049, ["SES305"]),
    ],
)
def test_extension_fields(name, value, expected):
    _, diags = lint(bounce((name, value)), "ses:send-bounce")
    assert codes(diags) == expected


def test_recipient_dsn_extension_fields_are_checked_too():
    doc = bounce()
    doc["BouncedRecipientInfoList"] = [
        {
            "Recipient": "u@example.com",
            "RecipientDsnFields": {
                "Action": "failed",
                "Status": "5.1.1",
                "ExtensionFields": [{"Name": "a b", "Value": "x"}],
            },
        }
    ]
    assert codes(lint(doc, "ses:send-bounce")[1]) == ["SES304"]


# -- Mail Manager ------------------------------------------------------------------------------


def mm(header="X-Tag", mime="X-Spam-Flag"):
    return {
        "RuleSetName": "rs",
        "Rules": [
            {
                "Name": "a",
                "Conditions": [
                    {
                        "StringExpression": {
                            "Evaluate": {"MimeHeaderAttribute": mime},
                            "Operator": "EQUALS",
                            "Values": ["YES"],
                        }
                    }
                ],
                "Actions": [
                    {"AddHeader": {"HeaderName": header, "HeaderValue": "v"}},
                    {"Archive": {"TargetArchive": "a-1234567890abcdef"}},
                ],
            }
        ],
    }


def test_missing_x_prefix_replaces_the_pattern_error_and_fixes_it():
    text, diags = lint(mm(header="Spam-Checked"), MM)
    assert [d.code for d in diags] == ["SES306"]
    assert json.loads(fix_all(text, diags, "SES306"))["Rules"][0]["Actions"][0]["AddHeader"]["HeaderName"] == (
        "X-Spam-Checked"
    )


def test_pattern_error_stays_when_the_specific_rule_is_off():
    _, diags = lint(mm(header="Spam-Checked"), MM, ignore=("SES306",))
    assert [d.code for d in diags] == ["SES105"]


@pytest.mark.parametrize("header", ["Spam_Checked", "-x", "X-", "x-ok", "X-" + "a" * 62, "a" * 63])
def test_missing_x_prefix_only_for_names_the_prefix_repairs(header):
    _, diags = lint(mm(header=header), MM)
    assert "SES306" not in codes(diags)


def test_lowercase_x_in_mime_header_attribute():
    text, diags = lint(mm(mime="x-spam-flag"), MM)
    assert [d.code for d in diags] == ["SES307"]
    fixed = fix_all(text, diags, "SES307")
    assert '"MimeHeaderAttribute": "X-spam-flag"' in fixed
    assert [d.code for d in lint(fixed, MM)[1]] == []


def test_escaped_value_gets_no_fix():
    text = json.dumps(mm(mime="x-spam-flag"), indent=2).replace('"x-spam-flag"', '"\\u0078-spam-flag"')
    diags = lint_text(text, "x.json", kind=MM).diagnostics
    (d,) = [d for d in diags if d.code == "SES307"]
    assert d.fix is None


@pytest.mark.parametrize(
    "src,expected",
    [
        ("HeaderName: Spam-Checked", "HeaderName: X-Spam-Checked"),
        ("HeaderName: 'Spam-Checked'", "HeaderName: 'X-Spam-Checked'"),
        ('HeaderName: "Spam-Checked"', 'HeaderName: "X-Spam-Checked"'),
    ],
)
def test_yaml_prefix_fix_keeps_the_quoting(src, expected):
    text = (
        "RuleSetName: rs\nRules:\n  - Name: a\n    Actions:\n      - AddHeader:\n"
        f"          {src}\n          HeaderValue: v\n"
        "      - Archive: {TargetArchive: a-1234567890abcdef}\n"
    )
    diags = lint_text(text, "x.yaml", kind=MM).diagnostics
    assert [d.code for d in diags] == ["SES306"]
    assert expected in fix_all(text, diags, "SES306")
