"""The shared matching models (classic recipients and Mail Manager predicates)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ses_lsp.document.json_parser import parse_json
from ses_lsp.semantics import classic as cm
from ses_lsp.semantics import mailmanager as mm

R = cm.Recipient.parse


@pytest.mark.parametrize(
    "entry,form",
    [
        ("user@example.com", "address"),
        ("example.com", "domain"),
        (".example.com", "subdomains"),
        ("EXAMPLE.com", "domain"),
        ("*.example.com", "invalid"),
        ("user @example.com", "invalid"),
        ("@example.com", "invalid"),
        ("Name <a@example.com>", "invalid"),
        ("https://example.com", "invalid"),
        ("", "invalid"),
        ("a@b@example.com", "invalid"),
    ],
)
def test_recipient_forms(entry, form):
    assert R(entry).form == form


@pytest.mark.parametrize(
    "entry,address,expected",
    [
        ("user@example.com", "user@example.com", True),
        ("user@example.com", "user+tag@example.com", True),
        ("user@example.com", "user@EXAMPLE.COM", True),
        ("user+tag@example.com", "user@example.com", False),
        ("user+tag@example.com", "user+tag@example.com", True),
        ("example.com", "anyone@example.com", True),
        ("example.com", "anyone@sub.example.com", False),
        (".example.com", "anyone@sub.example.com", True),
        (".example.com", "anyone@example.com", False),
        (".example.com", "a@deep.sub.example.com", True),
        (".example.com", "a@notexample.com", False),
    ],
)
def test_recipient_matches(entry, address, expected):
    assert R(entry).matches(address) is expected


@pytest.mark.parametrize(
    "wide,narrow,expected",
    [
        ("example.com", "user@example.com", True),
        ("example.com", "user@sub.example.com", False),
        (".example.com", "user@sub.example.com", True),
        (".example.com", "sub.example.com", True),
        (".example.com", ".sub.example.com", True),
        (".example.com", "example.com", False),
        ("user@example.com", "user+x@example.com", True),
        ("user+x@example.com", "user@example.com", False),
        ("user@example.com", "example.com", False),
    ],
)
def test_recipient_covers(wide, narrow, expected):
    assert R(wide).covers(R(narrow)) is expected


def _rules(json_text: str):
    return cm.read_rules(parse_json(json_text).root.get("Rules"))


def test_covering_and_simulation():
    rules = _rules(
        """{"Rules": [
        {"Name": "a", "Enabled": true, "Recipients": ["a@example.com"],
         "Actions": [{"S3Action": {"BucketName": "b"}}, {"StopAction": {"Scope": "RuleSet"}}]},
        {"Name": "b", "Enabled": true, "Recipients": [".example.com"],
         "Actions": [{"StopAction": {"Scope": "RuleSet"}}]},
        {"Name": "c", "Enabled": true, "Recipients": ["a+x@example.com", "x@sub.example.com"],
         "Actions": [{"S3Action": {"BucketName": "c"}}]},
        {"Name": "d", "Enabled": false, "Actions": [{"StopAction": {"Scope": "RuleSet"}}]},
        {"Name": "e", "Enabled": true, "Recipients": ["other@example.com"],
         "Actions": [{"S3Action": {"BucketName": "e"}}]}
        ]}"""
    )
    by, per = cm.covering_rule(rules[2], rules[:2])
    assert by is None and [r.name for _, r in per] == ["a", "b"]
    # a disabled catch-all covers nothing
    by, per = cm.covering_rule(rules[4], rules[:4])
    assert by is None and per == []
    # the evaluation model reads the same rules (ses_lsp.semantics.evaluate)
    from ses_lsp.semantics import evaluate as ev
    from ses_lsp.semantics.mail import build_mail

    setup = ev.ClassicSetup(rules)
    out = ev.evaluate_classic(setup, build_mail({"Recipients": ["a+x@example.com", "other@example.com"]}))
    a, other = out.recipients
    assert a.rules == ["a"] and a.stopped_by is not None and a.stopped_by.rule == "a"
    assert other.rules == ["e"] and other.stopped_by is None


def test_a_stop_after_a_request_response_lambda_may_not_run():
    """STOP_RULE skips the rest of the rule, the StopAction too: such a rule does not cover later ones."""
    rules = _rules(
        """{"Rules": [
        {"Name": "a", "Enabled": true, "Recipients": ["example.com"],
         "Actions": [{"LambdaAction": {"FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
                                       "InvocationType": "RequestResponse"}},
                     {"StopAction": {"Scope": "RuleSet"}}]},
        {"Name": "b", "Enabled": true, "Recipients": ["user@example.com"], "Actions": []},
        {"Name": "c", "Enabled": true, "Recipients": ["example.com"],
         "Actions": [{"LambdaAction": {"FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
                                       "InvocationType": "Event"}},
                     {"StopAction": {"Scope": "RuleSet"}}]},
        {"Name": "d", "Enabled": true, "Recipients": ["user@example.com"], "Actions": []}
        ]}"""
    )
    assert rules[0].stops and not rules[0].always_stops
    assert rules[2].always_stops
    assert cm.covering_rule(rules[1], rules[:1]) == (None, [])
    by, _ = cm.covering_rule(rules[3], rules[:3])
    assert by is not None and by.name == "c"


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet='ab.@+-_ *<>,;/\\"()[]\tÉé1\u00a0', max_size=12))
def test_recipient_classification_fast_path_agrees(text):
    """The one-match path of _classify gives what the full classification gives."""
    assert cm._classify.__wrapped__(text) == cm._classify_in_full(text)


def test_recipient_classification_fast_path_edges():
    for text in [
        "a@b",
        ".b",
        "b",
        "a@b.c",
        "a+x@b.c",
        "é@bé.c",
        "a@" + "b" * 253,
        "a@" + "b" * 254,
        "." + "b" * 254,
        "a@.b",
        "a@b.",
        "a@b..c",
        "@b",
        "a@",
        "a@b@c",
        " a@b",
        "a@b ",
        "a b@c",
        "a*@b",
        "-@-",
        "_._",
    ]:
        assert cm._classify.__wrapped__(text) == cm._classify_in_full(text), text


# Recipients entries drawn from a small universe, so that overlaps are frequent.
_ENTRIES = [
    "a@x.com",
    "a+1@x.com",
    "a+2@x.com",
    "b@x.com",
    "a@y.x.com",
    "a+1@y.x.com",
    "x.com",
    "y.x.com",
    "z.y.x.com",
    ".x.com",
    ".y.x.com",
    ".com",
    "a@X.COM",
    "c@other.org",
    ".other.org",
    "not valid",
    "a@@x.com",
]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.booleans(),  # enabled
            st.one_of(st.none(), st.just("not-a-list"), st.lists(st.sampled_from(_ENTRIES), max_size=4)),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_later_overlaps_agrees_with_pairwise_overlap(specs):
    """The linear OverlapIndex answers what comparing every pair of rules answers."""
    import json

    rules_json = []
    for i, (enabled, recipients) in enumerate(specs):
        rule: dict = {"Name": f"r{i}", "Enabled": enabled, "Actions": [{"StopAction": {"Scope": "RuleSet"}}]}
        if recipients is not None:
            rule["Recipients"] = recipients
        rules_json.append(rule)
    rules = _rules(json.dumps({"Rules": rules_json}))
    want = [any(r.is_enabled and cm.may_overlap(rule, r) for r in rules[i + 1 :]) for i, rule in enumerate(rules)]
    assert cm.later_overlaps(rules) == want


def test_later_overlaps_every_pair_of_entries():
    """Each pair of single-entry rules, both orders: every clause of the index is exercised."""
    import json

    for first in _ENTRIES:
        for second in _ENTRIES:
            rules = _rules(
                json.dumps(
                    {
                        "Rules": [
                            {"Name": "a", "Enabled": True, "Recipients": [first], "Actions": []},
                            {"Name": "b", "Enabled": True, "Recipients": [second], "Actions": []},
                        ]
                    }
                )
            )
            assert cm.later_overlaps(rules) == [cm.may_overlap(rules[0], rules[1]), False], (first, second)


def test_later_overlaps_is_linear(monkeypatch):
    rules = _rules(
        '{"Rules": ['
        + ",".join(
            f'{{"Name": "r{i}", "Enabled": true, "Recipients": ["u{i}@a{i}.example.com", "sub{i}.example.net"],'
            f' "Actions": []}}'
            for i in range(2000)
        )
        + "]}"
    )

    # Work bounded by counts: no pairwise comparison, one index look-up per recipient entry
    # (pairwise, this would be 2 million rule pairs).
    def pairwise(*args):
        raise AssertionError("later_overlaps compared a pair of rules")

    looked_up = 0
    entry_overlaps = cm.OverlapIndex._entry_overlaps

    def counted(self, e):
        nonlocal looked_up
        looked_up += 1
        return entry_overlaps(self, e)

    monkeypatch.setattr(cm, "may_overlap", pairwise)
    monkeypatch.setattr(cm.OverlapIndex, "_entry_overlaps", counted)
    assert cm.later_overlaps(rules) == [False] * 2000
    assert looked_up <= sum(len(r.recipients or ()) for r in rules)


def _pred(expr: str) -> mm.Predicate:
    p = mm.read_condition(parse_json(expr).root)
    assert p is not None
    return p


def s(op, *vals, attr="RECIPIENT"):
    values = ", ".join(f'"{v}"' for v in vals)
    return _pred(
        f'{{"StringExpression": {{"Evaluate": {{"Attribute": "{attr}"}}, "Operator": "{op}", "Values": [{values}]}}}}'
    )


def n(op, value):
    return _pred(
        f'{{"NumberExpression": {{"Evaluate": {{"Attribute": "MESSAGE_SIZE"}}, "Operator": "{op}", "Value": {value}}}}}'
    )


def ip(op, *vals):
    values = ", ".join(f'"{v}"' for v in vals)
    return _pred(
        f'{{"IpExpression": {{"Evaluate": {{"Attribute": "SOURCE_IP"}}, "Operator": "{op}", "Values": [{values}]}}}}'
    )


def verdict(op, *vals):
    values = ", ".join(f'"{v}"' for v in vals)
    return _pred(
        f'{{"VerdictExpression": {{"Evaluate": {{"Attribute": "SPF"}}, "Operator": "{op}", "Values": [{values}]}}}}'
    )


@pytest.mark.parametrize(
    "a,b,expected",
    [
        (s("EQUALS", "a@example.com"), s("ENDS_WITH", "@example.com"), True),
        (s("ENDS_WITH", "@example.com"), s("EQUALS", "a@example.com"), False),
        (s("STARTS_WITH", "support-"), s("STARTS_WITH", "sup"), True),
        (s("STARTS_WITH", "support-"), s("CONTAINS", "port"), True),
        (s("EQUALS", "a"), s("NOT_EQUALS", "b"), True),
        (s("NOT_EQUALS", "a", "b"), s("NOT_EQUALS", "a"), True),
        (s("EQUALS", "a", "b"), s("EQUALS", "a"), False),
        (s("EQUALS", "a"), s("EQUALS", "a", attr="FROM"), False),
        (n("LESS_THAN", 100), n("LESS_THAN_OR_EQUAL", 100), True),
        (n("LESS_THAN_OR_EQUAL", 100), n("LESS_THAN", 100), False),
        (n("EQUALS", 5), n("NOT_EQUALS", 6), True),
        (ip("CIDR_MATCHES", "10.1.0.0/16"), ip("CIDR_MATCHES", "10.0.0.0/8"), True),
        (ip("CIDR_MATCHES", "10.0.0.0/8"), ip("CIDR_MATCHES", "10.1.0.0/16"), False),
        (ip("CIDR_MATCHES", "2001:db8:1::/48"), ip("CIDR_MATCHES", "2001:db8::/32"), True),
        (ip("CIDR_MATCHES", "10.0.0.0/8"), ip("NOT_CIDR_MATCHES", "192.168.0.0/16"), True),
        (verdict("EQUALS", "FAIL"), verdict("NOT_EQUALS", "PASS"), True),
        (verdict("NOT_EQUALS", "PASS"), verdict("EQUALS", "FAIL"), False),
    ],
)
def test_implies(a, b, expected):
    assert a.implies(b) is expected


@pytest.mark.parametrize(
    "a,b,expected",
    [
        (n("LESS_THAN", 100), n("GREATER_THAN", 200), True),
        (n("LESS_THAN", 100), n("GREATER_THAN", 50), False),
        (n("LESS_THAN", 100), n("GREATER_THAN_OR_EQUAL", 100), True),
        (n("LESS_THAN_OR_EQUAL", 100), n("GREATER_THAN_OR_EQUAL", 100), False),
        (s("EQUALS", "a"), s("EQUALS", "b"), True),
        (s("EQUALS", "a"), s("NOT_EQUALS", "a"), True),
        (s("EQUALS", "a", attr="TO"), s("EQUALS", "b", attr="TO"), False),  # TO can hold several addresses
        (s("STARTS_WITH", "ab"), s("STARTS_WITH", "cd"), True),
        (s("STARTS_WITH", "ab"), s("STARTS_WITH", "abc"), False),
        (ip("CIDR_MATCHES", "10.0.0.0/8"), ip("CIDR_MATCHES", "192.168.0.0/16"), True),
        (ip("CIDR_MATCHES", "10.0.0.0/8"), ip("NOT_CIDR_MATCHES", "10.0.0.0/8"), True),
        (ip("CIDR_MATCHES", "10.0.0.0/8"), ip("CIDR_MATCHES", "2001:db8::/32"), True),
        (verdict("EQUALS", "PASS"), verdict("EQUALS", "FAIL"), True),
        (verdict("EQUALS", "PASS", "FAIL"), verdict("NOT_EQUALS", "PASS"), False),
    ],
)
def test_contradicts(a, b, expected):
    assert a.contradicts(b) is expected
    assert b.contradicts(a) is expected


def test_never_matches_and_evaluation():
    assert verdict("NOT_EQUALS", "PASS", "FAIL", "GRAY", "PROCESSING_FAILED").never_matches()
    assert not verdict("NOT_EQUALS", "PASS").never_matches()
    assert s("ENDS_WITH", "@example.com").matches("a@example.com") is True
    assert s("NOT_EQUALS", "a", "b").matches("b") is False
    assert n("LESS_THAN", 100).matches(99) is True and n("LESS_THAN", 100).matches(100) is False
    assert ip("CIDR_MATCHES", "10.0.0.0/8").matches("10.2.3.4") is True
    assert ip("NOT_CIDR_MATCHES", "2001:db8::/32").matches("2001:db8::1") is False
    assert verdict("NOT_EQUALS", "PASS").matches("FAIL") is True


def test_number_condition_on_a_value_that_is_no_number_is_unknown():
    # matches() answers None (unknown) for a value it cannot compare; a number
    # condition used to raise on one that float() cannot read.
    assert n("LESS_THAN", 100).matches("99") is True
    assert n("LESS_THAN", 100).matches("ninety") is None
    assert n("LESS_THAN", 100).matches(["99"]) is None


_CIDRS = [
    "10.0.0.0/8",
    "10.1.0.0/16",
    "10.1.2.0/24",
    "10.1.2.3/32",
    "10.1.2.3",
    "10.1.2.5/24",
    "192.168.0.0/16",
    "0.0.0.0/0",
    "2001:db8::/32",
    "2001:db8:1::/48",
    "::/0",
    "::ffff:10.1.2.3",
    "::ffff:10.0.0.0/104",
]


def _reference_ip(kind: str, op_a: str, vals_a: tuple, op_b: str, vals_b: tuple) -> bool:
    """The netaddr object comparison the block arithmetic replaced (containment with `in`)."""
    from netaddr import IPNetwork

    a, b = [IPNetwork(v) for v in vals_a], [IPNetwork(v) for v in vals_b]
    inside = lambda x, y: x.version == y.version and x in y  # noqa: E731
    apart = all(x.version != y.version or not (x in y or y in x) for x in a for y in b)
    if kind == "implies":
        if op_a == op_b == "CIDR_MATCHES":
            return all(any(inside(x, y) for y in b) for x in a)
        if op_a == op_b == "NOT_CIDR_MATCHES":
            return all(any(inside(y, x) for x in a) for y in b)
        return op_a == "CIDR_MATCHES" and op_b == "NOT_CIDR_MATCHES" and apart
    if op_a == op_b == "CIDR_MATCHES":
        return apart
    if op_a == "CIDR_MATCHES" and op_b == "NOT_CIDR_MATCHES":
        return all(any(inside(x, y) for y in b) for x in a)
    if op_b == "CIDR_MATCHES" and op_a == "NOT_CIDR_MATCHES":
        return all(any(inside(y, x) for x in a) for y in b)
    return False


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["CIDR_MATCHES", "NOT_CIDR_MATCHES"]),
    st.lists(st.sampled_from(_CIDRS), min_size=1, max_size=3),
    st.sampled_from(["CIDR_MATCHES", "NOT_CIDR_MATCHES"]),
    st.lists(st.sampled_from(_CIDRS), min_size=1, max_size=3),
)
def test_ip_block_arithmetic_agrees_with_netaddr_containment(op_a, vals_a, op_b, vals_b):
    a, b = tuple(vals_a), tuple(vals_b)
    assert mm._ip_implies(op_a, a, op_b, b) == _reference_ip("implies", op_a, a, op_b, b)
    assert mm._ip_disjoint(op_a, a, op_b, b) == _reference_ip("disjoint", op_a, a, op_b, b)
