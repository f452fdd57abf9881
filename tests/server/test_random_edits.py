"""Hypothesis: random incremental edits keep the server's text equal to the client's, and every
request at any position is answered."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types as T

pytestmark = pytest.mark.asyncio

PIECES = [
    "a",
    "Name",
    "{",
    "}",
    "[",
    "]",
    '"',
    ":",
    ",",
    " ",
    "\n",
    "\r\n",
    "\r",
    "😀",
    "é",
    "\t",
    "- ",
    "#",
    "\\",
    "\x00",
    "TlsPolicy: ",
    '"Rules": [',
]
SEED = '{\n  "Metadata": {"Name": "rs"},\r\n  "Rules": [\n    {"Name": "r😀", "Enabled": true}\n  ]\n}\n'

edits = st.lists(
    st.tuples(st.floats(0, 1), st.floats(0, 1), st.lists(st.sampled_from(PIECES), max_size=4).map("".join)),
    min_size=1,
    max_size=8,
)


def position(text: str, off: int) -> T.Position:
    """LSP position (UTF-16) of a character offset, computed independently of the server."""
    before = text[:off]
    breaks = list(re.finditer(r"\r\n|\r|\n", before))
    line = len(breaks)
    start = breaks[-1].end() if breaks else 0
    return T.Position(line, len(before[start:].encode("utf-16-le")) // 2)


def snap(text: str, off: int) -> int:
    off = max(0, min(off, len(text)))
    if 0 < off < len(text) and text[off - 1] == "\r" and text[off] == "\n":
        off -= 1  # no LSP position lies inside a CRLF
    return off


COUNTER = [0]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(seq=edits, fmt=st.sampled_from(["json", "yaml"]), probe=st.floats(0, 1))
async def test_random_incremental_edits(session, seq, fmt, probe):
    if session.client.capabilities is None:
        await session.init()
    COUNTER[0] += 1
    uri = f"file:///tmp/ses-lsp-hypothesis/doc{COUNTER[0]}.{fmt}"
    text = SEED if fmt == "json" else "Rules:\r\n  - Name: r😀\n    Enabled: true\n"
    session.open(uri, text, fmt)
    for a, b, ins in seq:
        s = snap(text, int(a * len(text)))
        e = snap(text, s + int(b * (len(text) - s) * 0.3))
        new = text[:s] + ins + text[e:]
        session.edit(
            uri,
            (position(text, s).line, position(text, s).character),
            (position(text, e).line, position(text, e).character),
            ins,
            new,
        )
        text = new
    got = await session.text(uri)
    assert got is not None and got["text"] == text
    p = position(text, snap(text, int(probe * len(text))))
    ident = T.TextDocumentIdentifier(uri)
    await session.client.text_document_hover_async(T.HoverParams(ident, p))
    await session.client.text_document_completion_async(T.CompletionParams(ident, p))
    await session.client.text_document_document_symbol_async(T.DocumentSymbolParams(ident))
    await session.client.text_document_code_action_async(
        T.CodeActionParams(ident, T.Range(p, p), T.CodeActionContext(diagnostics=[]))
    )
    await session.client.text_document_definition_async(T.DefinitionParams(ident, p))
    session.close(uri)
