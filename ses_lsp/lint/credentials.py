"""Credentials never appear in any output channel: the spans of their values in a document,
and text with those spans masked (source excerpts, diffs)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ses_lsp.document.nodes import OBJECT

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document

_SECRET_KEY = re.compile(r"(?i)(password|passwd|passphrase|secret|private.?key|api.?key|access.?key|token|credential)")
_NOT_SECRET_KEY = re.compile(r"(?i)(arn|id|name|policy|type)$")


def secret_spans(document: Document | None) -> list[tuple[int, int]]:
    """Spans of credential values (``SmtpPassword`` and anything password- or key-like).

    Output that shows source text (snippets, diffs) masks these spans: credentials
    never appear in any output.
    """
    if document is None or document.root is None:
        return []
    spans: list[tuple[int, int]] = []
    for node in document.root.walk():
        if node.kind != OBJECT:
            continue
        for key, value in node.members or ():
            name = key.value if isinstance(key.value, str) else ""
            if value.is_scalar and _SECRET_KEY.search(name) and not _NOT_SECRET_KEY.search(name):
                if value.end > value.start:
                    spans.append((value.start, value.end))
    return spans


def redact(text: str, spans: list[tuple[int, int]], offset: int = 0) -> str:
    """``text`` (which starts at ``offset`` in the document) with secret spans masked by '*'."""
    if not spans:
        return text
    chars = list(text)
    end = offset + len(text)
    for s, e in spans:
        if e <= offset or s >= end:
            continue
        for i in range(max(s, offset), min(e, end)):
            if chars[i - offset] not in "\r\n":
                chars[i - offset] = "*"
    return "".join(chars)
