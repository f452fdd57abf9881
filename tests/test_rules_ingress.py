"""Unit tests of the ingress-point rules (SES9xx): tricky logic, positions, messages, fixes."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from ses_lsp.knowledge import pem as pem_grammar
from ses_lsp.knowledge import timestamps
from ses_lsp.lint.config import Config
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.fixes import apply_edit_groups
from ses_lsp.lint.rules import ingress

ROOT = Path(__file__).resolve().parent.parent
PKI = Path(__file__).parent / "fixtures" / "pki"
SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:smtp-AbCdEf"

needs_yaml = pytest.mark.skipif(
    importlib.util.find_spec("ses_lsp.document.yaml_parser") is None, reason="YAML parser not available"
)
needs_crypto = pytest.mark.skipif(importlib.util.find_spec("cryptography") is None, reason="cryptography not installed")


def pem(name: str) -> str:
    return (PKI / name).read_text()


def base(type_: str = "MTLS", tls: str | None = "REQUIRED", **extra) -> dict:
    d = {
        "IngressPointName": "inbound-smtp",
        "Type": type_,
        "RuleSetId": "rs-0123456789abcdef",
        "TrafficPolicyId": "tp-0123456789abcdef",
    }
    if tls is not None:
        d["TlsPolicy"] = tls
    d.update(extra)
    return d


def store(ca: str, crl: str | None = None) -> dict:
    ts = {"CAContent": ca}
    if crl is not None:
        ts["CrlContent"] = crl
    return {"TlsAuthConfiguration": {"TrustStore": ts}}


def lint(doc, *, path="ingress.json", kind=None, region=None):
    text = doc if isinstance(doc, str) else json.dumps(doc, indent=2)
    return text, lint_text(text, path, kind=kind, config=Config(region=region))


def codes(result, prefix="SES9") -> list[str]:
    return [d.code for d in result.diagnostics if d.code.startswith(prefix)]


@pytest.fixture
def clock(monkeypatch):
    def set_(when: datetime) -> None:
        monkeypatch.setattr(timestamps, "clock", lambda: when)

    return set_


# -- examples in the repository --------------------------------------------------------------


def test_valid_example_is_clean():
    path = ROOT / "examples" / "mailmanager" / "ingress-point.json"
    result = lint_text(path.read_text(), str(path))
    assert result.kind == ingress.CREATE
    assert [(d.code, d.message) for d in result.diagnostics] == []


@needs_yaml
def test_broken_example_gets_ingress_diagnostics():
    path = ROOT / "examples" / "mailmanager" / "broken-ingress-point.yaml"
    text = path.read_text()
    result = lint_text(text, str(path))
    found = set(codes(result))
    # The password is written out, and OPTIONAL TLS on a password-authenticated endpoint (the type
    # is read from the configuration because Type is not a valid value).
    assert {"SES909", "SES904"} <= found
    for d in result.diagnostics:
        assert "hunter2" not in d.message


# -- type and configuration -------------------------------------------------------------------------


def test_auth_needs_credentials_and_names_the_wrong_member():
    _, r = lint(base("AUTH", IngressPointConfiguration=store(pem("root-ca.pem"))))
    assert codes(r) == ["SES901"]
    d = r.diagnostics[[x.code for x in r.diagnostics].index("SES901")]
    assert "only TlsAuthConfiguration" in d.message and d.pointer == "/Type"
    assert d.related and "MTLS" in d.related[0].message


def test_auth_with_empty_configuration_is_left_to_the_schema():
    _, r = lint(base("AUTH", IngressPointConfiguration={}))
    assert codes(r) == []
    assert "SES108" in codes(r, "SES1") or "SES111" in codes(r, "SES1")


def test_mtls_needs_trust_store_on_create_and_update():
    _, r = lint(base("MTLS"))
    assert codes(r) == ["SES902"]
    _, r = lint({"IngressPointId": "inp-1", "IngressPointConfiguration": {"TlsAuthConfiguration": {}}})
    assert r.kind == ingress.UPDATE and codes(r) == ["SES902"]
    # An update without configuration says nothing about the type.
    _, r = lint({"IngressPointId": "inp-1", "RuleSetId": "rs-1"})
    assert codes(r) == []


def test_member_that_does_not_fit_is_removed_by_a_safe_fix():
    text, r = lint(base("MTLS", IngressPointConfiguration={**store(pem("root-ca.pem")), "SecretArn": SECRET}))
    (d,) = [d for d in r.diagnostics if d.code == "SES903"]
    assert d.fix is not None and d.fix.safe
    fixed = json.loads(apply_edit_groups(text, [d.fix.edits]))
    assert list(fixed["IngressPointConfiguration"]) == ["TlsAuthConfiguration"]
    _, again = lint(fixed)
    assert codes(again) == []


def test_open_with_configuration_offers_an_unsafe_fix():
    text, r = lint(base("OPEN", IngressPointConfiguration={"SecretArn": SECRET}))
    (d,) = [d for d in r.diagnostics if d.code == "SES903"]
    assert not d.fix.safe
    fixed = json.loads(apply_edit_groups(text, [d.fix.edits]))
    assert "IngressPointConfiguration" not in fixed


# -- TLS policy -------------------------------------------------------------------------------------


def test_optional_tls_on_auth_and_mtls():
    _, r = lint(base("AUTH", "OPTIONAL", IngressPointConfiguration={"SecretArn": SECRET}))
    assert codes(r) == ["SES904"]
    _, r = lint(base("MTLS", "OPTIONAL", IngressPointConfiguration=store(pem("root-ca.pem"))))
    assert codes(r) == ["SES905"]
    _, r = lint(base("OPEN", "OPTIONAL"))
    assert codes(r) == []


def test_optional_tls_in_an_update_reads_the_type_from_the_configuration():
    _, r = lint(
        {
            "IngressPointId": "inp-1",
            "TlsPolicy": "OPTIONAL",
            "IngressPointConfiguration": {"SmtpPassword": "${SMTP_PASSWORD}"},
        }
    )
    assert codes(r) == ["SES904"]
    _, r = lint(
        {"IngressPointId": "inp-1", "TlsPolicy": "OPTIONAL", "IngressPointConfiguration": store(pem("root-ca.pem"))}
    )
    assert codes(r) == ["SES905"]
    _, r = lint({"IngressPointId": "inp-1", "TlsPolicy": "OPTIONAL"})
    assert codes(r) == []


def test_optional_tls_fix_is_unsafe_and_writes_required():
    text, r = lint(base("AUTH", "OPTIONAL", IngressPointConfiguration={"SecretArn": SECRET}))
    (d,) = [d for d in r.diagnostics if d.code == "SES904"]
    assert not d.fix.safe
    assert json.loads(apply_edit_groups(text, [d.fix.edits]))["TlsPolicy"] == "REQUIRED"


@pytest.mark.parametrize(
    "region,expected",
    [
        (None, []),
        ("us-east-1", []),
        ("us-gov-west-1", []),
        ("ca-central-1", []),
        ("CA-WEST-1", []),
        ("eu-west-1", ["SES906"]),
        ("ap-southeast-2", ["SES906"]),
    ],
)
def test_fips_only_in_us_and_canada(region, expected):
    _, r = lint(base("OPEN", "FIPS"), region=region)
    assert codes(r) == expected


def test_fips_in_an_update():
    _, r = lint({"IngressPointId": "inp-1", "TlsPolicy": "FIPS"})
    assert codes(r) == ["SES907"]
    _, r = lint({"IngressPointId": "inp-1", "TlsPolicy": "REQUIRED"})
    assert codes(r) == []


def test_tls_policy_unset_only_on_create_with_an_unsafe_fix():
    text, r = lint(base("OPEN", None))
    (d,) = [d for d in r.diagnostics if d.code == "SES908"]
    assert d.severity.label == "info" and not d.fix.safe
    assert text[d.start : d.end] == '"Type"'
    assert json.loads(apply_edit_groups(text, [d.fix.edits]))["TlsPolicy"] == "REQUIRED"
    _, r = lint({"IngressPointId": "inp-1", "RuleSetId": "rs-1"})
    assert codes(r) == []
    _, r = lint({"IngressPointId": "inp-1", "IngressPointName": "x-point", "Type": "OPEN"}, kind=ingress.GET)
    assert codes(r) == []


# -- the SMTP password -----------------------------------------------------------------------------

PASSWORD = "Zq9-distinctive-Pw"


def _all_text(result) -> str:
    parts = []
    for d in result.diagnostics:
        parts += [d.message, d.pointer, d.name]
        parts += [r.message for r in d.related]
        if d.fix is not None:
            parts.append(d.fix.title)
            parts += [e.new_text for e in d.fix.edits]
    return "\n".join(parts)


@pytest.mark.parametrize(
    "doc",
    [
        base("AUTH", IngressPointConfiguration={"SmtpPassword": PASSWORD}),
        base("OPEN", IngressPointConfiguration={"SmtpPassword": PASSWORD}),
        base("MTLS", "OPTIONAL", IngressPointConfiguration={"SmtpPassword": PASSWORD, **store(pem("root-ca.pem"))}),
        base("AUTH", IngressPointConfiguration={"SmtpPassword": PASSWORD + " with spaces~"}),
        base("AUTH", IngressPointConfiguration={"SmtpPassword": PASSWORD * 5}),
        {"IngressPointId": "inp-1", "TlsPolicy": "OPTIONAL", "IngressPointConfiguration": {"SmtpPassword": PASSWORD}},
    ],
)
def test_the_password_appears_in_no_diagnostic(doc):
    _, r = lint(doc)
    assert "SES909" in codes(r)
    assert PASSWORD not in _all_text(r)


def test_password_warning_points_at_the_key():
    text, r = lint(base("AUTH", IngressPointConfiguration={"SmtpPassword": PASSWORD}))
    (d,) = [d for d in r.diagnostics if d.code == "SES909"]
    assert text[d.start : d.end] == '"SmtpPassword"'


@pytest.mark.parametrize("value", ["${SMTP_PASSWORD}", "{{smtp_password}}", "$SMTP_PASSWORD"])
def test_password_placeholders_are_not_reported(value):
    _, r = lint(base("AUTH", IngressPointConfiguration={"SmtpPassword": value}))
    assert "SES909" not in codes(r)


# -- PEM structure (no cryptography needed) -----------------------------------------------------------


def _problems(value: str, want: str = pem_grammar.CERT_LABEL) -> list[str | None]:
    return [b.problem for b in pem_grammar.scan_pem(value, want)]


def test_scan_pem_accepts_a_bundle_with_text_around_it():
    value = "subject=CN=Test Root CA\n" + pem("root-ca.pem") + "\n# second\n" + pem("second-ca.pem")
    blocks = pem_grammar.scan_pem(value, pem_grammar.CERT_LABEL)
    assert [b.problem for b in blocks] == [None, None]
    assert [b.line for b in blocks] == [2, 15]
    assert value[blocks[1].start : blocks[1].end].startswith("-----BEGIN CERTIFICATE-----")
    assert value[blocks[1].start : blocks[1].end].endswith("-----END CERTIFICATE-----")


def test_scan_pem_accepts_crlf_line_breaks():
    assert _problems(pem("root-ca.pem").replace("\n", "\r\n")) == [None]


@pytest.mark.parametrize(
    "value,needle",
    [
        ("-----BEGIN CERTIFICATE-----\nAAAA\n", 'no "-----END CERTIFICATE-----" line'),
        ("-----END CERTIFICATE-----\n", "END line without a BEGIN"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END X509 CRL-----\n", "ends as"),
        ("----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 'exactly "-----BEGIN CERTIFICATE-----"'),
        ("-----begin certificate-----\nAAAA\n-----end certificate-----\n", "exactly"),
        ("-----BEGIN CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----", "two characters \\n"),
        ("-----BEGIN CERTIFICATE----- AAAA -----END CERTIFICATE-----", "no line break after its BEGIN"),
        ("-----BEGIN CERTIFICATE-----\nAAAA-----END CERTIFICATE-----", "no line break before its END"),
        ("-----BEGIN CERTIFICATE-----\nAA*A\n-----END CERTIFICATE-----\n", 'line 2 has "*"'),
        ("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\nAAAA\n-----END CERTIFICATE-----\n", "header line"),
        ("-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n", "not valid (wrong length or padding)"),
        ("-----BEGIN CERTIFICATE-----\n\n-----END CERTIFICATE-----\n", "is empty"),
        ("-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n", "private key"),
        ("-----BEGIN TRUSTED CERTIFICATE-----\nAAAA\n-----END TRUSTED CERTIFICATE-----\n", "TRUSTED CERTIFICATE"),
        ("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", "signing request"),
    ],
)
def test_scan_pem_problems(value, needle):
    problems = _problems(value)
    assert problems and problems[0] is not None and needle in problems[0], problems


def test_scan_pem_wrong_labels_per_field():
    assert "CrlContent" in _problems(pem("root-ca.crl.pem"))[0]
    assert "CAContent" in _problems(pem("root-ca.pem"), pem_grammar.CRL_LABEL)[0]
    assert _problems(pem("root-ca.crl.pem"), pem_grammar.CRL_LABEL) == [None]


@pytest.mark.parametrize(
    "value,needle",
    [
        ("ca-bundle.pem", "a file name"),
        ("file://certs/ca.pem", "a file name"),
        ("   \n ", "blank"),
        ("".join(pem("root-ca.pem").splitlines()[1:-1]), "base64 without"),
        ("my CA certificate", "holds no PEM block"),
    ],
)
def test_values_without_blocks(value, needle):
    _, r = lint(base(IngressPointConfiguration=store(value)))
    (d,) = [d for d in r.diagnostics if d.code == "SES910"]
    assert needle in d.message


@pytest.mark.parametrize("value", ["${CA_BUNDLE}", "{{ ca_bundle }}"])
def test_placeholder_trust_store_is_not_checked(value):
    _, r = lint(base(IngressPointConfiguration=store(value, value)))
    assert codes(r) == []


# -- positions inside the string -------------------------------------------------------------------


def test_json_positions_narrow_to_the_block_through_escapes():
    bad = pem("root-ca.pem").replace("MIIB", "MI?B", 1)
    # Escapes before the block (\u00e9, a surrogate pair, \t, \") must not shift the offsets.
    value = 'caf\u00e9 \U0001f600 \t "bundle"\n' + pem("second-ca.pem") + bad
    text = json.dumps(base(IngressPointConfiguration=store(value)), indent=2, ensure_ascii=True)
    _, r = lint(text)
    (d,) = [d for d in r.diagnostics if d.code == "SES910"]
    src = text[d.start : d.end]
    assert src.startswith("-----BEGIN CERTIFICATE-----\\nMI?B") and src.endswith("-----END CERTIFICATE-----")
    assert d.pointer == "/IngressPointConfiguration/TlsAuthConfiguration/TrustStore/CAContent"


@needs_yaml
def test_yaml_literal_positions_narrow_to_the_block():
    body = pem("second-ca.pem") + pem("root-ca.pem").replace("MIIB", "MI?B", 1)
    lines = "".join("        " + line + "\n" for line in body.splitlines())
    text = (
        "IngressPointName: inbound-smtp\nType: MTLS\nRuleSetId: rs-1\nTrafficPolicyId: tp-1\n"
        "TlsPolicy: REQUIRED\nIngressPointConfiguration:\n  TlsAuthConfiguration:\n    TrustStore:\n"
        "      CAContent: |\n" + lines
    )
    _, r = lint(text, path="ingress.yaml")
    (d,) = [d for d in r.diagnostics if d.code == "SES910"]
    src = text[d.start : d.end]
    assert src.startswith("-----BEGIN CERTIFICATE-----\n        MI?B")
    assert src.endswith("-----END CERTIFICATE-----")


@needs_yaml
def test_yaml_single_quoted_backslash_n_is_explained():
    value = pem("root-ca.pem").strip().replace("\n", "\\n")
    text = (
        "IngressPointName: inbound-smtp\nType: MTLS\nRuleSetId: rs-1\nTrafficPolicyId: tp-1\n"
        "TlsPolicy: REQUIRED\nIngressPointConfiguration:\n  TlsAuthConfiguration:\n    TrustStore:\n"
        f"      CAContent: '{value}'\n"
    )
    _, r = lint(text, path="ingress.yaml")
    (d,) = [d for d in r.diagnostics if d.code == "SES910"]
    assert "two characters \\n" in d.message
    assert text[d.start : d.end].startswith("-----BEGIN CERTIFICATE-----\\n")


# -- certificate and CRL contents (cryptography) ----------------------------------------------------------


@needs_crypto
def test_certificate_checks_follow_the_clock(clock):
    doc = base(IngressPointConfiguration=store(pem("root-ca.pem")))
    clock(datetime(2030, 6, 1, tzinfo=timezone.utc))
    assert codes(lint(doc)[1]) == []
    clock(datetime(2046, 1, 1, tzinfo=timezone.utc))
    _, r = lint(doc)
    assert codes(r) == ["SES911"]
    assert "2045-01-01T00:00:00Z" in r.diagnostics[0].message
    clock(datetime(2023, 12, 31, tzinfo=timezone.utc))
    _, r = lint(doc)
    assert codes(r) == ["SES912"]
    assert "2024-01-01T00:00:00Z" in r.diagnostics[0].message


@needs_crypto
def test_crl_expiry_follows_the_clock(clock):
    doc = base(IngressPointConfiguration=store(pem("root-ca.pem"), pem("root-ca.crl.pem")))
    clock(datetime(2030, 6, 1, tzinfo=timezone.utc))
    assert codes(lint(doc)[1]) == []
    clock(datetime(2045, 1, 2, tzinfo=timezone.utc))
    assert "SES917" in codes(lint(doc)[1])


@needs_crypto
def test_non_ca_certificates():
    _, r = lint(base(IngressPointConfiguration=store(pem("root-ca.pem") + pem("leaf.pem") + pem("no-bc.pem"))))
    msgs = [d.message for d in r.diagnostics if d.code == "SES913"]
    assert len(msgs) == 2
    assert "CA:FALSE" in msgs[0] and "certificate 2" in msgs[0]
    assert "no basicConstraints" in msgs[1] and "certificate 3" in msgs[1]


@needs_crypto
def test_not_a_certificate_inside_valid_base64():
    _, r = lint(base(IngressPointConfiguration=store("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")))
    (d,) = [d for d in r.diagnostics if d.code == "SES910"]
    assert "does not decode as an X.509 certificate" in d.message


@needs_crypto
def test_crl_issuer_and_duplicates():
    ca = pem("root-ca.pem") + pem("second-ca.pem")
    crl = pem("root-ca.crl.pem") + pem("other-ca.crl.pem") + pem("second-ca.crl.pem") + pem("root-ca.crl.pem")
    _, r = lint(base(IngressPointConfiguration=store(ca, crl)))
    assert codes(r) == ["SES915", "SES916"]
    unknown, dup = r.diagnostics
    assert "CRL 2" in unknown.message and "Other CA" in unknown.message
    assert "CRL 4" in dup.message and "as CRL 1" in dup.message and dup.related


@needs_crypto
def test_crl_signed_by_another_key_of_the_same_name(tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    root = x509.load_pem_x509_certificate(pem("root-ca.pem").encode())
    impostor = ec.generate_private_key(ec.SECP256R1())
    when = datetime(2024, 1, 1, tzinfo=timezone.utc)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(root.subject)
        .last_update(when)
        .next_update(datetime(2045, 1, 1, tzinfo=timezone.utc))
        .sign(impostor, hashes.SHA256())
    )
    crl_pem = crl.public_bytes(serialization.Encoding.PEM).decode()
    _, r = lint(base(IngressPointConfiguration=store(pem("root-ca.pem"), crl_pem)))
    (d,) = [d for d in r.diagnostics if d.code == "SES915"]
    assert "signature does not verify" in d.message


@needs_crypto
def test_crl_checks_wait_for_a_readable_ca_bundle():
    bad_ca = pem("root-ca.pem").replace("MIIB", "MI?B", 1)
    _, r = lint(base(IngressPointConfiguration=store(bad_ca, pem("other-ca.crl.pem"))))
    assert codes(r) == ["SES910"]


def test_without_cryptography_only_structure_is_checked(monkeypatch, clock):
    monkeypatch.setitem(sys.modules, "cryptography", None)
    monkeypatch.setitem(sys.modules, "cryptography.x509", None)
    pem_grammar.parse_pem.cache_clear()
    try:
        assert pem_grammar.x509_module() is None
        clock(datetime(2100, 1, 1, tzinfo=timezone.utc))
        ca = pem("root-ca.pem") + pem("leaf.pem")
        crl = pem("root-ca.crl.pem") + pem("other-ca.crl.pem") + pem("expired.crl.pem")
        _, r = lint(base(IngressPointConfiguration=store(ca, crl)))
        # No content checks; the CRL count is compared instead of issuers.
        assert codes(r) == ["SES916"]
        assert "3 CRLs for 2 CA certificates" in r.diagnostics[0].message
        _, r = lint(
            base(IngressPointConfiguration=store("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
        )
        assert codes(r) == []
    finally:
        pem_grammar.parse_pem.cache_clear()


@needs_crypto
def test_get_output_trust_store_is_checked():
    doc = {
        "IngressPointId": "inp-1",
        "IngressPointName": "partner",
        "Type": "MTLS",
        "TlsPolicy": "REQUIRED",
        "IngressPointAuthConfiguration": store(pem("expired-ca.pem")),
    }
    _, r = lint(doc, kind=ingress.GET)
    assert r.kind == ingress.GET and codes(r) == ["SES911"]


def test_output_only_member_in_an_input_is_left_to_the_schema():
    _, r = lint(base("AUTH", IngressPointConfiguration={"IngressPointPasswordConfiguration": {}}))
    assert codes(r) == []
    assert "SES101" in codes(r, "SES1")


YAML_HEAD = (
    "IngressPointName: inbound-smtp\nType: MTLS\nRuleSetId: rs-1\nTrafficPolicyId: tp-1\n"
    "TlsPolicy: REQUIRED\nIngressPointConfiguration:\n  TlsAuthConfiguration:\n    TrustStore:\n"
)


@needs_yaml
def test_yaml_folded_scalar_breaks_the_pem():
    lines = "".join("        " + line + "\n" for line in pem("root-ca.pem").splitlines())
    _, r = lint(YAML_HEAD + "      CAContent: >\n" + lines, path="ingress.yaml")
    (d,) = [d for d in r.diagnostics if d.code == "SES910"]
    assert "no line break after its BEGIN line" in d.message


@needs_yaml
def test_yaml_double_quoted_one_line_positions():
    bad = pem("root-ca.pem").replace("MIIB", "MI?B", 1)
    value = json.dumps(pem("second-ca.pem") + bad)
    text = YAML_HEAD + f"      CAContent: {value}\n"
    _, r = lint(text, path="ingress.yaml")
    (d,) = [d for d in r.diagnostics if d.code == "SES910"]
    assert text[d.start : d.end].startswith("-----BEGIN CERTIFICATE-----\\nMI?B")
    assert text[d.start : d.end].endswith("-----END CERTIFICATE-----")


@needs_yaml
@needs_crypto
def test_yaml_valid_bundle_is_clean():
    lines = "".join("        " + line + "\n" for line in (pem("root-ca.pem") + pem("second-ca.pem")).splitlines())
    _, r = lint(YAML_HEAD + "      CAContent: |\n" + lines, path="ingress.yaml")
    assert [(d.code, d.message) for d in r.diagnostics] == []
