"""A position-exact, error-tolerant JSON parser producing :class:`Node` trees.

``parse_json(text)`` never raises.  Valid documents (RFC 8259, i.e. what the
AWS CLI's ``json.loads`` accepts, minus NaN/Infinity) produce a complete tree
and no syntax problems.  Invalid documents produce ``syntax-error`` problems
with small, exact spans, and the most plausible partial tree (the language
server completes half-typed documents from it).

Design
------
* The hot path (:meth:`_Parser._fast`) matches a whole object member
  (``, "key": value``) or array item with one compiled regular expression, so
  a valid document costs roughly one regex match and two ``Node`` objects per
  member.  Strings without backslashes are taken straight from the match;
  strings with escapes are decoded by the C ``json.decoder.scanstring``.
* Whenever the hot path's expression does not match, the tolerant token-level
  state machine (:meth:`_Parser._step`) takes one step (reporting and
  recovering from an error, or just parsing a construct the hot path does not
  cover) and then hands back to the hot path.
* Nothing recurses: containers live on an explicit stack.  Nesting deeper than
  :data:`MAX_DEPTH` is reported and the over-deep value is skipped.

Recovery (each error is reported once; at most :data:`MAX_SYNTAX_ERRORS`):
* missing ``,`` between members/items: reported on the token found, then
  parsing goes on as if the comma were there;
* missing ``:`` after a key: reported on the token found; the token is taken
  as the value;
* a key without a value (``{"Name": }``, ``{"Name"}``, ``{"Na`` at EOF): the
  member is kept with a *placeholder* value: a ``null`` node with a zero-length
  span (``start == end``) where the value should be;
* a string left open at the end of a line ends at the line end;
* trailing commas are reported and ignored;
* containers still open at the end of the file are closed there (their span
  ends at ``len(text)``);
* a closing bracket of the wrong kind closes the inner containers (ending
  them at that bracket) up to the matching one, or is skipped if none matches;
* unquoted keys, single-quoted strings, bare words, ``True``/``None``,
  ``NaN``/``Infinity``, numbers with leading zeros / ``+`` / no digit before or
  after the point: reported with a hint, and kept as the value they plausibly
  mean (bare words become strings);
* comments (``//``, ``/* */``) and non-JSON whitespace are reported and
  skipped.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata

from .nodes import (
    ARRAY,
    BOOLEAN,
    INTEGER,
    MAX_DEPTH,
    NULL,
    NUMBER,
    OBJECT,
    STRING,
    LineIndex,
    Node,
    ParseProblem,
    ParseResult,
    always_matches,
    too_deep_message,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:
    from _json import scanstring as _scanstring  # json.decoder's (the C one); typeshed has it only here
else:
    from json.decoder import scanstring as _scanstring

__all__ = ["parse_json", "MAX_DEPTH", "MAX_SYNTAX_ERRORS"]

#: After this many syntax errors one "too many syntax errors" problem is added
#: and parsing stops.
MAX_SYNTAX_ERRORS = 20

SYNTAX_ERROR = "syntax-error"
DUPLICATE_KEY = "duplicate-key"

# -- regular expressions -----------------------------------------------------

_WS = r"[ \t\n\r]*"
# A valid JSON string body (group-less), written as an unrolled loop so plain
# strings cost one character-class run.
# On Python >= 3.11 the runs are possessive, so an unterminated string (the
# match fails at the line end) is not backtracked over character by character.
_P = "+" if sys.version_info >= (3, 11) else ""
_STR_BODY = r'[^"\\\x00-\x1f]*' + _P + r'(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\x00-\x1f]*' + _P + r")*" + _P
_NUM_END = r"(?![0-9A-Za-z_.+\-$])"
_LIT_END = r"(?![0-9A-Za-z_$])"
# Value alternatives.  Groups: 2 string body, 3 integer, 4 float, 5 '{',
# 6 '[', 7 true, 8 false, 9 null.  Group 1 is defined by each wrapper (key
# body, comma or empty) so every expression numbers the value groups alike;
# ``match.lastindex`` tells which alternative matched (None: the closer).
_VALUE = (
    r'(?:"(' + _STR_BODY + r')"'
    r"|(-?(?:0|[1-9][0-9]*))"
    + _NUM_END
    + r"|(-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)"
    + _NUM_END
    + r"|(\{)|(\[)"
    r"|(true)" + _LIT_END + r"|(false)" + _LIT_END + r"|(null)" + _LIT_END + r")"
)
_MEMBER = r'"(' + _STR_BODY + r')"' + _WS + ":" + _WS + _VALUE

_OBJ_FIRST = re.compile(_WS + r"(?:" + _MEMBER + r"|\})").match
_OBJ_NEXT = re.compile(_WS + r"(?:," + _WS + _MEMBER + r"|\})").match
_ARR_FIRST = re.compile(_WS + r"(?:()" + _VALUE + r"|\])").match
_ARR_NEXT = re.compile(_WS + r"(?:(,)" + _WS + _VALUE + r"|\])").match
_ONE_VALUE = re.compile(r"()" + _VALUE).match

_G_STR, _G_INT, _G_FLOAT, _G_OBJ, _G_ARR, _G_TRUE, _G_FALSE, _G_NULL = range(2, 10)

_STRING = re.compile(r'"(' + _STR_BODY + r')"').match
_JSON_WS = always_matches(re.compile(_WS).match)
_INLINE_WS = always_matches(re.compile(r"[ \t]*").match)
# Whitespace JSON does not allow (Unicode spaces, form feed, ...), and BOMs
# after the start.
_ODD_WS = re.compile(r"(?:[^\S \t\n\r]|\ufeff)+").match
_LINE_REST = always_matches(re.compile(r"[^\n\r]*").match)
_BARE = re.compile(r"""[^\s"',:\[\]{}]+""").match
_CHUNK = {
    '"': always_matches(re.compile(r'[^"\\\x00-\x1f]*').match),
    "'": always_matches(re.compile(r"[^'\\\x00-\x1f]*").match),
}
_QUOTED_TOKEN = {  # used at the quote each one starts with
    '"': always_matches(re.compile(r'"(?:[^"\\\n\r]|\\[^\n\r])*"?').match),
    "'": always_matches(re.compile(r"'(?:[^'\\\n\r]|\\[^\n\r])*'?").match),
}
_HEX4 = re.compile(r"[0-9a-fA-F]{1,4}").match
_LOW_SURROGATE = re.compile(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}").match
_LOOSE_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?").fullmatch
_NESTING = re.compile(r'[\[{\]}]|"(?:[^"\\\n\r]|\\[^\n\r])*"?')

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_CONTROL_ESCAPES = {"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}

_NON_FINITE = {"NaN", "+NaN", "-NaN", "Infinity", "+Infinity", "-Infinity"}
_LITERAL_FIXES = {
    "true": ("true", True),
    "false": ("false", False),
    "null": ("null", None),
    "none": ("null", None),
    "nil": ("null", None),
    "undefined": ("null", None),
}

# Parser states.
_S_VALUE = 0  # expecting a value (top level, after ':' or after ',' in an array)
_S_OPEN = 1  # just after '{' or '['
_S_AFTER = 2  # after a value inside a container
_S_KEY = 3  # after ',' in an object
_S_COLON = 4  # after a key
_S_DONE = 5  # the root value is complete

#: Pending-key marker for a value that has no key (``{"a": 1, [2]}``): it is
#: parsed, to stay in sync, but not attached to the tree.
_DISCARD = Node(NULL, None, 0, 0)

#: Incremented whenever the no-progress safety net fires (tests assert 0).
_guard_trips = 0


class _Stop(Exception):
    """Raised internally when the syntax-error budget is exhausted."""


def parse_json(text: str) -> ParseResult:
    """Parse ``text`` as JSON into a :class:`ParseResult` (format "json").

    Never raises.  See the module docstring for the recovery behaviour.
    """
    try:
        return _Parser(text).parse()
    except Exception as exc:  # pragma: no cover - safety net
        return ParseResult(
            None,
            [ParseProblem(SYNTAX_ERROR, f"internal JSON parser error: {exc!r}", 0, 0)],
            complete=False,
            format="json",
        )


# -- helpers -------------------------------------------------------------------


def _char_name(c: str) -> str:
    name = unicodedata.name(c, "")
    return f"U+{ord(c):04X} ({name})" if name else f"U+{ord(c):04X}"


def _show(tok: str) -> str:
    """``tok`` quoted for a message (escaped, shortened)."""
    if len(tok) == 1 and not tok.isprintable():
        return _char_name(tok)
    if len(tok) > 40:
        tok = tok[:37] + "..."
    if not tok.isprintable():
        tok = "".join(
            ch if ch.isprintable() else ch.encode("unicode_escape", "backslashreplace").decode("ascii") for ch in tok
        )
    return f"'{tok}'"


def _qkey(name: str) -> str:
    """A key name in double quotes for a message."""
    if len(name) > 40:
        name = name[:37] + "..."
    return json.dumps(name, ensure_ascii=False)


def _number_value(tok: str) -> int | float | None:
    try:
        if "." in tok or "e" in tok or "E" in tok:
            return float(tok)
        return int(tok)
    except (ValueError, OverflowError):
        try:
            return float(tok)
        except (ValueError, OverflowError):
            return None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.n = len(text)
        self.problems: list[ParseProblem] = []
        self.n_syntax = 0
        self.err_starts: set[int] = set()
        self.eof_reported = False
        self.root: Node | None = None
        self.stack: list[Node] = []
        self.state = _S_VALUE
        self.pos = 1 if text.startswith("\ufeff") else 0
        self.pending_key: Node | None = None
        self.value_pos = 0
        self.comma: int | None = None
        self.lines: LineIndex | None = None
        self.dup_index: dict[int, tuple[int, dict[object, list[Node]]]] = {}

    # -- driver ----------------------------------------------------------------

    def parse(self) -> ParseResult:
        try:
            self._run()
        except _Stop:
            self._abort()
        return ParseResult(self.root, self.problems, complete=self.n_syntax == 0, format="json")

    def _run(self) -> None:
        global _guard_trips
        stack = self.stack
        stuck = 0
        while True:
            state = self.state
            if state == _S_DONE:
                break
            if stack and (state == _S_OPEN or state == _S_AFTER):
                self._fast()
                if self.state == _S_DONE:
                    break
            before = (self.pos, self.state, len(stack), self.pending_key)
            self._step()
            if (self.pos, self.state, len(stack), self.pending_key) == before:
                stuck += 1
                if stuck > 3:  # pragma: no cover - safety net against bugs
                    _guard_trips += 1
                    stuck = 0
                    self.pos += 1
                    if self.pos > self.n:
                        self._close_all(self.n)
            else:
                stuck = 0
        # After the root value: only whitespace may follow.
        pos = self._skip(self.pos)
        if pos < self.n:
            end, shown = self._token(pos)
            self._err(f"unexpected text after the document: found {shown}", pos, end)

    def _abort(self) -> None:
        """Stop early (too many errors): keep what was read, close everything."""
        stack = self.stack
        k = self.pending_key
        if stack and stack[-1].kind == OBJECT and k is not None and k is not _DISCARD:
            at = self.value_pos if self.state == _S_VALUE else k.end
            self._new(NULL, None, at, at)
        self.pending_key = None
        self._close_all(self.n)

    # -- problems --------------------------------------------------------------

    def _err(
        self,
        message: str,
        start: int,
        end: int,
        related: list[tuple[int, int, str]] | None = None,
        eof: bool = False,
    ) -> None:
        if eof or start >= self.n:
            if self.eof_reported:
                return
            self.eof_reported = True
        if start in self.err_starts:
            return
        if self.n_syntax >= MAX_SYNTAX_ERRORS:
            self.n_syntax += 1
            self.problems.append(
                ParseProblem(
                    SYNTAX_ERROR,
                    f"too many syntax errors (more than {MAX_SYNTAX_ERRORS}): stopped parsing here",
                    start,
                    end,
                )
            )
            raise _Stop
        self.err_starts.add(start)
        self.n_syntax += 1
        self.problems.append(ParseProblem(SYNTAX_ERROR, message, start, end, related or []))

    def _line(self, offset: int) -> int:
        if self.lines is None:
            self.lines = LineIndex(self.text)
        return self.lines.position(offset)[0] + 1

    def _duplicate(self, obj: Node, key: Node) -> None:
        """Report ``key`` (about to be added to ``obj``) as a duplicate.

        Members are indexed by name incrementally, once per object, so many
        duplicates cost linear time.
        """
        members = obj.members or []
        done, index = self.dup_index.get(id(obj), (0, {}))
        for k, _ in members[done:]:
            index.setdefault(k.value, []).append(k)
        self.dup_index[id(obj)] = (len(members), index)
        earlier = index.get(key.value)
        if not earlier:  # pragma: no cover - defensive
            return
        q = _qkey(key.str_value)
        first = earlier[0]
        line = self._line(first.start)
        if len(earlier) == 1:
            message = f"duplicate key {q}: the last value wins, the first (line {line}) is ignored"
            related = [(first.start, first.end, f"first definition of {q}")]
        else:
            prev = earlier[-1]
            message = (
                f"duplicate key {q} (occurrence {len(earlier) + 1}): the last value wins, "
                f"the earlier ones (the first on line {line}, the previous on line "
                f"{self._line(prev.start)}) are ignored"
            )
            related = [
                (first.start, first.end, f"first definition of {q}"),
                (prev.start, prev.end, f"previous definition of {q}"),
            ]
        self.problems.append(ParseProblem(DUPLICATE_KEY, message, key.start, key.end, related))

    def _opened(self) -> list[tuple[int, int, str]]:
        top = self.stack[-1]
        bracket = "{" if top.kind == OBJECT else "["
        return [(top.start, top.start + 1, f"the '{bracket}' opened here is not closed")]

    # -- the hot path ----------------------------------------------------------

    def _fast(self) -> None:
        """Parse members/items with whole-member regexes until one fails."""
        text = self.text
        stack = self.stack
        node_ = Node
        string_, object_, array_ = STRING, OBJECT, ARRAY
        scan = _scanstring
        obj_first, obj_next, arr_first, arr_next = _OBJ_FIRST, _OBJ_NEXT, _ARR_FIRST, _ARR_NEXT
        pos = self.pos
        cur = stack[-1]
        # The container being filled: ``d`` and ``members`` for an object, ``items`` for an array.
        if cur.kind == object_:
            is_obj = True
            d = cur.dict_value
            members = cur.member_list
            nxt = obj_next
            rx = obj_first if self.state == _S_OPEN else obj_next
        else:
            is_obj = False
            items = cur.list_value
            nxt = arr_next
            rx = arr_first if self.state == _S_OPEN else arr_next
        key: Node | int  # how the next node hangs from ``cur``: its key node, or its index
        while True:
            m = rx(text, pos)
            if m is None:
                break
            li = m.lastindex
            if li is None:  # the closing bracket
                pos = m.end()
                cur.end = pos
                stack.pop()
                if not stack:
                    self.pos = pos
                    self.state = _S_DONE
                    return
                cur = stack[-1]
                if cur.kind == object_:
                    is_obj = True
                    d = cur.dict_value
                    members = cur.member_list
                    rx = nxt = obj_next
                else:
                    is_obj = False
                    items = cur.list_value
                    rx = nxt = arr_next
                continue
            end = m.end()
            if is_obj:
                kname = m.group(1)
                ks, ke = m.span(1)
                if "\\" in kname:
                    kname = scan(text, ks)[0]
                key = knode = node_(string_, kname, ks - 1, ke + 1, cur)
            else:
                key = len(items)
            if li == 2:
                v = m.group(2)
                vs = m.start(2)
                if "\\" in v:
                    v = scan(text, vs)[0]
                node = node_(string_, v, vs - 1, end, cur, key)
            elif li == 5 or li == 6:
                if len(stack) >= MAX_DEPTH:
                    break  # the slow path reports and skips it
                if li == 5:
                    node = node_(object_, {}, end - 1, end, cur, key)
                    node.members = []
                else:
                    node = node_(array_, [], end - 1, end, cur, key)
            elif li == 3:
                try:
                    v = int(m.group(3))
                except ValueError:  # more digits than int() accepts
                    break
                node = node_(INTEGER, v, m.start(3), end, cur, key)
            elif li == 4:
                node = node_(NUMBER, float(m.group(4)), m.start(4), end, cur, key)
            elif li == 7:
                node = node_(BOOLEAN, True, end - 4, end, cur, key)
            elif li == 8:
                node = node_(BOOLEAN, False, end - 5, end, cur, key)
            else:
                node = node_(NULL, None, end - 4, end, cur, key)
            if is_obj:
                if kname in d:
                    self._duplicate(cur, knode)
                d[kname] = node
                members.append((knode, node))
            else:
                items.append(node)
            pos = end
            if li == 5 or li == 6:
                stack.append(node)
                cur = node
                if li == 5:
                    is_obj = True
                    d = node.dict_value
                    members = node.member_list
                    rx = obj_first
                    nxt = obj_next
                else:
                    is_obj = False
                    items = node.list_value
                    rx = arr_first
                    nxt = arr_next
            else:
                rx = nxt
        self.pos = pos
        self.state = _S_OPEN if (rx is obj_first or rx is arr_first) else _S_AFTER

    # -- the tolerant path -----------------------------------------------------

    def _skip(self, pos: int) -> int:
        """Skip whitespace; report and skip comments and non-JSON whitespace."""
        text, n = self.text, self.n
        while True:
            pos = _JSON_WS(text, pos).end()
            if pos >= n:
                return n
            c = text[pos]
            if c == "/" and pos + 1 < n and text[pos + 1] in "/*":
                if text[pos + 1] == "/":
                    end = _LINE_REST(text, pos).end()
                    self._err("comments are not allowed in JSON", pos, end)
                    pos = end
                else:
                    j = text.find("*/", pos + 2)
                    if j < 0:
                        self._err(
                            "unterminated comment: '/*' is never closed (comments are not allowed in JSON)",
                            pos,
                            pos + 2,
                            eof=True,
                        )
                        return n
                    self._err("comments are not allowed in JSON", pos, j + 2)
                    pos = j + 2
                continue
            m = _ODD_WS(text, pos)
            if m:
                self._err(
                    f"unexpected whitespace character {_char_name(c)}: "
                    "JSON allows only space, tab, line feed and carriage return",
                    pos,
                    m.end(),
                )
                pos = m.end()
                continue
            return pos

    def _token(self, pos: int) -> tuple[int, str]:
        """The end and the display form of the token at ``pos``."""
        text, n = self.text, self.n
        if pos >= n:
            return n, "end of file"
        c = text[pos]
        if c == '"' or c == "'":
            end = _QUOTED_TOKEN[c](text, pos).end()
        elif c in "{}[],:":
            end = pos + 1
        else:
            m = _BARE(text, pos)
            end = m.end() if m and m.end() > pos else pos + 1
        return end, _show(text[pos:end])

    def _new(self, kind: str, value: object, start: int, end: int) -> Node:
        """Create a node for the current position and attach it."""
        stack = self.stack
        if not stack:
            node = Node(kind, value, start, end)
            if self.root is None:
                self.root = node
        else:
            top = stack[-1]
            if top.kind == OBJECT:
                k = self.pending_key
                self.pending_key = None
                if k is None or k is _DISCARD:
                    node = Node(kind, value, start, end, top, None)
                else:
                    node = Node(kind, value, start, end, top, k)
                    d = top.dict_value
                    if k.value in d:
                        self._duplicate(top, k)
                    d[k.str_value] = node
                    top.member_list.append((k, node))
            else:
                items = top.list_value
                node = Node(kind, value, start, end, top, len(items))
                items.append(node)
        if kind == OBJECT:
            node.members = []
        return node

    def _close(self, end: int) -> None:
        node = self.stack.pop()
        node.end = end
        self.state = _S_AFTER if self.stack else _S_DONE

    def _close_all(self, end: int) -> None:
        while self.stack:
            self._close(end)
        self.state = _S_DONE
        self.pos = self.n

    def _mismatch(self, pos: int, c: str, message: str) -> None:
        """A closing bracket that does not close the innermost container."""
        stack = self.stack
        self._err(message, pos, pos + 1, self._opened() if stack else None)
        want = OBJECT if c == "}" else ARRAY
        for i in range(len(stack) - 1, -1, -1):
            if stack[i].kind == want:
                break
        else:
            self.pos = pos + 1  # a stray bracket: skip it
            return
        while len(stack) - 1 > i:
            self._close(pos)
        self._close(pos + 1)
        self.pos = pos + 1

    def _step(self) -> None:
        """One step of the tolerant state machine."""
        text, n = self.text, self.n
        pos = self._skip(self.pos)
        self.pos = pos
        c = text[pos] if pos < n else ""
        stack = self.stack
        state = self.state
        if not stack:
            if not c:
                self.state = _S_DONE  # empty document (or only comments)
            elif c in "}],:":
                self._err(f"expected a value, found '{c}'", pos, pos + 1)
                self.pos = pos + 1
            else:
                self._value(pos)
            return
        if state == _S_AFTER:
            self._after(pos, c)
        elif state == _S_COLON:
            self._colon(pos, c)
        elif stack[-1].kind == OBJECT and state != _S_VALUE:
            self._key(pos, c)
        else:
            self._item(pos, c)

    def _after(self, pos: int, c: str) -> None:
        top = self.stack[-1]
        if top.kind == OBJECT:
            closer = "}"
            ms = top.members
            expect = f"expected ',' or '}}' after member {_qkey(ms[-1][0].str_value)}" if ms else "expected ',' or '}'"
        else:
            closer = "]"
            items = top.list_value
            expect = f"expected ',' or ']' after item {len(items) - 1}" if items else "expected ',' or ']'"
        if not c:
            self._err(f"{expect}, found end of file", self.n, self.n, self._opened())
            self._close_all(self.n)
        elif c == ",":
            self.comma = pos
            self.pos = pos + 1
            self.state = _S_KEY if top.kind == OBJECT else _S_VALUE
        elif c == closer:
            self._close(pos + 1)
            self.pos = pos + 1
        elif c == "}" or c == "]":
            self._mismatch(pos, c, f"{expect}, found '{c}'")
        elif c == ":":
            self._err(f"{expect}, found ':'", pos, pos + 1)
            self.pos = pos + 1
        else:  # the start of another value: a missing comma
            end, shown = self._token(pos)
            self._err(f"{expect}, found {shown}", pos, end)
            self.comma = None
            self.state = _S_KEY if top.kind == OBJECT else _S_VALUE

    def _key(self, pos: int, c: str) -> None:
        text = self.text
        comma = self.comma if self.state == _S_KEY else None  # a ',' just before
        expect = "expected a key" if comma is not None else "expected a key or '}'"
        if not c:
            self._err(f"{expect}, found end of file", self.n, self.n, self._opened())
            self._close_all(self.n)
            return
        if c == "}":
            if comma is not None:
                self._err("trailing comma before '}'", comma, comma + 1)
            self._close(pos + 1)
            self.pos = pos + 1
            return
        if c == "]":
            self._mismatch(pos, c, f"{expect}, found ']'")
            return
        if c == ",":
            self._err(f"{expect}, found ','", pos, pos + 1)
            self.comma = pos
            self.pos = pos + 1
            self.state = _S_KEY
            return
        if c == ":":
            self._err(f"{expect}, found ':' (the key is missing)", pos, pos + 1)
            self.pending_key = _DISCARD
            self.pos = pos + 1
            self.value_pos = _INLINE_WS(text, pos + 1).end()
            self.state = _S_VALUE
            return
        if c == "{" or c == "[":
            self._err(f"{expect}, found '{c}' (a value without a key)", pos, pos + 1)
            self.pending_key = _DISCARD
            self.value_pos = pos
            self.state = _S_VALUE
            return
        if c == '"':
            m = _STRING(text, pos)
            if m:
                end = m.end()
                name = m.group(1)
                if "\\" in name:
                    name = _scanstring(text, pos + 1)[0]
            else:
                name, end = self._scan_string(pos)
        elif c == "'":
            name, end = self._scan_string(pos)
            self._err(
                f"keys must be enclosed in double quotes, not single quotes: write {_qkey(name)}",
                pos,
                end,
            )
        else:
            bare = _BARE(text, pos)  # matches: _skip leaves no whitespace here
            end = bare.end() if bare is not None else pos + 1
            name = text[pos:end]
            self._err(
                f"keys must be double-quoted strings: found {_show(name)}, write {_qkey(name)}",
                pos,
                end,
            )
        self.pending_key = Node(STRING, name, pos, end, self.stack[-1])
        self.pos = end
        self.state = _S_COLON

    def _colon(self, pos: int, c: str) -> None:
        key = self.pending_key
        assert key is not None
        expect = f"expected ':' after key {_qkey(key.str_value)}"
        if c == ":" or c == "=":
            if c == "=":
                self._err(f"{expect}, found '='", pos, pos + 1)
            self.pos = pos + 1
            self.value_pos = _INLINE_WS(self.text, pos + 1).end()
            self.state = _S_VALUE
            return
        end, shown = self._token(pos)
        if not c or c in ",}]":
            # No value either: keep the key with a placeholder value.
            self._err(f"{expect}, found {shown}", pos, end, self._opened() if not c else None)
            self._new(NULL, None, key.end, key.end)
            if not c:
                self._close_all(self.n)
            else:
                self.state = _S_AFTER
            return
        self._err(f"{expect}, found {shown}", pos, end)
        self.value_pos = pos
        self.state = _S_VALUE

    def _item(self, pos: int, c: str) -> None:
        """Expecting a value inside a container (after ':' or in an array)."""
        top = self.stack[-1]
        if top.kind == OBJECT:
            key = self.pending_key
            if key is None or key is _DISCARD:
                expect = "expected a value"
            else:
                expect = f"expected a value for {_qkey(key.str_value)}"
            if not c or c in ",}]":
                end, shown = self._token(pos)
                self._err(f"{expect}, found {shown}", pos, end, self._opened() if not c else None)
                self._new(NULL, None, self.value_pos, self.value_pos)
                if not c:
                    self._close_all(self.n)
                else:
                    self.state = _S_AFTER
                return
            if c == ":":
                self._err(f"{expect}, found ':'", pos, pos + 1)
                self.pos = pos + 1
                return
            self._value(pos)
            return
        first = self.state == _S_OPEN
        expect = "expected a value or ']'" if first else "expected a value"
        if not c:
            self._err(f"{expect}, found end of file", self.n, self.n, self._opened())
            self._close_all(self.n)
        elif c == "]":
            if not first and self.comma is not None:
                self._err("trailing comma before ']'", self.comma, self.comma + 1)
            self._close(pos + 1)
            self.pos = pos + 1
        elif c == "}":
            self._mismatch(pos, c, f"{expect}, found '}}'")
        elif c == ",":
            self._err(f"{expect}, found ','", pos, pos + 1)
            self.comma = pos
            self.pos = pos + 1
            self.state = _S_VALUE
        elif c == ":":
            self._err(f"{expect}, found ':'", pos, pos + 1)
            self.pos = pos + 1
        else:
            self._value(pos)

    def _value(self, pos: int) -> None:
        """Parse the value starting at ``pos`` (not a closer/comma/colon/EOF)."""
        text = self.text
        c = text[pos]
        m = _ONE_VALUE(text, pos)
        if m:
            li = m.lastindex
            end = m.end()
            if li == _G_OBJ or li == _G_ARR:
                kind = OBJECT if li == _G_OBJ else ARRAY
                if len(self.stack) >= MAX_DEPTH:
                    end = self._skip_nested(pos)
                    self._err(too_deep_message("the deeper value is skipped"), pos, pos + 1)
                    self._new(kind, {} if kind == OBJECT else [], pos, end)
                    self.pos = end
                    self.state = _S_AFTER if self.stack else _S_DONE
                    return
                node = self._new(kind, {} if kind == OBJECT else [], pos, end)
                self.stack.append(node)
                self.pos = end
                self.state = _S_OPEN
                return
            if li == _G_STR:
                v = m.group(2)
                if "\\" in v:
                    v = _scanstring(text, pos + 1)[0]
                self._new(STRING, v, pos, end)
            elif li == _G_INT:
                tok = m.group(3)
                try:
                    self._new(INTEGER, int(tok), pos, end)
                except ValueError:
                    self._err(
                        f"integer with {len(tok.lstrip('-'))} digits: too long for the AWS CLI's JSON reader",
                        pos,
                        end,
                    )
                    self._new(NUMBER, _number_value(tok), pos, end)
            elif li == _G_FLOAT:
                self._new(NUMBER, float(m.group(4)), pos, end)
            elif li == _G_TRUE:
                self._new(BOOLEAN, True, pos, end)
            elif li == _G_FALSE:
                self._new(BOOLEAN, False, pos, end)
            else:
                self._new(NULL, None, pos, end)
            self._done_value(end)
            return
        if c == '"':
            v, end = self._scan_string(pos)
            self._new(STRING, v, pos, end)
        elif c == "'":
            v, end = self._scan_string(pos)
            self._err(
                f"strings must be enclosed in double quotes, not single quotes: write {_qkey(v)}",
                pos,
                end,
            )
            self._new(STRING, v, pos, end)
        else:
            bare = _BARE(text, pos)  # matches: _skip leaves no whitespace here
            end = bare.end() if bare is not None else pos + 1
            tok = text[pos:end]
            self._bare_value(tok, pos, end)
        self._done_value(end)

    def _done_value(self, end: int) -> None:
        self.pos = end
        self.state = _S_AFTER if self.stack else _S_DONE

    def _bare_value(self, tok: str, pos: int, end: int) -> None:
        """A value token that is not valid JSON: report it, keep its meaning."""
        if tok in _NON_FINITE:
            self._err(
                f"{tok} is not allowed in JSON: JSON has no NaN or infinite numbers "
                "(Python's json module accepts it, other readers do not)",
                pos,
                end,
            )
            self._new(NUMBER, float(tok), pos, end)
            return
        if _LOOSE_NUMBER(tok):
            value = _number_value(tok)
            sign = tok[0] if tok[0] in "+-" else ""
            body = tok[len(sign) :]
            mant = re.split(r"[eE]", body)[0]
            if sign == "+":
                hint = f"a number cannot start with '+': write {tok[1:]}"
            elif len(mant) > 1 and mant[0] == "0" and mant[1].isdigit():
                fixed = sign + body.lstrip("0")
                if not fixed.lstrip("-") or fixed.lstrip("-")[0] in ".eE":
                    fixed = sign + "0" + body.lstrip("0")
                hint = f"leading zeros are not allowed in JSON numbers: write {fixed}"
            elif mant.startswith("."):
                hint = f"a JSON number needs a digit before the decimal point: write {sign}0{body}"
            elif mant.endswith("."):
                hint = f"a JSON number needs a digit after the decimal point: write {sign}{mant}0{body[len(mant) :]}"
            else:  # pragma: no cover - every loose non-strict number is covered above
                hint = "this is not a valid JSON number"
            self._err(f"invalid number {_show(tok)}: {hint}", pos, end)
            if value is None:  # pragma: no cover
                self._new(STRING, tok, pos, end)
            else:
                self._new(INTEGER if isinstance(value, int) else NUMBER, value, pos, end)
            return
        fix = _LITERAL_FIXES.get(tok.lower())
        if fix is not None:
            lit, value = fix
            self._err(
                f"expected a value, found {_show(tok)}: JSON literals are lowercase true, false and null; write {lit}",
                pos,
                end,
            )
            self._new(NULL if value is None else BOOLEAN, value, pos, end)
            return
        self._err(
            f"expected a value, found {_show(tok)}: strings must be enclosed in double quotes",
            pos,
            end,
        )
        self._new(STRING, tok, pos, end)

    def _scan_string(self, start: int) -> tuple[str, int]:
        """Scan a (possibly broken) string token; report its problems.

        Returns the decoded value and the end offset.  An unterminated string
        ends at the end of its line (or of the file).
        """
        text, n = self.text, self.n
        q = text[start]
        chunk = _CHUNK[q]
        parts: list[str] = []
        i = start + 1
        while True:
            j = chunk(text, i).end()
            if j > i:
                parts.append(text[i:j])
            if j >= n:
                self._err(
                    f"unterminated string: missing closing '{q}' before the end of the file",
                    start,
                    n,
                    eof=True,
                )
                return "".join(parts), n
            c = text[j]
            if c == q:
                return "".join(parts), j + 1
            if c == "\\":
                e = text[j + 1] if j + 1 < n else ""
                if e in _ESCAPES or (q == "'" and e == "'"):
                    parts.append(_ESCAPES.get(e, e))
                    i = j + 2
                elif e == "u":
                    hm = _HEX4(text, j + 2)
                    digits = hm.group() if hm else ""
                    if len(digits) < 4:
                        self._err(
                            f"invalid escape {_show(text[j : j + 2 + len(digits)])}: "
                            "'\\u' must be followed by 4 hex digits",
                            j,
                            j + 2 + len(digits),
                        )
                        parts.append(text[j + 2 : j + 2 + len(digits)])
                        i = j + 2 + len(digits)
                        continue
                    code = int(digits, 16)
                    i = j + 6
                    if 0xD800 <= code <= 0xDBFF and _LOW_SURROGATE(text, i):
                        low = int(text[i + 2 : i + 6], 16)
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        i += 6
                    parts.append(chr(code))
                elif e == "" or e in "\r\n":
                    # A backslash at the end of the line: the string is open.
                    self._err(
                        f"unterminated string: missing closing '{q}' at the end of the line",
                        start,
                        j + 1,
                        eof=not e,
                    )
                    return "".join(parts), j + 1
                else:
                    self._err(
                        f"invalid escape {_show(chr(92) + e)}: valid escapes are "
                        '\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX',
                        j,
                        j + 2,
                    )
                    parts.append(e)
                    i = j + 2
            elif c == "\n" or c == "\r":
                self._err(
                    f"unterminated string: missing closing '{q}' at the end of the line",
                    start,
                    j,
                )
                return "".join(parts), j
            else:
                esc = _CONTROL_ESCAPES.get(c, f"\\u{ord(c):04x}")
                self._err(f"control character U+{ord(c):04X} in string: escape it as {esc}", j, j + 1)
                parts.append(c)
                i = j + 1

    def _skip_nested(self, start: int) -> int:
        """The end of the bracketed value at ``start`` (not parsed)."""
        depth = 0
        for m in _NESTING.finditer(self.text, start):
            ch = m.group()[0]
            if ch == "[" or ch == "{":
                depth += 1
            elif ch == "]" or ch == "}":
                depth -= 1
                if depth == 0:
                    return m.end()
        return self.n
