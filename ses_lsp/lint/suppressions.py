"""Suppression comments (YAML): reading them, applying them, and writing them.

::

    Name: legacy  # ses-lsp: disable=SES505            (this line)
    # ses-lsp: disable-next-line=SES104                (the next line)
    # ses-lsp: disable=SES104                          (alone on its line: the next line)
    # ses-lsp: disable-file=SES507,invalid-enum-value  (the whole file)

Codes or names, separated by commas or spaces.  Which diagnostics a comment can silence is
a property of the rule (``Rule.suppressible``): the engine's own failures (syntax errors,
crashed rules) always show, and so do unused (SES009) and unknown (SES010) suppressions.

The engine applies the comments (:func:`apply_suppressions`, reporting unused ones and
unknown codes); the language server offers to write one (:func:`suppression_fixes`) and
shows a listed rule's docs on hover (:func:`suppression_on_line`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ses_lsp.document.nodes import node_at_offset
from ses_lsp.lint.catalogue import CATALOGUE
from ses_lsp.lint.diagnostics import Diagnostic, Fix, TextEdit
from ses_lsp.lint.rules import core as C
from ses_lsp.lint.text import closest, quote

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document
    from ses_lsp.lint.catalogue import RuleInfo

DISABLE = "disable"
DISABLE_FILE = "disable-file"
DISABLE_NEXT_LINE = "disable-next-line"

_COMMENT = r"#\s*ses-lsp:\s*(disable|disable-file|disable-next-line)\s*=\s*([A-Za-z0-9_, -]+)"
_CODE = r"[A-Za-z0-9_-]+"


def suppressible(code: str) -> bool:
    """Whether a suppression comment can silence diagnostics of ``code``."""
    info = CATALOGUE.by_code.get(code)
    return info is not None and info.suppressible


def comment_text(code: str) -> str:
    """The comment that disables ``code`` on its line."""
    return f"# ses-lsp: {DISABLE}={code}"


@dataclass(frozen=True)
class Suppression:
    """A suppression comment of a document (offsets into the document's text)."""

    line: int
    start: int  # the comment's '#'
    end: int  # the end of its codes
    directive: str  # DISABLE, DISABLE_FILE or DISABLE_NEXT_LINE
    codes: tuple[tuple[str, int, int], ...]  # each listed code or name as written, and its span
    own_line: bool  # nothing but the comment on its line

    @property
    def target_line(self) -> int | None:
        """The line it applies to (None: the whole file)."""
        if self.directive == DISABLE_FILE:
            return None
        return self.line + 1 if (self.own_line or self.directive == DISABLE_NEXT_LINE) else self.line


def _parse(document: Document, line: int, comment: str) -> Suppression | None:
    m = re.search(_COMMENT, comment) if "ses-lsp" in comment else None
    if m is None:
        return None
    lines = document.lines
    line_text = lines.line_text(line)
    col = max(line_text.find(comment), 0)
    base = lines.starts[line] + col
    codes = tuple(
        (w.group(0), base + m.start(2) + w.start(), base + m.start(2) + w.end()) for w in re.finditer(_CODE, m.group(2))
    )
    return Suppression(
        line, base + m.start(), base + m.end(), m.group(1), codes, own_line=line_text[:col].strip() == ""
    )


def _comments(document: Document) -> dict[int, str]:
    return (document.parsed.comments or {}) if document.format == "yaml" else {}


def find_suppressions(document: Document) -> list[Suppression]:
    """The suppression comments of a YAML document, in line order (none in JSON)."""
    out = []
    for line, comment in sorted(_comments(document).items()):
        found = _parse(document, line, comment)
        if found is not None:
            out.append(found)
    return out


def suppression_on_line(document: Document, line: int) -> Suppression | None:
    """The suppression comment on ``line`` (0-based), if there is one."""
    comment = _comments(document).get(line)
    return _parse(document, line, comment) if comment else None


# -- applying ------------------------------------------------------------------------------------


@dataclass
class _Listed:
    """A code listed in a suppression comment: its rule (None: no such rule), and whether it
    suppressed a diagnostic."""

    rule: RuleInfo | None
    used: bool = False


@dataclass
class _Applied:
    suppression: Suppression
    codes: dict[str, _Listed] = field(default_factory=dict)  # by their text


def apply_suppressions(document: Document, diags: list[Diagnostic], selected: frozenset[str]) -> list[Diagnostic]:
    """``diags`` without those a comment suppresses, plus SES010 for each code that is no rule
    and SES009 (with a fix removing it) for each selected one that suppressed nothing."""
    found = find_suppressions(document)
    if not found:
        return diags
    file_wide: dict[str, list[_Listed]] = {}
    per_line: dict[int, dict[str, list[_Listed]]] = {}
    entries: list[_Applied] = []
    for sup in found:
        entry = _Applied(sup)
        entries.append(entry)
        target = sup.target_line
        for text, _s, _e in sup.codes:
            rule = CATALOGUE.get(text)
            listed = entry.codes[text] = _Listed(rule)
            if rule is None:
                continue
            if target is None:
                file_wide.setdefault(rule.code, []).append(listed)
            else:
                per_line.setdefault(target, {}).setdefault(rule.code, []).append(listed)
    lines = document.lines
    kept: list[Diagnostic] = []
    for d in diags:
        line = lines.position(d.start)[0]
        hits = per_line.get(line, {}).get(d.code) or file_wide.get(d.code)
        if hits and suppressible(d.code):
            for h in hits:
                h.used = True
            continue
        kept.append(d)
    for entry in entries:
        sup = entry.suppression
        for text, listed in entry.codes.items():
            rule = listed.rule
            if rule is None:
                hint = closest(text, list(CATALOGUE.by_code) + list(CATALOGUE.by_name), cutoff=0.5)
                kept.append(
                    Diagnostic.of(
                        C.UNKNOWN_SUPPRESSION,
                        f"{quote(text)} in the suppression comment is not a rule"
                        + (f"; did you mean {quote(hint)}?" if hint else ""),
                        sup.start,
                        sup.end,
                    )
                )
            elif not listed.used and rule.code in selected:
                edit = _remove_code_edit(document, entry, text)
                kept.append(
                    Diagnostic.of(
                        C.UNUSED_SUPPRESSION,
                        f"the suppression of {rule.code} ({rule.name}) suppresses nothing; remove it",
                        sup.start,
                        sup.end,
                        fix=Fix(f"Remove the unused suppression of {rule.code}", (edit,)) if edit else None,
                    )
                )
    return kept


def _remove_code_edit(document: Document, entry: _Applied, code_text: str) -> TextEdit | None:
    """Remove one code from a suppression comment, or the whole comment when it is the only one."""
    sup = entry.suppression
    s, e = sup.start, sup.end
    text = document.text
    if len(entry.codes) == 1:
        # Remove the comment and the white space before it; if the line holds only
        # the comment, remove the whole line.
        lines = document.lines
        ls, le = lines.starts[sup.line], lines.line_end(sup.line)
        before = text[ls:s]
        if before.strip() == "" and text[e:le].strip() == "":
            nxt = lines.starts[sup.line + 1] if sup.line + 1 < len(lines.starts) else le
            return TextEdit(ls, nxt, "")
        ws = len(before) - len(before.rstrip())
        return TextEdit(s - ws, e, "") if text[e:le].strip() == "" else None
    segment = text[s:e]
    m = re.search(r"(\s*,\s*)?\b" + re.escape(code_text) + r"\b(\s*,\s*)?", segment)
    if not m:
        return None
    a, b = m.span()
    if m.group(1) and m.group(2):
        return TextEdit(s + a, s + b, ",")
    return TextEdit(s + a, s + b, "")


# -- writing -------------------------------------------------------------------------------------


def disable_edit(document: Document, offset: int, code: str) -> TextEdit | None:
    """The edit that disables ``code`` on the line of ``offset``, or None if impossible.

    Extends a ``# ses-lsp: disable=...`` comment already on the line, else appends
    ``  # ses-lsp: disable=CODE`` at the line end (after any other comment).  None for JSON
    (no comments), when the code is listed already, on a line holding nothing but a comment
    or nothing at all (a comment there applies to the next line) and when the line ends inside
    a multi-line scalar or flow collection (a comment there would become part of the value, or
    break it).
    """
    if document.format != "yaml":
        return None
    lines = document.lines
    line, _ = lines.position(offset)
    ls, le = lines.starts[line], lines.line_end(line)
    text = document.text
    comment = _comments(document).get(line)
    if comment:
        sup = _parse(document, line, comment)
        if sup is not None and sup.own_line:
            return None
        if sup is not None and sup.directive == DISABLE and sup.codes:
            if code in (c for c, _s, _e in sup.codes):
                return None
            at = sup.codes[-1][2]
            return TextEdit(at, at, f",{code}")
    # Not inside a scalar that continues on the next line.

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
    if stripped_end == ls or text[ls:stripped_end].lstrip(" \t").startswith("#"):
        return None  # an empty line or a comment's: a comment here would apply to the next line
    return TextEdit(stripped_end, le, "  " + comment_text(code))


def suppression_fixes(document: Document, diagnostics: list[Diagnostic]) -> list[tuple[Diagnostic, Fix]]:
    """For each diagnostic a comment can silence, the fix that writes one on its line ("Disable
    CODE for this line"); one per code and line."""
    seen: set[tuple[str, int]] = set()
    out: list[tuple[Diagnostic, Fix]] = []
    for d in diagnostics:
        key = (d.code, document.lines.position(d.start)[0])
        if key in seen or not suppressible(d.code):
            continue
        seen.add(key)
        edit = disable_edit(document, d.start, d.code)
        if edit is not None:
            out.append((d, Fix(f"Disable {d.code} for this line", (edit,), safe=False)))
    return out
