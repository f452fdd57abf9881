"""The scenario document kind (ses-lsp:scenario): detection, schema-pass diagnostics, completion
and hover, as every kind gets them."""

from __future__ import annotations

from ses_lsp.document.document import Document
from ses_lsp.document.json_parser import parse_json
from ses_lsp.document.yaml_parser import parse_yaml
from ses_lsp.editor.completion import apply_completion, complete
from ses_lsp.editor.hover import hover
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.kinds import detect_kind

KIND = "ses-lsp:scenario"


def test_detection():
    assert detect_kind(parse_yaml("SourceIp: 192.0.2.1\nRecipients: [a@example.com]\n").root) == KIND
    assert detect_kind(parse_json('{"Recipients": ["a@example.com"]}').root) == KIND
    assert detect_kind(parse_json('{"MailFrom": "", "Unknown": 1}').root) == KIND
    # a bare receipt rule (not an API document) is not a scenario
    assert detect_kind(parse_json('{"Name": "r", "Recipients": ["a@example.com"], "Actions": []}').root) is None
    tp = '{"TrafficPolicyName": "t", "PolicyStatements": [], "DefaultAction": "DENY"}'
    assert detect_kind(parse_json(tp).root) == "mailmanager:create-traffic-policy"
    assert detect_kind(parse_json('{"TrafficPolicyId": "tp-1", "DefaultAction": "ALLOW"}').root) == (
        "mailmanager:update-traffic-policy"
    )
    get = '{"TrafficPolicyId": "tp-1", "TrafficPolicyName": "t", "TrafficPolicyArn": "arn:x", "DefaultAction": "ALLOW"}'
    assert detect_kind(parse_json(get).root) == "mailmanager:get-traffic-policy"


def test_schema_pass_reports_bad_members_precisely():
    text = "Tls: yes\nVerdicts:\n  Spf: pass\nRecipients: [a@example.com]\nSize: -1\n"
    result = lint_text(text, "mail.yaml")
    assert result.kind == KIND
    got = sorted((d.code, d.start, d.end) for d in result.diagnostics)
    assert got == [
        ("SES103", text.index("yes"), text.index("yes") + 3),
        ("SES104", text.index("pass"), text.index("pass") + 4),
        ("SES110", text.index("-1"), text.index("-1") + 2),
    ]


def test_completion_offers_the_members_and_their_values():
    text = "Recipients: [a@example.com]\n"
    labels = [i.label for i in complete(text, len(text), KIND, "yaml")]
    assert {"SourceIp", "Tls", "TlsProtocol", "Verdicts", "LambdaDispositions"} <= set(labels)
    assert "Recipients" not in labels  # already there
    text = "TlsProtocol: \n"
    found = complete(text, len("TlsProtocol: "), KIND, "yaml")
    assert [i.label for i in found] == ["TLS1_2", "TLS1_3"]
    assert apply_completion(text, found[1]) == "TlsProtocol: TLS1_3\n"


def test_hover_shows_the_meaning_and_the_default():
    text = '{"Tls": false}'
    h = hover(Document(text, "m.json", "json"), KIND, text.index("Tls") + 1)
    assert h is not None
    assert h.markdown.startswith("**Tls** · a boolean · optional")
    assert "Default: `true`." in h.markdown and "ESMTPS" in h.markdown
