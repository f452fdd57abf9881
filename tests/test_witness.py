"""Witness mails: the example mail a lint message gives really does what the message says.

The CLI tests lint a file as a real process, take the witness out of the message, write it as a
scenario file and run it through `ses-lsp simulate` (a second real process).  The property
tests check the witness builder against the evaluator on generated conditions.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_cli import REPO, run

from ses_lsp.document.json_parser import parse_json
from ses_lsp.semantics import classic as cm
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics import mailmanager as mm
from ses_lsp.semantics import witness

FLOW = Path("tests/golden/flow")
MAIL_TO = re.compile(r'e\.g\. mail to "([^"]+)"(?: with ([^;()]*?))?(?: stops| gets| meets)')


def lint(path: Path, code: str) -> list[dict]:
    p = run(["lint", "--no-cache", "--format", "json", "--select", code, str(path)], REPO)
    assert p.returncode in (0, 1), p.stderr
    return [d for d in json.loads(p.stdout) if d["code"] == code]


def simulate(rules: Path, scenario: dict, tmp_path: Path) -> dict:
    mail = tmp_path / "witness.json"
    mail.write_text(json.dumps(scenario))
    p = run(["simulate", str(rules), "--mail", str(mail), "--format", "json"], REPO)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def scenario_of(message: str) -> dict:
    """The scenario a message's witness describes (the recipient and a source IP, the members
    these cases use)."""
    m = MAIL_TO.search(message)
    assert m is not None, message
    scenario: dict = {"Recipients": [m.group(1)]}
    for part in (m.group(2) or "").split(", "):
        if part.startswith("SOURCE_IP "):
            scenario["SourceIp"] = part.split(" ", 1)[1]
        else:
            assert not part, f"a witness member this test does not read: {part!r}"
    return scenario


def test_ses502_witness_stops_before_the_unreachable_rule(tmp_path):
    for case in ("SES502-unreachable-rule.yaml", "SES502-unreachable-rule.json", "SES502-shadowed-mixed.yaml"):
        found = lint(FLOW / case, "SES502")
        assert found, case
        for d in found:
            rule = re.match(r'rule "([^"]+)" can never run', d["message"]).group(1)
            stopper = re.search(r'stops in rule "([^"]+)"\)', d["message"]).group(1)
            trace = simulate(FLOW / case, scenario_of(d["message"]), tmp_path)
            (r,) = trace["recipients"]
            assert r["stopped_by"]["rule"] == stopper
            assert rule not in r["rules"]
            assert rule not in [c["rule"] for c in r["considered"]]  # never even considered


def test_ses523_witness_meets_the_conditions_and_the_unless(tmp_path):
    for case in ("SES523-condition-also-in-unless.yaml", "SES523-condition-also-in-unless.json"):
        (d,) = lint(FLOW / case, "SES523")
        rule = re.match(r'rule "([^"]+)" can never apply', d["message"]).group(1)
        trace = simulate(FLOW / case, scenario_of(d["message"]), tmp_path)
        (r,) = trace["recipients"]
        (step,) = [c for c in r["considered"] if c["rule"] == rule]
        assert not step["matched"]
        assert "Unless condition" in step["why"] and "holds" in step["why"]
        assert step["line"] == d["start"]["line"]  # the Unless condition the message underlines


def test_ses528_witness_gets_both_deliveries(tmp_path):
    cases = {
        "SES528-broad-rule-after-delivery.yaml": {("catch-all", "billing"), ("reject-example-com", "billing")},
        "SES528-broad-rule-after-delivery.json": {("from-partner", "vip")},
    }
    for case, expected in cases.items():
        found = lint(FLOW / case, "SES528")
        pairs = set()
        for d in found:
            said = re.match(r'rule "([^"]+)" also runs for the mail that rule "([^"]+)"', d["message"])
            later, earlier = said.groups()
            pairs.add((later, earlier))
            types = re.search(r"gets (\w+) and (\w+);", d["message"]).groups()
            trace = simulate(FLOW / case, scenario_of(d["message"]), tmp_path)
            (r,) = trace["recipients"]
            assert earlier in r["rules"] and later in r["rules"]
            assert r["rules"].index(earlier) < r["rules"].index(later)
            ran = {(a["rule"], a["type"]) for a in r["actions"]}
            assert {(earlier, types[0]), (later, types[1])} <= ran
        assert pairs == expected, case


def test_ses528_is_silent_when_unless_excludes_the_earlier_mail(tmp_path):
    good = Path("ses_lsp/lint/rules/examples/SES528-good.yaml")
    assert lint(good, "SES528") == []
    bad = Path("ses_lsp/lint/rules/examples/SES528-bad.yaml")
    (d,) = lint(bad, "SES528")
    # the good file's only change is the Unless: the same witness no longer reaches the catch-all
    trace = simulate(good, scenario_of(d["message"]), tmp_path)
    assert trace["recipients"][0]["rules"] == ["billing"]


# -- the witness builder against the evaluator --------------------------------------------------


def string(attr: str, op: str, *values: str) -> dict:
    return {"StringExpression": {"Evaluate": {"Attribute": attr}, "Operator": op, "Values": list(values)}}


def ip(op: str, *values: str) -> dict:
    return {"IpExpression": {"Evaluate": {"Attribute": "SOURCE_IP"}, "Operator": op, "Values": list(values)}}


CONDITIONS = [
    string("RECIPIENT", "EQUALS", "billing@example.com"),
    string("RECIPIENT", "EQUALS", "a@example.com", "b@example.org"),
    string("RECIPIENT", "NOT_EQUALS", "billing@example.com"),
    string("RECIPIENT", "ENDS_WITH", "@example.com"),
    string("RECIPIENT", "STARTS_WITH", "bill"),
    string("RECIPIENT", "CONTAINS", "ing"),
    string("MAIL_FROM", "ENDS_WITH", "@partner.example"),
    string("FROM", "EQUALS", "boss@example.com"),
    string("SUBJECT", "CONTAINS", "invoice"),
    string("SUBJECT", "STARTS_WITH", "Re:"),
    string("HELO", "EQUALS", "mx.partner.example"),
    {"StringExpression": {"Evaluate": {"MimeHeaderAttribute": "X-Spam"}, "Operator": "EQUALS", "Values": ["yes"]}},
    {"StringExpression": {"Evaluate": {"MimeHeaderAttribute": "X-Spam"}, "Operator": "NOT_EQUALS", "Values": ["yes"]}},
    {"NumberExpression": {"Evaluate": {"Attribute": "MESSAGE_SIZE"}, "Operator": "LESS_THAN", "Value": 1000}},
    {"NumberExpression": {"Evaluate": {"Attribute": "MESSAGE_SIZE"}, "Operator": "GREATER_THAN", "Value": 10}},
    {"NumberExpression": {"Evaluate": {"Attribute": "MESSAGE_SIZE"}, "Operator": "EQUALS", "Value": 500}},
    ip("CIDR_MATCHES", "10.0.0.0/8"),
    ip("NOT_CIDR_MATCHES", "10.1.0.0/16"),
    ip("CIDR_MATCHES", "2001:db8::/32"),
    {"VerdictExpression": {"Evaluate": {"Attribute": "SPF"}, "Operator": "EQUALS", "Values": ["FAIL", "GRAY"]}},
    {"VerdictExpression": {"Evaluate": {"Attribute": "DKIM"}, "Operator": "NOT_EQUALS", "Values": ["PASS"]}},
    {"DmarcExpression": {"Operator": "EQUALS", "Values": ["REJECT"]}},
    {"BooleanExpression": {"Evaluate": {"Attribute": "TLS"}, "Operator": "IS_TRUE"}},
    {"BooleanExpression": {"Evaluate": {"Attribute": "READ_RECEIPT_REQUESTED"}, "Operator": "IS_FALSE"}},
    {
        "BooleanExpression": {
            "Evaluate": {"IsInAddressList": {"Attribute": "RECIPIENT", "AddressLists": ["arn:aws:ses:l/vips"]}},
            "Operator": "IS_TRUE",
        }
    },
    {
        "StringExpression": {
            "Evaluate": {"Analysis": {"Analyzer": "arn:aws:ses:a/trend", "ResultField": "verdict"}},
            "Operator": "EQUALS",
            "Values": ["clean"],
        }
    },
]


def one_rule(conditions: list[dict], unless: list[dict]) -> ev.MailManagerSetup:
    rule: dict = {"Name": "r", "Actions": [{"Archive": {"TargetArchive": "a-1234567890abcdef"}}]}
    if conditions:
        rule["Conditions"] = conditions
    if unless:
        rule["Unless"] = unless
    root = parse_json(json.dumps({"RuleSetName": "s", "Rules": [rule]})).root
    return ev.MailManagerSetup.from_documents(root)


def applies(setup: ev.MailManagerSetup, mail) -> bool:
    return ev.evaluate_mailmanager(setup, mail, explain=False).recipients[0].rules == ["r"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(CONDITIONS), max_size=4),
    st.lists(st.sampled_from(CONDITIONS), max_size=3),
)
def test_a_witness_meets_the_conditions_and_no_unless(conditions, unless):
    setup = one_rule(conditions, unless)
    rule = setup.rules[0]
    found = witness.mm_witness(rule.conditions, rule.unless)
    if found is not None:
        assert applies(setup, found.mail()), (conditions, unless, found.scenario)
    else:
        # no witness: then none of these plain mails applies either (the search is not weaker
        # than trying the usual suspects)
        for recipient in ("billing@example.com", "a@example.com", "user@example.org"):
            for ip in ("10.0.0.1", "192.0.2.1"):
                sample = witness.CandidateMail({"Recipients": [recipient], "SourceIp": ip}).mail()
                assert not applies(setup, sample), (conditions, unless, recipient, ip)


def test_the_witness_search_finds_combinations():
    cases = [
        [CONDITIONS[4], CONDITIONS[3]],  # STARTS_WITH bill, ENDS_WITH @example.com
        [CONDITIONS[13], CONDITIONS[14], CONDITIONS[17]],  # 10 < size < 1000, outside 10.1/16
        [CONDITIONS[16], CONDITIONS[24]],  # 10/8, in an address list
    ]
    for conditions in cases:
        setup = one_rule(conditions, [])
        found = witness.mm_witness(setup.rules[0].conditions)
        assert found is not None, conditions
        assert applies(setup, found.mail())
    setup = one_rule([CONDITIONS[0]], [CONDITIONS[3]])  # billing@example.com, unless @example.com
    assert witness.mm_witness(setup.rules[0].conditions, setup.rules[0].unless) is None
    found = witness.mm_witness(one_rule([CONDITIONS[4], CONDITIONS[3]], []).rules[0].conditions)
    assert found is not None and found.describe() == 'mail to "bill@example.com"'


def test_classic_witness_addresses_are_matched_by_their_entry():
    for text in ("a@x.com", "a+1@x.com", "x.com", ".x.com", "X.Com", ".y.x.com"):
        entry = cm.Recipient.parse(text)
        address = witness.classic_address(entry)
        assert address is not None and entry.matches(address), text
        assert cm.address_keys(address)  # and the evaluator's index reads it
    assert witness.classic_address(cm.Recipient.parse("not an entry")) is None


def test_size_conditions_the_model_calls_impossible_match_no_simulated_mail():
    size = ("Attribute", "MESSAGE_SIZE")
    for op in mm.OPERATORS["number"]:
        for value in (-2, -1, -0.5, 0, 0.5, 1, 1.5, 2):
            p = mm.Predicate("number", size, op, (value,))
            test = p.value_test()
            holds = [n for n in range(0, 5) if test([n])]
            if p.never_reason() is not None:
                assert holds == [], (op, value)
            if p.always_reason() is not None:
                assert holds == list(range(0, 5)), (op, value)
            if p.never_reason() is None and value >= -2 and op in ("LESS_THAN", "LESS_THAN_OR_EQUAL", "EQUALS"):
                assert holds, (op, value)  # small sizes: when the model says some size meets it, one does


def test_a_size_not_equals_holds_for_every_other_size():
    """(The evaluator once negated a number's NOT_EQUALS twice: it held only for the value itself.)"""
    setup = one_rule(
        [{"NumberExpression": {"Evaluate": {"Attribute": "MESSAGE_SIZE"}, "Operator": "NOT_EQUALS", "Value": 500}}], []
    )
    sized = {n: witness.CandidateMail({"Recipients": ["a@example.com"], "Size": n}).mail() for n in (0, 499, 500, 501)}
    assert {n: applies(setup, m) for n, m in sized.items()} == {0: True, 499: True, 500: False, 501: True}


def test_the_readme_witness_example_is_the_real_output(tmp_path):
    readme = (REPO / "README.md").read_text()
    m = re.search(r"\$ ses-lsp lint rules\.yaml\n(.*)\n```", readme)
    assert m is not None, "README has no witness example"
    (tmp_path / "rules.yaml").write_text(Path(REPO / "ses_lsp/lint/rules/examples/SES528-bad.yaml").read_text())
    p = run(["lint", "--no-cache", "--no-color", "rules.yaml"], tmp_path)
    assert p.returncode == 0, p.stderr  # (a warning: exit 1 is for errors by default)
    assert p.stdout.splitlines()[0] == m.group(1)
