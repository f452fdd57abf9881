"""ARNs and references (SES7xx): parsing, placeholders, service/resource checks, Regions."""

from __future__ import annotations

import json

import pytest

from ses_lsp.knowledge.arns import Arn, arn_structure_problem, partition_of_region
from ses_lsp.lint.config import Config
from ses_lsp.lint.diagnostics import Severity
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.text import has_placeholder


def lint(doc: dict, kind: str | None = None, **cfg):
    text = json.dumps(doc, indent=2)
    return text, lint_text(text, "x.json", kind=kind, config=Config(**cfg))


def codes(result, prefix: str = "SES7") -> list[str]:
    return [d.code for d in result.diagnostics if d.code.startswith(prefix)]


def rule(*actions: dict) -> dict:
    return {
        "RuleSetName": "inbound",
        "Rule": {"Name": "r", "Enabled": True, "Recipients": ["a@example.com"], "Actions": list(actions)},
    }


def sns(arn: str) -> dict:
    return {"S3Action": {"BucketName": "mail-bucket", "TopicArn": arn}}


def lam(arn: str) -> dict:
    return {"LambdaAction": {"FunctionArn": arn, "InvocationType": "Event"}}


def mm(*actions: dict) -> dict:
    return {"RuleSetName": "rs", "Rules": [{"Name": "r", "Actions": list(actions)}]}


GOOD_TOPIC = "arn:aws:sns:us-east-1:123456789012:inbound"
GOOD_FN = "arn:aws:lambda:us-east-1:123456789012:function:process"


# -- parsing ------------------------------------------------------------------------------------


def test_arn_parse_parts():
    a = Arn.parse("arn:aws:lambda:us-east-1:123456789012:function:process:live")
    assert (a.partition, a.service, a.region, a.account, a.resource) == (
        "aws",
        "lambda",
        "us-east-1",
        "123456789012",
        "function:process:live",
    )
    assert Arn.parse("process-mail") is None


@pytest.mark.parametrize(
    "text",
    [
        "arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:topic",
        "arn:aws:sns:{{region}}:{{ account }}:topic",
        "arn:aws:sns:<region>:<account-id>:topic",
        "arn:aws:sns:$REGION:$ACCOUNT_ID:topic",
        "arn:aws:sns:$(aws configure get region):$(aws sts get-caller-identity --query Account --output text):topic",
        "arn:aws:sns:#{AWS::Region}:#{AWS::AccountId}:topic",
        "arn:aws:sns:%s:%s:topic",
        "arn:aws:sns:{region}:{account}:topic",
    ],
)
def test_placeholders_make_parts_unknown(text):
    assert has_placeholder(text)
    a = Arn.parse(text)
    assert a is not None and a.service == "sns" and a.region is None and a.account is None


def test_placeholder_hiding_several_parts_keeps_only_the_leading_ones():
    a = Arn.parse("arn:aws:lambda:${RegionAndAccount}:function")
    assert a.service == "lambda" and a.region is None and a.resource is None and not a.positional
    assert arn_structure_problem("arn:aws:lambda:${RegionAndAccount}:function") is None
    assert arn_structure_problem("${aws_lambda_function.forwarder.arn}") is None


@pytest.mark.parametrize(
    "text,why",
    [
        ("topicArn", "not an ARN"),
        ("ARN:aws:sns:us-east-1:123456789012:t", "lower-case 'arn:'"),
        ("arn:aws:sns:us-east-1", "4 ':'-separated parts"),
        ("arn:aws:sns:us-east-1:123456789012:", "resource part"),
        ("arn:aws::us-east-1:123456789012:t", "service part is empty"),
    ],
)
def test_structure_problems(text, why):
    assert why in (arn_structure_problem(text) or "")


@pytest.mark.parametrize(
    "region,partition",
    [
        ("us-east-1", "aws"),
        ("eu-central-2", "aws"),
        ("cn-northwest-1", "aws-cn"),
        ("us-gov-east-1", "aws-us-gov"),
        ("us-iso-east-1", "aws-iso"),
        ("us-isob-east-1", "aws-iso-b"),
        ("eu-isoe-west-1", "aws-iso-e"),
        ("us-isof-south-1", "aws-iso-f"),
        ("eusc-de-east-1", "aws-eusc"),
    ],
)
def test_partition_of_region(region, partition):
    assert partition_of_region(region) == partition


# -- rules --------------------------------------------------------------------------------------


def test_valid_arns_and_placeholders_are_clean():
    _, res = lint(
        rule(
            sns(GOOD_TOPIC),
            lam(GOOD_FN + ":$LATEST"),
            lam("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${Name}"),
            lam("${aws_lambda_function.forwarder.arn}"),
            {
                "S3Action": {
                    "BucketName": "mail-bucket",
                    "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:alias/aws/ses",
                    "IamRoleArn": "arn:aws:iam::123456789012:role/service-role/ses",
                }
            },
            {"WorkmailAction": {"OrganizationArn": "arn:aws:workmail:us-east-1:123456789012:organization/m-1"}},
        )
    )
    assert codes(res) == []


def test_sns_arn_in_function_arn_names_the_expected_service():
    text, res = lint(rule(lam(GOOD_TOPIC)))
    [d] = res.diagnostics
    assert d.code == "SES702" and '"lambda"' in d.message and '"sns"' in d.message
    assert text[d.start : d.end] == json.dumps(GOOD_TOPIC)


def test_bare_function_name_error_classic_warning_mail_manager():
    _, res = lint(rule(lam("process-mail")))
    [d] = res.diagnostics
    assert (d.code, d.severity) == ("SES704", Severity.ERROR)
    _, res = lint(
        mm(
            {
                "InvokeLambda": {
                    "FunctionArn": "process-inbound-mail",
                    "InvocationType": "EVENT",
                    "RoleArn": "arn:aws:iam::123456789012:role/r",
                }
            }
        )
    )
    [d] = [d for d in res.diagnostics if d.code.startswith("SES7")]
    assert (d.code, d.severity) == ("SES704", Severity.WARNING)


def test_function_name_example_uses_configured_region():
    _, res = lint(rule(lam("process-mail")), region="eu-west-1")
    assert "arn:aws:lambda:eu-west-1:ACCOUNT-ID:function:process-mail" in res.diagnostics[0].message


def test_schema_reported_values_are_not_reported_again():
    # The model's IAMRoleARN pattern rejects a Region in an IAM ARN: only SES105.
    _, res = lint(
        rule({"S3Action": {"BucketName": "mail-bucket", "IamRoleArn": "arn:aws:iam:us-east-1:123456789012:role/x"}})
    )
    assert [d.code for d in res.diagnostics] == ["SES105"]
    # Mail Manager's RoleArn has only a charset: the Region is ours to report.
    _, res = lint(
        mm({"WriteToS3": {"S3Bucket": "mail-bucket", "RoleArn": "arn:aws:iam:us-east-1:123456789012:role/x"}})
    )
    assert codes(res) == ["SES701"]


def test_account_and_region_shapes():
    _, res = lint(
        rule(
            sns("arn:aws:sns:us-east-1:123:t"),
            sns("arn:aws:sns:US-EAST-1:123456789012:t"),
            sns("arn:aws:sns::123456789012:t"),
        )
    )
    msgs = [d.message for d in res.diagnostics if d.code == "SES701"]
    assert len(msgs) == 3
    assert "exactly 12 digits" in msgs[0] and 'did you mean "us-east-1"' in msgs[1] and "no Region" in msgs[2]


def test_partition_checks():
    _, res = lint(rule(sns("arn:aws-gov:sns:us-gov-west-1:123456789012:t")))
    assert codes(res) == ["SES703"] and '"aws-us-gov"' in res.diagnostics[0].message
    _, res = lint(rule(sns("arn:aws:sns:cn-north-1:123456789012:t")))
    assert codes(res) == ["SES703"] and "aws-cn" in res.diagnostics[0].message
    _, res = lint(
        rule(sns("arn:aws-cn:sns:cn-north-1:123456789012:t"), sns("arn:aws-eusc:sns:eusc-de-east-1:123456789012:t"))
    )
    assert "SES703" not in codes(res)


def test_kms_alias_warning_only_for_customer_aliases_in_classic():
    _, res = lint(
        rule({"S3Action": {"BucketName": "mail-bucket", "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:alias/mine"}})
    )
    assert codes(res) == ["SES705"]
    _, res = lint(
        rule(
            {
                "S3Action": {
                    "BucketName": "mail-bucket",
                    "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:alias/${Alias}",
                }
            }
        )
    )
    assert codes(res) == []
    # TrustStore.KmsKeyArn and S3SseKmsKeyId may be aliases.
    _, res = lint(
        mm(
            {
                "WriteToS3": {
                    "S3Bucket": "mail-bucket",
                    "RoleArn": "arn:aws:iam::123456789012:role/r",
                    "S3SseKmsKeyId": "arn:aws:kms:us-east-1:123456789012:alias/mine",
                }
            }
        )
    )
    assert codes(res) == []


@pytest.mark.parametrize(
    "key_id,ok",
    [
        ("1234abcd-12ab-34cd-56ef-1234567890ab", True),
        ("mrk-1234abcd12ab34cd56ef1234567890ab", True),
        ("alias/mail-archive-key", True),
        ("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", True),
        ("this-is-not-a-key-identifier", False),
    ],
)
def test_mm_s3_kms_key_id_forms(key_id, ok):
    _, res = lint(
        mm(
            {
                "WriteToS3": {
                    "S3Bucket": "mail-bucket",
                    "RoleArn": "arn:aws:iam::123456789012:role/r",
                    "S3SseKmsKeyId": key_id,
                }
            }
        )
    )
    assert (codes(res) == []) is ok


def test_region_mismatch_against_configured_region():
    doc = rule(lam(GOOD_FN), sns(GOOD_TOPIC.replace("us-east-1", "eu-west-1")))
    _, res = lint(doc, region="us-east-1")
    assert codes(res) == ["SES706"] and "configured Region" in res.diagnostics[0].message
    _, res = lint(doc, region="eu-west-1")
    assert codes(res) == ["SES706"] and "function:process" in res.diagnostics[0].message


def test_region_mismatch_without_config_reports_the_minority():
    doc = rule(sns(GOOD_TOPIC.replace("us-east-1", "eu-west-1")), lam(GOOD_FN), sns(GOOD_TOPIC))
    text, res = lint(doc)
    [d] = res.diagnostics
    assert d.code == "SES706" and "eu-west-1" in text[d.start : d.end]
    assert d.related and "us-east-1" in d.related[0].message
    # one Region, or a placeholder Region: nothing to say
    _, res = lint(rule(lam(GOOD_FN), sns("arn:aws:sns:${AWS::Region}:123456789012:t")))
    assert codes(res) == []


def test_region_mismatch_ignores_mail_manager():
    _, res = lint(
        mm(
            {
                "PublishToSns": {
                    "TopicArn": "arn:aws:sns:eu-west-1:123456789012:t",
                    "RoleArn": "arn:aws:iam::123456789012:role/r",
                }
            }
        ),
        region="us-east-1",
    )
    assert codes(res) == []


def test_multi_member_action_entries_are_still_checked():
    _, res = lint(
        rule({"SNSAction": {"TopicArn": "topicArn"}, "StopAction": {"Scope": "RuleSet", "TopicArn": GOOD_TOPIC}})
    )
    assert codes(res) == ["SES701"]


def test_ingress_secret_and_trust_store_key():
    doc = {
        "IngressPointName": "in-auth",
        "Type": "AUTH",
        "RuleSetId": "rs-1",
        "TrafficPolicyId": "tp-1",
        "IngressPointConfiguration": {"SecretArn": "arn:aws:secretsmanager:eu-west-x:123456789012:secret:s"},
    }
    _, res = lint(doc)
    assert codes(res) == ["SES701"]
    doc["IngressPointConfiguration"]["SecretArn"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:s"
    _, res = lint(doc)
    assert codes(res) == []
