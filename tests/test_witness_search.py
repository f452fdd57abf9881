"""Witness mails (ses_lsp.semantics.witness): every witness really reaches its rule when the
evaluation model runs it again from its scenario (which is itself a valid scenario document),
and a rule said to be unreachable is reached by no mail drawn from the rule set's constants."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from ses_lsp.document.document import Document
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.kinds import detect_kind
from ses_lsp.lint.rules.common import CLASSIC_RULE_KINDS, MM_RULE_SET_KINDS
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics.mail import build_mail
from ses_lsp.semantics.witness import Unreachable, Witness, find_witness, reaching_recipient

ROOT = Path(__file__).resolve().parent.parent


_DOCS: list[Document] = []  # (nodes link their parents weakly: pointers need the document alive)


def _setup(text: str, name: str = "rules.yaml") -> ev.ClassicSetup | ev.MailManagerSetup:
    doc = Document(text, name)
    _DOCS.append(doc)
    kind = detect_kind(doc.root)
    if kind in MM_RULE_SET_KINDS:
        return ev.MailManagerSetup.from_documents(doc.root, name)
    assert kind in CLASSIC_RULE_KINDS, kind
    return ev.ClassicSetup.from_documents(doc.root, name)


def _evaluate(setup, scenario: dict, verified=None) -> ev.Trace:
    mail = build_mail(scenario, None, verified)
    if isinstance(setup, ev.MailManagerSetup):
        return ev.evaluate_mailmanager(setup, mail, True)
    return ev.evaluate_classic(setup, mail, True)


def _check(setup, index: int, verified=None) -> Witness | Unreachable:
    """find_witness's answer, checked: a witness's scenario is a valid scenario document and, run
    again, reaches the rule for the recipient it names."""
    found = find_witness(setup, index, verified)
    if isinstance(found, Witness):
        text = "\n".join(f"{k}: {json.dumps(v)}" for k, v in found.scenario.items()) + "\n"
        res = lint_text(text, "witness.yaml", kind="ses-lsp:scenario")
        assert [d.code for d in res.diagnostics if d.severity.label == "error"] == [], text
        trace = _evaluate(setup, found.scenario, verified)
        assert reaching_recipient(trace, index) == found.recipient
        step = next(
            s for r in trace.recipients if r.address == found.recipient for s in r.steps if s.rule_index == index
        )
        assert step.matched
    return found


CLASSIC = """Metadata: {Name: inbound}
Rules:
  - Name: ceo
    Enabled: true
    Recipients: [ceo@example.com, .example.org]
    Actions:
      - S3Action: {BucketName: vip-mail}
      - StopAction: {Scope: RuleSet}
  - Name: ceo-again
    Enabled: true
    Recipients: [ceo@example.com, ceo+news@example.com, mail.example.org]
    Actions:
      - S3Action: {BucketName: all-mail}
  - Name: subdomains
    Enabled: true
    Recipients: [.example.net, mail.example.net]
    Actions:
      - S3Action: {BucketName: all-mail}
  - Name: off
    Recipients: [example.com]
    Actions:
      - S3Action: {BucketName: all-mail}
  - Name: disabled
    Enabled: false
    Actions:
      - S3Action: {BucketName: all-mail}
  - Name: filter
    Enabled: true
    Recipients: [billing@example.com]
    Actions:
      - LambdaAction: {FunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:f", InvocationType: RequestResponse}
      - StopAction: {Scope: RuleSet}
  - Name: after-filter
    Enabled: true
    Recipients: [billing@example.com]
    Actions:
      - S3Action: {BucketName: all-mail}
  - Name: everything
    Enabled: true
    Actions:
      - S3Action: {BucketName: all-mail}
  - Name: junk
    Enabled: true
    Recipients: ["not an address"]
    Actions:
      - S3Action: {BucketName: all-mail}
"""


def test_classic_witnesses_and_reasons():
    setup = _setup(CLASSIC)
    got = {i: _check(setup, i) for i in range(9)}
    assert isinstance(got[0], Witness) and got[0].scenario == {"Recipients": ["ceo@example.com"]}
    # every address "ceo-again" matches is taken by "ceo", which stops (the +label form too)
    why = got[1]
    assert isinstance(why, Unreachable) and why.proven
    assert why.reason == (
        'every address it matches is taken before it: "ceo@example.com": rule "ceo" stops evaluation first '
        '(StopAction); "ceo+news@example.com": rule "ceo" stops evaluation first (StopAction); '
        '"mail.example.org": rule "ceo" stops evaluation first (StopAction)'
    )
    assert [r.node.pointer for r in why.refs] == ["/Rules/0/Actions/1"]
    # a subdomain no rule names
    assert isinstance(got[2], Witness) and got[2].recipient == "witness@mail2.example.net"
    assert isinstance(got[3], Unreachable) and got[3].reason == "Enabled is not set (the API default is false)"
    assert isinstance(got[4], Unreachable) and got[4].reason == "the rule is disabled (Enabled: false)"
    assert [r.node.pointer for r in got[4].refs] == ["/Rules/4/Enabled"]
    # reached when the earlier rule's function returns STOP_RULE (skipping its StopAction)
    w = got[6]
    assert isinstance(w, Witness)
    assert w.scenario == {
        "Recipients": ["billing@example.com"],
        "LambdaDispositions": {"arn:aws:lambda:us-east-1:123456789012:function:f": "STOP_RULE"},
    }
    assert isinstance(got[7], Witness) and got[7].recipient == "witness@example.com"
    assert (
        isinstance(got[8], Unreachable) and got[8].reason == "none of its Recipients entries is an address or a domain"
    )


def test_classic_catch_all_with_verified_domains():
    setup = _setup(CLASSIC)
    w = _check(setup, 7, ["example.org"])
    # example.org itself: ".example.org" (rule "ceo") takes only its subdomains
    assert isinstance(w, Witness) and w.recipient == "witness@example.org"
    w = _check(setup, 2, ["example.com"])  # example.net is not verified: SES rejects its mail
    assert isinstance(w, Unreachable) and '"mail2.example.net" is not a verified domain' in w.reason


MAILMANAGER = """RuleSetName: inbound
Rules:
  - Name: spam
    Conditions:
      - VerdictExpression: {Evaluate: {Attribute: SPF}, Operator: EQUALS, Values: [FAIL]}
    Actions:
      - Drop: {}
  - Name: billing
    Conditions:
      - StringExpression: {Evaluate: {Attribute: RECIPIENT}, Operator: STARTS_WITH, Values: [billing]}
      - NumberExpression: {Evaluate: {Attribute: MESSAGE_SIZE}, Operator: GREATER_THAN, Value: 1000}
      - StringExpression: {Evaluate: {MimeHeaderAttribute: X-Tenant}, Operator: EQUALS, Values: [acme]}
    Unless:
      - StringExpression: {Evaluate: {Attribute: SUBJECT}, Operator: CONTAINS, Values: [spam]}
    Actions:
      - WriteToS3: {S3Bucket: b}
  - Name: never
    Conditions:
      - NumberExpression: {Evaluate: {Attribute: MESSAGE_SIZE}, Operator: LESS_THAN, Value: 10}
      - NumberExpression: {Evaluate: {Attribute: MESSAGE_SIZE}, Operator: GREATER_THAN, Value: 100}
    Actions:
      - WriteToS3: {S3Bucket: b}
  - Name: unless-always
    Conditions:
      - StringExpression: {Evaluate: {Attribute: MAIL_FROM}, Operator: EQUALS, Values: [a@b.example]}
    Unless:
      - StringExpression: {Evaluate: {Attribute: MAIL_FROM}, Operator: ENDS_WITH, Values: [b.example]}
    Actions:
      - WriteToS3: {S3Bucket: b}
  - Name: partners
    Conditions:
      - IpExpression: {Evaluate: {Attribute: SOURCE_IP}, Operator: CIDR_MATCHES, Values: [10.1.0.0/16]}
      - BooleanExpression:
          Evaluate:
            IsInAddressList:
              Attribute: RECIPIENT
              AddressLists: ["arn:aws:ses:us-east-1:1:mailmanager-address-list/vip"]
          Operator: IS_TRUE
    Actions:
      - WriteToS3: {S3Bucket: b}
  - Name: all-drop
    Actions:
      - Drop: {}
  - Name: after
    Conditions:
      - IpExpression: {Evaluate: {Attribute: SOURCE_IP}, Operator: CIDR_MATCHES, Values: [10.0.0.0/8]}
    Actions:
      - WriteToS3: {S3Bucket: b}
"""


def test_mailmanager_witnesses_and_reasons():
    setup = _setup(MAILMANAGER)
    got = {i: _check(setup, i) for i in range(7)}
    assert isinstance(got[0], Witness) and got[0].scenario == {
        "Recipients": ["witness@example.com"],
        "Verdicts": {"Spf": "FAIL"},
    }
    w = got[1]
    assert isinstance(w, Witness)
    assert w.scenario == {"Recipients": ["billing@example.com"], "Headers": {"X-Tenant": "acme"}, "Size": 1001}
    assert w.summary() == 'a mail to billing@example.com (Headers {X-Tenant: "acme"}, Size 1001)'
    why = got[2]
    assert isinstance(why, Unreachable) and why.proven
    assert why.reason == (
        "its conditions 1 (MESSAGE_SIZE LESS_THAN 10) and 2 (MESSAGE_SIZE GREATER_THAN 100) contradict each other"
    )
    why = got[3]
    assert isinstance(why, Unreachable) and why.proven
    assert why.reason.startswith('its Unless condition 1 (MAIL_FROM ENDS_WITH "b.example") holds whenever')
    w = got[4]
    assert isinstance(w, Witness)
    assert w.scenario == {
        "Recipients": ["witness@example.com"],
        "AddressLists": {"arn:aws:ses:us-east-1:1:mailmanager-address-list/vip": ["witness@example.com"]},
        "SourceIp": "10.1.0.1",  # (the block's first host: the lints' examples pick it too)
    }
    why = got[6]
    assert isinstance(why, Unreachable) and why.proven
    assert why.reason == 'rule "all-drop" applies to every mail this rule applies to, and drops it first (Drop)'
    assert [r.node.pointer for r in why.refs] == ["/Rules/5/Actions/0"]


def _rule_set_files() -> list[Path]:
    out = []
    for base in ("examples", "tests/golden", "tests/fixtures"):
        for p in sorted((ROOT / base).rglob("*")):
            if p.suffix in (".json", ".yaml", ".yml") and p.is_file():
                try:
                    doc = Document(p.read_text(encoding="utf-8"), str(p))
                except (UnicodeDecodeError, ValueError):
                    continue
                if detect_kind(doc.root) in CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS:
                    out.append(p)
    return out


FILES = _rule_set_files()


def test_there_are_rule_sets_to_check():
    assert len(FILES) > 40


def test_a_condition_the_model_cannot_read_never_holds():
    setup = _setup((ROOT / "tests/golden/addresses/mm-ip-values.yaml").read_text(encoding="utf-8"))
    why = _check(setup, 0)
    assert isinstance(why, Unreachable) and why.proven
    assert why.reason.startswith("its condition 1 (SOURCE_IP CIDR_MATCHES")
    assert why.reason.endswith("has a value the model cannot read (see `ses-lsp lint`), so it never holds")


def _random_scenarios(setup, rng: random.Random, n: int) -> list[dict]:
    """Mails built from the rule set's constants, mixed at random (and a few made-up values)."""
    addresses, domains = ["someone@example.com", "x@y.example"], ["example.com", "example.org"]
    values: list[object] = ["", "x"]
    if isinstance(setup, ev.ClassicSetup):
        for r in setup.rules:
            for e in r.recipients or ():
                if e.form == "address":
                    addresses += [f"{e.local}@{e.domain}", f"{e.base_local}+t@{e.domain}"]
                elif e.form != "invalid":
                    domains.append(e.domain)
    else:
        for r in setup.rules:
            for p in r.conditions + r.unless:
                values += [v for v in p.values if isinstance(v, str)]
    addresses += [f"{rng.choice(['a', 'b', 'witness'])}@{rng.choice(['', 'mail.', 'x.'])}{d}" for d in domains]
    out = []
    for _ in range(n):
        scenario: dict = {"Recipients": [rng.choice(addresses + [str(v) for v in values if "@" in str(v)])]}
        if values and rng.random() < 0.5:
            scenario["Headers"] = {"Subject": str(rng.choice(values)), "From": str(rng.choice(values))}
        scenario["Tls"] = rng.random() < 0.8
        scenario["Size"] = rng.choice([0, 10, 1000, 100_000])
        out.append(scenario)
    return out


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_every_witness_reaches_its_rule_and_no_sampled_mail_reaches_an_unreachable_one(path):
    setup = _setup(path.read_text(encoding="utf-8"), str(path))
    rng = random.Random(str(path.relative_to(ROOT)))
    unreachable = []
    for rule in setup.rules:
        found = _check(setup, rule.index)
        if isinstance(found, Unreachable) and found.proven:
            unreachable.append(rule.index)
    if unreachable:
        for scenario in _random_scenarios(setup, rng, 200):
            trace = _evaluate(setup, scenario)
            for i in unreachable:
                assert reaching_recipient(trace, i) is None, (i, scenario)
