"""The simulation features of the language server over real stdio (issue 11, "In the editor"):
code lenses counting the routing-test mails that reach each rule (from routing-test files on
disk the editor never opened, and from open ones), the witness hover on a rule's name, and the
``ses-lsp.simulate`` command on the open (unsaved) rule set."""

from __future__ import annotations

import json

import pytest
from conftest import capabilities
from lsprotocol import types as T

pytestmark = pytest.mark.asyncio

RULES = """Metadata: {Name: inbound}
Rules:
  - Name: ceo
    Enabled: true
    Recipients: [ceo@example.com]
    Actions:
      - S3Action: {BucketName: vip-mail}
      - StopAction: {Scope: RuleSet}
  - Name: billing
    Enabled: true
    Recipients: [billing@example.com]
    Actions:
      - S3Action: {BucketName: billing-mail}
  - Name: catch-all
    Enabled: true
    Recipients: [example.com]
    Actions:
      - S3Action: {BucketName: all-mail}
  - Name: shadowed
    Enabled: true
    Recipients: [ceo@example.com]
    Actions:
      - S3Action: {BucketName: never}
"""

ROUTING = """RuleFiles: [rules/rule-set.yaml]
Cases:
  - Name: the CEO
    Mail: {Recipients: [ceo@example.com]}
    Expect:
      ceo@example.com: {rules: [ceo]}
  - Name: billing
    Mail: {Recipients: [billing@example.com]}
    Expect:
      billing@example.com: {rules: [billing, catch-all]}
  - Name: from a scenario file
    Mail: mail/sales.yaml
    Expect:
      sales@example.com: {rules: [catch-all]}
"""

MM_RULES = """RuleSetName: inbound
Rules:
  - Name: spam
    Conditions:
      - VerdictExpression: {Evaluate: {Attribute: SPF}, Operator: EQUALS, Values: [FAIL]}
    Actions:
      - Drop: {}
  - Name: support
    Conditions:
      - StringExpression: {Evaluate: {Attribute: RECIPIENT}, Operator: STARTS_WITH, Values: [support]}
    Actions:
      - WriteToS3: {S3Bucket: support-mail}
"""


def _position(text: str, needle: str, occurrence: int = 1, delta: int = 1) -> T.Position:
    offset = -1
    for _ in range(occurrence):
        offset = text.index(needle, offset + 1)
    offset += delta
    before = text[:offset]
    return T.Position(before.count("\n"), offset - (before.rfind("\n") + 1))


def _write(tmp_path, rules: str = RULES) -> tuple:
    (tmp_path / "rules").mkdir()
    (tmp_path / "mail").mkdir()
    (tmp_path / "rules" / "rule-set.yaml").write_text(rules, encoding="utf-8")
    (tmp_path / "mail" / "sales.yaml").write_text("Recipients: [sales@example.com]\n", encoding="utf-8")
    (tmp_path / "inbound.routing.yaml").write_text(ROUTING, encoding="utf-8")
    return tmp_path / "rules" / "rule-set.yaml", tmp_path / "inbound.routing.yaml"


async def _lenses(session, uri: str) -> list[tuple[int, str]]:
    res = await session.client.text_document_code_lens_async(T.CodeLensParams(T.TextDocumentIdentifier(uri)))
    return [(lens.range.start.line, lens.command.title if lens.command else "") for lens in res or []]


async def test_code_lens_counts_mails_of_a_routing_test_never_opened(session, tmp_path):
    rules, _routing = _write(tmp_path)
    result = await session.init(root=tmp_path.as_uri())
    assert result.capabilities.code_lens_provider is not None
    uri = rules.as_uri()
    session.open(uri, RULES, "yaml")
    await session.diagnostics(uri, 1)
    assert await _lenses(session, uri) == [
        (2, "1 of 3 routing-test mails reach this rule"),  # ceo: the CEO's mail
        (8, "1 of 3 routing-test mails reach this rule"),  # billing
        (13, "2 of 3 routing-test mails reach this rule"),  # catch-all: billing's and sales' (the CEO's stops)
        (18, "0 of 3 routing-test mails reach this rule"),  # shadowed: ceo's StopAction takes its mail
    ]
    # The editor's text counts, unsaved: without the StopAction the CEO's mail reaches two more rules.
    v = session.replace_all(uri, RULES.replace("      - StopAction: {Scope: RuleSet}\n", ""))
    await session.diagnostics(uri, v)
    assert [title for _line, title in await _lenses(session, uri)] == [
        "1 of 3 routing-test mails reach this rule",
        "1 of 3 routing-test mails reach this rule",
        "3 of 3 routing-test mails reach this rule",
        "1 of 3 routing-test mails reach this rule",
    ]


async def test_code_lens_follows_an_open_routing_test_and_asks_for_a_refresh(lsp, tmp_path):
    from conftest import Session

    session = Session(lsp)
    rules, routing = _write(tmp_path)
    refreshes: list[object] = []

    @lsp.feature(T.WORKSPACE_CODE_LENS_REFRESH)
    def refresh(params):
        refreshes.append(params)

    caps = capabilities()
    assert caps.workspace is not None
    caps.workspace.code_lens = T.CodeLensWorkspaceClientCapabilities(refresh_support=True)
    await lsp.initialize_session(T.InitializeParams(capabilities=caps, root_uri=tmp_path.as_uri()))
    uri = rules.as_uri()
    session.open(uri, RULES, "yaml")
    await session.diagnostics(uri, 1)
    assert (await _lenses(session, uri))[0] == (2, "1 of 3 routing-test mails reach this rule")
    # The routing test open in the editor, with a fourth case not saved: its text counts.
    test_uri = routing.as_uri()
    session.open(test_uri, ROUTING, "yaml")
    await session.diagnostics(test_uri, 1)
    more = ROUTING + "  - Name: the CEO again\n    Mail: {Recipients: [ceo+news@example.com]}\n    Expect:\n"
    more += "      ceo+news@example.com: {rules: [ceo]}\n"
    refreshes.clear()
    v = session.replace_all(test_uri, more)
    await session.diagnostics(test_uri, v)
    await session.until(lambda: refreshes, "no code lens refresh")  # sent once the edits settle
    assert refreshes
    assert [title for _line, title in await _lenses(session, uri)] == [
        "2 of 4 routing-test mails reach this rule",
        "1 of 4 routing-test mails reach this rule",
        "2 of 4 routing-test mails reach this rule",
        "0 of 4 routing-test mails reach this rule",
    ]


async def test_no_code_lens_without_routing_tests_naming_the_rule_set(session, tmp_path):
    rules, routing = _write(tmp_path)
    routing.write_text(ROUTING.replace("rules/rule-set.yaml", "rules/other.yaml"), encoding="utf-8")
    await session.init(root=tmp_path.as_uri())
    uri = rules.as_uri()
    session.open(uri, RULES, "yaml")
    await session.diagnostics(uri, 1)
    assert await _lenses(session, uri) == []


async def _hover(session, uri: str, position: T.Position) -> str:
    res = await session.client.text_document_hover_async(T.HoverParams(T.TextDocumentIdentifier(uri), position))
    assert res is not None and isinstance(res.contents, T.MarkupContent)
    return res.contents.value


async def test_hover_on_a_rule_name_shows_a_witness_or_why_none(session, tmp_path):
    rules, _routing = _write(tmp_path)
    await session.init(root=tmp_path.as_uri())
    uri = rules.as_uri()
    session.open(uri, RULES, "yaml")
    await session.diagnostics(uri, 1)
    text = await _hover(session, uri, _position(RULES, "catch-all"))
    assert "**Reached by** a mail to witness@example.com" in text
    assert 'Recipients: ["witness@example.com"]' in text
    assert "For `witness@example.com`: delivered; rules whose actions run: `catch-all`." in text
    text = await _hover(session, uri, _position(RULES, "shadowed"))
    assert "**No mail reaches this rule**" in text
    assert 'rule "ceo" stops evaluation first (StopAction)' in text
    assert "See line 8 (`/Rules/0/Actions/1`)." in text
    # Not on a name: the schema's hover only.
    text = await _hover(session, uri, _position(RULES, "Recipients", 2))
    assert "Reached by" not in text and "No mail" not in text


async def test_hover_witness_of_a_mail_manager_rule(session, tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text(MM_RULES, encoding="utf-8")
    await session.init(root=tmp_path.as_uri())
    uri = path.as_uri()
    session.open(uri, MM_RULES, "yaml")
    await session.diagnostics(uri, 1)
    text = await _hover(session, uri, _position(MM_RULES, "support", 1, 2))
    assert "**Reached by** a mail to support@example.com" in text
    text = await _hover(session, uri, _position(MM_RULES, "spam", 1, 2))
    assert 'Verdicts: {"Spf": "FAIL"}' in text


async def test_simulate_command_on_the_unsaved_rule_set(session, tmp_path):
    rules, _routing = _write(tmp_path)
    await session.init(root=tmp_path.as_uri())
    uri = rules.as_uri()
    unsaved = RULES.replace("Name: ceo\n", "Name: chief\n", 1)
    session.open(uri, unsaved, "yaml")
    await session.diagnostics(uri, 1)
    mail = (tmp_path / "mail" / "ceo.yaml").as_uri()
    (tmp_path / "mail" / "ceo.yaml").write_text("Recipients: [ceo@example.com]\n", encoding="utf-8")
    res = await session.client.workspace_execute_command_async(
        T.ExecuteCommandParams(command="ses-lsp.simulate", arguments=[uri, mail])
    )
    assert isinstance(res, dict), res
    assert "recipient ceo@example.com: delivered" in res["text"]
    assert 'rule "chief": matched by Recipients entry "ceo@example.com"' in res["text"]
    contract = res["json"]
    assert contract["service"] == "ses"
    (recipient,) = contract["recipients"]
    assert recipient["rules"] == ["chief"]
    assert recipient["stopped_by"]["type"] == "StopAction" and recipient["stopped_by"]["line"] == 8
    json.dumps(res)  # plain JSON
    # A message file (.eml) works too; a mail that cannot be used is an error, not a crash.
    eml = tmp_path / "mail" / "billing.eml"
    eml.write_text("From: a@partner.example\nTo: billing@example.com\nSubject: Invoice\n\nHi\n", encoding="utf-8")
    res = await session.client.workspace_execute_command_async(
        T.ExecuteCommandParams(command="ses-lsp.simulate", arguments=[uri, eml.as_uri()])
    )
    assert [r["rules"] for r in res["json"]["recipients"]] == [["billing", "catch-all"]]
    bad = tmp_path / "mail" / "bad.yaml"
    bad.write_text("Recipients: [ceo@example.com]\nTls: maybe\n", encoding="utf-8")
    res = await session.client.workspace_execute_command_async(
        T.ExecuteCommandParams(command="ses-lsp.simulate", arguments=[uri, bad.as_uri()])
    )
    assert set(res) == {"error"} and "bad.yaml has errors" in res["error"] and "Tls" in res["error"]
