"""Amazon Resource Names: their six parts, the partitions and Regions they name, and the
ARN each SES target field takes.

An ARN is ``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``; the resource part may
itself contain ``:`` and ``/``.  Global services (IAM) leave the Region empty.  Every
Region belongs to exactly one partition, recognisable from its name.

Template placeholders (``${AWS::Region}``, ``{{account}}``, ``<account-id>``, ...) make
the part they sit in unknown: an unknown part is ``None`` and never judged.

Sources:

* ARN format: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
* partitions: https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html
* Regions: https://docs.aws.amazon.com/general/latest/gr/rande.html
* account IDs (12 digits): https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html
* KMS key IDs and aliases: https://docs.aws.amazon.com/kms/latest/developerguide/concepts.html#key-id
* Lambda function names: https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html
* the ARN each receipt-rule action takes: the SES API reference pages of the actions
  (https://docs.aws.amazon.com/ses/latest/APIReference/API_ReceiptAction.html) and of
  the Mail Manager rule actions
  (https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_RuleAction.html).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ses_lsp.lint.text import _MASK, mask_placeholders, quote

ARN_DOC = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html"
PARTITIONS_DOC = "https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/partitions.html"
REGIONS_DOC = "https://docs.aws.amazon.com/general/latest/gr/rande.html"
ACCOUNT_IDS_DOC = "https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-identifiers.html"

# -- partitions, Regions, accounts -------------------------------------------------------

PARTITIONS = ("aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc")
# Region name prefixes that belong to a partition other than "aws" (longest first).
REGION_PARTITIONS = (
    ("us-gov-", "aws-us-gov"),
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("us-iso-", "aws-iso"),
    ("eu-isoe-", "aws-iso-e"),
    ("eusc-", "aws-eusc"),
    ("cn-", "aws-cn"),
)
REGION_RE = r"(?:[a-z]{2}|eusc)(?:-[a-z]+){1,3}-[0-9]{1,2}"


@lru_cache(maxsize=256)  # a file names few Regions, many times
def is_region(text: str) -> bool:
    """Is ``text`` shaped like a Region name (``us-east-1``)?"""
    return re.fullmatch(REGION_RE, text) is not None


def is_account(text: str) -> bool:
    """Is ``text`` an AWS account ID (exactly 12 ASCII digits)?"""
    return len(text) == 12 and text.isascii() and text.isdigit()


@lru_cache(maxsize=256)
def partition_of_region(region: str) -> str:
    """The partition a Region belongs to (``cn-north-1``: ``aws-cn``)."""
    for prefix, partition in REGION_PARTITIONS:
        if region.startswith(prefix):
            return partition
    return "aws"


# -- the parts of an ARN -----------------------------------------------------------------


@dataclass(frozen=True)
class Arn:
    """An ARN split into its six parts.  A part is ``None`` when a placeholder makes it unknown."""

    text: str
    partition: str | None
    service: str | None
    region: str | None
    account: str | None
    resource: str | None
    # True when the parts could be placed with certainty (no placeholder, or
    # placeholders that each stay inside one part).
    positional: bool = True

    @staticmethod
    @lru_cache(maxsize=4096)  # pure; a rule file names the same ARN many times
    def parse(text: str) -> Arn | None:
        """The parts of an ARN, or ``None`` when ``text`` does not even start like one.

        Raises nothing; a value with fewer than six parts and no placeholder
        returns an ``Arn`` whose ``resource`` is ``None`` and ``positional`` False
        (use :func:`arn_structure_problem` for the reason).
        """
        masked = mask_placeholders(text)
        if not masked.startswith("arn:") and not masked.startswith(_MASK):
            return None
        parts = masked.split(":", 5)
        if len(parts) < 6:
            if _MASK in masked:
                # A placeholder may hide several parts: only the leading ones are certain.
                known: list[str | None] = []
                for p in parts:
                    if _MASK in p:
                        break
                    known.append(p)
                known += [None] * (6 - len(known))
                return Arn(text, known[1], known[2], known[3], known[4], None, positional=False)
            return Arn(text, None, None, None, None, None, positional=False)

        def part(p: str) -> str | None:
            return None if _MASK in p else p

        return Arn(
            text,
            part(parts[1]),
            part(parts[2]),
            part(parts[3]),
            part(parts[4]),
            parts[5] if parts[5] else "",
            positional=True,
        )


def starts_like_arn(text: str) -> bool:
    """Does ``text`` start with ``arn:`` or with a placeholder (which may stand for it)?"""
    return mask_placeholders(text).startswith(("arn:", _MASK))


@lru_cache(maxsize=4096)
def arn_structure_problem(text: str) -> str | None:
    """Why ``text`` is not an ARN at all (None when it has the six parts or a placeholder hides them)."""
    masked = mask_placeholders(text)
    if masked.strip() == _MASK or (masked.count(_MASK) and not masked.replace(_MASK, "").strip(":/")):
        return None
    if not masked.startswith("arn:"):
        if masked.startswith(_MASK):
            return None
        if masked.lower().startswith("arn:"):
            return "it must start with lower-case 'arn:'"
        return "it is not an ARN (an ARN starts with 'arn:')"
    parts = masked.split(":", 5)
    if len(parts) < 6:
        if _MASK in masked:
            return None
        return (
            f"it has {len(parts)} ':'-separated part{'s' if len(parts) != 1 else ''}; an ARN has six: "
            "arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE"
        )
    if not parts[5]:
        return "the resource part (after the fifth ':') is empty"
    if not parts[2]:
        return "the service part is empty"
    return None


# -- services and their resources ----------------------------------------------------------

# The names people know the services by, for messages ("an ARN of the service 'sqs' (SQS)").
SERVICE_NAMES = {
    "sns": "SNS",
    "lambda": "Lambda",
    "kms": "KMS",
    "workmail": "WorkMail",
    "iam": "IAM",
    "s3": "S3",
    "secretsmanager": "Secrets Manager",
    "connect": "Amazon Connect",
    "ses": "SES",
    "sqs": "SQS",
    "firehose": "Data Firehose",
    "events": "EventBridge",
    "logs": "CloudWatch Logs",
    "states": "Step Functions",
}


def service_name(service: str) -> str:
    """The usual name of a service (``secretsmanager``: ``Secrets Manager``)."""
    return SERVICE_NAMES.get(service, service)


@dataclass(frozen=True)
class Expect:
    """What an ARN field holds."""

    what: str  # "an SNS topic ARN"
    service: str
    example: str
    regional: bool = True  # has a Region part
    # The resource type: "topic", "function", "key", "organization", "role", "secret", "instance".
    resource_kind: str = ""


SNS_TOPIC = Expect("an SNS topic ARN", "sns", "arn:aws:sns:us-east-1:123456789012:my-topic", resource_kind="topic")
LAMBDA_FUNCTION = Expect(
    "a Lambda function ARN",
    "lambda",
    "arn:aws:lambda:us-east-1:123456789012:function:my-function",
    resource_kind="function",
)
KMS_KEY = Expect(
    "a KMS key ARN",
    "kms",
    "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    resource_kind="key",
)
WORKMAIL_ORG = Expect(
    "a WorkMail organization ARN",
    "workmail",
    "arn:aws:workmail:us-east-1:123456789012:organization/m-68755160c4cb4e29a2b2f8fb58f359d7",
    resource_kind="organization",
)
IAM_ROLE = Expect(
    "an IAM role ARN", "iam", "arn:aws:iam::123456789012:role/ses-role", regional=False, resource_kind="role"
)
SECRET = Expect(
    "a Secrets Manager secret ARN",
    "secretsmanager",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:smtp-abc123",
    resource_kind="secret",
)
CONNECT_INSTANCE = Expect(
    "an Amazon Connect instance ARN",
    "connect",
    "arn:aws:connect:us-east-1:123456789012:instance/11111111-2222-3333-4444-555555555555",
    resource_kind="instance",
)

# How the resource part of each resource type starts (an SNS topic is a bare name).
RESOURCE_PREFIXES = {
    "function": ("function:",),
    "key": ("key/", "alias/"),
    "organization": ("organization/",),
    "role": ("role/",),
    "secret": ("secret:",),
    "instance": ("instance/",),
}

# The AWS managed key SES encrypts with, which SES takes by its alias (other keys by key ARN).
SES_MANAGED_KEY_ALIAS = "alias/aws/ses"


def resource_problem(expect: Expect, arn: Arn) -> str | None:
    """Why the resource part does not name the expected kind of resource (None: fine or unknown)."""
    res = arn.resource
    if res is None or not arn.positional:
        return None
    kind = expect.resource_kind
    if kind == "topic":
        if _MASK not in res and ":" in res:
            return (
                f"{quote(arn.text)} is an SNS subscription ARN (TOPIC:SUBSCRIPTION-ID), not a topic ARN; "
                f"drop the subscription ID"
            )
        return None
    prefixes = RESOURCE_PREFIXES[kind]
    head = res.split(_MASK, 1)[0]
    for p in prefixes:
        if head.startswith(p):
            if res == p:
                return f"{quote(arn.text)} has nothing after {quote(p)}; expected {expect.example}"
            return None
        if _MASK in res and p.startswith(head):
            return None
    shown = re.split(r"[/:]", res, maxsplit=1)[0]
    for p in prefixes:
        if shown == p[:-1]:
            return (
                f"{quote(arn.text)} separates {quote(shown)} from the rest with the wrong character; "
                f"write {quote(p)}, e.g. {expect.example}"
            )
    article = "an" if kind[0] in "aeiou" else "a"
    return (
        f"{quote(arn.text)} names {service_name(expect.service)} resource type {quote(shown)}, not "
        f"{article} {kind}; expected {expect.example}"
    )


# -- identifiers that stand where an ARN may ------------------------------------------------

# Key IDs and alias names that KMS accepts where an ID (not only an ARN) is allowed.
_KMS_KEY_ID = r"(?:mrk-[0-9a-f]{32}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
_KMS_ALIAS_NAME = r"alias/[A-Za-z0-9/_-]+"
# A function name, optionally with a version or alias qualifier.
_LAMBDA_NAME = r"[A-Za-z0-9_-]{1,64}(?::(?:\$LATEST|[A-Za-z0-9_-]+))?"


def is_kms_key_id(text: str) -> bool:
    """Is ``text`` a KMS key ID or an alias name (``alias/NAME``)?"""
    return re.fullmatch(_KMS_KEY_ID, text) is not None or re.fullmatch(_KMS_ALIAS_NAME, text) is not None


def is_lambda_function_name(text: str) -> bool:
    """Is ``text`` a bare Lambda function name (not an ARN); placeholders count as name characters."""
    masked = mask_placeholders(text)
    if masked.startswith(("arn:", _MASK)):
        return False
    return re.fullmatch(_LAMBDA_NAME, masked.replace(_MASK, "x")) is not None
