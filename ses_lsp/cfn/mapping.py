"""The one table: how the Properties of each SES resource type map onto an API document.

A resource's Properties are checked twice over, as an API document would be: against the
resource type's own schema (``ses_lsp/schema/cloudformation.json``, generated from the
CloudFormation resource schemas; codes SES1xx, as for API documents), then by the semantic
rules of the API document kind they correspond to (``kind``; same codes, positions in the
template).  Where CloudFormation's shape differs from the API input, ``differences`` says how
(docs/cloudformation.md renders this table; tests/test_cfn.py checks the two agree).

A resource type without a ``kind`` would be checked against its schema only (every SES
resource type has one since the Mail Manager address list, relay and archive kinds).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceMapping:
    type: str  # the CloudFormation resource type
    shape: str  # the root schema of its Properties in cloudformation.json
    kind: str | None  # the API document kind whose semantic rules apply to the Properties
    # Where the resource's name is in its Properties (what ``!Ref`` returns for the classic
    # resources; Mail Manager's return the generated ID), or None.
    name_path: tuple[str, ...] | None
    ref_returns_name: bool
    differences: str  # how the Properties differ from the API document of ``kind``


MAPPINGS: tuple[ResourceMapping, ...] = (
    ResourceMapping(
        "AWS::SES::ReceiptRuleSet",
        "ReceiptRuleSet",
        "ses:create-receipt-rule-set",
        ("RuleSetName",),
        True,
        "`RuleSetName` is optional: CloudFormation generates a name (`!Ref` returns it).",
    ),
    ResourceMapping(
        "AWS::SES::ReceiptRule",
        "ReceiptRule",
        "ses:create-receipt-rule",
        ("Rule", "Name"),
        True,
        "The CreateReceiptRule members (`RuleSetName`, `After`, `Rule`). `RuleSetName` and `After` may be "
        "`!Ref`s of the template's ReceiptRuleSet and ReceiptRule resources; a rule without `Rule.Name` gets a "
        "generated one (the checks call it `${LogicalId}`). The rules of one set, spread over resources, are "
        "also checked together as a "
        "describe-receipt-rule-set output, in the order their `After` chains give (no `After`: first).",
    ),
    ResourceMapping(
        "AWS::SES::ReceiptFilter",
        "ReceiptFilter",
        "ses:create-receipt-filter",
        ("Filter", "Name"),
        True,
        "The CreateReceiptFilter members (`Filter`). The filters of a template (two or more) are also checked "
        "together, as a list-receipt-filters output (duplicate names, a range both allowed and blocked, redundant "
        "filters).",
    ),
    ResourceMapping(
        "AWS::SES::MailManagerRuleSet",
        "MailManagerRuleSet",
        "mailmanager:create-rule-set",
        None,
        False,
        "The CreateRuleSet members but `ClientToken`; `RuleSetName` is optional. `!Ref` returns the rule set ID.",
    ),
    ResourceMapping(
        "AWS::SES::MailManagerIngressPoint",
        "MailManagerIngressPoint",
        "mailmanager:create-ingress-point",
        None,
        False,
        "The CreateIngressPoint members but `ClientToken`, plus `StatusToUpdate` (UpdateIngressPoint's). "
        "`!Ref` returns the ingress point ID.",
    ),
    ResourceMapping(
        "AWS::SES::MailManagerTrafficPolicy",
        "MailManagerTrafficPolicy",
        "mailmanager:create-traffic-policy",
        None,
        False,
        "The CreateTrafficPolicy members but `ClientToken`. `!Ref` returns the traffic policy ID.",
    ),
    ResourceMapping(
        "AWS::SES::MailManagerAddressList",
        "MailManagerAddressList",
        "mailmanager:create-address-list",
        None,
        False,
        "The CreateAddressList members but `ClientToken`. `!Ref` returns the address list ID.",
    ),
    ResourceMapping(
        "AWS::SES::MailManagerRelay",
        "MailManagerRelay",
        "mailmanager:create-relay",
        None,
        False,
        "The CreateRelay members but `ClientToken`. `!Ref` returns the relay ID.",
    ),
    ResourceMapping(
        "AWS::SES::MailManagerArchive",
        "MailManagerArchive",
        "mailmanager:create-archive",
        None,
        False,
        "The CreateArchive members but `ClientToken`. `!Ref` returns the archive ID.",
    ),
)

BY_TYPE: dict[str, ResourceMapping] = {m.type: m for m in MAPPINGS}
