"""A minimal LSP client over stdio, enough to drive a third-party language server from a test.

Requests from the server are answered by ``handlers`` (method -> function(params) -> result;
unknown methods get ``null``); every notification is kept in ``notifications``; the latest
``textDocument/publishDiagnostics`` of each URI is in ``diagnostics``.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time


class LspError(Exception):
    def __init__(self, message: str, error: dict | None = None) -> None:
        super().__init__(message)
        self.error = error  # the response's error object, when the server answered with one


class StdioClient:
    def __init__(self, cmd: list[str], *, cwd=None, env=None, handlers=None):
        self.proc = subprocess.Popen(
            cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=env
        )
        self.handlers = dict(handlers or {})
        self.notifications: list[dict] = []
        self.diagnostics: dict[str, list] = {}
        self.publish_count: dict[str, int] = {}
        self.server_requests: list[dict] = []
        self._responses: dict[int, dict] = {}
        self._cond = threading.Condition()
        self._next_id = 0
        self._write_lock = threading.Lock()
        self._stderr: list[bytes] = []
        self._closed = False
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()

    # -- transport -----------------------------------------------------------------------

    def _send(self, message: dict) -> None:
        body = json.dumps(message).encode("utf-8")
        with self._write_lock:
            self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            self.proc.stdin.flush()

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            self._stderr.append(line)

    def _read_stdout(self) -> None:
        out = self.proc.stdout
        try:
            while True:
                length = None
                while True:
                    line = out.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    name, _, value = line.partition(b":")
                    if name.lower() == b"content-length":
                        length = int(value)
                if length is None:
                    continue
                self._dispatch(json.loads(out.read(length)))
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()

    def _dispatch(self, msg: dict) -> None:
        if "method" in msg and "id" in msg:  # a request from the server
            self.server_requests.append(msg)
            handler = self.handlers.get(msg["method"])
            try:
                result = handler(msg.get("params")) if handler else None
                self._send({"jsonrpc": "2.0", "id": msg["id"], "result": result})
            except Exception as exc:  # pragma: no cover - a bug in the test's handler
                self._send({"jsonrpc": "2.0", "id": msg["id"], "error": {"code": -32603, "message": repr(exc)}})
            return
        with self._cond:
            if "method" in msg:
                self.notifications.append(msg)
                if msg["method"] == "textDocument/publishDiagnostics":
                    uri = msg["params"]["uri"]
                    self.diagnostics[uri] = msg["params"]["diagnostics"]
                    self.publish_count[uri] = self.publish_count.get(uri, 0) + 1
            elif "id" in msg:
                self._responses[msg["id"]] = msg
            self._cond.notify_all()

    # -- API ------------------------------------------------------------------------------

    @property
    def stderr(self) -> str:
        return b"".join(self._stderr).decode("utf-8", "replace")

    def send_raw(self, data: bytes) -> None:
        """Write bytes as they are (to test the server's framing)."""
        with self._write_lock:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def notify(self, method: str, params=None) -> None:
        self._send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params=None, timeout: float = 30):
        with self._cond:
            self._next_id += 1
            rid = self._next_id
        self._send({"jsonrpc": "2.0", "id": rid, "method": method, "params": params})
        with self._cond:
            if not self._cond.wait_for(lambda: rid in self._responses or self._closed, timeout):
                raise LspError(f"no answer to {method} within {timeout} s\n{self.stderr[-2000:]}")
            if rid not in self._responses:
                raise LspError(f"the server closed its output before answering {method}\n{self.stderr[-2000:]}")
            msg = self._responses.pop(rid)
        if "error" in msg:
            raise LspError(f"{method}: {msg['error']}", msg["error"])
        return msg.get("result")

    def wait_for(self, predicate, timeout: float) -> bool:
        """Wait until predicate() (called under the client's lock) is true."""
        with self._cond:
            return self._cond.wait_for(lambda: predicate() or self._closed, timeout) and predicate()

    def settle(self, seconds: float) -> None:
        """Let the server work (and publish) for a moment."""
        time.sleep(seconds)

    def close(self, timeout: float = 10) -> int | None:
        """shutdown + exit; kill if it does not end in time. Returns the exit code."""
        try:
            if self.proc.poll() is None:
                try:
                    self.request("shutdown", None, timeout=timeout)
                    self.notify("exit")
                except (LspError, OSError):
                    pass
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=timeout)
            return None
        finally:
            for stream in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
                try:
                    stream.close()
                except OSError:
                    pass
