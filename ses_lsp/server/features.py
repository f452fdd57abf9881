"""Glue between lint results and LSP features that needs no LSP types.

* :func:`disable_comment_edit`: the edit adding ``# ses-lsp: disable=CODE``
  to a YAML line.
* :func:`choose_safe_fixes`: the non-overlapping safe fixes of a lint result
  ("fix all").
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ses_lsp.lint.diagnostics import TextEdit

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document
    from ses_lsp.lint.diagnostics import Diagnostic, Fix

_DISABLE = re.compile(r"(#\s*ses-lsp:\s*disable\s*=\s*)([A-Za-z0-9_, -]*[A-Za-z0-9_])")


def disable_comment_edit(document: Document, offset: int, code: str) -> TextEdit | None:
    """The edit that disables ``code`` on the line of ``offset`` (YAML), or None if impossible.

    Extends an existing ``# ses-lsp: disable=...`` comment on the line, else
    appends ``  # ses-lsp: disable=CODE`` at the line end (after any other
    comment).  Returns None when the line ends inside a multi-line scalar,
    where a comment would become part of the text.
    """
    lines = document.lines
    line, _ = lines.position(offset)
    ls, le = lines.starts[line], lines.line_end(line)
    text = document.text
    comment = (document.parsed.comments or {}).get(line)
    if comment:
        col = text.find(comment, ls, le + 1)
        if col >= 0:
            m = _DISABLE.search(comment)
            if m:
                codes = [c.strip() for c in re.split(r"[,\s]+", m.group(2)) if c.strip()]
                if code in codes:
                    return None
                at = col + m.end(2)
                return TextEdit(at, at, f",{code}")
    # Not inside a scalar that continues on the next line.
    from ses_lsp.document.nodes import node_at_offset

    node = node_at_offset(document.root, le)
    if node is not None and node.kind not in ("object", "array") and node.start < le < node.end:
        return None
    if (
        node is not None
        and node.kind in ("object", "array")
        and text[node.start : node.start + 1] in "[{"
        and node.start < le < node.end - 1
        and not comment
    ):
        return None  # inside a multi-line flow collection
    stripped_end = le
    while stripped_end > ls and text[stripped_end - 1] in " \t":
        stripped_end -= 1
    if stripped_end == ls:
        return None  # an empty line: a comment here would apply to the next line
    return TextEdit(stripped_end, le, f"  # ses-lsp: disable={code}")


def choose_safe_fixes(diagnostics: list[Diagnostic]) -> list[tuple[Diagnostic, Fix]]:
    """Safe fixes in position order, skipping any that overlaps one taken before."""
    taken: list[tuple[int, int]] = []
    out: list[tuple[Diagnostic, Fix]] = []
    for d in diagnostics:
        fix = d.fix
        if fix is None or not fix.safe or not fix.edits:
            continue
        spans = [(e.start, e.end) for e in fix.edits]
        if any(_overlaps(s, t) for s in spans for t in taken):
            continue
        if any(_overlaps(a, b) for i, a in enumerate(spans) for b in spans[i + 1 :]):
            continue
        taken.extend(spans)
        out.append((d, fix))
    return out


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] == b[0] or (a[0] < b[1] and b[0] < a[1])
