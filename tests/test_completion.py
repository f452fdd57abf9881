"""Completion unit tests: `|` marks the cursor; each asserts the document after accepting an item."""

from __future__ import annotations

import pytest

from ses_lsp.document.document import Document
from ses_lsp.editor.completion import apply_completion, complete
from ses_lsp.editor.navigation import Workspace

RULE = "ses:create-receipt-rule"
MM = "mailmanager:create-rule-set"


def items(src: str, kind: str, fmt: str, workspace=None):
    off = src.index("|")
    text = src.replace("|", "", 1)
    return text, complete(text, off, kind, fmt, workspace=workspace)


def accept(src: str, kind: str, fmt: str, label: str, workspace=None) -> str:
    text, found = items(src, kind, fmt, workspace)
    labels = [i.label for i in found]
    assert label in labels, labels
    return apply_completion(text, next(i for i in found if i.label == label))


@pytest.mark.parametrize(
    ("src", "label", "want"),
    [
        # key after a comma
        (
            '{"RuleSetName": "x", "Rule": {"Name": "a", |}}',
            "Enabled",
            '{"RuleSetName": "x", "Rule": {"Name": "a", "Enabled": }}',
        ),
        # open string: the quote the user typed is replaced, not doubled
        (
            '{"RuleSetName": "x", "Rule": {"Name": "a", "Tl|}}',
            "TlsPolicy",
            '{"RuleSetName": "x", "Rule": {"Name": "a", "TlsPolicy": }}',
        ),
        # auto-closed quote
        (
            '{"RuleSetName": "x", "Rule": {"Name": "a", "Tl|"}}',
            "TlsPolicy",
            '{"RuleSetName": "x", "Rule": {"Name": "a", "TlsPolicy": }}',
        ),
        # missing comma: added after the previous value
        (
            '{"RuleSetName": "x", "Rule": {"Name": "a"\n  |\n}}',
            "ScanEnabled",
            '{"RuleSetName": "x", "Rule": {"Name": "a",\n  "ScanEnabled": \n}}',
        ),
        # renaming a key: the colon is kept
        (
            '{"RuleSetName": "x", "Rule": {"Nam|e": "a"}}',
            "Recipients",
            '{"RuleSetName": "x", "Rule": {"Recipients": "a"}}',
        ),
        # enum values, inside a half-typed string
        (
            '{"RuleSetName": "x", "Rule": {"TlsPolicy": "Req|',
            "Require",
            '{"RuleSetName": "x", "Rule": {"TlsPolicy": "Require"',
        ),
        ('{"RuleSetName": "x", "Rule": {"Enabled": |}}', "false", '{"RuleSetName": "x", "Rule": {"Enabled": false}}'),
    ],
)
def test_json(src, label, want):
    assert accept(src, RULE, "json", label) == want


def test_json_required_first_and_present_left_out():
    _, found = items('{"RuleSetName": "x", |}', RULE, "json")
    labels = [i.label for i in sorted(found, key=lambda i: i.sort_text)]
    assert labels[0] == "Rule" and "RuleSetName" not in labels
    assert "After" in labels
    doc = next(i for i in found if i.label == "Rule").documentation
    assert "**Rule**" in doc and "required" in doc


@pytest.mark.parametrize(
    ("src", "label", "want"),
    [
        ("RuleSetName: x\nRule:\n  Name: a\n  |\n", "Enabled", "RuleSetName: x\nRule:\n  Name: a\n  Enabled: \n"),
        (
            "RuleSetName: x\nRule:\n  Name: a\n  Tl|\n  Enabled: true\n",
            "TlsPolicy",
            "RuleSetName: x\nRule:\n  Name: a\n  TlsPolicy: \n  Enabled: true\n",
        ),
        ("RuleSetName: x\nRule:\n  TlsPolicy: |\n", "Optional", "RuleSetName: x\nRule:\n  TlsPolicy: Optional\n"),
        ("RuleSetName: x\nRule:\n  TlsPolicy:|\n", "Optional", "RuleSetName: x\nRule:\n  TlsPolicy: Optional\n"),
        ("RuleSetName: x\nRule:\n  TlsPolicy: 'Req|'\n", "Require", "RuleSetName: x\nRule:\n  TlsPolicy: 'Require'\n"),
        ("RuleSetName: x\nRule:\n  Enabled: t|\n", "true", "RuleSetName: x\nRule:\n  Enabled: true\n"),
        ("RuleSetName: x\n|", "After", "RuleSetName: x\nAfter: "),
    ],
)
def test_yaml(src, label, want):
    assert accept(src, RULE, "yaml", label) == want


def test_yaml_present_keys_are_left_out():
    _, found = items("RuleSetName: x\nRule:\n  Name: a\n  |\n  Enabled: true\n  Actions: []\n", RULE, "yaml")
    labels = {i.label for i in found}
    assert "Name" not in labels and "Enabled" not in labels and "Actions" not in labels
    assert "TlsPolicy" in labels


def test_yaml_union_member_snippet_inserts_required_children():
    src = "RuleSetName: rs\nRules:\n  - Name: r\n    Actions:\n      - Bou|\n"
    got = accept(src, MM, "yaml", "Bounce")
    assert got == (
        "RuleSetName: rs\nRules:\n  - Name: r\n    Actions:\n      - Bounce:\n"
        "          RoleArn: \n          Sender: \n          StatusCode: \n"
        "          SmtpReplyCode: \n          DiagnosticMessage: \n"
    )
    _, found = items(src, MM, "yaml")
    bounce = next(i for i in found if i.label == "Bounce")
    assert bounce.snippet and "${1}" in bounce.new_text.replace("$1", "${1}")


def test_yaml_list_item_index_and_union_already_set():
    src = "RuleSetName: rs\nRules:\n  - Name: a\n    Actions:\n      - Drop: {}\n  - Name: b\n    |\n"
    _, found = items(src, MM, "yaml")
    labels = {i.label for i in found}
    assert "Actions" in labels and "Name" not in labels
    src = "RuleSetName: rs\nRules:\n  - Actions:\n      - Drop: {}\n        |\n"
    _, found = items(src, MM, "yaml")
    assert found == []  # an action takes exactly one member


def test_operators_fit_the_expression():
    base = (
        "RuleSetName: rs\nRules:\n  - Actions: [{Drop: {}}]\n    Conditions:\n      - {kind}:\n          Operator: |\n"
    )
    _, found = items(base.replace("{kind}", "IpExpression"), MM, "yaml")
    assert [i.label for i in found] == ["CIDR_MATCHES", "NOT_CIDR_MATCHES"]
    _, found = items(base.replace("{kind}", "NumberExpression"), MM, "yaml")
    assert "LESS_THAN" in [i.label for i in found]


def test_flow_sequence_values():
    src = (
        "RuleSetName: rs\nRules:\n  - Actions: [{Drop: {}}]\n    Conditions:\n      - VerdictExpression:\n"
        "          Values: [FAIL, |]\n"
    )
    got = accept(src, MM, "yaml", "GRAY")
    assert "Values: [FAIL, GRAY]" in got


def test_json_union_item_snippet():
    src = '{"RuleSetName": "rs", "Rules": [{"Actions": [\n    |\n]}]}'
    got = accept(src, MM, "json", "Drop")
    assert got == '{"RuleSetName": "rs", "Rules": [{"Actions": [\n    {\n      "Drop": {}\n    }\n]}]}'


def test_rule_names_from_the_workspace():
    rs = Document('{"Metadata": {"Name": "inbound"}, "Rules": [{"Name": "first"}, {"Name": "second"}]}', "rs.json")
    other = Document('{"Metadata": {"Name": "other"}, "Rules": [{"Name": "elsewhere"}]}', "o.json")
    ws = Workspace(
        [("rs.json", rs, "ses:describe-receipt-rule-set"), ("o.json", other, "ses:describe-receipt-rule-set")]
    )
    src = "RuleSetName: inbound\nRule:\n  Name: second\nAfter: |\n"
    _, found = items(src, RULE, "yaml", ws)
    assert [i.label for i in found] == ["first"]  # not itself, not another rule set's
    src = "RuleSetName: inbound\nRuleNames:\n  - second\n  - |\n"
    got = accept(src, "ses:reorder-receipt-rule-set", "yaml", "first", ws)
    assert got == "RuleSetName: inbound\nRuleNames:\n  - second\n  - first\n"


def test_values_are_quoted_for_yaml():
    from ses_lsp.editor.navigation import yaml_scalar

    assert yaml_scalar("Require") == "Require"
    assert yaml_scalar("yes") == "'yes'"
    assert yaml_scalar("550") == "'550'"
    assert yaml_scalar("a: b") == "'a: b'"
    assert yaml_scalar("5.1.1") == "5.1.1"


def test_no_completion_in_comments_or_unknown_kinds():
    assert items("Rule:\n  # Na|\n", RULE, "yaml")[1] == []
    assert complete("{}", 1, None, "json") == []


def test_asking_about_an_unknown_member_does_not_make_it_known():
    # Completion (and hover) inside an unknown member looked its schema up, and the lookup
    # remembered the name as a member without a schema: from then on, in the same process
    # (the language server), the validator no longer reported that member as unknown.
    from ses_lsp.editor.hover import hover
    from ses_lsp.lint.engine import lint_text

    text = "Rule:\n  Name: a\n  Actions:\n    - S3Action:\n        Bucket: mail-bucket\n"
    kind = "ses:create-receipt-rule"

    def unknown_member_reported() -> bool:
        result = lint_text(text, "x.yaml", kind=kind)
        return any(d.code == "SES101" and '"Bucket"' in d.message for d in result.diagnostics)

    assert unknown_member_reported()
    doc = Document(text, "x.yaml")
    for offset in range(text.index("Bucket"), text.index("mail-bucket") + 1):
        complete(text, offset, kind, "yaml", document=doc)
        hover(doc, kind, offset)
    assert unknown_member_reported()
