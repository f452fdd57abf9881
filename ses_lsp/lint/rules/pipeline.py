"""Semantic rules: references across the Mail Manager pipeline (SES708, in the SES7xx ARNs and
references range).

An ingress point names its traffic policy and rule set by ID; rule actions name relays (ID or
ARN) and archives (name, ID or ARN); ``IsInAddressList`` conditions name address lists (ID or
ARN). Where those references and the definitions are, and how a reference matches a definition,
is the repository model's (:data:`ses_lsp.lint.repository.NAME_SITES`, :func:`pipeline_match`):
read its notes before changing what counts as unknown here.  The definitions come from the
lint's workspace: a repository (the CLI's files of a run or under ``--root``, the server's index
under its open documents) answers ``pipeline_definitions(own)``; any other workspace's documents
are read through the same table.
"""

from __future__ import annotations

from collections.abc import Iterator

from ses_lsp.document.nodes import Node
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Fix, Related, Severity
from ses_lsp.lint.edits import replace_node
from ses_lsp.lint.registry import SOURCE_DOCS, Rule, RuleDoc
from ses_lsp.lint.repository import (
    ADDRESS_LIST,
    ARCHIVE,
    DEFINITION,
    ID,
    ID_OR_NAME,
    NAME,
    NEW,
    REFERENCE,
    RELAY,
    RULE_SET,
    TRAFFIC_POLICY,
    UNNAMED,
    Occurrence,
    occurrences_of,
    pipeline_match,
    site_nodes,
)
from ses_lsp.lint.rules.common import (
    MM_INGRESS_KINDS,
    MM_RULE_SET_KINDS,
    MM_TRAFFIC_POLICY_KINDS,
    has_placeholder,
    schema_reported,
)
from ses_lsp.lint.text import closest, quote, quote_list
from ses_lsp.lint.workspace import other_documents

W = Severity.WARNING

INGRESS_DOC = "https://docs.aws.amazon.com/ses/latest/dg/eb-ingress.html"
API_INGRESS = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_CreateIngressPoint.html"
API_ACTION = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_RuleAction.html"
API_ADDRESS_LIST = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_IngressIsInAddressList.html"

# Each resource symbol: its words in messages, the member naming it, the API call creating it.
_WORDS = {
    RULE_SET: ("rule set", "RuleSetId", "create-rule-set"),
    TRAFFIC_POLICY: ("traffic policy", "TrafficPolicyId", "create-traffic-policy"),
    ADDRESS_LIST: ("address list", "AddressLists", "create-address-list"),
    RELAY: ("relay", "Relay", "create-relay"),
    ARCHIVE: ("archive", "TargetArchive", "create-archive"),
}


def workspace_definitions(ctx: LintContext) -> list[Occurrence] | None:
    """The pipeline resources the other documents of the lint's workspace define (their
    definition occurrences), or None without a workspace."""
    ws = ctx.workspace
    if ws is None:
        return None
    own = ctx.document.path
    given = getattr(ws, "pipeline_definitions", None)
    if given is not None:
        return list(given(own))
    if getattr(ws, "documents", None) is None:
        return None
    return [
        o
        for path, root, kind in other_documents(ws, ctx.document, own)
        for o in occurrences_of(root, kind, path)
        if o.facet is not None and o.role == DEFINITION
    ]


def _references(ctx: LintContext) -> Iterator[tuple[Occurrence, Node]]:
    for site, node, scope in site_nodes(ctx.root, ctx.kind):
        if site.facet is not None and site.role == REFERENCE:
            o = Occurrence(
                None, node.str_value, node.start, node.end, REFERENCE, site.service, scope, site.symbol, site.facet
            )
            yield o, node


def _anchor(defs: list[Occurrence], d: Occurrence) -> Occurrence:
    """Where a resource is shown: its ID's occurrence in the file defining it, else ``d``."""
    if d.facet == ID:
        return d
    return next((o for o in defs if o.uri == d.uri and o.symbol == d.symbol and o.facet == ID), d)


def _related(o: Occurrence, what: str) -> Related:
    return Related(o.start, o.end, what, file=o.uri)


def _check_unknown_reference(ctx: LintContext) -> None:
    refs = sorted(_references(ctx), key=lambda r: r[0].start)
    if not refs:
        return
    defs = workspace_definitions(ctx)
    if not defs:
        return
    for ref, node in refs:
        if has_placeholder(ref.name) or schema_reported(ctx, node) or any(pipeline_match(ref, d) for d in defs):
            continue
        if ref.facet != ID_OR_NAME and _report_name_for_id(ctx, ref, node, defs):
            continue
        known = [d for d in defs if d.symbol == ref.symbol]
        if not known or any(d.facet in (NEW, UNNAMED) for d in known):
            continue  # a resource created by a create-* input or a template may be the one named
        word, member, _created = _WORDS[ref.symbol]
        ids = sorted({d.name for d in known if d.facet == ID})
        what = "ARN" if ref.name.startswith("arn:") else "ID"
        # (an ARN ends in "/ID": compared by that ID)
        best = closest(ref.name.rsplit("/", 1)[-1] if what == "ARN" else ref.name, ids, cutoff=0.75)
        msg = (
            f"{member} {quote(ref.name)} names no {word} the linted files define "
            f"(their {word} IDs: {quote_list(ids, limit=6)})"
        )
        related = []
        fix = None
        if best is not None:
            target = next(d for d in known if d.facet == ID and d.name == best)
            related.append(_related(target, f"{word} {quote(best)} is defined here"))
            if what == "ID":
                msg += f"; did you mean {quote(best)}?"
                fix = Fix(f"Replace with {quote(best)}", (replace_node(ctx.document, node, best),), safe=False)
            else:
                msg += f"; did you mean the {word} {quote(best)}?"
        else:
            article = "an" if word[0] in "aeiou" else "a"
            msg += f"; check the {what}: {article} {word} that does not exist makes the API call or the action fail"
        ctx.report(node, msg, related=related, fix=fix)


def _report_name_for_id(ctx: LintContext, ref: Occurrence, node: Node, defs: list[Occurrence]) -> bool:
    """A reference by ID that is a defined resource's name: report it (True) with the ID when known."""
    named = [d for d in defs if d.symbol == ref.symbol and d.facet in (NAME, NEW) and d.name == ref.name]
    if not named:
        return False
    word, member, created = _WORDS[ref.symbol]
    anchor = _anchor(defs, named[0])
    res_id = anchor.name if anchor.facet == ID else None
    takes = "an ID or ARN" if member in ("Relay", "AddressLists") else "an ID"
    article = "an" if word[0] in "aeiou" else "a"
    msg = f"{member} {quote(ref.name)} is the name of {article} {word}, not its ID: {member} takes {takes}"
    fix = None
    if res_id is not None:
        msg += f"; write {quote(res_id)}"
        fix = Fix(f"Replace with {quote(res_id)}", (replace_node(ctx.document, node, res_id),), safe=False)
    else:
        msg += f", the one AWS returns from {created}"
    where = f"the {word} named {quote(ref.name)}" + (", its ID" if res_id is not None else "")
    ctx.report(node, msg, related=[_related(anchor, where)], fix=fix)
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
            "Needs the other documents (the files of a CLI run, the repository under `--root`, the editor's "
            "workspace folders and open documents): silent without them. A reference no definition matches is "
            "reported only when the linted files define at least one resource of its type and every one of them "
            "with its ID (get-* outputs, update-* inputs): a resource a create-* input or a template creates may "
            "be the one named."
        ),
    ),
)

RULES = [UNKNOWN_REFERENCE]
