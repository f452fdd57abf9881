"""The evaluation model (ses_lsp.semantics.evaluate): one test per semantic rule of
docs/evaluation.md, on rule documents parsed by the real parser."""

from __future__ import annotations

import json

import pytest

from ses_lsp.document.json_parser import parse_json
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics.mail import build_mail, read_eml, read_scenario

S3 = {"S3Action": {"BucketName": "b"}}
SNS = {"SNSAction": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}}
STOP = {"StopAction": {"Scope": "RuleSet"}}
BOUNCE = {"BounceAction": {"SmtpReplyCode": "550", "Message": "no", "Sender": "postmaster@example.com"}}
FN = "arn:aws:lambda:us-east-1:123456789012:function:f"
SYNC = {"LambdaAction": {"FunctionArn": FN, "InvocationType": "RequestResponse"}}
ASYNC = {"LambdaAction": {"FunctionArn": FN, "InvocationType": "Event"}}


def _root(doc: dict):
    parsed = parse_json(json.dumps(doc))
    assert parsed.root is not None
    _KEEP.append(parsed)  # nodes keep weak references to their parents
    return parsed.root


_KEEP: list = []


def rule(name, recipients=None, actions=(S3,), enabled=True, **extra):
    r: dict = {"Name": name, "Actions": list(actions), **extra}
    if enabled is not None:
        r["Enabled"] = enabled
    if recipients is not None:
        r["Recipients"] = recipients
    return r


def classic(rules, *filters, **mail):
    setup = ev.ClassicSetup.from_documents(
        _root({"Rules": rules}), "rules.json", [(_root(f), "filters.json") for f in filters]
    )
    return ev.evaluate_classic(setup, build_mail(mail))


def by_address(trace):
    return {r.address: r for r in trace.recipients}


# -- SES classic: the connection ---------------------------------------------------------


def flt(name, policy, cidr):
    return {"Filter": {"Name": name, "IpFilter": {"Policy": policy, "Cidr": cidr}}}


def test_block_filter_refuses_the_connection_for_every_recipient():
    t = classic([rule("r")], flt("bad", "Block", "203.0.113.0/24"), SourceIp="203.0.113.9", Recipients=["a@x.com"])
    assert not t.connection.accepted
    assert t.connection.decided_by is not None and t.connection.decided_by.node.pointer == "/Filter"
    assert [(r.accepted, r.outcome, r.actions) for r in t.recipients] == [(False, ev.BLOCKED, [])]


def test_allow_filter_wins_over_a_block_filter_containing_it():
    t = classic(
        [rule("r")],
        flt("all", "Block", "0.0.0.0/0"),
        flt("partner", "Allow", "198.51.100.0/24"),
        SourceIp="198.51.100.7",
        Recipients=["a@x.com"],
    )
    assert t.connection.accepted and "partner" in t.connection.reason and "overrides" in t.connection.reason
    assert t.recipients[0].outcome == ev.DELIVERED


def test_ses_block_list_refuses_unless_an_allow_filter_contains_the_ip():
    t = classic([rule("r")], SourceIp="198.51.100.7", OnSesBlockList=True, Recipients=["a@x.com"])
    assert not t.connection.accepted and t.connection.decided_by is None
    t = classic(
        [rule("r")],
        flt("ec2", "Allow", "198.51.100.7"),
        SourceIp="198.51.100.7",
        OnSesBlockList=True,
        Recipients=["a@x.com"],
    )
    assert t.connection.accepted


def test_ipv6_source_and_filters_of_the_other_family():
    t = classic([rule("r")], flt("v4", "Block", "0.0.0.0/0"), SourceIp="2001:db8::1", Recipients=["a@x.com"])
    assert t.connection.accepted
    t = classic([rule("r")], flt("v6", "Block", "2001:db8::/32"), SourceIp="2001:db8::1", Recipients=["a@x.com"])
    assert not t.connection.accepted


# -- SES classic: recipients ----------------------------------------------------------------


@pytest.mark.parametrize(
    "entry,address,matched",
    [
        ("user@example.com", "user@example.com", True),
        ("user@example.com", "user+news@example.com", True),
        ("user+news@example.com", "user@example.com", False),
        ("user+news@example.com", "user+news@example.com", True),
        ("example.com", "anyone@example.com", True),
        ("example.com", "anyone@sub.example.com", False),
        (".example.com", "anyone@sub.example.com", True),
        (".example.com", "anyone@example.com", False),
        ("EXAMPLE.com", "anyone@example.COM", True),
    ],
)
def test_recipient_forms(entry, address, matched):
    t = classic([rule("r", [entry])], Recipients=[address])
    r = t.recipients[0]
    assert r.accepted is matched
    assert r.rules == (["r"] if matched else [])
    assert r.outcome == (ev.DELIVERED if matched else ev.REJECTED)


def test_no_recipients_matches_every_verified_domain_only():
    rules = [rule("catch-all")]
    t = classic(
        rules, Recipients=["a@example.com", "b@sub.example.com", "c@other.org"], VerifiedDomains=["example.com"]
    )
    got = {r.address: (r.accepted, r.outcome) for r in t.recipients}
    assert got == {
        "a@example.com": (True, ev.DELIVERED),
        "b@sub.example.com": (True, ev.DELIVERED),
        "c@other.org": (False, ev.REJECTED),
    }
    assert "not a verified domain" in by_address(t)["c@other.org"].reason
    # Without verified domains, every recipient's domain counts as verified.
    t = classic(rules, Recipients=["c@other.org"])
    assert t.recipients[0].outcome == ev.DELIVERED


def test_unverified_domain_is_rejected_even_if_a_rule_names_it():
    t = classic([rule("r", ["a@other.org"])], Recipients=["a@other.org"], VerifiedDomains=["example.com"])
    assert t.recipients[0].outcome == ev.REJECTED


def test_disabled_and_enabled_omitted_rules_are_skipped():
    rules = [rule("off", ["example.com"], enabled=False), rule("unset", ["example.com"], enabled=None), rule("on")]
    t = classic(rules, Recipients=["a@example.com"])
    r = t.recipients[0]
    assert r.rules == ["on"]
    assert [(s.rule, s.matched) for s in r.steps] == [("off", False), ("unset", False), ("on", True)]
    assert "Enabled: false" in r.steps[0].why and "default is false" in r.steps[1].why


def test_rules_run_in_order_and_every_matching_rule_runs():
    rules = [
        rule("first", ["a@example.com"], [S3]),
        rule("second", ["example.com"], [SNS, S3]),
        rule("third", [".example.com"], [S3]),
    ]
    r = classic(rules, Recipients=["a@example.com"]).recipients[0]
    assert r.rules == ["first", "second"]
    assert [(a.rule, a.index, a.type) for a in r.actions] == [
        ("first", 0, "S3Action"),
        ("second", 0, "SNSAction"),
        ("second", 1, "S3Action"),
    ]
    assert r.stopped_by is None


def test_stop_ends_evaluation_for_that_rules_recipients_only():
    rules = [rule("vip", ["boss@example.com"], [S3, STOP]), rule("all", ["example.com"], [SNS])]
    t = by_address(classic(rules, Recipients=["boss@example.com", "staff@example.com"]))
    boss, staff = t["boss@example.com"], t["staff@example.com"]
    assert boss.rules == ["vip"] and [a.type for a in boss.actions] == ["S3Action"]
    assert boss.stopped_by is not None and (boss.stopped_by.rule, boss.stopped_by.index, boss.stopped_by.type) == (
        "vip",
        1,
        "StopAction",
    )
    assert boss.skipped == (1, 1)
    assert staff.rules == ["all"] and staff.stopped_by is None


@pytest.mark.parametrize(
    "disposition,rules_run,actions,stopped",
    [
        ("CONTINUE", ["a", "b"], ["LambdaAction", "S3Action", "SNSAction"], None),
        (None, ["a", "b"], ["LambdaAction", "S3Action", "SNSAction"], None),
        ("STOP_RULE", ["a", "b"], ["LambdaAction", "SNSAction"], None),
        ("STOP_RULE_SET", ["a"], ["LambdaAction"], "LambdaAction"),
        ("stop_rule_set", ["a"], ["LambdaAction"], "LambdaAction"),
        ("SOMETHING_ELSE", ["a", "b"], ["LambdaAction", "S3Action", "SNSAction"], None),
    ],
)
def test_request_response_dispositions(disposition, rules_run, actions, stopped):
    rules = [rule("a", ["example.com"], [SYNC, S3]), rule("b", ["example.com"], [SNS])]
    mail: dict = {"Recipients": ["x@example.com"]}
    if disposition is not None:
        mail["LambdaDispositions"] = {FN: disposition}
    r = classic(rules, **mail).recipients[0]
    assert r.rules == rules_run
    assert [a.type for a in r.actions] == actions
    assert (r.stopped_by.type if r.stopped_by else None) == stopped


def test_stop_rule_skips_the_stop_action_of_its_rule():
    rules = [rule("a", ["example.com"], [SYNC, STOP]), rule("b", ["example.com"], [SNS])]
    r = classic(rules, Recipients=["x@example.com"], LambdaDispositions={FN: "STOP_RULE"}).recipients[0]
    assert r.rules == ["a", "b"] and r.stopped_by is None


def test_event_invocation_ignores_the_disposition():
    rules = [rule("a", ["example.com"], [ASYNC, S3]), rule("b", ["example.com"], [SNS])]
    r = classic(rules, Recipients=["x@example.com"], LambdaDispositions={FN: "STOP_RULE_SET"}).recipients[0]
    assert r.rules == ["a", "b"] and r.stopped_by is None
    assert "Event" in r.actions[0].note


def test_bounce_does_not_stop():
    rules = [rule("spam", ["example.com"], [BOUNCE]), rule("store", ["example.com"], [S3])]
    r = classic(rules, Recipients=["x@example.com"]).recipients[0]
    assert r.rules == ["spam", "store"] and r.stopped_by is None
    assert r.outcome == ev.DELIVERED_AND_BOUNCED
    r = classic([rule("spam", ["example.com"], [BOUNCE, STOP])], Recipients=["x@example.com"]).recipients[0]
    assert r.outcome == ev.BOUNCED


def test_tls_require_bounces_mail_without_tls_for_that_rules_recipients():
    rules = [
        rule("before", ["example.com"], [SNS]),
        rule("secure", ["secret@example.com"], [S3], TlsPolicy="Require"),
        rule("after", ["example.com"], [S3]),
    ]
    t = by_address(classic(rules, Recipients=["secret@example.com", "open@example.com"], Tls=False))
    secret, other = t["secret@example.com"], t["open@example.com"]
    assert secret.rules == ["before"] and [a.rule for a in secret.actions] == ["before"]
    assert secret.stopped_by is not None and secret.stopped_by.type == "TlsPolicy"
    assert secret.stopped_by.ref.node.pointer == "/Rules/1/TlsPolicy"
    assert secret.outcome == ev.DELIVERED_AND_BOUNCED
    assert other.rules == ["before", "after"]
    # over TLS the rule runs
    r = by_address(classic(rules, Recipients=["secret@example.com"], Tls=True))["secret@example.com"]
    assert r.rules == ["before", "secure", "after"]


def test_explain_false_gives_the_same_result():
    rules = [
        rule(f"r{i}", [f"u{i}@example.com", ".example.org"], [S3] + ([STOP] if i % 3 == 0 else [])) for i in range(30)
    ]
    setup = ev.ClassicSetup.from_documents(_root({"Rules": rules}), "r")
    mail = build_mail({"Recipients": ["u7@example.com", "x@a.example.org", "u9@example.com"]})
    full, fast = ev.evaluate_classic(setup, mail), ev.evaluate_classic(setup, mail, explain=False)
    key = lambda t: [(r.address, r.rules, [(a.rule, a.index) for a in r.actions], r.outcome) for r in t.recipients]  # noqa: E731
    assert key(full) == key(fast)
    assert all(not r.steps for r in fast.recipients)


# -- Mail Manager ---------------------------------------------------------------------------


def sx(attr, op, *values):
    return {"StringExpression": {"Evaluate": {"Attribute": attr}, "Operator": op, "Values": list(values)}}


def mrule(name, conditions=None, unless=None, actions=({"Archive": {"TargetArchive": "a"}},)):
    r: dict = {"Name": name, "Actions": list(actions)}
    if conditions is not None:
        r["Conditions"] = conditions
    if unless is not None:
        r["Unless"] = unless
    return r


def mail_manager(rules, policy=None, ingress=None, **mail):
    setup = ev.MailManagerSetup.from_documents(
        _root({"RuleSetName": "rs", "Rules": rules}),
        "rs.json",
        _root(policy) if policy is not None else None,
        "tp.json",
        _root(ingress) if ingress is not None else None,
        "ip.json",
    )
    return ev.evaluate_mailmanager(setup, build_mail(mail))


def test_every_applying_rule_runs_no_first_match():
    rules = [
        mrule("billing", [sx("RECIPIENT", "EQUALS", "billing@example.com")]),
        mrule("catch-all"),
    ]
    t = by_address(mail_manager(rules, Recipients=["billing@example.com", "x@example.com"]))
    assert t["billing@example.com"].rules == ["billing", "catch-all"]
    assert t["x@example.com"].rules == ["catch-all"]
    step = t["x@example.com"].steps[0]
    assert not step.matched and "condition 1 does not hold" in step.why and '"x@example.com"' in step.why


def test_conditions_and_unless():
    rules = [
        mrule(
            "r",
            [sx("RECIPIENT", "ENDS_WITH", "@example.com"), sx("MAIL_FROM", "CONTAINS", "partner")],
            [sx("SUBJECT", "STARTS_WITH", "[spam]"), sx("HELO", "EQUALS", "bad.example.net")],
        )
    ]
    base = {"Recipients": ["a@example.com"], "MailFrom": "x@partner.example.net"}
    assert mail_manager(rules, **base).recipients[0].rules == ["r"]
    assert mail_manager(rules, **{**base, "MailFrom": "x@other.net"}).recipients[0].rules == []
    spam = mail_manager(rules, **base, Headers={"Subject": "[spam] win"}).recipients[0]
    assert spam.rules == [] and "Unless condition 1 holds" in spam.steps[0].why
    assert mail_manager(rules, **base, Helo="bad.example.net").recipients[0].rules == []


def test_only_unless_applies_when_no_unless_holds():
    rules = [mrule("r", unless=[sx("RECIPIENT", "EQUALS", "ceo@example.com")])]
    t = by_address(mail_manager(rules, Recipients=["ceo@example.com", "a@example.com"]))
    assert t["ceo@example.com"].rules == [] and t["a@example.com"].rules == ["r"]


def test_drop_stops_processing_for_those_recipients_only():
    rules = [
        mrule(
            "drop-spam",
            [sx("RECIPIENT", "EQUALS", "spam@example.com")],
            actions=[{"AddHeader": {"HeaderName": "X-A", "HeaderValue": "1"}}, {"Drop": {}}],
        ),
        mrule("archive"),
    ]
    t = by_address(mail_manager(rules, Recipients=["spam@example.com", "a@example.com"]))
    spam = t["spam@example.com"]
    assert [a.type for a in spam.actions] == ["AddHeader"] and spam.stopped_by is not None
    assert (spam.stopped_by.rule, spam.stopped_by.index, spam.stopped_by.type) == ("drop-spam", 1, "Drop")
    assert spam.outcome == ev.DROPPED
    assert t["a@example.com"].rules == ["archive"] and t["a@example.com"].outcome == ev.DELIVERED


def test_replace_recipient_changes_what_later_actions_act_for():
    rules = [
        mrule(
            "redirect",
            [sx("RECIPIENT", "EQUALS", "old@example.com")],
            actions=[
                {"Archive": {"TargetArchive": "a"}},
                {"ReplaceRecipient": {"ReplaceWith": ["new@example.com", "copy@example.com"]}},
                {"Relay": {"Relay": "r", "RuleSetName": "x"}},
            ],
        ),
        mrule("all", actions=[{"WriteToS3": {"S3Bucket": "b", "RoleArn": "arn:aws:iam::123456789012:role/r"}}]),
    ]
    r = mail_manager(rules, Recipients=["old@example.com"]).recipients[0]
    assert [(a.type, a.recipients) for a in r.actions] == [
        ("Archive", ["old@example.com"]),
        ("ReplaceRecipient", ["old@example.com"]),
        ("Relay", ["new@example.com", "copy@example.com"]),
        ("WriteToS3", ["new@example.com", "copy@example.com"]),
    ]
    # later rules still test RECIPIENT against the envelope recipient (see docs/evaluation.md)
    assert r.rules == ["redirect", "all"]


def cond(kind, evaluate, op, values=None, value=None):
    body: dict = {"Evaluate": evaluate, "Operator": op}
    if values is not None:
        body["Values"] = values
    if value is not None:
        body["Value"] = value
    return {kind: body}


@pytest.mark.parametrize(
    "condition,mail,holds",
    [
        (sx("RECIPIENT", "EQUALS", "a@example.com", "b@example.com"), {}, True),
        (sx("RECIPIENT", "NOT_EQUALS", "a@example.com", "b@example.com"), {}, False),
        (sx("RECIPIENT", "NOT_EQUALS", "b@example.com"), {}, True),
        (sx("RECIPIENT", "EQUALS", "A@example.com"), {}, False),  # case-sensitive
        (sx("TO", "EQUALS", "z@example.com"), {"Headers": {"To": "Y <y@example.com>, Z <z@example.com>"}}, True),
        (sx("TO", "NOT_EQUALS", "z@example.com"), {"Headers": {"To": "y@example.com, z@example.com"}}, False),
        (sx("CC", "EQUALS", "z@example.com"), {}, False),
        (sx("CC", "NOT_EQUALS", "z@example.com"), {}, True),
        (sx("SUBJECT", "CONTAINS", "invoice", "receipt"), {"Headers": {"Subject": "Your receipt"}}, True),
        (
            {"StringExpression": {"Evaluate": {"MimeHeaderAttribute": "X-Tag"}, "Operator": "EQUALS", "Values": ["b"]}},
            {"Headers": {"X-Tag": ["a", "b"]}},
            True,
        ),
        (cond("IpExpression", {"Attribute": "SOURCE_IP"}, "CIDR_MATCHES", ["10.0.0.0/8", "192.0.2.0/24"]), {}, True),
        (
            cond("IpExpression", {"Attribute": "SOURCE_IP"}, "NOT_CIDR_MATCHES", ["10.0.0.0/8", "192.0.2.0/24"]),
            {},
            False,
        ),
        (cond("IpExpression", {"Attribute": "SOURCE_IP"}, "NOT_CIDR_MATCHES", ["10.0.0.0/8"]), {}, True),
        (
            cond("VerdictExpression", {"Attribute": "SPF"}, "EQUALS", ["FAIL", "GRAY"]),
            {"Verdicts": {"Spf": "GRAY"}},
            True,
        ),
        (cond("VerdictExpression", {"Attribute": "DKIM"}, "NOT_EQUALS", ["PASS"]), {}, False),
        ({"DmarcExpression": {"Operator": "NOT_EQUALS", "Values": ["QUARANTINE", "REJECT"]}}, {}, True),
        ({"DmarcExpression": {"Operator": "EQUALS", "Values": ["REJECT"]}}, {"DmarcPolicy": "REJECT"}, True),
        (cond("NumberExpression", {"Attribute": "MESSAGE_SIZE"}, "LESS_THAN", value=100), {"Size": 99}, True),
        (
            cond("NumberExpression", {"Attribute": "MESSAGE_SIZE"}, "GREATER_THAN_OR_EQUAL", value=100),
            {"Size": 99},
            False,
        ),
        (cond("BooleanExpression", {"Attribute": "TLS"}, "IS_TRUE"), {}, True),
        (cond("BooleanExpression", {"Attribute": "TLS"}, "IS_TRUE"), {"Tls": False}, False),
        (cond("BooleanExpression", {"Attribute": "READ_RECEIPT_REQUESTED"}, "IS_FALSE"), {}, True),
        (
            cond(
                "BooleanExpression",
                {"IsInAddressList": {"Attribute": "RECIPIENT", "AddressLists": ["vips"]}},
                "IS_TRUE",
            ),
            {"AddressLists": {"vips": ["boss*@example.com"]}},
            False,
        ),
        (
            cond(
                "BooleanExpression",
                {"IsInAddressList": {"Attribute": "RECIPIENT", "AddressLists": ["vips"]}},
                "IS_TRUE",
            ),
            {"AddressLists": {"vips": ["A*@EXAMPLE.com"]}},
            True,
        ),
        (
            cond("BooleanExpression", {"Analysis": {"Analyzer": "arn:x", "ResultField": "isSpam"}}, "IS_TRUE"),
            {"AddOns": {"arn:x": {"isSpam": True}}},
            True,
        ),
        (cond("BooleanExpression", {"Analysis": {"Analyzer": "arn:x", "ResultField": "isSpam"}}, "IS_TRUE"), {}, False),
        (
            cond("StringExpression", {"Analysis": {"Analyzer": "arn:x", "ResultField": "label"}}, "EQUALS", ["bulk"]),
            {"AddOns": {"arn:x": {"label": "bulk"}}},
            True,
        ),
        (
            cond("StringExpression", {"ClientCertificateAttribute": "CN"}, "EQUALS", ["relay.example.com"]),
            {"ClientCertificate": {"CN": "relay.example.com"}},
            True,
        ),
    ],
)
def test_condition_semantics(condition, mail, holds):
    t = mail_manager([mrule("r", [condition])], Recipients=["a@example.com"], SourceIp="192.0.2.1", **mail)
    assert (t.recipients[0].rules == ["r"]) is holds


def tp(statements, default="ALLOW", **extra):
    return {"TrafficPolicyName": "tp", "PolicyStatements": statements, "DefaultAction": default, **extra}


def ipx(op, *cidrs):
    return {"IpExpression": {"Evaluate": {"Attribute": "SENDER_IP"}, "Operator": op, "Values": list(cidrs)}}


def test_traffic_policy_deny_statements_come_before_allow_statements():
    policy = tp(
        [
            {"Conditions": [ipx("CIDR_MATCHES", "10.0.0.0/8")], "Action": "ALLOW"},
            {"Conditions": [ipx("CIDR_MATCHES", "10.1.0.0/16")], "Action": "DENY"},
        ],
        default="DENY",
    )
    t = mail_manager([mrule("r")], policy, SourceIp="10.1.2.3", Recipients=["a@example.com"])
    assert not t.connection.accepted and t.connection.decided_by is not None
    assert t.connection.decided_by.node.pointer == "/PolicyStatements/1"
    t = mail_manager([mrule("r")], policy, SourceIp="10.2.2.3", Recipients=["a@example.com"])
    assert t.connection.accepted and t.connection.decided_by.node.pointer == "/PolicyStatements/0"
    t = mail_manager([mrule("r")], policy, SourceIp="192.0.2.1", Recipients=["a@example.com"])
    assert not t.connection.accepted and t.connection.decided_by.node.pointer == "/DefaultAction"
    assert t.recipients[0].outcome == ev.BLOCKED and t.recipients[0].rules == []


def test_traffic_policy_statement_conditions_are_anded_and_tls_and_ipv6():
    policy = tp(
        [
            {
                "Conditions": [
                    {
                        "Ipv6Expression": {
                            "Evaluate": {"Attribute": "SENDER_IPV6"},
                            "Operator": "CIDR_MATCHES",
                            "Values": ["2001:db8::/32"],
                        }
                    },
                    {
                        "TlsExpression": {
                            "Evaluate": {"Attribute": "TLS_PROTOCOL"},
                            "Operator": "MINIMUM_TLS_VERSION",
                            "Value": "TLS1_3",
                        }
                    },
                ],
                "Action": "ALLOW",
            }
        ],
        default="DENY",
    )
    ok = mail_manager([mrule("r")], policy, SourceIp="2001:db8::5", TlsProtocol="TLS1_3", Recipients=["a@x.com"])
    assert ok.connection.accepted
    old_tls = mail_manager([mrule("r")], policy, SourceIp="2001:db8::5", TlsProtocol="TLS1_2", Recipients=["a@x.com"])
    assert not old_tls.connection.accepted
    no_tls = mail_manager([mrule("r")], policy, SourceIp="2001:db8::5", Tls=False, Recipients=["a@x.com"])
    assert not no_tls.connection.accepted
    v4 = mail_manager([mrule("r")], policy, SourceIp="192.0.2.1", Recipients=["a@x.com"])
    assert not v4.connection.accepted


def test_traffic_policy_per_recipient_and_max_size():
    policy = tp(
        [{"Conditions": [sx("RECIPIENT", "ENDS_WITH", "@blocked.example")], "Action": "DENY"}], MaxMessageSizeBytes=1000
    )
    t = mail_manager([mrule("r")], policy, Recipients=["a@blocked.example", "b@example.com"], Size=10)
    got = by_address(t)
    assert not got["a@blocked.example"].accepted and got["b@example.com"].rules == ["r"]
    assert t.connection.accepted and t.connection.decided_by is None and "per recipient" in t.connection.reason
    big = mail_manager([mrule("r")], policy, Recipients=["b@example.com"], Size=1001)
    assert not big.connection.accepted and big.connection.decided_by.node.pointer == "/MaxMessageSizeBytes"


def test_ingress_point_requiring_tls_refuses_plain_connections():
    ingress = {
        "IngressPointName": "in",
        "Type": "OPEN",
        "RuleSetId": "rs",
        "TrafficPolicyId": "tp",
        "TlsPolicy": "REQUIRED",
    }
    t = mail_manager([mrule("r")], None, ingress, Tls=False, Recipients=["a@x.com"])
    assert not t.connection.accepted and t.connection.decided_by.node.pointer == "/TlsPolicy"
    t = mail_manager([mrule("r")], None, ingress, Tls=True, Recipients=["a@x.com"])
    assert t.connection.accepted and t.recipients[0].rules == ["r"]


def test_unreadable_condition_never_holds():
    rules = [mrule("r", [{"StringExpression": {"Operator": "EQUALS"}}]), mrule("u", unless=[{"Nope": {}}])]
    r = mail_manager(rules, Recipients=["a@x.com"]).recipients[0]
    assert r.rules == ["u"] and "cannot be read" in r.steps[0].why


# -- the mail -------------------------------------------------------------------------------

EML = b"""Received: from mail.sender.example (mail.sender.example [198.51.100.25])
 by inbound-smtp.us-east-1.amazonaws.com with ESMTPS id abc
 for <billing@example.com>; Mon, 02 Mar 2026 09:15:00 +0000
Return-Path: <bounces@sender.example>
Authentication-Results: amazonses.com; spf=pass smtp.mailfrom=sender.example; dkim=fail header.i=@sender.example;
 dmarc=temperror header.from=sender.example
X-SES-Spam-Verdict: FAIL
From: Alice <alice@sender.example>
To: Billing <billing@example.com>, support@example.com
Cc: =?utf-8?q?J=C3=B6rg?= <joerg@example.com>
Subject: =?utf-8?q?Rechnung_f=C3=BCr_M=C3=A4rz?=
Disposition-Notification-To: alice@sender.example

Body.
"""


def test_eml_gives_envelope_defaults():
    facts = read_eml(EML)
    mail = build_mail({}, facts)
    assert mail.helo == "mail.sender.example" and mail.source_ip == "198.51.100.25" and mail.tls is True
    assert mail.mail_from == "bounces@sender.example"
    assert mail.recipients == ["billing@example.com", "support@example.com", "joerg@example.com"]
    assert mail.header_values("subject") == ["Rechnung für März"]
    assert mail.verdicts == {
        "Spf": "PASS",
        "Dkim": "FAIL",
        "Dmarc": "PROCESSING_FAILED",
        "Spam": "FAIL",
        "Virus": "PASS",
    }
    assert mail.read_receipt_requested is True and mail.size == len(EML)
    assert mail.origin["SourceIp"] == "message" and mail.origin["DmarcPolicy"] == "default"


def test_scenario_overrides_the_message():
    root = _root(
        {"Recipients": ["only@example.com"], "Tls": False, "Headers": {"Subject": "hi"}, "Verdicts": {"Spf": "FAIL"}}
    )
    sc = read_scenario(root)
    mail = build_mail(sc.values, read_eml(EML))
    assert mail.recipients == ["only@example.com"] and mail.tls is False and mail.origin["Tls"] == "scenario"
    assert mail.header_values("Subject") == ["hi"] and mail.header_addresses("From") == ["alice@sender.example"]
    assert mail.verdicts["Spf"] == "FAIL" and mail.verdicts["Dkim"] == "FAIL"


def test_scenario_members_of_the_wrong_shape_are_left_out():
    sc = read_scenario(_root({"Recipients": "a@example.com", "Tls": "yes", "Size": 5, "Verdicts": {"Spf": "MAYBE"}}))
    assert sc.values == {"Size": 5, "Verdicts": {}}


def test_malformed_message_never_raises():
    for data in (b"", b"\x00\xff\xfe", b"Received: from\n\nx", b"To: <<<@@@>>>\n", b"Subject: =?bogus?q?x?=\n"):
        build_mail({}, read_eml(data))
