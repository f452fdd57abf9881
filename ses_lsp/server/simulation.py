"""The server's simulation features (issue 11, "In the editor"): thin LSP handlers over
:mod:`ses_lsp.editor.routing_lens`, :mod:`ses_lsp.editor.witness_hover` and
:mod:`ses_lsp.editor.simulate_command`.

* ``textDocument/codeLens`` on a rule set: above each rule, "N of M routing-test mails reach
  this rule" when routing tests of the workspace name the rule set.  After a change to another
  SES document (a routing test, a scenario, IP filters), ``workspace/codeLens/refresh`` asks
  the client for them again (when it supports it), at most every :data:`REFRESH_DELAY` seconds.
* ``workspace/executeCommand`` ``ses-lsp.simulate`` with ``[rule set URI, mail URI]`` (or
  ``{"uri", "mail"}``): ``{"text", "json"}``, the trace of ``ses-lsp simulate``, or ``{"error"}``.
* The witness hover on a rule's name is added to the schema hover by the hover handler
  (:func:`witness_hover`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from lsprotocol import types as T

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document
    from ses_lsp.editor.hover import HoverInfo
    from ses_lsp.editor.routing_lens import RoutingLenses

# (The server's own types: this module is imported by ses_lsp.server.server, not the reverse.)
SesLanguageServer = Any
DocState = Any

log = logging.getLogger("ses_lsp.server")

SIMULATE_COMMAND = "ses-lsp.simulate"  # workspace/executeCommand: [rule set URI, mail URI]
REFRESH_DELAY = 0.3  # seconds: code lens refreshes after edits are coalesced


class _OpenDocuments:
    """The server's open documents, by normalised path (ses_lsp.editor.routing_lens.OpenDocuments)."""

    def __init__(self, ls: SesLanguageServer) -> None:
        from ses_lsp.editor.routing_lens import norm

        self.by_path: dict[str, DocState] = {}
        for st in list(ls.docs.values()):
            if st.path and not st.oversized:
                self.by_path[norm(st.path)] = st

    def version(self, path: str) -> object | None:
        st = self.by_path.get(path)
        return None if st is None else (st.version, id(st))

    def document(self, path: str) -> tuple[Document, str | None] | None:
        st = self.by_path.get(path)
        return None if st is None else (st.document(), st.kind)

    def routing_tests(self) -> Iterable[str]:
        from ses_lsp.schema import ROUTING_TEST_KIND

        return [p for p, st in self.by_path.items() if st.kind == ROUTING_TEST_KIND]


def _lenses(ls: SesLanguageServer) -> RoutingLenses:
    found = getattr(ls, "_routing_lenses", None)
    if found is None:
        from ses_lsp.editor.routing_lens import RoutingLenses
        from ses_lsp.lint.config import config_for

        found = RoutingLenses(config_for)
        ls._routing_lenses = found
    return found


def _folders(ls: SesLanguageServer) -> list[str]:
    from pygls.uris import to_fs_path

    out = []
    try:
        for f in ls.workspace.folders.values():
            p = to_fs_path(f.uri)
            if p:
                out.append(p)
    except Exception:  # (no workspace yet)
        pass
    if not out and ls.root_path:
        out.append(ls.root_path)
    return out


def document_changed(ls: SesLanguageServer, st: DocState | None) -> None:
    """A document was opened, changed, saved or closed: the code lenses of the rule sets may
    change when it is not itself a rule set (whose own lenses the client asks for again)."""
    from ses_lsp.editor.routing_lens import RULE_SET_KINDS
    from ses_lsp.schema import ROUTING_TEST_KIND

    if st is None or not getattr(ls, "code_lens_refresh", False):
        return
    if st.kind in RULE_SET_KINDS:
        return
    if st.kind == ROUTING_TEST_KIND:
        _lenses(ls).forget_walk()
    handle = getattr(ls, "_code_lens_timer", None)
    if handle is not None:
        handle.cancel()
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return
    ls._code_lens_timer = loop.call_later(REFRESH_DELAY, _refresh, ls)


def _refresh(ls: SesLanguageServer) -> None:
    ls._code_lens_timer = None
    try:
        ls.workspace_code_lens_refresh(None)
    except Exception:  # pragma: no cover
        log.exception("code lens refresh failed")


def witness_hover(ls: SesLanguageServer, st: DocState, kind: str, offset: int) -> HoverInfo | None:
    """The witness hover at ``offset`` (a rule's name), or None."""
    from ses_lsp.editor.witness_hover import witness_hover as hover

    verified = list(ls.config_for(st).verified_domains) or None
    return hover(st.document(), kind, offset, verified)


def _arguments(args: Any) -> tuple[str | None, str | None]:
    """(rule set URI, mail URI or path) of the command's arguments."""
    if isinstance(args, (list, tuple)) and len(args) == 1 and isinstance(args[0], dict):
        args = args[0]
    if isinstance(args, dict):
        uri, mail = args.get("uri"), args.get("mail")
    elif isinstance(args, (list, tuple)) and len(args) >= 2:
        uri, mail = args[0], args[1]
    else:
        return None, None
    return (uri if isinstance(uri, str) else None), (mail if isinstance(mail, str) else None)


def register(server: SesLanguageServer) -> None:
    """Add the code lens and command handlers to ``server``."""

    @server.feature(T.TEXT_DOCUMENT_CODE_LENS, T.CodeLensOptions(resolve_provider=False))
    def code_lens(ls: SesLanguageServer, params: T.CodeLensParams):
        try:
            st = ls.docs.get(params.text_document.uri)
            if st is None or st.oversized or st.path is None:
                return None
            kind = ls.kind_of(st)
            if kind is None:
                return None
            lenses = _lenses(ls).lenses(st.path, st.document(), kind, st.version, _folders(ls), _OpenDocuments(ls))
            if not lenses:
                return None
            lines = st.lines
            return [
                T.CodeLens(range=ls.range(lines, x.start, x.end), command=T.Command(title=x.title, command=""))
                for x in lenses
            ]
        except Exception:
            log.exception("codeLens failed")
            return None

    @server.command(SIMULATE_COMMAND)
    def simulate(ls: SesLanguageServer, *args: Any):
        from ses_lsp.editor.simulate_command import simulate_document

        uri, mail = _arguments(args[0] if len(args) == 1 else list(args))
        if uri is None or mail is None:
            return {"error": f"{SIMULATE_COMMAND} takes the rule set's URI and the mail file's URI (or path)"}
        st = ls.docs.get(uri)
        if st is None:
            return {"error": f"the rule set {uri} is not open in the editor"}
        if st.oversized:
            return {"error": "the rule set is over the size cap: it is not read"}
        mail_path = _path_of(mail)
        if not mail_path:
            return {"error": f"the mail {mail} is not a file"}
        try:
            res = ls.lint(st)
            verified = list(ls.config_for(st).verified_domains) or None
            return simulate_document(res, st.document(), mail_path, verified, ls.root_path)
        except Exception as exc:
            log.exception("simulate failed")
            return {"error": f"the simulation failed: {type(exc).__name__}"}

    server.code_lens_refresh = False


def set_capabilities(ls: SesLanguageServer, caps: T.ClientCapabilities | None) -> None:
    """Read what the client supports of these features (from ``initialize``)."""
    workspace = getattr(caps, "workspace", None)
    code_lens = getattr(workspace, "code_lens", None)
    ls.code_lens_refresh = bool(getattr(code_lens, "refresh_support", False))


def _path_of(mail: str) -> str | None:
    if not mail.startswith("file:"):
        return mail
    from pygls.uris import to_fs_path

    try:
        return to_fs_path(mail)
    except Exception:  # a malformed URI
        return None
