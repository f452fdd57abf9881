"""Unit tests for the limits family (SES8xx): classic quotas, SNS size, synchronous Lambda."""

from __future__ import annotations

import json

import pytest

from ses_lsp.lint.engine import lint_text

RULE = "ses:create-receipt-rule"
RULE_SET = "ses:describe-receipt-rule-set"

S3 = {"S3Action": {"BucketName": "mail-bucket"}}
SNS = {"SNSAction": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:inbound"}}
STOP = {"StopAction": {"Scope": "RuleSet"}}


def lam(invocation="RequestResponse"):
    return {
        "LambdaAction": {
            "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "InvocationType": invocation,
        }
    }


def lint(doc, kind):
    text = json.dumps(doc, indent=2)
    return text, lint_text(text, "x.json", kind=kind).diagnostics


def codes(diags):
    return [d.code for d in diags if d.code.startswith("SES8")]


def rule(*actions, recipients=None, name="r"):
    r = {"Name": name, "Enabled": True, "Actions": list(actions)}
    if recipients is not None:
        r["Recipients"] = recipients
    return r


@pytest.mark.parametrize("n,expected", [(10, []), (11, ["SES802"])])
def test_actions(n, expected):
    _, diags = lint({"RuleSetName": "s", "Rule": rule(*[S3] * n)}, RULE)
    assert codes(diags) == expected


def test_limit_diagnostic_underlines_the_key_and_points_at_the_first_item_over():
    text, diags = lint({"RuleSetName": "s", "Rule": rule(*[S3] * 12)}, RULE)
    (d,) = [d for d in diags if d.code == "SES802"]
    assert text[d.start : d.end] == '"Actions"'
    assert "has 12 actions" in d.message
    items = json.loads(text)["Rule"]["Actions"]
    assert len(items) == 12
    # The related note is on the 11th action (index 10).
    nth = -1
    for _ in range(11):
        nth = text.index('{\n        "S3Action"', nth + 1)
    assert d.related[0].start == nth
    assert d.pointer == "/Rule/Actions"


@pytest.mark.parametrize("n,expected", [(100, []), (101, ["SES803"])])
def test_recipients(n, expected):
    recips = [f"u{i}@example.com" for i in range(n)]
    _, diags = lint({"RuleSetName": "s", "Rule": rule(S3, recipients=recips)}, RULE)
    assert codes(diags) == expected
    assert all(d.severity.label == "warning" for d in diags if d.code == "SES803")


@pytest.mark.parametrize("n,expected", [(200, []), (201, ["SES801"])])
def test_rules(n, expected):
    rules = [rule(S3, recipients=[f"u{i}@example.com"], name=f"r{i}") for i in range(n)]
    _, diags = lint({"Metadata": {"Name": "s"}, "Rules": rules}, RULE_SET)
    assert codes(diags) == expected


@pytest.mark.parametrize("n,expected", [(100, []), (101, ["SES804"])])
def test_filters(n, expected):
    filters = [{"Name": f"f{i}", "IpFilter": {"Policy": "Allow", "Cidr": f"10.0.{i}.0/24"}} for i in range(n)]
    _, diags = lint({"Filters": filters}, "ses:list-receipt-filters")
    assert codes(diags) == expected


@pytest.mark.parametrize(
    "actions,expected",
    [
        ([SNS], ["SES805"]),
        ([lam("Event"), SNS], ["SES805"]),
        ([S3, SNS], []),
        (
            [SNS, {"WorkmailAction": {"OrganizationArn": "arn:aws:workmail:us-east-1:123456789012:organization/m-1"}}],
            [],
        ),
        ([SNS, SNS], ["SES805"]),  # reported once, on the first
        ([S3], []),
        ([SNS, {"S3Action": {"BucketName": "b"}, "StopAction": {"Scope": "RuleSet"}}], []),  # malformed entry
    ],
)
def test_sns_only(actions, expected):
    _, diags = lint({"RuleSetName": "s", "Rule": rule(*actions)}, RULE)
    assert [c for c in codes(diags) if c == "SES805"] == expected


def test_request_response_in_a_single_rule():
    text, diags = lint({"RuleSetName": "s", "Rule": rule(lam(), S3)}, RULE)
    (d,) = [d for d in diags if d.code == "SES806"]
    assert text[d.start : d.end] == '"RequestResponse"'
    _, diags = lint({"RuleSetName": "s", "Rule": rule(lam("Event"), S3)}, RULE)
    assert "SES806" not in codes(diags)


def test_request_response_defers_to_useless_request_response():
    # Last action of the last rule that can match: SES506 says it is useless; SES806 stays quiet.
    rs = {"Metadata": {"Name": "s"}, "Rules": [rule(S3, lam(), recipients=["example.com"])]}
    _, diags = lint(rs, RULE_SET)
    assert "SES806" not in codes(diags)
    # A later rule for the same recipients: the disposition matters, the delay note applies.
    rs["Rules"].append(rule(S3, recipients=["example.com"], name="later"))
    _, diags = lint(rs, RULE_SET)
    assert "SES806" in codes(diags)
