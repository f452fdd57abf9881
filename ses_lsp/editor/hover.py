"""Hover texts: what a member, a value or a rule code means (editor independent).

Everything here works on character offsets and returns Markdown; the
language server only converts positions.  Schema facts come from
:func:`ses_lsp.lint.validator.schema_at_path` / ``member_schema``, the same
walk the validator does, so a hover never contradicts a diagnostic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ses_lsp.cfn import TEMPLATE_KIND
from ses_lsp.cfn.editor import is_type_value, properties_scope, resource_types
from ses_lsp.cfn.mapping import BY_TYPE
from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node, node_at_offset
from ses_lsp.lint.secrets import find_secrets
from ses_lsp.lint.suppressions import suppression_on_line
from ses_lsp.lint.text import describe_pattern
from ses_lsp.lint.validator import member_order, member_schema, schema_at_path

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document
    from ses_lsp.lint.registry import Rule
    from ses_lsp.lint.validator import Compiled

__all__ = ["HoverInfo", "hover", "member_markdown", "rule_markdown", "schema_facts"]


@dataclass(frozen=True)
class HoverInfo:
    markdown: str
    start: int
    end: int


def _code(value: object) -> str:
    text = str(value)
    tick = "``" if "`" in text else "`"
    pad = " " if tick == "``" else ""
    return f"{tick}{pad}{text}{pad}{tick}"


def _type_words(c: Compiled) -> str:
    if c.union:
        return "an object with exactly one of " + ", ".join(_code(p) for p in member_order(c))
    if c.values is not None:
        return "a map"
    words = c.type_words or "a value"
    if c.items is not None:
        inner = _type_words(c.items)
        return f"a list of {_plural(inner)}"
    return words


def _plural(words: str) -> str:
    for art in ("an ", "a "):
        if words.startswith(art):
            rest = words[len(art) :]
            head, sep, tail = rest.partition(" ")
            if head.endswith("s"):
                return rest
            return head + "s" + sep + tail
    return words


def schema_facts(c: Compiled) -> list[str]:
    """Constraints of a schema in words (one Markdown bullet text each)."""
    facts: list[str] = []
    if c.enum_list:
        facts.append("Allowed values: " + ", ".join(_code(v) for v in c.enum_list))
    if c.pattern_source and not c.timestamp:
        words = describe_pattern(c.pattern_source)
        facts.append(words[0].upper() + words[1:] if words else words)
    lo, hi = c.min_length, c.max_length
    if lo is not None or hi is not None:
        facts.append("Length: " + _range_words(lo, hi, "character"))
    lo, hi = c.min_items, c.max_items
    if (lo is not None or hi is not None) and not (lo in (0, None) and hi is None):
        facts.append("Count: " + _range_words(lo, hi, "item" if c.items is not None else "entry"))
    if c.minimum is not None or c.maximum is not None:
        facts.append("Range: " + _range_words(c.minimum, c.maximum, ""))
    if c.timestamp:
        facts.append("A date/time: ISO 8601 text (e.g. `2026-11-20T10:00:00Z`) or epoch seconds")
    if c.items is not None:
        facts.extend(f"Each item: {f[0].lower()}{f[1:]}" for f in schema_facts(c.items) if f)
    if c.sensitive:
        facts.append("Sensitive: its value is never shown in messages")
    return facts


def _range_words(lo, hi, unit: str) -> str:
    def u(n) -> str:
        if not unit:
            return str(n)
        if unit == "entry":
            return f"{n} {'entry' if n == 1 else 'entries'}"
        return f"{n} {unit}{'' if n == 1 else 's'}"

    if lo is not None and hi is not None:
        if lo == hi:
            return f"exactly {u(lo)}"
        return f"{lo} to {u(hi)}"
    if lo is not None:
        return f"at least {u(lo)}"
    return f"at most {u(hi)}"


def member_markdown(kind: str, parent_path: tuple | list, name: str, *, brief: bool = False) -> str | None:
    """Markdown for member ``name`` of the object at ``parent_path``: description, type, constraints."""
    parent = schema_at_path(kind, tuple(parent_path))
    if parent is None:
        return None
    raw = member_schema(kind, tuple(parent_path), name)
    if raw is None:
        return None
    comp = schema_at_path(kind, tuple(parent_path) + (name,))
    header = [f"**{name}**"]
    if comp is not None:
        header.append(_type_words(comp))
    if parent.union:
        header.append("one of the choices")
    elif name in parent.required:
        header.append("required")
    else:
        header.append("optional")
    if raw.get("deprecated") or (comp is not None and comp.deprecated):
        header.append("deprecated")
    parts = [" · ".join(header)]
    desc = raw.get("description") or (comp.schema.get("description") if comp is not None else None)
    if desc:
        parts.append(_shorten(desc) if brief else desc)
    if comp is not None:
        facts = schema_facts(comp)
        if facts:
            parts.append("\n".join(f"- {f}" for f in facts))
    return "\n\n".join(parts)


def _shorten(text: str, limit: int = 600) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(". ", 0, limit)
    return text[: cut + 1 if cut > 0 else limit] + " …"


def rule_markdown(rule: Rule) -> str:
    """A rule's documentation as Markdown (for hovers on suppression comments)."""
    doc = rule.doc
    parts = [f"**{rule.code}** `{rule.name}` · {rule.severity.label}", rule.summary]
    if doc.what:
        parts.append(doc.what)
    if doc.why:
        parts.append(f"*Why:* {doc.why}")
    if doc.bad is not None:
        parts.append(f"Bad:\n\n```{doc.bad.format}\n{doc.bad.text.rstrip()}\n```")
    if doc.good is not None:
        parts.append(f"Good:\n\n```{doc.good.format}\n{doc.good.text.rstrip()}\n```")
    parts.append(f"[Documentation]({rule.url})")
    return "\n\n".join(p for p in parts if p)


def _rule_hover(document: Document, offset: int) -> HoverInfo | None:
    """A rule's docs on its code or name in a suppression comment."""
    sup = suppression_on_line(document, document.lines.position(offset)[0])
    if sup is None:
        return None
    from ses_lsp.lint.rules import REGISTRY

    for text, s, e in sup.codes:
        if s <= offset <= e:
            rule = REGISTRY.get(text)
            if rule is None:
                return HoverInfo(f"`{text}` is not a ses-lsp rule code or name.", s, e)
            return HoverInfo(rule_markdown(rule), s, e)
    return None


def hover(document: Document, kind: str | None, offset: int) -> HoverInfo | None:
    """The hover at ``offset``: a member's documentation, a value's meaning or a rule's docs."""
    found = _rule_hover(document, offset)
    if found is not None or kind is None:
        return found
    root = document.root
    node = node_at_offset(root, offset)
    if node is None:
        return None
    strip = 0  # leading path parts that are not the schema's (a template's Resources.X.Properties)
    if kind == TEMPLATE_KIND:
        path = node.parent.path if node.is_key and node.parent is not None else node.path
        if not node.is_key and is_type_value(path) and node.kind == STRING:
            return _resource_type_hover(node)
        scope = properties_scope(root, path)
        if scope is None:
            return None
        kind, strip = scope[0], 3
    if node.is_key:
        parent = node.parent
        assert parent is not None
        name = node.value if isinstance(node.value, str) else str(node.value)
        md = member_markdown(kind, parent.path[strip:], name)
        if md is None:
            return None
        return HoverInfo(md, node.start, node.end)
    if node.kind in (OBJECT, ARRAY) or node.parent is None:
        return None
    return _value_hover(kind, node, document, strip)


def _resource_type_hover(node: Node) -> HoverInfo | None:
    """A resource's ``Type``: what the type is, and how ses-lsp checks its Properties."""
    info = resource_types().get(node.str_value)
    mapping = BY_TYPE.get(node.str_value)
    if info is None or mapping is None:
        return None
    parts = [f"**{node.str_value}**", info.get("description") or ""]
    if mapping.kind:
        parts.append(
            f"ses-lsp checks its Properties against the resource schema and with the rules of a "
            f"`{mapping.kind}` document."
        )
    else:
        parts.append("ses-lsp checks its Properties against the resource schema.")
    parts.append(mapping.differences)
    return HoverInfo("\n\n".join(p for p in parts if p), node.start, node.end)


def _is_secret(document: Document, node: Node) -> bool:
    return node in find_secrets(document)


def _value_hover(kind: str, node: Node, document: Document, strip: int = 0) -> HoverInfo | None:
    path = node.path[strip:]
    comp = schema_at_path(kind, path)
    if comp is None:
        return None
    parent = node.parent
    # The member this value belongs to (the list's member for list items).
    owner: Node | None = node
    while owner is not None and owner.member_name is None:
        owner = owner.parent
    member_doc = None
    if owner is not None and owner.parent is not None:
        member_doc = member_markdown(kind, owner.parent.path[strip:], owner.member_name or "", brief=True)
    parts: list[str] = []
    if comp.enum_list and node.kind == STRING and not _is_secret(document, node):
        value = node.value
        name = owner.member_name if owner is not None else "the value"
        if value in comp.enum_list:
            parts.append(f"{_code(value)}: one of the allowed values of **{name}**")
        else:
            parts.append(f"{_code(value)} is **not** an allowed value of **{name}**")
        parts.append(
            "Allowed values: " + ", ".join(f"**{_code(v)}**" if v == value else _code(v) for v in comp.enum_list)
        )
        if member_doc:
            parts.append(member_doc.split("\n\n", 1)[1] if "\n\n" in member_doc else member_doc)
    elif member_doc:
        if isinstance(node.key, int) and parent is not None:
            parts.append(f"Item {node.key} of **{owner.member_name if owner else ''}**")
        parts.append(member_doc)
    else:
        return None
    return HoverInfo("\n\n".join(parts), node.start, node.end)
