"""CloudFormation templates: the order of a classic rule set spread over ReceiptRule resources.

These rules look at a whole template (kind ``cloudformation:template``); the checks of each SES
resource's Properties are the other families' (ses_lsp.cfn.lint runs them on each resource).
The order of a set is rebuilt by :mod:`ses_lsp.cfn.ruleset`.
"""

from __future__ import annotations

from ses_lsp.cfn.lint import template_rule_sets
from ses_lsp.cfn.ruleset import OrderProblem, RuleEntry, RuleSetGroup
from ses_lsp.cfn.template import TEMPLATE_KIND
from ses_lsp.document.nodes import Node, escape_pointer_token
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Related, Severity
from ses_lsp.lint.registry import SOURCE_DOCS, Example, Rule, RuleDoc
from ses_lsp.lint.text import closest, has_placeholder, quote, quote_list

E, W = Severity.ERROR, Severity.WARNING
_TEMPLATE = frozenset({TEMPLATE_KIND})
CFN_RULE = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ses-receiptrule.html"
CREATE_RULE = "https://docs.aws.amazon.com/ses/latest/APIReference/API_CreateReceiptRule.html"
DEPENDS_ON = "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-attribute-dependson.html"


def _where(e: RuleEntry) -> Node:
    """What to underline for a rule: its After value, else its logical ID."""
    return e.after_node if e.after_node is not None else e.resource.key


def _label(e: RuleEntry) -> str:
    return f"rule {quote(e.name)}" if not e.name.startswith("${") else f"rule resource {quote(e.logical_id)}"


def _set_label(group: RuleSetGroup) -> str:
    if group.set_resource is not None and group.key.startswith("${"):
        return f"the rule set of resource {quote(group.set_resource.logical_id)}"
    return f"rule set {quote(group.key)}"


def _conditions(entries: list[RuleEntry]) -> str:
    notes = [
        f"resource {e.logical_id} exists only when condition {e.resource.condition} is true"
        for e in entries
        if e.resource.condition is not None
    ]
    return f" ({'; '.join(notes)})" if notes else ""


def _report(ctx: LintContext, p: OrderProblem, message: str, related: list[Related], severity: Severity | None = None):
    e = p.entry
    ctx.report(
        _where(e),
        message + _conditions([e, *p.others]),
        related=related,
        pointer=f"/Resources/{escape_pointer_token(e.logical_id)}"
        + ("/Properties/After" if e.after_node is not None else ""),
        severity=severity,
    )


def _related(e: RuleEntry, what: str) -> Related:
    n = _where(e)
    return Related(n.start, n.end, what)


def _check_order_ambiguous(ctx: LintContext) -> None:
    for group in template_rule_sets(ctx):
        for p in group.problems:
            if p.what != "same-place":
                continue
            e = p.entry
            place = "first" if p.target is None else f"right after {quote(_target_name(group, p.target))}"
            others = quote_list(o.name if not o.name.startswith("${") else o.logical_id for o in p.others)
            _report(
                ctx,
                p,
                f"{_label(e)} goes {place} in {_set_label(group)}, as {others} "
                f"{'does' if len(p.others) == 1 else 'do'}, and CloudFormation may create them in either order "
                "(each is placed when it is created), so the order of the set is not certain; chain them "
                "(After the other rule) or make one depend on the other (DependsOn)",
                [_related(o, f"also goes {place}") for o in p.others],
            )


def _target_name(group: RuleSetGroup, logical_id: str) -> str:
    for e in group.rules:
        if e.logical_id == logical_id:
            return e.name if not e.name.startswith("${") else e.logical_id
    return logical_id


def _check_after_not_in_set(ctx: LintContext) -> None:
    for group in template_rule_sets(ctx):
        names = [e.name for e in group.rules if not has_placeholder(e.name)]
        for p in group.problems:
            e = p.entry
            if p.what == "no-such-rule":
                target = p.target or ""
                if has_placeholder(target):
                    continue
                best = closest(target, names, cutoff=0.75)
                hint = f"; did you mean {quote(best)}?" if best else ""
                assert group.set_resource is not None  # (no-such-rule is found only then)
                _report(
                    ctx,
                    p,
                    f"After is {quote(target)}, but {_set_label(group)} is created by this template (resource "
                    f"{quote(group.set_resource.logical_id)}) and none of its rules is named so: SES rejects the "
                    f"rule (RuleDoesNotExist){hint}",
                    [],
                )
            elif p.what == "other-set":
                _report(
                    ctx,
                    p,
                    f"After names rule resource {quote(p.target or '')}, which belongs to another rule set: SES looks "
                    f"for it in {_set_label(group)} and rejects the rule (RuleDoesNotExist)",
                    [],
                )
            elif p.what == "cycle":
                chain = " -> ".join(quote(x.logical_id) for x in [e, *p.others, e])
                _report(
                    ctx,
                    p,
                    f"the After chain of {_label(e)} loops back to it ({chain}): no order satisfies it, and "
                    "CloudFormation cannot create these rules (a circular dependency, or RuleDoesNotExist); "
                    "make one of them come first",
                    [_related(o, "in the After cycle") for o in p.others],
                )


def _check_after_without_dependency(ctx: LintContext) -> None:
    for group in template_rule_sets(ctx):
        for p in group.problems:
            if p.what != "no-dependency" or not p.others:
                continue
            target = p.others[0]
            _report(
                ctx,
                p,
                f"After names {_label(target)} of this template by its name, but nothing makes CloudFormation create "
                f"resource {quote(target.logical_id)} first, and SES rejects an After naming a rule that does not "
                f"exist yet (RuleDoesNotExist); write After: !Ref {target.logical_id} (or add DependsOn)",
                [_related(target, "the rule After names")],
            )


RULE_ORDER_AMBIGUOUS = Rule(
    code="SES212",
    name="rule-order-ambiguous",
    severity=W,
    summary="Two ReceiptRule resources go to the same place in their rule set, in an order nothing fixes.",
    source=SOURCE_DOCS,
    kinds=_TEMPLATE,
    check=_check_order_ambiguous,
    doc=RuleDoc(
        what=(
            "In a CloudFormation or SAM template, reports a ReceiptRule resource whose `After` names the same rule "
            "as another one's (or that has no `After`, as another one has not) when nothing makes CloudFormation "
            "create the two in a fixed order. The order of a rule set spread over resources is rebuilt from the "
            "`After` chains and the order resources are created in (`DependsOn`, and every `!Ref`, `!GetAtt` "
            "and `${...}` of another resource)."
        ),
        why=(
            "CloudFormation creates each rule with CreateReceiptRule, which puts it right after the rule `After` "
            "names (first without `After`) at that moment. Two rules put in the same place end up in the order "
            "they happen to be created, later first, and resources without a dependency between them are created "
            "in parallel: the same template can give different rule orders, and a `StopAction` or a bounce in "
            "the wrong one changes where mail goes."
        ),
        bad=Example("SES212-bad.yaml", TEMPLATE_KIND),
        good=Example("SES212-good.yaml", TEMPLATE_KIND),
        references=(CFN_RULE, CREATE_RULE, DEPENDS_ON),
        notes="A finding involving a resource created only under a `Condition` says so.",
    ),
)

AFTER_NOT_IN_SET = Rule(
    code="SES213",
    name="after-rule-not-in-set",
    severity=E,
    summary="A ReceiptRule's After names no rule of its set (or the After chains form a cycle).",
    source=SOURCE_DOCS,
    kinds=_TEMPLATE,
    check=_check_after_not_in_set,
    doc=RuleDoc(
        what=(
            "In a CloudFormation or SAM template, reports a ReceiptRule resource whose `After` names no rule of "
            "a rule set the template itself creates (a ReceiptRuleSet resource: a new set holds only the "
            "template's rules), names (`!Ref`) a rule resource of another rule set, or whose `After` chain "
            "loops back to it."
        ),
        why=(
            "CreateReceiptRule fails with RuleDoesNotExist when `After` names a rule that is not in the set, and "
            "a cycle of `!Ref`s is a circular dependency CloudFormation refuses: the stack does not deploy."
        ),
        bad=Example("SES213-bad.yaml", TEMPLATE_KIND),
        good=Example("SES213-good.yaml", TEMPLATE_KIND),
        references=(CFN_RULE, CREATE_RULE),
        notes=(
            "A rule set the template only names (a literal or a parameter) may hold rules created elsewhere: an "
            "`After` naming none of the template's rules is not reported then."
        ),
    ),
)

AFTER_WITHOUT_DEPENDENCY = Rule(
    code="SES214",
    name="after-without-dependency",
    severity=W,
    summary="A ReceiptRule's After names a rule of the template by name, with nothing creating that rule first.",
    source=SOURCE_DOCS,
    kinds=_TEMPLATE,
    check=_check_after_without_dependency,
    doc=RuleDoc(
        what=(
            "In a CloudFormation or SAM template, reports a ReceiptRule resource whose `After` is the literal "
            "name of another ReceiptRule resource of the template when the resource does not depend on that "
            "one (no `!Ref` of it, no `DependsOn`)."
        ),
        why=(
            "CloudFormation creates resources without a dependency between them in parallel: the rule may be "
            "created before the rule its `After` names, and CreateReceiptRule then fails with RuleDoesNotExist. "
            "`After: !Ref OtherRule` gives both the name and the dependency."
        ),
        bad=Example("SES214-bad.yaml", TEMPLATE_KIND),
        good=Example("SES214-good.yaml", TEMPLATE_KIND),
        references=(CFN_RULE, DEPENDS_ON),
    ),
)

RULES = [RULE_ORDER_AMBIGUOUS, AFTER_NOT_IN_SET, AFTER_WITHOUT_DEPENDENCY]
