"""Unit tests for the names family (SES2xx): name forms, duplicates, references via the workspace."""

from __future__ import annotations

import json

import pytest

from ses_lsp.document.document import Document
from ses_lsp.lint.config import Config
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.fixes import apply_edit_groups
from ses_lsp.lint.rules.names import has_placeholder, name_problem, suggest_name


def lint(doc, kind=None, path="x.json", workspace=None, **cfg):
    text = doc if isinstance(doc, str) else json.dumps(doc, indent=2)
    result = lint_text(text, path, kind=kind, workspace=workspace, config=Config(**cfg) if cfg else None)
    return text, result.diagnostics


def codes(diags, prefix="SES2"):
    return [d.code for d in diags if d.code.startswith(prefix)]


# -- name form -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name,problem",
    [
        ("store", None),
        ("a", None),
        ("rule.v2_x-9", None),
        ("a" * 64, None),
        ("", "is empty"),
        ("a" * 65, "is 65 characters long; at most 64 allowed"),
        ("_123", 'starts with "_"'),
        ("abc-", 'ends with "-"'),
        ("a b", "contains a space, which is not allowed"),
        ("a!b", 'contains "!", which is not allowed'),
        ("é", 'contains "é", which is not allowed'),
        ("a\tb", 'contains white space "\\t", which is not allowed'),
    ],
)
def test_name_problem(name, problem):
    assert name_problem(name) == problem


def test_suggest_name():
    assert suggest_name("store support!") == "store-support"
    assert suggest_name("_123") == "123"
    assert suggest_name("a" * 70) == "a" * 64
    assert suggest_name("!!!") is None
    assert suggest_name("ok") is None  # already valid: nothing to suggest


@pytest.mark.parametrize("value", ["${RuleName}", "{{ rule }}", "$(aws sts get-caller-identity)", "rs-%s", "<string>"])
def test_placeholders(value):
    assert has_placeholder(value)
    _, diags = lint({"RuleSetName": value}, "ses:create-receipt-rule-set")
    assert codes(diags) == []


def test_every_name_position_is_checked():
    doc = {"RuleSetName": "s!", "RuleName": "r!", "After": "a!"}
    text, diags = lint(doc, "ses:set-receipt-rule-position")
    bad = sorted(text[d.start : d.end] for d in diags if d.code == "SES201")
    assert bad == ['"a!"', '"r!"', '"s!"']
    _, diags = lint({"FilterName": "my filter"}, "ses:delete-receipt-filter")
    assert codes(diags) == ["SES201"]
    _, diags = lint({"RuleSets": [{"Name": "ok"}, {"Name": "-bad"}]}, "ses:list-receipt-rule-sets")
    assert codes(diags) == ["SES201"]


def test_empty_after_is_the_aws_example_and_not_flagged():
    # botocore's own CreateReceiptRule example sends "After": "".
    doc = {"RuleSetName": "MyRuleSet", "After": "", "Rule": {"Name": "MyRule", "Enabled": True}}
    _, diags = lint(doc, "ses:create-receipt-rule")
    assert "SES201" not in codes(diags)


def test_wrong_types_are_left_to_the_schema_pass():
    _, diags = lint({"RuleSetName": 12}, "ses:create-receipt-rule-set")
    assert codes(diags) == []


def test_period_only_on_definitions():
    _, diags = lint({"RuleSetName": "in.v2"}, "ses:create-receipt-rule-set")
    assert codes(diags) == ["SES202"]
    _, diags = lint({"RuleSetName": "in.v2", "OriginalRuleSetName": "old.v1"}, "ses:clone-receipt-rule-set")
    assert codes(diags) == ["SES202"]  # the original already exists: no advice on it
    doc = {"RuleSetName": "in.v2", "Rule": {"Name": "a.b", "Enabled": True}}
    _, diags = lint(doc, "ses:create-receipt-rule")
    assert "SES202" not in codes(diags)
    # An invalid name gets the error only.
    _, diags = lint({"RuleSetName": "in.v2!"}, "ses:create-receipt-rule-set")
    assert codes(diags) == ["SES201"]


# -- duplicates --------------------------------------------------------------------------


def test_duplicate_rule_names_point_at_the_first():
    rules = [{"Name": n, "Enabled": True} for n in ("a", "b", "a", "a")]
    text, diags = lint({"Metadata": {"Name": "s"}, "Rules": rules}, "ses:describe-receipt-rule-set")
    dups = [d for d in diags if d.code == "SES203"]
    assert len(dups) == 2
    first = text.index('"a"')
    assert all(d.related[0].start == first for d in dups)
    assert all(d.start > first for d in dups)


def test_case_only_difference_is_not_a_duplicate():
    rules = [{"Name": n, "Enabled": True} for n in ("support", "Support")]
    _, diags = lint({"Metadata": {"Name": "s"}, "Rules": rules}, "ses:describe-receipt-rule-set")
    assert "SES203" not in codes(diags)


def test_mm_duplicates_are_warnings_and_missing_names_are_reported_once():
    act = [{"Drop": {}}]
    rules = [{"Actions": act}, {"Name": "x", "Actions": act}, {"Name": "x", "Actions": act}]
    doc = {"RuleSetName": "rs", "Rules": rules}
    text, diags = lint(doc, "mailmanager:create-rule-set")
    mine = [d for d in diags if d.code in ("SES204", "SES205")]
    assert [(d.code, d.severity.label) for d in mine] == [("SES205", "warning"), ("SES204", "warning")]
    assert text[mine[0].start : mine[0].end] == '"Actions"'
    assert mine[0].pointer == "/Rules/0"


def test_mm_misspelt_name_member_is_left_to_unknown_member():
    doc = {"RuleSetName": "rs", "Rules": [{"RuleName": "x", "Actions": [{"Drop": {}}]}]}
    _, diags = lint(doc, "mailmanager:create-rule-set")
    assert "SES205" not in codes(diags)
    assert "SES101" in [d.code for d in diags]


def test_duplicate_filter_names():
    f = [{"Name": "a", "IpFilter": {"Policy": "Allow", "Cidr": "10.0.0.0/8"}}] * 2
    _, diags = lint({"Filters": f}, "ses:list-receipt-filters")
    assert codes(diags) == ["SES206"]


# -- references ----------------------------------------------------------------------------


class Workspace:
    """What the language server passes: documents() yields (path, Document, kind)."""

    def __init__(self, *docs):
        self.docs = docs

    def documents(self):
        for path, obj, kind in self.docs:
            text = obj if isinstance(obj, str) else json.dumps(obj, indent=2)
            yield path, Document(text, path), kind


RULE_SET = {
    "Metadata": {"Name": "inbound"},
    "Rules": [{"Name": n, "Enabled": True} for n in ("tag", "store", "archive")],
}
WS = Workspace(("rules/inbound.json", RULE_SET, "ses:describe-receipt-rule-set"))


def test_after_self_needs_no_workspace():
    doc = {"RuleSetName": "inbound", "After": "new", "Rule": {"Name": "new", "Enabled": True}}
    _, diags = lint(doc, "ses:create-receipt-rule", workspace=WS)
    assert codes(diags) == ["SES208"]  # and no unknown-rule-reference on top


def test_unknown_after_is_silent_without_a_workspace():
    doc = {"RuleSetName": "inbound", "After": "stroe", "Rule": {"Name": "new", "Enabled": True}}
    _, diags = lint(doc, "ses:create-receipt-rule")
    assert codes(diags) == []


def test_unknown_after_with_workspace_suggests_and_points_to_the_other_file():
    doc = {"RuleSetName": "inbound", "After": "stroe", "Rule": {"Name": "new", "Enabled": True}}
    text, diags = lint(doc, "ses:create-receipt-rule", workspace=WS)
    (d,) = [d for d in diags if d.code == "SES207"]
    assert d.severity.label == "warning"
    assert 'no rule named "stroe" in rule set "inbound"' in d.message and 'did you mean "store"?' in d.message
    assert d.related[0].file == "rules/inbound.json"
    assert d.fix is not None and not d.fix.safe
    fixed = apply_edit_groups(text, [d.fix.edits])
    assert json.loads(fixed)["After"] == "store"


def test_known_after_and_other_rule_sets_are_silent():
    doc = {"RuleSetName": "inbound", "After": "store", "Rule": {"Name": "new", "Enabled": True}}
    assert codes(lint(doc, "ses:create-receipt-rule", workspace=WS)[1]) == []
    doc = {"RuleSetName": "outbound", "After": "whatever", "Rule": {"Name": "new", "Enabled": True}}
    assert codes(lint(doc, "ses:create-receipt-rule", workspace=WS)[1]) == []


def test_rules_from_create_and_clone_documents_count():
    ws = Workspace(
        ("a.json", {"RuleSetName": "base", "Rule": {"Name": "first", "Enabled": True}}, "ses:create-receipt-rule"),
        ("b.json", {"RuleSetName": "copy", "OriginalRuleSetName": "base"}, "ses:clone-receipt-rule-set"),
        ("c.yaml", "not: [parsed", None),
    )
    doc = {"RuleSetName": "copy", "RuleName": "first", "After": "frist"}
    _, diags = lint(doc, "ses:set-receipt-rule-position", workspace=ws)
    assert codes(diags) == ["SES207"]


def test_the_document_itself_is_skipped_in_the_workspace():
    # The workspace may hold a stale copy of the file being linted: it must not define the rules.
    doc = {"RuleSetName": "inbound", "After": "new", "Rule": {"Name": "newer", "Enabled": True}}
    create = "ses:create-receipt-rule"
    ws = Workspace(
        ("x.json", {"RuleSetName": "inbound", "Rule": {"Name": "new", "Enabled": True}}, create),
        (
            "other.json",
            {"Metadata": {"Name": "inbound"}, "Rules": [{"Name": "other", "Enabled": True}]},
            "ses:describe-receipt-rule-set",
        ),
    )
    _, diags = lint(doc, "ses:create-receipt-rule", path="x.json", workspace=ws)
    assert codes(diags) == ["SES207"]


def test_a_rule_set_known_only_from_single_rule_files_reports_only_near_misses():
    # No describe-receipt-rule-set output: the set may have rules no file shows.
    create = "ses:create-receipt-rule"
    ws = Workspace(("other.json", {"RuleSetName": "inbound", "Rule": {"Name": "archive-all", "Enabled": True}}, create))
    doc = {"RuleSetName": "inbound", "After": "support-to-s3", "Rule": {"Name": "new", "Enabled": True}}
    _, diags = lint(doc, create, path="x.json", workspace=ws)
    assert codes(diags) == []
    doc = {"RuleSetName": "inbound", "After": "archive-al", "Rule": {"Name": "new", "Enabled": True}}
    _, diags = lint(doc, create, path="x.json", workspace=ws)
    assert codes(diags) == ["SES207"] and 'did you mean "archive-all"' in diags[0].message


def test_the_document_itself_is_recognised_by_uri():
    import os
    from pathlib import Path

    path = os.path.abspath("rules/new rule.json")
    doc = {"RuleSetName": "solo", "After": "existing", "Rule": {"Name": "new", "Enabled": True}}
    # The language server names documents by URI, the lint by path: only this file defines "solo".
    ws = Workspace((Path(path).as_uri(), doc, "ses:create-receipt-rule"))
    _, diags = lint(doc, "ses:create-receipt-rule", path=path, workspace=ws)
    assert codes(diags) == []


def test_set_position_after_itself_is_reported_once():
    doc = {"RuleSetName": "inbound", "RuleName": "nope", "After": "nope"}
    _, diags = lint(doc, "ses:set-receipt-rule-position", workspace=WS)
    assert sorted(codes(diags)) == ["SES207", "SES208"]  # RuleName unknown; After is itself


def test_reorder_unknown_duplicate_and_missing():
    doc = {"RuleSetName": "inbound", "RuleNames": ["tag", "stor", "tag"]}
    text, diags = lint(doc, "ses:reorder-receipt-rule-set", workspace=WS)
    assert sorted(codes(diags)) == ["SES207", "SES209", "SES210"]
    (missing,) = [d for d in diags if d.code == "SES210"]
    assert '"store", "archive"' in missing.message
    assert text[missing.start : missing.end] == '"RuleNames"'


def test_reorder_missing_needs_a_complete_rule_set():
    ws = Workspace(
        ("a.json", {"RuleSetName": "inbound", "Rule": {"Name": "tag", "Enabled": True}}, "ses:create-receipt-rule")
    )
    doc = {"RuleSetName": "inbound", "RuleNames": ["tag"]}
    assert codes(lint(doc, "ses:reorder-receipt-rule-set", workspace=ws)[1]) == []
    doc = {"RuleSetName": "inbound", "RuleNames": ["tag", "store", "archive"]}
    assert codes(lint(doc, "ses:reorder-receipt-rule-set", workspace=WS)[1]) == []


def test_a_broken_workspace_does_not_crash():
    class Odd:
        def documents(self):
            yield ("a.json", None, "ses:describe-receipt-rule-set")
            yield ("b",)

    doc = {"RuleSetName": "inbound", "RuleNames": ["tag"]}
    _, diags = lint(doc, "ses:reorder-receipt-rule-set", workspace=Odd())
    assert [d.code for d in diags] == []
    _, diags = lint(doc, "ses:reorder-receipt-rule-set", workspace=object())
    assert [d.code for d in diags] == []


def test_yaml_positions():
    text = "RuleSetName: inbound\nRuleNames:\n  - tag\n  - tag\n"
    result = lint_text(text, "x.yaml", kind="ses:reorder-receipt-rule-set")
    (d,) = result.diagnostics
    assert d.code == "SES209"
    assert text[d.start : d.end] == "tag" and d.start == text.rindex("tag")
