"""The language server in a routing test (ses-lsp:routing-test): completion offers the rule names
of the rule set its RuleFiles name (read from disk, or from the editor when the rule file is
open), and the diagnostics hold the expectations against that rule set."""

from __future__ import annotations

import pytest
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
  - Name: catch-all
    Enabled: true
    Recipients: [example.com]
    Actions:
      - S3Action: {BucketName: all-mail}
"""

TEST = """RuleFiles: [rules/rule-set.yaml]
Cases:
  - Name: the CEO's mail
    Mail: {Recipients: [ceo@example.com]}
    Expect:
      ceo@example.com:
        rules: [c|]
"""


def _position(text: str, offset: int) -> T.Position:
    before = text[:offset]
    return T.Position(before.count("\n"), len(before) - (before.rfind("\n") + 1))


async def _complete(session, uri: str, text: str) -> list[T.CompletionItem]:
    res = await session.client.text_document_completion_async(
        T.CompletionParams(T.TextDocumentIdentifier(uri), _position(text.replace("|", "", 1), text.index("|")))
    )
    assert res is not None
    return res.items if isinstance(res, T.CompletionList) else res


async def test_rule_names_of_the_referenced_rule_set(session, tmp_path):
    (tmp_path / "rules").mkdir()
    rules = tmp_path / "rules" / "rule-set.yaml"
    rules.write_text(RULES, encoding="utf-8")
    await session.init(root=tmp_path.as_uri())
    uri = (tmp_path / "inbound.routing.yaml").as_uri()
    session.open(uri, TEST.replace("c|", "ceo"), "yaml")
    published = await session.diagnostics(uri, 1)
    assert [d.code for d in published.diagnostics] == []  # the rule set defines "ceo"
    v = session.replace_all(uri, TEST.replace("|", ""))
    await session.diagnostics(uri, v)
    items = await _complete(session, uri, TEST)
    assert [i.label for i in items] == ["ceo", "catch-all"]
    assert items[0].kind == T.CompletionItemKind.Reference
    assert items[0].documentation is not None and "rules/rule-set.yaml" in items[0].documentation.value
    # an action type in the same expectation: the rule set's service's (SES classic)
    v = session.replace_all(uri, TEST.replace("rules: [c|]", "actions: [{type: |}]").replace("|", ""))
    await session.diagnostics(uri, v)
    items = await _complete(session, uri, TEST.replace("rules: [c|]", "actions: [{type: |}]"))
    assert [i.label for i in items] == [
        "S3Action",
        "BounceAction",
        "WorkmailAction",
        "LambdaAction",
        "StopAction",
        "AddHeaderAction",
        "SNSAction",
        "ConnectAction",
    ]
    # the rule file open in the editor, with a rule renamed and not saved: the editor's text wins
    rules_uri = rules.as_uri()
    session.open(rules_uri, RULES.replace("Name: ceo", "Name: chief"), "yaml")
    await session.diagnostics(rules_uri, 1)
    v = session.replace_all(uri, TEST.replace("|", ""))
    published = await session.diagnostics(uri, v)
    assert [(d.code, d.message) for d in published.diagnostics] == [
        (
            "SES542",
            'rule "c" is not a rule of "rules/rule-set.yaml" (its rules: "chief", "catch-all"), so this case can '
            "never pass",
        )
    ]
    items = await _complete(session, uri, TEST)
    assert [i.label for i in items] == ["chief", "catch-all"]
