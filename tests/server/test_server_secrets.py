"""Credentials never leave the language server: every byte it writes over stdio
(diagnostics and their ``data``, code actions, hover, completion, the outline) is
searched for the secret of each case of tests/test_secrets.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS), str(TESTS / "editors")]

from lsp_stdio import StdioClient  # noqa: E402
from test_secrets import CASES, REPO, Case  # noqa: E402

SERVER = [sys.executable, "-m", "ses_lsp.server.server", "--debounce", "20"]

CAPABILITIES = {
    "textDocument": {
        "publishDiagnostics": {"relatedInformation": True, "versionSupport": True, "dataSupport": True},
        "codeAction": {
            "codeActionLiteralSupport": {"codeActionKind": {"valueSet": ["quickfix", "source.fixAll"]}},
            "isPreferredSupport": True,
            "dataSupport": True,
        },
        "hover": {"contentFormat": ["markdown", "plaintext"]},
        "completion": {"completionItem": {"snippetSupport": True}},
        "documentSymbol": {"hierarchicalDocumentSymbolSupport": True},
    }
}


class RecordingClient(StdioClient):
    """A stdio client that keeps every byte the server writes to its standard output."""

    def __init__(self, *args, **kw) -> None:
        self.raw = bytearray()
        super().__init__(*args, **kw)

    def _read_stdout(self) -> None:
        self.proc.stdout = _Tee(self.proc.stdout, self.raw)  # type: ignore[assignment]
        super()._read_stdout()


class _Tee:
    def __init__(self, stream, sink: bytearray) -> None:
        self.stream, self.sink = stream, sink

    def readline(self) -> bytes:
        data = self.stream.readline()
        self.sink += data
        return data

    def read(self, n: int) -> bytes:
        data = self.stream.read(n)
        self.sink += data
        return data

    def close(self) -> None:
        self.stream.close()


def _position(text: str, offset: int) -> dict:
    before = text[:offset]
    return {"line": before.count("\n"), "character": offset - (before.rfind("\n") + 1)}


def _apply(text: str, edits: list[dict]) -> str:
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))

    def offset(p: dict) -> int:
        return starts[p["line"]] + p["character"]

    for e in sorted(edits, key=lambda e: offset(e["range"]["start"]), reverse=True):
        text = text[: offset(e["range"]["start"])] + e["newText"] + text[offset(e["range"]["end"]) :]
    return text


@pytest.mark.parametrize("resolve", [False, True], ids=["edits-listed", "edits-resolved"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_no_server_output_carries_the_secret(tmp_path, case: Case, resolve: bool):
    """``resolve``: the client resolves code actions, which then come without edits, and
    codeAction/resolve adds them (a channel of its own)."""
    path = tmp_path / case.name
    path.write_text(case.text, encoding="utf-8")
    uri = path.as_uri()
    text = case.text
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    client = RecordingClient(SERVER, cwd=tmp_path, env=env)
    try:
        caps = CAPABILITIES
        if resolve:
            caps = {"textDocument": {**caps["textDocument"]}}
            caps["textDocument"]["codeAction"] = {
                **caps["textDocument"]["codeAction"],
                "resolveSupport": {"properties": ["edit"]},
            }
        client.request("initialize", {"processId": None, "rootUri": tmp_path.as_uri(), "capabilities": caps})
        client.notify("initialized", {})
        language = "json" if case.name.endswith(".json") else "yaml"
        client.notify(
            "textDocument/didOpen",
            {"textDocument": {"uri": uri, "languageId": language, "version": 1, "text": text}},
        )
        assert client.wait_for(lambda: uri in client.diagnostics, 30), client.stderr
        published = client.diagnostics[uri]
        assert set(case.codes) <= {d["code"] for d in published}
        doc = {"uri": uri}
        whole = {"start": {"line": 0, "character": 0}, "end": _position(text, len(text))}

        # No fix in the diagnostics' data; the quoting fix as a code action (its edit resolved by
        # codeAction/resolve for a client that resolves them): two quote characters.
        assert all("fix" not in d["data"] for d in published)
        actions = client.request(
            "textDocument/codeAction", {"textDocument": doc, "range": whole, "context": {"diagnostics": published}}
        )
        actions += (
            client.request(
                "textDocument/codeAction",
                {"textDocument": doc, "range": whole, "context": {"diagnostics": [], "only": ["source.fixAll"]}},
            )
            or []
        )
        assert actions and all(("edit" not in a) == resolve for a in actions)
        if resolve:
            actions = [client.request("codeAction/resolve", a) for a in actions]
        quoting = [a for a in actions if a.get("kind") == "quickfix" and a["title"].startswith("Quote")]
        assert bool(quoting) == (case.fixed is not None)
        for action in quoting:
            edits = action["edit"]["changes"][uri]
            assert [e["newText"] for e in edits] == ["'", "'"]
            assert case.fixed is not None and case.fixed in _apply(text, edits)
        client.request("textDocument/diagnostic", {"textDocument": doc})

        # Hover and completion on every place the secret is written, and on its key.
        for secret in case.secrets:
            at = text.index(secret)
            for offset in (at, at + len(secret) // 2, text.rfind("\n", 0, at) + 3):
                client.request("textDocument/hover", {"textDocument": doc, "position": _position(text, offset)})
                client.request("textDocument/completion", {"textDocument": doc, "position": _position(text, offset)})
        member = next(m for m in ("IngressPointName", "ServerPort", "RelayId") if m in text)  # ingress point, relay
        hover = client.request(
            "textDocument/hover", {"textDocument": doc, "position": _position(text, text.index(member))}
        )
        assert hover and member in hover["contents"]["value"]  # hover works here
        symbols = client.request("textDocument/documentSymbol", {"textDocument": doc})
        assert symbols
    finally:
        client.close()
    output = bytes(client.raw)
    assert b"publishDiagnostics" in output
    for secret in case.secrets:
        assert secret.encode() not in output, f"{case.name}: the server wrote {secret!r}"
        assert secret not in client.stderr, f"{case.name}: the server logged {secret!r}"
