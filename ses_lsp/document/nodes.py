"""The format-independent document model.

JSON and YAML parse into the same tree of :class:`Node` objects.  Every node
knows its source span as character offsets into the document text (Python
``str`` indices: code points), its parent, and how it hangs from the parent
(``key``), from which its JSON Pointer (RFC 6901) is derived.

Offsets are the only positions kept inside the engine; line/column (and the
LSP's UTF-16 units) are computed at the edge with :class:`LineIndex`.
"""

from __future__ import annotations

import bisect
from _weakref import ref as _ref  # the C module: no import cost (weakref.ref is this)
from collections.abc import Iterator
from dataclasses import dataclass, field

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:
    import re
    from collections.abc import Callable

# Node kinds.  They are JSON Schema type names, plus "timestamp" for a YAML
# scalar that YAML resolves to a date/time (valid only where a timestamp is
# expected).
OBJECT = "object"
ARRAY = "array"
STRING = "string"
INTEGER = "integer"
NUMBER = "number"  # a float
BOOLEAN = "boolean"
NULL = "null"
TIMESTAMP = "timestamp"

SCALAR_KINDS = frozenset({STRING, INTEGER, NUMBER, BOOLEAN, NULL, TIMESTAMP})
# Not a kind the parsers produce: in the view of a CloudFormation template resource that the lint
# builds (ses_lsp.cfn.view), a value an intrinsic function computes at deployment and the
# template does not make certain.  ``value`` is the function's name ("Fn::GetAtt"); it has no
# children.  Every check takes it for a placeholder (ses_lsp.lint.text.is_placeholder_node).
INTRINSIC = "intrinsic"


class Node:
    """A value in the document.

    ``value``:
      * object: ``dict[str, Node]`` (the last of duplicate keys wins, as in
        Python's ``json`` and PyYAML, which is what the AWS CLI sees);
      * array: ``list[Node]``;
      * scalars: the Python value (str, int, float, bool, None, or the source
        text of a YAML timestamp).

    ``key``: for a member value, the key's :class:`Node` (kind ``string``
    normally; a YAML key may be of another kind); for an array item, its
    index; ``None`` for the root and for key nodes themselves.

    ``plain``: for YAML scalars, ``True`` when the scalar was written without
    quotes (plain style), which is what decides implicit typing; ``False``
    otherwise.  JSON scalars are never plain.

    ``dict_value``, ``list_value`` and ``str_value`` are ``value`` itself, typed
    for an object, an array and a string node, and ``member_list`` is ``members``
    typed for an object node (never ``None`` there): read one only where ``kind``
    is known to be that kind (they check nothing; see below the class).
    """

    # ``parent`` is a weak reference (property below): a tree has no reference cycles, so
    # a dropped tree is freed at once by reference counting instead of by the garbage
    # collector (which would otherwise scan tens of thousands of nodes per dropped tree).
    __slots__ = ("kind", "value", "start", "end", "_parent", "key", "plain", "members", "anchor", "__weakref__")

    def __init__(
        self,
        kind: str,
        value: object,
        start: int,
        end: int,
        parent: Node | None = None,
        key: Node | int | None = None,
        plain: bool = False,
    ) -> None:
        self.kind = kind
        self.value = value
        self.start = start
        self.end = end
        self._parent = _ref(parent) if parent is not None else None
        self.key = key
        self.plain = plain
        # For objects: every (key node, value node) pair in source order,
        # duplicates included.  ``None`` for other kinds.
        self.members: list[tuple[Node, Node]] | None = None
        # For YAML: the anchor name defined on this node, if any.
        self.anchor: str | None = None

    if TYPE_CHECKING:
        # At run time these are the ``value`` (``members``) slot under other names (set below
        # the class): reading one costs what reading the slot costs and returns the same object.
        @property
        def dict_value(self) -> dict[str, Node]: ...
        @property
        def list_value(self) -> list[Node]: ...
        @property
        def str_value(self) -> str: ...
        @property
        def member_list(self) -> list[tuple[Node, Node]]: ...

    @property
    def parent(self) -> Node | None:
        p = self._parent
        return p() if p is not None else None

    @parent.setter
    def parent(self, value: Node | None) -> None:
        self._parent = _ref(value) if value is not None else None

    # -- structure ----------------------------------------------------------

    @property
    def is_object(self) -> bool:
        return self.kind == OBJECT

    @property
    def is_array(self) -> bool:
        return self.kind == ARRAY

    def get(self, name: str) -> Node | None:
        """The member value node named ``name`` (objects only)."""
        if self.kind == OBJECT:
            return self.dict_value.get(name)
        return None

    def children(self) -> list[Node]:
        if self.kind == OBJECT:
            return list(self.dict_value.values())
        if self.kind == ARRAY:
            return list(self.list_value)
        return []

    def walk(self) -> Iterator[Node]:
        """This node and all descendants (values, not keys), depth first."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            if node.kind == OBJECT:
                stack.extend(reversed(list(node.dict_value.values())))
            elif node.kind == ARRAY:
                stack.extend(reversed(node.list_value))

    # -- identity -----------------------------------------------------------

    @property
    def is_key(self) -> bool:
        """True for the node of a member *key* (not of a value)."""
        p = self.parent
        return p is not None and p.kind == OBJECT and self.key is None

    @property
    def path(self) -> tuple[str | int, ...]:
        """The path of keys and indexes from the root to this node."""
        parts: list[str | int] = []
        node: Node = self
        while True:
            ref = node._parent
            parent = ref() if ref is not None else None
            if parent is None:
                break
            k = node.key
            if k.__class__ is int:
                parts.append(k)
            elif isinstance(k, Node):
                v = k.value
                parts.append(v if v.__class__ is str else key_text(k))
            elif isinstance(k, int):
                parts.append(k)
            node = parent
        parts.reverse()
        return tuple(parts)

    @property
    def pointer(self) -> str:
        """The RFC 6901 JSON Pointer of this node ("" for the root)."""
        return path_to_pointer(self.path)

    @property
    def key_node(self) -> Node | None:
        """The key node of a member value, else ``None``."""
        return self.key if isinstance(self.key, Node) else None

    @property
    def member_name(self) -> str | None:
        k = self.key
        return key_text(k) if isinstance(k, Node) else None

    @property
    def is_scalar(self) -> bool:
        return self.kind in SCALAR_KINDS

    def to_python(self) -> object:
        """A plain Python value (dicts, lists, scalars) for this subtree (built without recursion)."""
        if self.kind != OBJECT and self.kind != ARRAY:
            return self.value
        top: dict[str, object] | list[object] = {} if self.kind == OBJECT else []
        stack: list[tuple[Node, dict[str, object] | list[object]]] = [(self, top)]
        while stack:
            node, out = stack.pop()
            if isinstance(out, dict):
                for name, v in node.dict_value.items():
                    out[name] = _python_child(v, stack)
            else:
                out.extend(_python_child(v, stack) for v in node.list_value)
        return top

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        if self.kind in (OBJECT, ARRAY):
            return f"<Node {self.kind} {self.start}:{self.end} {self.pointer!r}>"
        return f"<Node {self.kind} {self.value!r} {self.start}:{self.end}>"


class TaggedNode(Node):
    """A YAML node written with a local tag (``!Ref x``, ``!If [...]``, ``!Custom {...}``).

    It is a :class:`Node` of the kind the value has without the tag (``!Ref x`` is the string
    ``x``, as the AWS CLI reads it), so every reader of API documents sees what it always saw;
    ``tag`` keeps the tag as written (``"!Ref"``), for the readers that give tags a meaning
    (CloudFormation's short forms: ses_lsp.cfn).  Only local tags are kept: ``!!str`` and the
    other YAML tags decide the kind, as before.  The node's span covers the tag (libyaml's span
    of a node includes its properties); :func:`tag_span` finds the tag in it.
    """

    __slots__ = ("tag",)

    if TYPE_CHECKING:
        tag: str


def node_tag(node: Node) -> str | None:
    """The local YAML tag a node was written with (``"!Ref"``), else ``None``."""
    return node.tag if isinstance(node, TaggedNode) else None


# A node's properties up to its tag: an optional anchor, then the tag (no flow indicators).
_TAG_AT = None


def tag_span(node: Node, text: str) -> tuple[int, int]:
    """The span of a tagged node's tag in ``text`` (its properties come first: ``&a !Ref x``);
    the node's own span where the text shows none (a copy made for a YAML alias: ``*a``)."""
    global _TAG_AT
    if _TAG_AT is None:
        import re as _re

        _TAG_AT = _re.compile(r"(?:&[^\s,\[\]{}]+[ \t]+)?(![^\s,\[\]{}]*)").match
    m = _TAG_AT(text, node.start, node.end)
    return m.span(1) if m is not None else (node.start, node.end)


# The typed views of ``Node.value`` and ``Node.members`` (declared in the class for the type
# checker) are their slot descriptors under more names: no call, no check, the very same object.
for _view, _slot in (
    ("dict_value", "value"),
    ("list_value", "value"),
    ("str_value", "value"),
    ("member_list", "members"),
):
    setattr(Node, _view, Node.__dict__[_slot])
del _view, _slot


def _python_child(node: Node, stack: list[tuple[Node, dict[str, object] | list[object]]]) -> object:
    """For :meth:`Node.to_python`: a scalar's value, or an empty container queued to be filled."""
    if node.kind == OBJECT or node.kind == ARRAY:
        container: dict[str, object] | list[object] = {} if node.kind == OBJECT else []
        stack.append((node, container))
        return container
    return node.value


def key_text(key: Node) -> str:
    """The text used for a key in pointers and lookups."""
    v = key.value
    if isinstance(v, str):
        return v
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def always_matches(match: Callable[[str, int], re.Match[str] | None]) -> Callable[[str, int], re.Match[str]]:
    """``match`` (a compiled pattern's), typed as never failing: for the parsers' patterns that
    match wherever they are used (they can match the empty string, or start with the character
    they are used at)."""
    return match  # type: ignore[return-value]  # that invariant, which re's types cannot state


# -- JSON Pointer (RFC 6901) -------------------------------------------------


def escape_pointer_token(token: str) -> str:
    if "~" not in token and "/" not in token:
        return token
    return token.replace("~", "~0").replace("/", "~1")


def unescape_pointer_token(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def path_to_pointer(path: tuple[str | int, ...] | list[str | int]) -> str:
    if not path:
        return ""
    tokens = [p if p.__class__ is str else str(p) for p in path]
    joined = "/".join(tokens)
    if "~" in joined or joined.count("/") != len(tokens) - 1:  # some token needs escaping
        joined = "/".join(escape_pointer_token(t) for t in tokens)
    return "/" + joined


def pointer_to_path(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"invalid JSON Pointer {pointer!r}: it must be empty or start with '/'")
    return [unescape_pointer_token(t) for t in pointer[1:].split("/")]


def node_at_pointer(root: Node | None, pointer: str | tuple | list) -> Node | None:
    """The node a JSON Pointer (or a path tuple) designates, or ``None``."""
    parts = pointer_to_path(pointer) if isinstance(pointer, str) else list(pointer)
    node = root
    for part in parts:
        if node is None:
            return None
        if node.kind == OBJECT:
            node = node.dict_value.get(str(part))
        elif node.kind == ARRAY:
            try:
                idx = int(part)
            except (TypeError, ValueError):
                return None
            items = node.list_value
            node = items[idx] if 0 <= idx < len(items) else None
        else:
            return None
    return node


def node_at_offset(root: Node | None, offset: int, include_keys: bool = True) -> Node | None:
    """The innermost node whose span contains ``offset`` (end inclusive).

    With ``include_keys`` a key node is returned when the offset is on a key.
    """
    if root is None or not (root.start <= offset <= root.end):
        return None
    node = root
    while True:
        found: Node | None = None
        if node.kind == OBJECT:
            for k, v in node.members or ():
                if include_keys and k.start <= offset <= k.end:
                    return k
                if v.start <= offset <= v.end and v.start != v.end:
                    found = v
        elif node.kind == ARRAY:
            for v in node.list_value:
                if v.start <= offset <= v.end and v.start != v.end:
                    found = v
        if found is None or found is node:
            return node
        node = found


# -- line index --------------------------------------------------------------


class LineIndex:
    """Offsets <-> (line, column), both 0-based, columns in code points.

    Line breaks are ``\\n``, ``\\r\\n`` and a lone ``\\r``.  Built once per
    document text.
    """

    __slots__ = ("text", "starts")

    def __init__(self, text: str) -> None:
        self.text = text
        starts = [0]
        if "\r" in text:
            i = 0
            n = len(text)
            while i < n:
                c = text[i]
                if c == "\n":
                    starts.append(i + 1)
                elif c == "\r":
                    if i + 1 < n and text[i + 1] == "\n":
                        i += 1
                    starts.append(i + 1)
                i += 1
        else:
            find = text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
        self.starts = starts

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def position(self, offset: int) -> tuple[int, int]:
        """(line, column), 0-based, for a character offset (clamped)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line, offset - self.starts[line]

    def offset(self, line: int, column: int) -> int:
        """The character offset of a 0-based (line, column), clamped to the line."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start = self.starts[line]
        end = self.line_end(line)
        return min(start + max(column, 0), end)

    def line_end(self, line: int) -> int:
        """Offset just past the last character of ``line`` (before its break)."""
        if line + 1 < len(self.starts):
            end = self.starts[line + 1]
            if end > 0 and self.text[end - 1] == "\n":
                end -= 1
            if end > 0 and self.text[end - 1] == "\r":
                end -= 1
            return end
        return len(self.text)

    def line_text(self, line: int) -> str:
        if not 0 <= line < len(self.starts):
            return ""
        return self.text[self.starts[line] : self.line_end(line)]


# -- parse results -----------------------------------------------------------

#: Collections nested deeper than this are not read, in JSON and YAML alike.  Real SES
#: documents nest fewer than 20 levels; the limit keeps every consumer of the tree far from
#: Python's recursion limit and libyaml's own nesting limit (1000 levels in PyYAML >= 6.0.3).
MAX_DEPTH = 256


def too_deep_message(consequence: str) -> str:
    """The one message for nesting deeper than :data:`MAX_DEPTH`, whichever parser meets it."""
    return f"collections nested deeper than {MAX_DEPTH} levels: {consequence}"


@dataclass
class ParseProblem:
    """A problem found while parsing.

    ``rule`` is the kebab-case name of the lint rule it belongs to
    (``syntax-error``, ``duplicate-key``, ``yaml-unquoted-scalar``,
    ``yaml-alias-limit``, ...).  ``related`` holds (start, end, message)
    triples, e.g. the first definition of a duplicate key.
    """

    rule: str
    message: str
    start: int
    end: int
    related: list[tuple[int, int, str]] = field(default_factory=list)


@dataclass
class ParseResult:
    """What a parser returns: never raises.

    ``root`` is ``None`` only when nothing at all could be recovered (an empty
    document yields ``None`` with no problems).  With syntax errors, ``root``
    is a partial tree of what could be read.  ``complete`` is False when the
    tree is partial.  ``comments`` maps a 0-based line to the text of a
    comment on it (YAML only), from the ``#``.
    """

    root: Node | None
    problems: list[ParseProblem] = field(default_factory=list)
    complete: bool = True
    format: str = "json"
    comments: dict[int, str] = field(default_factory=dict)
