"""The Mail Manager pipeline kinds besides rule sets, ingress points and traffic policies:
address lists, relays and archives (create-*, update-*, get-*), generated from the pinned
botocore model: detection by content, schema-pass diagnostics, completion and hover."""

from __future__ import annotations

import pytest

from ses_lsp.document.document import Document
from ses_lsp.document.json_parser import parse_json
from ses_lsp.document.yaml_parser import parse_yaml
from ses_lsp.editor.completion import apply_completion, complete
from ses_lsp.editor.hover import hover
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.kinds import detect_kind

ARN = "arn:aws:ses:us-east-1:123456789012"


@pytest.mark.parametrize(
    "text, kind",
    [
        ("AddressListName: vips\n", "mailmanager:create-address-list"),
        (
            f"AddressListId: al-1\nAddressListArn: {ARN}:mailmanager-address-list/al-1\nAddressListName: vips\n"
            "CreatedTimestamp: 2026-01-05T10:00:00Z\nLastUpdatedTimestamp: 2026-01-05T10:00:00Z\n",
            "mailmanager:get-address-list",
        ),
        (
            "RelayName: smarthost\nServerName: smtp.example.com\nServerPort: 587\n"
            "Authentication: {NoAuthentication: {}}\n",
            "mailmanager:create-relay",
        ),
        ("RelayId: r-1\nServerPort: 2525\n", "mailmanager:update-relay"),
        (f"RelayId: r-1\nRelayArn: {ARN}:mailmanager-relay/r-1\nRelayName: smarthost\n", "mailmanager:get-relay"),
        ("ArchiveName: all-mail\nRetention: {RetentionPeriod: ONE_YEAR}\n", "mailmanager:create-archive"),
        ("ArchiveId: a-1\nRetention: {RetentionPeriod: TWO_YEARS}\n", "mailmanager:update-archive"),
        (
            f"ArchiveId: a-1\nArchiveName: all-mail\nArchiveArn: {ARN}:mailmanager-archive/a-1\n"
            "ArchiveState: ACTIVE\nRetention: {RetentionPeriod: ONE_YEAR}\n",
            "mailmanager:get-archive",
        ),
    ],
)
def test_detection_by_content(text, kind):
    assert detect_kind(parse_yaml(text).root) == kind
    result = lint_text(text, "x.yaml")
    assert result.kind == kind
    assert [d.code for d in result.diagnostics] == []


def test_other_kinds_are_not_taken_for_pipeline_resources():
    assert detect_kind(parse_json('{"TrafficPolicyName": "t", "DefaultAction": "DENY"}').root) == (
        "mailmanager:create-traffic-policy"
    )
    assert detect_kind(parse_json('{"IngressPointName": "in", "Type": "OPEN"}').root) == (
        "mailmanager:create-ingress-point"
    )


def test_schema_pass_reports_relay_and_archive_values_precisely():
    text = (
        "RelayName: smart host\nServerName: smtp.example.com\nServerPort: 70000\n"
        "Authentication:\n  SecretArn: arn:aws:secretsmanager:us-east-1:123456789012:secret:relay\n"
        "  NoAuthentication: {}\n"
    )
    result = lint_text(text, "relay.yaml")
    got = sorted((d.code, text[d.start : d.end]) for d in result.diagnostics)
    assert got == [("SES105", "smart host"), ("SES110", "70000"), ("SES111", "Authentication")]
    text = '{"ArchiveName": "mail", "Retention": {"RetentionPeriod": "FOREVER"}}'
    result = lint_text(text, "archive.json")
    assert [(d.code, text[d.start : d.end]) for d in result.diagnostics] == [("SES104", '"FOREVER"')]


def test_completion_offers_members_and_enum_values():
    text = "RelayName: smarthost\n"
    labels = {i.label for i in complete(text, len(text), "mailmanager:create-relay", "yaml")}
    assert {"ServerName", "ServerPort", "Authentication", "Tags"} <= labels
    assert "RelayName" not in labels
    text = "ArchiveName: all-mail\nRetention:\n  RetentionPeriod: \n"
    at = text.index("RetentionPeriod: ") + len("RetentionPeriod: ")
    found = complete(text, at, "mailmanager:create-archive", "yaml")
    assert "ONE_YEAR" in [i.label for i in found] and "PERMANENT" in [i.label for i in found]
    one = next(i for i in found if i.label == "ONE_YEAR")
    assert apply_completion(text, one).endswith("RetentionPeriod: ONE_YEAR\n")


def test_hover_shows_the_model_documentation():
    text = '{"RelayName": "r", "ServerName": "smtp.example.com", "ServerPort": 587, "Authentication": {}}'
    h = hover(Document(text, "r.json", "json"), "mailmanager:create-relay", text.index("Authentication") + 1)
    assert h is not None
    assert h.markdown.startswith("**Authentication**")
    assert "secret" in h.markdown.lower() and "NoAuthentication" in h.markdown
    text = "AddressListName: vips\n"
    h = hover(Document(text, "a.yaml", "yaml"), "mailmanager:create-address-list", 2)
    assert h is not None and "address list" in h.markdown.lower()
