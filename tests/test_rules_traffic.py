"""Traffic policy rules (SES918-SES921) and the IP checks on traffic policies (SES601, SES602):
what they report, with which witness, and what they must leave alone."""

from __future__ import annotations

from ses_lsp.lint.engine import lint_text

HEAD = "TrafficPolicyName: edge\nDefaultAction: {default}\nPolicyStatements:\n"


def ip(values: str, op: str = "CIDR_MATCHES", attr: str = "SENDER_IP", expr: str = "IpExpression") -> str:
    return f"      - {expr}: {{Evaluate: {{Attribute: {attr}}}, Operator: {op}, Values: [{values}]}}\n"


def recipient(op: str, values: str) -> str:
    return f"      - StringExpression: {{Evaluate: {{Attribute: RECIPIENT}}, Operator: {op}, Values: [{values}]}}\n"


def tls(op: str, value: str) -> str:
    return f"      - TlsExpression: {{Evaluate: {{Attribute: TLS_PROTOCOL}}, Operator: {op}, Value: {value}}}\n"


def listed(op: str, name: str = "al-vips") -> str:
    return (
        f"      - BooleanExpression: {{Evaluate: {{IsInAddressList: {{Attribute: RECIPIENT, "
        f"AddressLists: [{name}]}}}}, Operator: {op}}}\n"
    )


def statement(action: str, *conditions: str) -> str:
    return f"  - Action: {action}\n    Conditions:\n" + "".join(conditions)


def policy(default: str, *statements: str, extra: str = "") -> str:
    return HEAD.format(default=default) + "".join(statements) + extra


def found(text: str, prefix: str = "SES9") -> list[tuple[str, int, str]]:
    """(code, line, message) of the findings whose code starts with ``prefix``."""
    result = lint_text(text, "policy.yaml")
    assert result.kind == "mailmanager:create-traffic-policy"
    return [
        (d.code, text.count("\n", 0, d.start) + 1, d.message) for d in result.diagnostics if d.code.startswith(prefix)
    ]


def test_allow_inside_a_deny_never_decides_and_names_a_message():
    text = policy("ALLOW", statement("DENY", ip("10.0.0.0/8")), statement("ALLOW", ip("10.1.0.0/16")))
    [(code, line, msg)] = found(text)
    assert (code, line) == ("SES918", 7)
    assert "e.g. a message from 10.1.0.0" in msg and "blocked first by policy statement 1 (DENY)" in msg


def test_deny_written_after_allow_still_wins():
    # the order in the file does not matter: DENY statements are evaluated first
    text = policy(
        "DENY", statement("ALLOW", recipient("ENDS_WITH", '"@example.com"')), statement("DENY", ip("0.0.0.0/0"))
    )
    # the ALLOW statement matches messages from IPv6 sources too, which the IPv4 DENY does not cover
    assert found(text) == []
    text = policy(
        "DENY",
        statement("ALLOW", ip("198.51.100.0/24"), recipient("ENDS_WITH", '"@example.com"')),
        statement("DENY", ip("198.51.100.0/23")),
    )
    [(code, line, msg)] = found(text)
    assert (code, line) == ("SES918", 4)
    assert 'e.g. a message from 198.51.100.0 for "user@example.com"' in msg


def test_partial_overlap_and_exceptions_are_not_reported():
    text = policy("ALLOW", statement("DENY", ip("10.0.0.0/8")), statement("ALLOW", ip("10.0.0.0/7")))
    assert [c for c, _, _ in found(text)] == ["SES918"]  # only the ALLOW under a default ALLOW
    text = policy(
        "DENY",
        statement("DENY", ip("10.0.0.0/8"), ip("10.1.2.3/32", op="NOT_CIDR_MATCHES")),
        statement("ALLOW", ip("10.1.2.3/32")),
    )
    assert found(text) == []


def test_redundant_statement_with_the_same_action():
    text = policy("ALLOW", statement("DENY", ip("192.0.2.0/24")), statement("DENY", ip("192.0.2.128/25")))
    [(code, line, msg)] = found(text)
    assert (code, line) == ("SES918", 7) and "policy statement 1 (DENY) matches every message" in msg
    # two equivalent statements: the later one is reported
    text = policy("ALLOW", statement("DENY", tls("IS", "TLS1_2")), statement("DENY", tls("IS", "TLS1_2")))
    assert [(c, line) for c, line, _ in found(text)] == [("SES918", 7)]


def test_allow_statement_under_default_allow_changes_nothing():
    text = policy("ALLOW", statement("ALLOW", tls("MINIMUM_TLS_VERSION", "TLS1_3")))
    [(code, line, msg)] = found(text)
    assert (code, line) == ("SES918", 4)
    assert "changes nothing" in msg and "e.g. a message over TLS1_3" in msg


def test_deny_default_without_allow_refuses_everything():
    text = policy("DENY", statement("DENY", ip("192.0.2.0/24")))
    [(code, line, msg)] = found(text)
    assert (code, line) == ("SES919", 2) and 'set DefaultAction to "ALLOW"' in msg
    assert found(policy("DENY", statement("ALLOW", ip("192.0.2.0/24")))) == []
    # an update that does not give the statements keeps them: not judged
    result = lint_text("TrafficPolicyId: tp-1\nDefaultAction: DENY\n", "update.yaml")
    assert result.kind == "mailmanager:update-traffic-policy"
    assert [d.code for d in result.diagnostics] == []


def test_contradictions_within_a_statement():
    text = policy(
        "ALLOW", statement("DENY", ip("192.0.2.0/24"), ip("2001:db8::/32", attr="SENDER_IPV6", expr="Ipv6Expression"))
    )
    [(code, line, msg)] = found(text)
    assert (code, line) == ("SES920", 7) and "one address, IPv4 or IPv6" in msg
    text = policy("ALLOW", statement("DENY", tls("IS", "TLS1_2"), tls("MINIMUM_TLS_VERSION", "TLS1_3")))
    assert [(c, line) for c, line, _ in found(text)] == [("SES920", 7)]
    text = policy("ALLOW", statement("DENY", listed("IS_TRUE"), listed("IS_FALSE")))
    assert [(c, line) for c, line, _ in found(text)] == [("SES920", 7)]
    text = policy(
        "ALLOW", statement("DENY", recipient("EQUALS", "a@example.com"), recipient("EQUALS", "b@example.com"))
    )
    [(code, _, msg)] = found(text)
    assert code == "SES920" and "Values are ORed" in msg
    # different address lists, or overlapping ranges: no contradiction
    assert found(policy("ALLOW", statement("DENY", listed("IS_TRUE"), listed("IS_FALSE", "al-other")))) == []
    assert found(policy("ALLOW", statement("DENY", ip("10.0.0.0/8"), ip("10.1.0.0/16")))) == []


def test_message_size_below_the_smtp_minimum():
    text = policy("ALLOW", statement("DENY", ip("192.0.2.0/24")), extra="MaxMessageSizeBytes: 10\n")
    [(code, line, msg)] = found(text)
    assert (code, line) == ("SES921", 7) and "for 10 MiB write 10485760" in msg
    text = policy("ALLOW", statement("DENY", ip("192.0.2.0/24")), extra="MaxMessageSizeBytes: 40000\n")
    assert "for 40000 KiB write 40960000" in found(text)[0][2]
    for ok in ("65536", "10485760", "1000000000"):
        assert found(policy("ALLOW", statement("DENY", ip("192.0.2.0/24")), extra=f"MaxMessageSizeBytes: {ok}\n")) == []
    # 0 is the schema pass's (below the model's minimum of 1): reported once
    text = policy("ALLOW", statement("DENY", ip("192.0.2.0/24")), extra="MaxMessageSizeBytes: 0\n")
    assert [d.code for d in lint_text(text, "p.yaml").diagnostics] == ["SES110"]


def test_ip_values_of_a_traffic_policy_are_parsed_with_netaddr():
    text = policy(
        "ALLOW",
        statement("DENY", ip("192.0.2.1/24")),
        statement("DENY", ip("2001:db8::1/32", attr="SENDER_IPV6", expr="Ipv6Expression")),
    )
    got = found(text, "SES6")
    assert [(c, line) for c, line, _ in got] == [("SES602", 6), ("SES602", 9)]
    assert '"192.0.2.0/24"' in got[0][2] and '"2001:db8::/32"' in got[1][2]
    assert "IpExpression value" in got[0][2] and "Ipv6Expression value" in got[1][2]


def test_unreadable_conditions_keep_the_rules_silent():
    bad = "      - IpExpression: {Evaluate: {Attribute: SENDER_IP}, Operator: MATCHES, Values: [10.0.0.0/8]}\n"
    text = policy("ALLOW", statement("DENY", bad), statement("DENY", ip("10.1.0.0/16")))
    assert found(text) == []


def test_an_address_list_condition_written_as_a_string_is_described_without_crashing():
    # (found by the fuzz test: IsInAddressList's value a string, not an object)
    odd = "      - BooleanExpression: {Evaluate: {IsInAddressList: al-vips}, Operator: IS_TRUE}\n"
    text = policy("DENY", statement("ALLOW", odd), statement("ALLOW", odd))
    result = lint_text(text, "policy.yaml")
    assert [d.code for d in result.diagnostics if d.code == "SES008"] == []  # no rule crashed
    assert [(code, line) for code, line, _m in found(text)] == [("SES918", 7)]


def test_the_simulator_agrees_with_the_witnesses():
    """The message SES918 names is decided by the statement the diagnostic says decides it."""
    from pathlib import Path

    from ses_lsp.document.document import Document
    from ses_lsp.semantics.evaluate import MailManagerSetup, evaluate_mailmanager
    from ses_lsp.semantics.mail import Mail

    path = Path(__file__).parent / "golden" / "traffic" / "SES918-never-decides.yaml"
    text = path.read_text(encoding="utf-8")
    doc = Document(text, str(path))
    setup = MailManagerSetup.from_documents(None, policy_root=doc.root, policy_source="policy")
    findings = found(text)
    assert [c for c, _, _ in findings] == ["SES918", "SES918"]
    # statement 1 (ALLOW): "a message from 203.0.113.25 over TLS1_2" is blocked by statement 2
    mail = Mail(source_ip="203.0.113.25", tls_protocol="TLS1_2", recipients=["someone@example.com"])
    trace = evaluate_mailmanager(setup, mail)
    assert trace.connection.accepted is False
    assert trace.connection.decided_by is not None
    decided = trace.connection.decided_by.node
    assert decided is doc.root.get("PolicyStatements").list_value[1]
    # statement 3 (DENY) never decides: statement 2 blocks its message first
    trace = evaluate_mailmanager(setup, Mail(source_ip="203.0.113.128", recipients=["a@example.org"]))
    assert trace.connection.decided_by.node is doc.root.get("PolicyStatements").list_value[1]
