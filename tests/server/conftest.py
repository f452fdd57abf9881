"""pytest-lsp fixtures: the real server over stdio, and a small session helper."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import Any

import pytest_lsp
from lsprotocol import types as T
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import make_test_lsp_client

SERVER_COMMAND = [sys.executable, "-m", "ses_lsp.server.server", "--debounce", "20"]


def _client_factory() -> LanguageClient:
    client = make_test_lsp_client()
    client.published = []  # type: ignore[attr-defined]  # every publishDiagnostics, in order

    def record(params: T.PublishDiagnosticsParams) -> None:
        client.published.append(params)  # type: ignore[attr-defined]
        client.diagnostics[params.uri] = params.diagnostics

    client.protocol.fm._features[T.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    client.registrations = []  # type: ignore[attr-defined]

    @client.feature(T.CLIENT_REGISTER_CAPABILITY)
    def register(params: T.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]

    return client


def capabilities(
    *,
    pull: bool = False,
    encodings: list[str] | None = None,
    snippets: bool = True,
    configuration: bool = False,
    resolve: bool = False,
    progress: bool = False,
) -> T.ClientCapabilities:
    """A client's capabilities; ``resolve``: it resolves code actions' edits (codeAction/resolve),
    as VS Code and Neovim do (they send these two properties)."""
    return T.ClientCapabilities(
        general=T.GeneralClientCapabilities(
            position_encodings=[T.PositionEncodingKind(e) for e in encodings] if encodings else None
        ),
        text_document=T.TextDocumentClientCapabilities(
            synchronization=T.TextDocumentSyncClientCapabilities(did_save=True),
            completion=T.CompletionClientCapabilities(
                completion_item=T.ClientCompletionItemOptions(
                    snippet_support=snippets, documentation_format=[T.MarkupKind.Markdown, T.MarkupKind.PlainText]
                )
            ),
            hover=T.HoverClientCapabilities(content_format=[T.MarkupKind.Markdown]),
            document_symbol=T.DocumentSymbolClientCapabilities(hierarchical_document_symbol_support=True),
            publish_diagnostics=T.PublishDiagnosticsClientCapabilities(
                related_information=True,
                version_support=True,
                code_description_support=True,
                data_support=True,
                tag_support=T.ClientDiagnosticsTagOptions(value_set=[T.DiagnosticTag.Unnecessary]),
            ),
            diagnostic=T.DiagnosticClientCapabilities(related_document_support=True) if pull else None,
            rename=T.RenameClientCapabilities(prepare_support=True),
            code_action=T.CodeActionClientCapabilities(
                code_action_literal_support=T.ClientCodeActionLiteralOptions(
                    code_action_kind=T.ClientCodeActionKindOptions(
                        value_set=[T.CodeActionKind.QuickFix, T.CodeActionKind.SourceFixAll]
                    )
                ),
                is_preferred_support=True,
                data_support=True,
                resolve_support=T.ClientCodeActionResolveOptions(properties=["edit", "command"]) if resolve else None,
            ),
        ),
        workspace=T.WorkspaceClientCapabilities(
            configuration=configuration,
            did_change_configuration=T.DidChangeConfigurationClientCapabilities(dynamic_registration=False),
            did_change_watched_files=T.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True),
            diagnostics=T.DiagnosticWorkspaceClientCapabilities(refresh_support=True) if pull else None,
        ),
        window=T.WindowClientCapabilities(
            show_message=T.ShowMessageRequestClientCapabilities(), work_done_progress=progress or None
        ),
    )


class Session:
    """A connected client plus helpers for the tests."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.texts: dict[str, str] = {}
        self.versions: dict[str, int] = {}

    async def init(self, root: str | None = None, options: Any = None, **caps) -> T.InitializeResult:
        return await self.client.initialize_session(
            T.InitializeParams(capabilities=capabilities(**caps), root_uri=root, initialization_options=options)
        )

    def open(self, uri: str, text: str, language: str) -> None:
        self.texts[uri] = text
        self.versions[uri] = 1
        self.client.text_document_did_open(
            T.DidOpenTextDocumentParams(T.TextDocumentItem(uri=uri, language_id=language, version=1, text=text))
        )

    def replace_all(self, uri: str, text: str) -> int:
        self.texts[uri] = text
        self.versions[uri] += 1
        self.client.text_document_did_change(
            T.DidChangeTextDocumentParams(
                T.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                [T.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        return self.versions[uri]

    def edit(self, uri: str, start: tuple[int, int], end: tuple[int, int], text: str, new_text: str) -> int:
        """An incremental change; ``new_text`` is the client's text after it (for the record)."""
        self.texts[uri] = new_text
        self.versions[uri] += 1
        self.client.text_document_did_change(
            T.DidChangeTextDocumentParams(
                T.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
                [T.TextDocumentContentChangePartial(range=T.Range(T.Position(*start), T.Position(*end)), text=text)],
            )
        )
        return self.versions[uri]

    def close(self, uri: str) -> None:
        self.client.text_document_did_close(T.DidCloseTextDocumentParams(T.TextDocumentIdentifier(uri)))

    async def until(self, predicate: Callable[[], object], what: str, timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` is true, at most ``timeout`` seconds (then fail with ``what``).

        A hang guard like ``diagnostics``'s, as long: the server shares the machine's cores with the
        other test processes (pytest-xdist runs one a core), so an answer can take seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not predicate():
            if loop.time() > deadline:
                raise TimeoutError(f"{what} within {timeout} s")
            await asyncio.sleep(0.01)

    async def diagnostics(self, uri: str, version: int | None = None, timeout: float = 10.0):
        """Wait for a publication for ``uri`` (of ``version``) and return it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for p in reversed(self.client.published):  # type: ignore[attr-defined]
                if p.uri == uri and (version is None or p.version == version):
                    return p
            if loop.time() > deadline:
                raise TimeoutError(f"no diagnostics for {uri} version {version}")
            await asyncio.sleep(0.01)

    async def text(self, uri: str) -> dict | None:
        res = await self.client.protocol.send_request_async("ses-lsp/documentText", {"textDocument": {"uri": uri}})
        if res is None:
            return None
        return res if isinstance(res, dict) else {k: getattr(res, k) for k in ("text", "version", "kind")}


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER_COMMAND, client_factory=_client_factory))
async def lsp(lsp_client: LanguageClient):
    yield
    try:
        await asyncio.wait_for(lsp_client.shutdown_session(), 10)
    except Exception:  # pragma: no cover - the test failed already
        pass


import pytest  # noqa: E402


@pytest.fixture
def session(lsp) -> Session:
    return Session(lsp)
