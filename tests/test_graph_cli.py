"""``ses-lsp graph`` and ``ses-lsp simulate --format mermaid``, run as real processes: the Mermaid
text is read back line by line (every line a header, a node or an edge; every edge between
nodes the chart defines) and its nodes and edges compared with the rule set."""

from __future__ import annotations

import re
from pathlib import Path

from test_cli import REPO, run

from ses_lsp.mermaid import label

CLASSIC = Path("examples/simulate/classic")
MM = Path("examples/simulate/mailmanager")
SES528_BAD = Path("ses_lsp/lint/rules/examples/SES528-bad.yaml")

NODE = re.compile(r'^  ([A-Za-z0-9]+)(\(\[|\[|\{)"([^"]*)"(\]\)|\]|\})$')
EDGE = re.compile(r'^  ([A-Za-z0-9]+) (-->|-\.->)(?:\|"([^"]*)"\|)? ([A-Za-z0-9]+)$')
SHAPES = {("([", "])"): "terminal", ("[", "]"): "box", ("{", "}"): "decision"}


def chart(text: str) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, str, bool]]]:
    """(node id -> (shape, label), edges as (from, to, label, dashed)); fails on any other line."""
    lines = text.splitlines()
    assert lines[0] == "flowchart TD"
    nodes: dict[str, tuple[str, str]] = {}
    edges = []
    for line in lines[1:]:
        n, e = NODE.match(line), EDGE.match(line)
        assert n or e, f"not a node or an edge: {line!r}"
        if n:
            ident, open_, text_, close = n.groups()
            assert ident not in nodes, f"node {ident} defined twice"
            nodes[ident] = (SHAPES[(open_, close)], text_)
        else:
            a, arrow, text_, b = e.groups()
            edges.append((a, b, text_ or "", arrow == "-.->"))
    for a, b, _, _ in edges:
        assert a in nodes and b in nodes, (a, b)
    return nodes, edges


def graph(*args: str | Path):
    return run(["graph", *map(str, args)], REPO)


def test_classic_graph_draws_rules_in_order_with_their_stops_and_deliveries():
    p = graph(CLASSIC / "rule-set.yaml")
    assert p.returncode == 0, p.stderr
    nodes, edges = chart(p.stdout)
    assert nodes["R1"] == (
        "decision",
        "1. ceo<br/>Recipients #quot;ceo@example.com#quot;<br/>TlsPolicy Require: mail without TLS is bounced",
    )
    assert nodes["A1"] == ("box", "S3Action \u2192 example-vip-mail<br/>StopAction")
    assert nodes["S1"] == ("terminal", "evaluation stops")
    assert nodes["A2"] == ("box", "LambdaAction \u2192 invoice-filter<br/>S3Action \u2192 example-billing-mail")
    assert nodes["R3"][1] == "3. catch-all<br/>Recipients #quot;example.com#quot;"
    assert set(edges) == {
        ("START", "R1", "", False),
        ("R1", "A1", "matches", False),
        ("R1", "R2", "no match", False),
        ("A1", "S1", "StopAction", False),
        ("R2", "A2", "matches", False),
        ("R2", "R3", "no match", False),
        ("A2", "R3", "next rule", False),
        ("A2", "S2", "a RequestResponse Lambda returns STOP_RULE_SET", True),
        ("R3", "A3", "matches", False),
        ("R3", "DONE", "no match", False),
        ("A3", "DONE", "next rule", False),
    }


def test_mail_manager_graph_shows_that_every_applying_rule_runs():
    p = graph(SES528_BAD)
    assert p.returncode == 0, p.stderr
    nodes, edges = chart(p.stdout)
    assert nodes["R1"] == ("decision", "1. billing<br/>if RECIPIENT EQUALS #quot;billing@example.com#quot;")
    assert nodes["R2"] == ("decision", "2. everything-else<br/>every message (no Conditions)")
    assert nodes["A1"] == ("box", "WriteToS3 \u2192 billing-mail")
    # the delivering rule goes on to the catch-all; the catch-all has no "does not apply" way out
    assert ("A1", "R2", "next rule (every applying rule runs)", False) in edges
    assert ("R1", "R2", "does not apply", False) in edges
    assert [e for e in edges if e[0] == "R2"] == [("R2", "A2", "applies", False)]
    assert ("A2", "DONE", "next rule (every applying rule runs)", False) in edges


def test_mail_manager_graph_drop_and_markdown(tmp_path):
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "RuleSetName: s\n"
        "Rules:\n"
        "  - Name: spam\n"
        "    Conditions:\n"
        "      - StringExpression:\n"
        "          Evaluate: {MimeHeaderAttribute: X-Spam}\n"
        "          Operator: EQUALS\n"
        '          Values: ["yes <really>"]\n'
        "    Unless:\n"
        "      - VerdictExpression: {Evaluate: {Attribute: SPF}, Operator: EQUALS, Values: [PASS]}\n"
        "    Actions:\n"
        "      - AddHeader: {HeaderName: X-Dropped, HeaderValue: 'yes'}\n"
        "      - Drop: {}\n"
        "  - Name: rest\n"
        "    Actions:\n"
        "      - Send: {RoleArn: 'arn:aws:iam::123456789012:role/send'}\n"
    )
    p = graph(rules, "--format", "markdown")
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("```mermaid\n") and p.stdout.endswith("```\n")
    nodes, edges = chart(p.stdout[len("```mermaid\n") : -len("```\n")])
    assert nodes["R1"][1] == (
        "1. spam<br/>if header X-Spam EQUALS #quot;yes #lt;really#gt;#quot;<br/>unless SPF EQUALS #quot;PASS#quot;"
    )
    assert nodes["A1"] == ("box", "AddHeader X-Dropped<br/>Drop")
    assert nodes["D1"] == ("terminal", "dropped: processing stops")
    assert ("A1", "D1", "Drop", False) in edges
    assert not any(a == "A1" and b == "R2" for a, b, _, _ in edges)  # a dropped mail goes no further
    assert nodes["A2"] == ("box", "Send \u2192 the internet")


def test_graph_of_what_is_not_a_rule_set_is_a_usage_error():
    p = graph(CLASSIC / "filters.json")
    assert p.returncode == 2
    assert "RULES hold no rule set" in p.stderr
    assert p.stdout == ""


def test_simulate_mermaid_draws_each_recipients_path():
    p = run(["simulate", str(CLASSIC), "--mail", str(CLASSIC / "mail.yaml"), "--format", "mermaid"], REPO)
    assert p.returncode == 0, p.stderr
    nodes, edges = chart(p.stdout)
    assert nodes["CONN"][0] == "decision" and nodes["CONN"][1].startswith("connection accepted<br/>IP filter")
    assert nodes["P1"] == ("box", "recipient billing@example.com")
    # billing: the Lambda returned STOP_RULE_SET
    assert nodes["P1R2"][1].startswith("2. billing<br/>matched by Recipients entry")
    assert nodes["P1R2"][1].endswith("LambdaAction \u2192 invoice-filter")
    assert nodes["P1X"][1].startswith("stopped by LambdaAction")
    assert nodes["P1O"] == (
        "terminal",
        "delivered<br/>1 action ran in 1 rule; evaluation stopped in rule #quot;billing#quot; (LambdaAction)",
    )
    path = [("MAIL", "CONN"), ("CONN", "P1"), ("P1", "P1R2"), ("P1R2", "P1X"), ("P1X", "P1O")]
    assert all((a, b, "", False) in edges for a, b in path)
    # ceo: S3 then StopAction; the rules it never reached are not drawn
    assert ("P2", "P2R1", "", False) in edges
    assert nodes["P2R1"][1].endswith("S3Action \u2192 example-vip-mail")
    assert not any(n.startswith("P2R") and n != "P2R1" for n in nodes)


def test_labels_escape_what_mermaid_reads():
    assert label('say "hi" <now> #1') == '"say #quot;hi#quot; #lt;now#gt; #35;1"'
    assert label("a", "b") == '"a<br/>b"'
    long = label("x" * 200)
    assert len(long) == 82 and long.endswith('..."')
    assert label(*[str(i) for i in range(9)]).endswith('5<br/>... (3 more)"')


def test_the_readme_graph_example_is_the_real_output(tmp_path):
    readme = (REPO / "README.md").read_text()
    m = re.search(r"\$ ses-lsp graph rules\.yaml[^\n]*\n(.*?)```", readme, re.S)
    assert m is not None, "README has no graph example"
    (tmp_path / "rules.yaml").write_text((REPO / SES528_BAD).read_text())
    p = run(["graph", "rules.yaml"], tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout == m.group(1)
