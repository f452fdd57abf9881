"""Semantic rules: flow and reachability (SES5xx).

Built on the shared models in ``ses_lsp.semantics`` (which mail a rule
matches, what stops evaluation), so the simulator and these rules can never
disagree.  Classic: SES501-SES519; Mail Manager: SES521-SES539; routing tests: SES541-SES549
(``routing.py``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ses_lsp.document.nodes import Node
from ses_lsp.knowledge.actions import MM_HANDOVER_ACTIONS
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Fix, Related, Severity
from ses_lsp.lint.edits import insert_member, move_item_last
from ses_lsp.lint.references import FLOCI_RULE_PROBES
from ses_lsp.lint.registry import SOURCE_DOCS, SOURCE_MODEL, SOURCE_OBSERVED, Example, Rule, RuleDoc
from ses_lsp.lint.rules.common import (
    CLASSIC_RULE_KINDS,
    CLASSIC_RULE_SET_KINDS,
    MM_RULE_SET_KINDS,
    classic_later_overlaps,
    classic_model,
    ctx_cache,
)
from ses_lsp.lint.text import quote
from ses_lsp.semantics import classic as cm

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.semantics import evaluate as ev
    from ses_lsp.semantics import mailmanager as mm
# The Mail Manager model is imported by the Mail Manager checks only: a classic
# lint never loads it (start-up time).

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO
UNNECESSARY = ("unnecessary",)

DOC_RULES = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-receipt-rules-console-walkthrough.html"
DOC_STOP = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-stop.html"
DOC_LAMBDA = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda.html"
DOC_LAMBDA_CASES = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda-example-use-cases.html"
API_RULE = "https://docs.aws.amazon.com/ses/latest/APIReference/API_ReceiptRule.html"
MM_RULES = "https://docs.aws.amazon.com/ses/latest/dg/eb-rules.html"
MM_API_RULE = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_Rule.html"


def _classic_rules(ctx: LintContext) -> list[cm.Rule]:
    """The document's classic rules, read once per lint and shared by every check."""
    return classic_model(ctx)


def _mm_rules(ctx: LintContext) -> list[mm.Rule]:
    """The document's Mail Manager rules, read once per lint and shared by every check."""
    return ctx_cache(ctx, "flow:mm-rules", lambda: _read_mm_rules(ctx))


def _read_mm_rules(ctx: LintContext) -> list[mm.Rule]:
    from ses_lsp.semantics import mailmanager as mm

    root = ctx.root
    if root is None or root.kind != "object":
        return []
    return mm.read_rules(root.get("Rules"))


def _classic_setup(ctx: LintContext) -> ev.ClassicSetup:
    """The document's classic rules, ready for the evaluator (the witnesses' simulations)."""
    from ses_lsp.semantics import evaluate

    return ctx_cache(ctx, "flow:classic-setup", lambda: evaluate.ClassicSetup(_classic_rules(ctx)))


def _mm_setup(ctx: LintContext) -> ev.MailManagerSetup:
    """The document's Mail Manager rules, ready for the evaluator (the witnesses' simulations)."""
    from ses_lsp.semantics import evaluate

    return ctx_cache(ctx, "flow:mm-setup", lambda: evaluate.MailManagerSetup(_mm_rules(ctx)))


def _action_name_node(action_entry: Node) -> Node:
    """The key node of an action entry's single member (what to underline)."""
    if action_entry.members:
        return action_entry.members[0][0]
    return action_entry


# -- classic ------------------------------------------------------------------


def _check_stop_not_last(ctx: LintContext) -> None:
    for rule in _classic_rules(ctx):
        idx = rule.stop_index
        if idx is None or idx == len(rule.actions) - 1:
            continue
        stop = rule.actions[idx]
        later = [a.type or "?" for a in rule.actions[idx + 1 :]]
        acts = rule.node.get("Actions")
        fix = None
        if acts is not None and sum(1 for a in rule.actions if a.type == "StopAction") == 1:
            fix = Fix("Move the StopAction to the end of the actions", move_item_last(ctx.document, acts, idx))
        ctx.report(
            _action_name_node(stop.node),
            f"StopAction is action {idx + 1} of {len(rule.actions)} in {rule.label()}; SES rejects a rule whose "
            f"StopAction is not the last action ({', '.join(later)} would follow it); move it to the end",
            fix=fix,
            related=[
                Related(a.node.start, a.node.end, f"{a.type or 'action'} after the StopAction")
                for a in rule.actions[idx + 1 :]
            ][:3],
        )


STOP_NOT_LAST = Rule(
    code="SES501",
    name="stop-action-not-last",
    severity=E,
    summary="A classic StopAction that is not the last action of its rule.",
    source=SOURCE_OBSERVED,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_stop_not_last,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports a `StopAction` followed by other actions in the same receipt rule, with a fix that moves it last."
        ),
        why=(
            "SES rejects the rule (`InvalidParameterValue: Stop action, if any, must be placed at the end of the "
            "actions list`); even if it were accepted, the actions after a stop could never run."
        ),
        bad=Example("SES501-bad.yaml", "ses:create-receipt-rule"),
        good=Example("SES501-good.yaml", "ses:create-receipt-rule"),
        references=(
            DOC_STOP,
            FLOCI_RULE_PROBES,
        ),
    ),
)


def _check_shadowed(ctx: LintContext) -> None:
    from ses_lsp.semantics import witness

    rules = _classic_rules(ctx)
    index = cm.CoverageIndex()
    for i, rule in enumerate(rules):
        if i > 0 and rule.is_enabled:
            by, per = index.covering(rule)
        else:
            by, per = None, []
        index.add(rule)
        if by is None and not per:
            continue
        target = rule.name_node or rule.node
        if by is not None:
            stop = by.actions[by.stop_index] if by.stop_index is not None else None
            if by.catch_all:
                why = f"{by.label()} matches every recipient and stops the rule set"
            else:
                why = f"every recipient it matches is matched first by {by.label()}, which stops the rule set"
            related = [
                Related(
                    (by.name_node or by.node).start,
                    (by.name_node or by.node).end,
                    f"{by.label()} matches these recipients first",
                )
            ]
            if stop is not None:
                related.append(Related(stop.node.start, stop.node.end, "and stops here"))
            address = witness.classic_rule_address(rule, rules)
        else:
            owners = []
            for _, r in per:
                if r not in owners:
                    owners.append(r)
            why = (
                "every recipient it matches is matched first by earlier rules that stop the rule set ("
                + ", ".join(o.label() for o in owners)
                + ")"
            )
            related = [
                Related(
                    (o.name_node or o.node).start,
                    (o.name_node or o.node).end,
                    f"{o.label()} stops the rule set for some of these recipients",
                )
                for o in owners
            ]
            address = witness.classic_address(per[0][0])
        example = _classic_witness(ctx, rule, address)
        if example is None:
            continue  # (the evaluator disagrees: never claimed; tests/test_reachability_agrees.py)
        ctx.report(target, f"{rule.label()} can never run: {why}{example}", related=related, tags=UNNECESSARY)


def _classic_witness(ctx: LintContext, rule: cm.Rule, address: str | None) -> str | None:
    """`` (e.g. mail to "a@x" stops in rule "r")``, after the evaluator confirmed that the mail
    stops before ``rule``; "" without an address; None when the evaluator lets it reach ``rule``."""
    from ses_lsp.semantics import evaluate
    from ses_lsp.semantics.mail import build_mail

    if address is None:
        return ""
    trace = evaluate.evaluate_classic(_classic_setup(ctx), build_mail({"Recipients": [address]}), explain=False)
    stop = trace.recipients[0].stopped_by
    if stop is None or stop.rule_index >= rule.index:
        return None
    return f" (e.g. mail to {quote(address)} stops in {evaluate.rule_label_from_name(stop.rule)})"


SHADOWED = Rule(
    code="SES502",
    name="unreachable-rule",
    severity=W,
    summary="A classic rule whose recipients are all stopped by earlier rules.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_SET_KINDS,
    check=_check_shadowed,
    doc=RuleDoc(
        what=(
            "Reports an enabled rule that can never run because earlier enabled rules ending in a `StopAction` "
            "match every recipient it could match (a rule without `Recipients` matches everything; `example.com` "
            "matches its addresses; `.example.com` its subdomains; `user@x` also `user+tag@x`). A stop that a "
            "`RequestResponse` Lambda action precedes does not count: the function can return `STOP_RULE`, which "
            "skips the rest of its rule, the stop included."
        ),
        why="Mail you expect this rule to handle is already stopped; its actions never run.",
        bad=Example("SES502-bad.yaml", "ses:describe-receipt-rule-set"),
        good=Example("SES502-good.yaml", "ses:describe-receipt-rule-set"),
        references=(DOC_LAMBDA_CASES + " (use case 3: apply the most specific rule)", DOC_STOP),
    ),
)


def _check_bounce_then_delivery(ctx: LintContext) -> None:
    for rule in _classic_rules(ctx):
        bounce = next((a for a in rule.actions if a.type == "BounceAction"), None)
        if bounce is None:
            continue
        stop = rule.stop_index if rule.stop_index is not None else len(rule.actions)
        later = [a for a in rule.actions[bounce.index + 1 : stop] if a.type in cm.DELIVERY_ACTIONS]
        for a in later:
            ctx.report(
                _action_name_node(a.node),
                f"{a.type} runs after the BounceAction in {rule.label()}: the sender is told the message was "
                f"rejected, yet it is still delivered; remove one of them or add a StopAction after the bounce",
                related=[Related(bounce.node.start, bounce.node.end, "the message is bounced here")],
            )


BOUNCE_THEN_DELIVERY = Rule(
    code="SES503",
    name="bounce-then-delivery",
    severity=W,
    summary="A classic rule that bounces a message and then still delivers or stores it.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_bounce_then_delivery,
    doc=RuleDoc(
        what="Reports S3, SNS, Lambda, WorkMail or Connect actions that follow a `BounceAction` in the same rule.",
        why=(
            "A bounce does not stop evaluation: the sender receives a bounce while the message is also stored or "
            "delivered, which is never what either side expects."
        ),
        bad=Example("SES503-bad.yaml", "ses:create-receipt-rule"),
        good=Example("SES503-good.yaml", "ses:create-receipt-rule"),
        references=(DOC_LAMBDA_CASES + " (use case 2: Lambda, bounce, stop)",),
    ),
)


def _check_catch_all(ctx: LintContext) -> None:
    rules = [r for r in _classic_rules(ctx) if r.is_enabled]
    catch = [r for r in rules if r.catch_all]
    if not catch:
        return
    first = catch[0]
    for r in catch[1:]:
        ctx.report(
            r.name_node or r.node,
            f"{r.label()} has no Recipients, like {first.label()} before it: both run for every message "
            f"(their actions run twice); give them Recipients or merge them",
            related=[
                Related(
                    (first.name_node or first.node).start,
                    (first.name_node or first.node).end,
                    "the first rule without Recipients",
                )
            ],
        )
    if first is not rules[0] and first.always_stops:
        ctx.report(
            first.name_node or first.node,
            f"{first.label()} has no Recipients and stops the rule set, but it is not the first rule: "
            f"rules before it see every message too, and every rule after it can never run",
        )


CATCH_ALL = Rule(
    code="SES504",
    name="duplicate-catch-all",
    severity=W,
    summary="Several classic rules without Recipients, or a stopping catch-all in the middle.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_SET_KINDS,
    check=_check_catch_all,
    doc=RuleDoc(
        what=(
            "Reports a second enabled rule without `Recipients` (each catch-all runs for every message), and a "
            "catch-all that stops the rule set without being first."
        ),
        why=(
            "A rule without Recipients matches all recipients on all verified domains. Several of them run the "
            "same mail through several pipelines (a classic cause of duplicate deliveries)."
        ),
        bad=Example("SES504-bad.yaml", "ses:describe-receipt-rule-set"),
        good=Example("SES504-good.yaml", "ses:describe-receipt-rule-set"),
        references=(API_RULE + " (Recipients: if not specified, the rule matches all recipients)",),
    ),
)


def _check_enabled_omitted(ctx: LintContext) -> None:
    for rule in _classic_rules(ctx):
        if rule.node.get("Enabled") is not None:
            continue
        fix = Fix("Set Enabled: true", (insert_member(ctx.document, rule.node, "Enabled", True, after="Name"),))
        target = rule.name_node.key_node if rule.name_node is not None and rule.name_node.key_node else rule.node
        ctx.report(
            target,
            f"{rule.label()} does not set Enabled; the API default is false, so the rule is created disabled "
            f"and never runs; add Enabled: true (or Enabled: false to make it explicit)",
            fix=fix,
            pointer=rule.node.pointer,
        )


ENABLED_OMITTED = Rule(
    code="SES505",
    name="enabled-omitted",
    severity=W,
    summary="A classic rule without Enabled is created disabled.",
    source=SOURCE_MODEL,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_enabled_omitted,
    fixable=True,
    doc=RuleDoc(
        what="Reports a receipt rule that does not set `Enabled`, with a fix that adds `Enabled: true`.",
        why=(
            "The API default is `false` (the 2015 docs said `true`, and the console pre-ticks the box), so a "
            "rule created from a file without `Enabled` silently never runs."
        ),
        bad=Example("SES505-bad.yaml", "ses:create-receipt-rule"),
        good=Example("SES505-good.yaml", "ses:create-receipt-rule"),
        references=(API_RULE + " (Enabled: the default value is false)",),
    ),
)


def _check_request_response(ctx: LintContext) -> None:
    rules = _classic_rules(ctx)
    if ctx.kind not in CLASSIC_RULE_SET_KINDS:
        return
    for i, rule in enumerate(rules):
        if not rule.is_enabled or not rule.actions:
            continue
        last = rule.actions[-1]
        if last.type != "LambdaAction" or last.text("InvocationType") != "RequestResponse":
            continue
        # A disposition can only stop later actions of this rule or later rules.
        if classic_later_overlaps(ctx)[i]:
            continue
        ctx.report(
            _action_name_node(last.node),
            f"the RequestResponse Lambda is the last action of {rule.label()} and no later rule can match the "
            f"same recipients, so its disposition (STOP_RULE, STOP_RULE_SET) cannot change anything; use "
            f"InvocationType Event to avoid holding mail up to 30 s",
        )


REQUEST_RESPONSE_NO_EFFECT = Rule(
    code="SES506",
    name="useless-request-response",
    severity=W,
    summary="A RequestResponse Lambda whose disposition cannot affect anything.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_SET_KINDS,
    check=_check_request_response,
    doc=RuleDoc(
        what=(
            "Reports a `LambdaAction` with `InvocationType: RequestResponse` that is the last action of the last "
            "rule that can match its recipients."
        ),
        why=(
            "Only a synchronous invocation can return a disposition, and a disposition only stops later actions "
            "or rules. With none left, the synchronous call only delays mail (up to 30 s) and adds a failure point."
        ),
        bad=Example("SES506-bad.yaml", "ses:describe-receipt-rule-set"),
        good=Example("SES506-good.yaml", "ses:describe-receipt-rule-set"),
        references=(DOC_LAMBDA + " (return values)",),
    ),
)


def _check_disabled(ctx: LintContext) -> None:
    for rule in _classic_rules(ctx):
        en = rule.node.get("Enabled")
        if en is not None and en.kind == "boolean" and en.value is False:
            ctx.report(en, f"{rule.label()} is disabled: it never runs, but still counts toward the 200-rule limit")


RULE_DISABLED = Rule(
    code="SES507",
    name="rule-disabled",
    severity=I,
    summary="A classic rule with Enabled: false.",
    source=SOURCE_MODEL,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_disabled,
    doc=RuleDoc(
        what="Points out rules that are explicitly disabled.",
        why="A disabled rule is skipped at run time; it is easy to forget one is off.",
        bad=Example("SES507-bad.yaml", "ses:create-receipt-rule"),
        good=Example("SES507-good.yaml", "ses:create-receipt-rule"),
        references=(API_RULE,),
    ),
)


def _check_no_actions(ctx: LintContext) -> None:
    for rule in _classic_rules(ctx):
        acts = rule.node.get("Actions")
        if acts is None or (acts.kind == "array" and not acts.value):
            target = acts.key_node if acts is not None and acts.key_node else (rule.name_node or rule.node)
            ctx.report(
                target,
                f"{rule.label()} has no actions: SES accepts mail for its recipients and then does nothing "
                f"with it; add an action (e.g. S3Action) or delete the rule",
                pointer=rule.node.pointer,
            )


NO_ACTIONS = Rule(
    code="SES508",
    name="rule-without-actions",
    severity=W,
    summary="A classic rule with no actions accepts mail and drops it.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_no_actions,
    doc=RuleDoc(
        what="Reports a receipt rule without `Actions` (or with an empty list).",
        why="The rule still makes SES accept mail for its recipients, which then goes nowhere.",
        bad=Example("SES508-bad.yaml", "ses:create-receipt-rule"),
        good=Example("SES508-good.yaml", "ses:create-receipt-rule"),
        references=(DOC_RULES,),
    ),
)


def _check_action_union(ctx: LintContext) -> None:
    for rule in _classic_rules(ctx):
        for a in rule.actions:
            entry = a.node
            if entry.kind != "object" or a.type:
                continue
            present = [k for k in entry.dict_value if k in cm.ACTION_TYPES]
            if len(present) > 1:
                ctx.report(
                    (entry.member_list[0][0].start, entry.member_list[-1][0].end),
                    f"{rule.label()}, action {a.index + 1} sets {len(present)} actions "
                    f"({', '.join(quote(p) for p in present)}); each entry of Actions takes exactly one: "
                    f"split them into separate entries",
                    pointer=entry.pointer,
                )
            elif not entry.value:
                ctx.report(
                    entry,
                    f"{rule.label()}, action {a.index + 1} is empty; set one action such as S3Action",
                    pointer=entry.pointer,
                )


ACTION_UNION = Rule(
    code="SES509",
    name="classic-action-member-count",
    severity=E,
    summary="A classic action entry with zero or several action types.",
    source=SOURCE_OBSERVED,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_action_union,
    doc=RuleDoc(
        what="Reports an entry of a receipt rule's `Actions` that sets no action or more than one.",
        why=(
            "Each `ReceiptAction` holds exactly one action (the model's documentation says so, though it does not "
            "mark the shape as a union); SES rejects entries with two."
        ),
        bad=Example("SES509-bad.yaml", "ses:create-receipt-rule"),
        good=Example("SES509-good.yaml", "ses:create-receipt-rule"),
        references=("https://docs.aws.amazon.com/ses/latest/APIReference/API_ReceiptAction.html",),
    ),
)


# -- Mail Manager ---------------------------------------------------------------


def _check_actions_after_drop(ctx: LintContext) -> None:
    for rule in _mm_rules(ctx):
        idx = rule.drop_index
        if idx is None or idx == len(rule.actions) - 1:
            continue
        drop = rule.actions[idx]
        acts = rule.node.get("Actions")
        fix = None
        if acts is not None and sum(1 for a in rule.actions if a.type == "Drop") == 1:
            fix = Fix("Move Drop to the end of the actions", move_item_last(ctx.document, acts, idx))
        first = True
        for a in rule.actions[idx + 1 :]:
            ctx.report(
                _action_name_node(a.node),
                f"{a.type or 'this action'} in {rule.label()} never runs: the Drop before it stops processing "
                f"for the recipients this rule applies to; move Drop to the end or remove it",
                related=[Related(drop.node.start, drop.node.end, "processing stops here")],
                tags=UNNECESSARY,
                fix=fix if first else None,
            )
            first = False


ACTIONS_AFTER_DROP = Rule(
    code="SES521",
    name="action-after-drop",
    severity=W,
    summary="Mail Manager actions after a Drop in the same rule never run.",
    source=SOURCE_MODEL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_actions_after_drop,
    fixable=True,
    doc=RuleDoc(
        what="Reports each action that follows a `Drop` action in the same rule, with a fix that moves Drop last.",
        why="Drop stops processing for the recipients the rule applies to; the actions after it are dead.",
        bad=Example("SES521-bad.yaml", "mailmanager:create-rule-set"),
        good=Example("SES521-good.yaml", "mailmanager:create-rule-set"),
        references=(
            MM_API_RULE,
            "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_DropAction.html",
        ),
    ),
)


def _check_mm_unreachable(ctx: LintContext) -> None:
    rules = _mm_rules(ctx)
    droppers: list[mm.Rule] = []
    for rule in rules:
        by = next((d for d in droppers if d.covers(rule)), None)
        if by is not None:
            drop = by.actions[by.drop_index] if by.drop_index is not None else None
            if by.unconditional:
                why = f"{by.label()} applies to every message and drops it"
            else:
                why = f"every message it applies to is matched first by {by.label()}, which drops it"
            related = [
                Related(
                    by.node.start,
                    by.node.start + 1 if not by.node.members else by.node.members[0][0].end,
                    f"{by.label()} applies first",
                )
            ]
            if drop is not None:
                related.append(Related(drop.node.start, drop.node.end, "and drops the message here"))
            name = rule.node.get("Name")
            target = name if name is not None else (rule.node.members[0][0] if rule.node.members else rule.node)
            ctx.report(
                target,
                f"{rule.label()} can never apply: {why}",
                related=related,
                tags=UNNECESSARY,
                pointer=rule.node.pointer,
            )
            continue
        if rule.drop_index is not None:
            droppers.append(rule)


MM_UNREACHABLE = Rule(
    code="SES522",
    name="unreachable-rule-after-drop",
    severity=W,
    summary="A Mail Manager rule that an earlier dropping rule always pre-empts.",
    source=SOURCE_MODEL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_mm_unreachable,
    doc=RuleDoc(
        what=(
            "Reports a rule placed after a rule that drops the message and whose conditions provably cover the "
            "later rule's: an unconditional rule (no `Conditions`, no `Unless`), or conditions that every message "
            "matching the later rule also meets."
        ),
        why="The later rule's actions can never run; usually the rules are in the wrong order.",
        bad=Example("SES522-bad.yaml", "mailmanager:create-rule-set"),
        good=Example("SES522-good.yaml", "mailmanager:create-rule-set"),
        references=(MM_RULES, MM_API_RULE),
    ),
)


def _check_condition_in_unless(ctx: LintContext) -> None:
    for rule in _mm_rules(ctx):
        for c in rule.conditions:
            u = next((u for u in rule.unless if c.implies(u)), None)
            if u is None or c.node is None or u.node is None:
                continue
            same = c.key == u.key
            ctx.report(
                u.node,
                f"{rule.label()} can never apply: "
                + (
                    f"{u.describe()} is in both Conditions and Unless"
                    if same
                    else f"every message meeting the condition {c.describe()} also meets this Unless "
                    f"condition {u.describe()}"
                )
                + _unless_witness(ctx, rule, u)
                + "; remove or change one of them",
                related=[Related(c.node.start, c.node.end, "the condition in Conditions")],
            )


def _unless_witness(ctx: LintContext, rule: mm.Rule, u: mm.Predicate) -> str:
    """`` (e.g. mail to "a@x" meets every condition and this Unless one)``, after the evaluator
    confirmed that the Unless condition ``u`` is what keeps ``rule`` from applying to it; else ""."""
    from ses_lsp.semantics import evaluate, witness

    if not rule.conditions_complete:
        return ""
    found = witness.mm_witness(rule.conditions)
    if found is None:
        return ""
    trace = evaluate.evaluate_mailmanager(_mm_setup(ctx), found.mail())
    step = next((s for s in trace.recipients[0].steps if s.rule_index == rule.index), None)
    if step is None or step.matched or step.ref is None or step.ref.node is not u.node:
        return ""
    what = "every condition" if len(rule.conditions) > 1 else "the condition"
    return f" (e.g. {found.describe()} meets {what} and this Unless one)"


CONDITION_IN_UNLESS = Rule(
    code="SES523",
    name="condition-also-in-unless",
    severity=W,
    summary="A Mail Manager rule whose Unless always holds when its Conditions do.",
    source=SOURCE_MODEL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_condition_in_unless,
    doc=RuleDoc(
        what=(
            "Reports an `Unless` condition implied by a condition in `Conditions` (the same expression, or a "
            "broader one on the same attribute): the rule can never apply."
        ),
        why="A rule applies when all Conditions hold and no Unless holds; here both can't be true at once.",
        bad=Example("SES523-bad.yaml", "mailmanager:create-rule-set"),
        good=Example("SES523-good.yaml", "mailmanager:create-rule-set"),
        references=(MM_RULES + " (conditions and exceptions)",),
    ),
)


def _check_contradictions(ctx: LintContext) -> None:
    for rule in _mm_rules(ctx):
        conds = rule.conditions
        for j, b in enumerate(conds):
            a = next((a for a in conds[:j] if a.contradicts(b)), None)
            if a is None or a.node is None or b.node is None:
                continue
            ctx.report(
                b.node,
                f"{rule.label()} can never apply: {b.describe()} contradicts {a.describe()} "
                f"(conditions are ANDed and no message can meet both); fix one of them",
                related=[Related(a.node.start, a.node.end, "the contradicting condition")],
            )


CONTRADICTORY = Rule(
    code="SES524",
    name="contradictory-conditions",
    severity=W,
    summary="Two Mail Manager conditions on one attribute that can't both hold.",
    source=SOURCE_MODEL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_contradictions,
    doc=RuleDoc(
        what=(
            "Reports a condition that contradicts an earlier one of the same rule on the same single-valued "
            "attribute (e.g. `MESSAGE_SIZE LESS_THAN 100` with `GREATER_THAN 200`, or `EQUALS a` with `EQUALS b`)."
        ),
        why="Conditions are ANDed, so the rule can never apply.",
        bad=Example("SES524-bad.yaml", "mailmanager:create-rule-set"),
        good=Example("SES524-good.yaml", "mailmanager:create-rule-set"),
        references=(MM_RULES,),
    ),
)


def _check_never_matches(ctx: LintContext) -> None:
    for rule in _mm_rules(ctx):
        for c in rule.conditions:
            reason = c.never_reason()
            if reason is not None and c.node is not None:
                ctx.report(
                    c.node,
                    f"{rule.label()} can never apply: {reason}, so no message meets this condition; "
                    f"fix the value or remove the condition",
                )
        for u in rule.unless:
            reason = u.always_reason()
            if reason is not None and u.node is not None:
                ctx.report(
                    u.node,
                    f"{rule.label()} can never apply: {reason}, so every message meets this Unless condition; "
                    f"fix the value or remove the condition",
                )


NEVER_MATCHES = Rule(
    code="SES525",
    name="condition-never-matches",
    severity=W,
    summary="A Mail Manager condition no message meets, or an Unless condition every message meets.",
    source=SOURCE_MODEL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_never_matches,
    doc=RuleDoc(
        what=(
            "Reports a condition in `Conditions` that no message can meet on its own: a `VerdictExpression` or "
            "`DmarcExpression` with `NOT_EQUALS` and every possible value, or a `MESSAGE_SIZE` test no size meets "
            "(`LESS_THAN 0`, `EQUALS -1`, `EQUALS 1.5`: a size is a whole number of bytes, 0 or more). And an "
            "`Unless` condition every message meets (`EQUALS` with every verdict, `MESSAGE_SIZE "
            "GREATER_THAN_OR_EQUAL 0`)."
        ),
        why=(
            "NOT_EQUALS means 'none of these', so listing every value matches nothing; a size below 0 does not "
            "exist. Either way the rule can never apply, and a rule whose Unless always holds is just as dead."
        ),
        bad=Example("SES525-bad.yaml", "mailmanager:create-rule-set"),
        good=Example("SES525-good.yaml", "mailmanager:create-rule-set"),
        references=(
            MM_API_RULE,
            "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_RuleNumberExpression.html",
        ),
    ),
)


def _check_mm_bounce_delivery(ctx: LintContext) -> None:
    from ses_lsp.semantics import mailmanager as mm

    for rule in _mm_rules(ctx):
        bounce = next((a for a in rule.actions if a.type == "Bounce"), None)
        if bounce is None:
            continue
        stop = rule.drop_index if rule.drop_index is not None else len(rule.actions)
        for a in rule.actions:
            if a is bounce or a.index >= stop or a.type not in mm.DELIVERY_ACTIONS:
                continue
            ctx.report(
                _action_name_node(a.node),
                f"{rule.label()} both bounces the message and delivers it with {a.type}: the sender is told it "
                f"was rejected; use separate rules or remove one",
                related=[Related(bounce.node.start, bounce.node.end, "the bounce")],
            )


MM_BOUNCE_DELIVERY = Rule(
    code="SES526",
    name="bounce-with-delivery",
    severity=W,
    summary="A Mail Manager rule that bounces a message and also delivers it.",
    source=SOURCE_MODEL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_mm_bounce_delivery,
    doc=RuleDoc(
        what=(
            "Reports delivery actions (Relay, Send, DeliverToMailbox, WriteToS3, Archive, ...) in a rule that bounces."
        ),
        why="The sender is told the message was rejected while it is delivered anyway.",
        bad=Example("SES526-bad.yaml", "mailmanager:create-rule-set"),
        good=Example("SES526-good.yaml", "mailmanager:create-rule-set"),
        references=(MM_RULES,),
    ),
)


def _check_replace_after_delivery(ctx: LintContext) -> None:
    from ses_lsp.semantics import mailmanager as mm

    for rule in _mm_rules(ctx):
        delivered = None
        for a in rule.actions:
            if a.type in mm.DELIVERY_ACTIONS and delivered is None:
                delivered = a
            elif a.type == "ReplaceRecipient" and delivered is not None:
                ctx.report(
                    _action_name_node(a.node),
                    f"ReplaceRecipient comes after {delivered.type} in {rule.label()}: that action already used "
                    f"the original recipients; move ReplaceRecipient first if it should apply to them",
                    related=[Related(delivered.node.start, delivered.node.end, "delivered with the old recipients")],
                )


REPLACE_AFTER_DELIVERY = Rule(
    code="SES527",
    name="replace-recipient-after-delivery",
    severity=I,
    summary="ReplaceRecipient placed after delivery actions.",
    source=SOURCE_MODEL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_replace_after_delivery,
    doc=RuleDoc(
        what="Points out a `ReplaceRecipient` action that follows a delivery action in the same rule.",
        why="Actions run in order: the earlier delivery used the recipients before the replacement.",
        bad=Example("SES527-bad.yaml", "mailmanager:create-rule-set"),
        good=Example("SES527-good.yaml", "mailmanager:create-rule-set"),
        references=(
            "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_ReplaceRecipientAction.html",
        ),
    ),
)


def _rule_anchor(rule: mm.Rule) -> Node:
    """What to underline for a Mail Manager rule: its Name, else its first key, else the rule."""
    name = rule.node.get("Name")
    return name if name is not None else (rule.node.members[0][0] if rule.node.members else rule.node)


def _handover(rule: mm.Rule, types: frozenset[str]) -> mm.Action | None:
    """The first action of ``types`` in ``rule`` that runs (before any Drop), or None."""
    stop = rule.drop_index if rule.drop_index is not None else len(rule.actions)
    return next((a for a in rule.actions[:stop] if a.type in types), None)


def _broader(later: mm.Rule, earlier: mm.Rule) -> bool:
    """Do ``later``'s Conditions hold for every mail ``earlier``'s Conditions hold for, and not the
    reverse (``later`` is the broader rule)?  Sound, not complete (:meth:`Predicate.implies`)."""
    if not all(any(e.implies(c) for e in earlier.conditions) for c in later.conditions):
        return False
    return not all(any(c.implies(e) for c in later.conditions) for e in earlier.conditions)


def _check_broad_after_delivery(ctx: LintContext) -> None:
    from ses_lsp.semantics import evaluate, witness

    later_types = MM_HANDOVER_ACTIONS | {"Bounce"}
    deliverers: list[tuple[mm.Rule, mm.Action]] = []
    for rule in _mm_rules(ctx):
        mine = _handover(rule, later_types)
        if mine is not None and rule.conditions_complete:
            for earlier, handed in deliverers:
                if not _broader(rule, earlier):
                    continue
                found = witness.mm_witness(earlier.conditions + rule.conditions, earlier.unless + rule.unless)
                if found is None:
                    continue
                # The evaluator decides: the witness must be delivered by the earlier rule and reach this one.
                trace = evaluate.evaluate_mailmanager(_mm_setup(ctx), found.mail(), explain=False)
                ran = trace.recipients[0].actions
                if not any(a.rule_index == earlier.index and a.index == handed.index for a in ran):
                    continue
                if not any(a.rule_index == rule.index for a in ran):
                    continue
                what = "has no Conditions" if not rule.has_conditions else "has broader Conditions"
                ctx.report(
                    _rule_anchor(rule),
                    f"{rule.label()} also runs for the mail that {earlier.label()} delivers with {handed.type} "
                    f"(it {what}, and every rule whose conditions hold runs: there is no first match), e.g. "
                    f"{found.describe()} gets {handed.type} and {mine.type}; exclude that mail with Unless "
                    f"conditions, or end {earlier.label()} with a Drop action (it ends rule evaluation)",
                    related=[
                        Related(
                            _rule_anchor(earlier).start,
                            _rule_anchor(earlier).end,
                            f"{earlier.label()} applies to this mail first",
                        ),
                        Related(handed.node.start, handed.node.end, f"and delivers it with {handed.type}"),
                    ],
                    pointer=rule.node.pointer,
                )
                break
        handed_over = _handover(rule, MM_HANDOVER_ACTIONS)
        if handed_over is not None and rule.drop_index is None and rule.has_conditions and rule.conditions_complete:
            deliverers.append((rule, handed_over))


BROAD_AFTER_DELIVERY = Rule(
    code="SES528",
    name="broad-rule-after-delivery",
    severity=W,
    summary="A broad Mail Manager rule after a rule that delivers also runs for that rule's mail.",
    source=SOURCE_MODEL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_broad_after_delivery,
    doc=RuleDoc(
        what=(
            "Reports a rule that delivers or bounces (Relay, WriteToS3, Send, DeliverToMailbox, DeliverToQBusiness, "
            "Bounce) placed after a rule with Conditions that delivers, when its own Conditions are absent or "
            "broader (every mail the earlier rule takes meets them). The message names the earlier rule and gives "
            "a witness mail, which the evaluator has run through the rule set: both rules' actions run for it. "
            "Archive, PublishToSns and InvokeLambda do not count as delivering: they keep a copy, notify or "
            "process, usually beside a delivery. Two rules without Conditions are not reported (each is meant "
            "for all mail)."
        ),
        why=(
            "Mail Manager has no first match: for each recipient, every rule whose Conditions hold and no Unless "
            "holds runs its actions. A catch-all written as the last rule to handle 'everything not caught above' "
            "also delivers (or bounces) the mail the earlier rules delivered: a second copy, or a bounce for mail "
            "that arrived. Exclude the earlier rule's mail with Unless conditions, or end the earlier rule with "
            "Drop after its delivery."
        ),
        bad=Example("SES528-bad.yaml", "mailmanager:create-rule-set"),
        good=Example("SES528-good.yaml", "mailmanager:create-rule-set"),
        references=(MM_API_RULE + " (for each envelope recipient, every rule that matches runs)", MM_RULES),
    ),
)


RULES = [
    STOP_NOT_LAST,
    SHADOWED,
    BOUNCE_THEN_DELIVERY,
    CATCH_ALL,
    ENABLED_OMITTED,
    REQUEST_RESPONSE_NO_EFFECT,
    RULE_DISABLED,
    NO_ACTIONS,
    ACTION_UNION,
    ACTIONS_AFTER_DROP,
    MM_UNREACHABLE,
    CONDITION_IN_UNLESS,
    CONTRADICTORY,
    NEVER_MATCHES,
    MM_BOUNCE_DELIVERY,
    REPLACE_AFTER_DELIVERY,
    BROAD_AFTER_DELIVERY,
]
