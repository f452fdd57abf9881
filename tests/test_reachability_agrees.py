"""The reachability lints and the simulator agree (property test).

For generated classic rule sets: a rule the linter calls unreachable (SES502, or after a stopping
catch-all: SES504) is never reached by any mail, and a RequestResponse Lambda the linter calls
useless (SES506) changes nothing whatever it returns.  Every mail over a universe of addresses
is tried (with and without TLS, each disposition), plus mails Hypothesis draws.  The witness
mail each SES502 message names stops where the message says.  And the overlap analysis the
linters use (``OverlapIndex``, ``later_overlaps``) says "a later rule may match the same
recipient" exactly when the evaluator's own index finds an address both rules match.
"""

from __future__ import annotations

import json
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from ses_lsp.lint.engine import lint_text
from ses_lsp.semantics import classic as cm
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics import witness
from ses_lsp.semantics.mail import DISPOSITIONS, build_mail

FN = "arn:aws:lambda:us-east-1:123456789012:function:f{}"
ENTRIES = [
    "a@x.com",
    "a+1@x.com",
    "b@x.com",
    "a@y.x.com",
    "x.com",
    "y.x.com",
    ".x.com",
    ".y.x.com",
    "c@other.org",
    "other.org",
    ".org",
]
ADDRESSES = [
    "a@x.com",
    "a+1@x.com",
    "a+2@x.com",
    "b@x.com",
    "a@y.x.com",
    "b@y.x.com",
    "c@z.y.x.com",
    "c@other.org",
    "d@sub.other.org",
    "e@elsewhere.net",
]

ACTIONS = {
    "s3": {"S3Action": {"BucketName": "bucket"}},
    "sns": {"SNSAction": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}},
    "bounce": {"BounceAction": {"SmtpReplyCode": "550", "Message": "no", "Sender": "postmaster@x.com"}},
    "event": {"LambdaAction": {"FunctionArn": FN.format(1), "InvocationType": "Event"}},
    "sync1": {"LambdaAction": {"FunctionArn": FN.format(1), "InvocationType": "RequestResponse"}},
    "sync2": {"LambdaAction": {"FunctionArn": FN.format(2), "InvocationType": "RequestResponse"}},
}

rule_strategy = st.fixed_dictionaries(
    {
        "enabled": st.sampled_from([True, True, True, False, None]),
        "recipients": st.one_of(st.none(), st.lists(st.sampled_from(ENTRIES), min_size=1, max_size=3)),
        "actions": st.lists(st.sampled_from(sorted(ACTIONS)), max_size=3),
        "stop": st.booleans(),
        "tls": st.sampled_from([None, "Optional", "Require"]),
    }
)


def rule_set(specs: list[dict]) -> dict:
    rules = []
    for i, spec in enumerate(specs):
        rule: dict = {"Name": f"r{i}", "ScanEnabled": True}
        if spec["enabled"] is not None:
            rule["Enabled"] = spec["enabled"]
        if spec["tls"] is not None:
            rule["TlsPolicy"] = spec["tls"]
        if spec["recipients"] is not None:
            rule["Recipients"] = spec["recipients"]
        rule["Actions"] = [ACTIONS[a] for a in spec["actions"]] + (
            [{"StopAction": {"Scope": "RuleSet"}}] if spec["stop"] else []
        )
        rules.append(rule)
    return {"Metadata": {"Name": "generated"}, "Rules": rules}


WITNESS = re.compile(r'\(e\.g\. mail to "([^"]+)" stops in rule "([^"]+)"\)')


def lint_claims(doc: dict) -> tuple[set[int], set[int], set[tuple[int, int]]]:
    """(rules SES502 calls unreachable, rules after a stopping catch-all (SES504), the
    (rule, action) of each Lambda SES506 calls useless).  Each SES502 message's witness mail is
    run through the evaluator: it stops in the rule the message names, before the rule."""
    result = lint_text(json.dumps(doc), "rules.json", kind="ses:describe-receipt-rule-set")
    unreachable: set[int] = set()
    after_catch_all: set[int] = set()
    useless: set[tuple[int, int]] = set()
    setup = None
    for d in result.diagnostics:
        parts = d.pointer.split("/")
        if d.code == "SES502":
            unreachable.add(int(parts[2]))
            m = WITNESS.search(d.message)
            assert m is not None, d.message  # every rule in these sets has a valid entry or none
            if setup is None:
                from ses_lsp.document.json_parser import parse_json

                setup = ev.ClassicSetup.from_documents(parse_json(json.dumps(doc)).root)
            (r,) = ev.evaluate_classic(setup, build_mail({"Recipients": [m.group(1)]})).recipients
            assert r.stopped_by is not None and r.stopped_by.rule == m.group(2), (doc, d.message)
            assert r.stopped_by.rule_index < int(parts[2])
        elif d.code == "SES504" and "every rule after it can never run" in d.message:
            after_catch_all.update(range(int(parts[2]) + 1, len(doc["Rules"])))
        elif d.code == "SES506":
            useless.add((int(parts[2]), int(parts[4])))
    return unreachable, after_catch_all, useless


def mails(recipients: list[str], verified: list[str] | None):
    for tls in (True, False):
        for disposition in DISPOSITIONS:
            scenario: dict = {
                "Recipients": recipients,
                "Tls": tls,
                "LambdaDispositions": {FN.format(1): disposition, FN.format(2): disposition},
            }
            if verified is not None:
                scenario["VerifiedDomains"] = verified
            yield build_mail(scenario)


def reached(trace: ev.Trace) -> set[int]:
    return {s.rule_index for r in trace.recipients for s in r.steps if s.matched}


def outcome(trace: ev.Trace) -> list:
    return [(r.address, r.rules, [(a.rule, a.index, a.type) for a in r.actions], r.outcome) for r in trace.recipients]


def sync_calls(doc: dict, arn: str) -> int:
    """How many RequestResponse actions of the rule set invoke the function ``arn``."""
    return sum(
        1
        for rule in doc["Rules"]
        for a in rule["Actions"]
        if a.get("LambdaAction", {}).get("FunctionArn") == arn
        and a["LambdaAction"]["InvocationType"] == "RequestResponse"
    )


def check(specs: list[dict], extra: list[list[str]], verified: list[str] | None) -> int:
    doc = rule_set(specs)
    unreachable, after_catch_all, useless = lint_claims(doc)
    from ses_lsp.document.json_parser import parse_json

    parsed = parse_json(json.dumps(doc))
    setup = ev.ClassicSetup.from_documents(parsed.root, "rules.json")
    dead = unreachable | after_catch_all
    checked = 0
    for recipients in [ADDRESSES, *extra]:
        for mail in mails(recipients, verified):
            trace = ev.evaluate_classic(setup, mail)
            assert not (reached(trace) & dead), (doc, dead, recipients, reached(trace))
            checked += 1
        for rule_index, action_index in useless:
            arn = doc["Rules"][rule_index]["Actions"][action_index]["LambdaAction"]["FunctionArn"]
            if sync_calls(doc, arn) > 1:
                continue  # a disposition is per function: it would also steer the other call
            results = []
            for disposition in DISPOSITIONS:
                mail = build_mail({"Recipients": recipients, "LambdaDispositions": {arn: disposition}})
                results.append(outcome(ev.evaluate_classic(setup, mail)))
            assert results[0] == results[1] == results[2], (doc, rule_index, recipients)
    return checked


@settings(max_examples=250, deadline=None)
@given(
    st.lists(rule_strategy, min_size=1, max_size=7),
    st.lists(st.lists(st.sampled_from(ADDRESSES), min_size=1, max_size=3), max_size=2),
    st.sampled_from([None, ["x.com"], ["x.com", "other.org"]]),
)
def test_unreachable_rules_are_never_reached(specs, extra, verified):
    assert check(specs, extra, verified) > 0


def test_the_property_sees_each_kind_of_claim():
    """The generator's universe makes every claim the property checks: each can fail."""
    stop = {"enabled": True, "actions": ["s3"], "stop": True, "tls": None}
    go = {"enabled": True, "actions": ["s3"], "stop": False, "tls": None}
    cases = [
        # SES502: ".x.com" stops before "a@y.x.com"
        [{**stop, "recipients": [".x.com"]}, {**go, "recipients": ["a@y.x.com"]}],
        # SES504: a stopping catch-all that is not first
        [{**go, "recipients": ["b@x.com"]}, {**stop, "recipients": None}, {**go, "recipients": ["x.com"]}],
        # SES506: the last action of a rule no later rule overlaps
        [{**go, "actions": ["sync1"], "recipients": ["c@other.org"]}, {**go, "recipients": ["x.com"]}],
    ]
    claims = [lint_claims(rule_set(c)) for c in cases]
    assert claims[0][0] == {1}
    assert claims[1][1] == {2}
    assert claims[2][2] == {(0, 0)}
    for c in cases:
        check(c, [], None)
    # and a StopAction after a RequestResponse Lambda is no claim: STOP_RULE skips it
    guarded = [{**stop, "actions": ["sync1"], "recipients": [".x.com"]}, {**go, "recipients": ["a@y.x.com"]}]
    assert lint_claims(rule_set(guarded))[0] == set()
    doc = rule_set(guarded)
    from ses_lsp.document.json_parser import parse_json

    setup = ev.ClassicSetup.from_documents(parse_json(json.dumps(doc)).root)
    trace = ev.evaluate_classic(
        setup, build_mail({"Recipients": ["a@y.x.com"], "LambdaDispositions": {FN.format(1): "STOP_RULE"}})
    )
    assert reached(trace) == {0, 1}


def overlap_universe() -> list[str]:
    """The fixed addresses, and an address each entry matches (two entries overlap exactly when one
    covers the other, and then the covered one's address is matched by both)."""
    extra = [witness.classic_address(cm.Recipient.parse(e)) for e in ENTRIES]
    return ADDRESSES + [a for a in extra if a is not None]


@settings(max_examples=250, deadline=None)
@given(st.lists(rule_strategy, min_size=1, max_size=7))
def test_overlap_analysis_agrees_with_the_evaluator(specs):
    doc = rule_set(specs)
    from ses_lsp.document.json_parser import parse_json

    setup = ev.ClassicSetup.from_documents(parse_json(json.dumps(doc)).root)
    claims = cm.later_overlaps(setup.rules)
    seen = [False] * len(setup.rules)
    for address in overlap_universe():
        hits = sorted(setup.index.matching(address, catch_all=True))  # the evaluator's matching
        for i in hits:
            if any(j > i for j in hits):
                seen[i] = True
    for i, rule in enumerate(setup.rules):
        if rule.is_enabled:  # (the evaluator's index holds enabled rules only)
            assert claims[i] == seen[i], (doc, i)
