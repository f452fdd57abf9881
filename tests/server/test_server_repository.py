"""The server's repository model over stdio (pytest-lsp): the workspace folder is indexed in the
background, and definition, references, rename, workspace/symbol and the cross-file diagnostics
reach files that were never opened; file events from the client keep the index current."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

import pytest
from lsprotocol import types as T
from test_server import apply_edits, pos_of

pytestmark = pytest.mark.asyncio

RULE_SET = """Metadata:
  Name: inbound
Rules:
  - Name: support-to-s3
    Enabled: true
    Recipients: [support@example.com]
    Actions:
      - S3Action: {BucketName: mail-bucket}
  - Name: catch-all
    Enabled: true
    Actions:
      - S3Action: {BucketName: mail-bucket}
"""
POSITION = '{"RuleSetName": "inbound", "RuleName": "catch-all", "After": "support-to-s3"}\n'
NEW_RULE = """RuleSetName: inbound
After: catch-all
Rule:
  Name: late-rule
  Enabled: true
  Actions:
    - S3Action: {BucketName: mail-bucket}
"""


def _workspace(tmp_path, git: bool):
    (tmp_path / "sets").mkdir()
    (tmp_path / "rules").mkdir()
    (tmp_path / "old").mkdir()
    (tmp_path / "sets" / "inbound.yaml").write_text(RULE_SET)
    (tmp_path / "sets" / "position.json").write_text(POSITION)
    (tmp_path / "rules" / "new.yaml").write_text(NEW_RULE)
    # An ignored copy of the rule set: never indexed, never a definition.
    (tmp_path / "old" / "inbound.yaml").write_text(RULE_SET)
    (tmp_path / ".gitignore").write_text("old/\n")
    if git:
        subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)


async def _indexed(session, timeout: float = 30.0) -> None:
    """Wait for the end of the indexing progress the server reports."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        for reports in session.client.progress_reports.values():
            if reports and isinstance(reports[-1], T.WorkDoneProgressEnd):
                return
        await asyncio.sleep(0.02)
    raise TimeoutError("the server did not finish indexing")


@pytest.mark.parametrize("git", [True, False], ids=["git-work-tree", "plain-folder"])
async def test_navigation_crosses_into_files_never_opened(session, tmp_path, git):
    if git and shutil.which("git") is None:  # pragma: no cover - git is on every CI image we use
        pytest.fail("git is needed for this test")
    _workspace(tmp_path, git)
    await session.init(root=tmp_path.as_uri(), progress=True)
    await _indexed(session)
    reports = next(iter(session.client.progress_reports.values()))
    assert isinstance(reports[0], T.WorkDoneProgressBegin)
    assert reports[-1].message == "3 SES documents"

    new_uri = (tmp_path / "rules" / "new.yaml").as_uri()
    set_uri = (tmp_path / "sets" / "inbound.yaml").as_uri()
    pos_uri = (tmp_path / "sets" / "position.json").as_uri()
    session.open(new_uri, NEW_RULE, "yaml")
    await session.diagnostics(new_uri, 1)
    at = pos_of(NEW_RULE, "catch-all", 2)

    loc = await session.client.text_document_definition_async(T.DefinitionParams(T.TextDocumentIdentifier(new_uri), at))
    assert [(x.uri, x.range) for x in loc] == [
        (set_uri, T.Range(pos_of(RULE_SET, "catch-all"), pos_of(RULE_SET, "catch-all", len("catch-all"))))
    ]

    refs = await session.client.text_document_references_async(
        T.ReferenceParams(
            text_document=T.TextDocumentIdentifier(new_uri),
            position=at,
            context=T.ReferenceContext(include_declaration=True),
        )
    )
    assert sorted((r.uri, r.range.start.line, r.range.start.character) for r in refs) == sorted(
        [
            (set_uri, *_lc(pos_of(RULE_SET, "catch-all"))),
            (pos_uri, *_lc(pos_of(POSITION, '"catch-all"'))),
            (new_uri, *_lc(pos_of(NEW_RULE, "catch-all"))),
        ]
    )

    edit = await session.client.text_document_rename_async(
        T.RenameParams(T.TextDocumentIdentifier(new_uri), at, "fallback")
    )
    assert set(edit.changes) == {new_uri, set_uri, pos_uri}
    assert apply_edits(NEW_RULE, edit.changes[new_uri]) == NEW_RULE.replace("catch-all", "fallback")
    assert apply_edits(RULE_SET, edit.changes[set_uri]) == RULE_SET.replace("catch-all", "fallback")
    assert apply_edits(POSITION, edit.changes[pos_uri]) == POSITION.replace("catch-all", "fallback")
    # The server writes nothing: the client applies the edit.
    assert (tmp_path / "sets" / "inbound.yaml").read_text() == RULE_SET

    symbols = await session.client.workspace_symbol_async(T.WorkspaceSymbolParams(query="catch"))
    assert [(s.name, s.location.uri, s.container_name) for s in symbols] == [("catch-all", set_uri, "inbound")]
    everything = await session.client.workspace_symbol_async(T.WorkspaceSymbolParams(query=""))
    names = {(s.name, s.location.uri) for s in everything}
    assert ("inbound", set_uri) in names and ("late-rule", new_uri) in names
    assert not any("/old/" in s.location.uri for s in everything)  # .gitignore'd


async def test_cross_file_diagnostics_follow_file_events(session, tmp_path):
    _workspace(tmp_path, git=False)
    await session.init(root=tmp_path.as_uri(), progress=True)
    await _indexed(session)
    assert any(
        w["globPattern"] == "**/*.{json,yaml,yml,JSON,YAML,YML}"
        for r in session.client.registrations
        if r.method == T.WORKSPACE_DID_CHANGE_WATCHED_FILES
        for w in r.register_options["watchers"]
    )
    uri = (tmp_path / "rules" / "later.yaml").as_uri()
    text = NEW_RULE.replace("After: catch-all", "After: archive").replace("late-rule", "later")
    session.open(uri, text, "yaml")
    pub = await session.diagnostics(uri, 1)
    (unknown,) = [d for d in pub.diagnostics if d.code == "SES207"]
    assert '"archive"' in unknown.message
    at = pos_of(text, "archive", 1)
    none = await session.client.text_document_definition_async(T.DefinitionParams(T.TextDocumentIdentifier(uri), at))
    assert none is None

    # A rule file appears on disk (never opened): the index takes it, the diagnostic goes.
    archive = tmp_path / "rules" / "archive.yaml"
    archive.write_text(NEW_RULE.replace("late-rule", "archive"))
    n = len(session.client.published)
    session.client.workspace_did_change_watched_files(
        T.DidChangeWatchedFilesParams([T.FileEvent(archive.as_uri(), T.FileChangeType.Created)])
    )
    pub = await _next_publication(session, uri, n)
    assert "SES207" not in [d.code for d in pub.diagnostics]
    loc = await session.client.text_document_definition_async(T.DefinitionParams(T.TextDocumentIdentifier(uri), at))
    assert [x.uri for x in loc] == [archive.as_uri()]

    # Renamed on disk: the old definition is gone, the new name is found.
    archive.write_text(NEW_RULE.replace("late-rule", "archive-2"))
    n = len(session.client.published)
    session.client.workspace_did_change_watched_files(
        T.DidChangeWatchedFilesParams([T.FileEvent(archive.as_uri(), T.FileChangeType.Changed)])
    )
    pub = await _next_publication(session, uri, n)
    (unknown,) = [d for d in pub.diagnostics if d.code == "SES207"]
    assert 'did you mean "archive-2"?' in unknown.message
    assert unknown.related_information[0].location.uri == archive.as_uri()

    archive.unlink()
    n = len(session.client.published)
    session.client.workspace_did_change_watched_files(
        T.DidChangeWatchedFilesParams([T.FileEvent(archive.as_uri(), T.FileChangeType.Deleted)])
    )
    pub = await _next_publication(session, uri, n)
    (unknown,) = [d for d in pub.diagnostics if d.code == "SES207"]
    assert "did you mean" not in unknown.message


async def test_open_documents_override_the_disk(session, tmp_path):
    _workspace(tmp_path, git=False)
    await session.init(root=tmp_path.as_uri(), progress=True)
    await _indexed(session)
    set_uri = (tmp_path / "sets" / "inbound.yaml").as_uri()
    edited = RULE_SET.replace("catch-all", "everything-else")
    session.open(set_uri, edited, "yaml")  # (not saved: the disk still says catch-all)
    await session.diagnostics(set_uri, 1)
    new_uri = (tmp_path / "rules" / "new.yaml").as_uri()
    session.open(new_uri, NEW_RULE, "yaml")
    pub = await session.diagnostics(new_uri, 1)
    (unknown,) = [d for d in pub.diagnostics if d.code == "SES207"]
    assert '"catch-all"' in unknown.message and '"everything-else"' in unknown.message
    symbols = await session.client.workspace_symbol_async(T.WorkspaceSymbolParams(query="catch-all"))
    assert symbols == []


async def _next_publication(session, uri: str, after: int, timeout: float = 10.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        for p in session.client.published[after:]:
            if p.uri == uri:
                return p
        await asyncio.sleep(0.01)
    raise TimeoutError(f"no new diagnostics for {uri}")


def _lc(p: T.Position) -> tuple[int, int]:
    return p.line, p.character


# A Mail Manager pipeline: the rule set is a get-rule-set output on disk (never opened).
GET_RULE_SET = """# the output of: aws mailmanager get-rule-set --rule-set-id ID
RuleSetId: rs-0123456789abcdef
RuleSetArn: arn:aws:ses:us-east-1:123456789012:mailmanager-rule-set/rs-0123456789abcdef
RuleSetName: inbound-rules
CreatedDate: "2024-05-01T12:00:00Z"
LastModificationDate: "2024-05-01T12:00:00Z"
Rules:
  - Name: drop-everything
    Actions:
      - Drop: {}
"""
INGRESS_POINT = """IngressPointName: inbound-smtp
Type: OPEN
TlsPolicy: REQUIRED
TrafficPolicyId: tp-0123456789abcdef
RuleSetId: rs-0123456789abcdef
"""


async def test_pipeline_definition_reaches_a_rule_set_never_opened(session, tmp_path):
    (tmp_path / "pipeline").mkdir()
    (tmp_path / "pipeline" / "rule-set.yaml").write_text(GET_RULE_SET)
    set_uri = (tmp_path / "pipeline" / "rule-set.yaml").as_uri()
    await session.init(root=tmp_path.as_uri(), progress=True)
    await _indexed(session)
    uri = (tmp_path / "pipeline" / "ingress-point.yaml").as_uri()
    session.open(uri, INGRESS_POINT, "yaml")
    pub = await session.diagnostics(uri, 1)
    assert "SES708" not in [d.code for d in pub.diagnostics]

    # By ID: the rule set's ID in the unopened file (not its ARN, which the ID also matches).
    at = pos_of(INGRESS_POINT, "rs-0123", 3)
    loc = await session.client.text_document_definition_async(T.DefinitionParams(T.TextDocumentIdentifier(uri), at))
    rs_id = "rs-0123456789abcdef"
    assert [(x.uri, x.range) for x in loc] == [
        (set_uri, T.Range(pos_of(GET_RULE_SET, rs_id), pos_of(GET_RULE_SET, rs_id, len(rs_id))))
    ]

    # By ARN: the same definition (the ID's, though the file's ARN matches too).
    arn = f"arn:aws:ses:us-east-1:123456789012:mailmanager-rule-set/{rs_id}"
    by_arn = INGRESS_POINT.replace(f"RuleSetId: {rs_id}", f"RuleSetId: {arn}")
    arn_uri = (tmp_path / "pipeline" / "ingress-arn.yaml").as_uri()
    session.open(arn_uri, by_arn, "yaml")
    await session.diagnostics(arn_uri, 1)
    at = pos_of(by_arn, "arn:aws:ses", 5)
    loc = await session.client.text_document_definition_async(T.DefinitionParams(T.TextDocumentIdentifier(arn_uri), at))
    assert [(x.uri, x.range.start) for x in loc] == [(set_uri, pos_of(GET_RULE_SET, rs_id))]

    # A mistyped ID: SES708 from the index, its related location in the unopened file.
    typo = INGRESS_POINT.replace(f"RuleSetId: {rs_id}", "RuleSetId: rs-0123456789abcdeg")
    uri2 = (tmp_path / "pipeline" / "ingress-typo.yaml").as_uri()
    session.open(uri2, typo, "yaml")
    pub = await session.diagnostics(uri2, 1)
    (unknown,) = [d for d in pub.diagnostics if d.code == "SES708"]
    assert f'did you mean "{rs_id}"?' in unknown.message
    assert unknown.related_information[0].location.uri == set_uri
    # The traffic policy: no file defines one, so its ID is not judged.
    assert "TrafficPolicyId" not in unknown.message
