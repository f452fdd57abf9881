"""Glue between lint results and LSP features that needs no LSP types.

* :func:`choose_safe_fixes`: the non-overlapping safe fixes of a lint result
  ("fix all").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.lint.diagnostics import Diagnostic, Fix


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
