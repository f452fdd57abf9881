"""The LSP base protocol's framing (``Content-Length`` headers), robust against a misbehaving client.

pygls' own reader (``pygls.io_.run_async``) loses its place for good after one
mis-framed message (a wrong, missing or lower-case ``Content-Length``, LF-only
line ends) and allocates whatever a ``Content-Length`` claims.  The server reads
its input with :class:`Framer` instead:

* Header names are case-insensitive; header lines may end in CRLF or LF alone.
  Headers other than ``Content-Length`` (``Content-Type``) are accepted and
  ignored.
* A body may be at most :data:`MAX_MESSAGE_BYTES` (64 MiB): a larger
  ``Content-Length`` is reported and its body skipped without being stored.
* After any framing error (a malformed header line, no or a non-numeric
  ``Content-Length``, a body that is not JSON because its length was wrong) the
  framer *resynchronises*: it skips to the next ``Content-Length: <digits>``
  line, wherever it starts, and reads on from there; skipped bytes are never
  stored beyond a small tail.  The search starts one byte after the start of the
  bad message's header block, so a header that a bad message swallowed (a length
  one byte too long takes the next header's first byte) is still found.

Why a header found in the middle of a body means the framing was wrong: in JSON
(RFC 8259) a line feed can only be whitespace between tokens (strings must escape
it), and ``content-length`` can only occur inside a string; so
``Content-Length: <digits>`` followed by a line feed never occurs inside a
well-formed body.  While a body is incomplete, the framer watches for such a
header and, when one arrives, abandons the body (its ``Content-Length`` was too
large) instead of waiting for bytes that will not come.  (Until the next message
arrives, nothing tells a short body from a slow one: the server waits.)

:class:`Framer` does no I/O (feed it bytes, take messages out): :func:`fd_chunks`
reads a file descriptor (standard input) for it from a daemon thread.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import queue
import re
import threading
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

log = logging.getLogger("ses_lsp.server.transport")

#: The largest message body accepted (bytes).  The engine checks documents up to 4 MiB;
#: escaping in JSON can make a didOpen of such a document several times larger.
MAX_MESSAGE_BYTES = 64 * 1024 * 1024
#: A header line longer than this is malformed (real ones are under 100 bytes).
MAX_HEADER_LINE = 4096
#: A header block with more lines than this is malformed (the protocol defines two headers).
MAX_HEADER_LINES = 32
#: How much is read from the input at a time.
CHUNK = 64 * 1024

_TOKEN = rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+"
_DIGITS = rb"[0-9]{1,20}"
# A plausible Content-Length header anywhere (resynchronisation).  Bounded, so that
# scanning input in chunks only needs to keep the last _OVERLAP bytes.
_RESYNC = re.compile(rb"content-length[ \t]{0,16}:[ \t]{0,16}[0-9]{1,20}[ \t]{0,16}\r?\n", re.IGNORECASE)
_OVERLAP = len("content-length") + 16 + 1 + 16 + 20 + 16 + 2 - 1

_HEADERS, _BODY, _SCAN = "headers", "body", "scan"


class Framer:
    """Splits a byte stream into LSP messages.  Feed it with :meth:`feed`, take the messages
    received so far (decoded JSON values) from :meth:`messages`.

    ``on_oversize(size)`` is called (after the problem is logged) for each message whose
    ``Content-Length`` exceeds ``max_body``.

    The buffer starts at the current header block (state ``headers`` and ``body``), or at
    input being searched for a header (state ``scan``).  A header block stays in the buffer
    until its body is complete, so that any framing error can resume the search one byte
    after the block's start: a header glued to the end of a garbled message (``...}Content-Length``)
    or swallowed by a malformed header line is still found.
    """

    def __init__(self, max_body: int = MAX_MESSAGE_BYTES, on_oversize: Callable[[int], None] | None = None) -> None:
        self.max_body = max_body
        self.on_oversize = on_oversize
        self._buf = bytearray()
        self._state = _HEADERS
        self._pos = 0  # where the next header line starts (state headers), the body's start (state body)
        self._length: int | None = None  # the Content-Length of the current header block
        self._lines = 0  # header lines read in the current block
        self._checked = 0  # how far (buffer offset) an incomplete body was searched for a header
        self._head = b""  # the header block of the last body framed (for _reject)
        self._skipped = 0  # bytes dropped while resynchronising

    # -- input ------------------------------------------------------------------------

    def feed(self, data: bytes) -> None:
        self._buf += data

    def _reject(self, body: bytes, reason: str) -> None:
        """``body`` (the last one framed) is not JSON: its framing was wrong.  The search for
        the next header resumes one byte after the start of its header block."""
        self._buf[:0] = self._head[1:] + body
        self._head = b""
        self._error(reason)

    @property
    def pending(self) -> int:
        """Bytes received and not yet consumed (a partial message at the end of the input)."""
        return len(self._buf)

    # -- output -----------------------------------------------------------------------

    def messages(self) -> Iterator[Any]:
        """The messages complete so far, as JSON values (the caller checks they are JSON-RPC).

        The whole body is parsed here: one that is not JSON had a wrong Content-Length, and
        the next header is searched for in it.  (A deeply nested body is dropped the same way:
        the parser cannot tell whether it ends well.)
        """
        while (body := self._next_body()) is not None:
            try:
                value = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                self._reject(body, "a message body is not JSON: its Content-Length does not match the body")
                continue
            except RecursionError:
                self._reject(body, "a message body is nested too deeply to read")
                continue
            yield value

    def _next_body(self) -> bytes | None:
        """The next complete message body, or None when more input is needed."""
        while True:
            if self._state == _SCAN:
                if not self._scan():
                    return None
            elif self._state == _HEADERS:
                if not self._header_line():
                    return None
            else:
                body = self._body()
                if body is not None or self._state == _BODY:
                    return body

    def _error(self, reason: str, resume: int = 0) -> None:
        """A framing error: search for the next header from ``resume``."""
        log.error("mis-framed input from the client: %s; skipping to the next message header", reason)
        self._skipped += resume
        del self._buf[:resume]
        self._state = _SCAN

    def _scan(self) -> bool:
        buf = self._buf
        m = _RESYNC.search(buf)
        if m is None:
            drop = max(0, len(buf) - _OVERLAP)
            self._skipped += drop
            del buf[:drop]
            return False
        self._skipped += m.start()
        del buf[: m.start()]
        log.info("resynchronised after skipping %d bytes", self._skipped)
        self._skipped = 0
        self._new_block()
        return True

    def _new_block(self) -> None:
        self._state = _HEADERS
        self._pos = 0
        self._length = None
        self._lines = 0

    def _header_line(self) -> bool:
        buf, pos = self._buf, self._pos
        nl = buf.find(b"\n", pos, pos + MAX_HEADER_LINE + 1)
        if nl == -1:
            if len(buf) - pos > MAX_HEADER_LINE:
                self._error(f"a header line is longer than {MAX_HEADER_LINE} bytes", 1)
                return True
            return False
        line = bytes(buf[pos : nl - 1 if nl > pos and buf[nl - 1] == 0x0D else nl])
        self._pos = nl + 1
        if not line:  # the end of the header block
            if self._length is None:
                self._error("a header block has no Content-Length header", 1)
                return True
            self._state = _BODY
            self._checked = 0
            return True
        self._lines += 1
        name, colon, value = line.partition(b":")
        name = name.strip(b" \t")
        value = value.strip(b" \t")
        if not colon or not re.fullmatch(_TOKEN, name):
            self._error(f"a header line of {len(line)} bytes is not 'Name: value'", 1)
        elif self._lines > MAX_HEADER_LINES:
            self._error(f"a header block has more than {MAX_HEADER_LINES} lines", 1)
        elif name.lower() == b"content-length":
            if not re.fullmatch(_DIGITS, value):
                shown = value[:24].decode("ascii", "replace")
                self._error(f"Content-Length {shown!r} is not a number of bytes", 1)
            elif self._length is not None and self._length != int(value):
                self._error(f"two different Content-Length headers ({self._length} and {int(value)})", 1)
            elif int(value) > self.max_body:
                self._error(f"a message of {int(value):,} bytes is over the limit of {self.max_body:,} bytes", 1)
                if self.on_oversize is not None:
                    self.on_oversize(int(value))
            else:
                self._length = int(value)
        return True

    def _body(self) -> bytes | None:
        buf, start, n = self._buf, self._pos, self._length
        assert n is not None
        if len(buf) - start >= n:
            self._head = bytes(buf[:start])
            body = bytes(memoryview(buf)[start : start + n])
            del buf[: start + n]
            self._new_block()
            return body
        # Incomplete: a header inside it means its Content-Length was too large.  A header
        # not seen before ends in a line feed received since (compact JSON has none: cheap).
        nl = buf.find(b"\n", max(start, self._checked))
        self._checked = len(buf)
        m = _RESYNC.search(buf, max(start, nl - _OVERLAP)) if nl != -1 else None
        if m is not None:
            self._error(
                f"a new message header starts {m.start() - start} bytes into a body announced as {n}", m.start()
            )
        return None


def fd_chunks(fd: int, loop: asyncio.AbstractEventLoop) -> Callable[[], Awaitable[bytes]]:
    """An async ``read()`` of file descriptor ``fd`` (b"" at its end).

    Each call reads once (up to :data:`CHUNK` bytes) in a daemon thread: a thread
    blocked reading standard input must not keep the process alive after ``exit``,
    and nothing is read ahead of what the framer asks for.
    """
    requests: queue.SimpleQueue[asyncio.Future[bytes]] = queue.SimpleQueue()

    def resolve(fut: asyncio.Future[bytes], data: bytes) -> None:
        if not fut.done():
            fut.set_result(data)

    def reader() -> None:
        while True:
            fut = requests.get()
            try:
                data = os.read(fd, CHUNK)
            except OSError as exc:
                log.error("cannot read the client's input: %s", exc)
                data = b""
            try:
                loop.call_soon_threadsafe(resolve, fut, data)
            except RuntimeError:  # the loop is closed: the server has stopped
                return
            if not data:
                return

    threading.Thread(target=reader, name="ses-lsp-input", daemon=True).start()

    def read() -> Awaitable[bytes]:
        fut: asyncio.Future[bytes] = loop.create_future()
        requests.put(fut)
        return fut

    return read
