"""Incremental re-parsing: after a small edit, re-parse only the part of the
document the edit can change, and splice it into the previous tree.

:func:`reparse` takes the previous :class:`~ses_lsp.document.document.Document`
and one edit (``edit_start``, ``edit_old_end`` in the old text,
``edit_new_end`` in the new text) and returns a Document for the new text
whose ``parsed`` is *exactly* what a full parse of the new text gives (tree
shape, kinds, values, spans, parents and keys, members, anchors, plain
flags, problems, ``complete``, comments), or is a full parse.

The work is lazy: it happens on the first access to ``parsed`` (in the
server, inside the lint, where the cyclic GC is off).  Edits that arrive
before that are composed into one edit against the last parsed document.

How
---
1. Candidates: descend from the root through the values holding the edit;
   try the innermost one first, then its ancestors.  The root is never a
   candidate (that would be a full parse).

   * JSON: a value holds the edit when the edit is *strictly* inside its
     span (it touches neither its first nor its last character, so the
     separators around it are as before).
   * YAML: a value holds the edit when the edit starts at or after the
     value's start (the dash or key before it is untouched) and ends before
     the line break ending the value's last line (the rest of that line, a
     trailing comment say, belongs to the entry).

2. The region of a candidate ``X`` (an array item or a member value):

   * JSON: the value's own new text, parsed alone.
   * YAML: ``X`` must hang from a *block* collection and not be a flow
     collection itself.  The region is a whole set of lines: from the start
     of the line of the ``- `` entry (sequence item: the line must read
     ``<spaces>- <X...>``) or of the key (member: ``<spaces><key>: ...``)
     through the line break ending ``X``'s last line.  Alone, that text is a
     one-item sequence (or a one-member mapping) at the same indentation.
     Every other non-blank, non-comment line of the new region must be
     indented deeper than the dash/key, so the entry still owns all of its
     lines and none of them can end it early or open another entry; the
     text after the region is unchanged, and in the old (clean) parse it
     ended the entry, so it still does.

3. The region's parse must have no problem at all (else: full parse, which
   reports them), be complete, and have the expected shape (one item, or
   one member with the same key; a collection stays the same kind of
   collection); otherwise the next candidate up is tried.
4. Splice: ``X`` is replaced by the region's sub-tree (moved to its place).
   Nodes before the region keep their offsets; nodes after it move by the
   change in length; the ancestors of ``X`` keep their start, and their end
   moves too (or, for a YAML block collection ending with ``X``, becomes the
   new sub-tree's end).  YAML comments: lines before the region keep
   theirs, the region's come from its parse, later ones move by the change
   in line count.  By default the old tree is left untouched: the new tree
   is a copy (every node: parents must point into the new tree and offsets
   after the edit move).  With ``consume=True`` (the language server, which
   owns its documents) the old tree itself becomes the new one, in place:
   no copy, and no dead tree for the garbage collector; the old Document
   then forgets its tree and parses its text again if it is ever used.

Fallbacks to a full parse (the reason is counted in :data:`stats`): the old
document was never parsed (or its tree went to a later edit), was empty, or
its parse had a problem / was incomplete; the edit does not match the two
texts; YAML with a lone CR line break in the old or new text (CRLF and LF
are fine), with anchors, aliases or merge keys (``&``, ``*``, ``<<``
anywhere in either text: their effects are not local), with directives
(``%`` at a line start), or with a BOM other than a leading one; no
candidate (the edit touches a boundary: a root member's key, the space
between root members, the first or last character of every enclosing JSON
value; in YAML a dash line's prefix, the indentation of an entry's lines, a
flow collection, ...); the region's parse has any problem (a syntax error,
a duplicate key, ...); the region would be too large to pay off; nesting
near the parsers' depth limits; a YAML region ending in a block scalar that
is followed by blank or comment lines (they could belong to it).
"""

from __future__ import annotations

import bisect
import gc
import re

from ses_lsp.document.document import JSON, Document, parse_text
from ses_lsp.document.nodes import ARRAY, MAX_DEPTH, OBJECT, Node, ParseResult, TaggedNode, key_text

__all__ = ["reparse", "stats"]


class Stats:
    """Counters of how re-parses were done (tests assert the incremental path is taken)."""

    __slots__ = ("incremental", "full", "reasons", "last")

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.incremental = 0
        self.full = 0
        self.reasons: dict[str, int] = {}
        self.last: str | None = None  # "incremental" or the last fallback reason

    def _fallback(self, reason: str) -> None:
        self.full += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        self.last = reason

    def _hit(self) -> None:
        self.incremental += 1
        self.last = "incremental"


stats = Stats()

# The copier below sets Node's slots directly (much faster than calling the
# constructor); if Node ever changes shape, incremental parsing switches off
# rather than building incomplete nodes.
_NODE_SLOTS = ("kind", "value", "start", "end", "_parent", "key", "plain", "members", "anchor", "__weakref__")
_ENABLED = tuple(Node.__slots__) == _NODE_SLOTS

# Region size (characters) above which a full parse is cheaper: copying the
# tree costs about a fifth of a YAML parse and half of a JSON parse.
_MAX_REGION = {JSON: 0.33, "yaml": 0.5}
# Stay well inside the parsers' nesting limit.
_MAX_DEPTH = MAX_DEPTH * 3 // 4

_SEQ_PREFIX = re.compile(r" *- +\Z")
_KEY_PREFIX = re.compile(r" *\Z")
_FLOW_START = re.compile(r"(?:[!&][^\s]*\s+)*[\[{]")
_BLOCK_SCALAR = re.compile(r"(?:[!&][^\s]*\s+)*[|>]")
_AFTER_NUMBER = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_.+-$")


class _Fallback(Exception):
    """Give up: do a full parse."""


class _Skip(Exception):
    """This candidate does not qualify: try the enclosing one."""


class _PendingDocument(Document):
    """A Document whose tree is built, on first use, from an earlier one plus one edit."""

    __slots__ = ("_base", "_edit", "_consume")
    # Set by reparse() right after construction.
    _base: Document | None  # the last parsed document, or None: parse the text in full
    _edit: tuple[int, int, int] | None  # the edit from its text to this one
    _consume: bool  # the new tree may be made from the base's in place

    @property
    def parsed(self) -> ParseResult:
        if self._parsed is None:
            base, edit = self._base, self._edit
            self._base = self._edit = None  # do not keep the old tree alive
            if base is None or edit is None:
                # Its base was handed on to a later edit's document (or never was).
                self._parsed = _full(self.text, self.format, "old-not-parsed")
            else:
                self._parsed = _parse_incrementally(base, self.text, *edit, consume=self._consume)
        return self._parsed


def reparse(
    old: Document,
    new_text: str,
    edit_start: int,
    edit_old_end: int,
    edit_new_end: int,
    *,
    version: int | None = None,
    consume: bool = False,
) -> Document:
    """A Document for ``new_text``, which is ``old.text`` with ``[edit_start, edit_old_end)``
    replaced by ``new_text[edit_start:edit_new_end]``.

    Its ``parsed`` equals a full parse of ``new_text``; it is computed on first
    use, incrementally when that is safe (see the module docstring).

    ``consume``: the caller owns ``old`` and no longer needs its tree, nor any
    node of it.  The new tree is then made from the old one *in place* (no
    copy, and no old tree left for the garbage collector), and ``old`` forgets
    its tree: should it be used again, it parses its text again, so ``old``
    itself stays correct.  Without ``consume`` the old tree is left untouched
    and copied.
    """
    doc = _PendingDocument(new_text, old.path, old.format, version)
    edit = (edit_start, edit_old_end, edit_new_end)
    base = old
    if isinstance(old, _PendingDocument) and old._parsed is None and old._base is not None:
        # ``old`` was never parsed: compose both edits against its base, which
        # passes to the new document (``old`` would parse its text in full).
        e1 = old._edit
        assert e1 is not None
        edit = _compose(e1, edit)
        base = old._base
        consume = consume and old._consume
        old._base = old._edit = None
    if base._parsed is None:
        doc._base = doc._edit = None
    else:
        doc._base = base
        doc._edit = edit
    doc._consume = consume
    return doc


def _compose(e1: tuple[int, int, int], e2: tuple[int, int, int]) -> tuple[int, int, int]:
    """One edit B -> T2 from e1: B -> T1 and e2: T1 -> T2 (offsets as in :func:`reparse`)."""
    s1, oe1, ne1 = e1
    s2, oe2, ne2 = e2
    return min(s1, s2), oe1 + max(0, oe2 - ne1), ne2 + max(0, ne1 - oe2)


def _full(text: str, fmt: str, reason: str) -> ParseResult:
    stats._fallback(reason)
    return parse_text(text, fmt)


def _parse_incrementally(base: Document, text: str, s: int, oe: int, ne: int, consume: bool = False) -> ParseResult:
    gc_was_enabled = gc.isenabled()
    gc.disable()  # the copy creates thousands of objects, none of them garbage
    try:
        result = _attempt(base, text, s, oe, ne, consume)
    except _Fallback as exc:
        return _full(text, base.format, str(exc))
    except Exception:  # pragma: no cover - a bug here must never cost a wrong tree
        return _full(text, base.format, "internal-error")
    finally:
        if gc_was_enabled:
            gc.enable()
    stats._hit()
    return result


def _attempt(base: Document, text: str, s: int, oe: int, ne: int, consume: bool) -> ParseResult:
    if not _ENABLED:
        raise _Fallback("node-shape")
    fmt = base.format
    old = base._parsed
    old_text = base.text
    if old is None:  # pragma: no cover - reparse() checks
        raise _Fallback("old-not-parsed")
    if old.problems or not old.complete:
        raise _Fallback("old-problems")
    if old.root is None:
        raise _Fallback("old-empty")
    n_old, n_new = len(old_text), len(text)
    if not (0 <= s <= oe <= n_old and s <= ne <= n_new and n_old - oe == n_new - ne):
        raise _Fallback("edit-mismatch")
    if not (text.startswith(old_text[:s]) and text.endswith(old_text[oe:])):
        raise _Fallback("edit-mismatch")
    yaml = fmt != JSON
    if yaml:
        for t in (old_text, text):
            if "\r" in t and t.count("\r") != t.count("\r\n"):
                raise _Fallback("line-endings")
            if "&" in t or "*" in t or "<<" in t:
                raise _Fallback("anchors")
            if t.startswith("%") or "\n%" in t:
                raise _Fallback("directives")
            if t.find("\ufeff", 1) != -1:  # a BOM other than a leading one
                raise _Fallback("bom")
    delta = ne - oe

    # -- the nodes strictly containing the edit, root first --------------------
    path: list[Node] = [old.root]
    where: list[int] = []  # path[i + 1] is item / member where[i] of path[i]
    node = old.root
    # The last child starting before the edit (YAML: at or before it).
    find = bisect.bisect_right if yaml else bisect.bisect_left
    while True:
        if node.kind == ARRAY:
            items = node.list_value
            i = find(items, s, key=_start) - 1
            child = items[i] if i >= 0 else None
        elif node.kind == OBJECT:
            members = node.members or []
            i = find(members, s, key=_member_start) - 1
            child = members[i][1] if i >= 0 else None
        else:
            break
        if child is None:
            break
        if yaml:
            # The edit lies within the lines of the child's entry, after its first character's
            # start (so the dash / key before it is untouched), before the break ending it.
            if not (child.start <= s and oe < _entry_end(old_text, child.end)):
                break
        elif not (child.start < s and oe < child.end):
            break
        path.append(child)
        where.append(i)
        node = child
    if len(path) < 2:
        raise _Fallback("boundary")
    if len(path) > _MAX_DEPTH // 2:
        raise _Fallback("depth")

    budget = int(_MAX_REGION[fmt] * n_new)
    first_skip: str | None = None
    for depth in range(len(path) - 1, 0, -1):
        x = path[depth]
        parent = path[depth - 1]
        try:
            if yaml:
                region = _yaml_region(old_text, text, x, parent, delta)
            else:
                region = _json_region(text, x, delta)
            lo, hi = region[0], region[1]
            if hi - lo > budget:
                raise _Fallback("too-large")
            budget -= hi - lo
            y, key_node, comments = (_parse_yaml_region if yaml else _parse_json_region)(text, x, parent, region)
            sub_depth, last = _shift(y, key_node, lo)
            if depth + sub_depth >= _MAX_DEPTH:
                raise _Fallback("depth")
            if yaml:
                _check_tail(text, region, last)
        except _Skip as skip:
            if first_skip is None:
                first_skip = str(skip)
            continue
        if consume and base._parsed is old:
            base._parsed = None  # from here on the old tree is the new one
            root = _splice_in_place(path[: depth + 1], where, y, delta)
        else:
            root = _splice(path[: depth + 1], y, delta)
        new_comments = _splice_comments(old.comments, old_text, text, base, region, comments) if yaml else {}
        return ParseResult(root, [], complete=True, format=fmt, comments=new_comments)
    raise _Fallback(first_skip or "boundary")


def _start(n: Node) -> int:
    return n.start


def _member_start(m: tuple[Node, Node]) -> int:
    return m[1].start


# -- JSON ----------------------------------------------------------------------------------


def _json_region(text: str, x: Node, delta: int) -> tuple[int, int]:
    lo, hi = x.start, x.end + delta
    if hi < len(text) and text[hi] in _AFTER_NUMBER:  # pragma: no cover - the old parse was clean
        raise _Skip("boundary")
    return lo, hi


def _parse_json_region(text: str, x: Node, parent: Node, region) -> tuple[Node, Node | None, dict]:
    from ses_lsp.document.json_parser import parse_json

    lo, hi = region
    sub = text[lo:hi]
    res = parse_json(sub)
    y = res.root
    if res.problems or not res.complete or y is None:
        raise _Fallback("region-problems")
    if y.start != 0 or y.end != len(sub):
        raise _Fallback("region-problems")  # pragma: no cover - a clean parse spans it all
    _check_kind(x, y)
    return y, None, {}


def _check_kind(x: Node, y: Node) -> None:
    containers = (OBJECT, ARRAY)
    if (x.kind in containers or y.kind in containers) and x.kind != y.kind:
        raise _Skip("kind-changed")


# -- YAML ------------------------------------------------------------------------------------


def _line_start(text: str, pos: int) -> int:
    return text.rfind("\n", 0, pos) + 1


def _entry_end(text: str, end: int) -> int:
    """Edits must end before this, for a node ending at ``end``: just after its last line's
    break, which they must not touch (``oe`` is exclusive); or after the end of the text."""
    brk = text.find("\n", end)
    return len(text) + 1 if brk == -1 else brk + 1


def _yaml_region(old_text: str, text: str, x: Node, parent: Node, delta: int):
    """(lo, hi, indent, key node or None, old hi): the lines of ``x``'s entry (``[lo, hi)`` in
    the new text, ``[lo, old hi)`` in the old one)."""
    if _FLOW_START.match(old_text, parent.start):
        raise _Skip("flow")
    if x.kind in (OBJECT, ARRAY) and _FLOW_START.match(old_text, x.start):
        raise _Skip("flow")
    key_node = None
    if parent.kind == ARRAY:
        lo = _line_start(old_text, x.start)
        m = _SEQ_PREFIX.match(old_text, lo, x.start)
        if m is None:
            raise _Skip("entry-line")
        indent = old_text.index("-", lo, x.start) - lo
    else:
        key_node = x.key if isinstance(x.key, Node) else None
        if key_node is None:  # pragma: no cover - a member value has its key
            raise _Skip("entry-line")
        lo = _line_start(old_text, key_node.start)
        if _KEY_PREFIX.match(old_text, lo, key_node.start) is None:
            raise _Skip("entry-line")
        indent = key_node.start - lo
    brk = old_text.find("\n", x.end)
    old_hi = len(old_text) if brk == -1 else brk + 1
    hi = old_hi + delta
    # Every later line of the entry must stay inside it: deeper than the dash
    # or key (blank lines and comment lines excepted).
    sub = text[lo:hi]
    for line in sub.split("\n")[1:]:
        body = line.lstrip(" ")
        if not body or body[0] == "#" or not body.strip():
            continue
        if len(line) - len(body) <= indent:
            raise _Skip("indentation")
    return lo, hi, indent, key_node, old_hi


def _parse_yaml_region(text: str, x: Node, parent: Node, region) -> tuple[Node, Node | None, dict]:
    from ses_lsp.document.yaml_parser import parse_yaml

    lo, hi, indent, key_node, _old_hi = region
    sub = text[lo:hi]
    res = parse_yaml(sub)
    root = res.root
    if res.problems or not res.complete or root is None:
        raise _Fallback("region-problems")
    if key_node is None:
        if root.kind != ARRAY or len(root.list_value) != 1:
            raise _Skip("shape")
        y = root.list_value[0]
        new_key = None
    else:
        if root.kind != OBJECT or len(root.members or ()) != 1:
            raise _Skip("shape")
        new_key, y = root.member_list[0]
        if (
            new_key.kind != key_node.kind
            or new_key.value != key_node.value
            or new_key.plain != key_node.plain
            or new_key.start + lo != key_node.start
            or new_key.end + lo != key_node.end
            or new_key.anchor is not None
        ):
            raise _Skip("key")  # pragma: no cover - the key's line is unchanged
    if root.start != indent:  # pragma: no cover - the entry's dash / key is unchanged
        raise _Skip("shape")
    _check_kind(x, y)
    return y, new_key, res.comments


def _check_tail(text: str, region, last: Node | None) -> None:
    """A block scalar ending the region could take in the blank/comment lines after it."""
    if last is None or last.plain or last.kind in (OBJECT, ARRAY):
        return
    if not _BLOCK_SCALAR.match(text, last.start):
        return
    hi = region[1]
    if hi >= len(text):
        return
    brk = text.find("\n", hi)
    line = text[hi : len(text) if brk == -1 else brk]
    body = line.lstrip(" ")
    if not body.strip() or body[0] == "#":
        raise _Fallback("block-scalar-tail")


# -- splicing ----------------------------------------------------------------------------------


def _shift(y: Node, key_node: Node | None, base: int) -> tuple[int, Node | None]:
    """Move the re-parsed sub-tree (fresh nodes) to ``base``; its depth and last-ending node."""
    last: Node | None = None
    last_end = -1
    depth = 0
    stack = [(y, 1)]
    if key_node is not None:
        key_node.start += base
        key_node.end += base
    while stack:
        n, d = stack.pop()
        n.start += base
        n.end += base
        if n.end > last_end or (n.end == last_end and last is not None and n.start >= last.start):
            last, last_end = n, n.end
        if d > depth:
            depth = d
        if n.kind == OBJECT:
            for k, v in n.member_list:
                k.start += base
                k.end += base
                if k.end > last_end:  # an explicit key ("? |") can end the region
                    last, last_end = k, k.end
                stack.append((v, d + 1))
        elif n.kind == ARRAY:
            for v in n.list_value:
                stack.append((v, d + 1))
    return depth, last


def _new_end(end: int, x_end: int, y_end: int, delta: int) -> int:
    """The new end of a node on the path (it contains the replaced node ``x``, now ``y``)."""
    # A YAML block collection ends with its last entry: if that was ``x``, it now ends with ``y``.
    # Any other end lies after the region (a JSON closing bracket, a later YAML entry).
    return y_end if end == x_end else end + delta


def _path_copy(v: Node, parent: Node | None, key: Node | int | None, x_end: int, y_end: int, delta: int) -> Node:
    """An empty copy of ``v``, a container on the path: its start stays, its end moves with the edit."""
    nv = object.__new__(v.__class__)  # a Node, or a TaggedNode (local YAML tag)
    if v.__class__ is TaggedNode:
        nv.tag = v.tag  # type: ignore[attr-defined]  # (the class is TaggedNode)
    nv.kind = v.kind
    nv.value = None
    nv.start = v.start
    nv.end = _new_end(v.end, x_end, y_end, delta)
    nv.parent = parent
    nv.key = key
    nv.plain = v.plain
    nv.members = None
    nv.anchor = v.anchor
    return nv


def _splice(path: list[Node], y: Node, delta: int) -> Node:
    """A copy of the tree of ``path[0]`` with ``path[-1]`` replaced by ``y`` (already in place).

    ``path`` runs from the root to the replaced node.  The nodes on the path
    contain the edit: they keep their start and their end moves with the
    edit (:func:`_new_end`); the subtrees before the path keep their
    offsets, those after it move by ``delta``.
    """
    x_end, y_end = path[-1].end, y.end
    before: list[tuple[Node, Node]] = []  # (old container, its empty copy): offsets kept
    after: list[tuple[Node, Node]] = []  # offsets shifted
    target = path[-1]
    old_root = path[0]
    root = _path_copy(old_root, None, None, x_end, y_end, delta)
    cur_new = root
    for depth in range(len(path) - 1):
        p = path[depth]
        on_path = path[depth + 1]
        stack = before
        d = 0
        nxt: Node | None = None
        if p.kind == OBJECT:
            members = []
            value = {}
            for k, v in p.member_list:
                nk = _copy_node(k, d, cur_new, None)
                if v is on_path:
                    if v is target:
                        nv = y
                        nv.parent = cur_new
                        nv.key = nk
                    else:
                        nv = nxt = _path_copy(v, cur_new, nk, x_end, y_end, delta)
                    stack = after
                    d = delta
                else:
                    nv = _copy_node(v, d, cur_new, nk)
                    if v.kind == OBJECT or v.kind == ARRAY:
                        stack.append((v, nv))
                members.append((nk, nv))
                value[nk.value if nk.value.__class__ is str else key_text(nk)] = nv
            cur_new.members = members
            cur_new.value = value
        else:
            items = []
            for i, v in enumerate(p.list_value):
                if v is on_path:
                    if v is target:
                        nv = y
                        nv.parent = cur_new
                        nv.key = i
                    else:
                        nv = nxt = _path_copy(v, cur_new, i, x_end, y_end, delta)
                    stack = after
                    d = delta
                else:
                    nv = _copy_node(v, d, cur_new, i)
                    if v.kind == OBJECT or v.kind == ARRAY:
                        stack.append((v, nv))
                items.append(nv)
            cur_new.value = items
        if nxt is None:
            break
        cur_new = nxt
    if before:
        _copy_subtrees(before, 0)
    if after:
        _copy_subtrees(after, delta)
    return root


def _splice_in_place(path: list[Node], where: list[int], y: Node, delta: int) -> Node:
    """:func:`_splice`, modifying the old tree: path nodes' ends and everything after moves."""
    stack: list[Node] = []
    push = stack.append
    last = len(path) - 1
    x_end, y_end = path[-1].end, y.end
    for depth in range(last):
        p = path[depth]
        i = where[depth]
        p.end = _new_end(p.end, x_end, y_end, delta)
        if p.kind == OBJECT:
            members = p.member_list
            for k, v in members[i + 1 :]:
                k.start += delta
                k.end += delta
                push(v)
            if depth + 1 == last:
                k = members[i][0]
                members[i] = (k, y)
                p.dict_value[k.value if k.value.__class__ is str else key_text(k)] = y
                y.parent = p
                y.key = k
        else:
            items = p.list_value
            stack.extend(items[i + 1 :])
            if depth + 1 == last:
                items[i] = y
                y.parent = p
                y.key = i
    pop = stack.pop
    while stack:
        n = pop()
        n.start += delta
        n.end += delta
        kind = n.kind
        if kind == "object":
            for k, v in n.member_list:
                k.start += delta
                k.end += delta
                push(v)
        elif kind == "array":
            stack.extend(n.list_value)
    return path[0]


def _copy_node(v: Node, d: int, parent: Node, key: Node | int | None) -> Node:
    nv = object.__new__(v.__class__)  # a Node, or a TaggedNode (local YAML tag)
    if v.__class__ is TaggedNode:
        nv.tag = v.tag  # type: ignore[attr-defined]  # (the class is TaggedNode)
    nv.kind = v.kind
    nv.value = v.value if v.kind != OBJECT and v.kind != ARRAY else None
    nv.start = v.start + d
    nv.end = v.end + d
    nv.parent = parent
    nv.key = key
    nv.plain = v.plain
    nv.members = None
    nv.anchor = v.anchor
    return nv


def _copy_subtrees(stack: list[tuple[Node, Node]], d: int) -> None:
    """Fill the copies of containers (their nodes made already) with copies of their contents."""
    pop = stack.pop
    push = stack.append
    while stack:
        a, b = pop()
        if a.kind == OBJECT:
            members = []
            value = {}
            for k, v in a.member_list:
                nk = _copy_node(k, d, b, None)
                nv = _copy_node(v, d, b, nk)
                if v.kind == OBJECT or v.kind == ARRAY:
                    push((v, nv))
                members.append((nk, nv))
                kv = nk.value
                value[kv if kv.__class__ is str else key_text(nk)] = nv
            b.members = members
            b.value = value
        else:
            items = []
            for i, v in enumerate(a.list_value):
                nv = _copy_node(v, d, b, i)
                if v.kind == OBJECT or v.kind == ARRAY:
                    push((v, nv))
                items.append(nv)
            b.value = items


def _splice_comments(
    comments: dict[int, str], old_text: str, text: str, base: Document, region, region_comments: dict[int, str]
) -> dict[int, str]:
    """The comments of the new text: the region's from its parse, the others moved by whole lines."""
    if not comments and not region_comments:
        return {}
    lo, hi, old_hi = region[0], region[1], region[4]
    lines = base._lines
    if lines is not None and lines.text is old_text:
        first = bisect.bisect_right(lines.starts, lo) - 1
    else:
        first = old_text.count("\n", 0, lo)
    old_breaks = old_text.count("\n", lo, old_hi)
    new_breaks = text.count("\n", lo, hi)
    # The first line after the region (a region ends with a line break, or at the end of the
    # text: then its last line has none and nothing follows).
    after = first + old_breaks
    if old_hi == len(old_text) and not old_text.endswith("\n"):
        after += 1
    shift = new_breaks - old_breaks
    out: dict[int, str] = {}
    for line, c in comments.items():
        if line < first:
            out[line] = c
    for line, c in region_comments.items():
        out[first + line] = c
    for line, c in comments.items():
        if line >= after:
            out[line + shift] = c
    return out
