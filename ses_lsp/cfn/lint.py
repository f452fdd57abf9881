"""The lint of a template: each SES resource checked as the API document its Properties map to.

The engine (:mod:`ses_lsp.lint.engine`) asks :class:`TemplateLint` for its *units*, runs the
schema pass and the semantic rules on each one as it does on an API document, and hands the
diagnostics back to :meth:`TemplateLint.finish`, which places them in the template: their spans
are already the template's (the views are built over its text), pointers get the resource's
prefix, a value taken from a parameter is named in the message (and its Default or AllowedValues
entry is a related location), a fix that would overwrite an intrinsic function is withheld, and a
finding across resources that depends on a resource created only under a ``Condition`` says so.

Units:

* one per SES resource and parameter choice (:func:`ses_lsp.cfn.view.variants`): the view of its
  Properties, the resource type's schema, the semantic rules of its API kind (mapping table);
* one per classic rule set spread over ReceiptRule resources (:mod:`ses_lsp.cfn.ruleset`): the
  rules in their order as a describe-receipt-rule-set output, checked by the rules that look
  across rules (those of that kind and not of create-receipt-rule); with an uncertain order, only
  those that do not depend on it;
* one for the template's ReceiptFilter resources together (two or more), as a
  list-receipt-filters output, checked by the rules that compare filters.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from ses_lsp import schema as schema_mod
from ses_lsp.cfn.mapping import BY_TYPE
from ses_lsp.cfn.ruleset import RULE_TYPE, RuleSetGroup, rule_sets
from ses_lsp.cfn.template import TEMPLATE_KIND, Resource, Template, intrinsic
from ses_lsp.cfn.view import Resolution, Resolver, ViewBuilder, name_generated, variants
from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node, escape_pointer_token
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Related
from ses_lsp.lint.registry import Rule
from ses_lsp.lint.rules import checks_for_kind
from ses_lsp.lint.rules.schema import MISSING_REQUIRED
from ses_lsp.lint.text import quote, quote_list
from ses_lsp.lint.validator import Compiled, SchemaSet, schema_set

SET_KIND = "ses:describe-receipt-rule-set"
RULE_KIND = "ses:create-receipt-rule"
FILTER_TYPE = "AWS::SES::ReceiptFilter"
FILTERS_KIND = "ses:list-receipt-filters"
FILTER_KIND = "ses:create-receipt-filter"
# The rule-set checks that do not depend on the order of the rules (run even when it is ambiguous).
ORDER_FREE = frozenset({"SES203", "SES801"})


def template_model(ctx: LintContext) -> Template | None:
    """The template of the document being linted (read once per lint)."""
    cached = ctx.cache.get("cfn:template", False)
    if cached is False:
        root = ctx.root
        cached = Template.read(root) if root is not None and root.kind == OBJECT else None
        ctx.cache["cfn:template"] = cached
    return cached


def template_rule_sets(ctx: LintContext) -> list[RuleSetGroup]:
    """The classic rule sets of the template, with their order (computed once per lint)."""
    cached = ctx.cache.get("cfn:rule-sets")
    if cached is None:
        template = template_model(ctx)
        cached = rule_sets(template, ctx.config.region) if template is not None else []
        ctx.cache["cfn:rule-sets"] = cached
    return cached


@dataclass
class Unit:
    """One document to check inside the template."""

    ctx: LintContext
    root: Node
    schema: Compiled | None  # None: no schema pass
    rules: list[Rule]
    # For finish(): where the view's pointers hang in the template, per top-level entry.
    prefix: str = ""
    # Set units: the list member, and where each of its entries is in the template
    # (("Rules", [...]): /Rules/i -> /Resources/<id>/Properties/Rule).
    entry_prefixes: tuple[str, list[str]] | None = None
    resolutions: list[Resolution] = field(default_factory=list)
    replaced: list[tuple[int, int]] = field(default_factory=list)  # spans of intrinsic calls
    conditional: list[Resource] = field(default_factory=list)  # resources under a Condition
    resource: str | None = None  # the resource whose Properties the unit is a view of
    varied: str | None = None  # the parameter given another AllowedValues entry than the first view's


class TemplateLint:
    def __init__(self, ctx: LintContext, selected: frozenset[str]) -> None:
        self.ctx = ctx
        self.selected = selected
        self.template = template_model(ctx)
        self.sset: SchemaSet = schema_set(schema_mod.load_service("cloudformation"))
        self.secrets = ctx.secrets
        # Per resource, the (code, start, end) of what its views reported: another view of the same
        # resource (another AllowedValues entry) adds only what is about the value it varies.
        self.seen: dict[str, set[tuple[str, int, int]]] = {}

    def units(self) -> Iterator[Unit]:
        template = self.template
        if template is None:
            return
        for res in template.resources.values():
            m = BY_TYPE.get(res.type)
            if m is None:
                continue  # cfn-lint's business
            comp = self.sset.compiled(m.shape)
            props = res.properties
            if props is None:
                self.missing_properties(res, comp)
                continue
            rules = [r for r in checks_for_kind(m.kind) if r.code in self.selected] if m.kind else []
            for choices in variants(template, props):
                builder = ViewBuilder(self.sset, Resolver(template, self.ctx.config.region, choices), self.ctx.text)
                root = builder.build(props, comp, props.key_node)
                if res.type == RULE_TYPE:
                    self.classic_rule_view(root, res)
                yield Unit(
                    self.view_context(root, m.kind or TEMPLATE_KIND),
                    root,
                    comp,
                    rules,
                    prefix=f"/Resources/{escape_pointer_token(res.logical_id)}/Properties",
                    resolutions=builder.resolutions,
                    replaced=builder.replaced,
                    resource=res.logical_id,
                    varied=next(iter(choices), None),
                )
        yield from self.rule_set_units()
        yield from self.filter_set_units()

    def classic_rule_view(self, root: Node, res: Resource) -> None:
        """A ReceiptRule view: a rule without Name gets the one it is known by (``${LogicalId}``),
        and an After that is the ``!Ref`` of another rule resource stays that reference (``${Other}``):
        it names that resource's rule whatever its name (its order is checked across resources)."""
        rule = root.get("Rule")
        if rule is not None:
            name_generated(rule, res.logical_id, res.key)
        after = root.get("After")
        props = res.properties
        written = props.get("After") if props is not None else None
        call = intrinsic(written) if written is not None else None
        if after is not None and call is not None and call.name == "Ref" and call.arg.kind == STRING:
            target = call.arg.str_value
            other = self.template.resources.get(target) if self.template is not None else None
            if other is not None and other.type == RULE_TYPE and target != res.logical_id:
                after.kind, after.value = STRING, "${" + target + "}"

    def view_context(self, root: Node, kind: str) -> LintContext:
        return LintContext(document=self.ctx.document.view(root), kind=kind, config=self.ctx.config)

    def rule_set_units(self) -> Iterator[Unit]:
        template = self.template
        assert template is not None
        set_rules = [r for r in checks_for_kind(SET_KIND) if r not in checks_for_kind(RULE_KIND)]
        rule_comp = self.sset.compiled("ReceiptRule")
        for group in template_rule_sets(self.ctx):
            rules = [r for r in set_rules if r.code in self.selected and (group.certain or r.code in ORDER_FREE)]
            if not rules:
                continue
            anchor = group.set_resource.key if group.set_resource is not None else group.order[0].resource.key
            doc = Node(OBJECT, None, anchor.start, anchor.end)
            doc.members = []
            meta_key = Node(STRING, "Metadata", anchor.start, anchor.end, doc)
            meta = Node(OBJECT, None, anchor.start, anchor.end, doc, meta_key)
            name_key = Node(STRING, "Name", anchor.start, anchor.end, meta)
            name = Node(STRING, group.key, anchor.start, anchor.end, meta, name_key)
            meta.members = [(name_key, name)]
            meta.value = {"Name": name}
            rules_key = Node(STRING, "Rules", anchor.start, anchor.end, doc)
            items = Node(ARRAY, None, anchor.start, anchor.end, doc, rules_key)
            entries: list[Node] = []
            prefixes: list[str] = []
            resolutions: list[Resolution] = []
            replaced: list[tuple[int, int]] = []
            for e in group.order:
                props = e.resource.properties
                rule_node = props.get("Rule") if props is not None else None
                if rule_node is None or rule_node.kind != OBJECT:
                    continue
                builder = ViewBuilder(self.sset, Resolver(template, self.ctx.config.region), self.ctx.text)
                sub = self.sset.member(rule_comp, "Rule")
                view = builder.node(rule_node, sub, items, len(entries))
                if view is None:
                    continue
                name_generated(view, e.logical_id, e.resource.key)
                entries.append(view)
                prefixes.append(f"/Resources/{escape_pointer_token(e.logical_id)}/Properties/Rule")
                resolutions.extend(builder.resolutions)
                replaced.extend(builder.replaced)
            items.value = entries
            doc.members = [(meta_key, meta), (rules_key, items)]
            doc.value = {"Metadata": meta, "Rules": items}
            yield Unit(
                self.view_context(doc, SET_KIND),
                doc,
                None,
                rules,
                entry_prefixes=("Rules", prefixes),
                resolutions=resolutions,
                replaced=replaced,
                conditional=[e.resource for e in group.order if e.resource.condition is not None],
            )

    def filter_set_units(self) -> Iterator[Unit]:
        """The template's ReceiptFilter resources together, as a ``list-receipt-filters`` output:
        the checks that compare filters (duplicate names, a range both allowed and blocked,
        redundant filters) run across resources as across the filters of an account."""
        template = self.template
        assert template is not None
        resources = [r for r in template.resources_of(FILTER_TYPE) if r.properties is not None]
        rules = [
            r
            for r in checks_for_kind(FILTERS_KIND)
            if r not in checks_for_kind(FILTER_KIND) and r.code in self.selected
        ]
        if len(resources) < 2 or not rules:
            return
        filter_comp = self.sset.member(self.sset.compiled("ReceiptFilter"), "Filter")
        anchor = resources[0].key
        doc = Node(OBJECT, None, anchor.start, anchor.end)
        filters_key = Node(STRING, "Filters", anchor.start, anchor.end, doc)
        items = Node(ARRAY, None, anchor.start, anchor.end, doc, filters_key)
        entries: list[Node] = []
        prefixes: list[str] = []
        resolutions: list[Resolution] = []
        replaced: list[tuple[int, int]] = []
        for res in resources:
            props = res.properties
            filter_node = props.get("Filter") if props is not None and props.kind == OBJECT else None
            if filter_node is None or filter_node.kind != OBJECT:
                continue
            builder = ViewBuilder(self.sset, Resolver(template, self.ctx.config.region), self.ctx.text)
            view = builder.node(filter_node, filter_comp, items, len(entries))
            if view is None:
                continue
            entries.append(view)
            prefixes.append(f"/Resources/{escape_pointer_token(res.logical_id)}/Properties/Filter")
            resolutions.extend(builder.resolutions)
            replaced.extend(builder.replaced)
        if len(entries) < 2:
            return
        items.value = entries
        doc.members = [(filters_key, items)]
        doc.value = {"Filters": items}
        yield Unit(
            self.view_context(doc, FILTERS_KIND),
            doc,
            None,
            rules,
            entry_prefixes=("Filters", prefixes),
            resolutions=resolutions,
            replaced=replaced,
            conditional=[r for r in resources if r.condition is not None],
        )

    def missing_properties(self, res: Resource, comp: Compiled) -> None:
        if not comp.required or "SES102" not in self.selected:
            return
        need = quote_list(comp.required)
        self.ctx.report(
            res.key,
            f"resource {quote(res.logical_id)} ({res.type}) has no Properties; it needs {need}",
            rule=MISSING_REQUIRED,
            pointer=f"/Resources/{escape_pointer_token(res.logical_id)}",
        )

    def finish(self, unit: Unit) -> None:
        """Move a unit's diagnostics into the template's (see the module docstring)."""
        out = self.ctx.diagnostics
        seen = self.seen.setdefault(unit.resource, set()) if unit.resource is not None else None
        for d in unit.ctx.diagnostics:
            if seen is not None:
                key = (d.code, d.start, d.end)
                if key in seen and not _about(unit, d):
                    continue
                seen.add(key)
            d.pointer = self.pointer(unit, d.pointer)
            if unit.replaced and d.fix is not None and _overlaps(d.fix.edits, unit.replaced):
                d.fix = None  # it would overwrite an intrinsic function with the value checked
            for res in unit.resolutions:
                if res.start <= d.start and d.end <= res.end:
                    d.message += f" ({res.note()})"
                    d.related = [*d.related, *(_use_related(u) for u in res.uses)]
            if unit.conditional:
                spans = [(d.start, d.end), *((r.start, r.end) for r in d.related if r.file is None)]
                involved = [r for r in unit.conditional if any(_inside(s, r.node) for s in spans)]
                if involved:
                    d.message += " (" + "; ".join(_condition_note(r) for r in involved) + ")"
            out.append(d)
        if unit.ctx.found_secrets is not None:
            self.secrets = self.secrets.merged(unit.ctx.found_secrets)

    def pointer(self, unit: Unit, pointer: str) -> str:
        if unit.entry_prefixes is not None:
            member, prefixes = unit.entry_prefixes
            parts = pointer.split("/")
            if len(parts) >= 3 and parts[1] == member and parts[2].isdigit() and int(parts[2]) < len(prefixes):
                return prefixes[int(parts[2])] + "".join("/" + p for p in parts[3:])
            return pointer
        return unit.prefix + pointer

    def done(self) -> None:
        self.ctx.found_secrets = self.secrets


def _about(unit: Unit, d) -> bool:
    """Is a diagnostic of a view about the parameter value that view varies?"""
    return unit.varied is not None and any(
        r.start <= d.start and d.end <= r.end and any(u.param.name == unit.varied for u in r.uses)
        for r in unit.resolutions
    )


def _overlaps(edits, spans: list[tuple[int, int]]) -> bool:
    return any(e.start < end and start < e.end or start <= e.start < end for e in edits for start, end in spans)


def _inside(span: tuple[int, int], node: Node) -> bool:
    return node.start <= span[0] and span[1] <= node.end


def _use_related(use) -> Related:
    p = use.param
    what = "the " + use.how.removeprefix("its ") if use.how.startswith("its ") else use.how
    return Related(use.value.start, use.value.end, f"{what} of parameter {p.name}")


def _condition_note(res: Resource) -> str:
    return f"resource {res.logical_id} exists only when condition {res.condition} is true"


__all__ = ["TemplateLint", "Unit", "template_model", "template_rule_sets"]
