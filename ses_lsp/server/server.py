"""The language server: a thin pygls adapter over the lint engine and the ``ses_lsp.editor`` features.

Documents are kept here (not in pygls' workspace) as text + version, with a
per-document cache ``(version, config generation) -> LintResult`` whose
parsed :class:`~ses_lsp.document.document.Document` hover, completion,
symbols and navigation reuse.  Edits are applied with
:mod:`ses_lsp.server.convert` in the negotiated position encoding.

Only documents the engine recognises as SES kinds (by content, a modeline or
a ``kinds`` glob) get diagnostics and features; a recognised document keeps
its kind while a half-typed edit breaks its syntax.  A document the engine
cannot read (over its size cap, binary) gets the SES006 diagnostic
``ses-lsp lint`` gives the same file, and no features.

Transport: messages are framed by :mod:`ses_lsp.server.transport` (it
resynchronises after mis-framed input and bounds a message's size), then go
through pygls' protocol.  After ``shutdown`` requests are answered with
InvalidRequest; the process exits with 0 on ``exit`` after ``shutdown``, else 1.

Diagnostics: pulled (``textDocument/diagnostic``) when the client supports
it, else pushed after a short per-document debounce (default 50 ms, setting
``debounce`` in milliseconds); results for stale versions are dropped.

Settings: ``initializationOptions`` (either the settings themselves or
``{"ses-lsp": {...}}``) and the ``ses-lsp`` section of
``workspace/configuration``, re-read on ``workspace/didChangeConfiguration``.
They take the keys of the ``[tool.ses-lsp]`` table (``select``,
``ignore``, ``extend-select``, ``extend-ignore``, ``severity``, ``kinds``,
``per-file-ignores``, ``region``, ``verified-domains``,
``active-rule-set``) plus ``debounce``.  They become a Config
(:func:`ses_lsp.lint.config.settings_config`: the config file's validation and
messages) merged over the configuration file that applies to each document
(:func:`ses_lsp.lint.config.merged`: the client's settings win; their globs
are relative to the workspace folder).  Invalid settings are reported with
``window/showMessage`` and ignored as a whole (the file's configuration and
the defaults apply).
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import logging
import os
import sys
import time
from bisect import bisect_right
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any, BinaryIO

from lsprotocol import types as T
from pygls.exceptions import JsonRpcInternalError
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.language_server import lsp_method

from ses_lsp import __version__
from ses_lsp.document.document import Document, guess_format
from ses_lsp.document.incremental import reparse
from ses_lsp.document.nodes import LineIndex
from ses_lsp.lint.diagnostics import Severity
from ses_lsp.lint.fixes import choose_safe_fixes
from ses_lsp.lint.related import RelatedFiles
from ses_lsp.server.convert import UTF32, Codec, apply_change
from ses_lsp.server.transport import CHUNK, MAX_MESSAGE_BYTES, Framer, fd_chunks

if TYPE_CHECKING:  # (imported when first used: start-up time)
    from collections.abc import Sequence

    from ses_lsp.lint.config import Config
    from ses_lsp.lint.diagnostics import TextEdit
    from ses_lsp.lint.engine import LintResult
    from ses_lsp.lint.reuse import LintMemo

log = logging.getLogger("ses_lsp.server")

SOURCE = "ses-lsp"
FIX_ALL_KIND = "source.fixAll.ses-lsp"
DEFAULT_DEBOUNCE = 0.05
TEXT_REQUEST = "ses-lsp/documentText"
# Parsed trees are kept for this many recently used documents; the others keep only their text,
# diagnostics and rule-name index (a 200-rule set's tree is ~3 MB; reparsing it takes 10-20 ms).
HOT_DOCUMENTS = 6
# The cyclic garbage collector runs when the server is idle (and when this many allocations pile up).
GC_IDLE_SECONDS = 0.5
GC_PILE_UP = 1_000_000
# Settings the server itself reads (the others are the lint configuration's).
SERVER_KEYS = ("debounce",)


def _uri_to_path(uri: str) -> str | None:
    if not uri.startswith("file:"):
        return None
    try:
        from pygls.uris import to_fs_path

        return to_fs_path(uri)
    except Exception:  # pragma: no cover - malformed URI
        return None


def _uri_of(name: str) -> str:
    """The URI of a document name (a URI already, or a path)."""
    if name.startswith("file:"):
        return name
    from pygls.uris import from_fs_path

    return from_fs_path(name) or name


def _format_for(language_id: str | None, path: str | None, text: str) -> str:
    lid = (language_id or "").lower()
    if lid in ("json", "jsonc", "json5"):
        return "json"
    if lid in ("yaml", "yml"):
        return "yaml"

    return guess_format(path, text)


class DocState:
    """One open document and its cached lint result."""

    __slots__ = (
        "uri",
        "path",
        "text",
        "version",
        "language_id",
        "fmt",
        "_lines",
        "_doc",
        "result",
        "result_key",
        "timer",
        "kind",
        "published",
        "reported",
        "occ",
        "fragments",
        "published_ids",
        "memo",
        "_oversized",
    )

    def __init__(self, uri: str, text: str, version: int | None, language_id: str | None) -> None:
        self.uri = uri
        self.path = _uri_to_path(uri)
        self.text = text
        self.version = version
        self.language_id = language_id
        self.fmt = _format_for(language_id, self.path, text)
        self._lines: LineIndex | None = None
        self._doc: Document | None = None
        self.result: LintResult | None = None
        self.result_key: tuple | None = None
        self.timer: asyncio.TimerHandle | None = None
        self.kind: str | None = None
        self.published = False  # diagnostics were published (so a clear is due when detached)
        # The engine reports on this document (a recognised kind, or content it cannot read, such
        # as a text over the size cap): what `ses-lsp lint` would say of it in a directory walk.
        self.reported = False
        self.occ: tuple | None = None  # (version, kind, rule-name occurrences)
        # The JSON text of each diagnostic last published, by key (SesLanguageServer.publish_json).
        self.fragments: dict[tuple, str] = {}
        # id(diagnostic) -> (the diagnostic, its first line, that line's start, its JSON)
        # of the last publication (SesLanguageServer.publish_json).
        self.published_ids: dict[int, tuple] = {}
        # What the engine's per-rule checks said in the last lint, for the next (ses_lsp.lint.reuse).
        self.memo: LintMemo | None = None
        self._oversized: bool | None = None

    def set_text(self, text: str, version: int | None) -> None:
        self.text = text
        self.version = version
        self._lines = None
        self._doc = None
        self._oversized = None

    @property
    def oversized(self) -> bool:
        """Is the text over the engine's size cap?  Such a text is not parsed: no features."""
        if self._oversized is None:
            from ses_lsp.lint.engine import oversize

            self._oversized = oversize(self.text) is not None
        return self._oversized

    @property
    def lines(self):
        doc = self._doc
        if doc is not None and doc.text is self.text:
            return doc.lines
        if self._lines is None or self._lines.text is not self.text:
            self._lines = LineIndex(self.text)
        return self._lines

    def drop_tree(self) -> None:
        """Forget the parsed tree and line index (rebuilt on demand): memory for idle documents."""
        self._doc = None
        self._lines = None
        self.memo = None
        if self.result is not None:
            self.result.document = None

    def occurrences(self):
        from ses_lsp.editor.navigation import occurrences

        key = (self.version, self.kind)
        if self.occ is None or self.occ[:2] != key:
            occ = occurrences(self.document(), self.kind, self.uri) if self.kind is not None else []
            self.occ = (self.version, self.kind, occ)
        return self.occ[2]

    def document(self):
        """The parsed document of the current text (the lint's when it is current)."""
        doc = self._doc
        if doc is None or doc.text is not self.text:
            doc = Document(self.text, self.path, self.fmt, self.version)
            if self._lines is not None and self._lines.text is self.text:
                doc._lines = self._lines
            self._doc = doc
        return doc


class SesProtocol(LanguageServerProtocol):
    """pygls' protocol, with text synchronisation left to the server, bad params answered, and
    the lifecycle the LSP specification asks for: after ``shutdown`` every request but ``exit``
    is answered with InvalidRequest, and ``exit`` ends the server with code 0 after
    ``shutdown``, else 1 (pygls ignores such requests and always exits with 0)."""

    exit_code: int | None = None  # set by ``exit``: the transport stops reading

    @property
    def shut_down(self) -> bool:
        return self._shutdown

    @lsp_method(T.EXIT)
    def lsp_exit(self, *args):
        self.exit_code = 0 if self._shutdown else 1
        if not self._shutdown:
            log.warning("'exit' without 'shutdown' first: exiting with code 1")

    def handle_message(self, message):
        method = getattr(message, "method", None)
        if self._shutdown and method != T.EXIT and isinstance(method, str) and getattr(message, "id", None) is not None:
            from pygls.exceptions import JsonRpcInvalidRequest

            self._send_response(
                message.id,
                None,
                JsonRpcInvalidRequest(
                    f"the server is shut down: {method!r} is not accepted, only the 'exit' notification"
                ).to_response_error(),
            )
            return
        super().handle_message(message)

    @lsp_method(T.TEXT_DOCUMENT_DID_OPEN)
    def lsp_text_document__did_open(self, params):
        if (h := self.fm.features.get(T.TEXT_DOCUMENT_DID_OPEN)) is not None:
            yield h, (params,), None

    @lsp_method(T.TEXT_DOCUMENT_DID_CHANGE)
    def lsp_text_document__did_change(self, params):
        if (h := self.fm.features.get(T.TEXT_DOCUMENT_DID_CHANGE)) is not None:
            yield h, (params,), None

    @lsp_method(T.TEXT_DOCUMENT_DID_CLOSE)
    def lsp_text_document__did_close(self, params):
        if (h := self.fm.features.get(T.TEXT_DOCUMENT_DID_CLOSE)) is not None:
            yield h, (params,), None

    def send_json_text(self, body: str) -> None:
        """Send a message whose JSON text is built already, framed as pygls' ``_send_data`` frames
        the messages it encodes itself (``json.dumps`` escapes non-ASCII: one byte a character)."""
        if self.writer is None:
            log.error("unable to send a message: no transport")
            return
        try:
            if self._include_headers:
                header = (
                    f"Content-Length: {len(body)}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n"
                )
                body = header + body
            res = self.writer.write(body.encode(self.CHARSET))
            if inspect.isawaitable(res):
                asyncio.ensure_future(res)
        except BrokenPipeError:
            log.exception("the connection to the client is lost")
            raise
        except Exception as error:
            log.exception("sending a message failed")
            self._server._report_server_error(error, JsonRpcInternalError)

    def structure_message(self, data):
        try:
            return super().structure_message(data)
        except Exception as exc:
            # A request whose params do not fit its method: answer it instead of leaving the
            # client waiting forever.
            if isinstance(data, dict) and "id" in data and "method" in data:
                from pygls.exceptions import JsonRpcInvalidParams

                log.warning("invalid params for %s: %s", data.get("method"), exc)
                try:
                    self._send_response(
                        data["id"],
                        None,
                        JsonRpcInvalidParams(f"invalid params for {data.get('method')}").to_response_error(),
                    )
                except Exception:  # pragma: no cover
                    log.exception("cannot answer a malformed request")
                return _Ignored()
            raise


class _Ignored:
    jsonrpc = "ignored"


class SesLanguageServer(LanguageServer):
    protocol: SesProtocol

    def __init__(self, debounce: float | None = None) -> None:
        super().__init__(
            "ses-lsp", __version__, protocol_cls=SesProtocol, text_document_sync_kind=T.TextDocumentSyncKind.Incremental
        )
        self.docs: dict[str, DocState] = {}
        self.codec = Codec()
        self.debounce = DEFAULT_DEBOUNCE if debounce is None else debounce
        self._debounce_forced = debounce is not None
        self.pull = False
        self.snippets = False
        self.markdown = True
        self.hierarchical_symbols = True
        self.insert_mode_as_is = False
        self.config_support = False
        # The client resolves code actions' edits (codeAction/resolve): they are left out of the list.
        self.resolve_edits = False
        self.refresh_support = False
        self.settings: dict = {}
        self.client_config: Config | None = None
        self.config_gen = 0
        # id(base config) -> (base, merged with the client's settings); ("bad-config", message) -> True
        # once that broken config file was reported.  Emptied when the settings change.
        self._merged: dict[int | tuple[str, str], Any] = {}
        self.root_path: str | None = None
        self._ws = None
        # The repository model of the workspace folders (ses_lsp.editor.project), built after
        # ``initialized``; ``repo_gen`` changes with it (the key of cross-file lint results).
        self.folders: list[str] = []
        self._repository = None  # (made on first use: start-up loads no index code)
        self.repo_gen = 0
        self.indexing = False
        self.pending_events: list[tuple[str, int]] = []
        self.progress_support = False
        self.watch_support = False
        self.index_jobs = max(1, min(2, os.cpu_count() or 1))  # worker processes of a cold index
        self.index_task: asyncio.Future | None = None
        self._reindex = False  # asked for while indexing: index again after
        self._hot: dict[str, None] = {}  # documents whose trees are kept, most recent last
        self.hot_limit = HOT_DOCUMENTS
        self._gc_timer: asyncio.TimerHandle | None = None

    # -- transport ------------------------------------------------------------------------
    # pygls' readers are replaced by ses_lsp.server.transport (framing that resynchronises
    # and bounds message size); messages still go through pygls' protocol.

    @property
    def exit_code(self) -> int:
        """The process's exit code once the transport has stopped (LSP: 0 only after ``shutdown``)."""
        code = self.protocol.exit_code
        if code is None:  # the input ended without ``exit``
            code = 0 if self.protocol.shut_down else 1
        return code

    def start_io(self, stdin: BinaryIO | None = None, stdout: BinaryIO | None = None) -> None:
        from pygls.io_ import StdoutWriter

        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        fd = (stdin or sys.stdin.buffer).fileno()

        async def run() -> None:
            await self._serve(fd_chunks(fd, asyncio.get_running_loop()))

        try:
            asyncio.run(run())
        except BrokenPipeError:
            log.error("the connection to the client is lost; stopping")
        finally:
            self.shutdown()

    def start_tcp(self, host: str, port: int) -> None:
        async def serve() -> None:
            done = asyncio.Event()

            async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
                self.protocol.set_writer(writer)
                try:
                    await self._serve(lambda: reader.read(CHUNK))
                finally:
                    writer.close()
                    done.set()  # one client per server, as with stdio

            listener = await asyncio.start_server(connection, host, port)
            log.info("listening on %s", ", ".join(str(s.getsockname()) for s in listener.sockets))
            async with listener:
                await done.wait()

        try:
            asyncio.run(serve())
        finally:
            self.shutdown()

    async def _serve(self, read: Callable[[], Awaitable[bytes]]) -> None:
        """Read messages until ``exit`` or the end of the input."""
        framer = Framer(on_oversize=self._oversized_message)
        while True:
            for data in framer.messages():
                self._receive(data)
                if self.protocol.exit_code is not None:
                    return
            chunk = await read()
            if not chunk:
                if framer.pending:
                    log.error("the input ended in the middle of a message (%d bytes unread)", framer.pending)
                if not self.protocol.shut_down:
                    log.error("the client closed the input without 'shutdown' and 'exit'; exiting with code 1")
                return
            framer.feed(chunk)

    def _receive(self, data: object) -> None:
        """Hand one message (a JSON value) to pygls' protocol."""
        if not isinstance(data, dict) or not isinstance(data.get("jsonrpc"), str):
            log.error("ignored a message that is not a JSON-RPC 2.0 request, response or notification")
            return
        try:
            message = self.protocol.structure_message(data)
        except Exception as exc:  # a notification or response that does not fit its method
            log.error("ignored a message that does not fit the protocol (%s)", type(exc).__name__)
            return
        if not isinstance(message, _Ignored):  # (an _Ignored request has been answered already)
            self.protocol.handle_message(message)

    def _oversized_message(self, size: int) -> None:
        self.warn(
            f"ses-lsp: skipped a message of {size:,} bytes from the editor: messages over "
            f"{MAX_MESSAGE_BYTES // (1024 * 1024)} MiB are not read (a document that large is not checked)"
        )

    # -- small helpers ---------------------------------------------------------------

    def report_server_error(self, error, source) -> None:  # never pop up pygls' own errors
        log.error("%s: %s", getattr(source, "__name__", source), error)

    @property
    def repository(self):
        if self._repository is None:
            self._repository = _empty_repository()
        return self._repository

    @repository.setter
    def repository(self, repo) -> None:
        self._repository = repo

    @property
    def lint_workspace(self):
        if self._ws is None:
            self._ws = _server_workspace(self)
        return self._ws

    def touch(self, st: DocState) -> None:
        """Mark ``st`` recently used; drop the trees of documents beyond the hot limit."""
        hot = self._hot
        hot.pop(st.uri, None)
        hot[st.uri] = None
        while len(hot) > self.hot_limit:
            uri = next(iter(hot))
            del hot[uri]
            other = self.docs.get(uri)
            if other is not None:
                other.drop_tree()
        self.schedule_gc()

    def schedule_gc(self) -> None:
        """Collect cycles (parse trees hold parent links) once the server is idle."""
        import gc

        if gc.isenabled():
            return
        if gc.get_count()[0] > GC_PILE_UP:
            gc.collect()
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        if self._gc_timer is not None:
            self._gc_timer.cancel()
        self._gc_timer = loop.call_later(GC_IDLE_SECONDS, _idle_gc)

    def warn(self, message: str) -> None:
        try:
            self.window_show_message(T.ShowMessageParams(type=T.MessageType.Warning, message=message))
        except Exception:  # pragma: no cover
            log.exception("cannot show a message")

    # -- configuration -------------------------------------------------------------------

    def apply_settings(self, raw: object) -> None:
        from ses_lsp.lint.config import ConfigError, settings_config

        if isinstance(raw, dict) and isinstance(raw.get("ses-lsp"), dict):
            raw = raw["ses-lsp"]
        if raw is None or raw == []:  # Neovim sends an empty Lua table as []
            raw = {}
        problems: list[str] = []
        settings: dict = {}
        client = None
        debounce = None
        if not isinstance(raw, dict):
            problems.append("the ses-lsp settings must be an object")
        else:
            settings = {k: v for k, v in raw.items() if k not in SERVER_KEYS}
            if "debounce" in raw:
                d = raw["debounce"]
                if isinstance(d, (int, float)) and not isinstance(d, bool) and 0 <= d <= 10_000:
                    debounce = d / 1000.0
                else:
                    problems.append(f"'debounce' must be a number of milliseconds from 0 to 10000, not {d!r}")
            try:
                client = settings_config(settings, self.root_path) if settings else None
            except ConfigError as exc:
                problems.append(str(exc))
        if problems:
            self.warn(
                "ses-lsp: invalid settings: "
                + "; ".join(problems)
                + ". The settings are ignored; the configuration files and defaults apply."
            )
            settings, client, debounce = {}, None, None
        self.settings = settings
        self.client_config = client
        if not self._debounce_forced:
            self.debounce = DEFAULT_DEBOUNCE if debounce is None else debounce
        self.config_changed()

    def config_changed(self) -> None:
        self.config_gen += 1
        self._merged.clear()
        self.relint_all()

    def config_for(self, st: DocState) -> Config:
        """The configuration file's Config for the document, with the client's settings merged over it."""
        from ses_lsp.lint.config import Config, config_for, merged

        try:
            base = config_for(st.path or self.root_path or os.getcwd())
        except Exception as exc:  # a broken config file
            key = ("bad-config", str(exc))
            if key not in self._merged:
                self._merged[key] = True
                self.warn(f"ses-lsp: {exc}; using the default configuration")
            base = Config(root=self.root_path)
        if self.client_config is None:
            return base
        cached = self._merged.get(id(base))
        if cached is None or cached[0] is not base:
            cached = (base, merged(base, self.client_config))
            self._merged[id(base)] = cached
        return cached[1]

    # -- linting ----------------------------------------------------------------------------

    def lint_key(self, st: DocState) -> tuple:
        """What a document's lint result depends on: its version, the configuration and, for the
        kinds whose checks read other files, the repository."""
        from ses_lsp.lint.repository import CROSS_FILE_KINDS

        return (st.version, self.config_gen, self.repo_gen if st.kind in CROSS_FILE_KINDS else 0)

    def lint(self, st: DocState):
        key = self.lint_key(st)
        res = st.result
        if res is not None and st.result_key == key and (res.document is None or res.document.text is st.text):
            return res
        from ses_lsp.lint.engine import lint_text
        from ses_lsp.lint.reuse import LintMemo

        config = self.config_for(st)
        doc = st._doc if st._doc is not None and st._doc.text is st.text else None
        if st.memo is None:
            st.memo = LintMemo()
        res = lint_text(
            st.text,
            st.path or st.uri,
            config=config,
            explicit=False,
            fmt=st.fmt,
            workspace=self.lint_workspace,
            version=st.version,
            document=doc,
            pause_gc=False,
            previous_kind=st.kind,
            memo=st.memo,
        )
        st.kind = res.kind if res.kind is not None and not res.skipped else None
        st.reported = not res.skipped
        st.result, st.result_key = res, self.lint_key(st)
        if res.document is not None and res.document.text is st.text:
            st._doc = res.document
            if st.kind is not None:
                st.occurrences()  # index the rule names while the tree is at hand
        self.touch(st)
        return res

    def kind_of(self, st: DocState) -> str | None:
        if st.result is None:
            self.lint(st)
        return st.kind

    def schedule(self, st: DocState, delay: float | None = None) -> None:
        if self.pull:
            return
        if st.timer is not None:
            st.timer.cancel()
        delay = self.debounce if delay is None else delay
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._lint_and_publish(st.uri, st.version)
            return
        st.timer = loop.call_later(delay, self._lint_and_publish, st.uri, st.version)

    def _lint_and_publish(self, uri: str, version: int | None) -> None:
        st = self.docs.get(uri)
        if st is None or st.version != version:
            return  # stale: a newer version is scheduled (or the document closed)
        st.timer = None
        try:
            res = self.lint(st)
            if st.version != version or self.docs.get(uri) is not st:
                return
            self.publish(st, res)
        except Exception:
            log.exception("linting %s failed", uri)

    def publish(self, st: DocState, res) -> None:
        if not st.reported:
            if st.published:
                st.published = False
                self.text_document_publish_diagnostics(
                    T.PublishDiagnosticsParams(uri=st.uri, diagnostics=[], version=st.version)
                )
            return
        body = self.publish_json(st, res)
        st.published = True
        self.protocol.send_json_text(body)

    def repository_changed(self) -> None:
        """The index changed: the documents whose checks read other files are linted again."""
        from ses_lsp.lint.repository import CROSS_FILE_KINDS

        self.repo_gen += 1
        if self._ws is not None:
            self._ws.repository = self.repository
        cross = [st for st in self.docs.values() if st.kind in CROSS_FILE_KINDS]
        if not cross:
            return
        if not self.pull:
            for st in cross:
                self.schedule(st, 0)
        elif self.refresh_support:
            try:
                self.workspace_diagnostic_refresh(None)
            except Exception:  # pragma: no cover
                log.exception("diagnostic refresh failed")

    def config_for_path(self, path: str) -> Config:
        """The configuration of a file that may not be open (the client's settings merged over it)."""
        from ses_lsp.lint.config import Config, config_for, merged

        try:
            base = config_for(path)
        except Exception:
            base = Config(root=self.root_path)
        return merged(base, self.client_config) if self.client_config is not None else base

    def lines_of(self, uri: str, memo: dict) -> LineIndex | None:
        """The line index of a document: open, else read from the disk (``memo``: per request)."""
        st = self.docs.get(uri)
        if st is not None:
            return st.lines
        if uri not in memo:
            from ses_lsp.editor.project import read_text

            found = read_text(uri)
            memo[uri] = LineIndex(found[0]) if found is not None else None
        return memo[uri]

    async def index_workspace(self) -> None:
        """Index the workspace folders in the background (ses_lsp.editor.project.index_folders),
        reporting ``$/progress`` when the client lets the server create a progress token."""
        from ses_lsp.editor.project import apply_file_events, index_folders
        from ses_lsp.lint.cache import Cache, default_cache_dir

        if not self.folders:
            return
        if self.indexing:
            self._reindex = True
            return
        self.indexing = True
        self._reindex = False
        loop = asyncio.get_running_loop()
        token = None
        if self.progress_support:
            token = f"ses-lsp-index-{self.repo_gen}"
            try:
                await self.work_done_progress.create_async(token)
                self.work_done_progress.begin(
                    token, T.WorkDoneProgressBegin(title="ses-lsp: indexing", percentage=0, cancellable=False)
                )
            except Exception:
                log.exception("cannot create a progress token")
                token = None
        last = [0.0]

        def progress(done: int, total: int) -> None:  # (in the indexing thread)
            now = time.monotonic()
            if token is None or (now - last[0] < 0.2 and done < total):
                return
            last[0] = now
            pct = int(done * 100 / total) if total else 100
            value = T.WorkDoneProgressReport(message=f"{done}/{total} files", percentage=pct)
            loop.call_soon_threadsafe(self.work_done_progress.report, token, value)

        folders = list(self.folders)
        started = time.perf_counter()

        def work():
            cache = None
            directory = default_cache_dir(folders[0])
            if directory is not None:
                cache = Cache(directory, __version__).load()
            try:
                return index_folders(
                    folders, self.config_for_path, _uri_of, cache=cache, jobs=self.index_jobs, progress=progress
                )
            finally:
                if cache is not None:
                    cache.save()

        try:
            repo, left_out = await loop.run_in_executor(None, work)
        except Exception:
            log.exception("indexing the workspace failed")
            repo, left_out = None, 0
        finally:
            self.indexing = False
        if repo is not None:
            self.repository = repo
            events, self.pending_events = self.pending_events, []
            apply_file_events(repo, events, self.config_for_path, self.folders)
            log.info(
                "indexed %d SES documents in %.1f s (%s)", len(repo), time.perf_counter() - started, ", ".join(folders)
            )
            if left_out:
                self.warn(
                    f"ses-lsp: the workspace has {left_out:,} more JSON/YAML files than the "
                    f"{len(repo):,} indexed; set `include` / `exclude` in the configuration to narrow it"
                )
            self.repository_changed()
        if token is not None:
            self.work_done_progress.end(token, T.WorkDoneProgressEnd(message=f"{len(self.repository)} SES documents"))
        if self._reindex:
            self.index_task = asyncio.ensure_future(self.index_workspace())

    def file_events(self, events: list[tuple[str, int]]) -> None:
        """Files changed on disk (workspace/didChangeWatchedFiles): re-index them."""
        from ses_lsp.editor.project import apply_file_events

        if self.indexing:
            self.pending_events.extend(events)
            return
        if apply_file_events(self.repository, events, self.config_for_path, self.folders):
            self.repository_changed()

    def relint_all(self) -> None:
        for st in list(self.docs.values()):
            if self.pull:
                continue
            self.schedule(st, 0)
        if self.pull and self.refresh_support and self.docs:
            try:
                self.workspace_diagnostic_refresh(None)
            except Exception:  # pragma: no cover
                log.exception("diagnostic refresh failed")

    # -- conversions ----------------------------------------------------------------------------

    def range(self, lines, start: int, end: int) -> T.Range:
        (sl, sc), (el, ec) = self.codec.span(lines, start, end)
        return T.Range(T.Position(sl, sc), T.Position(el, ec))

    def offset(self, st: DocState, pos: T.Position) -> int:
        return self.codec.offset(st.lines, pos.line, pos.character)

    def _open_lines(self, name: str) -> LineIndex | None:
        """The line index of an open document, by URI or path (for RelatedFiles)."""
        st = self.docs.get(_uri_of(name))
        return st.lines if st is not None else None

    def lsp_diagnostics(self, st: DocState, res) -> list[T.Diagnostic]:
        """The diagnostics of a lint result as lsprotocol objects (what :meth:`diagnostic_dicts` sends)."""
        return self.protocol._converter.structure(self.diagnostic_dicts(st, res), list[T.Diagnostic])

    def diagnostic_dicts(self, st: DocState, res) -> list[dict]:
        """The diagnostics of a lint result in their JSON form (``Diagnostic`` of the LSP).

        Built directly as plain dicts: a document can carry thousands of diagnostics, and going
        through lsprotocol objects and pygls' cattrs serialisation costs several times more per
        diagnostic than the lint that produced it (issue 10, section 2).  Fields that are absent
        are left out, as pygls' own serialisation does.
        """
        return [_diagnostic_json(key, st.uri) for key in self.diagnostic_keys(st, res)]

    def diagnostic_keys(self, st: DocState, res) -> list[tuple]:
        """For each diagnostic, everything its JSON form depends on but the document (URI and
        version), with the positions converted: equal keys give equal JSON."""
        key_of = self._key_function(st, res)
        return [key_of(d) for d in res.diagnostics]

    def _key_function(self, st: DocState, res):
        """The function giving a diagnostic's key (see :meth:`diagnostic_keys`) in this result."""
        lines = res.document.lines if res.document is not None else st.lines
        codec_position = self.codec.position
        text, starts = lines.text, lines.starts
        size = len(text)
        # In an ASCII text (or in code points) a column is the offset into the line in every encoding.
        plain = self.codec.encoding == UTF32 or text.isascii()

        def rng(ls: LineIndex, start: int, end: int) -> tuple[int, int, int, int]:
            end = max(start, end)
            if ls is lines and plain:
                start = 0 if start < 0 else size if start > size else start
                end = size if end > size else end
                sl = bisect_right(starts, start) - 1
                el = sl if sl + 1 == len(starts) or starts[sl + 1] > end else bisect_right(starts, end, sl) - 1
                return sl, start - starts[sl], el, end - starts[el]
            (sl, sc), (el, ec) = codec_position(ls, start), codec_position(ls, end)
            return sl, sc, el, ec

        related_files = RelatedFiles(self._open_lines)

        def key_of(d) -> tuple:
            related: tuple = ()
            if d.related:
                items: list[tuple[str | None, tuple[int, int, int, int], str]] = []
                for r in d.related:
                    if r.file is None:
                        items.append((None, rng(lines, r.start, r.end), r.message))
                    else:
                        other = related_files.lines(r.file)
                        loc = rng(other, r.start, r.end) if other is not None else (0, 0, 0, 0)
                        items.append((_uri_of(r.file), loc, r.message))
                related = tuple(items)
            return (
                d.code,
                d.name,
                _SEVERITY.get(d.severity, 1),
                d.message,
                "unnecessary" in d.tags,
                rng(lines, d.start, d.end),
                related,
            )

        return key_of

    def publish_json(self, st: DocState, res) -> str:
        """The ``textDocument/publishDiagnostics`` message for a lint result, as JSON text.

        Each diagnostic's JSON text is kept (on the document, until the next publication) by its
        key, and by the diagnostic itself: after an edit most diagnostics are unchanged, and only
        the new ones are built and encoded.  A diagnostic the engine reused from the previous
        lint (the same object: ses_lsp.lint.reuse keeps its offsets and the text of its lines)
        whose first line is where it was has the same JSON, found without converting its
        positions again; so has a copy the engine moved along with its lines
        (``LintMemo.origins``) when its first line keeps its number.  The text is what
        ``json.dumps`` of :meth:`diagnostic_dicts` gives (pygls' encoding).
        """
        by_key = st.fragments
        by_id = st.published_ids
        lines = res.document.lines if res.document is not None else st.lines
        starts = lines.starts
        last = len(starts) - 1
        origins = st.memo.origins if st.memo is not None else {}
        key_of = None
        fresh: dict[tuple, str] = {}
        fresh_ids: dict[int, tuple] = {}
        parts: list[str] = []
        append = parts.append
        for d in res.diagnostics:
            i = id(d)
            hit = by_id.get(i)
            delta = 0
            if hit is not None:
                if hit[0] is not d:
                    hit = None
            elif origins:
                origin = origins.get(i)
                if origin is not None:
                    was, delta = origin
                    hit = by_id.get(id(was))
                    if hit is not None and hit[0] is not was:
                        hit = None
            if hit is not None:
                # Its first line has the same number and starts where it did (moved with it).
                line, line_start = hit[1], hit[2] + delta
                if line <= last and starts[line] == line_start and (line == last or starts[line + 1] > d.start):
                    frag = hit[3]
                    fresh_ids[i] = (d, line, line_start, frag) if delta else hit
                    append(frag)
                    continue
            if key_of is None:
                key_of = self._key_function(st, res)
            key = key_of(d)
            frag = by_key.get(key) or fresh.get(key)
            if frag is None:
                frag = _diagnostic_text(key, st.uri)
            fresh[key] = frag
            if all(file is None for file, _loc, _msg in key[6]):  # (other documents' text may change)
                line = bisect_right(starts, d.start) - 1 if d.start > 0 else 0
                if line > last:
                    line = last
                fresh_ids[i] = (d, line, starts[line], frag)
            append(frag)
        st.fragments = fresh
        st.published_ids = fresh_ids
        return (
            f'{{"jsonrpc": "2.0", "method": "{T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS}", "params": '
            f'{{"uri": {json.dumps(st.uri)}, "diagnostics": [{", ".join(parts)}], '
            f'"version": {json.dumps(st.version)}}}}}'
        )


def _diagnostic_json(key: tuple, uri: str) -> dict:
    """The LSP ``Diagnostic`` (JSON) of a key of :meth:`SesLanguageServer.diagnostic_keys`."""
    from ses_lsp.lint.rules import REGISTRY

    code, name, severity, message, unnecessary, r, related = key
    item: dict = {"range": _range_json(r), "message": message, "severity": severity, "code": code}
    rule = REGISTRY.by_code.get(code)
    if rule is not None:
        item["codeDescription"] = {"href": rule.url}
    item["source"] = SOURCE
    if unnecessary:
        item["tags"] = [T.DiagnosticTag.Unnecessary.value]
    if related:
        item["relatedInformation"] = [
            {"location": {"uri": uri if file is None else file, "range": _range_json(loc)}, "message": msg}
            for file, loc, msg in related
        ]
    # (No fix: code actions compute theirs when asked, from the server's own lint result.)
    item["data"] = {"name": name}
    return item


def _range_json(r: tuple[int, int, int, int]) -> dict:
    return {"start": {"line": r[0], "character": r[1]}, "end": {"line": r[2], "character": r[3]}}


def _diagnostic_text(key: tuple, uri: str) -> str:
    """``json.dumps(_diagnostic_json(key, uri))``, written directly: what a publication builds
    for each diagnostic it has not built before (all of them when a document opens: 1,447 on
    the noisy 200-rule set, where building the dicts and encoding them took 20 ms; issue 10,
    section 2).  tests/server/test_diagnostic_payload.py checks the two agree."""
    from json.encoder import encode_basestring_ascii as enc  # (json.dumps' own, ensure_ascii)

    from ses_lsp.lint.rules import REGISTRY

    code, name, severity, message, unnecessary, r, related = key
    text = (
        f'{{"range": {{"start": {{"line": {r[0]}, "character": {r[1]}}}, "end": {{"line": {r[2]}, '
        f'"character": {r[3]}}}}}, "message": {enc(message)}, "severity": {severity}, "code": {enc(code)}, '
    )
    rule = REGISTRY.by_code.get(code)
    if rule is not None:
        text += f'"codeDescription": {{"href": {enc(rule.url)}}}, '
    text += f'"source": {enc(SOURCE)}, '
    if unnecessary:
        text += f'"tags": [{T.DiagnosticTag.Unnecessary.value}], '
    if related:
        items = ", ".join(
            f'{{"location": {{"uri": {enc(uri if file is None else file)}, "range": {{"start": {{"line": {loc[0]}, '
            f'"character": {loc[1]}}}, "end": {{"line": {loc[2]}, "character": {loc[3]}}}}}}}, "message": {enc(msg)}}}'
            for file, loc, msg in related
        )
        text += f'"relatedInformation": [{items}], '
    return text + f'"data": {{"name": {enc(name)}}}}}'


_SEVERITY = {
    Severity.ERROR: T.DiagnosticSeverity.Error.value,
    Severity.WARNING: T.DiagnosticSeverity.Warning.value,
    Severity.INFO: T.DiagnosticSeverity.Information.value,
}


def _warm_up() -> None:
    """Import the engine and compile the schemas before the first document arrives."""
    import gc

    try:
        from ses_lsp.lint.engine import lint_text

        lint_text(
            '{"Metadata": {"Name": "w"}, "Rules": [{"Name": "r", "Actions": [{"StopAction": {"Scope": "RuleSet"}}]}]}',
            None,
            fmt="json",
        )
        lint_text("RuleSetName: w\nRules:\n  - Name: r\n    Actions:\n      - Drop: {}\n", None, fmt="yaml")
    except Exception:
        log.exception("warm-up failed")
    gc.collect()
    gc.freeze()  # what is alive now (modules, schemas) is never scanned again


def _idle_gc() -> None:
    import gc

    gc.collect()


def _empty_repository():
    from ses_lsp.lint.repository import Repository

    return Repository(None, _uri_of)


def _server_workspace(ls: SesLanguageServer):
    """The lint/navigation workspace: the open documents (their cached trees and names) over the
    index of the workspace folders (ses_lsp.editor.project.ProjectWorkspace)."""
    from ses_lsp.editor.project import ProjectWorkspace

    def open_documents():
        for st in list(ls.docs.values()):
            if st.kind is not None and not st.oversized:
                yield st

    return ProjectWorkspace(open_documents, ls.repository)


# (Module functions, not closures in the handler: a recursive closure refers to itself, and the
# cycle kept each request's symbols, and whatever else it held, alive until the collector ran.)
def _document_symbol(ls: SesLanguageServer, lines, s) -> T.DocumentSymbol:
    return T.DocumentSymbol(
        name=s.name or "?",
        kind=_SYMBOL_KINDS.get(s.kind, T.SymbolKind.Field),
        range=ls.range(lines, s.start, s.end),
        selection_range=ls.range(lines, s.selection_start, s.selection_end),
        detail=s.detail or None,
        children=[_document_symbol(ls, lines, c) for c in s.children] or None,
    )


def _symbol_information(ls: SesLanguageServer, lines, uri: str, s, container: str | None, out: list) -> None:
    out.append(
        T.SymbolInformation(
            name=s.name or "?",
            kind=_SYMBOL_KINDS.get(s.kind, T.SymbolKind.Field),
            location=T.Location(uri, ls.range(lines, s.start, s.end)),
            container_name=container,
        )
    )
    for c in s.children:
        _symbol_information(ls, lines, uri, c, s.name, out)


def _get(obj, *names, default=None):
    for n in names:
        if obj is None:
            return default
        obj = getattr(obj, n, None) if not isinstance(obj, dict) else obj.get(n)
    return default if obj is None else obj


_COMPLETION_KINDS = {
    "property": T.CompletionItemKind.Property,
    "value": T.CompletionItemKind.Value,
    "enum": T.CompletionItemKind.EnumMember,
    "snippet": T.CompletionItemKind.Snippet,
    "reference": T.CompletionItemKind.Reference,
    "keyword": T.CompletionItemKind.Keyword,
}
# workspace/symbol: the kinds of the repository's names (ses_lsp.lint.repository).
_NAME_SYMBOL_KINDS = {
    "rule": T.SymbolKind.Function,
    "rule-set": T.SymbolKind.Namespace,
    "filter": T.SymbolKind.Event,
    "resource": T.SymbolKind.Object,
}
_SYMBOL_KINDS = {
    "namespace": T.SymbolKind.Namespace,
    "class": T.SymbolKind.Class,
    "function": T.SymbolKind.Function,
    "event": T.SymbolKind.Event,
    "property": T.SymbolKind.Property,
    "object": T.SymbolKind.Object,
    "array": T.SymbolKind.Array,
    "string": T.SymbolKind.String,
    "number": T.SymbolKind.Number,
    "boolean": T.SymbolKind.Boolean,
    "key": T.SymbolKind.Key,
}


def _safe(default=None):
    """Handlers never raise: log and answer ``default``."""

    def deco(fn):
        import functools

        @functools.wraps(fn)
        def wrapper(ls, params):
            try:
                return fn(ls, params)
            except Exception:
                log.exception("%s failed", fn.__name__)
                return default() if callable(default) else default

        return wrapper

    return deco


def create_server(debounce: float | None = None) -> SesLanguageServer:
    server = SesLanguageServer(debounce)

    # -- lifecycle -----------------------------------------------------------------------------------

    @server.feature(T.INITIALIZE)
    @_safe()
    def initialize(ls: SesLanguageServer, params: T.InitializeParams):
        caps = params.capabilities
        try:
            ls.codec = Codec(ls.workspace.position_encoding)
        except Exception:
            ls.codec = Codec()
        ls.pull = _get(caps, "text_document", "diagnostic") is not None
        ls.snippets = bool(_get(caps, "text_document", "completion", "completion_item", "snippet_support"))
        fmts = _get(caps, "text_document", "completion", "completion_item", "documentation_format")
        ls.markdown = fmts is None or T.MarkupKind.Markdown in fmts
        modes = _get(caps, "text_document", "completion", "completion_item", "insert_text_mode_support", "value_set")
        ls.insert_mode_as_is = bool(modes) and T.InsertTextMode.AsIs in modes
        ls.hierarchical_symbols = bool(
            _get(caps, "text_document", "document_symbol", "hierarchical_document_symbol_support")
        )
        ls.config_support = bool(_get(caps, "workspace", "configuration"))
        ls.resolve_edits = bool(_get(caps, "text_document", "code_action", "data_support")) and "edit" in (
            _get(caps, "text_document", "code_action", "resolve_support", "properties") or ()
        )
        ls.refresh_support = bool(_get(caps, "workspace", "diagnostics", "refresh_support"))
        _simulation().set_capabilities(ls, caps)
        root = params.root_uri or (params.workspace_folders[0].uri if params.workspace_folders else None)
        if root:
            ls.root_path = _uri_to_path(root)
        elif params.root_path:
            ls.root_path = params.root_path
        uris = [f.uri for f in params.workspace_folders or ()] or ([root] if root else [])
        ls.folders = [p for p in (_uri_to_path(u) for u in uris) if p is not None and os.path.isdir(p)]
        if not uris and ls.root_path and os.path.isdir(ls.root_path):
            ls.folders = [ls.root_path]
        ls.progress_support = bool(_get(caps, "window", "work_done_progress"))
        ls.watch_support = bool(_get(caps, "workspace", "did_change_watched_files", "dynamic_registration"))
        if params.initialization_options is not None:
            ls.apply_settings(params.initialization_options)

    @server.feature(T.INITIALIZED)
    async def initialized(ls: SesLanguageServer, params):
        try:
            caps = ls.client_capabilities
            regs = []
            if _get(caps, "workspace", "did_change_watched_files", "dynamic_registration"):
                regs.append(
                    T.Registration(
                        id="ses-lsp-config-files",
                        method=T.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                        register_options=T.DidChangeWatchedFilesRegistrationOptions(
                            watchers=[
                                T.FileSystemWatcher(glob_pattern="**/.ses-lsp.toml"),
                                T.FileSystemWatcher(glob_pattern="**/pyproject.toml"),
                                # The SES documents of the repository index (ses_lsp.editor.project).
                                T.FileSystemWatcher(glob_pattern="**/*.{json,yaml,yml,JSON,YAML,YML}"),
                            ]
                        ),
                    )
                )
            if _get(caps, "workspace", "did_change_configuration", "dynamic_registration"):
                regs.append(
                    T.Registration(
                        id="ses-lsp-configuration",
                        method=T.WORKSPACE_DID_CHANGE_CONFIGURATION,
                        register_options=T.DidChangeConfigurationRegistrationOptions(section="ses-lsp"),
                    )
                )
            if regs:
                await ls.client_register_capability_async(T.RegistrationParams(registrations=regs))
            if ls.config_support:
                await _pull_settings(ls)
        except Exception:
            log.exception("initialized failed")
        if not ls.docs:
            _warm_up()
        if ls.folders:
            ls.index_task = asyncio.ensure_future(ls.index_workspace())

    async def _pull_settings(ls: SesLanguageServer) -> None:
        result = await ls.workspace_configuration_async(
            T.ConfigurationParams(items=[T.ConfigurationItem(section="ses-lsp")])
        )
        value = result[0] if result else None
        if value is not None or ls.settings:
            ls.apply_settings(_plain(value))

    # -- text synchronisation ---------------------------------------------------------------------------

    @server.feature(T.TEXT_DOCUMENT_DID_OPEN)
    @_safe()
    def did_open(ls: SesLanguageServer, params: T.DidOpenTextDocumentParams):
        td = params.text_document
        old = ls.docs.get(td.uri)
        if old is not None and old.timer is not None:
            old.timer.cancel()
        st = DocState(td.uri, td.text, td.version, td.language_id)
        ls.docs[td.uri] = st
        if not ls.pull:
            ls.schedule(st, 0)
        _simulation().document_changed(ls, st)

    @server.feature(T.TEXT_DOCUMENT_DID_CHANGE)
    @_safe()
    def did_change(ls: SesLanguageServer, params: T.DidChangeTextDocumentParams):
        td = params.text_document
        st = ls.docs.get(td.uri)
        if st is None:
            log.warning("change for a document that is not open: %s", td.uri)
            return
        old_text = text = st.text
        old_doc = st._doc
        lines = st.lines
        edit = None
        changes = params.content_changes
        only = changes[0] if len(changes) == 1 else None
        if isinstance(only, T.TextDocumentContentChangePartial):
            # One incremental change: the new tree can be built from the old one.
            start, end = only.range.start, only.range.end
            a = ls.codec.offset(lines, start.line, start.character)
            b = ls.codec.offset(lines, end.line, end.character)
            if b < a:
                a, b = b, a
            text = text[:a] + only.text + text[b:]
            edit = (a, b, a + len(only.text))
        else:
            for change in changes:
                rng = getattr(change, "range", None)
                if rng is None:
                    text = change.text
                else:
                    text = apply_change(
                        text,
                        lines,
                        ls.codec,
                        ((rng.start.line, rng.start.character), (rng.end.line, rng.end.character)),
                        change.text,
                    )
                lines = None
        st.set_text(text, td.version)
        if edit is not None and old_doc is not None and old_doc.text is old_text and not st.oversized:
            # The server owns the old document and keeps no node of it: its tree is reused in place.
            st._doc = reparse(old_doc, text, *edit, version=td.version, consume=True)
        ls.schedule(st)
        _simulation().document_changed(ls, st)

    @server.feature(T.TEXT_DOCUMENT_DID_SAVE)
    @_safe()
    def did_save(ls: SesLanguageServer, params: T.DidSaveTextDocumentParams):
        st = ls.docs.get(params.text_document.uri)
        if st is None:
            return
        if params.text is not None and params.text != st.text:
            st.set_text(params.text, st.version)
            st.result_key = None
        if st.result_key != ls.lint_key(st):
            ls.schedule(st, 0)
        _simulation().document_changed(ls, st)

    @server.feature(T.TEXT_DOCUMENT_DID_CLOSE)
    @_safe()
    def did_close(ls: SesLanguageServer, params: T.DidCloseTextDocumentParams):
        st = ls.docs.pop(params.text_document.uri, None)
        ls._hot.pop(params.text_document.uri, None)
        if st is None:
            return
        if st.timer is not None:
            st.timer.cancel()
        if not ls.pull:
            ls.text_document_publish_diagnostics(T.PublishDiagnosticsParams(uri=st.uri, diagnostics=[]))
        _simulation().document_changed(ls, st)

    @server.feature(T.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: SesLanguageServer, params: T.DidChangeConfigurationParams):
        try:
            settings = _plain(params.settings)
            if isinstance(settings, dict) and "ses-lsp" in settings:
                ls.apply_settings(settings["ses-lsp"])
            elif ls.config_support:
                await _pull_settings(ls)
            else:
                ls.config_changed()
        except Exception:
            log.exception("didChangeConfiguration failed")

    @server.feature(T.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @_safe()
    def did_change_watched_files(ls: SesLanguageServer, params: T.DidChangeWatchedFilesParams):
        if any(c.uri.rsplit("/", 1)[-1] in (".ses-lsp.toml", "pyproject.toml") for c in params.changes):
            ls.config_changed()
            if ls.folders:  # (kinds, include and exclude may have changed: index again)
                ls.index_task = asyncio.ensure_future(ls.index_workspace())
            return
        events = [(p, int(c.type)) for c in params.changes if (p := _uri_to_path(c.uri)) is not None]
        if events:
            ls.file_events(events)

    # -- diagnostics (pull) ---------------------------------------------------------------------

    @server.feature(
        T.TEXT_DOCUMENT_DIAGNOSTIC,
        T.DiagnosticOptions(identifier=SOURCE, inter_file_dependencies=True, workspace_diagnostics=False),
    )
    @_safe(lambda: T.RelatedFullDocumentDiagnosticReport(items=[]))
    def diagnostic(ls: SesLanguageServer, params: T.DocumentDiagnosticParams):
        st = ls.docs.get(params.text_document.uri)
        if st is None:
            return T.RelatedFullDocumentDiagnosticReport(items=[])
        res = ls.lint(st)
        rid = f"{st.version}.{ls.config_gen}.{ls.repo_gen}.{st.kind}"
        if params.previous_result_id == rid:
            return T.RelatedUnchangedDocumentDiagnosticReport(result_id=rid)
        items = ls.lsp_diagnostics(st, res) if st.reported else []
        return T.RelatedFullDocumentDiagnosticReport(items=items, result_id=rid)

    # -- completion / hover ----------------------------------------------------------------------------

    def _feature_state(ls: SesLanguageServer, uri: str):
        st = ls.docs.get(uri)
        if st is None or st.oversized:
            return None, None
        kind = ls.kind_of(st)
        if kind is None:
            return None, None
        ls.touch(st)
        return st, kind

    @server.feature(
        T.TEXT_DOCUMENT_COMPLETION, T.CompletionOptions(trigger_characters=['"', ":", " "], resolve_provider=False)
    )
    @_safe()
    def completion(ls: SesLanguageServer, params: T.CompletionParams):
        st, kind = _feature_state(ls, params.text_document.uri)
        if st is None:
            return None
        from ses_lsp.editor.completion import complete

        offset = ls.offset(st, params.position)
        items = complete(st.text, offset, kind, st.fmt, document=st.document(), workspace=ls.lint_workspace, uri=st.uri)
        if not items:
            return None
        lines = st.lines
        out = []
        for it in items:
            snippet = it.snippet and ls.snippets
            text = it.new_text if snippet else it.plain_text
            doc = None
            if it.documentation:
                doc = T.MarkupContent(T.MarkupKind.Markdown, it.documentation) if ls.markdown else it.documentation
            out.append(
                T.CompletionItem(
                    label=it.label,
                    kind=_COMPLETION_KINDS.get(it.kind, T.CompletionItemKind.Text),
                    detail=it.detail or None,
                    documentation=doc,
                    sort_text=it.sort_text or None,
                    filter_text=it.filter_text,
                    preselect=it.preselect or None,
                    text_edit=T.TextEdit(ls.range(lines, it.start, it.end), text),
                    insert_text_format=T.InsertTextFormat.Snippet if snippet else T.InsertTextFormat.PlainText,
                    insert_text_mode=T.InsertTextMode.AsIs if (ls.insert_mode_as_is and "\n" in text) else None,
                    additional_text_edits=[
                        T.TextEdit(ls.range(lines, e.start, e.end), e.new_text) for e in it.additional_edits
                    ]
                    or None,
                )
            )
        return T.CompletionList(is_incomplete=False, items=out)

    @server.feature(T.TEXT_DOCUMENT_HOVER)
    @_safe()
    def hover(ls: SesLanguageServer, params: T.HoverParams):
        st, kind = _feature_state(ls, params.text_document.uri)
        if st is None:
            return None
        from ses_lsp.editor.hover import hover as hover_at

        doc = st.document()
        offset = ls.offset(st, params.position)
        info = hover_at(doc, kind, offset)
        witness = _simulation().witness_hover(ls, st, kind, offset)
        if witness is not None:  # (a rule's name: the model's witness mail after the schema's text)
            info = (
                witness if info is None else replace(witness, markdown=info.markdown + "\n\n---\n\n" + witness.markdown)
            )
        if info is None:
            return None
        contents = T.MarkupContent(T.MarkupKind.Markdown, info.markdown)
        return T.Hover(contents=contents, range=ls.range(st.lines, info.start, info.end))

    # -- symbols ----------------------------------------------------------------------------------------

    @server.feature(T.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    @_safe()
    def document_symbol(ls: SesLanguageServer, params: T.DocumentSymbolParams):
        st, kind = _feature_state(ls, params.text_document.uri)
        if st is None:
            return None
        from ses_lsp.editor.symbols import document_symbols

        syms = document_symbols(st.document(), kind)
        lines = st.lines
        if ls.hierarchical_symbols:
            return [_document_symbol(ls, lines, s) for s in syms]
        flat: list[T.SymbolInformation] = []
        for s in syms:
            _symbol_information(ls, lines, st.uri, s, None, flat)
        return flat

    # -- navigation ------------------------------------------------------------------------------------------

    def _locations(ls: SesLanguageServer, occs) -> list[T.Location]:
        out = []
        memo: dict = {}
        for o in occs:
            lines = ls.lines_of(o.uri, memo)  # (a file never opened: from the disk)
            if lines is None:
                continue
            out.append(T.Location(o.uri, ls.range(lines, o.start, o.end)))
        return out

    @server.feature(T.TEXT_DOCUMENT_DEFINITION)
    @_safe()
    def definition(ls: SesLanguageServer, params: T.DefinitionParams):
        st, kind = _feature_state(ls, params.text_document.uri)
        if st is None:
            return None
        from ses_lsp.editor.navigation import definitions

        occs = definitions(st.document(), kind, ls.offset(st, params.position), st.uri, ls.lint_workspace)
        return _locations(ls, occs) or None

    @server.feature(T.TEXT_DOCUMENT_REFERENCES)
    @_safe()
    def references(ls: SesLanguageServer, params: T.ReferenceParams):
        st, kind = _feature_state(ls, params.text_document.uri)
        if st is None:
            return None
        from ses_lsp.editor.navigation import references as refs

        include = bool(_get(params, "context", "include_declaration", default=True))
        occs = refs(st.document(), kind, ls.offset(st, params.position), st.uri, ls.lint_workspace, include)
        return _locations(ls, occs) or None

    @server.feature(T.TEXT_DOCUMENT_PREPARE_RENAME)
    @_safe()
    def prepare_rename(ls: SesLanguageServer, params: T.PrepareRenameParams):
        st, kind = _feature_state(ls, params.text_document.uri)
        if st is None:
            return None
        from ses_lsp.editor.navigation import occurrence_at

        occ = occurrence_at(st.document(), kind, ls.offset(st, params.position), st.uri, ls.lint_workspace)
        if occ is None:
            return None
        return T.PrepareRenamePlaceholder(range=ls.range(st.lines, occ.start, occ.end), placeholder=occ.name)

    @server.feature(T.TEXT_DOCUMENT_RENAME, T.RenameOptions(prepare_provider=True))
    def rename(ls: SesLanguageServer, params: T.RenameParams):
        from ses_lsp.editor.navigation import RenameError
        from ses_lsp.editor.navigation import rename as do_rename

        try:
            st, kind = _feature_state(ls, params.text_document.uri)
            if st is None:
                return None
            edits = do_rename(
                st.document(), kind, ls.offset(st, params.position), params.new_name, st.uri, ls.lint_workspace
            )
        except RenameError as exc:
            from pygls.exceptions import JsonRpcInvalidParams

            raise JsonRpcInvalidParams(str(exc)) from None
        except Exception:
            log.exception("rename failed")
            return None
        if not edits:
            return None
        changes = {}
        memo: dict = {}
        for uri, lst in edits.items():
            lines = ls.lines_of(uri, memo)  # (files never opened are edited too: the client applies it)
            if lines is None:
                continue
            changes[uri] = [T.TextEdit(ls.range(lines, s, e), t) for s, e, t in lst]
        return T.WorkspaceEdit(changes=changes)

    @server.feature(T.WORKSPACE_SYMBOL)
    @_safe()
    def workspace_symbol(ls: SesLanguageServer, params: T.WorkspaceSymbolParams):
        from ses_lsp.editor.project import workspace_symbols

        memo: dict = {}
        out = []
        for o in workspace_symbols(ls.lint_workspace, params.query):
            lines = ls.lines_of(o.uri, memo) if o.uri is not None else None
            if lines is None or o.uri is None:
                continue
            out.append(
                T.SymbolInformation(
                    name=o.name,
                    kind=_NAME_SYMBOL_KINDS.get(o.symbol, T.SymbolKind.Key),
                    location=T.Location(o.uri, ls.range(lines, o.start, o.end)),
                    container_name=o.rule_set if o.symbol != "resource" else None,
                )
            )
        return out

    # -- code actions ---------------------------------------------------------------------------------------------

    @server.feature(
        T.TEXT_DOCUMENT_CODE_ACTION,
        T.CodeActionOptions(
            code_action_kinds=[T.CodeActionKind.QuickFix, FIX_ALL_KIND, T.CodeActionKind.SourceFixAll],
            resolve_provider=True,
        ),
    )
    @_safe()
    def code_action(ls: SesLanguageServer, params: T.CodeActionParams):
        return _code_actions(ls, params)

    @server.feature(T.CODE_ACTION_RESOLVE)
    def code_action_resolve(ls: SesLanguageServer, action: T.CodeAction):
        try:
            return _resolve_code_action(ls, action)
        except Exception:
            log.exception("codeAction/resolve failed")
            return action

    # -- test and debugging aid ---------------------------------------------------------------------------------------

    @server.feature(TEXT_REQUEST)
    def document_text(ls: SesLanguageServer, params):
        uri = _get(params, "textDocument", "uri") or _get(params, "text_document", "uri") or _get(params, "uri")
        st = ls.docs.get(uri) if isinstance(uri, str) else None
        if st is None:
            return None
        return {"text": st.text, "version": st.version, "kind": st.kind}

    # -- simulation: code lenses, the witness hover, the simulate command (ses_lsp.server.simulation) --
    _simulation().register(server)
    return server


def _simulation():
    from ses_lsp.server import simulation

    return simulation


def _plain(value):
    """Settings from the client as plain dicts/lists (pygls may give attrs objects)."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "__dict__"):
        return {k: _plain(v) for k, v in vars(value).items() if not k.startswith("_")}
    return value


def _wants(only, kind: str) -> bool:
    if not only:
        return True
    return any(kind == o or kind.startswith(o + ".") for o in only)


def _code_actions(ls: SesLanguageServer, params: T.CodeActionParams):
    """The quick fixes of the diagnostics in the range, "Disable CODE for this line", and fix-all.

    Their edits are the engine's fixes (secrets.guard has withheld any that would write a
    credential).  A client that resolves code actions (``codeAction.resolveSupport`` with
    ``edit``, and ``dataSupport``) gets them without edits, which ``codeAction/resolve``
    adds for the one the user picks (:func:`_resolve_code_action`): an editor asks for the
    code actions at the cursor whenever it moves or the diagnostics change, and a fix-all over
    a document with many fixes would convert every edit each time (issue 10, section 2).
    """
    uri = params.text_document.uri
    st = ls.docs.get(uri)
    if st is None or st.oversized:
        return None
    if ls.kind_of(st) is None:
        return None
    only = params.context.only
    res = ls.lint(st)
    lines = st.lines
    actions: list[T.CodeAction] = []
    rs = ls.offset(st, params.range.start)
    re_ = ls.offset(st, params.range.end)
    lazy = ls.resolve_edits

    def lsp_diag_for(d):
        rng = ls.range(lines, d.start, d.end)
        for cd in params.context.diagnostics or ():
            if cd.code == d.code and cd.range == rng:
                return cd
        return None

    def offer(title: str, kind: str, ref: list, edits, lsp_diag=None, preferred: bool | None = None) -> None:
        action = T.CodeAction(
            title=title, kind=kind, diagnostics=[lsp_diag] if lsp_diag is not None else None, is_preferred=preferred
        )
        if lazy:
            action.data = {"uri": uri, "version": st.version, "fix": ref}
        else:
            action.edit = _workspace_edit(ls, uri, lines, edits)
        actions.append(action)

    if _wants(only, T.CodeActionKind.QuickFix):
        indexed = [(i, d) for i, d in enumerate(res.diagnostics) if d.start <= re_ and d.end >= rs]
        in_range = [d for _i, d in indexed]
        index_of = {id(d): i for i, d in indexed}
        safe_count = sum(1 for d in in_range if d.fix is not None and d.fix.safe)
        for i, d in indexed:
            if d.fix is not None and d.fix.edits:
                offer(
                    d.fix.title,
                    T.CodeActionKind.QuickFix,
                    ["fix", i, d.code, d.start, d.end],
                    d.fix.edits,
                    lsp_diag_for(d),
                    True if (d.fix.safe and safe_count == 1) else None,
                )
        from ses_lsp.lint.suppressions import suppression_fixes

        for d, fix in suppression_fixes(res.document or st.document(), in_range):
            offer(
                fix.title,
                T.CodeActionKind.QuickFix,
                ["disable", index_of[id(d)], d.code, d.start, d.end],
                fix.edits,
                lsp_diag_for(d),
            )
    if _wants(only, FIX_ALL_KIND):
        chosen = choose_safe_fixes(res.diagnostics, len(st.text))
        if chosen:
            offer(
                f"Fix all auto-fixable ses-lsp problems ({len(chosen)})",
                FIX_ALL_KIND,
                ["all", len(chosen)],
                [e for _d, f in chosen for e in f.edits],
            )
    return actions or None


def _workspace_edit(ls: SesLanguageServer, uri: str, lines, edits) -> T.WorkspaceEdit:
    return T.WorkspaceEdit(changes={uri: [T.TextEdit(ls.range(lines, e.start, e.end), e.new_text) for e in edits]})


def _resolve_code_action(ls: SesLanguageServer, action: T.CodeAction) -> T.CodeAction:
    """``codeAction/resolve``: the edit of a code action :func:`_code_actions` offered without it.

    The action's ``data`` names the document version and the diagnostic (its place in the lint
    result, code and offsets, checked again).  When the document has changed since, or the
    diagnostic is gone, the action comes back without an edit: it does nothing.
    """
    data = action.data
    if action.edit is not None or not isinstance(data, dict):
        return action
    uri, ref = data.get("uri"), data.get("fix")
    st = ls.docs.get(uri) if isinstance(uri, str) else None
    if st is None or st.version != data.get("version") or not isinstance(ref, list) or not ref:
        return action
    if st.oversized or ls.kind_of(st) is None:
        return action
    res = ls.lint(st)
    edits: Sequence[TextEdit] | None = None
    what = ref[0]
    if what == "all" and len(ref) == 2:
        chosen = choose_safe_fixes(res.diagnostics, len(st.text))
        if len(chosen) == ref[1]:
            edits = [e for _d, f in chosen for e in f.edits]
    elif (
        what in ("fix", "disable") and len(ref) == 5 and isinstance(ref[1], int) and 0 <= ref[1] < len(res.diagnostics)
    ):
        d = res.diagnostics[ref[1]]
        if [d.code, d.start, d.end] == ref[2:]:
            if what == "fix":
                edits = d.fix.edits if d.fix is not None else None
            else:
                from ses_lsp.lint.suppressions import suppression_fixes

                found = suppression_fixes(res.document or st.document(), [d])
                edits = found[0][1].edits if found else None
    if edits:
        action.edit = _workspace_edit(ls, st.uri, st.lines, edits)
    else:
        log.info("code action %r not resolved: the document or its diagnostics changed", action.title)
    return action


def _brief_pygls_errors(record: logging.LogRecord) -> bool:
    """Drop pygls' "Unable to deserialize message" records: each carries a full traceback for a
    message whose params do not fit its method, which the server logs in one line itself
    (SesProtocol.structure_message, SesLanguageServer._receive)."""
    return not (isinstance(record.msg, str) and record.msg.startswith("Unable to deserialize message"))


def main(argv: list[str] | None = None) -> int:
    """``ses-lsp serve [--stdio] [--tcp HOST:PORT] [--log-file F] [--debounce MS]``."""
    args_in = list(sys.argv[1:] if argv is None else argv)
    if args_in[:1] == ["serve"]:
        args_in = args_in[1:]
    parser = argparse.ArgumentParser(prog="ses-lsp serve", description="Run the ses-lsp language server.")
    parser.add_argument("--stdio", action="store_true", help="speak LSP over standard input/output (default)")
    parser.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP address instead of stdio")
    parser.add_argument("--log-file", metavar="FILE", help="write the server's log to FILE")
    parser.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))
    parser.add_argument(
        "--debounce",
        type=float,
        metavar="MS",
        help="push-diagnostics debounce in milliseconds (default 50; overrides the setting)",
    )
    try:
        args = parser.parse_args(args_in)
    except SystemExit as exc:
        return int(exc.code or 0)
    if args.log_file:
        logging.basicConfig(
            filename=args.log_file, level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
        )
        logging.getLogger("ses_lsp").setLevel(args.log_level)
    else:
        logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="ses-lsp: %(levelname)s %(message)s")
    logging.getLogger("pygls.protocol.json_rpc").addFilter(_brief_pygls_errors)
    import gc

    # The cyclic garbage collector runs when the server is idle (SesLanguageServer.schedule_gc),
    # not during edits: an edit's lint leaves no cyclic garbage (trees link parents weakly;
    # 0 objects found after 60 edits of the 200-rule sets), yet the automatic collections cost
    # 2.7 ms an edit on the set with 1,447 diagnostics (0.6 ms on the ordinary one), scanning
    # every live diagnostic again and again: without this the edit p50 of the former is 1.6x
    # the latter's, with it 1.5x (issue 10, section 2; measured both ways, see the commit).
    # SES_LSP_GC=auto keeps Python's automatic collections.
    mode = os.environ.get("SES_LSP_GC", "idle")
    if mode == "idle":
        gc.disable()
    global GC_PILE_UP
    GC_PILE_UP = int(os.environ.get("SES_LSP_GC_PILE", GC_PILE_UP))
    server = create_server(None if args.debounce is None else args.debounce / 1000.0)
    started = time.perf_counter()
    log.info("ses-lsp server starting (%s)", "tcp " + args.tcp if args.tcp else "stdio")
    if args.tcp:
        host, sep, port = args.tcp.rpartition(":")
        if not sep or not port.isdigit():
            print(f"ses-lsp serve: --tcp expects HOST:PORT, not {args.tcp!r}", file=sys.stderr)
            return 2
        server.start_tcp(host.strip("[]") or "127.0.0.1", int(port))
    else:
        server.start_io()
    log.info("ses-lsp server stopped after %.1f s (exit code %d)", time.perf_counter() - started, server.exit_code)
    return server.exit_code


if __name__ == "__main__":  # python -m ses_lsp.server.server
    raise SystemExit(main())
