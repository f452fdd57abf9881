"""Shared helpers for the semantic rule families: kind groups and tree readers."""

from __future__ import annotations

from collections.abc import Iterator

from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.knowledge import timestamps
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.text import has_placeholder  # noqa: F401 (shared)
from ses_lsp.semantics import classic as cm

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:
    from datetime import datetime

# Kinds holding classic receipt rules: one (``Rule``) or a list (``Rules``).
CLASSIC_SINGLE_RULE_KINDS = frozenset(
    {"ses:create-receipt-rule", "ses:update-receipt-rule", "ses:describe-receipt-rule"}
)
CLASSIC_RULE_SET_KINDS = frozenset({"ses:describe-receipt-rule-set", "ses:describe-active-receipt-rule-set"})
CLASSIC_RULE_KINDS = CLASSIC_SINGLE_RULE_KINDS | CLASSIC_RULE_SET_KINDS
CLASSIC_FILTER_KINDS = frozenset({"ses:create-receipt-filter", "ses:list-receipt-filters"})
SEND_BOUNCE_KINDS = frozenset({"ses:send-bounce"})
MM_RULE_SET_KINDS = frozenset(
    {"mailmanager:create-rule-set", "mailmanager:update-rule-set", "mailmanager:get-rule-set"}
)
MM_TRAFFIC_POLICY_KINDS = frozenset(
    {"mailmanager:create-traffic-policy", "mailmanager:update-traffic-policy", "mailmanager:get-traffic-policy"}
)
SCENARIO_KINDS = frozenset({"ses-lsp:scenario"})  # ses_lsp.schema.SCENARIO_KIND
MM_INGRESS_KINDS = frozenset(
    {"mailmanager:create-ingress-point", "mailmanager:update-ingress-point", "mailmanager:get-ingress-point"}
)


def classic_rule_nodes(ctx: LintContext) -> list[Node]:
    """The classic rule objects of the document, in order (read once per lint)."""
    return ctx_cache(ctx, "common:classic-rules", lambda: _classic_rule_nodes(ctx))


def classic_model(ctx: LintContext) -> list[cm.Rule]:
    """The document's classic rules as the semantic model reads them (once per lint, shared by every family)."""
    return ctx_cache(ctx, "common:classic-model", lambda: _read_classic_model(ctx))


def _read_classic_model(ctx: LintContext) -> list[cm.Rule]:
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return []
    single = root.get("Rule")
    if single is not None:
        r = cm.read_rule(single, 0)
        return [r] if r is not None else []
    rules = root.get("Rules")
    only = ctx.rule_items
    if only is None or rules is None or rules.kind != ARRAY:
        return cm.read_rules(rules)
    items = rules.list_value
    return [r for i in sorted(only) if i < len(items) and (r := cm.read_rule(items[i], i)) is not None]


def _rule_items(ctx: LintContext, rules: Node) -> list[Node]:
    """The object items of a ``Rules`` list that the checks look at (``ctx.rule_items``)."""
    items = rules.list_value
    only = ctx.rule_items
    if only is None:
        return [r for r in items if r.kind == OBJECT]
    return [items[i] for i in sorted(only) if i < len(items) and items[i].kind == OBJECT]


def classic_later_overlaps(ctx: LintContext) -> list[bool]:
    """Per classic rule (``classic_model`` order): may an enabled rule after it match the same mail?"""
    return ctx_cache(ctx, "common:later-overlaps", lambda: cm.later_overlaps(classic_model(ctx)))


def rule_actions(ctx: LintContext) -> list[list[tuple[str, Node, Node]]]:
    """Per rule (classic or Mail Manager, by the kind), its single-member actions as (type, entry, body).

    Read once per lint and shared by every family.
    """

    def build() -> list[list[tuple[str, Node, Node]]]:
        nodes = mm_rule_nodes(ctx) if ctx.kind in MM_RULE_SET_KINDS else classic_rule_nodes(ctx)
        return [list(classic_actions(rule)) for rule in nodes]

    return ctx_cache(ctx, "common:rule-actions", build)


def classic_actions_of_type(ctx: LintContext, action_type: str) -> list[tuple[Node, Node, Node]]:
    """(rule, action entry, action body) for every classic action of one type (indexed once per lint)."""

    def build() -> dict[str, list[tuple[Node, Node, Node]]]:
        index: dict[str, list[tuple[Node, Node, Node]]] = {}
        if ctx.kind not in MM_RULE_SET_KINDS:
            for rule, actions in zip(classic_rule_nodes(ctx), rule_actions(ctx), strict=True):
                for name, entry, body in actions:
                    index.setdefault(name, []).append((rule, entry, body))
        return index

    return ctx_cache(ctx, "common:classic-actions", build).get(action_type, [])


def _classic_rule_nodes(ctx: LintContext) -> list[Node]:
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return []
    single = root.get("Rule")
    if single is not None:
        return [single] if single.kind == OBJECT else []
    rules = root.get("Rules")
    if rules is not None and rules.kind == ARRAY:
        return _rule_items(ctx, rules)
    return []


def classic_actions(rule: Node) -> Iterator[tuple[str, Node, Node]]:
    """(action type, list entry, action body) for each single-member action of a classic rule."""
    acts = rule.get("Actions")
    if acts is None or acts.kind != ARRAY:
        return
    for entry in acts.list_value:
        if entry.kind == OBJECT and len(entry.dict_value) == 1:
            ((name, body),) = entry.dict_value.items()
            yield name, entry, body


def mm_rule_nodes(ctx: LintContext) -> list[Node]:
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return []
    rules = root.get("Rules")
    if rules is not None and rules.kind == ARRAY:
        return _rule_items(ctx, rules)
    return []


def mm_actions(rule: Node) -> Iterator[tuple[str, Node, Node]]:
    """(action type, list entry, action body) for each single-member Mail Manager action."""
    yield from classic_actions(rule)


def string_value(node: Node | None) -> str | None:
    """The value of a string node (None for any other node or kind)."""
    return node.str_value if node is not None and node.kind == STRING else None


def concrete_text(node: Node | None) -> str | None:
    """A string value a check may judge: a string node holding no template placeholder."""
    v = string_value(node)
    return None if v is None or has_placeholder(v) else v


# -- SendBounce ----------------------------------------------------------------


def recipient_infos(ctx: LintContext) -> list[Node]:
    """The ``BouncedRecipientInfo`` objects of a SendBounce document."""
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return []
    lst = root.get("BouncedRecipientInfoList")
    if lst is None or lst.kind != ARRAY:
        return []
    return [n for n in lst.list_value if n.kind == OBJECT]


def dsn_fields(ctx: LintContext) -> Iterator[tuple[Node, Node]]:
    """(BouncedRecipientInfo, RecipientDsnFields) pairs of a SendBounce document."""
    for info in recipient_infos(ctx):
        dsn = info.get("RecipientDsnFields")
        if dsn is not None and dsn.kind == OBJECT:
            yield info, dsn


def walk_members(node: Node | None, name: str) -> Iterator[tuple[Node, Node]]:
    """Every (object, value) pair in the subtree where the object has a member ``name``."""
    if node is None:
        return
    for n in node.walk():
        if n.kind == OBJECT:
            v = n.dict_value.get(name)
            if v is not None:
                yield n, v


def ctx_cache(ctx: LintContext, key: str, factory):
    """A value computed once per lint run and shared by the checks of a family.

    Kept on the context object (one lint of one document), so it can never
    outlive the document it was computed from.
    """
    store = ctx.cache
    if key not in store:
        store[key] = factory()
    return store[key]


def schema_spans(ctx: LintContext) -> set[tuple[int, int]]:
    """The (start, end) spans the schema pass (SES1xx) reported on, collected once per lint.

    The schema pass runs before every semantic rule, so the set is complete when read.
    """
    spans = ctx.cache.get("schema-spans")
    if spans is None:
        spans = ctx.cache["schema-spans"] = {(d.start, d.end) for d in ctx.diagnostics if d.code.startswith("SES1")}
    return spans


def schema_reported(ctx: LintContext, node: Node) -> bool:
    """Did the schema pass (SES1xx) already report something on this node?"""
    return (node.start, node.end) in schema_spans(ctx)


def current_time(ctx: LintContext) -> datetime:
    """The time date checks compare with (aware, UTC): ``Config.extra["now"]`` when a test or
    an embedding tool fixes it, else :data:`ses_lsp.knowledge.timestamps.clock`."""
    from datetime import datetime, timezone

    injected = ctx.config.extra.get("now") if isinstance(ctx.config.extra, dict) else None
    if isinstance(injected, datetime):
        return injected if injected.tzinfo else injected.replace(tzinfo=timezone.utc)
    return timestamps.clock()
