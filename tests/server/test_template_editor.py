"""The language server in CloudFormation / SAM templates (issue 12, section 1, the editor): completion
and hover inside the Properties of SES resources (from the resource type's schema, as in an API
document), the SES resource types for a resource's Type, go-to-definition from Ref / GetAtt / Sub /
DependsOn / Condition to the declaring resource, parameter or condition, and an outline per resource.
Nothing is offered elsewhere in a template (cfn-lint's and the YAML server's business)."""

from __future__ import annotations

import json

import pytest
from lsprotocol import types as T

from tests.server.test_server import _complete, apply_edits, pos_of, uri_for

pytestmark = pytest.mark.asyncio

YAML = """AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Bucket:
    Type: String
    Default: my-mail-bucket
Conditions:
  IsProd: !Equals [!Ref AWS::StackName, prod]
Resources:
  RuleSet:
    Type: AWS::SES::ReceiptRuleSet
    Properties:
      RuleSetName: inbound
  StoreRule:
    Type: AWS::SES::ReceiptRule
    Condition: IsProd
    Properties:
      RuleSetName: !Ref RuleSet
      Rule:
        Name: store
        Enabled: true
        TlsPolicy: Require
        Actions:
          - S3Action:
              BucketName: !Ref Bucket
              ObjectKeyPrefix: !Sub "${AWS::Region}/${RuleSet}/"
  Later:
    Type: AWS::SES::ReceiptRule
    DependsOn: [StoreRule]
    Properties:
      RuleSetName: !Ref RuleSet
      After: !Ref StoreRule
      Rule:
        Name: later
        Enabled: true
        Actions:
          - SNSAction:
              TopicArn: !GetAtt Topic.TopicArn
  Topic:
    Type: AWS::SNS::Topic
"""

JSON_TEMPLATE = {
    "AWSTemplateFormatVersion": "2010-09-09",
    "Resources": {
        "RuleSet": {"Type": "AWS::SES::ReceiptRuleSet", "Properties": {"RuleSetName": "inbound"}},
        "StoreRule": {
            "Type": "AWS::SES::ReceiptRule",
            "Properties": {
                "RuleSetName": {"Ref": "RuleSet"},
                "Rule": {
                    "Name": "store",
                    "Enabled": True,
                    "TlsPolicy": "Require",
                    "Actions": [{"SNSAction": {"TopicArn": {"Fn::GetAtt": ["Topic", "TopicArn"]}}}],
                },
            },
        },
        "Topic": {"Type": "AWS::SNS::Topic"},
    },
}
JSON = json.dumps(JSON_TEMPLATE, indent=2) + "\n"


async def _open(session, tmp_path, name: str, text: str, fmt: str) -> str:
    await session.init()
    uri = uri_for(tmp_path, name)
    session.open(uri, text, fmt)
    await session.diagnostics(uri, 1)
    return uri


async def _definition(session, uri: str, text: str, needle: str, delta: int) -> list[str]:
    locs = await session.client.text_document_definition_async(
        T.DefinitionParams(T.TextDocumentIdentifier(uri), pos_of(text, needle, delta))
    )
    out = []
    for loc in locs or []:
        assert loc.uri == uri
        lines = text.splitlines(keepends=True)
        line = lines[loc.range.start.line]
        out.append(line[loc.range.start.character : loc.range.end.character])
        # the declaration's key, in the section that declares it
        assert loc.range.start.line == loc.range.end.line
    return out


async def test_definition_from_every_reference_form_yaml(session, tmp_path):
    uri = await _open(session, tmp_path, "template.yaml", YAML, "yaml")
    # !Ref of a resource and of a parameter, ${X} in !Sub, DependsOn, !Ref in After, !GetAtt, Condition
    cases = [
        ("RuleSetName: !Ref RuleSet", 20, "RuleSet", "  RuleSet:\n"),
        ("BucketName: !Ref Bucket", 20, "Bucket", "  Bucket:\n"),
        ("${RuleSet}", 4, "RuleSet", "  RuleSet:\n"),
        ("DependsOn: [StoreRule]", 14, "StoreRule", "  StoreRule:\n"),
        ("After: !Ref StoreRule", 14, "StoreRule", "  StoreRule:\n"),
        ("!GetAtt Topic.TopicArn", 10, "Topic", "  Topic:\n"),
        ("Condition: IsProd", 12, "IsProd", "  IsProd:"),
    ]
    for needle, delta, name, declared in cases:
        found = await _definition(session, uri, YAML, needle, delta)
        assert found == [name], needle
        locs = await session.client.text_document_definition_async(
            T.DefinitionParams(T.TextDocumentIdentifier(uri), pos_of(YAML, needle, delta))
        )
        assert locs[0].range.start == pos_of(YAML, declared, 2), needle
    # a pseudo parameter and the attribute part of GetAtt name nothing the template declares
    assert await _definition(session, uri, YAML, "${AWS::Region}", 4) == []
    assert await _definition(session, uri, YAML, "Topic.TopicArn", 9) == []


async def test_definition_long_forms_json(session, tmp_path):
    uri = await _open(session, tmp_path, "template.json", JSON, "json")
    # (a JSON key's span includes its quotes, as for rule names)
    assert await _definition(session, uri, JSON, '"Ref": "RuleSet"', 10) == ['"RuleSet"']
    assert await _definition(session, uri, JSON, '"Topic",', 2) == ['"Topic"']


@pytest.mark.parametrize("fmt", ["json", "yaml"])
async def test_completion_inside_properties(session, tmp_path, fmt):
    await session.init(snippets=False)
    uri = uri_for(tmp_path, f"template.{fmt}")
    text = YAML if fmt == "yaml" else JSON
    session.open(uri, text, fmt)
    await session.diagnostics(uri, 1)
    if fmt == "yaml":
        marked = text.replace("        TlsPolicy: Require\n", "        TlsPolicy: Require\n        Sc|\n", 1)
    else:
        marked = text.replace('"TlsPolicy": "Require",', '"TlsPolicy": "Require",\n          "Sc|', 1)
    clean, res = await _complete(session, uri, marked)
    labels = [i.label for i in res.items]
    assert "ScanEnabled" in labels and "Recipients" in labels
    assert "Name" not in labels and "TlsPolicy" not in labels  # (present already)
    item = next(i for i in res.items if i.label == "ScanEnabled")
    assert "ScanEnabled" in apply_edits(clean, [item.text_edit])
    # a value: TlsPolicy's enumeration, from the resource schema
    if fmt == "yaml":
        marked = text.replace("TlsPolicy: Require", "TlsPolicy: |", 1)
    else:
        marked = text.replace('"TlsPolicy": "Require"', '"TlsPolicy": "|"', 1)
    clean, res = await _complete(session, uri, marked)
    assert sorted(i.label for i in res.items) == ["Optional", "Require"]


async def test_completion_of_type_and_nothing_outside_ses_resources(session, tmp_path):
    await session.init(snippets=False)
    uri = uri_for(tmp_path, "template.yaml")
    session.open(uri, YAML, "yaml")
    await session.diagnostics(uri, 1)
    clean, res = await _complete(session, uri, YAML.replace("Type: AWS::SNS::Topic", "Type: |", 1))
    labels = [i.label for i in res.items]
    assert "AWS::SES::ReceiptRule" in labels and "AWS::SES::MailManagerRuleSet" in labels
    assert all(label.startswith("AWS::SES::") for label in labels)
    item = next(i for i in res.items if i.label == "AWS::SES::ReceiptFilter")
    assert "Type: AWS::SES::ReceiptFilter" in apply_edits(clean, [item.text_edit])
    # a non-SES resource's Properties, and the template's own sections: nothing
    other = YAML.replace("    Type: AWS::SNS::Topic\n", "    Type: AWS::SNS::Topic\n    Properties:\n      Top|\n")
    clean, res = await _complete(session, uri, other)
    assert res is None or not res.items
    clean, res = await _complete(session, uri, YAML.replace("Conditions:", "Cond|:", 1))
    assert res is None or not res.items


@pytest.mark.parametrize("fmt", ["json", "yaml"])
async def test_hover_inside_properties_and_on_type(session, tmp_path, fmt):
    text = YAML if fmt == "yaml" else JSON
    uri = await _open(session, tmp_path, f"template.{fmt}", text, fmt)
    ident = T.TextDocumentIdentifier(uri)
    hov = await session.client.text_document_hover_async(T.HoverParams(ident, pos_of(text, "TlsPolicy", 2)))
    assert hov is not None and "**TlsPolicy**" in hov.contents.value and "Require" in hov.contents.value
    hov = await session.client.text_document_hover_async(T.HoverParams(ident, pos_of(text, "Require", 2)))
    assert hov is not None and "allowed values of **TlsPolicy**" in hov.contents.value
    hov = await session.client.text_document_hover_async(
        T.HoverParams(ident, pos_of(text, 'AWS::SES::ReceiptRule"' if fmt == "json" else "AWS::SES::ReceiptRule\n", 5))
    )
    assert hov is not None and "**AWS::SES::ReceiptRule**" in hov.contents.value
    assert "ses:create-receipt-rule" in hov.contents.value
    hov = await session.client.text_document_hover_async(T.HoverParams(ident, pos_of(text, "AWS::SNS::Topic", 5)))
    assert hov is None


async def test_outline_per_resource(session, tmp_path):
    uri = await _open(session, tmp_path, "template.yaml", YAML, "yaml")
    syms = await session.client.text_document_document_symbol_async(
        T.DocumentSymbolParams(T.TextDocumentIdentifier(uri))
    )
    names = [s.name for s in syms]
    assert names == ["AWSTemplateFormatVersion", "Parameters", "Conditions", "Resources"]
    resources = syms[3].children
    assert [(r.name, r.detail) for r in resources] == [
        ("RuleSet", "AWS::SES::ReceiptRuleSet"),
        ("StoreRule", "AWS::SES::ReceiptRule"),
        ("Later", "AWS::SES::ReceiptRule"),
        ("Topic", "AWS::SNS::Topic"),
    ]
    store = resources[1]
    assert [c.name for c in store.children] == ["store"]
    assert [a.name for a in store.children[0].children] == ["S3Action"]
    assert resources[3].children in (None, [])
