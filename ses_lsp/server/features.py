"""Glue between lint results and LSP features that needs no LSP types.

* :func:`merge_config`: client settings over the configuration file.
* :func:`disable_comment_edit`: the edit adding ``# ses-lsp: disable=CODE``
  to a YAML line.
* :func:`choose_safe_fixes`: the non-overlapping safe fixes of a lint result
  ("fix all").
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ses_lsp.lint.diagnostics import TextEdit

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document
    from ses_lsp.lint.config import Config
    from ses_lsp.lint.diagnostics import Diagnostic, Fix

# Settings the server itself reads (not part of the lint configuration).
SERVER_KEYS = ("debounce",)

_DISABLE = re.compile(r"(#\s*ses-lsp:\s*disable\s*=\s*)([A-Za-z0-9_, -]*[A-Za-z0-9_])")


def split_settings(raw: dict) -> tuple[dict, dict]:
    """(lint settings, server settings) of a client settings mapping."""
    lint = {k: v for k, v in raw.items() if k not in SERVER_KEYS}
    server = {k: v for k, v in raw.items() if k in SERVER_KEYS}
    return lint, server


def _present(settings: dict, key: str) -> bool:
    return key in settings or key.replace("-", "_") in settings


def merge_config(base: Config, settings: dict, client: Config) -> Config:
    """``base`` (from the configuration file) with the client's settings on top.

    Client settings win: ``select`` / ``ignore`` replace the file's lists,
    ``extend-select`` / ``extend-ignore`` extend them, ``severity`` entries
    override the file's per code, ``region``, ``verified-domains`` and
    ``active-rule-set`` replace the file's values, ``per-file-ignores`` are
    added.  (``kinds`` globs are matched by the server itself, before the
    file's globs, relative to the workspace folder.)
    """
    kw: dict = {}
    extend_select = tuple(s for s in client.select if s != "ALL") if not _present(settings, "select") else ()
    if _present(settings, "select"):
        kw["select"] = client.select
    elif _present(settings, "extend-select"):
        kw["select"] = base.select + extend_select
    if _present(settings, "ignore"):
        kw["ignore"] = client.ignore
    elif _present(settings, "extend-ignore"):
        kw["ignore"] = base.ignore + client.ignore
    if _present(settings, "severity"):
        kw["severity"] = base.severity + client.severity
    if _present(settings, "per-file-ignores"):
        kw["per_file_ignores"] = client.per_file_ignores + base.per_file_ignores
    if _present(settings, "region"):
        kw["region"] = client.region
    if _present(settings, "verified-domains"):
        kw["verified_domains"] = client.verified_domains
    if _present(settings, "active-rule-set"):
        kw["active_rule_set"] = client.active_rule_set
    if _present(settings, "fail-on"):
        kw["fail_on"] = client.fail_on
    return replace(base, **kw) if kw else base


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
