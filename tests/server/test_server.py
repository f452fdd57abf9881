"""End-to-end tests of `ses-lsp serve` over stdio (pytest-lsp), in JSON and YAML."""

from __future__ import annotations

import asyncio

import pytest
from lsprotocol import types as T

pytestmark = pytest.mark.asyncio

RULE_SET_JSON = """{
  "Metadata": {"Name": "inbound", "CreatedTimestamp": "2026-03-02T09:15:00Z"},
  "Rules": [
    {
      "Name": "support-to-s3",
      "Enabled": true,
      "TlsPolicy": "require",
      "Recipients": ["support@example.com"],
      "Actions": [{"S3Action": {"BucketName": "mail-bucket"}}]
    },
    {
      "Name": "catch-all",
      "Enabled": true,
      "Recipients": ["example.com"],
      "Actions": [{"StopAction": {"Scope": "RuleSet"}}]
    }
  ]
}
"""

RULE_SET_YAML = """Metadata:
  Name: inbound
  CreatedTimestamp: '2026-03-02T09:15:00Z'
Rules:
  - Name: support-to-s3
    Enabled: true
    TlsPolicy: require
    Recipients: [support@example.com]
    Actions:
      - S3Action:
          BucketName: mail-bucket
  - Name: catch-all
    Enabled: true
    Recipients: [example.com]
    Actions:
      - StopAction:
          Scope: RuleSet
"""

DOCS = {"json": RULE_SET_JSON, "yaml": RULE_SET_YAML}


def uri_for(tmp_path, name: str) -> str:
    return (tmp_path / name).as_uri()


def pos_of(text: str, needle: str, delta: int = 0) -> T.Position:
    """The UTF-16 position of ``needle`` (+ delta characters) in ``text``."""
    off = text.index(needle) + delta
    before = text[:off]
    line = before.count("\n")
    col_text = before[before.rfind("\n") + 1 :]
    return T.Position(line, len(col_text.encode("utf-16-le")) // 2)


def apply_edits(text: str, edits: list[T.TextEdit]) -> str:
    lines = text.splitlines(keepends=True)
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln))

    def off(p: T.Position) -> int:
        return starts[p.line] + p.character

    for e in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: off(e.range.start)] + e.new_text + text[off(e.range.end) :]
    return text


# -- diagnostics -----------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "yaml"])
async def test_push_diagnostics(session, tmp_path, fmt):
    await session.init()
    uri = uri_for(tmp_path, f"rules.{fmt}")
    session.open(uri, DOCS[fmt], fmt)
    pub = await session.diagnostics(uri, 1)
    codes = [d.code for d in pub.diagnostics]
    assert "SES104" in codes, pub.diagnostics
    d = next(d for d in pub.diagnostics if d.code == "SES104")
    assert d.source == "ses-lsp"
    assert d.severity == T.DiagnosticSeverity.Error
    assert d.code_description is not None and d.code_description.href.endswith("#ses104")
    assert d.range.start == pos_of(DOCS[fmt], "require", -1 if fmt == "json" else 0)
    assert d.data == {"name": "invalid-enum-value"}  # no fix: code actions compute it


async def test_unrelated_documents_get_nothing(session, tmp_path):
    await session.init()
    uri = uri_for(tmp_path, "package.json")
    session.open(uri, '{"name": "x", "version": "1.0.0"}\n', "json")
    await asyncio.sleep(0.3)
    assert not [p for p in session.client.published if p.uri == uri]
    res = await session.client.text_document_completion_async(
        T.CompletionParams(T.TextDocumentIdentifier(uri), T.Position(0, 1))
    )
    assert res is None
    hov = await session.client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri), T.Position(0, 3)))
    assert hov is None


@pytest.mark.parametrize("fmt", ["json", "yaml"])
async def test_clear_on_close(session, tmp_path, fmt):
    await session.init()
    uri = uri_for(tmp_path, f"rules.{fmt}")
    session.open(uri, DOCS[fmt], fmt)
    assert (await session.diagnostics(uri, 1)).diagnostics
    n = len(session.client.published)
    session.close(uri)
    await session.until(lambda: len(session.client.published) > n, "no new publication")
    last = session.client.published[-1]
    assert last.uri == uri and not last.diagnostics


async def test_stale_versions_are_dropped(session, tmp_path):
    await session.init()
    uri = uri_for(tmp_path, "rules.json")
    good = RULE_SET_JSON.replace('"require"', '"Require"')
    session.open(uri, good, "json")
    assert not (await session.diagnostics(uri, 1)).diagnostics
    session.replace_all(uri, RULE_SET_JSON)  # v2: an error
    v3 = session.replace_all(uri, good)  # v3 at once: fixed again
    pub = await session.diagnostics(uri, v3)
    assert not pub.diagnostics
    assert not [p for p in session.client.published if p.uri == uri and p.version == 2]


@pytest.mark.parametrize("fmt", ["json", "yaml"])
async def test_pull_diagnostics(session, tmp_path, fmt):
    await session.init(pull=True)
    uri = uri_for(tmp_path, f"rules.{fmt}")
    session.open(uri, DOCS[fmt], fmt)
    ident = T.TextDocumentIdentifier(uri)
    rep = await session.client.text_document_diagnostic_async(T.DocumentDiagnosticParams(ident))
    assert rep.kind == "full"
    assert [d.code for d in rep.items].count("SES104") == 1
    rep2 = await session.client.text_document_diagnostic_async(
        T.DocumentDiagnosticParams(ident, previous_result_id=rep.result_id)
    )
    assert rep2.kind == "unchanged" and rep2.result_id == rep.result_id
    session.replace_all(uri, DOCS[fmt].replace("require", "Require"))
    rep3 = await session.client.text_document_diagnostic_async(
        T.DocumentDiagnosticParams(ident, previous_result_id=rep.result_id)
    )
    assert rep3.kind == "full" and not rep3.items
    await asyncio.sleep(0.1)
    assert not session.client.published  # nothing pushed to a pull client


# -- completion -------------------------------------------------------------------------------------


async def _complete(session, uri: str, text: str, marker: str = "|"):
    off = text.index(marker)
    clean = text.replace(marker, "", 1)
    session.replace_all(uri, clean)
    res = await session.client.text_document_completion_async(
        T.CompletionParams(T.TextDocumentIdentifier(uri), _pos(clean, off))
    )
    return clean, res


def _pos(text: str, off: int) -> T.Position:
    before = text[:off]
    return T.Position(before.count("\n"), len(before[before.rfind("\n") + 1 :].encode("utf-16-le")) // 2)


def _accept(text: str, item: T.CompletionItem) -> str:
    edits = [item.text_edit] + list(item.additional_text_edits or [])
    return apply_edits(text, edits)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
async def test_completion_in_half_typed_documents(session, tmp_path, fmt):
    await session.init(snippets=False)
    uri = uri_for(tmp_path, f"rule.{fmt}")
    if fmt == "json":
        start = '{\n  "RuleSetName": "inbound",\n  "Rule": {\n    "Name": "a",\n    "Tls|\n  }\n}\n'
        want = '{\n  "RuleSetName": "inbound",\n  "Rule": {\n    "Name": "a",\n    "TlsPolicy": \n  }\n}\n'
    else:
        start = "RuleSetName: inbound\nRule:\n  Name: a\n  Tls|\n"
        want = "RuleSetName: inbound\nRule:\n  Name: a\n  TlsPolicy: \n"
    session.open(uri, start.replace("|", ""), fmt)
    await session.diagnostics(uri, 1)
    clean, res = await _complete(session, uri, start)
    labels = [i.label for i in res.items]
    assert "TlsPolicy" in labels and "Name" not in labels
    item = next(i for i in res.items if i.label == "TlsPolicy")
    assert item.documentation is not None and "Require" in item.documentation.value
    assert _accept(clean, item) == want
    # then the value
    value_doc = (
        want.replace('"TlsPolicy": ', '"TlsPolicy": "|')
        if fmt == "json"
        else want.replace("TlsPolicy: ", "TlsPolicy: |")
    )
    clean, res = await _complete(session, uri, value_doc)
    item = next(i for i in res.items if i.label == "Require")
    done = _accept(clean, item)
    assert ('"TlsPolicy": "Require"' if fmt == "json" else "TlsPolicy: Require") in done


async def test_completion_union_snippet_yaml(session, tmp_path):
    await session.init(snippets=True)
    uri = uri_for(tmp_path, "mm.yaml")
    text = "RuleSetName: rs\nRules:\n  - Name: r\n    Actions:\n      - Bou|\n"
    session.open(uri, text.replace("|", ""), "yaml")
    await session.diagnostics(uri, 1)
    clean, res = await _complete(session, uri, text)
    item = next(i for i in res.items if i.label == "Bounce")
    assert item.insert_text_format == T.InsertTextFormat.Snippet
    assert "RoleArn: $1" in item.text_edit.new_text
    assert "          DiagnosticMessage: $5" in item.text_edit.new_text


# -- hover ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "yaml"])
async def test_hover(session, tmp_path, fmt):
    await session.init()
    uri = uri_for(tmp_path, f"rules.{fmt}")
    text = DOCS[fmt]
    session.open(uri, text, fmt)
    await session.diagnostics(uri, 1)
    hov = await session.client.text_document_hover_async(
        T.HoverParams(T.TextDocumentIdentifier(uri), pos_of(text, "TlsPolicy", 2))
    )
    assert hov is not None
    assert "**TlsPolicy**" in hov.contents.value and "`Require`" in hov.contents.value
    hov = await session.client.text_document_hover_async(
        T.HoverParams(T.TextDocumentIdentifier(uri), pos_of(text, 'RuleSet"' if fmt == "json" else "RuleSet\n", 1))
    )
    assert hov is not None and "`RuleSet`" in hov.contents.value


async def test_hover_on_suppression_code(session, tmp_path):
    await session.init()
    uri = uri_for(tmp_path, "rules.yaml")
    text = RULE_SET_YAML.replace("TlsPolicy: require", "TlsPolicy: require  # ses-lsp: disable=SES104")
    session.open(uri, text, "yaml")
    pub = await session.diagnostics(uri, 1)
    assert "SES104" not in [d.code for d in pub.diagnostics]
    hov = await session.client.text_document_hover_async(
        T.HoverParams(T.TextDocumentIdentifier(uri), pos_of(text, "SES104", 2))
    )
    assert hov is not None and "invalid-enum-value" in hov.contents.value


# -- code actions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("resolve", [False, True], ids=["edits-listed", "edits-resolved"])
@pytest.mark.parametrize("fmt", ["json", "yaml"])
async def test_quick_fix_and_fix_all(session, tmp_path, fmt, resolve):
    """Quick fix, "Disable ... for this line" and fix-all.  A client that resolves code actions
    (VS Code, Neovim: ``resolveSupport`` for ``edit``) gets them without edits and asks
    codeAction/resolve for the edit of the one it applies; once the document has changed, an
    action offered before resolves to no edit."""
    await session.init(resolve=resolve)
    uri = uri_for(tmp_path, f"rules.{fmt}")
    text = DOCS[fmt]
    session.open(uri, text, fmt)
    pub = await session.diagnostics(uri, 1)
    d = next(d for d in pub.diagnostics if d.code == "SES104")
    actions = await session.client.text_document_code_action_async(
        T.CodeActionParams(T.TextDocumentIdentifier(uri), d.range, T.CodeActionContext(diagnostics=[d]))
    )
    assert all((a.edit is None) == resolve for a in actions), actions

    async def edit_of(action: T.CodeAction) -> list[T.TextEdit]:
        if resolve:
            action = await session.client.code_action_resolve_async(action)
        assert action.edit is not None and action.edit.changes is not None
        return action.edit.changes[uri]

    fix = next(a for a in actions if a.kind == T.CodeActionKind.QuickFix and "Require" in a.title)
    assert fix.is_preferred
    fixed = apply_edits(text, await edit_of(fix))
    assert fixed == text.replace("require", "Require")
    if fmt == "yaml":
        dis = next(a for a in actions if a.title == "Disable SES104 for this line")
        disabled = apply_edits(text, await edit_of(dis))
        assert "TlsPolicy: require  # ses-lsp: disable=SES104\n" in disabled
    only = await session.client.text_document_code_action_async(
        T.CodeActionParams(
            T.TextDocumentIdentifier(uri),
            T.Range(T.Position(0, 0), T.Position(0, 0)),
            T.CodeActionContext(diagnostics=[], only=[T.CodeActionKind.SourceFixAll]),
        )
    )
    assert len(only) == 1 and only[0].kind == "source.fixAll.ses-lsp"
    assert apply_edits(text, await edit_of(only[0])) == fixed
    if resolve:
        v = session.replace_all(uri, fixed)
        await session.diagnostics(uri, v)
        stale = await session.client.code_action_resolve_async(fix)
        assert stale.edit is None


# -- symbols and navigation ---------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "yaml"])
async def test_document_symbols(session, tmp_path, fmt):
    await session.init()
    uri = uri_for(tmp_path, f"rules.{fmt}")
    session.open(uri, DOCS[fmt], fmt)
    syms = await session.client.text_document_document_symbol_async(
        T.DocumentSymbolParams(T.TextDocumentIdentifier(uri))
    )
    assert [s.name for s in syms] == ["inbound"]
    rules = syms[0].children
    assert [r.name for r in rules] == ["support-to-s3", "catch-all"]
    assert [a.name for a in rules[0].children] == ["S3Action"]
    assert rules[1].children[0].name == "StopAction"
    assert rules[0].range.start.line < rules[1].range.start.line


@pytest.mark.parametrize("fmt", ["json", "yaml"])
async def test_definition_references_rename(session, tmp_path, fmt):
    await session.init()
    rs_uri = uri_for(tmp_path, f"rules.{fmt}")
    session.open(rs_uri, DOCS[fmt], fmt)
    pos_uri = uri_for(tmp_path, "position.yaml")
    pos_text = "RuleSetName: inbound\nRuleName: catch-all\nAfter: support-to-s3\n"
    session.open(pos_uri, pos_text, "yaml")
    await session.diagnostics(rs_uri, 1)
    await session.diagnostics(pos_uri, 1)
    loc = await session.client.text_document_definition_async(
        T.DefinitionParams(T.TextDocumentIdentifier(pos_uri), pos_of(pos_text, "support-to-s3", 3))
    )
    assert len(loc) == 1 and loc[0].uri == rs_uri
    rs = DOCS[fmt]
    assert loc[0].range.start == pos_of(rs, "support-to-s3", -1 if fmt == "json" else 0)
    refs = await session.client.text_document_references_async(
        T.ReferenceParams(
            text_document=T.TextDocumentIdentifier(rs_uri),
            position=pos_of(rs, "catch-all", 2),
            context=T.ReferenceContext(include_declaration=True),
        )
    )
    assert sorted(r.uri for r in refs) == sorted([rs_uri, pos_uri])
    prep = await session.client.text_document_prepare_rename_async(
        T.PrepareRenameParams(T.TextDocumentIdentifier(pos_uri), pos_of(pos_text, "catch-all", 1))
    )
    assert prep is not None
    edit = await session.client.text_document_rename_async(
        T.RenameParams(T.TextDocumentIdentifier(pos_uri), pos_of(pos_text, "catch-all", 1), "fallback")
    )
    assert apply_edits(pos_text, edit.changes[pos_uri]) == pos_text.replace("catch-all", "fallback")
    assert apply_edits(rs, edit.changes[rs_uri]) == rs.replace("catch-all", "fallback")


async def test_related_location_in_another_open_document(session, tmp_path):
    """A reference to a rule another open document defines points at that definition, in the
    editor's text of that document (here never saved to disk)."""
    await session.init(root=tmp_path.as_uri())
    rule_set = uri_for(tmp_path, "rule-set.json")
    rule_set_text = (
        '{"Metadata": {"Name": "inbound"}, "Rules": [\n'
        '  {"Name": "first", "Enabled": true, "Recipients": ["a@example.com"],\n'
        '   "Actions": [{"S3Action": {"BucketName": "b"}}]}]}\n'
    )
    session.open(rule_set, rule_set_text, "json")
    await session.diagnostics(rule_set, 1)
    position = uri_for(tmp_path, "position.yaml")
    session.open(position, "RuleSetName: inbound\nRuleName: first\nAfter: frist\n", "yaml")
    pub = await session.diagnostics(position, 1)
    ref = next(d for d in pub.diagnostics if d.code == "SES207")
    (rel,) = ref.related_information
    assert rel.location.uri == rule_set
    start = pos_of(rule_set_text, '"first"')
    assert rel.location.range == T.Range(start, T.Position(start.line, start.character + len('"first"')))


# -- settings ------------------------------------------------------------------------------------------------


async def test_settings_change_relints(session, tmp_path):
    await session.init()
    uri = uri_for(tmp_path, "rules.json")
    session.open(uri, RULE_SET_JSON, "json")
    pub = await session.diagnostics(uri, 1)
    assert "SES104" in [d.code for d in pub.diagnostics]
    n = len(session.client.published)
    session.client.workspace_did_change_configuration(
        T.DidChangeConfigurationParams(settings={"ses-lsp": {"severity": {"SES104": "warning"}}})
    )
    await session.until(lambda: len(session.client.published) > n, "no new publication")
    d = next(d for d in session.client.published[-1].diagnostics if d.code == "SES104")
    assert d.severity == T.DiagnosticSeverity.Warning
    n = len(session.client.published)
    session.client.workspace_did_change_configuration(
        T.DidChangeConfigurationParams(settings={"ses-lsp": {"ignore": ["SES104"]}})
    )
    await session.until(lambda: len(session.client.published) > n, "no new publication")
    assert "SES104" not in [d.code for d in session.client.published[-1].diagnostics]


async def test_workspace_configuration_and_watched_config_file(session, tmp_path):
    session.client.set_configuration({"ignore": ["SES104"]}, section="ses-lsp")
    await session.init(configuration=True, root=tmp_path.as_uri())
    uri = uri_for(tmp_path, "rules.json")
    session.open(uri, RULE_SET_JSON, "json")

    def relinted() -> bool:  # the settings arrive after the first lint
        pubs = [p for p in session.client.published if p.uri == uri]
        return bool(pubs) and "SES104" not in [d.code for d in pubs[-1].diagnostics]

    await session.until(relinted, "no publication without SES104")
    pub = await session.diagnostics(uri, 1)
    assert "SES104" not in [d.code for d in pub.diagnostics]
    # a config file appears: the server re-lints (the client's settings still win)
    (tmp_path / ".ses-lsp.toml").write_text('severity = { SES104 = "info" }\n')
    session.client.set_configuration({}, section="ses-lsp")
    n = len(session.client.published)
    session.client.workspace_did_change_configuration(T.DidChangeConfigurationParams(settings=None))
    await session.until(lambda: len(session.client.published) > n, "no new publication")
    d = next(d for d in session.client.published[-1].diagnostics if d.code == "SES104")
    assert d.severity == T.DiagnosticSeverity.Information
    (tmp_path / ".ses-lsp.toml").write_text('ignore = ["SES104"]\n')
    n = len(session.client.published)
    session.client.workspace_did_change_watched_files(
        T.DidChangeWatchedFilesParams(
            changes=[T.FileEvent(uri=(tmp_path / ".ses-lsp.toml").as_uri(), type=T.FileChangeType.Changed)]
        )
    )
    await session.until(lambda: len(session.client.published) > n, "no new publication")
    assert "SES104" not in [d.code for d in session.client.published[-1].diagnostics]


async def test_kinds_from_settings_and_config_file(session, tmp_path):
    """A document whose kind cannot be told from content gets it from a ``kinds`` glob: the
    client's (relative to the workspace folder) before the config file's (relative to its
    directory)."""
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".ses-lsp.toml").write_text('[kinds]\n"*.yaml" = "ses:update-receipt-rule"\n')
    await session.init(
        root=tmp_path.as_uri(), options={"ses-lsp": {"kinds": {"sub/client-*.yaml": "ses:create-receipt-rule"}}}
    )
    bare = "Name: store\nEnabled: true\nActions: []\n"
    for name, kind in (("sub/client-a.yaml", "ses:create-receipt-rule"), ("sub/b.yaml", "ses:update-receipt-rule")):
        uri = uri_for(tmp_path, name)
        session.open(uri, bare, "yaml")
        pub = await session.diagnostics(uri, 1)
        assert "SES003" not in [d.code for d in pub.diagnostics]
        assert (await session.text(uri))["kind"] == kind
    uri = uri_for(tmp_path, "c.yaml")  # no glob applies: not an SES document
    session.open(uri, bare, "yaml")
    assert (await session.text(uri))["kind"] is None


async def test_invalid_setting_warns_and_falls_back(session, tmp_path):
    await session.init(options={"ses-lsp": {"select": ["NOPE999"]}})
    uri = uri_for(tmp_path, "rules.json")
    session.open(uri, RULE_SET_JSON, "json")
    pub = await session.diagnostics(uri, 1)
    assert "SES104" in [d.code for d in pub.diagnostics]  # defaults apply
    await session.until(lambda: session.client.messages, "no message")
    msg = session.client.messages[0]
    assert msg.type == T.MessageType.Warning and "NOPE999" in msg.message


# -- positions ---------------------------------------------------------------------------------------------------


async def test_utf16_positions_with_astral_characters(session, tmp_path):
    await session.init()
    uri = uri_for(tmp_path, "rules.yaml")
    text = RULE_SET_YAML.replace("Name: catch-all", "Name: catch-all  # 😀😀 mail")
    text = text.replace("TlsPolicy: require", "TlsPolicy: require")
    session.open(uri, text, "yaml")
    await session.diagnostics(uri, 1)
    # Add a comment with an astral character at the end of the bad value's line (incremental edit);
    # the diagnostic's range (before it) is unchanged, and the line's text is right.
    line_no = text.splitlines().index("    TlsPolicy: require")
    lines = text.splitlines(keepends=True)
    new_lines = list(lines)
    new_lines[line_no] = "    TlsPolicy: require # 😀\n"
    new_text = "".join(new_lines)
    v = session.edit(
        uri, (line_no, len("    TlsPolicy: require")), (line_no, len("    TlsPolicy: require")), " # 😀", new_text
    )
    pub = await session.diagnostics(uri, v)
    d = next(d for d in pub.diagnostics if d.code == "SES104")
    assert d.range.start == T.Position(line_no, 15) and d.range.end == T.Position(line_no, 22)
    # delete the emoji (2 UTF-16 units) with an incremental edit
    col = len("    TlsPolicy: require # ")
    v = session.edit(uri, (line_no, col), (line_no, col + 2), "", new_text.replace("# 😀", "# ", 1))
    got = await session.text(uri)
    assert got["text"] == new_text.replace("# 😀", "# ", 1)
    hov = await session.client.text_document_hover_async(
        T.HoverParams(T.TextDocumentIdentifier(uri), T.Position(line_no, 16))
    )
    assert hov is not None and hov.range.start == T.Position(line_no, 15)


async def test_utf8_encoding_negotiated(session, tmp_path):
    res = await session.init(encodings=["utf-8", "utf-16"])
    assert res.capabilities.position_encoding == T.PositionEncodingKind.Utf8
    uri = uri_for(tmp_path, "rules.json")
    text = RULE_SET_JSON.replace('"Name": "inbound"', '"Name": "inbound-é"').replace(
        '"TlsPolicy": "require"', '"TlsPolicy": "require", "X": "é"'
    )
    session.open(uri, text, "json")
    pub = await session.diagnostics(uri, 1)
    d = next(d for d in pub.diagnostics if d.code == "SES101")  # unknown member "X"
    line = text.splitlines()[d.range.start.line]
    assert line.encode("utf-8")[d.range.start.character :].startswith(b'"X"')


# -- robustness --------------------------------------------------------------------------------------------------


async def test_requests_for_unknown_documents(session, tmp_path):
    await session.init()
    ident = T.TextDocumentIdentifier(uri_for(tmp_path, "nope.json"))
    p = T.Position(3, 4)
    assert await session.client.text_document_hover_async(T.HoverParams(ident, p)) is None
    assert await session.client.text_document_completion_async(T.CompletionParams(ident, p)) is None
    assert await session.client.text_document_definition_async(T.DefinitionParams(ident, p)) is None
    assert await session.client.text_document_document_symbol_async(T.DocumentSymbolParams(ident)) is None
    assert (
        await session.client.text_document_code_action_async(
            T.CodeActionParams(ident, T.Range(p, p), T.CodeActionContext(diagnostics=[]))
        )
        is None
    )
    rep = await session.client.text_document_diagnostic_async(T.DocumentDiagnosticParams(ident))
    assert not rep.items
    session.client.text_document_did_change(
        T.DidChangeTextDocumentParams(
            T.VersionedTextDocumentIdentifier(uri=ident.uri, version=2), [T.TextDocumentContentChangeWholeDocument("x")]
        )
    )
    session.client.text_document_did_close(T.DidCloseTextDocumentParams(ident))
    # unknown method: an error answer, and the server lives on
    from pygls.exceptions import JsonRpcMethodNotFound

    with pytest.raises(JsonRpcMethodNotFound):
        await session.client.protocol.send_request_async("ses-lsp/noSuchMethod", {})
    # malformed params: an error answer
    import concurrent.futures

    fut: concurrent.futures.Future = concurrent.futures.Future()
    session.client.protocol._request_futures["bad-1"] = fut
    session.client.protocol._send_data(
        {
            "jsonrpc": "2.0",
            "id": "bad-1",
            "method": "textDocument/hover",
            "params": {"textDocument": 5, "position": "x"},
        }
    )
    with pytest.raises(Exception, match="(?i)invalid params"):
        await asyncio.wait_for(asyncio.wrap_future(fut), 5)
    assert await session.client.text_document_hover_async(T.HoverParams(ident, p)) is None


async def test_odd_edits_huge_and_binary_documents(session, tmp_path):
    await session.init()
    uri = uri_for(tmp_path, "rules.json")
    text = RULE_SET_JSON.replace("\n", "\r\n")
    session.open(uri, text, "json")
    await session.diagnostics(uri, 1)
    # positions past the end of lines and of the document, reversed ranges
    session.edit(uri, (1, 500), (1, 900), "", text)
    session.edit(uri, (999, 0), (999, 5), "", text)
    got = await session.text(uri)
    assert got["text"] == text
    session.replace_all(uri, "\x00\x01binary{")
    session.replace_all(uri, "{" + '"Rules": [' * 5000)
    big = uri_for(tmp_path, "big.json")
    session.open(big, '{"Rules": [' + ", ".join(['{"Name": "r"}'] * 20000) + "]}", "json")
    hov = await session.client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri), T.Position(0, 3)))
    assert hov is None or hov.contents
    got = await session.text(uri)
    assert got["text"] == "{" + '"Rules": [' * 5000
