"""The server collects cyclic garbage only when idle (ses_lsp/server/server.py, main): what it
does on every keystroke and request must leave none, or it piles up (with the objects it holds,
such as a request's results or a parse tree) until the user stops typing."""

from __future__ import annotations

import gc

from lsprotocol import types as T
from test_diagnostic_payload import noisy_yaml

from ses_lsp.server.server import create_server


def _cycles(run) -> list[str]:
    """What ``run()`` leaves as cyclic garbage (type names), the collector off meanwhile."""
    gc.collect()
    was = gc.isenabled()
    gc.disable()
    try:
        run()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        found = [type(o).__name__ for o in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()  # (the saved objects, released: collected for good)
        if was:
            gc.enable()
    return found


def test_edits_and_requests_leave_no_cyclic_garbage():
    text = noisy_yaml(12)
    uri = "file:///t/rules.yaml"
    features: dict = {}

    def setup() -> None:
        ls = create_server(debounce=0)
        ls.protocol.send_json_text = lambda body: None  # type: ignore[method-assign]
        features["ls"] = ls
        features.update(ls.protocol.fm.features)
        features[T.TEXT_DOCUMENT_DID_OPEN](T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, "yaml", 1, text)))

    setup()
    ls = features["ls"]
    doc = T.TextDocumentIdentifier(uri)
    line = text[: text.index("rule-005")].count("\n")
    col = text.split("\n")[line].index("rule-005") + 5
    at = T.Position(line, col)
    version = [1]

    def edit(new: str, end: int) -> None:
        version[0] += 1
        features[T.TEXT_DOCUMENT_DID_CHANGE](
            T.DidChangeTextDocumentParams(
                T.VersionedTextDocumentIdentifier(uri=uri, version=version[0]),
                [T.TextDocumentContentChangePartial(range=T.Range(at, T.Position(line, col + end)), text=new)],
            )
        )

    def requests() -> None:
        features[T.TEXT_DOCUMENT_COMPLETION](T.CompletionParams(doc, at))
        features[T.TEXT_DOCUMENT_HOVER](T.HoverParams(doc, at))
        features[T.TEXT_DOCUMENT_DEFINITION](T.DefinitionParams(doc, at))
        features[T.TEXT_DOCUMENT_CODE_ACTION](
            T.CodeActionParams(doc, T.Range(T.Position(0, 0), T.Position(40, 0)), T.CodeActionContext(diagnostics=[]))
        )
        for hierarchical in (True, False):
            ls.hierarchical_symbols = hierarchical
            features[T.TEXT_DOCUMENT_DOCUMENT_SYMBOL](T.DocumentSymbolParams(doc))

    requests()  # (first uses build caches of their own)
    assert _cycles(lambda: [edit("x", 0), edit("", 1)]) == []
    assert _cycles(requests) == []
    # the check finds what a cycle leaves behind
    assert _cycles(_a_cycle) == ["list"]


def _a_cycle() -> None:
    cycle: list = []
    cycle.append(cycle)
