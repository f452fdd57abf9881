"""Classic receipt rule sets spread over ``AWS::SES::ReceiptRule`` resources, in their order.

CloudFormation creates each rule with CreateReceiptRule: a rule without ``After`` is inserted at
the start of its set, a rule with ``After`` right after the rule it names, at the moment the rule
is created.  Resources are created in dependency order (``DependsOn``, and every ``!Ref`` /
``!GetAtt`` / ``${...}`` of another resource), the others in parallel.  So the order of a set is
certain when, for every rule, the rules placed right after the same rule (or first) are created in
a fixed order: the one created last comes first.  It is *ambiguous* when two of them may be created
in either order, when ``After`` chains form a cycle, or when ``After`` names no rule of a set the
template creates (:class:`OrderProblem`).

A rule belongs to the set its ``RuleSetName`` gives: the name, resolved as far as the template
makes it certain (``!Ref RuleSet`` of a ``ReceiptRuleSet`` resource is that resource's set, named
or not).  Rules whose set name the template leaves open to deployment (a parameter without a
default) still group together when they say it alike (``!Ref SetName`` in both).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ses_lsp.cfn.template import Resource, Template, intrinsic
from ses_lsp.cfn.view import _SUB_VAR, Resolver, Unknown
from ses_lsp.document.nodes import ARRAY, STRING, Node

RULE_TYPE = "AWS::SES::ReceiptRule"
RULE_SET_TYPE = "AWS::SES::ReceiptRuleSet"


@dataclass
class RuleEntry:
    resource: Resource
    name: str  # the rule's name (``${LogicalId}`` for a generated one)
    after: str | None  # the name its After gives, None without After
    after_node: Node | None
    after_ref: str | None  # the ReceiptRule resource After's ``!Ref`` names, if it is one

    @property
    def logical_id(self) -> str:
        return self.resource.logical_id


@dataclass
class OrderProblem:
    """Why the order of a set is not certain (or cannot be created)."""

    what: str  # "same-place", "cycle", "no-such-rule", "other-set", "no-dependency"
    entry: RuleEntry
    others: list[RuleEntry] = field(default_factory=list)
    target: str | None = None  # the rule After names


@dataclass
class RuleSetGroup:
    key: str  # the set's name as far as it is known (placeholders ``${...}`` for open parts)
    set_resource: Resource | None  # the ReceiptRuleSet resource that creates it, if any
    rules: list[RuleEntry] = field(default_factory=list)  # template order
    order: list[RuleEntry] = field(default_factory=list)  # the order SES ends up with
    problems: list[OrderProblem] = field(default_factory=list)

    @property
    def certain(self) -> bool:
        return not any(p.what != "no-dependency" for p in self.problems)


class Dependencies:
    """Which resources a resource depends on, transitively (the order CloudFormation creates them)."""

    def __init__(self, template: Template) -> None:
        self.template = template
        self.direct: dict[str, set[str]] = {rid: self._direct(r) for rid, r in template.resources.items()}
        self._closure: dict[str, set[str]] = {}

    def _direct(self, res: Resource) -> set[str]:
        ids = self.template.resources
        out = {d for d in res.depends_on if d in ids}
        for n in res.node.walk():
            call = intrinsic(n)
            if call is None:
                continue
            names: list[str] = []
            arg = call.arg
            if call.name == "Ref" and arg.kind == STRING:
                names.append(arg.str_value)
            elif call.name == "Fn::GetAtt":
                if arg.kind == STRING:
                    names.append(arg.str_value.split(".", 1)[0])
                elif arg.kind == ARRAY and arg.list_value and arg.list_value[0].kind == STRING:
                    names.append(arg.list_value[0].str_value)
            elif call.name == "Fn::Sub":
                src = arg.list_value[0] if arg.kind == ARRAY and arg.list_value else arg
                if src.kind == STRING:
                    names.extend(m.group(1).split(".", 1)[0] for m in _SUB_VAR.finditer(src.str_value))
            out.update(n for n in names if n in ids and n != res.logical_id)
        return out

    def of(self, rid: str) -> set[str]:
        done = self._closure.get(rid)
        if done is not None:
            return done
        seen: set[str] = set()
        stack = list(self.direct.get(rid, ()))
        while stack:
            d = stack.pop()
            if d not in seen:
                seen.add(d)
                stack.extend(self.direct.get(d, ()))
        self._closure[rid] = seen
        return seen

    def before(self, a: str, b: str) -> bool:
        """Is ``a`` certainly created before ``b``?"""
        return a in self.of(b)


def rule_sets(template: Template, region: str | None = None) -> list[RuleSetGroup]:
    """The classic rule sets of the template's ReceiptRule resources, each with its order."""
    resolver = Resolver(template, region)
    groups: dict[str, RuleSetGroup] = {}
    for res in template.resources_of(RULE_SET_TYPE):
        ref = resolver.ref(res.logical_id)  # its name, or ${LogicalId} for a generated one
        key = ref if isinstance(ref, str) else ref.text if isinstance(ref, Unknown) else None
        if key is not None:
            groups.setdefault(key, RuleSetGroup(key, res))
    for res in template.resources_of(RULE_TYPE):
        props = res.properties
        set_node = props.get("RuleSetName") if props is not None else None
        if set_node is None:
            continue
        set_name = resolver.string(set_node)
        if not isinstance(set_name, str):
            continue
        name = resolver.ref(res.logical_id)
        after_node = props.get("After") if props is not None else None
        after: str | None = None
        after_ref: str | None = None
        if after_node is not None:
            value = resolver.string(after_node)
            after = value if isinstance(value, str) else None
            call = intrinsic(after_node)
            if call is not None and call.name == "Ref" and call.arg.kind == STRING:
                target = template.resources.get(call.arg.str_value)
                if target is not None and target.type == RULE_TYPE:
                    after_ref = target.logical_id
            if after is None and after_ref is None:
                after = None  # an After the template leaves open: position unknown
        group = groups.setdefault(set_name, RuleSetGroup(set_name, None))
        group.rules.append(
            RuleEntry(
                res,
                name if isinstance(name, str) else "${" + res.logical_id + "}",
                after,
                after_node,
                after_ref,
            )
        )
    deps = Dependencies(template)
    for group in groups.values():
        _order(group, deps, groups)
    return [g for g in groups.values() if g.rules]


def _order(group: RuleSetGroup, deps: Dependencies, groups: dict[str, RuleSetGroup]) -> None:
    by_name: dict[str, RuleEntry] = {}
    by_id: dict[str, RuleEntry] = {}
    for e in group.rules:
        by_name.setdefault(e.name, e)
        by_id[e.logical_id] = e
    other_sets = {e.logical_id: g for g in groups.values() if g is not group for e in g.rules}
    children: dict[str | None, list[RuleEntry]] = {}  # parent logical ID (None: the start) -> rules
    placed: set[str] = set()
    for e in group.rules:
        parent: RuleEntry | None = None
        if e.after_node is None:
            children.setdefault(None, []).append(e)
            continue
        if e.after_ref is not None:
            parent = by_id.get(e.after_ref)
            if parent is None and e.after_ref in other_sets:
                group.problems.append(OrderProblem("other-set", e, [], e.after_ref))
                continue
        elif e.after is not None:
            parent = by_name.get(e.after)
            if parent is not None and not deps.before(parent.logical_id, e.logical_id):
                group.problems.append(OrderProblem("no-dependency", e, [parent], e.after))
        if parent is None:
            if e.after is not None and group.set_resource is not None:
                # The template creates the set: its rules are the template's, so no other rule exists.
                group.problems.append(OrderProblem("no-such-rule", e, [], e.after))
            elif e.after is None:
                group.problems.append(OrderProblem("open", e, []))
            continue
        if parent is e:
            continue  # after-names-itself (SES208) reports it
        children.setdefault(parent.logical_id, []).append(e)
    # Walk from the start: each rule, then what comes right after it.
    ordered = {pid: _created_last_first(kids, deps, group, pid) for pid, kids in children.items()}
    order: list[RuleEntry] = []
    stack: list[tuple[str | None, int]] = [(None, 0)]
    while stack:
        pid, i = stack.pop()
        kids = ordered.get(pid, [])
        if i < len(kids):
            stack.append((pid, i + 1))
            kid = kids[i]
            if kid.logical_id not in placed:
                placed.add(kid.logical_id)
                order.append(kid)
                stack.append((kid.logical_id, 0))
    unplaced = [e for e in group.rules if e.logical_id not in placed]
    reported = {p.entry.logical_id for p in group.problems}
    cycle = [
        e
        for e in unplaced
        if e.logical_id not in reported and e.after_node is not None and e.logical_id in _in_chain(e, by_id, by_name)
    ]
    if cycle:
        group.problems.append(OrderProblem("cycle", cycle[0], cycle[1:]))
    group.order = order + unplaced


def _in_chain(e: RuleEntry, by_id: dict[str, RuleEntry], by_name: dict[str, RuleEntry]) -> set[str]:
    """The rules the After chain from ``e`` goes through (``e`` among them when it loops back)."""
    seen: set[str] = set()
    cur: RuleEntry | None = e
    while cur is not None:
        nxt = by_id.get(cur.after_ref) if cur.after_ref is not None else by_name.get(cur.after or "")
        if nxt is None or nxt.logical_id in seen:
            if nxt is not None:
                seen.add(nxt.logical_id)
            break
        seen.add(nxt.logical_id)
        cur = nxt
    return seen


def _created_last_first(
    kids: list[RuleEntry], deps: Dependencies, group: RuleSetGroup, parent: str | None
) -> list[RuleEntry]:
    """Rules placed right after the same rule (or first): the one created last comes first.  Two
    of them that may be created in either order make the order ambiguous (a problem on the later
    one in template order); template order is kept for them in the rest of the analysis."""
    if len(kids) < 2:
        return kids
    ordered = list(kids)
    for i in range(1, len(ordered)):  # insertion sort: created later goes first
        j = i
        while j > 0 and deps.before(ordered[j - 1].logical_id, ordered[j].logical_id):
            ordered[j - 1], ordered[j] = ordered[j], ordered[j - 1]
            j -= 1
    for a, b in zip(ordered, ordered[1:], strict=False):
        if not deps.before(a.logical_id, b.logical_id) and not deps.before(b.logical_id, a.logical_id):
            later, partner = (b, a) if kids.index(b) > kids.index(a) else (a, b)
            group.problems.append(OrderProblem("same-place", later, [partner], parent))
    return ordered


__all__ = ["RuleEntry", "RuleSetGroup", "OrderProblem", "Dependencies", "rule_sets"]
