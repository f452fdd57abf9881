"""YAML text -> the format-independent :class:`~ses_lsp.document.nodes.Node` tree.

:func:`parse_yaml` never raises.  It reads the text with libyaml's event
parser (``yaml.CSafeLoader``; the pure-Python ``yaml.SafeLoader`` when PyYAML
was built without libyaml) and builds the tree itself, iteratively, from the
event stream.  Building from events rather than from ``yaml.compose`` is both
faster (libyaml's composer calls back into Python's resolver for every node,
the events alone cost about half of ``compose``), and safer: the C composer
recurses once per nesting level and crashes the process (SIGSEGV) on deeply
nested input, while the event parser does not.  It also gives, in one pass,
what ``compose`` cannot: alias positions, anchor names, and a partial tree
when the text has a syntax error.

Positions are character offsets (code points) into ``text``: libyaml's
``mark.index`` counts code points, but does not count a leading BOM, which
is compensated for.

Documented choices
------------------

* Scalar kinds follow what the AWS CLI reads: ``--cli-input-yaml`` uses
  ruamel.yaml's safe loader, i.e. the YAML 1.2 core schema (``yes``/``on`` are
  strings, ``true``/``True``/``TRUE`` booleans, ``017`` is 17, ``0o17`` is 15,
  ``1e3`` is a float, ``1:20`` a string, underscores allowed in numbers,
  ``2024-01-01`` is a ``timestamp`` whose value is its text).  Scalars with other
  tags (``!Ref x``, ``!!binary``, ``=``) are strings holding the scalar text.
  A scalar whose explicit tag cannot convert it (``!!int abc``) becomes a
  string, with a ``syntax-error`` problem (PyYAML fails on it).
* ``Node.plain`` is True for unquoted (plain-style) scalars, including the
  empty scalar of ``key:``.
* A node's span covers its properties: ``&a value`` and ``!Ref x`` span the
  anchor/tag too (that is what libyaml reports).
* Block scalars (``|``, ``>``, any chomping) span from the indicator (or the
  node's properties) to the end of the last non-blank content line; trailing
  blank lines are not part of the span.  An empty block scalar spans just
  its header indicators (``|-``).
* Block collections end at the end of their last entry (libyaml's end marks
  include trailing blank lines and comments); flow collections span from the
  opening bracket through the closing one.
* Empty values are ``null`` nodes with a zero-length span right after what
  introduces them: the ``:`` of ``key:`` (block or flow), the ``-`` of an
  empty sequence item, the key of a flow entry without ``:`` (``{a}``) or of
  an explicit key without a value (``? a``), the ``---`` of an empty
  document.  (libyaml reports some of these at the next token; they are
  moved back over the whitespace in between.)  A tag or anchor without a
  value (``key: !!str``) spans the properties.
* Aliases: an alias (``*a``) becomes a copy of the anchored subtree in which
  *every* node (keys included) has the span of the alias token, so any
  diagnostic inside an alias points at the alias.  Copies have
  ``anchor=None``; the anchored original keeps ``anchor="a"``.  Expansion is
  bounded by :data:`ALIAS_NODE_LIMIT` nodes in total; the alias that would
  cross it is replaced by a ``null`` node with the alias's span, a
  ``yaml-alias-limit`` problem is reported on it, every later alias is also
  replaced by ``null`` (without further problems), and ``complete`` is False.
  An alias inside the node its anchor names (a recursive structure) is
  treated the same way.  An undefined alias is a ``syntax-error`` and becomes
  ``null``.  A redefined anchor name refers to its latest definition.
* Merge keys (``<<: *a``, ``<<: [*a, *b]``, ``<<: {inline: map}``): the
  ``<<`` entries do not appear in ``members`` or ``value``; the merged pairs
  that take effect (explicit keys override merged ones; in a list the first
  mapping wins; a later ``<<`` entry overrides an earlier one, as in PyYAML)
  are added to ``members`` and ``value``, re-parented to the mapping, and
  ``members`` is kept in source order (merged pairs sit where their ``<<``
  entry is).  Merged pairs from an alias carry the alias span.  Overridden
  merged pairs are dropped silently (no duplicate-key problem).  A ``<<``
  whose value is not a mapping or a list of mappings is dropped with a
  ``syntax-error`` problem (PyYAML fails on it).
* Keys that are collections (``? [a, b]``) get a ``string`` key node whose
  value is the key's source text.  Duplicate detection compares key texts
  (``1`` and ``"1"`` are the same key here).
* Only the first document is read.  A second document gives a
  ``syntax-error`` on its start (the tree is the complete first document,
  ``complete`` stays True).  An empty text or one with only comments gives
  ``root=None`` and no problems; an explicit empty document (``---``) gives
  a ``null`` root.
* Syntax errors: one ``syntax-error`` problem at libyaml's problem mark
  (one character, or zero-length at the end of the text or on a line
  break), and a partial tree built from the events read before the error:
  open collections are closed, a key left without a value gets a
  zero-length ``null`` value at the key's end; ``complete`` is False
  (unless the error comes after the end of the first document, e.g. text
  after ``...``).  The same holds for nesting deeper than :data:`MAX_DEPTH`
  levels.
* Characters YAML does not allow (NUL and other C0/C1 controls, unpaired
  surrogates): one ``syntax-error`` naming the first one (``U+0000``) and its
  line/column, after any syntax error that precedes it; the partial tree is
  what the text before it gives; ``complete`` is False.
* Comments: ``ParseResult.comments`` maps 0-based lines to the comment text
  from ``#`` to the end of the line.  A ``#`` is a comment when it is not
  inside a scalar (scalar spans are known from the tree) and follows
  whitespace, the start of the text, or the end of a quoted scalar / flow
  indicator (as libyaml's scanner does).  After a syntax error, where the
  tree stops, only a ``#`` after whitespace or at the line start counts.
"""

from __future__ import annotations

import bisect
import re
import sys
from _weakref import ref as _ref  # the C module: no import cost (weakref.ref is this)

import yaml
from yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from .nodes import (
    ARRAY,
    BOOLEAN,
    INTEGER,
    MAX_DEPTH,
    NULL,
    NUMBER,
    OBJECT,
    STRING,
    TIMESTAMP,
    LineIndex,
    Node,
    ParseProblem,
    ParseResult,
    TaggedNode,
    always_matches,
    key_text,
    too_deep_message,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:
    from typing import Literal

__all__ = ["parse_yaml", "ALIAS_NODE_LIMIT", "MAX_DEPTH"]

#: Total number of nodes (keys included) that alias expansion may create.
ALIAS_NODE_LIMIT = 100_000
#: Nesting deeper than MAX_DEPTH (shared with the JSON parser) truncates the document.
_TOO_DEEP = too_deep_message("the document is not read beyond this point")

_Loader = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader

_T = "tag:yaml.org,2002:"
_STR = _T + "str"
_INT = _T + "int"
_FLOAT = _T + "float"
_BOOL = _T + "bool"
_NULL = _T + "null"
_TIMESTAMP = _T + "timestamp"
_MERGE = _T + "merge"

_BOOL_VALUES = {"true": True, "false": False}
_INF = float("inf")
_NAN = float("nan")

# Implicit resolvers by first character.  They follow what the AWS CLI reads:
# `--cli-input-yaml` loads with ruamel.yaml's safe loader, which implements the
# YAML 1.2 core schema (plus underscores in numbers, and timestamps).  So
# `yes`/`on` are strings, `017` is 17 and `0o17` is 15, `1:20` is a string.
# tests/test_yaml_parser.py checks these tables against ruamel.yaml itself.
_R_BOOL = re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")
_R_FLOAT = re.compile(
    r"(?:[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+"
    r"|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)"
    r"|\.(?:nan|NaN|NAN))\Z"
)
_R_INT = re.compile(r"(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)\Z")
_R_MERGE = re.compile(r"<<\Z")
_R_NULL = re.compile(r"(?:~|null|Null|NULL|)\Z")
_R_TIMESTAMP = re.compile(
    r"(?:[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"|[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?"
    r"(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)\Z"
)
_BOOL_WORDS = frozenset({"true", "True", "TRUE", "false", "False", "FALSE"})
_NULL_WORDS = frozenset({"~", "null", "Null", "NULL", ""})


# Each test is what its regular expression says, with a cheap check first: a
# one-file run then compiles only the expressions its scalars need (start-up).
def _is_bool(v: str) -> bool:
    return v in _BOOL_WORDS  # = _R_BOOL


def _is_null(v: str) -> bool:
    return v in _NULL_WORDS  # = _R_NULL


def _is_merge(v: str) -> bool:
    return v == "<<"  # = _R_MERGE


def _is_float(v: str) -> bool:
    # Every alternative has one '.', or none and an exponent ("5.1.1" is no float).
    dots = v.count(".")
    return (dots == 1 or (dots == 0 and ("e" in v or "E" in v))) and _R_FLOAT.match(v) is not None


def _is_int(v: str) -> bool:
    return (v.isascii() and v.isdigit()) or ("." not in v and _R_INT.match(v) is not None)


def _is_timestamp(v: str) -> bool:
    return v[4:5] == "-" and _R_TIMESTAMP.match(v) is not None  # YYYY-...


_RESOLVERS: dict[str, list] = {}
for _tag, _test, _first in (
    ("tag:yaml.org,2002:bool", _is_bool, "tTfF"),
    ("tag:yaml.org,2002:float", _is_float, "-+0123456789."),
    ("tag:yaml.org,2002:int", _is_int, "-+0123456789"),
    ("tag:yaml.org,2002:merge", _is_merge, "<"),
    ("tag:yaml.org,2002:null", _is_null, "~nN"),
    ("tag:yaml.org,2002:timestamp", _is_timestamp, "0123456789"),
):
    for _ch in _first:
        _RESOLVERS.setdefault(_ch, []).append((_tag, _test))
_RESOLVERS[""] = [("tag:yaml.org,2002:null", _is_null)]

# Characters a YAML stream may not contain (what libyaml's and PyYAML's
# readers reject), unpaired surrogates included.
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Node properties and the block scalar indicator of a block scalar header.
_BLOCK_HEADER = re.compile(r"(?:[!&]\S*\s+)*[|>][-+0-9]*")
_LINE_BREAK = re.compile(r"[\r\n]")
_COMMENT_END = always_matches(re.compile(r"[^\r\n]*").match)
# What may precede a comment's '#' (besides the start of the text).
_AFTER_TOKEN = frozenset(" \t\r\n\ufeff\"'[]{},:")
_AFTER_SPACE = frozenset(" \t\r\n\ufeff")


_BOM_SHIFTS: dict[type, int] = {}


def _bom_shift(loader_class: type) -> int:
    """1 when ``loader_class`` does not count a leading BOM in its marks
    (libyaml skips it uncounted; PyYAML's pure-Python reader counts it)."""
    shift = _BOM_SHIFTS.get(loader_class)
    if shift is None:
        shift = 0
        try:
            loader = loader_class("\ufeffa")
            while True:
                ev = loader.get_event()
                if ev is None or isinstance(ev, StreamEndEvent):
                    break
                if isinstance(ev, ScalarEvent):
                    mark = ev.start_mark
                    shift = 1 if mark is not None and mark.index == 0 else 0
                    break
        except Exception:  # pragma: no cover - defensive
            pass
        _BOM_SHIFTS[loader_class] = shift
    return shift


# -- scalar conversion (PyYAML's SafeConstructor) ------------------------------


def _to_int(value: str) -> int:
    """YAML 1.2 integers as ruamel.yaml reads them (``017`` is decimal 17)."""
    value = value.replace("_", "")
    sign = -1 if value[0] == "-" else +1
    if value[0] in "+-":
        value = value[1:]
    for prefix, base in (("0b", 2), ("0x", 16), ("0o", 8)):
        if value.startswith(prefix):
            number = int(value[2:], base)
            # int() limits decimal digits (sys.get_int_max_str_digits), not these: a value it could
            # not write back in decimal (for any message) is refused like a decimal one that long.
            limit = sys.get_int_max_str_digits()
            if limit and number.bit_length() * 0.30103 > limit:  # (log10 2: its decimal digits)
                raise ValueError(f"it has more than {limit} decimal digits")
            return sign * number
    return sign * int(value)


def _to_float(value: str) -> float:
    value = value.replace("_", "").lower()
    sign = -1 if value[0] == "-" else +1
    if value[0] in "+-":
        value = value[1:]
    if value == ".inf":
        return sign * _INF
    if value == ".nan":
        return _NAN
    return sign * float(value)


def _to_bool(value: str) -> bool:
    return _BOOL_VALUES[value.lower()]


# Plain scalar -> resolved tag, for the values that need the regexps.
_RESOLVED: dict[str, str] = {}

_CONVERTERS = {
    _INT: (INTEGER, _to_int, "an integer"),
    _FLOAT: (NUMBER, _to_float, "a float"),
    _BOOL: (BOOLEAN, _to_bool, "a boolean"),
}


# -- the builder ---------------------------------------------------------------


class _Frame:
    """An open collection while events are read."""

    __slots__ = ("node", "items", "pending", "merge_key", "merges", "flow", "pref", "values")

    def __init__(self, node: Node, items: list, flow: bool, is_map: bool) -> None:
        self.node = node
        # One weak reference to the collection, shared as the ``parent`` of its children.
        self.pref = _ref(node)
        self.items = items  # array items, or (key, value) members
        # Mappings: key text -> value node, filled as members are read (the last of
        # duplicates wins); merges and partial trees rebuild it in finish_mapping.
        # Sequences: not set (never read).
        if is_map:
            self.values: dict[str, Node] = {}
        # Mappings: the key node waiting for its value, else None.
        # Sequences: always False.
        self.pending: Node | Literal[False] | None = None if is_map else False
        self.merge_key = False  # the pending key is a merge key ('<<')
        self.merges: list[tuple[Node, Node]] | None = None
        self.flow = flow


class _Stop(Exception):
    """Internal: stop reading events (nesting too deep)."""


class _Builder:
    def __init__(self, text: str, loader_class: type | None = None) -> None:
        self.text = text
        self.loader_class = loader_class or _Loader
        self.shift = _bom_shift(self.loader_class) if text.startswith("\ufeff") else 0
        self.problems: list[ParseProblem] = []
        self.complete = True
        self._lines: LineIndex | None = None
        # Anchors: name -> anchored node (None while the node is still open).
        self.anchors: dict[str, Node | None] = {}
        # Anchors: name -> (nodes in the anchored subtree, collections nested in it).
        self.anchor_sizes: dict[str, tuple[int, int]] = {}
        self.expanded = 0
        self.alias_exhausted = False
        # Spans of scalars containing '#', for the comment scan.
        self.hash_starts: list[int] = []
        self.hash_ends: list[int] = []
        # Offset up to which the tree accounts for every scalar.
        self.certain = len(text)

    # -- helpers ------------------------------------------------------------

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and column of an offset, for messages."""
        line, col = self.lines.position(offset)
        return line + 1, col + 1

    def problem(
        self,
        rule: str,
        message: str,
        start: int,
        end: int,
        related: list[tuple[int, int, str]] | None = None,
    ) -> None:
        self.problems.append(ParseProblem(rule, message, start, end, related or []))

    def char_span(self, pos: int) -> tuple[int, int]:
        """The span of the character at ``pos`` (zero-length at EOF or a line break)."""
        text = self.text
        pos = max(0, min(pos, len(text)))
        if pos < len(text) and text[pos] not in "\r\n":
            return pos, pos + 1
        return pos, pos

    # -- main ---------------------------------------------------------------

    def run(self) -> ParseResult:
        text = self.text
        root = self.read(text)
        comments = self.scan_comments() if "#" in text else {}
        return ParseResult(root, self.problems, self.complete, "yaml", comments)

    def read(self, text: str) -> Node | None:
        """Read the events of ``text`` into a tree; record problems."""
        try:
            return self._read_events(text)
        except (yaml.reader.ReaderError, UnicodeEncodeError):
            pass
        # A character YAML does not allow: report it, read what precedes it.
        m = _NON_PRINTABLE.search(text)
        if m is None:  # pragma: no cover - the reader rejects nothing else
            self.problem("syntax-error", "the text cannot be read as YAML", 0, 0)
            self.complete = False
            return None
        pos = m.start()
        line, col = self.line_col(pos)
        self.problems = []
        self.anchors = {}
        self.anchor_sizes = {}
        self.expanded = 0
        self.alias_exhausted = False
        self.hash_starts = []
        self.hash_ends = []
        self.complete = True
        root = None
        try:
            root = self._read_events(text[:pos])
        except Exception:  # pragma: no cover - a prefix has no such characters
            root = None
        # Syntax errors at the end of the truncated text are artifacts of the
        # cut; earlier ones are real (libyaml's reader, which reads ahead,
        # hid them).
        self.problems = [p for p in self.problems if p.rule != "syntax-error" or p.start < pos]
        self.problems.append(
            ParseProblem(
                "syntax-error",
                f"character U+{ord(m.group()):04X} at line {line}, column {col} is not "
                "allowed in YAML (control characters other than tab and line breaks, "
                "and unpaired surrogates, cannot appear in a YAML document)",
                pos,
                pos + 1,
            ),
        )
        self.complete = False
        self.certain = min(self.certain, pos)
        return root

    def _read_events(self, text: str) -> Node | None:
        loader = self.loader_class(text)
        get = loader.get_event
        shift = self.shift
        anchors = self.anchors
        resolvers = _RESOLVERS.get
        memo = _RESOLVED
        memo_get = memo.get
        report_duplicates = self.report_duplicates
        has_hash = "#" in text
        hash_starts = self.hash_starts
        hash_ends = self.hash_ends
        max_depth = MAX_DEPTH - 1  # open collections: the stack plus top
        new = object.__new__

        stack: list[_Frame] = []
        top: _Frame | None = None
        root: Node | None = None
        documents = 0
        document_ended = False
        last_end = 0
        n: Node
        try:
            while True:
                ev = get()
                cls = ev.__class__
                is_merge = False
                if cls is ScalarEvent:
                    v = ev.value
                    tag = ev.tag
                    style = ev.style
                    s = ev.start_mark.index + shift
                    e = ev.end_mark.index + shift
                    local = None
                    if tag is None or tag == "!":
                        if ev.implicit[0]:
                            tag = _STR
                            rs = resolvers(v[0] if v else "")
                            if rs:
                                rtag = memo_get(v)
                                if rtag is None:
                                    rtag = _STR
                                    for candidate, test in rs:
                                        if test(v):
                                            rtag = candidate
                                            break
                                    if len(v) < 32 and len(memo) < 4096:
                                        memo[v] = rtag
                                tag = rtag
                        else:
                            tag = _STR
                    elif tag[0] == "!":
                        local = tag  # a local tag (!Ref): kept on the node, the value is a string
                    if tag == _STR:
                        kind = STRING
                        val: object = v
                    else:
                        kind, val, is_merge = self.convert(tag, v, s, e, ev.implicit[0])
                    if style == "|" or style == ">":
                        cs, e = self.block_span(s, e)
                        if has_hash and "#" in v:
                            hash_starts.append(cs)
                            hash_ends.append(e)
                    elif has_hash and "#" in v:
                        hash_starts.append(s)
                        hash_ends.append(e)
                    if s == e:
                        # An empty scalar: put it right after the indicator
                        # or key it follows (libyaml is not consistent).
                        lo = last_end if top is None else max(last_end, top.node.start)
                        e = s = _back_over_space(text, s, lo)
                    # Node(kind, val, s, e, plain=not style), built in place (the constructor
                    # call is a tenth of the parse); ``_parent`` and ``key`` are set below,
                    # where the node is attached.  tests/test_yaml_parser.py checks these
                    # stores cover every slot of Node.
                    n = new(Node) if local is None else self.tagged(local)
                    n.kind = kind
                    n.value = val
                    n.start = s
                    n.end = e
                    n.plain = not style
                    n.members = None
                    anchor = ev.anchor
                    n.anchor = anchor
                    if anchor is not None:
                        anchors[anchor] = n
                        self.anchor_sizes.pop(anchor, None)
                    last_end = e
                elif cls is MappingStartEvent or cls is SequenceStartEvent:
                    is_map = cls is MappingStartEvent
                    # A mapping's members are (key, value) pairs; a sequence's items are its value.
                    items: list = []
                    # Node(OBJECT, None, start, 0) or Node(ARRAY, items, start, 0), in place as above.
                    ctag = ev.tag
                    n = new(Node) if ctag is None or ctag[0] != "!" or ctag == "!" else self.tagged(ctag)
                    n.kind = OBJECT if is_map else ARRAY
                    n._parent = None  # (set when attached; the error path may not)
                    n.key = None
                    n.value = None if is_map else items
                    n.start = ev.start_mark.index + shift
                    n.end = 0
                    n.plain = False
                    n.members = items if is_map else None
                    anchor = ev.anchor
                    n.anchor = anchor
                    if anchor is not None:
                        anchors[anchor] = None
                        self.anchor_sizes.pop(anchor, None)
                    if top is not None:
                        if len(stack) >= max_depth:
                            self.too_deep(n.start)
                        stack.append(top)
                    top = _Frame(n, items, ev.flow_style is True, is_map)
                    continue
                elif cls is MappingEndEvent:
                    assert top is not None  # the event closes an open mapping
                    frame = top
                    n = frame.node
                    e = last_end = ev.end_mark.index + shift
                    members = frame.items
                    if frame.merges is None and members:
                        # The common case of close(), inlined.
                        n.end = e if frame.flow else members[-1][1].end
                        value = frame.values
                        if len(value) != len(members):
                            report_duplicates(members)
                        n.value = value
                    else:
                        self.close(frame, e)
                    if n.anchor is not None and anchors.get(n.anchor, 0) is None:
                        anchors[n.anchor] = n
                    top = stack.pop() if stack else None
                elif cls is SequenceEndEvent:
                    assert top is not None  # the event closes an open sequence
                    frame = top
                    n = frame.node
                    e = last_end = ev.end_mark.index + shift
                    items = frame.items
                    if frame.flow or not items:
                        n.end = max(e, n.start)
                    else:
                        n.end = items[-1].end
                    if n.anchor is not None and anchors.get(n.anchor, 0) is None:
                        anchors[n.anchor] = n
                    top = stack.pop() if stack else None
                elif cls is AliasEvent:
                    s = ev.start_mark.index + shift
                    e = ev.end_mark.index + shift
                    n = self.alias(ev.anchor, s, e, len(stack) + (top is not None))
                    last_end = e
                elif cls is DocumentStartEvent:
                    last_end = ev.end_mark.index + shift
                    documents += 1
                    if documents > 1:
                        s = ev.start_mark.index + shift
                        e = ev.end_mark.index + shift
                        self.problem(
                            "syntax-error",
                            "the AWS CLI reads one YAML document; found a second one here",
                            s,
                            max(e, s),
                        )
                        break
                    continue
                elif cls is StreamEndEvent or ev is None:
                    break
                else:  # StreamStartEvent, DocumentEndEvent
                    if cls is DocumentEndEvent:
                        document_ended = True
                    continue

                # Attach the finished node ``n`` to the open collection (this sets its
                # ``_parent`` and ``key`` in every case).
                if top is None:
                    n._parent = None
                    n.key = None
                    if root is None:
                        root = n
                    continue
                pref = top.pref
                pending = top.pending
                if pending is False:
                    items = top.items
                    n._parent = pref
                    n.key = len(items)
                    items.append(n)
                elif pending is None:
                    if n.kind == OBJECT or n.kind == ARRAY:
                        n = self.complex_key(n)
                    n._parent = pref
                    n.key = None
                    top.pending = n
                    top.merge_key = is_merge
                else:
                    n._parent = pref
                    n.key = pending
                    top.pending = None
                    if top.merge_key:
                        if top.merges is None:
                            top.merges = []
                        top.merges.append((pending, n))
                    else:
                        top.items.append((pending, n))
                        kv = pending.value
                        top.values[kv if kv.__class__ is str else key_text(pending)] = n
        except yaml.MarkedYAMLError as exc:
            self.syntax_error(exc)
            self.certain = min(self.certain, last_end)
            if not document_ended:
                self.complete = False
        except _Stop:
            self.certain = min(self.certain, last_end)
            self.complete = False
        if top is not None:
            # Close what is still open (error or truncation), innermost first.
            self.complete = False
            while top is not None:
                frame = top
                end = self.partial_end(frame)
                if frame.pending is not None and frame.pending is not False:
                    key = frame.pending
                    missing = Node(NULL, None, key.end, key.end, frame.node, key, False)
                    if frame.merge_key:
                        frame.merge_key = False
                    else:
                        frame.items.append((key, missing))
                    frame.pending = None
                self.close(frame, max(end, frame.node.start))
                n = frame.node
                if n.anchor is not None and anchors.get(n.anchor, 0) is None:
                    anchors[n.anchor] = n
                top = stack.pop() if stack else None
                if top is None:
                    if root is None:
                        root = n
                elif top.pending is False:
                    n.parent = top.node
                    n.key = len(top.items)
                    top.items.append(n)
                elif top.pending is None:
                    n = self.complex_key(n)
                    n.parent = top.node
                    top.pending = n
                else:
                    n.parent = top.node
                    n.key = top.pending
                    if top.merge_key:
                        if top.merges is None:
                            top.merges = []
                        top.merges.append((top.pending, n))
                        top.merge_key = False
                    else:
                        top.items.append((top.pending, n))
                    top.pending = None
        return root

    # -- pieces -------------------------------------------------------------

    def tagged(self, tag: str) -> TaggedNode:
        """A new node (slots unset, as ``object.__new__`` leaves them) for a value with a local tag."""
        n = object.__new__(TaggedNode)
        n.tag = tag
        return n

    def convert(self, tag: str, v: str, s: int, e: int, implicit: bool) -> tuple[str, object, bool]:
        """(kind, value, is_merge) of a scalar whose tag is not ``str``."""
        if tag == _NULL:
            return NULL, None, False
        if tag == _TIMESTAMP:
            return TIMESTAMP, v, False
        if tag == _MERGE:
            return STRING, v, True
        conv = _CONVERTERS.get(tag)
        if conv is None:  # binary, value ('='), custom tags ...
            return STRING, v, False
        kind, func, what = conv
        try:
            return kind, func(v), False
        except (ValueError, KeyError, IndexError, OverflowError) as exc:
            how = "" if implicit else f" (explicit tag {tag.replace(_T, '!!')})"
            detail = str(exc).split("\n")[0] if isinstance(exc, ValueError) else ""
            msg = f"cannot convert {v!r} to {what}{how}"
            if implicit and tag == _FLOAT:
                # (`._`): the YAML 1.2 float pattern the AWS CLI's loader uses takes it, float() does not
                msg += "; the AWS CLI's YAML 1.2 loader reads it as a number and fails: quote it to keep it a string"
            elif detail and "invalid literal" not in detail:
                msg += f": {detail}"
            self.problem("syntax-error", msg, s, e)
            return STRING, v, False

    def block_span(self, s: int, e: int) -> tuple[int, int]:
        """(content start, end) of a block scalar spanning libyaml's [s, e)."""
        text = self.text
        m = _BLOCK_HEADER.match(text, s, e)
        hdr = m.end() if m else min(s + 1, e)
        brk = _LINE_BREAK.search(text, hdr, e)
        if brk is None:
            return e, max(hdr, s)
        content = brk.end()
        if text[brk.start()] == "\r" and content < e and text[content] == "\n":
            content += 1
        last = content + len(text[content:e].rstrip(" \t\r\n"))
        if last <= content:
            return content, hdr
        while last < e and text[last] in " \t":
            last += 1
        return content, last

    def complex_key(self, n: Node) -> Node:
        """A ``string`` key node for a collection used as a key."""
        if n.kind != OBJECT and n.kind != ARRAY:
            return n
        return Node(STRING, self.text[n.start : n.end], n.start, n.end, None, None, False)

    def too_deep(self, pos: int) -> None:
        self.problem(
            "syntax-error",
            _TOO_DEEP,
            *self.char_span(pos),
        )
        raise _Stop

    def partial_end(self, frame: _Frame) -> int:
        """End of a collection closed early: its last entry's end."""
        node = frame.node
        end = node.start
        items = frame.items
        if items:
            last = items[-1]
            end = max(end, (last[1] if isinstance(last, tuple) else last).end)
        if frame.merges:
            end = max(end, frame.merges[-1][1].end)
        if isinstance(frame.pending, Node):
            end = max(end, frame.pending.end)
        return end

    def close(self, frame: _Frame, end: int) -> None:
        node = frame.node
        items = frame.items
        if not frame.flow:
            # Block collections end with their last entry.
            if items:
                last = items[-1]
                end = (last[1] if node.kind == OBJECT else last).end
                if frame.merges:
                    end = max(end, frame.merges[-1][1].end)
            elif frame.merges:
                end = frame.merges[-1][1].end
            if end < node.start:
                end = node.start
        node.end = end
        if node.kind == OBJECT:
            self.finish_mapping(node, items, frame.merges)

    def finish_mapping(
        self,
        node: Node,
        members: list[tuple[Node, Node]],
        merges: list[tuple[Node, Node]] | None,
    ) -> None:
        value = {(k.value if k.value.__class__ is str else key_text(k)): v for k, v in members}
        if len(value) != len(members):
            self.report_duplicates(members)
        if merges:
            self.apply_merges(node, members, merges, value)
        node.value = value

    def report_duplicates(self, members: list[tuple[Node, Node]]) -> None:
        first: dict[str, Node] = {}
        for k, _v in members:
            name = key_text(k)
            f = first.get(name)
            if f is None:
                first[name] = k
                continue
            line = self.lines.position(f.start)[0] + 1
            self.problem(
                "duplicate-key",
                f'duplicate key "{name}": the last value wins, the first (line {line}) is ignored',
                k.start,
                k.end,
                [(f.start, f.end, f'first definition of "{name}"')],
            )

    def apply_merges(
        self,
        node: Node,
        members: list[tuple[Node, Node]],
        merges: list[tuple[Node, Node]],
        value: dict[str, Node],
    ) -> None:
        merged: dict[str, tuple[Node, Node]] = {}
        for _key, source in merges:
            if source.kind == OBJECT:
                sources = [source]
            elif source.kind == ARRAY and all(i.kind == OBJECT for i in source.list_value):
                sources = list(reversed(source.list_value))
            else:
                what = "a list containing a non-mapping" if source.kind == ARRAY else source.kind
                self.problem(
                    "syntax-error",
                    f"a merge key '<<' needs a mapping or a list of mappings, found {what}",
                    source.start,
                    source.end,
                )
                continue
            for src in sources:
                for k, v in src.members or ():
                    merged[k.value if k.value.__class__ is str else key_text(k)] = (k, v)
        added = False
        for name, (k, v) in merged.items():
            if name in value:
                continue
            k.parent = node
            v.parent = node
            v.key = k
            members.append((k, v))
            value[name] = v
            added = True
        if added:
            # Keep members, and the value dict, in source order.
            members.sort(key=_member_start)
            value.clear()
            for k, v in members:
                value[k.value if k.value.__class__ is str else key_text(k)] = v

    def alias(self, name: str, s: int, e: int, depth: int = 0) -> Node:
        """The expansion of alias ``*name`` at ``[s, e)`` inside ``depth`` open collections."""
        anchors = self.anchors
        if name not in anchors:
            self.problem("syntax-error", f"found undefined alias *{name}", s, e)
            return Node(NULL, None, s, e)
        if self.alias_exhausted:
            return Node(NULL, None, s, e)
        target = anchors[name]
        if target is None:
            return self.alias_refused(
                f"alias *{name} is inside the node it refers to (an infinitely recursive "
                "structure); the AWS CLI cannot send it",
                s,
                e,
            )
        measured = self.anchor_sizes.get(name)
        if measured is None:
            measured = self.anchor_sizes[name] = _measure(target)
        size, height = measured
        if depth + height > MAX_DEPTH:
            # The copy would nest deeper than any collection the parser reads: the same limit,
            # with the same consequence, as for nesting written out (no tree is ever deeper).
            self.too_deep(s)
        if self.expanded + size > ALIAS_NODE_LIMIT:
            return self.alias_refused(
                f"alias expansion exceeds {ALIAS_NODE_LIMIT} nodes (a 'billion laughs' "
                "document?); expand it by hand or reduce aliases",
                s,
                e,
            )
        self.expanded += size
        return _copy(target, s, e)

    def alias_refused(self, message: str, s: int, e: int) -> Node:
        """Report an alias that is not expanded, stop expanding any, and stand a null in its place."""
        self.alias_exhausted = True
        self.complete = False
        self.problem("yaml-alias-limit", message, s, e)
        return Node(NULL, None, s, e)

    def syntax_error(self, exc: yaml.MarkedYAMLError) -> None:
        text = self.text
        shift = self.shift
        mark = exc.problem_mark or exc.context_mark
        pos = len(text) if mark is None else min(max(mark.index + shift, 0), len(text))
        problem = (exc.problem or "syntax error").strip()
        if "nesting depth" in problem:
            # libyaml's own nesting limit (PyYAML >= 6.0.3) can fire before ours: its scanner
            # looks up to 1024 characters ahead for a simple key.  The same message either way.
            self.problem("syntax-error", _TOO_DEEP, *self.char_span(pos))
            return
        if problem.startswith("found character") and "cannot start any token" in problem:
            ch = text[pos] if pos < len(text) else ""
            problem = f"found character {ch!r} that cannot start any token"
            if ch == "\t":
                problem += ": YAML does not allow tabs for indentation"
            elif ch in ("@", "`"):
                problem += f": {ch!r} is reserved in YAML; quote a value that starts with it"
        elif "tab" in problem and "indentation" in problem:
            problem += ": YAML does not allow tabs for indentation"
        related: list[tuple[int, int, str]] = []
        ctx = (exc.context or "").strip()
        cmark = exc.context_mark
        if ctx and ctx != "while scanning for the next token":
            if cmark is not None:
                cpos = min(max(cmark.index + shift, 0), len(text))
                if cpos != pos:
                    line, col = self.line_col(cpos)
                    problem += f" ({ctx} that starts at line {line}, column {col})"
                    related.append((*self.char_span(cpos), f"{ctx} that starts here"))
                else:
                    problem += f" ({ctx})"
            else:
                problem += f" ({ctx})"
        self.problem("syntax-error", problem, *self.char_span(pos), related)

    # -- comments -----------------------------------------------------------

    def scan_comments(self) -> dict[int, str]:
        text = self.text
        comments: dict[int, str] = {}
        find = text.find
        starts = self.hash_starts
        ends = self.hash_ends
        nspans = len(starts)
        certain = self.certain
        lone_cr = "\r" in text and text.count("\r") != text.count("\r\n")
        lines = self.lines if lone_cr else None
        count = text.count
        line = 0
        line_from = 0
        j = 0
        i = find("#")
        while i != -1:
            if j < nspans and ends[j] <= i:
                j = bisect.bisect_right(ends, i, j)
            if j < nspans and starts[j] <= i:  # inside a scalar: skip it
                i = find("#", ends[j])
                continue
            prev = text[i - 1] if i else "\n"
            if prev in (_AFTER_TOKEN if i < certain else _AFTER_SPACE):
                end = _COMMENT_END(text, i).end()
                if lines is not None:
                    line = lines.position(i)[0]
                else:
                    line += count("\n", line_from, i)
                    line_from = i
                comments[line] = text[i:end]
                i = find("#", end)
            else:
                i = find("#", i + 1)
        return comments


def _back_over_space(text: str, pos: int, lo: int) -> int:
    """Move ``pos`` back over whitespace, line breaks and comments, not below ``lo``."""
    while True:
        while pos > lo and text[pos - 1] in " \t\r\n":
            pos -= 1
        if pos <= lo:
            return lo if pos < lo else pos
        line_start = max(text.rfind("\n", lo, pos), text.rfind("\r", lo, pos)) + 1
        line_start = max(line_start, lo)
        h = text.find("#", line_start, pos)
        while h != -1 and h > line_start and text[h - 1] not in " \t":
            h = text.find("#", h + 1, pos)
        if h == -1:
            return pos
        pos = h


def _member_start(member: tuple[Node, Node]) -> int:
    return member[0].start


def _measure(node: Node) -> tuple[int, int]:
    """(number of nodes in a subtree, keys included; number of collections nested in it)."""
    total = 0
    height = 0
    stack = [(node, 1)]
    while stack:
        n, level = stack.pop()
        total += 1
        if n.kind == OBJECT:
            members = n.members or ()
            total += len(members)
            stack.extend((v, level + 1) for _k, v in members)
        elif n.kind == ARRAY:
            stack.extend((v, level + 1) for v in n.list_value)
        else:
            continue
        if level > height:
            height = level
    return total, height


def _copy(src: Node, s: int, e: int) -> Node:
    """A copy of a subtree in which every node spans [s, e) (local tags kept, spanning it too)."""
    scalar_value = src.kind != OBJECT and src.kind != ARRAY
    root = _like(src, src.value if scalar_value else None, s, e, None, None)
    stack = [(src, root)]
    while stack:
        a, b = stack.pop()
        if a.kind == OBJECT:
            members = []
            value = {}
            for k, v in a.members or ():
                nk = _like(k, k.value, s, e, b, None)
                if v.kind == OBJECT or v.kind == ARRAY:
                    nv = _like(v, None, s, e, b, nk)
                    stack.append((v, nv))
                else:
                    nv = _like(v, v.value, s, e, b, nk)
                members.append((nk, nv))
                value[k.value if k.value.__class__ is str else key_text(k)] = nv
            b.members = members
            b.value = value
        elif a.kind == ARRAY:
            items = []
            for i, v in enumerate(a.list_value):
                if v.kind == OBJECT or v.kind == ARRAY:
                    nv = _like(v, None, s, e, b, i)
                    stack.append((v, nv))
                else:
                    nv = _like(v, v.value, s, e, b, i)
                items.append(nv)
            b.value = items
    return root


def _like(src: Node, value: object, s: int, e: int, parent: Node | None, key: Node | int | None) -> Node:
    """A node of ``src``'s kind, plain flag and local tag, with ``value``, spanning [s, e)."""
    if src.__class__ is TaggedNode:
        t = TaggedNode(src.kind, value, s, e, parent, key, src.plain)
        t.tag = src.tag
        return t
    return Node(src.kind, value, s, e, parent, key, src.plain)


def parse_yaml(text: str, *, loader_class: type | None = None) -> ParseResult:
    """Parse YAML ``text`` into a :class:`ParseResult` (``format="yaml"``).

    Never raises: syntax errors, disallowed characters, alias bombs and
    other trouble become :class:`ParseProblem` entries, with a partial tree.
    ``loader_class`` (for tests) overrides the PyYAML loader whose event
    parser is used: ``yaml.CSafeLoader`` when available, else
    ``yaml.SafeLoader``.
    """
    try:
        return _Builder(text, loader_class).run()
    except Exception as exc:  # pragma: no cover - last-resort guard
        return ParseResult(
            None,
            [ParseProblem("syntax-error", f"internal error while reading YAML: {exc!r}", 0, 0)],
            complete=False,
            format="yaml",
        )
