"""Document symbols and rule-name navigation (offset based)."""

from __future__ import annotations

from ses_lsp.document.document import Document
from ses_lsp.editor.navigation import RenameError, Workspace, definitions, references, rename
from ses_lsp.editor.symbols import document_symbols

RS_YAML = """Metadata:
  Name: inbound
Rules:
  - Name: first
    Actions:
      - S3Action:
          BucketName: b
      - StopAction:
          Scope: RuleSet
  - Name: second
    Enabled: false
    Recipients: [a@example.com]
    Actions:
      - LambdaAction:
          FunctionArn: arn:aws:lambda:us-east-1:123456789012:function:f
"""

MM_JSON = """{"RuleSetName": "mm", "Rules": [
  {"Name": "drop-spam",
   "Conditions": [{"VerdictExpression": {"Evaluate": {"Attribute": "SPAM"}, "Operator": "EQUALS",
                                          "Values": ["FAIL"]}}],
   "Unless": [{"StringExpression": {"Evaluate": {"Attribute": "FROM"}, "Operator": "ENDS_WITH",
                                    "Values": ["@example.com"]}}],
   "Actions": [{"Drop": {}}]}
]}"""


def test_classic_rule_set_outline():
    doc = Document(RS_YAML, "rs.yaml")
    (top,) = document_symbols(doc, "ses:describe-receipt-rule-set")
    assert top.name == "inbound" and top.kind == "namespace"
    assert [r.name for r in top.children] == ["first", "second"]
    first, second = top.children
    assert [a.name for a in first.children] == ["S3Action", "StopAction"]
    assert first.children[0].detail == "BucketName: b"
    assert "disabled" in second.detail and "a@example.com" in second.detail
    for s in (top, first, second, *first.children):
        assert s.start <= s.selection_start <= s.selection_end <= s.end


def test_mail_manager_outline():
    (top,) = document_symbols(Document(MM_JSON, "mm.json"), "mailmanager:create-rule-set")
    (rule,) = top.children
    assert [c.name for c in rule.children] == ["VerdictExpression", "unless StringExpression", "Drop"]
    assert rule.children[0].detail == "SPAM EQUALS FAIL"


def test_generic_outline():
    syms = document_symbols(
        Document('{"Filter": {"Name": "f", "IpFilter": {"Policy": "Block"}}}', "f.json"), "ses:create-receipt-filter"
    )
    assert syms[0].name == "Filter" and [c.name for c in syms[0].children] == ["Name", "IpFilter"]


def _ws():
    rs = Document(RS_YAML, "rs.yaml")
    pos = Document('{"RuleSetName": "inbound", "RuleName": "second", "After": "first"}', "pos.json")
    other = Document('{"RuleSetName": "elsewhere", "RuleName": "first"}', "del.json")
    ws = Workspace(
        [
            ("rs.yaml", rs, "ses:describe-receipt-rule-set"),
            ("pos.json", pos, "ses:set-receipt-rule-position"),
            ("del.json", other, "ses:delete-receipt-rule"),
        ]
    )
    return ws, rs, pos


def test_definition_and_references():
    ws, rs, pos = _ws()
    off = pos.text.index('"first"') + 2
    (d,) = definitions(pos, "ses:set-receipt-rule-position", off, "pos.json", ws)
    assert d.uri == "rs.yaml" and rs.text[d.start : d.end] == "first"
    refs = references(rs, "ses:describe-receipt-rule-set", rs.text.index("first"), "rs.yaml", ws)
    assert [(r.uri, r.role) for r in refs] == [("rs.yaml", "definition"), ("pos.json", "reference")]


def test_rename_keeps_quoting():
    ws, rs, pos = _ws()
    edits = rename(pos, "ses:set-receipt-rule-position", pos.text.index("second") + 1, "2nd", "pos.json", ws)
    assert edits["pos.json"] == [(pos.text.index('"second"'), pos.text.index('"second"') + 8, '"2nd"')]
    (e,) = edits["rs.yaml"]
    assert rs.text[e[0] : e[1]] == "second" and e[2] == "2nd"
    try:
        rename(pos, "ses:set-receipt-rule-position", pos.text.index("second") + 1, "bad name", "pos.json", ws)
    except RenameError as exc:
        assert "not a valid receipt rule name" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected RenameError")


def test_duplicate_names_are_all_definitions():
    doc = Document(
        '{"RuleSetName": "m", "Rules": [{"Name": "x", "Actions": []}, {"Name": "x", "Actions": []}]}', "m.json"
    )
    defs = definitions(doc, "mailmanager:create-rule-set", doc.text.index('"x"') + 1, "m.json")
    assert len(defs) == 2
