"""The semantic diff is exact for the model (property tests).

For generated pairs of pipelines (classic rule sets with IP filters; Mail Manager rule sets with a
traffic policy): every class ``diff`` reports has a witness whose traces really differ under the
evaluator, and every mail outside the reported classes, drawn by Hypothesis from the same
vocabulary as the rules and beyond it, has equal traces under both versions.  The traces are
compared on the JSON contract (``trace_json``), independently of the diff's own comparison.
"""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_reachability_agrees import ACTIONS  # (the same actions: stops, bounces, Lambda kinds)

from ses_lsp.document.json_parser import parse_json
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics.diff import diff_classic, diff_mailmanager
from ses_lsp.semantics.mail import DISPOSITIONS, VERDICT_VALUES, build_mail

FN = "arn:aws:lambda:us-east-1:123456789012:function:f{}"
ENTRIES = ["a@x.com", "a+1@x.com", "b@x.com", "a@y.x.com", "x.com", "y.x.com", ".x.com", ".y.x.com", ".org", "o.org"]
ADDRESSES = [
    "a@x.com",
    "a+1@x.com",
    "a+2@x.com",
    "A@x.com",
    "b@X.COM",
    "b@x.com",
    "a@y.x.com",
    "b@y.x.com",
    "c@z.y.x.com",
    "c@o.org",
    "d@sub.o.org",
    "e@elsewhere.net",
]
CIDRS = ["10.0.0.0/8", "10.0.0.0/16", "10.1.0.0/16", "10.1.2.3", "192.0.2.0/24", "0.0.0.0/0", "2001:db8::/32"]
IPS = ["10.0.0.0", "10.0.0.1", "10.1.0.0", "10.1.2.3", "10.1.2.4", "10.255.255.255", "11.0.0.0", "9.255.255.255"]
IPS += ["192.0.2.1", "192.0.3.0", "198.51.100.1", "2001:db8::5", "2001:db9::1", "not-an-ip"]


def observed(trace: ev.Trace) -> list[tuple]:
    """What the diff promises to compare, read from the JSON contract."""
    doc = ev.trace_json(trace, lambda ref: {}, explain=False)
    out = []
    for r in doc["recipients"]:
        stop = r["stopped_by"]
        out.append(
            (
                r["address"],
                r["accepted"],
                r["outcome"],
                r["rules"],
                [(a["rule"], a["index"], a["type"], a.get("recipients")) for a in r["actions"]],
                (stop["rule"], stop["index"], stop["type"]) if stop else None,
            )
        )
    return out


def root(doc: dict):
    return parse_json(json.dumps(doc)).root


# -- SES classic ---------------------------------------------------------------------------

rule_strategy = st.fixed_dictionaries(
    {
        "enabled": st.sampled_from([True, True, True, False]),
        "recipients": st.one_of(st.none(), st.lists(st.sampled_from(ENTRIES), min_size=1, max_size=3)),
        "actions": st.lists(st.sampled_from(sorted(ACTIONS)), max_size=3),
        "stop": st.booleans(),
        "tls": st.sampled_from([None, "Require"]),
    }
)
filter_strategy = st.lists(st.tuples(st.sampled_from(["Allow", "Block"]), st.sampled_from(CIDRS)), max_size=3)


def rule_set(specs: list[dict]) -> dict:
    rules = []
    for i, spec in enumerate(specs):
        rule: dict = {"Name": f"r{i}", "Enabled": spec["enabled"]}
        if spec["tls"] is not None:
            rule["TlsPolicy"] = spec["tls"]
        if spec["recipients"] is not None:
            rule["Recipients"] = spec["recipients"]
        rule["Actions"] = [ACTIONS[a] for a in spec["actions"]] + (
            [{"StopAction": {"Scope": "RuleSet"}}] if spec["stop"] else []
        )
        rules.append(rule)
    return {"Rules": rules}


def classic_setup(specs: list[dict], filters: list[tuple[str, str]]) -> ev.ClassicSetup:
    flt = {"Filters": [{"Name": f"f{i}", "IpFilter": {"Policy": p, "Cidr": c}} for i, (p, c) in enumerate(filters)]}
    return ev.ClassicSetup.from_documents(root(rule_set(specs)), "rules", [(root(flt), "filters")])


def mutate(specs: list[dict], data) -> list[dict]:
    """A changed copy: a rule edited, added, removed or moved."""
    out = [dict(s) for s in specs]
    how = data.draw(st.sampled_from(["edit", "add", "remove", "move"]))
    if how == "add" or not out:
        out.insert(data.draw(st.integers(0, len(out))), data.draw(rule_strategy))
    elif how == "remove":
        del out[data.draw(st.integers(0, len(out) - 1))]
    elif how == "move":
        out.insert(data.draw(st.integers(0, len(out) - 1)), out.pop(data.draw(st.integers(0, len(out) - 1))))
    else:
        i = data.draw(st.integers(0, len(out) - 1))
        key = data.draw(st.sampled_from(sorted(out[i])))
        out[i][key] = data.draw(rule_strategy)[key]
    return out


classic_mail = st.fixed_dictionaries(
    {
        "Recipients": st.lists(st.sampled_from(ADDRESSES), min_size=1, max_size=2),
        "SourceIp": st.sampled_from(IPS),
        "OnSesBlockList": st.booleans(),
        "Tls": st.booleans(),
        "LambdaDispositions": st.dictionaries(
            st.sampled_from([FN.format(1), FN.format(2)]), st.sampled_from([*DISPOSITIONS, "stop_rule", "other"])
        ),
    }
)


def classic_universe() -> list[dict]:
    """Every address with and without TLS and every pair of dispositions; every source address,
    on SES's block list or not."""
    out: list[dict] = [
        {"Recipients": ADDRESSES, "Tls": tls, "LambdaDispositions": {FN.format(1): d1, FN.format(2): d2}}
        for tls in (True, False)
        for d1 in DISPOSITIONS
        for d2 in DISPOSITIONS
    ]
    out += [{"Recipients": ADDRESSES[:1], "SourceIp": ip, "OnSesBlockList": b} for ip in IPS for b in (False, True)]
    return out


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(rule_strategy, max_size=5),
    filter_strategy,
    st.data(),
    st.lists(classic_mail, min_size=5, max_size=5),
    st.one_of(st.none(), st.just(["x.com"])),
)
def test_classic_diff_is_exact(specs, filters, data, mails, verified):
    new_specs = mutate(specs, data)
    new_filters = data.draw(filter_strategy) if data.draw(st.booleans()) else filters
    old, new = classic_setup(specs, filters), classic_setup(new_specs, new_filters)
    result = diff_classic(old, new, verified)
    assert result.exhaustive
    for d in result.differences:
        mail = build_mail(d.scenario)
        assert observed(ev.evaluate_classic(old, mail)) != observed(ev.evaluate_classic(new, mail)), d.description
        assert d.contains(mail, mail.recipients[0]), d.description  # a witness is in its own class
    for scenario in [*mails, *classic_universe()]:
        if verified is not None:
            scenario = {**scenario, "VerifiedDomains": verified}
        mail = build_mail(scenario)
        for rcpt in mail.recipients:
            one = build_mail({**scenario, "Recipients": [rcpt]})
            if not result.covers(one):
                before, after = observed(ev.evaluate_classic(old, one)), observed(ev.evaluate_classic(new, one))
                assert before == after, (rcpt, scenario, [d.description for d in result.differences])


def test_classic_entries_covering_every_usual_domain():
    """Entries for the domains a witness would use first: the diff still finds a domain nothing covers."""
    wide = [".example", "example", ".tld1", "unlisted.tld2", ".tld3"]
    specs = [{"enabled": True, "recipients": wide, "actions": ["s3"], "stop": False, "tls": None}]
    more = [*specs, {"enabled": True, "recipients": None, "actions": ["sns"], "stop": False, "tls": None}]
    result = diff_classic(classic_setup(specs, []), classic_setup(more, []))
    assert [d.description for d in result.differences] == [
        "mail to any address at example",
        "mail to an address no Recipients entry matches (e.g. someone@tld1)",  # (.tld1: subdomains only)
        "mail to any address at unlisted.tld2",
        "mail to an address at a subdomain of example that no entry names (e.g. someone@sub.example)",
        "mail to an address at a subdomain of tld1 that no entry names (e.g. someone@sub.tld1)",
        "mail to an address at a subdomain of tld3 that no entry names (e.g. someone@sub.tld3)",
    ]


def test_classic_identical_versions_have_no_difference():
    specs = [{"enabled": True, "recipients": ["a@x.com"], "actions": ["sync1", "s3"], "stop": True, "tls": "Require"}]
    result = diff_classic(
        classic_setup(specs, [("Block", "10.0.0.0/8")]), classic_setup(specs, [("Block", "10.0.0.0/8")])
    )
    assert result.differences == [] and result.exhaustive and result.classes > 1


# -- Mail Manager ---------------------------------------------------------------------------


def _s(attr: str, op: str, *values: str) -> dict:
    return {"StringExpression": {"Evaluate": {"Attribute": attr}, "Operator": op, "Values": list(values)}}


CONDITIONS = [
    _s("RECIPIENT", "EQUALS", "a@x.com"),
    _s("RECIPIENT", "ENDS_WITH", "@x.com"),
    _s("RECIPIENT", "STARTS_WITH", "a"),
    _s("RECIPIENT", "NOT_EQUALS", "b@x.com", "a@x.com"),
    _s("MAIL_FROM", "CONTAINS", "spam"),
    _s("SUBJECT", "CONTAINS", "invoice"),
    _s("TO", "EQUALS", "a@x.com"),
    _s("TO", "NOT_EQUALS", "b@x.com"),
    {"StringExpression": {"Evaluate": {"MimeHeaderAttribute": "X-Tag"}, "Operator": "EQUALS", "Values": ["y"]}},
    {"VerdictExpression": {"Evaluate": {"Attribute": "SPF"}, "Operator": "EQUALS", "Values": ["FAIL"]}},
    {"VerdictExpression": {"Evaluate": {"Attribute": "DKIM"}, "Operator": "NOT_EQUALS", "Values": ["PASS"]}},
    {"DmarcExpression": {"Operator": "EQUALS", "Values": ["REJECT"]}},
    {"NumberExpression": {"Evaluate": {"Attribute": "MESSAGE_SIZE"}, "Operator": "GREATER_THAN", "Value": 1000}},
    {"NumberExpression": {"Evaluate": {"Attribute": "MESSAGE_SIZE"}, "Operator": "LESS_THAN_OR_EQUAL", "Value": 10}},
    {"IpExpression": {"Evaluate": {"Attribute": "SOURCE_IP"}, "Operator": "CIDR_MATCHES", "Values": ["10.0.0.0/8"]}},
    {
        "IpExpression": {
            "Evaluate": {"Attribute": "SOURCE_IP"},
            "Operator": "NOT_CIDR_MATCHES",
            "Values": ["10.1.0.0/16"],
        }
    },
    {"BooleanExpression": {"Evaluate": {"Attribute": "TLS"}, "Operator": "IS_TRUE"}},
    {"BooleanExpression": {"Evaluate": {"Attribute": "READ_RECEIPT_REQUESTED"}, "Operator": "IS_TRUE"}},
]
MM_ACTIONS = {
    "archive": {"Archive": {"TargetArchive": "a-1"}},
    "s3": {"WriteToS3": {"S3Bucket": "b", "RoleArn": "arn:aws:iam::123456789012:role/r"}},
    "drop": {"Drop": {}},
    "bounce": {
        "Bounce": {
            "RoleArn": "arn:aws:iam::123456789012:role/r",
            "Sender": "p@x.com",
            "StatusCode": "5.1.1",
            "SmtpReplyCode": "550",
            "DiagnosticMessage": "no",
        }
    },
    "replace": {"ReplaceRecipient": {"ReplaceWith": ["z@x.com"]}},
    "header": {"AddHeader": {"HeaderName": "X-A", "HeaderValue": "1"}},
}
mm_rule = st.fixed_dictionaries(
    {
        "conditions": st.lists(st.integers(0, len(CONDITIONS) - 1), max_size=2),
        "unless": st.lists(st.integers(0, len(CONDITIONS) - 1), max_size=1),
        "actions": st.lists(st.sampled_from(sorted(MM_ACTIONS)), min_size=1, max_size=2),
    }
)
policy_strategy = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "deny": st.lists(st.integers(0, len(CONDITIONS) - 1), max_size=1),
            "default": st.sampled_from(["ALLOW", "DENY"]),
            "max": st.sampled_from([None, 500]),
        }
    ),
)


def mm_setup(specs: list[dict], policy: dict | None) -> ev.MailManagerSetup:
    rules = []
    for i, s in enumerate(specs):
        rule: dict = {"Name": f"r{i}", "Actions": [MM_ACTIONS[a] for a in s["actions"]]}
        if s["conditions"]:
            rule["Conditions"] = [CONDITIONS[c] for c in s["conditions"]]
        if s["unless"]:
            rule["Unless"] = [CONDITIONS[c] for c in s["unless"]]
        rules.append(rule)
    pol = None
    if policy is not None:
        statements = (
            [{"Action": "DENY", "Conditions": [CONDITIONS[c] for c in policy["deny"]]}] if policy["deny"] else []
        )
        pol = {"PolicyStatements": statements, "DefaultAction": policy["default"]}
        if policy["max"] is not None:
            pol["MaxMessageSizeBytes"] = policy["max"]
    return ev.MailManagerSetup.from_documents(
        root({"Rules": rules}), "rules", root(pol) if pol is not None else None, "policy"
    )


FRAGMENTS = ["a", "@x.com", "a@x.com", "b@x.com", "spam", "invoice", "y", "", "q"]
mm_mail = st.fixed_dictionaries(
    {
        "Recipients": st.lists(
            st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=2).map("".join).filter(bool),
            min_size=1,
            max_size=2,
        ),
        "MailFrom": st.lists(st.sampled_from(FRAGMENTS), max_size=2).map("".join),
        "Headers": st.fixed_dictionaries(
            {},
            optional={
                "Subject": st.lists(st.sampled_from(FRAGMENTS), max_size=2).map("".join),
                "To": st.lists(st.sampled_from(["a@x.com", "b@x.com", "c@x.com"]), min_size=1, max_size=2),
                "X-Tag": st.sampled_from(["y", "n"]),
            },
        ),
        "Verdicts": st.fixed_dictionaries(
            {"Spf": st.sampled_from(VERDICT_VALUES), "Dkim": st.sampled_from(VERDICT_VALUES)}
        ),
        "DmarcPolicy": st.sampled_from(["NONE", "QUARANTINE", "REJECT"]),
        "Size": st.sampled_from([0, 5, 10, 11, 499, 500, 501, 1000, 1001, 50_000]),
        "SourceIp": st.sampled_from(IPS),
        "Tls": st.booleans(),
        "ReadReceiptRequested": st.booleans(),
    }
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(mm_rule, min_size=1, max_size=3),
    policy_strategy,
    st.lists(mm_rule, min_size=1, max_size=3),
    policy_strategy,
    st.lists(mm_mail, min_size=40, max_size=40),
)
def test_mailmanager_diff_is_exact(old_specs, old_policy, new_specs, new_policy, mails):
    old, new = mm_setup(old_specs, old_policy), mm_setup(new_specs, new_policy)
    result = diff_mailmanager(old, new, budget=50_000)  # (every combination: exact)
    assert result.exhaustive
    for d in result.differences:
        mail = build_mail(d.scenario)
        assert observed(ev.evaluate_mailmanager(old, mail)) != observed(ev.evaluate_mailmanager(new, mail))
        assert d.contains(mail, mail.recipients[0]), d.description
    for scenario in mails:
        for rcpt in scenario["Recipients"]:
            one = build_mail({**scenario, "Recipients": [rcpt]})
            if not result.covers(one):
                before, after = observed(ev.evaluate_mailmanager(old, one)), observed(ev.evaluate_mailmanager(new, one))
                assert before == after, (rcpt, scenario, [d.description for d in result.differences])
    if old_specs == new_specs and old_policy == new_policy:
        assert result.differences == []
    # Within a small budget the enumeration is cut, and says so; what it reports is still true.
    small = diff_mailmanager(old, new, budget=30)
    assert small.mails <= 31
    assert small.exhaustive == (result.mails <= 30) and bool(small.notes) != small.exhaustive
    for d in small.differences:
        mail = build_mail(d.scenario)
        assert observed(ev.evaluate_mailmanager(old, mail)) != observed(ev.evaluate_mailmanager(new, mail))
