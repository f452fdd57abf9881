"""Credentials never appear in any output: the real CLI in every format, and the rules
that decide what a secret is (ses_lsp.lint.secrets).

Each case is a document holding a credential; the CLI's raw output bytes (stdout and
stderr) of every format, of ``--diff``, of ``--fix`` and the cache file are searched
for the secret.  The cases also check that the diagnostics and fixes are still there
(a test that found nothing because nothing was reported would prove nothing).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from ses_lsp.document.document import Document
from ses_lsp.lint.diagnostics import Diagnostic, Fix, Related, Severity, TextEdit
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.secrets import MASK, find_secrets, is_credential_name

REPO = Path(__file__).resolve().parents[1]

INGRESS = "IngressPointName: inbound-smtp\nType: AUTH\nRuleSetId: rs-12345678\nTrafficPolicyId: tp-12345678\n"


@dataclass(frozen=True)
class Case:
    name: str
    text: str
    secrets: tuple[str, ...]  # every one of these must be absent from every output
    codes: tuple[str, ...]  # diagnostics the case must produce (so the outputs have something to show)
    fixed: str | None = None  # a text `--fix` must write into the file


CASES = [
    # Issue 10: an unquoted YAML number; the quoting fix used to write it into every output.
    Case(
        "number.yaml",
        INGRESS + "IngressPointConfiguration:\n  SmtpPassword: 73512345678901\n",
        ("73512345678901",),
        ("SES004",),
        fixed="  SmtpPassword: '73512345678901'\n",
    ),
    # A misspelt key the tool itself maps to SmtpPassword.
    Case(
        "misspelt.yaml",
        INGRESS + "IngressPointConfiguration:\n  SmtpPasword: s3cretHunter2\nTlsPolicy: 5\n",
        ("s3cretHunter2",),
        ("SES101", "SES004"),
        fixed="TlsPolicy: '5'\n",
    ),
    # The secret written on another member and used through an alias.
    Case(
        "anchor.yaml",
        "IngressPointName: inbound-smtp\nType: AUTH\nRuleSetId: &pw 86420135792468\nTrafficPolicyId: tp-12345678\n"
        "IngressPointConfiguration:\n  SmtpPassword: *pw\n",
        ("86420135792468",),
        ("SES004",),
        fixed="RuleSetId: &pw '86420135792468'\n",
    ),
    # The secret anchored under SmtpPassword and used (and misquoted) elsewhere.
    Case(
        "alias.yaml",
        'IngressPointConfiguration:\n  SmtpPassword: &pw "Xy7 alias Secret!"\nIngressPointName: *pw\n'
        "Type: AUTH\nRuleSetId: rs-12345678\nTrafficPolicyId: 1234\n",
        ("Xy7 alias Secret!", "alias Secret"),
        ("SES105", "SES004"),
        fixed="TrafficPolicyId: '1234'\n",
    ),
    # A multi-line secret (a block scalar), followed by a safe fix so that --diff shows its lines.
    Case(
        "multiline.yaml",
        "IngressPointName: inbound-smtp\nType: AUTH\nRuleSetId: rs-12345678\nIngressPointConfiguration:\n"
        "  SmtpPassword: |\n    line-one-Zq8\n    line-two-Xw3\nTrafficPolicyId: 1234\n",
        ("line-one-Zq8", "line-two-Xw3"),
        ("SES909", "SES004"),
        fixed="TrafficPolicyId: '1234'\n",
    ),
    # Relays authenticate with a secret's ARN (not a secret); a password written into one is.
    Case(
        "relay.yaml",
        "RelayName: smarthost\nServerName: smtp.example.com\nServerPort: 587\nAuthentication:\n"
        "  SmtpPassword: r3layHunter-9\n",
        ("r3layHunter-9",),
        ("SES101",),
    ),
    Case(
        "relay.json",
        '{\n  "RelayId": "r-1234",\n  "ServerPrt": 25,\n'
        '  "Authentication": {"NoAuthentication": {}, "Password": "Js0nRelay-Secret"}\n}\n',
        ("Js0nRelay-Secret",),
        ("SES101",),
    ),
    Case(
        "number.json",
        '{\n  "IngressPointName": "inbound-smtp",\n  "Type": "AUTH",\n  "RuleSetId": "rs-12345678",\n'
        '  "TrafficPolicyId": "tp-12345678",\n  "IngressPointConfiguration": {"SmtpPassword": 97531864200000}\n}\n',
        ("97531864200000",),
        ("SES103",),
    ),
    Case(
        "misspelt.json",
        '{\n  "IngressPointName": "inbound-smtp",\n  "Type": "AUTH",\n  "RuleSetId": "rs-12345678",\n'
        '  "TrafficPolicyId": "tp-12345678",\n'
        '  "IngressPointConfiguration": {"smtp_password": "j50n-Secret-Value"}\n}\n',
        ("j50n-Secret-Value",),
        ("SES101",),
    ),
]


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    for var in ("GITHUB_ACTIONS", "SES_LSP_CACHE_DIR", "NO_COLOR", "SES_LSP_DEBUG"):
        env.pop(var, None)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def _cli(args: list[str], cwd: Path, stdin: bytes | None = None, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ses_lsp", *args],
        cwd=cwd,
        env=_env(**env),
        input=stdin,
        capture_output=True,
        timeout=120,
    )


def _assert_absent(case: Case, what: str, data: bytes) -> None:
    for secret in case.secrets:
        assert secret.encode() not in data, f"{case.name}: {what} carries {secret!r}"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_no_output_of_the_cli_carries_the_secret(tmp_path, case):
    path = tmp_path / case.name
    path.write_text(case.text, encoding="utf-8")

    # What there is to show: the expected diagnostics, their source lines, the fixes.
    js = _cli(["lint", "--no-cache", "--format", "json", case.name], tmp_path)
    _assert_absent(case, "--format json", js.stdout + js.stderr)
    items = json.loads(js.stdout)
    codes = {d["code"] for d in items}
    assert set(case.codes) <= codes, codes
    quoting = [d["fix"] for d in items if d["code"] == "SES004" and d["fix"]]
    assert all([e["newText"] for e in fix["edits"]] == ["'", "'"] for fix in quoting)
    assert bool(quoting) == (case.fixed is not None)

    for fmt in ("text", "sarif", "github"):
        r = _cli(["lint", "--no-cache", "--format", fmt, case.name], tmp_path)
        assert r.returncode == 1, (fmt, r.stderr)
        _assert_absent(case, f"--format {fmt}", r.stdout + r.stderr)
    text = _cli(["lint", "--no-cache", "--no-color", case.name], tmp_path).stdout.decode()
    assert " | " in text and "*" in text  # source excerpts are shown, masked

    diff = _cli(["lint", "--no-cache", "--diff", case.name], tmp_path)
    _assert_absent(case, "--diff", diff.stdout + diff.stderr)
    if case.fixed is not None:
        assert diff.returncode == 1 and b"+++ b/" in diff.stdout, diff.stderr
        if not any(secret in case.fixed for secret in case.secrets):
            assert "+" + case.fixed in diff.stdout.decode()

    # --fix writes the file (the user's own, with the secret in it) and prints a report.
    for fmt in ("text", "json"):
        path.write_text(case.text, encoding="utf-8")
        fixed = _cli(["lint", "--no-cache", "--fix", "--format", fmt, case.name], tmp_path)
        _assert_absent(case, f"--fix --format {fmt}", fixed.stdout + fixed.stderr)
    written = path.read_text(encoding="utf-8")
    if case.fixed is not None:
        assert case.fixed in written
    else:
        assert written == case.text

    # --fix on the standard input: the fixed document is the output (the user's own
    # text, as --fix writes into a file); the report of what remains is not.
    stdin = _cli(["lint", "--no-cache", "--fix", "--stdin-filename", case.name], tmp_path, stdin=case.text.encode())
    _assert_absent(case, "--fix on stdin: the report", stdin.stderr)
    assert stdin.stdout.decode() == written

    # The cache holds the records that every format prints: no secret either.
    cache = tmp_path / "cache"
    for _ in range(2):  # the second run is served from the cache
        r = _cli(["lint", "-v", "--format", "json", case.name], tmp_path, SES_LSP_CACHE_DIR=str(cache))
        _assert_absent(case, "a cached run", r.stdout + r.stderr)
    assert b"cached: 1 file" in r.stderr
    stored = b"".join(p.read_bytes() for p in cache.rglob("*") if p.is_file())
    assert stored
    _assert_absent(case, "the cache file", stored)


def test_quoting_fix_inserts_only_quotes_and_keeps_anchors(tmp_path):
    """The YAML quoting fix (SES004) inserts two quote characters around the content, after
    any anchor; an alias gets no fix (quoting it would make the alias name the value)."""
    text = (
        "IngressPointName: inbound-smtp\nType: AUTH\nRuleSetId: &n 12345678\nTrafficPolicyId: *n\n"
        "IngressPointConfiguration:\n  SecretArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:s\n"
    )
    r = lint_text(text, "x.yaml")
    quoted = [d for d in r.diagnostics if d.code == "SES004"]
    assert [text[d.start : d.end] for d in quoted] == ["&n 12345678", "*n"]
    anchor, alias = quoted
    assert anchor.fix is not None and [e.new_text for e in anchor.fix.edits] == ["'", "'"]
    assert '"12345678"' in anchor.message and "'12345678'" in anchor.message
    assert alias.fix is None and "&n" in alias.message
    (tmp_path / "x.yaml").write_text(text)
    assert _cli(["lint", "--no-cache", "--fix", "x.yaml"], tmp_path).returncode == 0
    assert (tmp_path / "x.yaml").read_text() == text.replace("&n 12345678", "&n '12345678'")


def test_tagged_scalar_gets_no_quoting_fix():
    text = INGRESS.replace("RuleSetId: rs-12345678", "RuleSetId: !!int 12345678")
    (d,) = [d for d in lint_text(text, "x.yaml").diagnostics if d.code == "SES004"]
    assert d.fix is None and "remove the tag" in d.message


@pytest.mark.parametrize(
    "name, secret",
    [
        ("SmtpPassword", True),
        ("SmtpPasword", True),  # the tool suggests SmtpPassword for it
        ("smtp_password", True),
        ("Password", True),
        ("ApiKey", True),
        ("client-secret", True),
        ("AccessToken", True),
        ("SecretArn", False),  # names a secret, is not one
        ("KmsKeyArn", False),
        ("S3SseKmsKeyId", False),
        ("ObjectKeyPrefix", False),
        ("Sender", False),  # an e-mail address: `sensitive` in the model, not a credential
        ("Message", False),
        ("TlsPolicy", False),
    ],
)
def test_credential_names(name, secret):
    assert is_credential_name(name) is secret


def test_sensitive_non_credentials_are_still_quoted():
    """The model marks e-mail addresses `sensitive`; they are the user's own data and are quoted."""
    text = (
        '{"RuleSetName": "rs", "Rules": [{"Name": "r", "Actions": [{"Bounce": {"RoleArn": '
        '"arn:aws:iam::123456789012:role/r", "Sender": "not an address", "DiagnosticMessage": "d", '
        '"SmtpReplyCode": "550", "StatusCode": "5.1.1"}}]}]}'
    )
    messages = [d.message for d in lint_text(text, "x.json", kind="mailmanager:create-rule-set").diagnostics]
    assert any('"not an address"' in m for m in messages), messages


def _diag(message: str, fix: Fix | None = None, related: str = "") -> Diagnostic:
    return Diagnostic(
        "SES999",
        "test",
        Severity.ERROR,
        message,
        0,
        0,
        related=[Related(0, 0, related)] if related else [],
        fix=fix,
    )


def test_backstop_scrubs_messages_and_withholds_fixes_that_would_write_a_secret():
    """Whatever a rule writes, a lint's diagnostics never carry a secret (the engine's last step)."""
    doc = Document(INGRESS + "IngressPointConfiguration:\n  SmtpPassword: 'hunter2-long'\n", "x.yaml")
    secrets = find_secrets(doc)
    diags = [
        _diag('the password is "hunter2-long"', related="also hunter2-long here"),
        _diag("ok", Fix("Write it", (TextEdit(0, 0, "x: hunter2-long"),))),
        _diag("ok", Fix("Set 'hunter2-long'", (TextEdit(0, 0, "'"),))),
        _diag("keep the password in AWS Secrets Manager"),
    ]
    secrets.guard(diags)
    assert diags[0].message == f'the password is "{MASK}"'
    assert diags[0].related[0].message == f"also {MASK} here"
    assert diags[1].fix is None
    assert diags[2].fix is not None and diags[2].fix.title == f"Set '{MASK}'"
    assert diags[3].message == "keep the password in AWS Secrets Manager"


def test_a_secret_that_is_a_word_does_not_garble_messages():
    """A placeholder password ("password") is hidden where a value is quoted, not in the
    message's own words."""
    text = INGRESS + "IngressPointConfiguration:\n  SmtpPassword: password\n"
    r = lint_text(text, "x.yaml")
    (d,) = [d for d in r.diagnostics if d.code == "SES909"]
    assert "keep the password in AWS Secrets Manager" in d.message
    assert find_secrets(r.document).redact(text).endswith("SmtpPassword: ********\n")


def test_syntax_error_messages_do_not_quote_a_secret():
    text = (
        '{"IngressPointName": "abc", "Type": "AUTH", "RuleSetId": "rs-1", "TrafficPolicyId": "tp-1",\n'
        ' "IngressPointConfiguration": {"SmtpPassword": hunter2secret}}\n'
    )
    r = lint_text(text, "x.json")
    assert [d.code for d in r.diagnostics] == ["SES001"]
    assert "hunter2secret" not in r.diagnostics[0].message and MASK in r.diagnostics[0].message


def test_outline_does_not_show_a_secret():
    from ses_lsp.editor.symbols import document_symbols

    text = INGRESS + "IngressPointConfiguration:\n  SmtpPasword: s3cretHunter2\n  SecretArn: arn:x\n"
    r = lint_text(text, "x.yaml")
    symbols = document_symbols(r.document, r.kind)
    (config,) = [s for s in symbols if s.name == "IngressPointConfiguration"]
    details = {s.name: s.detail for s in config.children}
    assert details == {"SmtpPasword": "(not shown)", "SecretArn": "arn:x"}
