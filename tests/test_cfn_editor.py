"""ses_lsp.cfn.editor: which logical ID is under the cursor in each intrinsic form, and where the
template declares it (what go-to-definition answers in a template)."""

from __future__ import annotations

import pytest

from ses_lsp.cfn import TEMPLATE_KIND
from ses_lsp.cfn.editor import properties_scope, schema_key
from ses_lsp.document.document import Document
from ses_lsp.editor.navigation import definitions

YAML = """Parameters:
  Prefix: {Type: String}
Conditions:
  IsProd: !Equals [!Ref AWS::StackName, prod]
Resources:
  Rules:
    Type: AWS::SES::ReceiptRuleSet
  Bucket:
    Type: AWS::S3::Bucket
  Rule:
    Type: AWS::SES::ReceiptRule
    Properties:
      RuleSetName: !If [IsProd, !Ref Rules, other]
      Rule:
        Actions:
          - S3Action:
              BucketName: !Sub ["${Bucket}-${!Literal}", {Bucket: x}]
              ObjectKeyPrefix: !Sub "${Prefix}/${Missing}"
"""


def _targets(text: str, needle: str, delta: int) -> list[str] | None:
    doc = Document(text, "file:///t.yaml", "yaml")
    found = definitions(doc, TEMPLATE_KIND, text.index(needle) + delta, "file:///t.yaml")
    return [text[o.start : o.end] for o in found]


@pytest.mark.parametrize(
    ("needle", "delta", "want"),
    [
        ("!If [IsProd", 6, ["IsProd"]),  # a condition, from Fn::If
        ("!Ref Rules", 6, ["Rules"]),  # inside the Fn::If
        ("${Prefix}", 3, ["Prefix"]),  # a parameter, from Fn::Sub
        ("${Missing}", 3, []),  # declared nowhere
        ("${!Literal}", 4, []),  # an escape, not a reference
        ("!Ref AWS::StackName", 7, []),  # a pseudo parameter
    ],
)
def test_definitions(needle, delta, want):
    assert _targets(YAML, needle, delta) == want


def test_sub_variables_map_is_the_subs_own():
    # "${Bucket}" in the list form of Fn::Sub names its own variable map's entry, not the
    # template's resource of that name.
    assert _targets(YAML, "${Bucket}", 3) == []


def test_properties_scope_only_for_ses_resources():
    doc = Document(YAML, None, "yaml")
    assert properties_scope(doc.root, ("Resources", "Rule", "Properties", "Rule")) == (
        schema_key("AWS::SES::ReceiptRule"),
        ("Rule",),
    )
    assert properties_scope(doc.root, ("Resources", "Rule", "Type")) is None
    assert properties_scope(doc.root, ("Resources", "Nope", "Properties")) is None
    assert properties_scope(doc.root, ("Parameters", "Prefix", "Properties")) is None
