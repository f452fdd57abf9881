"""Semantic rules: limits (SES8xx).  See docs/writing-rules.md.

The classic receiving quotas (rules per rule set, actions per rule, recipients
per rule, IP filters per account) are not in the API model, so the schema
pass cannot see them; Mail Manager's counts are in its model and are the
schema pass's job (SES109).  Two size/time facts of classic actions are
surfaced as advice: the 150 KB limit of SNS delivery and the 30-second wait
of a synchronous Lambda.
"""

from __future__ import annotations

from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Related, Severity
from ses_lsp.lint.references import FLOCI_RULE_PROBES, SES_API
from ses_lsp.lint.registry import SOURCE_DOCS, SOURCE_MODEL, Example, Rule, RuleDoc
from ses_lsp.lint.rules.common import (
    CLASSIC_FILTER_KINDS,
    CLASSIC_RULE_KINDS,
    CLASSIC_RULE_SET_KINDS,
    classic_actions_of_type,
    classic_later_overlaps,
    classic_model,
    classic_rule_nodes,
    rule_actions,
)

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

QUOTAS = "https://docs.aws.amazon.com/ses/latest/dg/quotas.html#quotas-receiving"
SNS_DOC = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-sns.html"
S3_DOC = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-s3.html"
LAMBDA_DOC = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda.html"
FLOCI = FLOCI_RULE_PROBES  # 'Too many rules', 'Too many actions', 'Too many filters'

MAX_RULES = 200
MAX_ACTIONS = 10
MAX_RECIPIENTS = 100
MAX_FILTERS = 100

# Actions that hand the message content itself to a target.
_CONTENT_ACTIONS = frozenset({"S3Action", "SNSAction", "WorkmailAction", "ConnectAction"})


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _too_many(
    ctx: LintContext, node: Node | None, limit: int, what: str, where: str, tail: str, allowed: str = ""
) -> None:
    if node is None or node.kind != ARRAY:
        return
    items = node.list_value
    n = len(items)
    if n <= limit:
        return
    first = items[limit]
    ctx.report(
        node,
        f"{where} has {n} {what}; {allowed or f'SES allows at most {limit}'}: {tail}",
        on_key=True,
        related=[Related(first.start, first.end, f"the {_ordinal(limit + 1)} {what[:-1]} is over the limit")],
    )


def _check_rules(ctx: LintContext) -> None:
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return
    _too_many(
        ctx,
        root.get("Rules"),
        MAX_RULES,
        "rules",
        "the rule set",
        "split the rules over fewer, broader rules (a rule takes up to 100 recipients)",
    )


def _rule_label(rule: Node, index: int) -> str:
    name = rule.get("Name")
    if name is not None and name.kind == STRING:
        return f'rule "{name.value}"'
    return f"rule #{index + 1}"


def _check_actions(ctx: LintContext) -> None:
    for i, rule in enumerate(classic_rule_nodes(ctx)):
        _too_many(
            ctx,
            rule.get("Actions"),
            MAX_ACTIONS,
            "actions",
            _rule_label(rule, i),
            "move the rest to a following rule with the same recipients, or into one Lambda function",
        )


def _check_recipients(ctx: LintContext) -> None:
    for i, rule in enumerate(classic_rule_nodes(ctx)):
        _too_many(
            ctx,
            rule.get("Recipients"),
            MAX_RECIPIENTS,
            "recipients",
            _rule_label(rule, i),
            'use a domain entry ("example.com") instead of many addresses, or split the rule',
            allowed=f"the documented SES quota is {MAX_RECIPIENTS} per rule (its enforcement is unverified)",
        )


def _check_filters(ctx: LintContext) -> None:
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return
    _too_many(
        ctx,
        root.get("Filters"),
        MAX_FILTERS,
        "filters",
        "the list",
        "merge neighbouring ranges into wider CIDR blocks",
        allowed=f"SES allows at most {MAX_FILTERS} IP filters per account and Region",
    )


def _check_sns_only(ctx: LintContext) -> None:
    for rule, actions in zip(classic_rule_nodes(ctx), rule_actions(ctx), strict=True):
        content = [(name, entry) for name, entry, _ in actions if name in _CONTENT_ACTIONS]
        if not content or any(name != "SNSAction" for name, _ in content):
            continue
        acts = rule.get("Actions")
        if acts is not None and acts.kind == ARRAY and len(acts.list_value) != len(actions):
            continue  # a malformed entry hides what the rule does
        entry = content[0][1]
        ctx.report(
            entry.key_node or (entry.members[0][0] if entry.members else entry),
            "SNS is the only way this rule delivers its mail: an SNSAction carries at most 150 KB "
            "(headers included) and larger mail bounces; store the message with an S3Action (which can notify "
            "the same topic) if mail can be larger",
            pointer=entry.pointer,
        )


def _useless_sync_lambdas(ctx: LintContext) -> set[int]:
    """ids of Lambda action bodies that useless-request-response (SES506) reports instead.

    In a whole rule set, a RequestResponse Lambda that ends an enabled rule no
    later rule can share recipients with is useless, not just slow: that rule
    says so, and this one stays quiet.
    """
    if ctx.kind not in CLASSIC_RULE_SET_KINDS or ctx.root is None:
        return set()
    rules = classic_model(ctx)
    overlaps = classic_later_overlaps(ctx)
    out: set[int] = set()
    for i, rule in enumerate(rules):
        if not rule.is_enabled or not rule.actions or rule.actions[-1].type != "LambdaAction":
            continue
        if not overlaps[i] and rule.actions[-1].body is not None:
            out.add(id(rule.actions[-1].body))
    return out


def _check_request_response(ctx: LintContext) -> None:
    skip: set[int] | None = None
    for _rule, _entry, body in classic_actions_of_type(ctx, "LambdaAction"):
        if body.kind != OBJECT:
            continue
        inv = body.dict_value.get("InvocationType")
        if inv is None or inv.kind != STRING or inv.value != "RequestResponse":
            continue
        if skip is None:
            skip = _useless_sync_lambdas(ctx)
        if id(body) in skip:
            continue
        ctx.report(
            inv,
            "RequestResponse makes SES wait for the function (up to 30 seconds) before handling the mail "
            "further; use Event unless the function returns a disposition (STOP_RULE, STOP_RULE_SET) "
            "that later actions depend on",
        )


# -- rule definitions --------------------------------------------------------------------------

_RULE = "ses:create-receipt-rule"


TOO_MANY_RULES = Rule(
    code="SES801",
    name="too-many-rules",
    severity=E,
    summary="A classic rule set with more than 200 rules.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_SET_KINDS,
    check=_check_rules,
    doc=RuleDoc(
        what="Reports a classic rule set (`Rules` of a describe-receipt-rule-set document) with more than 200 rules.",
        why=(
            "200 rules per rule set is a fixed SES quota (not adjustable); creating the 201st rule fails with "
            '`LimitExceeded` ("Too many rules"). The API model does not say so, so nothing else checks it.'
        ),
        bad=Example("SES801-bad.yaml", "ses:describe-receipt-rule-set"),
        good=Example("SES801-good.yaml", "ses:describe-receipt-rule-set"),
        references=(QUOTAS, FLOCI),
    ),
)

TOO_MANY_ACTIONS = Rule(
    code="SES802",
    name="too-many-actions",
    severity=E,
    summary="A classic rule with more than 10 actions.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_actions,
    doc=RuleDoc(
        what="Reports a classic receipt rule whose `Actions` list has more than 10 entries.",
        why='10 actions per rule is a fixed SES quota; the 11th fails with `LimitExceeded` ("Too many actions").',
        bad=Example("SES802-bad.yaml", _RULE),
        good=Example("SES802-good.yaml", _RULE),
        references=(QUOTAS, FLOCI),
    ),
)

TOO_MANY_RECIPIENTS = Rule(
    code="SES803",
    name="too-many-recipients",
    severity=W,
    summary="A classic rule with more than 100 recipients.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_recipients,
    doc=RuleDoc(
        what="Reports a classic receipt rule whose `Recipients` list has more than 100 entries.",
        why=(
            "The SES quotas page lists 100 recipients per receipt rule. A probe of the live service accepted "
            "101, so enforcement is unverified: a warning, not an error. A domain entry covers any number of "
            "addresses."
        ),
        bad=Example("SES803-bad.yaml", _RULE),
        good=Example("SES803-good.yaml", _RULE),
        references=(QUOTAS, FLOCI_RULE_PROBES),  # a 101st recipient was accepted
    ),
)

TOO_MANY_FILTERS = Rule(
    code="SES804",
    name="too-many-filters",
    severity=E,
    summary="More than 100 IP address filters.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_FILTER_KINDS,
    check=_check_filters,
    doc=RuleDoc(
        what="Reports a `list-receipt-filters` document with more than 100 filters.",
        why=(
            "100 IP address filters per account and Region is a fixed SES quota; the 101st fails with "
            '`LimitExceeded` ("Too many filters").'
        ),
        bad=Example("SES804-bad.yaml", "ses:list-receipt-filters"),
        good=Example("SES804-good.yaml", "ses:list-receipt-filters"),
        references=(QUOTAS, FLOCI),
    ),
)

SNS_ONLY_DELIVERY = Rule(
    code="SES805",
    name="sns-only-delivery",
    severity=I,
    summary="SNSAction is a rule's only content delivery: mail over 150 KB bounces.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_sns_only,
    doc=RuleDoc(
        what=(
            "Reports the first `SNSAction` of a rule whose only actions that hand over the message content are "
            "SNS actions (no S3, WorkMail or Connect action beside them)."
        ),
        why=(
            'The SNS action publishes the whole message, and "if the email is larger than 150 KB, it will '
            'bounce"; an S3 action stores mail up to 40 MB and can notify the same topic.'
        ),
        bad=Example("SES805-bad.yaml", _RULE),
        good=Example("SES805-good.yaml", _RULE),
        references=(SNS_DOC, S3_DOC, QUOTAS),
    ),
)

LAMBDA_REQUEST_RESPONSE = Rule(
    code="SES806",
    name="lambda-request-response-delay",
    severity=I,
    summary="A LambdaAction invoked synchronously holds up mail handling up to 30 seconds.",
    source=SOURCE_MODEL,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_request_response,
    doc=RuleDoc(
        what=(
            "Reports `InvocationType: RequestResponse` on a classic `LambdaAction`, except where "
            "useless-request-response (SES506) reports that the synchronous call cannot change anything."
        ),
        why=(
            "With RequestResponse SES waits for the function's result (30-second timeout) before the next "
            "action; it is only needed when the function returns a disposition (STOP_RULE, STOP_RULE_SET) that "
            "controls the later actions. Event (the default) does not hold up the mail."
        ),
        bad=Example("SES806-bad.yaml", _RULE),
        good=Example("SES806-good.yaml", _RULE),
        references=(SES_API + "API_LambdaAction.html", LAMBDA_DOC),
    ),
)

RULES = [
    TOO_MANY_RULES,
    TOO_MANY_ACTIONS,
    TOO_MANY_RECIPIENTS,
    TOO_MANY_FILTERS,
    SNS_ONLY_DELIVERY,
    LAMBDA_REQUEST_RESPONSE,
]

__all__ = ["RULES"]
