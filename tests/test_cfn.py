"""CloudFormation and SAM templates: recognition, intrinsic functions, the views of SES resources,
the order of rule sets spread over ReceiptRule resources, the CLI, and cfn-lint as the peer."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ses_lsp.cfn.mapping import MAPPINGS
from ses_lsp.cfn.ruleset import rule_sets
from ses_lsp.cfn.template import TEMPLATE_KIND, Template, intrinsic, looks_like_template
from ses_lsp.cfn.view import Resolver, Unknown
from ses_lsp.document.document import Document
from ses_lsp.lint.config import Config
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.kinds import detect_kind
from ses_lsp.lint.text import INTRINSIC_SHORT_FORMS

REPO = Path(__file__).resolve().parents[1]
GOLDEN = REPO / "tests" / "golden"


def lint(text: str, name: str = "template.yaml", **config):
    return lint_text(text, name, config=Config(**config))


def codes(text: str, name: str = "template.yaml", **config) -> list[str]:
    return [d.code for d in lint(text, name, **config).diagnostics]


def tree(text: str, name: str = "template.yaml"):
    root = Document(text, name).root
    assert root is not None
    return root


def rule(name: str, *, after: str = "", extra: str = "", props: str = "", set_ref: str = "!Ref Set") -> str:
    """A ReceiptRule resource, valid on its own."""
    return (
        f"  {name}:\n    Type: AWS::SES::ReceiptRule\n{extra}    Properties:\n      RuleSetName: {set_ref}\n"
        + (f"      After: {after}\n" if after else "")
        + f"      Rule:\n        Name: {name.lower()}\n        Enabled: true\n"
        f"        Recipients: [{name.lower()}.example.com]\n{props}"
        f"        Actions:\n          - S3Action: {{BucketName: mail-{name.lower()}}}\n"
    )


SET = "  Set:\n    Type: AWS::SES::ReceiptRuleSet\n    Properties:\n      RuleSetName: inbound\n"


def template(*resources: str, head: str = "") -> str:
    return 'AWSTemplateFormatVersion: "2010-09-09"\n' + head + "Resources:\n" + "".join(resources)


# -- recognition ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, name",
    [
        ('AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n', "t.yaml"),
        ("Transform: AWS::Serverless-2016-10-31\nResources:\n  F:\n    Type: AWS::Serverless::Function\n", "t.yaml"),
        ('{"Resources": {"B": {"Type": "AWS::S3::Bucket"}}}', "cdk.out/Stack.template.json"),
        # A template's own Rules section (template rules) does not make it a rule set.
        ('{"Rules": {"R": {"Assertions": []}}, "Resources": {"B": {"Type": "AWS::SNS::Topic"}}}', "t.json"),
    ],
)
def test_templates_are_recognised_by_content(text, name):
    root = tree(text, name)
    assert looks_like_template(root)
    assert detect_kind(root) == TEMPLATE_KIND


def test_api_documents_are_not_templates():
    for path in (REPO / "examples" / "classic").glob("*"):
        root = Document(path.read_text(encoding="utf-8"), str(path)).root
        assert not looks_like_template(root), path
    # Resources holding no AWS:: type: not a template
    assert not looks_like_template(tree('{"Resources": {"x": {"Type": "Custom"}}}', "x.json"))


def test_every_short_form_is_an_intrinsic_function():
    tags = [
        "!Ref",
        "!Sub",
        "!GetAtt",
        "!If",
        "!Join",
        "!Select",
        "!FindInMap",
        "!ImportValue",
        "!Split",
        "!Base64",
        "!Cidr",
        "!Equals",
        "!And",
        "!Or",
        "!Not",
        "!Condition",
        "!GetAZs",
    ]
    text = "".join(f"k{i}: {tag} x\n" for i, tag in enumerate(tags))
    root = tree(text)
    for i, tag in enumerate(tags):
        call = intrinsic(root.dict_value[f"k{i}"])
        assert call is not None and call.short and call.name == INTRINSIC_SHORT_FORMS[tag], tag
    long_form = tree('{"a": {"Fn::GetAtt": ["R", "Arn"]}, "b": {"Ref": "X", "Other": 1}}', "x.json")
    call = intrinsic(long_form.dict_value["a"])
    assert call is not None and call.name == "Fn::GetAtt" and not call.short
    assert intrinsic(long_form.dict_value["b"]) is None  # two members: not a call


# -- resolution -------------------------------------------------------------------------------

RESOLVE = """
Parameters:
  Name: {Type: String, Default: inbound}
  Open: {Type: String}
  List: {Type: CommaDelimitedList, Default: "a@example.com, b@example.com"}
Mappings:
  Codes: {prod: {Reply: "550"}}
Resources:
  Set: {Type: AWS::SES::ReceiptRuleSet, Properties: {RuleSetName: !Ref Name}}
  Unnamed: {Type: AWS::SES::ReceiptRuleSet}
  Fn: {Type: AWS::Lambda::Function}
Values:
  ref-param: !Ref Name
  ref-open: !Ref Open
  ref-list: !Ref List
  ref-set: !Ref Set
  ref-unnamed: !Ref Unnamed
  getatt: !GetAtt Fn.Arn
  region: !Ref AWS::Region
  partition: !Ref AWS::Partition
  sub: !Sub "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${Name}-${Fn.Arn}-${!Literal}"
  join: !Join ["-", [a, !Ref Name, !Ref Open]]
  select: !Select [1, !Ref List]
  split: !Split [",", "x,y"]
  find: !FindInMap [Codes, prod, Reply]
  if-same: !If [C, same, same]
  if-differ: !If [C, one, two]
  novalue: !Ref AWS::NoValue
  b64: !Base64 x
"""


def test_values_the_template_makes_certain():
    root = tree(RESOLVE)
    t = Template.read(root)
    r = Resolver(t, region="eu-west-1")
    values = {k.value: r.value(v) for k, v in root.dict_value["Values"].member_list}
    assert values["ref-param"] == "inbound"
    assert values["ref-open"] == Unknown("Ref", "${Open}")
    assert values["ref-list"] == ["a@example.com", "b@example.com"]
    assert values["ref-set"] == "inbound"  # a classic resource's !Ref is the name it sets
    assert values["ref-unnamed"] == Unknown("Ref", "${Unnamed}")
    assert values["getatt"] == Unknown("Fn::GetAtt", "${Fn.Arn}")
    assert values["region"] == "eu-west-1" and values["partition"] == "aws"
    assert values["sub"] == "arn:aws:sns:eu-west-1:${AWS::AccountId}:inbound-${Fn.Arn}-${Literal}"
    assert values["join"] == "a-inbound-${Open}"
    assert values["select"] == "b@example.com"
    assert values["split"] == ["x", "y"]
    assert values["find"] == "550"
    assert values["if-same"] == "same"
    assert values["if-differ"] == Unknown("Fn::If", None)
    assert values["b64"] == Unknown("Fn::Base64", None)
    # without a configured Region, the stack's Region is a placeholder
    assert Resolver(t).value(root.dict_value["Values"].dict_value["region"]) == Unknown("Ref", "${AWS::Region}")


def test_intrinsic_functions_are_never_flagged_for_their_form():
    """Every property of a rule given by a function the template leaves open: no finding."""
    text = template(
        SET,
        "  R:\n    Type: AWS::SES::ReceiptRule\n    Properties:\n      RuleSetName: !ImportValue SetName\n"
        "      After: !Select [0, !GetAZs '']\n      Rule:\n        Name: !Base64 x\n"
        "        Enabled: !Equals [a, a]\n        ScanEnabled: !Condition C\n"
        "        TlsPolicy: !If [C, Require, Optional]\n"
        "        Recipients: !Split [',', !ImportValue Recipients]\n"
        "        Actions:\n          - S3Action:\n              BucketName: !Join ['', [!Ref AWS::StackName]]\n"
        "              KmsKeyArn: !GetAtt Key.Arn\n              TopicArn: !FindInMap [M, !Ref AWS::Region, T]\n"
        "          - !If [C, {StopAction: {Scope: RuleSet}}, !Ref AWS::NoValue]\n",
    )
    assert codes(text) == []


def test_cloudformation_converts_scalars_as_the_api_needs_them():
    # "true" for a boolean, an unquoted 550 for a string: what CloudFormation passes on, no finding
    text = template(
        SET,
        rule(
            "Bounce",
            props='        ScanEnabled: "true"\n',
        ).replace(
            "          - S3Action: {BucketName: mail-bounce}\n",
            "          - BounceAction: {Sender: postmaster@example.com, SmtpReplyCode: 550, StatusCode: 5.1.1,"
            " Message: Gone}\n",
        ),
    )
    assert codes(text) == []
    # not convertible: reported as for an API document
    assert codes(text.replace('ScanEnabled: "true"', "ScanEnabled: maybe")) == ["SES103"]


def test_each_allowed_value_is_checked_and_named():
    head = "Parameters:\n  Policy:\n    Type: String\n    AllowedValues: [Optional, Required, Require]\n"
    text = template(SET, rule("Store", props="        TlsPolicy: !Ref Policy\n"), head=head)
    (d,) = lint(text).diagnostics
    assert d.code == "SES104" and 'with parameter Policy = "Required", an AllowedValues entry' in d.message
    line = text.splitlines().index("    AllowedValues: [Optional, Required, Require]")
    assert [r.message for r in d.related] == ["an AllowedValues entry of parameter Policy"]
    assert Document(text).lines.position(d.related[0].start)[0] == line
    assert d.fix is None  # a fix would overwrite the !Ref with the value checked


def test_other_resource_types_are_left_alone():
    text = template(
        "  Bucket:\n    Type: AWS::S3::Bucket\n    Properties: {NoSuchProperty: [1, 2]}\n",
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties: 42\n",
        "  Custom:\n    Type: Custom::Thing\n    Properties: {RuleSetName: 'a b c'}\n",
        "  Cfg:\n    Type: AWS::SES::ConfigurationSet\n    Properties: {Nonsense: true}\n",
    )
    assert codes(text) == []


def test_positions_and_pointers_are_the_templates():
    text = template(SET, rule("Store", props="        TlsPolicy: Mandatory\n"))
    (d,) = lint(text).diagnostics
    assert text[d.start : d.end] == "Mandatory"
    assert d.pointer == "/Resources/Store/Properties/Rule/TlsPolicy"


def test_tags_change_nothing_for_api_documents():
    """In an API file `!Ref x` is the string x, as the AWS CLI reads it (checked as before)."""
    api = (
        "RuleSetName: inbound\nRule:\n  Name: !Ref store\n  Enabled: true\n  TlsPolicy: !Ref Mandatory\n"
        "  Actions:\n    - S3Action: {BucketName: mail}\n"
    )
    result = lint_text(api, "rule.yaml")
    assert result.kind == "ses:create-receipt-rule"
    (d,) = result.diagnostics
    assert d.code == "SES104" and '"Mandatory"' in d.message


# -- rule order ---------------------------------------------------------------------------------


def order_of(text: str) -> list[tuple[str, list[str], list[str]]]:
    t = Template.read(tree(text))
    return [
        (g.key, [e.logical_id for e in g.order], sorted(f"{p.what}:{p.entry.logical_id}" for p in g.problems))
        for g in rule_sets(t)
    ]


def test_order_follows_after_chains():
    text = template(SET, rule("C", after="!Ref B"), rule("A"), rule("B", after="!Ref A"))
    assert order_of(text) == [("inbound", ["A", "B", "C"], [])]


def test_creation_order_decides_between_rules_in_the_same_place():
    # B and C both go right after A; C depends on B, so C is created later and comes first.
    text = template(SET, rule("A"), rule("B", after="!Ref A"), rule("C", after="!Ref A", extra="    DependsOn: B\n"))
    assert order_of(text) == [("inbound", ["A", "C", "B"], [])]
    assert codes(text) == []


def test_ambiguous_orders_cycles_and_missing_rules():
    text = template(SET, rule("A"), rule("B"))
    assert order_of(text)[0][2] == ["same-place:B"]
    assert codes(text) == ["SES212"]
    text = template(SET, rule("A", after="!Ref B"), rule("B", after="!Ref A"))
    assert order_of(text)[0][2] == ["cycle:A"]
    text = template(SET, rule("A"), rule("B", after="nosuch"))
    assert order_of(text)[0][2] == ["no-such-rule:B"]
    assert codes(text) == ["SES213"]
    # a set the template does not create may hold other rules: an After naming none is not reported
    assert codes(template(rule("A", set_ref="existing"), rule("B", set_ref="existing", after="other"))) == []


def test_a_conditional_resource_is_named_when_it_changes_a_finding():
    text = template(
        SET, rule("A"), rule("B", extra="    Condition: Later\n"), head="Conditions:\n  Later: !Equals [a, b]\n"
    )
    (d,) = lint(text).diagnostics
    assert d.code == "SES212" and "resource B exists only when condition Later is true" in d.message


def test_rule_set_checks_run_across_resources():
    stop = "          - StopAction: {Scope: RuleSet}\n"
    first = (
        rule("A")
        .replace("        Recipients: [a.example.com]\n", "")
        .replace("          - S3Action: {BucketName: mail-a}\n", "          - S3Action: {BucketName: mail-a}\n" + stop)
    )
    text = template(SET, first, rule("B", after="!Ref A"))
    result = lint(text)
    assert [d.code for d in result.diagnostics] == ["SES502"]
    assert result.diagnostics[0].pointer == "/Resources/B/Properties/Rule/Name"


def _filter(logical_id: str, name: str, policy: str, cidr: str, extra: str = "") -> str:
    return (
        f"  {logical_id}:\n    Type: AWS::SES::ReceiptFilter\n{extra}    Properties:\n      Filter:\n"
        f"        Name: {name}\n        IpFilter: {{Policy: {policy}, Cidr: {cidr}}}\n"
    )


def test_receipt_filters_are_checked_together():
    text = template(
        _filter("BlockNet", "corp", "Block", "10.0.0.0/8"),
        _filter("AllowNet", "corp", "Allow", "10.0.0.0/8", extra="    Condition: Office\n"),
        _filter("Host", "host", "Block", "!Ref HostCidr"),
        head="Parameters:\n  HostCidr: {Type: String, Default: 10.1.2.0/24}\nConditions:\n  Office: !Equals [a, b]\n",
    )
    result = lint(text)
    got = sorted((d.code, d.pointer) for d in result.diagnostics)
    assert got == [
        ("SES206", "/Resources/AllowNet/Properties/Filter/Name"),
        ("SES603", "/Resources/BlockNet/Properties/Filter/IpFilter/Cidr"),
        ("SES603", "/Resources/Host/Properties/Filter/IpFilter/Cidr"),
    ], got
    by_code = {d.code: d for d in result.diagnostics}
    host = next(d for d in result.diagnostics if d.pointer.startswith("/Resources/Host/"))
    assert "10.1.2.0/24" in host.message and "HostCidr" in host.message  # (the parameter's Default)
    # the finding that depends on a conditional resource says so; the related location is the
    # other resource's, in the template
    assert "resource AllowNet exists only when condition Office is true" in by_code["SES603"].message
    assert [text[r.start : r.end] for r in by_code["SES206"].related] == ["corp"]
    # one filter alone is what a create-receipt-filter input is: no set checks
    assert codes(template(_filter("Only", "corp", "Block", "10.0.0.0/8"))) == []


# -- the mapping table, documented once ------------------------------------------------------------


def test_the_mapping_table_is_documented():
    doc = (REPO / "docs" / "cloudformation.md").read_text(encoding="utf-8")
    for m in MAPPINGS:
        row = next((line for line in doc.splitlines() if line.startswith(f"| `{m.type}`")), None)
        assert row is not None, m.type
        assert (f"`{m.kind}`" if m.kind else "schema only") in row, m.type
        assert m.differences in row, m.type


# -- the command line, as a real process -------------------------------------------------------------


def run_cli(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ses_lsp", *args], cwd=cwd, capture_output=True, text=True, check=False, timeout=120
    )


def test_cli_lints_templates_in_a_directory_walk(tmp_path):
    out = tmp_path / "cdk.out"
    out.mkdir()
    (out / "Stack.template.json").write_text((GOLDEN / "templates" / "order.json").read_text())
    (out / "manifest.json").write_text('{"version": "36.0.0", "artifacts": {}}')
    proc = run_cli("lint", str(tmp_path), "--format", "json", "--no-cache")
    assert proc.returncode == 0, proc.stderr  # a warning only
    found = json.loads(proc.stdout)
    assert [(d["code"], d["start"]["line"], d["start"]["column"]) for d in found] == [("SES212", 11, 5)]
    assert found[0]["pointer"] == "/Resources/RuleSetSecond5E6F7A8B"


def test_cli_kinds_and_forced_kind(tmp_path):
    proc = run_cli("kinds")
    assert proc.returncode == 0 and TEMPLATE_KIND in proc.stdout
    text = template(SET, rule("Store", props="        TlsPolicy: Mandatory\n"))
    path = tmp_path / "stack.yml"
    path.write_text(text)
    proc = run_cli("lint", str(path), "--kind", TEMPLATE_KIND, "--format", "json", "--no-cache")
    assert proc.returncode == 1
    assert [d["code"] for d in json.loads(proc.stdout)] == ["SES104"]


def test_no_secret_from_a_parameter_reaches_the_output(tmp_path):
    text = template(
        "  Ingress:\n    Type: AWS::SES::MailManagerIngressPoint\n    Properties:\n      Type: AUTH\n"
        "      RuleSetId: rs-1\n      TrafficPolicyId: tp-1\n      TlsPolicy: REQUIRED\n"
        "      IngressPointConfiguration:\n        SmtpPassword: !Ref Password\n",
        head="Parameters:\n  Password:\n    Type: String\n    NoEcho: true\n    Default: 'hunter2 hunter2'\n",
    )
    path = tmp_path / "ingress.yaml"
    path.write_text(text)
    proc = run_cli("lint", str(path), "--format", "json", "--no-cache")
    assert json.loads(proc.stdout), "the password is reported (in a file, and with a space)"
    assert "hunter2" not in proc.stdout and "hunter2" not in proc.stderr


# -- the peer: cfn-lint ------------------------------------------------------------------------------

SES_TYPES = {m.type for m in MAPPINGS}


def test_every_cfn_lint_schema_finding_on_ses_resources_is_reported():
    """On the same templates, each cfn-lint finding (E3xxx, W1030) on an SES resource has a ses-lsp
    diagnostic at the same property (or, for a parameter value, one naming it), and ses-lsp reports
    nothing on the resources it leaves to cfn-lint."""
    # The test environment's cfn-lint (the pinned test dependency), not another one on PATH.
    exe = [sys.executable, "-c", "import sys; from cfnlint.runner import main; sys.exit(main())"]
    files = [GOLDEN / "templates" / "resources.yaml", GOLDEN / "templates" / "resources.json"]
    files += [REPO / "examples" / "cloudformation" / "broken-receipt-rules.yaml"]
    proc = subprocess.run([*exe, "--format", "json", *map(str, files)], capture_output=True, text=True, check=False)
    findings = json.loads(proc.stdout)
    compared = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        t = Template.read(tree(text, str(path)))
        mine = lint_text(text, str(path)).diagnostics
        lines = Document(text, str(path)).lines
        for f in findings:
            if Path(f["Filename"]).resolve() != path.resolve():
                continue
            rule_id, where = f["Rule"]["Id"], f["Location"]["Path"]
            if where[0] == "Resources":
                res = t.resources.get(where[1])
                if res is None or res.type not in SES_TYPES or not re.match(r"E3\d\d\d", rule_id):
                    continue
                pointer = "/" + "/".join(str(p) for p in where)
                assert any(d.pointer.startswith(pointer) or pointer.startswith(d.pointer) for d in mine), (
                    path.name,
                    rule_id,
                    pointer,
                )
                compared += 1
            elif where[0] == "Parameters" and rule_id == "W1030":
                line = f["Location"]["Start"]["LineNumber"] - 1
                assert any(lines.position(r.start)[0] == line for d in mine for r in d.related), (path.name, where)
                compared += 1
        for d in mine:
            parts = d.pointer.split("/")
            if len(parts) > 2 and parts[1] == "Resources":
                res = t.resources.get(parts[2])
                assert res is None or res.type in SES_TYPES, (path.name, d.code, d.pointer)
    assert compared >= 10
