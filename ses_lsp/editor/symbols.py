"""The document outline: rule set -> rules -> actions / conditions (offset based).

Rule sets (classic ``describe-receipt-rule-set`` output, Mail Manager rule
sets) and single-rule documents get a semantic outline; every other kind
gets its members as a tree (a few levels deep).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ses_lsp.cfn import TEMPLATE_KIND
from ses_lsp.cfn.editor import resource_types
from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.lint.secrets import Secrets, find_secrets

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document

__all__ = ["Symbol", "document_symbols"]

# Symbol kinds (the server maps them to LSP SymbolKind).
NAMESPACE = "namespace"
CLASS = "class"
FUNCTION = "function"
EVENT = "event"
PROPERTY = "property"
OBJECT_KIND = "object"
ARRAY_KIND = "array"
STRING_KIND = "string"
NUMBER_KIND = "number"
BOOLEAN_KIND = "boolean"
KEY_KIND = "key"


@dataclass
class Symbol:
    name: str
    kind: str
    start: int
    end: int
    selection_start: int
    selection_end: int
    detail: str = ""
    children: list[Symbol] = field(default_factory=list)


def _str(node: Node | None, secrets: Secrets) -> str | None:
    if node is None or node.kind != STRING or not isinstance(node.value, str) or node in secrets:
        return None
    return node.value


def _sel(node: Node) -> tuple[int, int]:
    k = node.key_node
    if k is not None:
        return k.start, k.end
    return node.start, min(node.end, node.start + 1)


def _span(node: Node) -> tuple[int, int]:
    """A member's whole span: from its key (if any) to the end of its value."""
    k = node.key_node
    return (k.start if k is not None else node.start), max(node.end, k.end if k is not None else node.end)


def _short(node: Node, secrets: Secrets, limit: int = 60) -> str:
    """A scalar's value for a detail text (a credential is not shown)."""
    if node in secrets:
        return HIDDEN
    text = str(node.value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


HIDDEN = "(not shown)"


_ACTION_DETAIL = (
    "BucketName",
    "TopicArn",
    "FunctionArn",
    "HeaderName",
    "Scope",
    "Sender",
    "TargetArchive",
    "MailboxArn",
    "RoleArn",
    "ReplaceWith",
    "SmtpReplyCode",
    "OrganizationArn",
    "InstanceARN",
    "RelayArn",
    "Bucket",
    "ApplicationId",
)


def _entry_symbol(entry: Node, kind: str, secrets: Secrets, prefix: str = "") -> Symbol | None:
    """An action / condition entry: a one-member object named by its member."""
    if entry.kind != OBJECT or not entry.members:
        return None
    key, value = entry.members[0]
    name = key.value if isinstance(key.value, str) else str(key.value)
    detail = ""
    if value.kind == OBJECT:
        if kind == EVENT:
            detail = _condition_detail(value, secrets)
        else:
            for member in _ACTION_DETAIL:
                v = value.get(member)
                if v is not None and v.kind not in (OBJECT, ARRAY):
                    detail = f"{member}: {_short(v, secrets)}"
                    break
    s, e = entry.start, entry.end
    return Symbol(prefix + name, kind, s, e, key.start, key.end, detail)


def _condition_detail(expr: Node, secrets: Secrets) -> str:
    parts = []
    ev = expr.get("Evaluate")
    if ev is not None and ev.kind == OBJECT and ev.members:
        k, v = ev.members[0]
        parts.append(_short(v, secrets) if v.kind not in (OBJECT, ARRAY) else str(k.value))
    op = expr.get("Operator")
    if op is not None and op.kind not in (OBJECT, ARRAY):
        parts.append(_short(op, secrets))
    vals = expr.get("Values")
    if vals is not None and vals.kind == ARRAY:
        parts.append(", ".join(_short(v, secrets, 30) for v in vals.list_value if v.kind not in (OBJECT, ARRAY)))
    elif vals is not None and vals.kind not in (OBJECT, ARRAY):
        parts.append(_short(vals, secrets))
    return " ".join(p for p in parts if p)


def _rule_symbol(rule: Node, index: int, secrets: Secrets) -> Symbol | None:
    if rule.kind != OBJECT:
        return None
    name_node = rule.get("Name")
    name = _str(name_node, secrets) or f"rule {index + 1}"
    if name_node is not None:
        sel = (name_node.start, name_node.end)
    else:
        sel = (rule.start, min(rule.end, rule.start + 1))
    details = []
    enabled = rule.get("Enabled")
    if enabled is not None and enabled.value is False:
        details.append("disabled")
    recips = rule.get("Recipients")
    if recips is not None and recips.kind == ARRAY:
        shown = [_short(r, secrets, 1000) for r in recips.list_value[:3] if r.kind == STRING]
        more = len(recips.list_value) - len(shown)
        details.append(", ".join(shown) + (f" (+{more})" if more > 0 else ""))
    sym = Symbol(name, CLASS, rule.start, rule.end, sel[0], sel[1], " · ".join(d for d in details if d))
    for member, kind, prefix in (("Conditions", EVENT, ""), ("Unless", EVENT, "unless "), ("Actions", FUNCTION, "")):
        seq = rule.get(member)
        if seq is None or seq.kind != ARRAY:
            continue
        for entry in seq.list_value:
            child = _entry_symbol(entry, kind, secrets, prefix)
            if child is not None:
                sym.children.append(child)
    return sym


def _generic(node: Node, depth: int, secrets: Secrets) -> list[Symbol]:
    out: list[Symbol] = []
    if node.kind == OBJECT:
        pairs: list[tuple[Node | None, Node]] = [(k, v) for k, v in node.members or ()]
    elif node.kind == ARRAY:
        pairs = [(None, v) for v in node.list_value]
    else:
        return out
    for i, (k, v) in enumerate(pairs):
        name = (k.value if isinstance(k.value, str) else str(k.value)) if k is not None else f"[{i}]"
        if v.kind == OBJECT:
            kind, detail = OBJECT_KIND, ""
        elif v.kind == ARRAY:
            kind, detail = ARRAY_KIND, f"{len(v.list_value)} items"
        elif v.kind == STRING:
            kind, detail = STRING_KIND, _short(v, secrets)
        elif v.kind == "boolean":
            kind, detail = BOOLEAN_KIND, HIDDEN if v in secrets else "true" if v.value else "false"
        else:
            kind, detail = NUMBER_KIND if v.kind in ("integer", "number") else PROPERTY, _short(v, secrets)
        s = k.start if k is not None else v.start
        e = max(v.end, k.end if k is not None else v.end)
        sel = (k.start, k.end) if k is not None else (v.start, min(v.end, v.start + 1))
        sym = Symbol(name, kind, s, e, sel[0], sel[1], detail)
        if depth > 1:
            sym.children = _generic(v, depth - 1, secrets)
        out.append(sym)
    return out


_RULE_SETS = {
    "ses:describe-receipt-rule-set": ("Metadata", "Name"),
    "ses:describe-active-receipt-rule-set": ("Metadata", "Name"),
    "mailmanager:create-rule-set": ("RuleSetName",),
    "mailmanager:update-rule-set": ("RuleSetName",),
    "mailmanager:get-rule-set": ("RuleSetName",),
}
_SINGLE_RULE = {"ses:create-receipt-rule", "ses:update-receipt-rule", "ses:describe-receipt-rule"}


def document_symbols(document: Document, kind: str | None) -> list[Symbol]:
    root = document.root
    if root is None or root.kind != OBJECT or kind is None:
        return []

    secrets = find_secrets(document)
    if kind in _RULE_SETS:
        name_node: Node | None = root
        for part in _RULE_SETS[kind]:
            name_node = name_node.get(part) if name_node is not None and name_node.kind == OBJECT else None
        name = _str(name_node, secrets) or "rule set"
        sel = (name_node.start, name_node.end) if name_node is not None else (root.start, min(root.end, root.start + 1))
        top = Symbol(name, NAMESPACE, root.start, root.end, sel[0], sel[1], kind)
        rules = root.get("Rules")
        if rules is not None and rules.kind == ARRAY:
            for i, rule in enumerate(rules.list_value):
                sym = _rule_symbol(rule, i, secrets)
                if sym is not None:
                    top.children.append(sym)
        return [top]
    if kind in _SINGLE_RULE:
        out: list[Symbol] = []
        for k, v in root.members or ():
            if k.value == "Rule" and v.kind == OBJECT:
                sym = _rule_symbol(v, 0, secrets)
                if sym is not None:
                    sym.start = min(sym.start, k.start)
                    out.append(sym)
            else:
                out.extend(s for s in _generic(root, 1, secrets) if s.selection_start == k.start)
        return out
    if kind == TEMPLATE_KIND:
        return _template_symbols(root, secrets)
    return _generic(root, 4, secrets)


def _template_symbols(root: Node, secrets: Secrets) -> list[Symbol]:
    """A template's outline: its sections, each resource by logical ID with its type, and inside
    the SES resources their rules (with conditions and actions) as in an API document."""
    ses_types = resource_types()
    out: list[Symbol] = []
    for key, section in root.member_list:
        name = key.value if isinstance(key.value, str) else str(key.value)
        if name != "Resources" or section.kind != OBJECT:
            out.extend(s for s in _generic(root, 2, secrets) if s.selection_start == key.start)
            continue
        top = Symbol(name, NAMESPACE, key.start, max(section.end, key.end), key.start, key.end)
        for rkey, decl in section.member_list:
            logical_id = rkey.value if isinstance(rkey.value, str) else str(rkey.value)
            type_node = decl.get("Type") if decl.kind == OBJECT else None
            rtype = type_node.str_value if type_node is not None and type_node.kind == STRING else ""
            sym = Symbol(logical_id, CLASS, rkey.start, max(decl.end, rkey.end), rkey.start, rkey.end, rtype)
            props = decl.get("Properties") if decl.kind == OBJECT and rtype in ses_types else None
            if props is not None and props.kind == OBJECT:
                rule = props.get("Rule")
                rules = props.get("Rules")
                if rtype == "AWS::SES::ReceiptRule" and rule is not None:
                    child = _rule_symbol(rule, 0, secrets)
                    if child is not None:
                        sym.children.append(child)
                elif rules is not None and rules.kind == ARRAY:
                    for i, r in enumerate(rules.list_value):
                        child = _rule_symbol(r, i, secrets)
                        if child is not None:
                            sym.children.append(child)
                else:
                    sym.children = _generic(props, 2, secrets)
            top.children.append(sym)
        out.append(top)
    return out
