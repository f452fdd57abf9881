"""The server driven through a real `ses-lsp serve` process: the size cap the CLI applies
(SES006) holds for documents opened in the server.  Timeouts are hang guards only.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "editors"))
from lsp_stdio import StdioClient  # noqa: E402

SERVE = [sys.executable, "-m", "ses_lsp", "serve"]
TIMEOUT = 30  # hang guard for one answer


def document_text(client: StdioClient, uri: str) -> str:
    return client.request("ses-lsp/documentText", {"textDocument": {"uri": uri}}, timeout=TIMEOUT)["text"]


def stop(client: StdioClient) -> int | None:
    """shutdown + exit; the exit code (None if the server had to be killed)."""
    client.request("shutdown", None, timeout=TIMEOUT)
    client.notify("exit")
    try:
        return client.proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        client.close()
        return None


def test_a_document_over_the_size_cap_gets_the_cli_diagnostic(tmp_path):
    rules = [
        {"Name": f"règle-{i}", "Enabled": True, "Actions": [{"StopAction": {"Scope": "RuleSet"}}]}
        for i in range(85_000)
    ]
    text = json.dumps({"Rules": rules}, ensure_ascii=False, indent=2)
    assert len(text.encode()) > 10 * 1024 * 1024
    path = tmp_path / "big.json"
    path.write_text(text, encoding="utf-8")
    cli = subprocess.run(
        [sys.executable, "-m", "ses_lsp", "lint", str(path), "--format", "json", "--no-cache"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    [expected] = json.loads(cli.stdout)
    assert expected["code"] == "SES006", expected

    client = StdioClient(SERVE, cwd=tmp_path)
    try:
        client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}}, timeout=TIMEOUT)
        client.notify("initialized", {})
        uri = path.as_uri()
        client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}}
        )
        assert client.wait_for(lambda: uri in client.diagnostics, 60), client.stderr[-3000:]
        diagnostics = client.diagnostics[uri]
        # and the server still answers
        assert document_text(client, uri) == text
        code = stop(client)
    finally:
        client.close()
    assert [(d["code"], d["message"], d["severity"]) for d in diagnostics] == [
        (expected["code"], expected["message"], 1)
    ]
    assert code == 0, client.stderr[-3000:]
