"""Semantic rules: references across the Mail Manager pipeline (SES708, in the SES7xx ARNs and
references range).

An ingress point names its traffic policy and rule set by ID; rule actions name relays (ID or
ARN) and archives (name, ID or ARN); ``IsInAddressList`` conditions name address lists (ID or
ARN). What the other documents of the lint (the files of a CLI run, the editor's open documents)
define, and how a reference matches a definition, is :mod:`ses_lsp.lint.workspace`'s: read its
notes before changing what counts as unknown here.
"""

from __future__ import annotations

from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Fix, Related, Severity
from ses_lsp.lint.edits import replace_node
from ses_lsp.lint.registry import SOURCE_DOCS, Rule, RuleDoc
from ses_lsp.lint.rules.common import (
    MM_INGRESS_KINDS,
    MM_RULE_SET_KINDS,
    MM_TRAFFIC_POLICY_KINDS,
    has_placeholder,
    schema_reported,
)
from ses_lsp.lint.text import closest, quote, quote_list
from ses_lsp.lint.workspace import (
    Reference,
    Resource,
    complete_for,
    pipeline_references,
    resolve,
    workspace_resources,
)

W = Severity.WARNING

INGRESS_DOC = "https://docs.aws.amazon.com/ses/latest/dg/eb-ingress.html"
API_INGRESS = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_CreateIngressPoint.html"
API_ACTION = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_RuleAction.html"
API_ADDRESS_LIST = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_IngressIsInAddressList.html"

# What the API call that creates each resource type is, for the messages.
_CREATED_BY = {
    "rule set": "create-rule-set",
    "traffic policy": "create-traffic-policy",
    "address list": "create-address-list",
    "relay": "create-relay",
    "archive": "create-archive",
}


def _related(res: Resource, what: str) -> Related:
    return Related(res.node.start, res.node.end, what, file=res.path)


def _check_unknown_reference(ctx: LintContext) -> None:
    refs = pipeline_references(ctx.root, ctx.kind)
    if not refs:
        return
    resources = workspace_resources(ctx.workspace, ctx.document, ctx.document.path)
    if not resources:
        return
    for ref in refs:
        if has_placeholder(ref.value) or schema_reported(ctx, ref.node) or resolve(ref, resources):
            continue
        if not ref.by_name and _report_name_for_id(ctx, ref, resources):
            continue
        if not complete_for(ref.type, resources):
            continue  # a resource created by a create-* input or a template may be the one named
        known = [r for r in resources if r.type == ref.type]
        ids = sorted({r.id for r in known if r.id is not None})
        what = "ARN" if ref.value.startswith("arn:") else "ID"
        # (an ARN ends in "/ID": compared by that ID)
        best = closest(ref.value.rsplit("/", 1)[-1] if what == "ARN" else ref.value, ids, cutoff=0.75)
        msg = (
            f"{ref.member} {quote(ref.value)} names no {ref.type} the linted files define "
            f"(their {ref.type} IDs: {quote_list(ids, limit=6)})"
        )
        related = []
        fix = None
        if best is not None:
            target = next(r for r in known if r.id == best)
            related.append(_related(target, f"{ref.type} {quote(best)} is defined here"))
            if what == "ID":
                msg += f"; did you mean {quote(best)}?"
                fix = Fix(f"Replace with {quote(best)}", (replace_node(ctx.document, ref.node, best),), safe=False)
            else:
                msg += f"; did you mean the {ref.type} {quote(best)}?"
        else:
            article = "an" if ref.type[0] in "aeiou" else "a"
            msg += f"; check the {what}: {article} {ref.type} that does not exist makes the API call or the action fail"
        ctx.report(ref.node, msg, related=related, fix=fix)


def _report_name_for_id(ctx: LintContext, ref: Reference, resources: list[Resource]) -> bool:
    """A reference by ID that is a defined resource's name: report it (True) with the ID when known."""
    named = [r for r in resources if r.type == ref.type and r.name == ref.value]
    if not named:
        return False
    res = named[0]
    takes = "an ID or ARN" if ref.member in ("Relay", "AddressLists") else "an ID"
    article = "an" if ref.type[0] in "aeiou" else "a"
    msg = f"{ref.member} {quote(ref.value)} is the name of {article} {ref.type}, not its ID: {ref.member} takes {takes}"
    fix = None
    if res.id is not None:
        msg += f"; write {quote(res.id)}"
        fix = Fix(f"Replace with {quote(res.id)}", (replace_node(ctx.document, ref.node, res.id),), safe=False)
    else:
        msg += f", the one AWS returns from {_CREATED_BY[ref.type]}"
    where = f"the {ref.type} named {quote(ref.value)}" + (", its ID" if res.id is not None else "")
    ctx.report(ref.node, msg, related=[_related(res, where)], fix=fix)
    return True


UNKNOWN_REFERENCE = Rule(
    code="SES708",
    name="unknown-pipeline-reference",
    severity=W,
    summary="A Mail Manager rule set, traffic policy, relay, archive or address list reference the linted files "
    "do not define.",
    source=SOURCE_DOCS,
    kinds=MM_INGRESS_KINDS | MM_RULE_SET_KINDS | MM_TRAFFIC_POLICY_KINDS,
    check=_check_unknown_reference,
    doc=RuleDoc(
        what=(
            "Follows the references of the Mail Manager pipeline to the documents that define their targets: an "
            "ingress point's `RuleSetId` and `TrafficPolicyId`, a rule's `Relay.Relay` and "
            "`Archive.TargetArchive`, and the `AddressLists` of `IsInAddressList` conditions (rules and traffic "
            "policy statements). Reports a reference that is the *name* of a defined resource where an ID is "
            "expected, and a reference no definition matches, with the closest ID. A reference matches a "
            "definition by ID, by ARN (or an ARN ending in `/ID`), and for `TargetArchive` also by name. "
            "get-* outputs define resources with their IDs; update-* inputs with their ID; create-* inputs and "
            "CloudFormation resources only by name (AWS assigns the ID)."
        ),
        why=(
            "An ingress point whose rule set or traffic policy does not exist cannot be created, and a rule "
            "action whose relay or archive does not exist fails on every message. The IDs are opaque strings "
            "AWS generates, easily mistyped or confused with the names."
        ),
        bad=None,
        good=None,
        references=(INGRESS_DOC, API_INGRESS, API_ACTION, API_ADDRESS_LIST),
        notes=(
            "Needs the other documents (the CLI linting several files, or the editor's open documents): silent "
            "without them. A reference no definition matches is reported only when the linted files define at "
            "least one resource of its type and every one of them with its ID (get-* outputs, update-* inputs): "
            "a resource a create-* input or a template creates may be the one named."
        ),
    ),
)

RULES = [UNKNOWN_REFERENCE]
