"""The server's transport, driven through a real `ses-lsp serve` process with raw bytes.

Mis-framed input (wrong, missing, non-numeric, negative or huge Content-Length, lower-case
header names, LF-only line ends, garbage) must never silence or kill the server: it
resynchronises on the next header and answers the next valid request.  Also: the size cap
the CLI applies (SES006) holds for documents opened in the server, and the lifecycle
(``shutdown``/``exit``) follows the LSP specification.  Timeouts are hang guards only.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "editors"))
from lsp_stdio import LspError, StdioClient  # noqa: E402

from ses_lsp.server.transport import Framer  # noqa: E402

SERVE = [sys.executable, "-m", "ses_lsp", "serve"]
TIMEOUT = 30  # hang guard for one answer
TEXT = '{"Rules": [{"Name": "r1", "Actions": [{"StopAction": {"Scope": "RuleSet"}}]}]}\n'


def frame(message: dict, *, name: bytes = b"Content-Length", eol: bytes = b"\r\n") -> bytes:
    body = json.dumps(message).encode()
    return name + b": %d" % len(body) + eol + eol + body


def body_of(message: dict) -> bytes:
    return json.dumps(message).encode()


def start(tmp_path: Path) -> tuple[StdioClient, str]:
    client = StdioClient(SERVE, cwd=tmp_path)
    client.request("initialize", {"processId": None, "rootUri": None, "capabilities": {}}, timeout=TIMEOUT)
    client.notify("initialized", {})
    uri = (tmp_path / "rules.json").as_uri()
    client.notify(
        "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": TEXT}}
    )
    return client, uri


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


def change(uri: str, text: str) -> dict:
    return {
        "jsonrpc": "2.0",
        "method": "textDocument/didChange",
        "params": {"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]},
    }


# Each case frames a didChange badly; the server must drop it (not apply it) and answer what follows.
MISFRAMED = {
    "length one byte too long": lambda b: b"Content-Length: %d\r\n\r\n" % (len(b) + 1) + b,
    "length one byte too short": lambda b: b"Content-Length: %d\r\n\r\n" % (len(b) - 1) + b,
    "length far too long": lambda b: b"Content-Length: %d\r\n\r\n" % (len(b) + 5000) + b,
    "non-numeric length": lambda b: b"Content-Length: twelve\r\n\r\n" + b,
    "negative length": lambda b: b"Content-Length: -%d\r\n\r\n" % len(b) + b,
    "no Content-Length": lambda b: b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + b,
    "no headers at all": lambda b: b,
    "header line that is not a header": lambda b: b"Content-Length: %d\r\nthis is not a header\r\n\r\n" % len(b) + b,
    "two different lengths": lambda b: b"Content-Length: %d\r\nContent-Length: 3\r\n\r\n" % len(b) + b,
    "header line over 4 KiB": lambda b: b"Content-Length: %d\r\nX-Padding: " % len(b) + b"x" * 5000 + b"\r\n\r\n" + b,
    "body that is not UTF-8": lambda b: b"Content-Length: %d\r\n\r\n" % (len(b) + 2) + b"\xff\xfe" + b,
}
# Variants the base protocol allows (or that are cheap to accept): the message is applied.
ACCEPTED = {
    "lower-case header name": lambda b: b"content-length: %d\r\n\r\n" % len(b) + b,
    "LF-only line ends": lambda b: b"Content-Length: %d\n\n" % len(b) + b,
    "Content-Type after Content-Length": lambda b: (
        b"Content-Length: %d\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" % len(b) + b
    ),
}


def test_misframed_messages_are_skipped_and_the_next_request_answered(tmp_path):
    client, uri = start(tmp_path)
    try:
        assert document_text(client, uri) == TEXT
        for name, misframe in MISFRAMED.items():
            client.send_raw(misframe(body_of(change(uri, f"CHANGED by {name}"))))
            # the next valid request is answered, and the mis-framed change was not applied
            assert document_text(client, uri) == TEXT, name
        for name, variant in ACCEPTED.items():
            client.send_raw(variant(body_of(change(uri, f"CHANGED by {name}"))))
            assert document_text(client, uri) == f"CHANGED by {name}", name
        code = stop(client)
    finally:
        client.close()
    assert code == 0, client.stderr[-3000:]
    assert client.stderr.count("mis-framed input from the client") >= len(MISFRAMED), client.stderr[-3000:]
    assert "Traceback" not in client.stderr, client.stderr[-3000:]


def test_huge_content_length_is_refused_without_allocating(tmp_path):
    client, uri = start(tmp_path)
    try:
        hover = {
            "jsonrpc": "2.0",
            "id": "huge",
            "method": "textDocument/hover",
            "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 3}},
        }
        client.send_raw(b"Content-Length: 99999999999\r\n\r\n" + body_of(hover))
        assert document_text(client, uri) == TEXT
        assert client.wait_for(
            lambda: any(n["method"] == "window/showMessage" for n in client.notifications), TIMEOUT
        ), client.stderr[-3000:]
        shown = [n["params"]["message"] for n in client.notifications if n["method"] == "window/showMessage"]
        assert any("99,999,999,999 bytes" in m and "64 MiB" in m for m in shown), shown
        code = stop(client)
    finally:
        client.close()
    assert code == 0, client.stderr[-3000:]
    assert "99,999,999,999 bytes is over the limit of 67,108,864 bytes" in client.stderr
    assert "MemoryError" not in client.stderr and "Traceback" not in client.stderr, client.stderr[-3000:]


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


def test_exit_without_shutdown_exits_with_1(tmp_path):
    client, _uri = start(tmp_path)
    try:
        client.notify("exit")
        code = client.proc.wait(timeout=TIMEOUT)
    finally:
        client.close()
    assert code == 1, client.stderr[-3000:]
    assert "'exit' without 'shutdown'" in client.stderr


def test_requests_after_shutdown_are_invalid_and_exit_then_gives_0(tmp_path):
    client, uri = start(tmp_path)
    try:
        assert client.request("shutdown", None, timeout=TIMEOUT) is None
        with pytest.raises(LspError) as info:
            document_text(client, uri)
        assert info.value.error is not None and info.value.error["code"] == -32600  # InvalidRequest
        assert "shut down" in info.value.error["message"]
        client.notify("exit")
        code = client.proc.wait(timeout=TIMEOUT)
    finally:
        client.close()
    assert code == 0, client.stderr[-3000:]


def test_end_of_input_without_exit_ends_the_server_with_a_reason(tmp_path):
    client, uri = start(tmp_path)
    try:
        assert document_text(client, uri) == TEXT
        client.send_raw(b"Content-Length: 40\r\n\r\n{")  # and then the input ends mid-message
        client.proc.stdin.close()
        code = client.proc.wait(timeout=TIMEOUT)
    finally:
        client.close()
    assert code == 1
    assert "the input ended in the middle of a message" in client.stderr
    assert "closed the input without 'shutdown' and 'exit'" in client.stderr


# -- fuzz ------------------------------------------------------------------------------------------------

FUZZ_SEED = 20240611
FUZZ_MESSAGES = 200


def _harmless(rng: random.Random, n: int) -> dict:
    """A message the server answers or ignores without changing any document."""
    return rng.choice(
        [
            {"jsonrpc": "2.0", "id": f"g{n}", "method": "ses-lsp/noSuchMethod", "params": {}},
            {"jsonrpc": "2.0", "method": "ses-lsp/noSuchNotification", "params": {"n": n}},
            {"jsonrpc": "2.0", "id": f"g{n}", "method": "textDocument/hover", "params": {"textDocument": 5}},
            {"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {"contentChanges": "x"}},
            {"jsonrpc": "1.0", "id": f"g{n}", "method": "x"},
            {"no": "jsonrpc"},
        ]
    )


def garbage(rng: random.Random, n: int) -> bytes:
    """One random mis-framed or garbage message."""
    body = body_of(_harmless(rng, n))
    k = rng.randint(1, 40)
    choice = rng.randrange(16)
    if choice == 0:
        return rng.randbytes(rng.randint(0, 300))
    if choice == 1:  # random bytes with line ends and header-like pieces
        parts = [rng.randbytes(rng.randint(0, 30)), b"\r\n", b"\n", b"Content-Length: ", b"%d" % rng.randint(0, 99)]
        return b"".join(rng.choice(parts) for _ in range(rng.randint(1, 12)))
    if choice == 2:
        return b"Content-Length: %d\r\n\r\n" % (len(body) + k) + body
    if choice == 3:
        return b"Content-Length: %d\r\n\r\n" % max(0, len(body) - k) + body
    if choice == 4:
        value = rng.choice([b"abc", b"-5", b"1e3", b"0x10", b"+12", b"", b"9" * 30, b"99999999999"])
        return b"Content-Length: " + value + b"\r\n\r\n" + body
    if choice == 5:
        return b"Content-Type: text/plain\r\n\r\n" + body
    if choice == 6:  # a valid frame whose body is not a message
        junk = rng.choice([b"[" * 3000, b"\xff\xfe\x00", b'{"jsonrpc": "2.0", "id":', b"null", b"[1, 2]", b"{}"])
        return b"Content-Length: %d\r\n\r\n" % len(junk) + junk
    if choice == 7:  # a truncated header
        return rng.choice([b"Content-Len", b"Content-Length: 1", b"Content-Length: 12\r", b"content-length:"])
    if choice == 8:
        return b"X-Long: " + b"y" * rng.randint(4000, 9000) + b"\r\n\r\n" + body
    if choice == 9:
        return rng.choice([b"\r\n", b"\n", b"\r\n\r\n"])
    if choice == 10:  # a body with header-like text inside it
        inner = b"Content-Length: 5\r\n\r\n" + rng.randbytes(k)
        return b"Content-Length: %d\r\n\r\n" % (len(inner) + len(body)) + inner + body
    if choice == 11:
        return b"Content-Length: %d\r\nContent-Length: %d\r\n\r\n" % (len(body), len(body) + k) + body
    if choice == 12:  # a length far beyond what follows
        return b"Content-Length: %d\r\n\r\n" % (len(body) + rng.randint(1000, 100_000)) + body
    if choice == 13:  # many header lines
        return b"X-A: b\r\n" * 40 + b"Content-Length: %d\r\n\r\n" % len(body) + body
    if choice == 14:  # well framed, lower-case or LF-only: a real (harmless) message
        return rng.choice([b"content-length: %d\r\n\r\n", b"Content-Length: %d\n\n"]) % len(body) + body
    return frame(_harmless(rng, n))


def test_fuzzed_transport_answers_every_valid_request(tmp_path):
    rng = random.Random(FUZZ_SEED)
    client, uri = start(tmp_path)
    answered = 0
    try:
        sent = 0
        while sent < FUZZ_MESSAGES:
            for _ in range(rng.randint(1, 3)):
                client.send_raw(garbage(rng, sent))
                sent += 1
            assert document_text(client, uri) == TEXT, f"after {sent} garbage messages"
            answered += 1
        code = stop(client)
    finally:
        client.close()
    assert answered >= FUZZ_MESSAGES // 3
    assert code == 0, client.stderr[-3000:]
    assert "Traceback" not in client.stderr, client.stderr[-3000:]


def _messages(chunks: list[bytes], max_body: int = 1 << 20) -> list:
    framer = Framer(max_body=max_body)
    out = []
    for chunk in chunks:
        framer.feed(chunk)
        out.extend(framer.messages())
    return out


@pytest.mark.parametrize("chunk", [1, 7, 4096])
def test_framer_recovers_every_valid_message_whatever_the_chunking(chunk):
    rng = random.Random(FUZZ_SEED + chunk)
    stream = bytearray()
    valid = []
    for n in range(FUZZ_MESSAGES):
        stream += garbage(rng, n)
        message = {"jsonrpc": "2.0", "id": f"valid-{n}", "method": "ses-lsp/documentText", "params": {}}
        stream += frame(message)
        valid.append(message)
    data = bytes(stream)
    got = _messages([data[i : i + chunk] for i in range(0, len(data), chunk)])
    ids = [m.get("id") for m in got if isinstance(m, dict)]
    assert [m["id"] for m in valid if m["id"] not in ids] == []


def test_framer_skips_an_oversized_body_in_bounded_memory():
    sizes = []
    framer = Framer(max_body=1000, on_oversize=sizes.append)
    framer.feed(b"Content-Length: 500000\r\n\r\n")
    assert list(framer.messages()) == []
    most = 0
    for _ in range(5000):  # the 500,000-byte body, skipped
        framer.feed(b'{"x": "' + b"a" * 92 + b'"}')
        assert list(framer.messages()) == []
        most = max(most, framer.pending)
    framer.feed(frame({"jsonrpc": "2.0", "method": "initialized", "params": {}}))
    assert list(framer.messages()) == [{"jsonrpc": "2.0", "method": "initialized", "params": {}}]
    assert sizes == [500000]
    assert most < 300  # a chunk and a header's length of tail, never the body


def test_framer_cuts_a_body_announced_too_long_when_the_next_header_arrives():
    framer = Framer()
    framer.feed(b'Content-Length: 5000\r\n\r\n{"jsonrpc": "2.0", "method": "lost"}')
    assert list(framer.messages()) == []  # waiting: nothing tells a short body from a slow one yet
    framer.feed(frame({"jsonrpc": "2.0", "id": 1, "method": "shutdown"}))
    assert list(framer.messages()) == [{"jsonrpc": "2.0", "id": 1, "method": "shutdown"}]
    assert framer.pending == 0
