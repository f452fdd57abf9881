"""``ses-lsp simulate``, run as a real process on the files in tests/fixtures/simulate/."""

from __future__ import annotations

import json
import re
from pathlib import Path

from test_cli import REPO, run

FIX = Path("tests/fixtures/simulate")
CLASSIC = FIX / "classic"
MM = FIX / "mailmanager"
BAD = FIX / "bad"


def simulate(*args: str | Path):
    return run(["simulate", *map(str, args)], REPO)


def test_classic_text_trace_reads_top_to_bottom():
    p = simulate(CLASSIC, "--mail", CLASSIC / "scenario.yaml")
    assert p.returncode == 0, p.stderr
    assert p.stderr == ""
    out = p.stdout
    lines = out.splitlines()
    assert lines[0] == (
        f"SES classic: {CLASSIC}/rule-set.json (4 rules) behind {CLASSIC}/filters.yaml; mail {CLASSIC}/scenario.yaml"
    )
    # the filter that decided the connection, with its place
    assert "connection: accepted" in lines
    i = lines.index("connection: accepted")
    assert lines[i + 1] == (
        f'  {CLASSIC}/filters.yaml:4:5: IP filter "trusted" allows 198.51.100.7 (in 198.51.100.0/24) '
        '(it overrides IP filter "block-all", which blocks it too)'
    )
    # per recipient: each rule considered, what decided it, the actions, where it stopped
    ceo = out[out.index("recipient ceo@example.com") :].split("\n\n")[0].splitlines()
    assert ceo == [
        "recipient ceo@example.com: bounced",
        f'  {CLASSIC}/rule-set.json:6:18: rule "old-vip": skipped: the rule is disabled (Enabled: false)',
        f'  {CLASSIC}/rule-set.json:14:22: rule "vip": matched by Recipients entry "ceo@example.com"',
        f"    {CLASSIC}/rule-set.json:13:20: TlsPolicy: Require",
        "  evaluation stops here for this recipient: TlsPolicy is Require and the mail did not arrive over TLS: "
        "SES bounces it; the rule's actions do not run",
        "  rules 3 to 4 not evaluated",
        '  result: bounced: bounced by rule "vip" (TlsPolicy: Require, and no TLS)',
    ]
    support = out[out.index("recipient support+urgent@example.com") :].split("\n\n")[0]
    assert (
        f'{CLASSIC}/rule-set.json:23:22: rule "support": matched by Recipients entry "support@example.com"' in support
    )
    assert f"{CLASSIC}/rule-set.json:25:9: action 1: LambdaAction (returned STOP_RULE)" in support
    assert "STOP_RULE: the rest of this rule (1 action) is skipped" in support
    assert "SNSAction" not in support and 'rule "catch-all": matched' in support
    assert out.rstrip().endswith(
        'recipient x@unverified.example: rejected\n  "unverified.example" is not a verified domain: '
        "SES receives no mail for it"
    )


def test_classic_json_contract():
    p = simulate(
        CLASSIC / "rule-set.json", CLASSIC / "filters.yaml", "--mail", CLASSIC / "scenario.yaml", "--format", "json"
    )
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["service"] == "ses"
    assert doc["connection"] == {
        "accepted": True,
        "decided_by": {"file": f"{CLASSIC}/filters.yaml", "pointer": "/Filters/1", "line": 4, "column": 5},
        "reason": 'IP filter "trusted" allows 198.51.100.7 (in 198.51.100.0/24) (it overrides IP filter '
        '"block-all", which blocks it too)',
    }
    by = {r["address"]: r for r in doc["recipients"]}
    assert list(by) == ["ceo@example.com", "support+urgent@example.com", "someone@example.com", "x@unverified.example"]
    ceo = by["ceo@example.com"]
    assert (ceo["accepted"], ceo["rules"], ceo["actions"], ceo["outcome"]) == (True, [], [], "bounced")
    assert {k: ceo["stopped_by"][k] for k in ("rule", "index", "type", "pointer")} == {
        "rule": "vip",
        "index": None,
        "type": "TlsPolicy",
        "pointer": "/Rules/1/TlsPolicy",
    }
    support = by["support+urgent@example.com"]
    assert support["rules"] == ["support", "catch-all"]
    assert support["actions"] == [
        {"rule": "support", "index": 0, "type": "LambdaAction", "note": "returned STOP_RULE"},
        {"rule": "catch-all", "index": 0, "type": "S3Action"},
    ]
    assert support["stopped_by"] is None and support["outcome"] == "delivered"
    assert [(c["rule"], c["matched"]) for c in support["considered"]] == [
        ("old-vip", False),
        ("vip", False),
        ("support", True),
        ("catch-all", True),
    ]
    assert support["considered"][2]["pointer"] == "/Rules/2/Recipients/0"
    rejected = by["x@unverified.example"]
    assert (rejected["accepted"], rejected["outcome"], rejected["rules"]) == (False, "rejected", [])


def test_message_file_as_the_mail():
    p = simulate(CLASSIC, "--mail", CLASSIC / "mail.eml", "--format", "json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    # envelope from the headers: To and Cc; the source IP of the Received header (allowed), TLS (ESMTPS)
    assert doc["connection"]["accepted"] is True
    by = {r["address"]: r for r in doc["recipients"]}
    assert list(by) == ["a.director@hq.board.example.com", "support@example.com"]
    director = by["a.director@hq.board.example.com"]
    assert director["rules"] == ["vip"] and director["stopped_by"]["type"] == "StopAction"
    assert director["stopped_by"]["index"] == 1 and director["actions"] == [
        {"rule": "vip", "index": 0, "type": "S3Action"}
    ]
    assert by["support@example.com"]["rules"] == ["support", "catch-all"]
    text = simulate(CLASSIC, "--mail", CLASSIC / "mail.eml").stdout
    assert "  from 198.51.100.9 (message), TLS (TLS1_3) (message), HELO mail.sender.example (message)" in text
    assert "  Subject: Quarterly report" in text


def test_mail_manager_with_traffic_policy_and_ingress_point():
    p = simulate(MM, "--mail", MM / "scenario.yaml", "--format", "json")
    assert p.returncode == 0, p.stderr
    doc = json.loads(p.stdout)
    assert doc["service"] == "mailmanager"
    assert doc["connection"]["accepted"] is True and doc["connection"]["decided_by"] is None
    by = {r["address"]: r for r in doc["recipients"]}
    closed = by["x@closed.example.com"]
    assert (closed["accepted"], closed["outcome"]) == (False, "blocked")
    assert closed["admission"]["decided_by"]["pointer"] == "/PolicyStatements/0"
    sales = by["sales@example.com"]
    assert sales["rules"] == ["sales", "#3"]
    assert [(a["rule"], a["type"]) for a in sales["actions"]] == [("sales", "WriteToS3"), ("#3", "Archive")]
    assert sales["considered"][0]["why"] == (
        "not applied: condition 1 does not hold: MESSAGE_SIZE GREATER_THAN 5000 (the mail has 1200)"
    )
    assert by["other@example.com"]["rules"] == ["#3"]


def test_mail_manager_ingress_point_refuses_plain_text(tmp_path):
    scenario = tmp_path / "plain.yaml"
    scenario.write_text("Tls: false\nRecipients: [sales@example.com]\n")
    p = simulate(MM, "--mail", scenario)
    assert p.returncode == 0, p.stderr
    assert "connection: refused\n" in p.stdout
    assert (
        f"  {MM}/ingress-point.json:6:16: the ingress point requires TLS (TlsPolicy: REQUIRED) and the client did "
        "not use it"
    ) in p.stdout
    assert "recipient sales@example.com: blocked" in p.stdout


def test_wrong_kinds_and_broken_documents_are_clear_errors(tmp_path):
    p = simulate(BAD / "send-bounce.json", "--mail", CLASSIC / "scenario.yaml")
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr == (
        f"ses-lsp: error: {BAD}/send-bounce.json is a ses:send-bounce document; RULES are rule sets (or a single "
        "receipt rule), IP filters, traffic policies and ingress points\n"
    )
    p = simulate(CLASSIC / "scenario.yaml", "--mail", CLASSIC / "scenario.yaml")
    assert p.returncode == 2
    assert "is a scenario (a mail): pass it with --mail, not as RULES" in p.stderr
    p = simulate(BAD / "broken-rules.yaml", "--mail", CLASSIC / "scenario.yaml")
    assert p.returncode == 2 and p.stdout == ""
    assert re.search(rf"^{BAD}/broken-rules.yaml:4:1: error: .*\[SES001 syntax-error\]$", p.stderr, re.M), p.stderr
    assert p.stderr.endswith(
        f"ses-lsp: error: {BAD}/broken-rules.yaml cannot be read as a document (see above); fix it, or leave it out\n"
    )
    p = simulate(CLASSIC, MM, "--mail", CLASSIC / "scenario.yaml")
    assert p.returncode == 2 and "RULES hold 2 rule sets" in p.stderr
    p = simulate(CLASSIC / "rule-set.json", MM / "traffic-policy.json", "--mail", CLASSIC / "scenario.yaml")
    assert p.returncode == 2 and "is a Mail Manager document, but" in p.stderr
    p = simulate(CLASSIC / "filters.yaml", "--mail", CLASSIC / "scenario.yaml")
    assert p.returncode == 2 and "RULES hold no rule set" in p.stderr
    p = simulate(tmp_path / "nothing.json", "--mail", CLASSIC / "scenario.yaml")
    assert p.returncode == 2 and "No such file or directory" in p.stderr


def test_bad_scenarios_get_the_linters_diagnostics():
    p = simulate(CLASSIC, "--mail", BAD / "bad-scenario.yaml")
    assert p.returncode == 2 and p.stdout == ""
    assert f'{BAD}/bad-scenario.yaml:1:11: error: SourceIp value "198.51.100.0/24" is not an IPv4 or IPv6 ' in p.stderr
    assert "[SES614 scenario-invalid-value]" in p.stderr
    assert f'{BAD}/bad-scenario.yaml:3:6: error: "Tls" is a string ("no"); expected a boolean [SES103 wrong-type]' in (
        p.stderr
    )
    assert p.stderr.endswith(f"ses-lsp: error: --mail: {BAD}/bad-scenario.yaml has errors (see above)\n")
    p = simulate(CLASSIC, "--mail", BAD / "no-recipients.yaml")
    assert p.returncode == 2 and "gives no recipient" in p.stderr
    p = simulate(CLASSIC, "--mail", BAD / "missing-message.yaml")
    assert p.returncode == 2
    assert p.stderr.startswith(
        f'ses-lsp: error: {BAD}/missing-message.yaml:2:10: Message "nowhere.eml": cannot read '
        f"'{BAD}/nowhere.eml': No such file or directory"
    )
    p = simulate(CLASSIC, "--mail", CLASSIC / "rule-set.json")
    assert p.returncode == 2 and "give a scenario (YAML/JSON) or a message file (.eml)" in p.stderr
    p = simulate(CLASSIC)
    assert p.returncode == 2 and "--mail" in p.stderr


def test_documents_with_lint_errors_are_simulated_with_a_note(tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(
        '{"Rules": [{"Name": "r", "Enabled": true, "TlsPolicy": "required", "Recipients": ["a@example.com"],'
        ' "Actions": [{"S3Action": {"BucketName": "b"}}]}]}'
    )
    scenario = tmp_path / "mail.yaml"
    scenario.write_text("Tls: false\nRecipients: [a@example.com]\n")
    p = run(["simulate", "rules.json", "--mail", "mail.yaml"], tmp_path)
    assert p.returncode == 0
    assert (
        p.stderr == "note: rules.json has 1 error (`ses-lsp lint rules.json` shows them); it is simulated as written\n"
    )
    # "required" is not "Require": the rule does not bounce mail without TLS
    assert "recipient a@example.com: delivered" in p.stdout


def test_readme_example_is_what_the_command_prints():
    """The README's worked example is the real output."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```console\n\$ (ses-lsp simulate [^\n]*)\n(.*?)```", readme, re.S)
    assert m is not None, "README has no simulate example"
    command, shown = m.group(1), m.group(2)
    p = run(command.split()[1:], REPO / "examples" / "simulate")
    assert p.returncode == 0, p.stderr
    assert p.stdout == shown


def test_other_commands_do_not_load_the_simulator():
    code = (
        "import sys; from ses_lsp.cli import main; main(['rules']); "
        "bad = [m for m in ('ses_lsp.simulate', 'ses_lsp.semantics.evaluate', 'ses_lsp.semantics.mail') "
        "if m in sys.modules]; sys.stderr.write(repr(bad))"
    )
    import subprocess
    import sys

    p = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert p.stderr.strip() == "[]"
