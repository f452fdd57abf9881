"""Applying fixes to text and writing the result back safely.

The functions here work on plain data (the diagnostic records the runner
produces, see :mod:`ses_lsp.lint.runner`): a fix is a mapping with
``"title"``, ``"safe"`` and ``"edits"``, each edit a mapping with ``"start"``
and ``"end"`` (``[offset, line, column]``; only the character offset is used
here) and ``"newText"``.

Only *safe* fixes are applied by ``ses-lsp lint --fix``.  A fix is applied as
a whole or not at all; fixes are taken in position order and a fix whose edits
overlap an edit already taken is left for the next round (the caller re-lints
and tries again, see :func:`ses_lsp.lint.runner.fix_files`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from ses_lsp.document.document import Document
from ses_lsp.lint.secrets import find_secrets

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.lint.diagnostics import Diagnostic, Fix, TextEdit

__all__ = [
    "apply_edit_groups",
    "apply_edits",
    "choose_fixes",
    "choose_safe_fixes",
    "newline_of",
    "unified_diff",
    "write_atomic",
]

Edit = tuple[int, int, str]  # (start, end, new text): character offsets
F = TypeVar("F")


def newline_of(text: str) -> str:
    """The file's line break style: ``"\\r\\n"``, ``"\\r"`` or ``"\\n"`` (the first one met)."""
    i = text.find("\n")
    j = text.find("\r")
    if j == -1:
        return "\n"
    if i == -1 or j < i:
        return "\r\n" if text.startswith("\r\n", j) else "\r"
    return "\n"


def _edits_of(fix) -> list[tuple[int, int, str]]:
    return [(int(e["start"][0]), int(e["end"][0]), str(e["newText"])) for e in fix["edits"]]


def _overlaps(a: Edit, b: Edit) -> bool:
    # Two edits conflict when their spans intersect or when they start at the
    # same offset (the order of two insertions at one point is undefined).
    return a[0] == b[0] or (a[0] < b[1] and b[0] < a[1])


def _choose(candidates: Iterable[tuple[F, list[Edit]]], text_length: int | None) -> tuple[list[F], list[Edit]]:
    """The one chooser: ``(fix, its edits)`` in position order -> (chosen fixes, their edits)."""
    chosen: list[F] = []
    taken: list[Edit] = []
    for fix, edits in candidates:
        if not edits:
            continue
        ok = True
        for k, e in enumerate(edits):
            if e[0] < 0 or e[1] < e[0] or (text_length is not None and e[1] > text_length):
                ok = False
                break
            if any(_overlaps(e, other) for other in edits[:k]) or any(_overlaps(e, t) for t in taken):
                ok = False
                break
        if ok:
            chosen.append(fix)
            taken.extend(edits)
    return chosen, taken


def choose_fixes(fixes, text_length: int | None = None) -> tuple[list, list[Edit]]:
    """Pick the fixes (records' fix mappings) to apply now: ``(chosen fixes, their edits)``.

    ``fixes`` in diagnostic (position) order.  Fixes with no edits, edits out of
    range or edits overlapping one another (inside the fix or with a fix chosen
    before) are skipped.
    """
    candidates = []
    for fix in fixes:
        try:
            candidates.append((fix, _edits_of(fix)))
        except (KeyError, TypeError, ValueError, IndexError):
            continue
    return _choose(candidates, text_length)


def choose_safe_fixes(diagnostics: list[Diagnostic], text_length: int | None = None) -> list[tuple[Diagnostic, Fix]]:
    """The safe fixes of engine diagnostics to apply at once (an editor's "fix all"), chosen
    as :func:`choose_fixes` chooses for ``ses-lsp lint --fix``: ``(diagnostic, fix)`` pairs."""
    candidates = (
        ((d, d.fix), [(e.start, e.end, e.new_text) for e in d.fix.edits])
        for d in diagnostics
        if d.fix is not None and d.fix.safe
    )
    return _choose(candidates, text_length)[0]


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """Apply non-overlapping ``(start, end, new_text)`` edits (character offsets).

    Line breaks in inserted text follow the document's style (a fix written
    with ``\\n`` inserts ``\\r\\n`` into a CRLF file).
    """
    if not edits:
        return text
    nl = newline_of(text)
    parts: list[str] = []
    pos = 0
    for start, end, new in sorted(edits, key=lambda e: (e[0], e[1])):
        if nl != "\n" and "\n" in new:
            new = new.replace("\r\n", "\n").replace("\n", nl)
        parts.append(text[pos:start])
        parts.append(new)
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def apply_edit_groups(text: str, groups: Iterable[Iterable[TextEdit]]) -> str:
    """Apply groups of edits (one group per fix) as ``ses-lsp lint --fix`` applies fixes: a
    group overlapping an earlier one is skipped."""
    candidates = [(i, [(e.start, e.end, e.new_text) for e in g]) for i, g in enumerate(groups)]
    return apply_edits(text, _choose(candidates, len(text))[1])


def write_atomic(path: str, data: bytes) -> None:
    """Replace ``path``'s content with ``data`` atomically (temp file + ``os.replace``).

    The file's permission bits are kept.  Symbolic links are followed: the
    target is replaced, the link stays.
    """
    import tempfile

    real = os.path.realpath(path)
    directory = os.path.dirname(real) or "."
    try:
        mode = os.stat(real).st_mode & 0o7777
    except OSError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=".ses-lsp-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def _masked(old: str, new: str, name: str) -> tuple[str, str]:
    """Both texts with their credentials masked: a diff never prints a password either.

    Each text is masked where its own tree puts a secret, and then every secret string
    of either text is masked wherever it still appears (a text that no longer parses,
    a secret moved by the change)."""
    before, after = find_secrets(Document(old, name)), find_secrets(Document(new, name))
    old, new = before.redact(old), after.redact(new)
    for secrets in (before, after):
        old, new = secrets.mask_strings(old), secrets.mask_strings(new)
    return old, new


def unified_diff(old: str, new: str, name: str) -> str:
    """A unified diff (``a/NAME`` -> ``b/NAME``) of two texts, ending with a line break."""
    import difflib

    old, new = _masked(old, new, name)
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    out: list[str] = []
    for line in difflib.unified_diff(old_lines, new_lines, f"a/{name}", f"b/{name}"):
        if not line.endswith(("\n", "\r")):
            out.append(line + "\n\\ No newline at end of file\n")
        else:
            out.append(line)
    return "".join(out)
