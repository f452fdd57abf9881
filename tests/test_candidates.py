"""The candidate values derived from rule constants (ses_lsp.semantics.candidates), the one home
shared by the witness search, the lints' examples and the semantic diff's classes."""

from __future__ import annotations

import json

from ses_lsp.document.json_parser import parse_json
from ses_lsp.semantics import candidates
from ses_lsp.semantics import classic as cm
from ses_lsp.semantics import evaluate as ev


def _classic_rules(recipients: list[list[str]]) -> list[cm.Rule]:
    rules = [
        {"Name": f"r{i}", "Enabled": True, "Recipients": r, "Actions": [{"StopAction": {"Scope": "RuleSet"}}]}
        for i, r in enumerate(recipients)
    ]
    root = parse_json(json.dumps({"Rules": rules})).root
    return ev.ClassicSetup.from_documents(root).rules


def test_fresh_addresses_avoid_the_names_the_rules_use():
    rules = _classic_rules([["witness@example.com", "witness2+x@example.com"], ["mail.example.net", ".example.net"]])
    fresh = candidates.Fresh(rules, local="witness")
    assert fresh.local("example.com") == "witness3"
    assert fresh.local("example.org") == "witness"
    assert fresh.subdomain("example.net") == "mail2.example.net"
    entries = [cm.Recipient.parse(t) for t in ("a@example.org", "example.com", ".example.net", "not an address")]
    assert [fresh.address(e) for e in entries] == [
        "a@example.org",
        "witness3@example.com",
        "witness@mail2.example.net",
        None,
    ]
    # every address made up for an entry is one the entry matches
    for e in entries[:3]:
        address = fresh.address(e)
        assert address is not None and e.key in cm.address_keys(address)


def test_an_address_outside_every_named_domain():
    fresh = candidates.Fresh(_classic_rules([["unlisted.example", "tld1"]]), local="someone")
    assert fresh.outside() == "someone@unlisted.tld2"
    assert candidates.Fresh().address(cm.Recipient.parse(".x.com")) == "user@mail.x.com"


def test_ip_points_are_the_edges_of_each_block_and_just_outside():
    assert candidates.ip_points(["10.1.0.0/16"]) == ["10.1.0.0", "10.1.255.255", "10.0.255.255", "10.2.0.0"]
    assert candidates.ip_points(["10.1.0.0/16"], host_first=True)[0] == "10.1.0.1"
    assert candidates.ip_points(["0.0.0.0/0"]) == ["0.0.0.0", "255.255.255.255"]  # (nothing outside)
    assert candidates.ip_points(["not a block"]) == []


def test_number_points_surround_each_constant():
    assert candidates.number_points([1000]) == [1000.0, 1001.0, 999.0, 1000.5, 999.5]
    assert {x for x in candidates.number_points([2.5]) if x.is_integer()} == {1.0, 2.0, 3.0, 4.0}
    assert candidates.number_points([True, "x", float("inf")]) == []


def test_string_pairs_hold_each_concatenation_of_two_constants():
    got = candidates.string_pairs(["a@", "b.example"], limit=24, nonempty=True, prefer_addresses=True)
    addresses = [s for s in got if candidates.ADDRESS_PATTERN.fullmatch(s)]
    assert got[: len(addresses)] == addresses and addresses[:3] == ["a@x", "xa@x", "a@b.example"]  # (addresses first)
    assert {"a@", "xa@b.examplex", "b.examplea@"} <= set(got) and "" not in got


def test_constants_suggest_addresses():
    assert candidates.as_addresses("billing") == ["billing@example.com", "user@billing.com"]
    assert candidates.as_addresses("@example.org", "witness") == ["witness@example.org"]
    assert candidates.as_addresses(".example.org") == ["user@mail.example.org"]
