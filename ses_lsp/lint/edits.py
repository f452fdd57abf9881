"""Format-aware text edits for fixes: they touch only the spans they must.

Every helper takes the :class:`~ses_lsp.document.document.Document` and nodes
of its tree and returns :class:`~ses_lsp.lint.diagnostics.TextEdit` objects
(offsets into the original text).  JSON and YAML (block and flow style) are
both handled; formatting and comments elsewhere stay untouched.
"""

from __future__ import annotations

import json
import re

from ses_lsp.document.document import Document
from ses_lsp.document.nodes import ARRAY, OBJECT, Node
from ses_lsp.lint.diagnostics import TextEdit

_LONE_SURROGATE = "[\ud800-\udfff]"


def json_text(value: object) -> str:
    """``value`` as JSON text, non-ASCII kept as is, except lone UTF-16 surrogates (which a JSON
    ``\\uXXXX`` escape can hold, but UTF-8 cannot): they stay escaped, so the edited file can
    still be written as UTF-8."""
    text = json.dumps(value, ensure_ascii=False)
    if re.search(_LONE_SURROGATE, text) is None:
        return text
    return re.sub(_LONE_SURROGATE, lambda m: f"\\u{ord(m.group()):04x}", text)


_YAML_PLAIN_SAFE = r"[A-Za-z_/][A-Za-z0-9_./@+-]*"
_YAML_SPECIAL = (
    r"(?i)(y|yes|n|no|true|false|on|off|null|~|[-+]?(\.inf|\.nan)|[-+]?[0-9][0-9_.:eE+-]*|0x[0-9a-f_]+|0o[0-7_]+)"
)


def render_scalar(doc: Document, value: object) -> str:
    """A scalar literal in the document's format (quoted where YAML would retype it)."""
    if doc.format == "json" or not isinstance(value, str):
        if doc.format == "yaml" and isinstance(value, bool):
            return "true" if value else "false"
        if doc.format == "yaml" and value is None:
            return "null"
        return json_text(value)
    if re.fullmatch(_YAML_PLAIN_SAFE, value) and not re.fullmatch(_YAML_SPECIAL, value):
        return value
    if "'" not in value and "\n" not in value:
        return f"'{value}'"
    return json_text(value)


# The properties before a YAML node's content: ``&anchor`` and ``!tag`` tokens.
_YAML_PROPERTIES = r"(?:[&!]\S*\s+)*"


def yaml_properties_end(source: str) -> int:
    """Where the content of a YAML node's source text starts: after its properties
    (a node's span covers them: ``&a 5``, ``!!str x``)."""
    m = re.match(_YAML_PROPERTIES, source)
    return m.end() if m else 0


def quote_plain_scalar(doc: Document, node: Node) -> tuple[TextEdit, ...]:
    """Make a plain YAML scalar a single-quoted string: two edits inserting only the quote
    characters around its content (so the edits never carry the value: it may be a
    credential).  Empty when quoting cannot do it: an alias (the value is written at its
    anchor) or a tagged scalar (the tag, not the style, decides its type)."""
    source = doc.text[node.start : node.end]
    if source.startswith("*"):
        return ()
    skip = yaml_properties_end(source)
    if "!" in source[:skip] or skip == len(source) or "'" in source:
        return ()
    start = node.start + skip
    return (TextEdit(start, start, "'"), TextEdit(node.end, node.end, "'"))


def render_key(doc: Document, key: str) -> str:
    if doc.format == "json":
        return json_text(key)
    return render_scalar(doc, key)


def plain_yaml_ok(value: str) -> bool:
    """Can ``value`` be written as a plain YAML scalar (block or flow) and still read as this string?"""
    if not value or value != value.strip() or value[0] in "-?:,[]{}#&*!|>'\"%@`":
        return False
    if ": " in value or " #" in value or any(c in value for c in ",[]{}\n\r\t") or value.endswith(":"):
        return False
    if re.fullmatch(_YAML_SPECIAL, value):
        return False  # reads as a string, but a person (or a YAML 1.1 reader) may take it for a number
    import yaml  # (a YAML document's fix: PyYAML is loaded already)
    from yaml.resolver import Resolver

    return Resolver().resolve(yaml.ScalarNode, value, (True, False)) == "tag:yaml.org,2002:str"


def replace_node(doc: Document, node: Node, value: object) -> TextEdit:
    """Replace a scalar node's text with a new scalar value, keeping its quoting style."""
    src = doc.text[node.start : node.end]
    if isinstance(value, str) and doc.format == "yaml":
        q = src[:1]
        if q == "'" and "\n" not in value:
            return TextEdit(node.start, node.end, "'" + value.replace("'", "''") + "'")
        if q == '"':
            return TextEdit(node.start, node.end, json_text(value))
        if node.plain and plain_yaml_ok(value):
            return TextEdit(node.start, node.end, value)
    return TextEdit(node.start, node.end, render_scalar(doc, value))


def rename_key(doc: Document, key: Node, new_name: str) -> TextEdit:
    src = doc.text[key.start : key.end]
    if src[:1] in ('"', "'"):
        q = src[0]
        inner = json_text(new_name)[1:-1] if q == '"' else new_name.replace("'", "''")
        return TextEdit(key.start, key.end, q + inner + q)
    return TextEdit(key.start, key.end, render_key(doc, new_name))


def _line_start(text: str, offset: int) -> int:
    return text.rfind("\n", 0, offset) + 1


def _next_line_start(text: str, offset: int) -> int:
    i = text.find("\n", offset)
    return len(text) if i == -1 else i + 1


def _is_flow(doc: Document, container: Node) -> bool:
    if doc.format == "json":
        return True
    return doc.text[container.start : container.start + 1] in ("[", "{")


def _yaml_item_block(doc: Document, item: Node) -> tuple[int, int]:
    """The whole lines of a block-sequence item: from its '-' line to the next item's line."""
    text = doc.text
    dash = text.rfind("-", 0, item.start)
    start = _line_start(text, dash)
    # End: the end of the last line of the item's content (comments on it included).
    end = _next_line_start(text, max(item.end - 1, item.start))
    return start, end


def _yaml_member_block(doc: Document, key: Node, value: Node) -> tuple[int, int]:
    text = doc.text
    start = _line_start(text, key.start)
    end = _next_line_start(text, max(value.end - 1, key.end))
    return start, end


def remove_item(doc: Document, array: Node, index: int) -> TextEdit:
    """Delete one list item together with its separator."""
    items = array.list_value
    item = items[index]
    if _is_flow(doc, array):
        if len(items) == 1:
            return TextEdit(item.start, item.end, "")
        if index + 1 < len(items):
            return TextEdit(item.start, items[index + 1].start, "")
        return TextEdit(items[index - 1].end, item.end, "")
    start, end = _yaml_item_block(doc, item)
    if len(items) == 1:
        # The list would become empty: write an explicit empty flow list.
        key = array.key_node
        if key is not None:
            colon = doc.text.find(":", key.end)
            return TextEdit(colon + 1, array.end if array.end > colon else colon + 1, " []")
    return TextEdit(start, end, "")


def remove_member(doc: Document, obj: Node, key: Node) -> TextEdit:
    """Delete one member (key and value) together with its separator."""
    members = obj.members or []
    idx = next(i for i, (k, _) in enumerate(members) if k is key)
    k, v = members[idx]
    if _is_flow(doc, obj):
        if len(members) == 1:
            return TextEdit(k.start, v.end, "")
        if idx + 1 < len(members):
            return TextEdit(k.start, members[idx + 1][0].start, "")
        return TextEdit(members[idx - 1][1].end, v.end, "")
    start, end = _yaml_member_block(doc, k, v)
    return TextEdit(start, end, "")


def move_item_last(doc: Document, array: Node, index: int) -> tuple[TextEdit, ...]:
    """Move one list item to the end of its list (two edits: cut and paste)."""
    items = array.list_value
    if index >= len(items) - 1:
        return ()
    item, last = items[index], items[-1]
    text = doc.text
    if _is_flow(doc, array):
        sep = text[items[-2].end : last.start] if len(items) >= 2 else ", "
        cut = TextEdit(item.start, items[index + 1].start, "")
        paste = TextEdit(last.end, last.end, sep + text[item.start : item.end])
        return (cut, paste)
    start, end = _yaml_item_block(doc, item)
    block = text[start:end]
    _, last_end = _yaml_item_block(doc, last)
    if not block.endswith("\n"):
        block += "\n"
    prefix = "" if last_end == 0 or text[last_end - 1] == "\n" else "\n"
    return (TextEdit(start, end, ""), TextEdit(last_end, last_end, prefix + block))


def insert_member(doc: Document, obj: Node, key: str, value: object, after: str | None = None) -> TextEdit:
    """Add ``key: value`` to an object: after the member ``after`` if present, else last."""
    text = doc.text
    members = list(obj.members or [])
    if after is not None:
        idx = next((i for i, (k, _) in enumerate(members) if k.value == after), None)
        if idx is not None and idx + 1 < len(members):
            nk = members[idx + 1][0]
            rk, rv = render_key(doc, key), render_scalar(doc, value)
            if _is_flow(doc, obj):
                sep = text[members[idx][1].end : nk.start]
                return TextEdit(members[idx][1].end, members[idx][1].end, _flow_sep(sep) + f"{rk}: {rv}")
            start = _line_start(text, nk.start)
            pad = text[start : nk.start]
            if pad.strip():
                pad = " " * (nk.start - start)
            _, end = _yaml_member_block(doc, *members[idx])
            return TextEdit(end, end, f"{pad}{rk}: {rv}\n")
    rk, rv = render_key(doc, key), render_scalar(doc, value)
    if _is_flow(doc, obj):
        if not members:
            inner = text[obj.start + 1 : obj.end - 1]
            return TextEdit(obj.start + 1, obj.end - 1, f"{rk}: {rv}" if not inner.strip() else inner + f"{rk}: {rv}")
        lk, lv = members[-1]
        first_k = members[0][0]
        if len(members) >= 2:
            sep = text[members[-2][1].end : lk.start]
        else:
            between = text[obj.start + 1 : first_k.start]
            sep = "," + (between if "\n" in between else " ")
        if "," not in sep:
            sep = ", "
        return TextEdit(lv.end, lv.end, f"{sep}{rk}: {rv}")
    if not members:
        return TextEdit(obj.start, obj.end, f"{{{rk}: {rv}}}")
    first_k = members[0][0]
    indent = first_k.start - _line_start(text, first_k.start)
    lk, lv = members[-1]
    _, end = _yaml_member_block(doc, lk, lv)
    prefix = "" if end == 0 or text[end - 1] == "\n" else "\n"
    line_start = _line_start(text, first_k.start)
    pad = text[line_start : first_k.start]
    if pad.strip():  # first key shares its line with a '- ' indicator
        pad = " " * indent
    return TextEdit(end, end, f"{prefix}{pad}{rk}: {rv}\n")


def _flow_sep(sep: str) -> str:
    """The separator to put before a new flow member, copied from an existing one."""
    return sep if "," in sep else ", "


def container_of(node: Node) -> Node | None:
    p = node.parent
    while p is not None and p.kind not in (OBJECT, ARRAY):
        p = p.parent
    return p
