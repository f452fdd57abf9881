"""Completion (editor independent, error tolerant, offset based).

``complete(text, offset, kind, fmt, ...)`` returns :class:`CompletionItem`\\ s
whose edits replace ``text[start:end]``.  It works in half-typed documents:

* JSON: the parser's partial tree gives the innermost object or array around
  the cursor; the tokens of the lines around the cursor say whether the
  cursor is on a key (after ``{`` or ``,``, or after a value with the comma
  missing) or on a value (after ``:``), and what is already typed (an open or
  closed string, a bare word).  JSON strings never span lines, so tokenizing
  single lines is exact.
* YAML: the text alone (no parse needed): the cursor line says key or value
  (``key: |``), the indentation of the lines above gives the path of the
  mapping the key belongs to (``- `` items count as list indexes), the
  lines at the same indentation above and below give the keys already
  present.

Items: member names valid at the cursor (missing required ones first,
present ones left out), union members as snippets with their required
children (e.g. a whole Mail Manager ``Bounce`` action), enum values
(operators fitting the expression are the ``Operator`` enum of that
expression), booleans, and rule names for ``After`` / ``RuleName`` /
``RuleNames`` (from the workspace).  Each item has Markdown documentation.

Snippet text uses LSP snippet syntax (``$1``, ``${1|a,b|}``);
:meth:`CompletionItem.plain_text` is the text for clients without snippets.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ses_lsp.cfn import TEMPLATE_KIND
from ses_lsp.cfn.editor import is_type_value, properties_scope, resource_types
from ses_lsp.cfn.mapping import BY_TYPE
from ses_lsp.document.document import Document
from ses_lsp.document.nodes import ARRAY, BOOLEAN, INTEGER, NUMBER, OBJECT, STRING, LineIndex, Node
from ses_lsp.editor import navigation as nav
from ses_lsp.editor.hover import member_markdown
from ses_lsp.editor.navigation import yaml_scalar
from ses_lsp.lint.diagnostics import TextEdit
from ses_lsp.lint.edits import json_text
from ses_lsp.lint.rules.names import RULE_REFERENCES
from ses_lsp.lint.validator import member_order, schema_at_path, schema_for_kind
from ses_lsp.schema import ROUTING_TEST_KIND

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.editor.navigation import Workspace
    from ses_lsp.lint.validator import Compiled

__all__ = ["CompletionItem", "apply_completion", "complete", "snippet_to_text"]

# Item kinds (the server maps them to LSP CompletionItemKind).
PROPERTY = "property"
VALUE = "value"
ENUM = "enum"
SNIPPET = "snippet"
REFERENCE = "reference"
KEYWORD = "keyword"


@dataclass
class CompletionItem:
    label: str
    kind: str
    new_text: str
    start: int
    end: int
    snippet: bool = False
    detail: str = ""
    documentation: str = ""
    sort_text: str = ""
    filter_text: str | None = None
    additional_edits: tuple[TextEdit, ...] = ()
    preselect: bool = False

    @property
    def plain_text(self) -> str:
        return snippet_to_text(self.new_text) if self.snippet else self.new_text

    @property
    def multiline(self) -> bool:
        return "\n" in self.new_text


_SNIPPET_TOKEN = r"\\([$}\\])|\$\{(\d+)\|([^|]*)\|\}|\$\{(\d+):([^}]*)\}|\$\{(\d+)\}|\$(\d+)"


def snippet_to_text(snippet: str) -> str:
    """The text a snippet inserts with every placeholder at its default (first choice)."""

    def sub(m: re.Match) -> str:
        if m.group(1) is not None:
            return m.group(1)
        if m.group(3) is not None:
            return m.group(3).split(",")[0].replace("\\,", ",")
        if m.group(5) is not None:
            return m.group(5)
        return ""

    return re.sub(_SNIPPET_TOKEN, sub, snippet)


def apply_completion(text: str, item: CompletionItem) -> str:
    """``text`` after accepting ``item`` (plain text; additional edits included)."""
    edits = [(item.start, item.end, item.plain_text)]
    edits += [(e.start, e.end, e.new_text) for e in item.additional_edits]
    for s, e, t in sorted(edits, key=lambda x: (x[0], x[1]), reverse=True):
        text = text[:s] + t + text[e:]
    return text


def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace("$", "\\$").replace("}", "\\}")


def _esc_choice(text: str) -> str:
    return _esc(text).replace(",", "\\,").replace("|", "\\|")


class _Tabs:
    def __init__(self) -> None:
        self.n = 0

    def stop(self, default: str = "") -> str:
        self.n += 1
        return f"${{{self.n}:{_esc(default)}}}" if default else f"${self.n}"

    def choice(self, values: list[str]) -> str:
        self.n += 1
        if len(values) == 1:
            return f"${{{self.n}:{_esc(values[0])}}}"
        return f"${{{self.n}|{','.join(_esc_choice(v) for v in values)}|}}"


# -- context -------------------------------------------------------------------


@dataclass
class _Ctx:
    where: str  # "key" or "value"
    path: tuple
    start: int
    end: int
    present: set[str] = field(default_factory=set)
    colon_follows: bool = False  # key: a ':' already follows the replaced text
    comma_after: bool = False  # JSON key: another member follows, add ',' after the value
    additional: list[TextEdit] = field(default_factory=list)
    indent: str = ""  # JSON: the current line's indentation
    column: int = 0  # YAML: the key's column
    value_prefix: str = ""  # text to put before a value (YAML 'key:|' needs a space; JSON a missing ':')
    quote: str | None = None  # YAML: the quote the user typed
    typed: str = ""
    in_flow: bool = False


# -- JSON context -----------------------------------------------------------------

_JSON_TOKEN = re.compile(r'"(?:[^"\\\r\n]|\\.)*"?|[{}\[\]:,]|[^\s{}\[\]:,"]+')


def _line_tokens(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in _JSON_TOKEN.finditer(text, start, end)]


def _is_open_string(tok: str) -> bool:
    if not tok.startswith('"'):
        return False
    if len(tok) == 1:
        return True
    if not tok.endswith('"'):
        return True
    # ends with a quote: escaped?
    body = tok[1:-1]
    backslashes = len(body) - len(body.rstrip("\\"))
    return backslashes % 2 == 1


def _prev_tokens(text: str, lines: LineIndex, before: int, n: int, max_lines: int = 200) -> list[tuple[int, int, str]]:
    """Up to ``n`` significant tokens ending at or before ``before``, nearest first."""
    out: list[tuple[int, int, str]] = []
    line, _ = lines.position(before)
    end = before
    seen = 0
    while line >= 0 and len(out) < n and seen < max_lines:
        start = lines.starts[line]
        toks = [t for t in _line_tokens(text, start, end) if t[1] <= before]
        for t in reversed(toks):
            out.append(t)
            if len(out) >= n:
                break
        line -= 1
        seen += 1
        if line >= 0:
            end = lines.line_end(line)
    return out


def _next_token(text: str, lines: LineIndex, after: int, max_lines: int = 50) -> tuple[int, int, str] | None:
    line, _ = lines.position(after)
    start = after
    for _ in range(max_lines):
        if line >= len(lines.starts):
            return None
        toks = _line_tokens(text, start, lines.line_end(line))
        if toks:
            return toks[0]
        line += 1
        if line < len(lines.starts):
            start = lines.starts[line]
    return None


def _container_at(root: Node | None, offset: int, text: str) -> Node | None:
    def contains(n: Node) -> bool:
        if n.kind not in (OBJECT, ARRAY) or not (n.start < offset <= n.end):
            return False
        if offset == n.end:  # only an unclosed container (ends at EOF) contains its end
            return n.end > 0 and text[n.end - 1] not in "}]"
        return True

    if root is None or not contains(root):
        return None
    node = root
    while True:
        nxt = None
        children = node.dict_value.values() if node.kind == OBJECT else node.list_value
        for child in children:
            if child.start > offset:
                break
            if contains(child):
                nxt = child
                break
        if nxt is None:
            return node
        node = nxt


def _json_key_text(tok: str) -> str | None:
    if tok.startswith('"'):
        body = tok if not _is_open_string(tok) else tok + '"'
        try:
            v = json.loads(body)
        except ValueError:
            return tok.strip('"')
        return v if isinstance(v, str) else None
    return tok


def _json_context(text: str, offset: int, document: Document) -> _Ctx | None:
    lines = document.lines
    line, _ = lines.position(offset)
    ls, le = lines.starts[line], lines.line_end(line)
    toks = _line_tokens(text, ls, le)
    cur = None
    for t in toks:
        s, e, tok = t
        if tok[0] == '"':
            if s < offset < e or (offset == e and _is_open_string(tok)):
                cur = t
                break
        elif tok[0] not in "{}[]:,":
            if s < offset <= e:
                cur = t
                break
    before = cur[0] if cur else offset
    prev = _prev_tokens(text, lines, before, 2)
    container = _container_at(document.root, offset, text)
    if container is None:
        return None
    if cur is not None:
        start, end = cur[0], (offset if _is_open_string(cur[2]) else cur[1])
    else:
        start = end = offset
    indent_m = re.match(r"[ \t]*", text[ls:le])
    indent = indent_m.group(0) if indent_m else ""
    p = prev[0][2] if prev else None
    pp = prev[1][2] if len(prev) > 1 else None
    typed = text[start:offset]

    def is_value_tok(tok: str | None) -> bool:
        return tok is not None and tok not in ("{", "[", ",", ":")

    if container.kind == OBJECT:
        if p == ":":
            key = _json_key_text(pp) if pp else None
            if key is None:
                return None
            return _Ctx("value", container.path + (key,), start, end, indent=indent, typed=typed)
        if p is not None and p.startswith('"') and pp in ("{", ","):
            # a key without its colon: offer the values, inserting the colon
            key = _json_key_text(p)
            if key is None:
                return None
            return _Ctx("value", container.path + (key,), start, end, indent=indent, value_prefix=": ", typed=typed)
        ctx = _Ctx("key", container.path, start, end, indent=indent, typed=typed)
        if is_value_tok(p) and prev:
            ctx.additional.append(TextEdit(prev[0][1], prev[0][1], ","))
        nxt = _next_token(text, lines, end)
        if nxt is not None and nxt[2] == ":":
            ctx.colon_follows = True
        elif nxt is not None and nxt[2][0] in '"{[':
            ctx.comma_after = True
        for k, _v in container.members or ():
            if k.end <= start or k.start >= end:
                ctx.present.add(k.value if isinstance(k.value, str) else str(k.value))
        return ctx
    # array: an item
    ctx = _Ctx("value", container.path + (0,), start, end, indent=indent, typed=typed)
    if is_value_tok(p) and p != "[" and prev:
        ctx.additional.append(TextEdit(prev[0][1], prev[0][1], ","))
    return ctx


# -- YAML context -----------------------------------------------------------------

_YAML_KEY = re.compile(
    r"""(?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"\-?:,\[\]{}][^#]*?|-[^\s#][^#]*?)[ \t]*:(?=[ \t]|$)"""
)


def _unquote_yaml_key(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith('"'):
        try:
            return json.loads(raw)
        except ValueError:
            return raw.strip('"')
    if raw.startswith("'"):
        return raw[1:-1].replace("''", "'")
    return raw


def _yaml_entries(lt: str) -> list[tuple]:
    """Structure on one line: ("item", col, content col) and ("key", col, name, has value)."""
    out: list[tuple] = []
    pos = len(lt) - len(lt.lstrip(" "))
    n = len(lt)
    while pos < n and lt[pos] == "-" and (pos + 1 == n or lt[pos + 1] in " \t"):
        nxt = pos + 1
        while nxt < n and lt[nxt] in " \t":
            nxt += 1
        out.append(("item", pos, nxt))
        pos = nxt
    if pos < n and lt[pos] != "#":
        m = _YAML_KEY.match(lt, pos)
        if m:
            rest = lt[m.end() :]
            rest = re.sub(r"(^|[ \t])#.*$", "", rest).strip()
            has_value = bool(rest) and not re.fullmatch(r"[&!]\S*", rest)
            out.append(("key", pos, _unquote_yaml_key(m.group(0).rstrip()[:-1]), has_value))
    return out


def _first_col(lt: str) -> int | None:
    stripped = lt.lstrip(" ")
    if not stripped or stripped.startswith("#") or stripped.startswith("\t"):
        return None
    if stripped.startswith(("---", "...", "%")) and len(lt) == len(stripped):
        return -1  # document marker / directive: a hard boundary
    return len(lt) - len(stripped)


def _yaml_path(lines: LineIndex, line_no: int, col: int, items: list[tuple]) -> tuple[tuple, set[str]]:
    """The path of the mapping whose keys are at ``col`` on ``line_no`` and the keys present in it.

    ``items``: the ("item", col, content) entries of the cursor line before the cursor.
    """
    path: list = []
    present: set[str] = set()
    target, is_item, count, level = col, False, 0, 0

    def visit(e: tuple) -> None:
        nonlocal target, is_item, count, level, path
        c = e[1]
        if c > target:
            return
        if e[0] == "key":
            name, has_value = e[2], e[3]
            if c == target:
                if not is_item:
                    if level == 0:
                        present.add(name)
                elif not has_value:  # "Key:\n- item": a list at its key's indentation
                    path = [name, count] + path
                    is_item, count, level = False, 0, level + 1
                return
            if has_value:  # cannot be a parent: the position is its sibling
                target, is_item = c, False
                if level == 0:
                    present.add(name)
                return
            path = ([name, count] if is_item else [name]) + path
            target, is_item, count, level = c, False, 0, level + 1
            return
        # an item marker
        if c == target:
            if is_item:
                count += 1
            return
        if is_item:  # nested list in a list
            path = [count] + path
            count = 0
        target, is_item, level = c, True, level + 1

    for e in reversed(items):
        visit(e)
    text = lines.text
    for ln in range(line_no - 1, -1, -1):
        start = lines.starts[ln]
        end = lines.line_end(ln)
        lt = text[start:end]
        fc = _first_col(lt)
        if fc is None or fc > target:
            continue
        if fc == -1:
            break
        for e in reversed(_yaml_entries(lt)):
            visit(e)
    if is_item:
        path = [count] + path
    # keys below, in the same mapping
    for ln in range(line_no + 1, len(lines.starts)):
        lt = text[lines.starts[ln] : lines.line_end(ln)]
        fc = _first_col(lt)
        if fc is None or fc > col:
            continue
        if fc == -1 or fc < col:
            break
        ents = _yaml_entries(lt)
        if ents and ents[0][0] == "key":
            present.add(ents[0][2])
    return tuple(path), present


def _scalar_end(after: str) -> int:
    """Length of the rest of a YAML scalar after the cursor (up to a comment or the line end)."""
    m = re.search(r"[ \t]+#", after)
    seg = after[: m.start()] if m else after
    return len(seg.rstrip())


def _in_comment(before: str) -> bool:
    quote = None
    for i, c in enumerate(before):
        if quote:
            if c == quote:
                quote = None
            continue
        if c in "'\"" and (i == 0 or before[i - 1] in " \t:[{,-"):
            quote = c
            continue
        if c == "#" and (i == 0 or before[i - 1] in " \t"):
            return True
    return False


def _yaml_context(text: str, offset: int, lines: LineIndex) -> _Ctx | None:
    line, col = lines.position(offset)
    ls = lines.starts[line]
    lt = lines.line_text(line)
    before, after = lt[:col], lt[col:]
    if "\t" in before[: len(before) - len(before.lstrip())] or _in_comment(before):
        return None
    m = re.match(r"( *)((?:-[ \t]+)*)", before)
    assert m is not None
    items: list[tuple] = []
    for dm in re.finditer(r"-[ \t]+", m.group(2)):
        items.append(("item", len(m.group(1)) + dm.start(), len(m.group(1)) + dm.end()))
    key_col = m.end()
    rest = before[key_col:]

    # "key: value" on this line?
    km = re.match(r"""((?:"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^\s#'"?,\[\]{}][^#]*?))[ \t]*:(?:([ \t]+)(.*))?$""", rest)
    if km:
        key = _unquote_yaml_key(km.group(1))
        mapping_path, _ = _yaml_path(lines, line, key_col, items)
        value = km.group(3) if km.group(3) is not None else ""
        vstart_col = col - len(value)
        flow = _flow_context(value)
        if flow is not None:
            sub_path, where, fstart, typed = flow
            s = ls + vstart_col + fstart
            e = offset + _word_len(after)
            ctx = _Ctx(where, (*mapping_path, key, *sub_path), s, e, column=key_col, typed=typed, in_flow=True)
            if where == "key":
                ctx.colon_follows = after[_word_len(after) :].lstrip().startswith(":")
            return ctx
        if value[:1] in ("[", "{", "|", ">", "&", "*", "!"):
            return None
        ctx = _Ctx(
            "value", (*mapping_path, key), ls + vstart_col, offset + _scalar_end(after), column=key_col, typed=value
        )
        if km.group(2) is None:
            ctx.value_prefix = " "
        if value[:1] in ("'", '"'):
            ctx.quote = value[0]
        return ctx
    if re.search(r":[ \t]", rest) or rest.startswith(("[", "{", "|", ">", "&", "*", "!", "#")):
        return None
    if re.search(r"\s", rest.strip()):
        return None
    # a key (or a list item's scalar) being typed
    mapping_path, present = _yaml_path(lines, line, key_col, items)
    wl = _word_len(after)
    tail = after[wl:]
    ctx = _Ctx("key", mapping_path, ls + key_col, offset + wl, present=present, column=key_col, typed=rest)
    ctx.colon_follows = tail.lstrip(" \t").startswith(":")
    if rest[:1] in ("'", '"'):
        ctx.quote = rest[0]
    if tail.strip() and not ctx.colon_follows and not tail.lstrip().startswith("#"):
        return None
    return ctx


def _word_len(after: str) -> int:
    m = re.match(r"""[^\s:#,\[\]{}'"]*['"]?""", after)
    return m.end() if m else 0


def _flow_context(value: str) -> tuple[tuple, str, int, str] | None:
    """Inside ``[...]`` / ``{...}`` on one line: (sub path, "key"/"value", start in value, typed)."""
    if not value or value[0] not in "[{":
        return None
    stack: list[list] = []  # [bracket, has_colon, item count, key]
    quote = None
    tok_start = 0
    for i, c in enumerate(value):
        if quote:
            if c == quote:
                quote = None
            continue
        if c in "'\"" and (i == tok_start or value[tok_start:i].strip() == ""):
            quote = c
            continue
        if c in "[{":
            stack.append([c, False, 0, None, i + 1])
            tok_start = i + 1
        elif c in "]}":
            if stack:
                stack.pop()
            tok_start = i + 1
        elif c == ",":
            if stack:
                stack[-1][1] = False
                stack[-1][2] += 1
                stack[-1][3] = None
            tok_start = i + 1
        elif c == ":" and stack and stack[-1][0] == "{" and (i + 1 == len(value) or value[i + 1] in " \t"):
            stack[-1][1] = True
            stack[-1][3] = value[tok_start:i].strip()
            tok_start = i + 1
    if not stack:
        return None
    sub: list = []
    for frame in stack[:-1]:
        sub.append(frame[2] if frame[0] == "[" else (frame[3] or ""))
    top = stack[-1]
    lead = len(value[tok_start:]) - len(value[tok_start:].lstrip())
    start = tok_start + lead
    typed = value[start:]
    if top[0] == "[":
        return (*sub, top[2]), "value", start, typed
    if top[1]:
        return (*sub, _unquote_yaml_key(top[3] or "")), "value", start, typed
    return tuple(sub), "key", start, typed


# -- items -----------------------------------------------------------------------------


def _schema_tools(kind: str):
    return schema_for_kind(kind)[0]


def _is_object(c: Compiled | None) -> bool:
    return c is not None and c.accepts is not None and OBJECT in c.accepts


def _is_array(c: Compiled | None) -> bool:
    return c is not None and c.accepts is not None and ARRAY in c.accepts


def _yaml_after_key(sset, c: Compiled | None, col: int, tabs: _Tabs, depth: int) -> str:
    pad = " " * (col + 2)
    if c is None:
        return " " + tabs.stop()
    if _is_object(c):
        if c.values is None and not c.prop_schemas:
            return " {}"
        if c.union or c.values is not None or not c.required or depth >= 4:
            return "\n" + pad + tabs.stop()
        parts = []
        for r in member_order(c):
            if r in c.required:
                parts.append(pad + r + ":" + _yaml_after_key(sset, sset.member(c, r), col + 2, tabs, depth + 1))
        return "\n" + "\n".join(parts)
    if _is_array(c):
        return "\n" + pad + "- " + tabs.stop()
    if c.enum_list:
        return " " + tabs.choice([yaml_scalar(str(v)) for v in c.enum_list])
    if c.accepts == frozenset({BOOLEAN}):
        return " " + tabs.choice(["true", "false"])
    return " " + tabs.stop()


def _json_value(sset, c: Compiled | None, indent: str, unit: str, tabs: _Tabs, depth: int) -> str:
    if c is None:
        return tabs.stop()
    if _is_object(c):
        if c.union or c.values is not None or not c.required or depth >= 4:
            return "{" + tabs.stop() + "}" if (c.prop_schemas or c.values is not None) else "{}"
        inner = indent + unit
        members = [
            inner + json.dumps(r) + ": " + _json_value(sset, sset.member(c, r), inner, unit, tabs, depth + 1)
            for r in member_order(c)
            if r in c.required
        ]
        return "{\n" + ",\n".join(members) + "\n" + indent + "}"
    if _is_array(c):
        return "[" + tabs.stop() + "]"
    if c.enum_list:
        return '"' + tabs.choice([str(v) for v in c.enum_list]) + '"'
    if c.accepts == frozenset({BOOLEAN}):
        return tabs.choice(["true", "false"])
    if c.accepts and c.accepts <= {INTEGER, NUMBER} and not c.timestamp:
        return tabs.stop("0")
    return '"' + tabs.stop() + '"'


def _indent_unit(text: str) -> str:
    m = re.search(r"\n([ \t]+)\S", text[:4000])
    if m:
        ws = m.group(1)
        return "\t" if ws.startswith("\t") else " " * min(len(ws), 8)
    return "  "


def _member_items(kind: str, ctx: _Ctx, fmt: str, text: str) -> list[CompletionItem]:
    comp = schema_at_path(kind, ctx.path)
    if comp is None:
        return []
    if not _is_object(comp) or comp.values is not None:
        return []
    if comp.union and ctx.present & set(comp.prop_schemas):
        return []  # a union takes exactly one member, and it has one
    sset = _schema_tools(kind)
    order = member_order(comp)
    missing_required = [n for n in order if n in comp.required and n not in ctx.present]
    out: list[CompletionItem] = []
    unit = _indent_unit(text)
    for idx, name in enumerate(order):
        if name in ctx.present:
            continue
        sub = sset.member(comp, name)
        required = name in missing_required
        doc = member_markdown(kind, ctx.path, name) or ""
        snippet = False
        if fmt == "json":
            key = json.dumps(name)
            if ctx.colon_follows:
                new = key
            elif comp.union:
                new = key + ": " + _json_value(sset, sub, ctx.indent, unit, _Tabs(), 0)
                snippet = True
            else:
                new = key + ": "
                if ctx.comma_after:
                    new += "$0,"
                    snippet = True
            filter_text = key if text[ctx.start : ctx.start + 1] == '"' else name
        else:
            key = name
            if ctx.quote:
                key = json.dumps(name) if ctx.quote == '"' else f"'{name}'"
            if ctx.colon_follows:
                new = key
            elif comp.union or (
                ctx.in_flow is False and _is_object(sub) and sub is not None and sub.required and not sub.union
            ):
                new = _esc(key) + ":" + _yaml_after_key(sset, sub, ctx.column, _Tabs(), 0)
                snippet = True
            else:
                new = key + ": "
            filter_text = key if ctx.quote else name
        detail = "required" if required else ("choice" if comp.union else "optional")
        if sub is not None and sub.type_words:
            detail += f" · {sub.type_words}" if not sub.union else " · object (one of several members)"
        out.append(
            CompletionItem(
                label=name,
                kind=SNIPPET if (snippet and "\n" in new) else PROPERTY,
                new_text=new,
                start=ctx.start,
                end=ctx.end,
                snippet=snippet,
                detail=detail,
                documentation=doc,
                sort_text=f"{0 if required else 1}{idx:03d}",
                filter_text=filter_text,
                additional_edits=tuple(ctx.additional),
                preselect=required and name == missing_required[0],
            )
        )
    return out


def _rule_name_items(
    kind: str, ctx: _Ctx, document: Document | None, workspace: Workspace | None, uri: str | None, fmt: str
) -> list[CompletionItem] | None:
    refs = RULE_REFERENCES.get(kind)
    if refs is None:
        return None
    singles, lists = refs
    path = ctx.path
    if not ((len(path) == 1 and path[0] in singles) or (len(path) == 2 and path[0] in lists)):
        return None
    own_set = own_rule = None
    if document is not None and document.root is not None and document.root.kind == OBJECT:
        rs = document.root.get("RuleSetName")
        own_set = rs.value if rs is not None and rs.kind == STRING else None
        rule = document.root.get("Rule")
        if rule is not None and rule.kind == OBJECT:
            nm = rule.get("Name")
            own_rule = nm.value if nm is not None and nm.kind == STRING else None
    ws = workspace
    if document is not None:
        ws = nav._with_self(workspace, uri, document, kind)
    names = nav.rule_names(ws, "ses")
    out = []
    for i, (name, defs) in enumerate(sorted(names.items())):
        if own_set is not None:
            defs = [d for d in defs if d.rule_set is None or d.rule_set == own_set]
            if not defs:
                continue
        if name == own_rule and path[0] == "After":
            continue
        where = sorted({(d.uri or "this document").rsplit("/", 1)[-1] for d in defs})
        rsets = sorted({d.rule_set for d in defs if d.rule_set})
        doc = (
            f"Receipt rule **{name}**"
            + (f" in rule set `{rsets[0]}`" if rsets else "")
            + f", defined in {', '.join(where)}"
        )
        out.append(_value_item(name, name, ctx, fmt, REFERENCE, "receipt rule", doc, i))
    return out


def _routing_items(
    kind: str, ctx: _Ctx, document: Document | None, workspace: Workspace | None, fmt: str
) -> list[CompletionItem] | None:
    """In a routing test's expectations (``Cases[i].Expect[address]``): the rule names of the rule
    set its ``RuleFiles`` lead to (``rules``, an action's ``rule``, ``stopped_by.rule``), and the
    action types of its service (an action's ``type``, ``stopped_by.type``)."""
    if kind != ROUTING_TEST_KIND or document is None:
        return None
    path = ctx.path
    if len(path) < 6 or path[0] != "Cases" or path[2] != "Expect":
        return None
    tail = path[4:]
    stop = tail[0] == "stopped_by" and len(tail) == 2
    in_action = tail[0] == "actions" and len(tail) == 3
    if tail[0] == "rules" and len(tail) == 2 or (stop or in_action) and tail[-1] == "rule":
        wants = "rule"
    elif (stop or in_action) and tail[-1] == "type":
        wants = "type"
    else:
        return None
    from ses_lsp.lint.rules.routing import action_types, shown_path
    from ses_lsp.routing_files import resolve
    from ses_lsp.semantics.routing import STOP_TYPES, read_routing

    ref = resolve(document.path, read_routing(document.root).rule_files, workspace)
    rs = ref.rule_set
    if rs is None:
        return []
    where = shown_path(rs.path, ref.base)
    if wants == "rule":
        return [
            _value_item(
                name,
                name,
                ctx,
                fmt,
                REFERENCE,
                "rule",
                f"Rule **{name}** (rule {i + 1} of {len(rs.names)}) of `{where}`",
                i,
            )
            for i, name in enumerate(rs.names)
        ]
    types = STOP_TYPES[rs.service] if stop else action_types(rs.service)
    what = "what stops evaluation" if stop else "an action's API member name"
    return [
        _value_item(t, t, ctx, fmt, ENUM, "action type", f"`{t}`: {what} in the rule set of `{where}`", i)
        for i, t in enumerate(types)
    ]


def _value_item(
    label: str, value: str, ctx: _Ctx, fmt: str, kind: str, detail: str, doc: str, idx: int, literal: bool = False
) -> CompletionItem:
    if fmt == "json":
        new = value if literal else json_text(value)
        filt = new
    else:
        if literal:
            new = value
        elif ctx.quote == '"':
            new = json_text(value)
        elif ctx.quote == "'":
            new = "'" + value.replace("'", "''") + "'"
        else:
            new = yaml_scalar(value)
        filt = new if ctx.quote else label
    return CompletionItem(
        label=label,
        kind=kind,
        new_text=ctx.value_prefix + new,
        start=ctx.start,
        end=ctx.end,
        detail=detail,
        documentation=doc,
        sort_text=f"{idx:04d}",
        filter_text=filt,
        additional_edits=tuple(ctx.additional),
    )


def _value_items(
    kind: str, ctx: _Ctx, fmt: str, text: str, document: Document | None, workspace: Workspace | None, uri: str | None
) -> list[CompletionItem]:
    names = _rule_name_items(kind, ctx, document, workspace, uri, fmt)
    if names is not None:
        return names
    expected = _routing_items(kind, ctx, document, workspace, fmt)
    if expected is not None:
        return expected
    comp = schema_at_path(kind, ctx.path)
    if comp is None:
        return []
    # The member (or list member) this value belongs to, for documentation.
    member_path = tuple(ctx.path)
    while member_path and isinstance(member_path[-1], int):
        member_path = member_path[:-1]
    owner = member_path[-1] if member_path else None
    owner_doc = member_markdown(kind, member_path[:-1], owner, brief=True) if owner else None
    out: list[CompletionItem] = []
    if comp.enum_list:
        for i, v in enumerate(comp.enum_list):
            doc = f"`{v}`: allowed value of **{owner}**\n\nAll values: " + ", ".join(f"`{x}`" for x in comp.enum_list)
            if owner_doc:
                doc += "\n\n---\n\n" + owner_doc
            out.append(_value_item(str(v), str(v), ctx, fmt, ENUM, f"{owner} value" if owner else "value", doc, i))
        return out
    if comp.accepts == frozenset({BOOLEAN}):
        for i, v in enumerate(("true", "false")):
            out.append(_value_item(v, v, ctx, fmt, KEYWORD, "boolean", owner_doc or "", i, literal=True))
        return out
    if fmt == "json" and _is_object(comp) and not ctx.typed:
        sset = _schema_tools(kind)
        unit = _indent_unit(text)
        if comp.union:
            for i, name in enumerate(member_order(comp)):
                sub = sset.member(comp, name)
                inner = ctx.indent + unit
                body = (
                    "{\n"
                    + inner
                    + json.dumps(name)
                    + ": "
                    + _json_value(sset, sub, inner, unit, _Tabs(), 0)
                    + "\n"
                    + ctx.indent
                    + "}"
                )
                doc = member_markdown(kind, ctx.path, name) or ""
                out.append(
                    CompletionItem(
                        label=name,
                        kind=SNIPPET,
                        new_text=ctx.value_prefix + body,
                        start=ctx.start,
                        end=ctx.end,
                        snippet=True,
                        detail=f"{{ {name}: … }}",
                        documentation=doc,
                        sort_text=f"{i:04d}",
                        filter_text=name,
                        additional_edits=tuple(ctx.additional),
                    )
                )
        elif comp.required:
            body = _json_value(sset, comp, ctx.indent, unit, _Tabs(), 0)
            out.append(
                CompletionItem(
                    label="{…}",
                    kind=SNIPPET,
                    new_text=ctx.value_prefix + body,
                    start=ctx.start,
                    end=ctx.end,
                    snippet=True,
                    detail="object with its required members",
                    documentation=owner_doc or "",
                    sort_text="0000",
                    filter_text="{",
                    additional_edits=tuple(ctx.additional),
                )
            )
    return out


def _resource_type_items(ctx: _Ctx, fmt: str) -> list[CompletionItem]:
    """The SES resource types ses-lsp checks, for a resource's ``Type``."""
    out = []
    for i, (name, info) in enumerate(sorted(resource_types().items())):
        mapping = BY_TYPE.get(name)
        doc = info.get("description") or ""
        if mapping is not None and mapping.kind:
            doc += f"\n\nses-lsp checks its Properties as a `{mapping.kind}` document."
        out.append(_value_item(name, name, ctx, fmt, ENUM, "SES resource type", doc, i))
    return out


def complete(
    text: str,
    offset: int,
    kind: str | None,
    fmt: str,
    *,
    document: Document | None = None,
    workspace: Workspace | None = None,
    uri: str | None = None,
) -> list[CompletionItem]:
    """Completion items at ``offset`` in a document of ``kind`` (``fmt``: "json" or "yaml")."""
    if kind is None:
        return []
    offset = max(0, min(offset, len(text)))
    if document is None or document.text is not text:
        document = Document(text, uri, fmt)
    if fmt == "json":
        ctx = _json_context(text, offset, document)
    else:
        ctx = _yaml_context(text, offset, document.lines)
    if ctx is None:
        return []
    if kind == TEMPLATE_KIND:
        # Inside a template: the Properties of an SES resource complete as the API document
        # they correspond to (the resource type's schema), and a resource's Type offers the
        # SES resource types.  The rest of a template is cfn-lint's and the YAML server's.
        if ctx.where == "value" and is_type_value(ctx.path):
            return _resource_type_items(ctx, fmt)
        scope = properties_scope(document.root, ctx.path)
        if scope is None:
            return []
        kind, ctx.path = scope
    if ctx.where == "key":
        comp = schema_at_path(kind, ctx.path)
        if comp is not None and not _is_object(comp) and fmt == "yaml" and ctx.path and isinstance(ctx.path[-1], int):
            # "- |" in a list of scalars: a value
            ctx.where = "value"
            return _value_items(kind, ctx, fmt, text, document, workspace, uri)
        return _member_items(kind, ctx, fmt, text)
    return _value_items(kind, ctx, fmt, text, document, workspace, uri)
