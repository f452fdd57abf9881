"""Unit tests for the bounce and DSN rules (SES4xx): positions, messages, fixes.

The grammars they use (status codes, addresses, timestamps) are tested in test_knowledge.py."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from ses_lsp.knowledge import timestamps
from ses_lsp.lint.config import Config
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.fixes import apply_edit_groups

SB = "ses:send-bounce"
RULE = "ses:create-receipt-rule"
MM = "mailmanager:create-rule-set"


def lint(doc, kind, config=None, fmt="json"):
    text = json.dumps(doc, indent=2) if fmt == "json" and not isinstance(doc, str) else doc
    return text, lint_text(text, f"case.{fmt}", kind=kind, config=config)


def codes(result, prefix="SES4"):
    return [d.code for d in result.diagnostics if d.code.startswith(prefix)]


def only(result, code):
    found = [d for d in result.diagnostics if d.code == code]
    assert len(found) == 1, [(d.code, d.message) for d in result.diagnostics]
    return found[0]


def fixed(text, diag):
    assert diag.fix is not None
    return apply_edit_groups(text, [diag.fix.edits])


def classic(bounce: dict) -> dict:
    return {
        "RuleSetName": "inbound",
        "Rule": {
            "Name": "reject-old",
            "Enabled": True,
            "Recipients": ["old@example.com"],
            "Actions": [{"BounceAction": bounce}, {"StopAction": {"Scope": "RuleSet"}}],
        },
    }


OK_BOUNCE = {
    "SmtpReplyCode": "550",
    "StatusCode": "5.1.1",
    "Message": "Mailbox does not exist",
    "Sender": "postmaster@example.com",
}


def mm(bounce: dict) -> dict:
    body = {
        "ActionFailurePolicy": "CONTINUE",
        "RoleArn": "arn:aws:iam::123456789012:role/bounce",
        "Sender": "postmaster@example.com",
        "StatusCode": "5.1.1",
        "SmtpReplyCode": "550",
        "DiagnosticMessage": "550 5.1.1 Mailbox does not exist",
    }
    body.update(bounce)
    return {
        "RuleSetName": "inbound-rules",
        "Rules": [{"Name": "reject", "Actions": [{"Bounce": body}]}],
    }


def send_bounce(infos: list, **extra) -> dict:
    doc = {"OriginalMessageId": "0000014a-f4d4-4f89", "BounceSender": "mailer-daemon@example.com"}
    doc.update(extra)
    doc["BouncedRecipientInfoList"] = infos
    return doc


def dsn(**fields) -> dict:
    f = {"Action": "failed", "Status": "5.1.1"}
    f.update(fields)
    return {"Recipient": "old@example.com", "RecipientDsnFields": f}


# -- classic BounceAction ----------------------------------------------------------


def test_clean_classic_bounce():
    _, r = lint(classic(OK_BOUNCE), RULE)
    assert codes(r) == []


def test_leading_zero_fix_json_and_yaml():
    text, r = lint(classic({**OK_BOUNCE, "StatusCode": "5.01.1"}), RULE)
    d = only(r, "SES405")
    assert '"5.01.1"' in d.message and "leading zeros" in d.message
    assert d.pointer == "/Rule/Actions/0/BounceAction/StatusCode"
    assert '"StatusCode": "5.1.1"' in fixed(text, d)

    yaml_text = (
        "RuleSetName: inbound\nRule:\n  Name: r\n  Enabled: true\n  Recipients: "
        "[old@example.com]\n  Actions:\n    - BounceAction:\n        SmtpReplyCode: '550'\n        "
        "StatusCode: 5.01.1  # odd\n        Message: Gone\n        Sender: "
        "postmaster@example.com\n    - StopAction:\n        Scope: RuleSet\n"
    )
    _, r = lint(yaml_text, RULE, fmt="yaml")
    d = only(r, "SES405")
    out = fixed(yaml_text, d)
    assert "StatusCode: '5.1.1'  # odd\n" in out


def test_status_code_that_is_a_reply_code():
    _, r = lint(classic({**OK_BOUNCE, "StatusCode": "550"}), RULE)
    d = only(r, "SES405")
    assert "SMTP reply code" in d.message and "SmtpReplyCode" in d.message and d.fix is None


def test_reply_code_messages():
    _, r = lint(classic({**OK_BOUNCE, "SmtpReplyCode": "250"}), RULE)
    assert only(r, "SES407").message == (
        'SmtpReplyCode "250" is a success reply; a bounce needs 4yz (temporary) or 5yz (permanent), e.g. "550"'
    )
    assert codes(r) == ["SES407"]
    _, r = lint(classic({**OK_BOUNCE, "SmtpReplyCode": "570"}), RULE)
    assert "second digit 7" in only(r, "SES406").message
    _, r = lint(classic({**OK_BOUNCE, "SmtpReplyCode": "5.1.1"}), RULE)
    assert "belongs in StatusCode" in only(r, "SES406").message
    _, r = lint(classic({**OK_BOUNCE, "SmtpReplyCode": "650"}), RULE)
    assert "first digit 6" in only(r, "SES406").message


def test_reply_code_whitespace_fix():
    text, r = lint(classic({**OK_BOUNCE, "SmtpReplyCode": "550 "}), RULE)
    d = only(r, "SES406")
    assert '"SmtpReplyCode": "550"' in fixed(text, d)


def test_empty_reply_code_is_an_error_not_a_syntax_warning():
    _, r = lint(classic({**OK_BOUNCE, "SmtpReplyCode": "", "Message": ""}), RULE)
    assert sorted(codes(r)) == ["SES404", "SES404"]


def test_class_mismatch_points_at_both():
    text, r = lint(classic({**OK_BOUNCE, "StatusCode": "4.2.2", "SmtpReplyCode": "550"}), RULE)
    d = only(r, "SES408")
    assert text[d.start : d.end] == '"4.2.2"'
    assert len(d.related) == 1 and text[d.related[0].start : d.related[0].end] == '"550"'
    assert '"5.2.2"' in d.message
    # the class-2 and 2yz cases belong to other rules
    _, r = lint(classic({**OK_BOUNCE, "StatusCode": "2.0.0"}), RULE)
    assert codes(r) == ["SES409"]
    _, r = lint(classic({**OK_BOUNCE, "SmtpReplyCode": "250"}), RULE)
    assert codes(r) == ["SES407"]


@pytest.mark.parametrize(
    "reply,status,flagged",
    [
        ("450", "4.1.1", True),
        ("550", "5.2.2", True),
        ("450", "4.2.2", False),
        ("550", "5.1.1", False),
        ("550", "5.7.1", False),
        ("450", "4.7.1", True),
        ("550", "5.4.7", False),
        ("450", "4.4.7", False),
        ("550", "5.1.5", True),
        ("554", "5.6.1", False),
    ],
)
def test_detail_class(reply, status, flagged):
    _, r = lint(classic({**OK_BOUNCE, "SmtpReplyCode": reply, "StatusCode": status}), RULE)
    assert ("SES410" in codes(r)) is flagged


def test_missing_status_code_offers_class_only_code():
    bounce = {k: v for k, v in OK_BOUNCE.items() if k != "StatusCode"}
    text, r = lint(classic(bounce), RULE)
    d = only(r, "SES411")
    assert text[d.start : d.end] == '"BounceAction"'
    assert d.fix is not None and not d.fix.safe
    out = json.loads(fixed(text, d))
    assert out["Rule"]["Actions"][0]["BounceAction"]["StatusCode"] == "5.0.0"


def test_command_syntax_codes():
    _, r = lint(classic({**OK_BOUNCE, "SmtpReplyCode": "500", "StatusCode": "5.6.1"}), RULE)
    assert codes(r) == ["SES412"]
    _, r = lint(classic({**OK_BOUNCE, "SmtpReplyCode": "505", "StatusCode": "5.6.1"}), RULE)
    assert codes(r) == []


def test_sender_checks_and_fixes():
    _, r = lint(classic({**OK_BOUNCE, "Sender": "postmaster"}), RULE)
    assert "no '@'" in only(r, "SES421").message
    text, r = lint(classic({**OK_BOUNCE, "Sender": " postmaster@example.com"}), RULE)
    assert '"Sender": "postmaster@example.com"' in fixed(text, only(r, "SES421"))
    text, r = lint(classic({**OK_BOUNCE, "Sender": "mailto:postmaster@example.com"}), RULE)
    assert '"Sender": "postmaster@example.com"' in fixed(text, only(r, "SES421"))
    _, r = lint(classic({**OK_BOUNCE, "Sender": "Postmaster <postmaster@example.com>"}), RULE)
    assert codes(r) == []


def test_placeholders_are_not_judged():
    bounce = {
        "SmtpReplyCode": "${ReplyCode}",
        "StatusCode": "{{status}}",
        "Message": "m",
        "Sender": "${BounceSender}",
    }
    _, r = lint(classic(bounce), RULE)
    assert codes(r) == []


def test_wrong_types_are_left_to_the_schema_pass():
    yaml_text = (
        "RuleSetName: inbound\nRule:\n  Name: r\n  Enabled: true\n  Recipients: "
        "[old@example.com]\n  Actions:\n    - BounceAction:\n        SmtpReplyCode: 550\n        "
        "StatusCode: 5.1.1\n        Message: Gone\n        Sender: postmaster@example.com\n    - "
        "StopAction:\n        Scope: RuleSet\n"
    )
    _, r = lint(yaml_text, RULE, fmt="yaml")
    assert codes(r) == []
    assert any(d.code == "SES004" for d in r.diagnostics)


def test_rule_set_with_several_bounces():
    doc = {
        "Metadata": {"Name": "inbound"},
        "Rules": [
            {
                "Name": "a",
                "Enabled": True,
                "Recipients": ["a@example.com"],
                "Actions": [{"BounceAction": {**OK_BOUNCE, "StatusCode": "4.1.1"}}],
            },
            {
                "Name": "b",
                "Enabled": True,
                "Recipients": ["b@example.com"],
                "Actions": [{"BounceAction": {**OK_BOUNCE, "StatusCode": "5.01.1"}}],
            },
        ],
    }
    _, r = lint(doc, "ses:describe-receipt-rule-set")
    assert sorted(codes(r)) == ["SES405", "SES408"]  # 4.1.1 with 550: SES408 only, not SES410 too


# -- Mail Manager Bounce -----------------------------------------------------------------


def test_clean_mm_bounce():
    _, r = lint(mm({}), MM)
    assert codes(r) == []


def test_mm_only_adds_what_the_pattern_misses():
    _, r = lint(mm({"StatusCode": "5.01.1"}), MM)
    d = only(r, "SES405")
    assert '"5.1.1"' in d.message
    # pattern failures are the schema pass's, not ours
    _, r = lint(mm({"StatusCode": "5.1"}), MM)
    assert "SES405" not in codes(r) and any(d.code.startswith("SES1") for d in r.diagnostics)
    _, r = lint(mm({"SmtpReplyCode": "650"}), MM)
    assert "SES406" not in codes(r)
    _, r = lint(mm({"SmtpReplyCode": "560", "StatusCode": "5.1.1"}), MM)
    assert codes(r) == ["SES406"]


def test_mm_class_mismatch_and_detail():
    _, r = lint(mm({"SmtpReplyCode": "450", "StatusCode": "5.1.1"}), MM)
    assert codes(r) == ["SES408"]
    _, r = lint(mm({"SmtpReplyCode": "450", "StatusCode": "4.1.1"}), MM)
    assert codes(r) == ["SES410"]


def test_mm_smtp_prefix():
    text, r = lint(mm({"DiagnosticMessage": "smtp; 550 5.1.1 gone"}), MM)
    d = only(r, "SES419")
    assert d.fix is not None and not d.fix.safe
    assert '"DiagnosticMessage": "550 5.1.1 gone"' in fixed(text, d)
    _, r = lint(mm({"DiagnosticMessage": "SMTP;550 gone"}), MM)
    assert codes(r) == ["SES419"]


# -- SendBounce -----------------------------------------------------------------------


def test_clean_send_bounce():
    doc = send_bounce(
        [
            dsn(
                FinalRecipient="old@example.com",
                RemoteMta="dns; mx.example.net",
                DiagnosticCode="smtp; 550 5.1.1 user unknown",
                LastAttemptDate="2024-05-01T10:05:00Z",
            ),
            {"Recipient": "gone@example.com", "BounceType": "DoesNotExist"},
        ],
        Explanation="Unknown users.",
        MessageDsn={"ReportingMta": "dns; mx.example.com", "ArrivalDate": "2024-05-01T10:00:00Z"},
    )
    _, r = lint(doc, SB)
    assert [(d.code, d.message) for d in r.diagnostics] == []


def test_reason_missing_and_both():
    text, r = lint(send_bounce([{"Recipient": "a@example.com"}]), SB)
    d = only(r, "SES401")
    assert text[d.start : d.end] == '"Recipient"' and d.pointer == "/BouncedRecipientInfoList/0"
    text, r = lint(
        send_bounce(
            [
                {
                    "Recipient": "a@example.com",
                    "BounceType": "DoesNotExist",
                    "RecipientDsnFields": {"Action": "failed", "Status": "5.1.1"},
                }
            ]
        ),
        SB,
    )
    d = only(r, "SES402")
    assert text[d.start : d.end] == '"BounceType"'
    assert text[d.related[0].start : d.related[0].end] == '"RecipientDsnFields"'
    out = json.loads(fixed(text, d))
    assert "BounceType" not in out["BouncedRecipientInfoList"][0]


def test_empty_list():
    _, r = lint(send_bounce([]), SB)
    assert codes(r) == ["SES403"]


@pytest.mark.parametrize(
    "action,status,code",
    [
        ("failed", "2.0.0", "SES413"),
        ("delayed", "5.1.1", "SES413"),
        ("delayed", "2.0.0", "SES413"),
        ("failed", "4.4.1", None),
        ("delayed", "4.4.1", None),
        ("failed", "5.1.1 (user unknown)", None),
        ("delivered", "2.0.0", "SES414"),
        ("relayed", "5.6.4", "SES414"),
        ("expanded", "2.0.0", "SES414"),
    ],
)
def test_action_vs_status(action, status, code):
    _, r = lint(send_bounce([dsn(Action=action, Status=status)]), SB)
    assert codes(r) == ([code] if code else [])


def test_dsn_status_syntax_keeps_comment():
    text, r = lint(send_bounce([dsn(Status="5.01.1 (user unknown)")]), SB)
    d = only(r, "SES405")
    assert '"Status": "5.1.1 (user unknown)"' in fixed(text, d)
    _, r = lint(send_bounce([dsn(Status="5.1.1 user unknown")]), SB)
    assert "SES405" in codes(r)


@pytest.mark.parametrize(
    "value,code,fixed_value",
    [
        ("mx.example.com", "SES415", "dns; mx.example.com"),
        ("dns: mx.example.com", "SES415", "dns; mx.example.com"),
        ("dns;", "SES415", None),
        ("[192.0.2.1]", "SES415", None),
        ("smtp; mx.example.com", "SES416", None),
        ("DNS; mx.example.com", None, None),
        ("x400; /C=US/ADMD=x/", None, None),
        ("dns;mx.example.com", None, None),
    ],
)
def test_mta_names(value, code, fixed_value):
    text, r = lint(
        send_bounce(
            [{"Recipient": "a@example.com", "BounceType": "DoesNotExist"}],
            MessageDsn={"ReportingMta": value},
        ),
        SB,
    )
    assert codes(r) == ([code] if code else [])
    if fixed_value:
        out = json.loads(fixed(text, only(r, code)))
        assert out["MessageDsn"]["ReportingMta"] == fixed_value
    text, r = lint(send_bounce([dsn(RemoteMta=value)]), SB)
    assert codes(r) == ([code] if code else [])


@pytest.mark.parametrize(
    "value,code,fixed_value",
    [
        ("550 5.1.1 user unknown", "SES417", "smtp; 550 5.1.1 user unknown"),
        ("No such user", "SES417", None),
        ("smtp; 550 5.1.1 user unknown", None, None),
        ("SMTP;550 gone", None, None),
        ("X-Postfix; host said: gone", "SES418", None),
    ],
)
def test_diagnostic_code(value, code, fixed_value):
    text, r = lint(send_bounce([dsn(DiagnosticCode=value)]), SB)
    assert codes(r) == ([code] if code else [])
    if fixed_value:
        out = json.loads(fixed(text, only(r, code)))
        assert out["BouncedRecipientInfoList"][0]["RecipientDsnFields"]["DiagnosticCode"] == fixed_value


@pytest.mark.parametrize("value", ["rfc822; old@example.com", "RFC 822;old@example.com", "rfc822 ; old@example.com"])
def test_final_recipient_prefix(value):
    text, r = lint(send_bounce([dsn(FinalRecipient=value)]), SB)
    assert codes(r) == ["SES420"]  # the address after the prefix is fine: no SES421
    out = json.loads(fixed(text, only(r, "SES420")))
    assert out["BouncedRecipientInfoList"][0]["RecipientDsnFields"]["FinalRecipient"] == "old@example.com"


def test_final_recipient_prefix_and_bad_address():
    _, r = lint(send_bounce([dsn(FinalRecipient="rfc822; old")]), SB)
    assert sorted(codes(r)) == ["SES420", "SES421"]


def test_send_bounce_addresses():
    doc = send_bounce([{"Recipient": "nobody", "BounceType": "DoesNotExist"}], BounceSender="mailer-daemon")
    _, r = lint(doc, SB)
    msgs = sorted(d.message for d in r.diagnostics if d.code == "SES421")
    assert len(msgs) == 2 and msgs[0].startswith('BounceSender "mailer-daemon"')
    assert msgs[1].startswith('Recipient "nobody"')


def test_explanation_empty_fix_json_and_yaml():
    text, r = lint(
        send_bounce([{"Recipient": "a@example.com", "BounceType": "DoesNotExist"}], Explanation=" "),
        SB,
    )
    out = json.loads(fixed(text, only(r, "SES424")))
    assert "Explanation" not in out
    yaml_text = (
        "OriginalMessageId: abc\nBounceSender: mailer-daemon@example.com\nExplanation: "
        "''\nBouncedRecipientInfoList:\n  - Recipient: a@example.com\n    BounceType: "
        "DoesNotExist\n"
    )
    _, r = lint(yaml_text, SB, fmt="yaml")
    assert fixed(yaml_text, only(r, "SES424")) == yaml_text.replace("Explanation: ''\n", "")


# -- dates ------------------------------------------------------------------------------


def _dated(arrival, last):
    md = {"ReportingMta": "dns; mx.example.com"}
    if arrival is not None:
        md["ArrivalDate"] = arrival
    return send_bounce([dsn(LastAttemptDate=last)], MessageDsn=md)


@pytest.mark.parametrize(
    "arrival,last,flagged",
    [
        ("2024-05-01T10:00:00Z", "2024-05-01T09:59:00Z", True),
        ("2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z", False),
        ("2024-05-01T12:00:00+02:00", "2024-05-01T10:30:00Z", False),
        (1714557600, "2024-05-01T09:00:00Z", True),
        # one date without a zone: 14 hours of slack
        ("2024-05-01T10:00:00Z", "2024-05-01T03:00:00", False),
        ("2024-05-01T10:00:00Z", "2024-04-30T10:00:00", True),
        ("2024-05-01", "2024-04-30", True),
    ],
)
def test_date_order(arrival, last, flagged):
    text, r = lint(_dated(arrival, last), SB)
    assert ("SES422" in codes(r)) is flagged
    if flagged:
        d = only(r, "SES422")
        assert "LastAttemptDate" in text[d.start - 20 : d.start] and d.related


def test_future_dates_use_the_injected_clock(monkeypatch):
    doc = _dated("2024-05-01T10:00:00Z", "2024-05-01T10:05:00Z")
    now = datetime(2024, 5, 1, 10, 2, tzinfo=timezone.utc)
    _, r = lint(doc, SB, config=Config(extra={"now": now}))
    assert codes(r) == []  # 3 minutes ahead: within the clock-skew slack
    _, r = lint(doc, SB, config=Config(extra={"now": now - timedelta(hours=1)}))
    assert codes(r) == ["SES423", "SES423"]
    monkeypatch.setattr(timestamps, "clock", lambda: datetime(2024, 4, 1, tzinfo=timezone.utc))
    _, r = lint(doc, SB)
    assert codes(r) == ["SES423", "SES423"]
    monkeypatch.setattr(timestamps, "clock", lambda: datetime(2030, 1, 1, tzinfo=timezone.utc))
    _, r = lint(doc, SB)
    assert codes(r) == []


def test_future_date_without_zone_gets_fourteen_hours():
    doc = _dated("2024-05-01T20:00:00", "2024-05-01T20:00:00")
    now = datetime(2024, 5, 1, 10, 0, tzinfo=timezone.utc)
    _, r = lint(doc, SB, config=Config(extra={"now": now}))
    assert codes(r) == []
    _, r = lint(doc, SB, config=Config(extra={"now": now - timedelta(hours=5)}))
    assert codes(r) == ["SES423", "SES423"]


def test_yaml_timestamps():
    text = (
        "OriginalMessageId: abc\nBounceSender: mailer-daemon@example.com\nMessageDsn:\n  "
        "ReportingMta: dns; mx.example.com\n  ArrivalDate: "
        "2024-05-01T10:00:00Z\nBouncedRecipientInfoList:\n  - Recipient: a@example.com\n    "
        "RecipientDsnFields:\n      Action: failed\n      Status: 5.1.1\n      LastAttemptDate: "
        "2024-05-01 09:00:00 +00:00\n"
    )
    _, r = lint(text, SB, fmt="yaml")
    assert codes(r) == ["SES422"]


# -- verified senders ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "sender,flagged",
    [
        ("postmaster@example.com", False),
        ("bounces@mail.example.com", False),
        ("postmaster@EXAMPLE.com", False),
        ("postmaster@example.org", True),
        ("postmaster@notexample.com", True),
        ("me@other.net", False),
        ("Postmaster <postmaster@example.org>", True),
    ],
)
def test_sender_verified(sender, flagged):
    config = Config(verified_domains=("example.com", "me@other.net"))
    _, r = lint(classic({**OK_BOUNCE, "Sender": sender}), RULE, config=config)
    assert ("SES425" in codes(r)) is flagged
    _, r = lint(mm({"Sender": sender}), MM, config=config)
    if "<" not in sender and "EXAMPLE" not in sender:
        assert ("SES425" in codes(r)) is flagged


def test_sender_verified_silent_without_config_and_with_sending_authorization():
    _, r = lint(classic({**OK_BOUNCE, "Sender": "postmaster@example.org"}), RULE)
    assert codes(r) == []
    config = Config(verified_domains=("example.com",))
    doc = send_bounce(
        [{"Recipient": "a@example.com", "BounceType": "DoesNotExist"}],
        BounceSender="bounces@example.org",
    )
    _, r = lint(doc, SB, config=config)
    assert codes(r) == ["SES425"]
    doc["BounceSenderArn"] = "arn:aws:ses:us-east-1:123456789012:identity/example.org"
    _, r = lint(doc, SB, config=config)
    assert codes(r) == []
