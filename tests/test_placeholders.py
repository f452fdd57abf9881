"""Template placeholders mean the same in every rule family (one definition, lint.text)."""

from __future__ import annotations

import pytest

from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.text import has_placeholder, is_template_value

INGRESS = """IngressPointName: inbound-smtp
Type: AUTH
RuleSetId: rs-0123456789abcdef
TrafficPolicyId: tp-0123456789abcdef
TlsPolicy: REQUIRED
IngressPointConfiguration:
  SmtpPassword: '{value}'
"""
BOUNCE_RULE = """RuleSetName: inbound
Rule:
  Name: bounce
  Enabled: true
  Actions:
    - BounceAction:
        SmtpReplyCode: '550'
        StatusCode: 5.1.1
        Message: Mailbox does not exist
        Sender: '{value}'
"""
RECIPIENT_RULE = """RuleSetName: inbound
Rule:
  Name: store
  Enabled: true
  Recipients: ['{value}']
  Actions:
    - StopAction:
        Scope: RuleSet
"""

# Each form, in a bounce Sender and a recipient: never judged there.
FORMS = ["${Sender}", "{{sender}}", "#{Sender}", "$(whoami)@example.com", "$SENDER", "<sender>", "{sender}", "%s"]


def codes(text: str, kind: str) -> list[str]:
    return [d.code for d in lint_text(text, "x.yaml", kind=kind).diagnostics]


@pytest.mark.parametrize("form", FORMS)
def test_placeholders_are_not_judged_anywhere(form):
    assert has_placeholder(form)
    assert "SES421" not in codes(BOUNCE_RULE.format(value=form), "ses:create-receipt-rule")
    assert "SES607" not in codes(RECIPIENT_RULE.format(value=form), "ses:create-receipt-rule")


def test_real_values_are_judged():
    assert "SES421" in codes(BOUNCE_RULE.format(value="postmaster"), "ses:create-receipt-rule")
    assert "SES607" in codes(RECIPIENT_RULE.format(value="a@@example.com"), "ses:create-receipt-rule")


@pytest.mark.parametrize(
    "password,reported",
    [
        ("{{resolve:secretsmanager:smtp:SecretString:password}}", False),
        ("${SmtpPassword}", False),
        ("$SMTP_PASSWORD", False),
        ("<password>", False),
        ("Tr0ub4dor-and-3", True),
        # Real passwords hold '$' and '%': only a whole-value placeholder or an interpolation
        # makes a credential a template.
        ("pa$word-and-more", True),
        ("50%sure-of-it", True),
    ],
)
def test_a_password_is_a_template_only_when_it_plainly_is_one(password, reported):
    assert is_template_value(password) is not reported
    assert ("SES909" in codes(INGRESS.format(value=password), "mailmanager:create-ingress-point")) is reported
