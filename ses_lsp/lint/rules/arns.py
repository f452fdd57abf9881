"""Semantic rules: ARNs and references (SES7xx).

Every ARN-valued field is parsed once into ``arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE``
and checked against what the field expects (service and resource type),
which partitions exist, what a Region and an account ID look like, and
(classic receipt rules) that every target lives in the receiving Region.  The ARN
grammar, the partitions and Regions, and the ARN each field takes are
:mod:`ses_lsp.knowledge.arns`; this module finds the fields and reports.

Placeholders (``${AWS::Region}``, ``${Var}``, ``{{var}}``, ``<account-id>``,
``$(cmd)``, ``$VAR``, ``%s``, ...) make the segment they sit in unknown: an
unknown segment is never reported.  Values the schema pass already reported
(SES1xx on the same node) are skipped.
"""

from __future__ import annotations

from collections.abc import Iterator

from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.knowledge.arns import (
    ACCOUNT_IDS_DOC,
    ARN_DOC,
    CONNECT_INSTANCE,
    IAM_ROLE,
    KMS_KEY,
    LAMBDA_FUNCTION,
    PARTITIONS,
    PARTITIONS_DOC,
    REGIONS_DOC,
    SECRET,
    SES_MANAGED_KEY_ALIAS,
    SNS_TOPIC,
    WORKMAIL_ORG,
    Arn,
    Expect,
    arn_structure_problem,
    is_account,
    is_kms_key_id,
    is_lambda_function_name,
    is_region,
    partition_of_region,
    resource_problem,
    service_name,
    starts_like_arn,
)
from ses_lsp.knowledge.s3 import bucket_name_problem
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Related, Severity
from ses_lsp.lint.references import FLOCI_RULE_PROBES
from ses_lsp.lint.registry import SOURCE_DOCS, SOURCE_OBSERVED, Example, Rule, RuleDoc
from ses_lsp.lint.rules.common import (
    CLASSIC_RULE_KINDS,
    MM_INGRESS_KINDS,
    MM_RULE_SET_KINDS,
    classic_rule_nodes,
    ctx_cache,
    has_placeholder,
    mm_rule_nodes,
    schema_spans,
)
from ses_lsp.lint.text import _MASK, closest, quote

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

S3_ACTION_DOC = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-s3.html"
SNS_ACTION_DOC = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-sns.html"
LAMBDA_ACTION_DOC = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda.html"
WORKMAIL_ACTION_DOC = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-workmail.html"
API_S3_ACTION = "https://docs.aws.amazon.com/ses/latest/APIReference/API_S3Action.html"
S3_BUCKET_NAMING = "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html"
API_LAMBDA_ACTION = "https://docs.aws.amazon.com/ses/latest/APIReference/API_LambdaAction.html"
MM_API_RULE_ACTION = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_RuleAction.html"

# -- the fields of each document ----------------------------------------------------------


class ArnField:
    """One ARN-valued string of the document, what it must hold, and its parts (parsed once)."""

    __slots__ = ("node", "expect", "where", "classic", "id_allowed", "value", "problem", "arn")

    def __init__(self, node: Node, expect: Expect, where: str, classic: bool, id_allowed: bool = False) -> None:
        self.node = node
        self.expect = expect
        self.where = where  # "S3Action.KmsKeyArn"
        self.classic = classic  # a classic receipt rule action (same-Region rule applies)
        # MM S3SseKmsKeyId and similar: a key ID or alias name is fine too.
        self.id_allowed = id_allowed
        value = node.str_value
        self.value = value
        # Why the value is not shaped like an ARN (None: it is, or a placeholder hides it),
        # and its parts when it is (None otherwise, or when it does not start like one).
        self.problem = arn_structure_problem(value)
        self.arn = Arn.parse(value) if self.problem is None else None


def _str(node: Node | None) -> Node | None:
    return node if node is not None and node.kind == STRING else None


# Classic action members holding ARNs (besides every action's TopicArn).
_CLASSIC_FIELDS: dict[str, tuple[tuple[str, Expect], ...]] = {
    "LambdaAction": (("FunctionArn", LAMBDA_FUNCTION),),
    "S3Action": (("KmsKeyArn", KMS_KEY), ("IamRoleArn", IAM_ROLE)),
    "WorkmailAction": (("OrganizationArn", WORKMAIL_ORG),),
    "ConnectAction": (("InstanceARN", CONNECT_INSTANCE), ("IAMRoleARN", IAM_ROLE)),
}


# Per action type: (member, what it must hold, "Action.Member"), built on first use.
_CLASSIC_MEMBERS: dict[str, tuple[tuple[str, Expect, str], ...]] = {}


def _all_actions(rule: Node) -> Iterator[tuple[str, Node]]:
    """(action type, body) for every member of every action entry (entries with several members too)."""
    acts = rule.get("Actions")
    if acts is None or acts.kind != ARRAY:
        return
    for entry in acts.list_value:
        if entry.kind == OBJECT:
            for name, body in entry.dict_value.items():
                if body.kind == OBJECT:
                    yield name, body


def arn_fields(ctx: LintContext) -> list[ArnField]:
    """Every ARN-valued string of the document with what it must hold, in document order."""
    out: list[ArnField] = []
    if ctx.kind in CLASSIC_RULE_KINDS:
        append = out.append
        table = _CLASSIC_MEMBERS
        for rule in classic_rule_nodes(ctx):
            acts = rule.dict_value.get("Actions")
            if acts is None or acts.kind != ARRAY:
                continue
            for entry in acts.list_value:
                if entry.kind != OBJECT:
                    continue
                # Every member of the entry (entries with several members too).
                for name, body in entry.dict_value.items():
                    if body.kind != OBJECT:
                        continue
                    members = table.get(name)
                    if members is None:
                        members = table[name] = tuple(
                            (m, e, f"{name}.{m}") for m, e in (("TopicArn", SNS_TOPIC), *_CLASSIC_FIELDS.get(name, ()))
                        )
                    values = body.dict_value
                    for member, expect, where in members:
                        n = values.get(member)
                        if n is not None and n.kind == STRING:
                            append(ArnField(n, expect, where, True))
    elif ctx.kind in MM_RULE_SET_KINDS:
        for rule in mm_rule_nodes(ctx):
            for name, body in _all_actions(rule):
                role = _str(body.get("RoleArn"))
                if name == "PublishToSns":
                    n = _str(body.get("TopicArn"))
                    if n is not None:
                        out.append(ArnField(n, SNS_TOPIC, f"{name}.TopicArn", False))
                elif name == "InvokeLambda":
                    n = _str(body.get("FunctionArn"))
                    if n is not None:
                        out.append(ArnField(n, LAMBDA_FUNCTION, f"{name}.FunctionArn", False))
                elif name == "WriteToS3":
                    n = _str(body.get("S3SseKmsKeyId"))
                    if n is not None:
                        out.append(ArnField(n, KMS_KEY, f"{name}.S3SseKmsKeyId", False, id_allowed=True))
                if role is not None:
                    out.append(ArnField(role, IAM_ROLE, f"{name}.RoleArn", False))
    elif ctx.kind in MM_INGRESS_KINDS:
        root = ctx.root
        conf = root.get("IngressPointConfiguration") if root is not None else None
        if conf is not None and conf.kind == OBJECT:
            n = _str(conf.get("SecretArn"))
            if n is not None:
                out.append(ArnField(n, SECRET, "IngressPointConfiguration.SecretArn", False))
            tls = conf.get("TlsAuthConfiguration")
            store = tls.get("TrustStore") if tls is not None and tls.kind == OBJECT else None
            if store is not None and store.kind == OBJECT:
                n = _str(store.get("KmsKeyArn"))
                if n is not None:
                    out.append(ArnField(n, KMS_KEY, "TrustStore.KmsKeyArn", False))
    return out


def _fields(ctx: LintContext) -> list[ArnField]:
    def build() -> list[ArnField]:
        spans = schema_spans(ctx)
        return [f for f in arn_fields(ctx) if (f.node.start, f.node.end) not in spans]

    return ctx_cache(ctx, "arn-fields", build)


def _is_bare_function_name(f: ArnField, value: str) -> bool:
    return f.expect is LAMBDA_FUNCTION and is_lambda_function_name(value)


# -- checks -------------------------------------------------------------------------------


def _check_invalid_arn(ctx: LintContext) -> None:
    for f in _fields(ctx):
        value = f.value
        if f.id_allowed and not starts_like_arn(value):
            if has_placeholder(value) or is_kms_key_id(value):
                continue
            ctx.report(
                f.node,
                f"{f.where} is {quote(value)}, which is neither a KMS key ARN, a key ID nor an "
                f"alias name; use a key ARN such as {f.expect.example}",
            )
            continue
        if _is_bare_function_name(f, value):
            continue  # lambda-function-name-not-arn
        problem = f.problem
        if problem is not None:
            ctx.report(
                f.node, f"{f.where} is {quote(value)}: {problem}; expected {f.expect.what} such as {f.expect.example}"
            )
            continue
        arn = f.arn
        if arn is None:
            continue
        if arn.service is not None and arn.service != f.expect.service:
            continue  # wrong-arn-type says it
        if f.expect.regional and arn.region is not None:
            if arn.region == "":
                ctx.report(
                    f.node,
                    f"{f.where} {quote(value)} has no Region; {service_name(f.expect.service)} "
                    f"ARNs name the Region of the resource, e.g. {f.expect.example}",
                )
                continue
            if not is_region(arn.region):
                hint = arn.region.lower() if is_region(arn.region.lower()) else None
                ctx.report(
                    f.node,
                    f"{f.where} {quote(value)} has the Region {quote(arn.region)}, which is not a "
                    f"Region name (such as 'us-east-1')" + (f"; did you mean {quote(hint)}?" if hint else ""),
                )
                continue
        elif not f.expect.regional and arn.region:
            ctx.report(
                f.node,
                f"{f.where} {quote(value)} has the Region {quote(arn.region)}, but "
                f"{service_name(f.expect.service)} ARNs have an empty Region: "
                f"arn:PARTITION:{f.expect.service}::ACCOUNT:...",
            )
            continue
        if arn.account is not None and not is_account(arn.account):
            if arn.account == "":
                msg = "has no account ID"
            elif arn.account.isdigit():
                msg = f"has the account ID {quote(arn.account)} ({len(arn.account)} digits)"
            else:
                msg = f"has the account ID {quote(arn.account)}"
            ctx.report(f.node, f"{f.where} {quote(value)} {msg}; an AWS account ID is exactly 12 digits")
            continue


def _check_partition(ctx: LintContext) -> None:
    for f in _fields(ctx):
        value = f.value
        arn = f.arn
        if arn is None or arn.partition is None:
            continue
        if arn.partition not in PARTITIONS:
            hint = closest(arn.partition, PARTITIONS, cutoff=0.5)
            ctx.report(
                f.node,
                f"{f.where} {quote(value)} has the partition {quote(arn.partition)}, which does "
                f"not exist; partitions are {', '.join(PARTITIONS)}"
                + (f"; did you mean {quote(hint)}?" if hint else ""),
            )
            continue
        if arn.region and is_region(arn.region):
            want = partition_of_region(arn.region)
            if want != arn.partition:
                ctx.report(
                    f.node,
                    f"{f.where} {quote(value)} pairs the partition {quote(arn.partition)} with the "
                    f"Region {quote(arn.region)}, which belongs to the {quote(want)} partition; write "
                    f"arn:{want}:...",
                )


def _check_wrong_type(ctx: LintContext) -> None:
    for f in _fields(ctx):
        value = f.value
        arn = f.arn
        if arn is None:
            continue
        if arn.service is not None and arn.service != f.expect.service:
            ctx.report(
                f.node,
                f"{f.where} is {quote(value)}, an ARN of the service {quote(arn.service)} "
                f"({service_name(arn.service)}); expected {f.expect.what} (service "
                f"{quote(f.expect.service)}) such as {f.expect.example}",
            )
            continue
        if arn.service is None:
            continue
        problem = resource_problem(f.expect, arn)
        if problem is not None:
            ctx.report(f.node, f"{f.where}: {problem}")


def _check_bare_function_name(ctx: LintContext) -> None:
    for f in _fields(ctx):
        value = f.value
        if not _is_bare_function_name(f, value):
            continue
        region = ctx.config.region or "REGION"
        example = f"arn:aws:lambda:{region}:ACCOUNT-ID:function:{value}"
        if f.classic:
            ctx.report(
                f.node,
                f"{f.where} is the function name {quote(value)}, not an ARN; SES rejects names "
                f"here: write the full function ARN, {example}",
            )
        else:
            ctx.report(
                f.node,
                f"{f.where} is the function name {quote(value)}, not an ARN; the API asks for "
                f"the function ARN: write {example}",
                severity=W,
            )


def _check_kms_alias(ctx: LintContext) -> None:
    if ctx.kind not in CLASSIC_RULE_KINDS:
        return
    for f in _fields(ctx):
        if f.expect is not KMS_KEY or not f.classic:
            continue
        value = f.value
        arn = f.arn
        if arn is None or arn.service != "kms" or not arn.positional or arn.resource is None:
            continue
        res = arn.resource
        if not res.startswith("alias/") or _MASK in res or res == SES_MANAGED_KEY_ALIAS:
            continue
        ctx.report(
            f.node,
            f"S3Action.KmsKeyArn {quote(value)} is an alias ARN; SES needs the full key ARN "
            f"(arn:...:key/KEY-ID) for a customer managed key; only the AWS managed key is given by its "
            f"alias, alias/aws/ses",
        )


def _check_region(ctx: LintContext) -> None:
    """Classic actions: every target in the receiving Region (config) or, without it, in one Region."""
    targets: list[tuple[ArnField, str]] = []
    for f in _fields(ctx):
        if not f.classic or not f.expect.regional or f.expect is CONNECT_INSTANCE:
            continue
        arn = f.arn
        if arn is None or arn.service != f.expect.service or not arn.region or not is_region(arn.region):
            continue
        if arn.partition is not None and arn.partition != partition_of_region(arn.region):
            continue  # invalid-arn-partition says it
        targets.append((f, arn.region))
    want = ctx.config.region
    if want:
        for f, region in targets:
            if region != want:
                ctx.report(
                    f.node,
                    f"{f.where} {quote(f.value)} is in {region}, but mail is received in {want} "
                    f"(the configured Region); SES uses {service_name(f.expect.service)} targets in its own "
                    f"receiving Region only",
                )
        return
    if not targets:
        return
    counts: dict[str, int] = {}
    for _f, region in targets:
        counts[region] = counts.get(region, 0) + 1
    if len(counts) < 2:
        return
    # The Region most targets use (the earliest on a tie) is taken as the receiving Region.
    order = [r for _f, r in targets]
    main = max(counts, key=lambda r: (counts[r], -order.index(r)))
    first = next(f for f, r in targets if r == main)
    others = counts[main] - 1
    also = f" and {others} other target{'s' if others > 1 else ''}" if others else ""
    for f, region in targets:
        if region == main:
            continue
        ctx.report(
            f.node,
            f"{f.where} {quote(f.value)} is in {region}, while {first.where} {quote(first.value)}{also} "
            f"{'are' if others else 'is'} in {main}; SES uses targets in its own receiving Region only, so they "
            f"cannot all be right (set `region` in the configuration to check against the receiving Region)",
            related=[Related(first.node.start, first.node.end, f"{first.where} in {main}")],
        )


# -- rules ------------------------------------------------------------------------------

RULE_KIND = "ses:create-receipt-rule"


INVALID_ARN = Rule(
    code="SES701",
    name="invalid-arn",
    severity=E,
    summary="An ARN field that does not hold a well-formed ARN (six parts, a Region, a 12-digit account).",
    source=SOURCE_OBSERVED,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS | MM_INGRESS_KINDS,
    check=_check_invalid_arn,
    doc=RuleDoc(
        what=(
            "Reports an ARN field (TopicArn, FunctionArn, KmsKeyArn, OrganizationArn, IamRoleArn, Mail Manager "
            "RoleArn, S3SseKmsKeyId, ...) whose value is not of the form "
            "`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`: not starting with `arn:`, too few parts, a Region "
            "that is not a Region name (or a Region on a global IAM ARN), or an account ID that is not 12 digits. "
            "Placeholders such as `${AWS::Region}` or `{{account}}` make their part unknown and are never reported."
        ),
        why=(
            "The classic API types these fields as plain strings, so nothing checks them before the call; SES then "
            "rejects the rule when it validates its targets (InvalidSnsTopic, InvalidLambdaFunction, "
            "InvalidS3Configuration), or the rule set fails at deploy time."
        ),
        bad=Example("SES701-bad.yaml", RULE_KIND),
        good=Example("SES701-good.yaml", RULE_KIND),
        references=(
            ARN_DOC,
            SNS_ACTION_DOC,
            ACCOUNT_IDS_DOC,
        ),
    ),
)

WRONG_ARN_TYPE = Rule(
    code="SES702",
    name="wrong-arn-type",
    severity=E,
    summary="An ARN of another service or resource type than the field expects (e.g. an SNS topic in FunctionArn).",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS | MM_INGRESS_KINDS,
    check=_check_wrong_type,
    doc=RuleDoc(
        what=(
            "Reports an ARN whose service or resource type does not fit the field: TopicArn must be an SNS topic "
            "(not a subscription), FunctionArn a Lambda function, KmsKeyArn a KMS key or alias, OrganizationArn a "
            "WorkMail organization, IamRoleArn/RoleArn an IAM role. The message names the service expected."
        ),
        why="A target of the wrong kind can never work: SES rejects the rule when it checks the target.",
        bad=Example("SES702-bad.yaml", RULE_KIND),
        good=Example("SES702-good.yaml", RULE_KIND),
        references=(ARN_DOC, API_LAMBDA_ACTION, MM_API_RULE_ACTION),
    ),
)

INVALID_PARTITION = Rule(
    code="SES703",
    name="invalid-arn-partition",
    severity=E,
    summary="An ARN partition that does not exist, or that does not own the ARN's Region.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS | MM_INGRESS_KINDS,
    check=_check_partition,
    doc=RuleDoc(
        what=(
            "Reports an ARN whose partition is not one of aws, aws-cn, aws-us-gov, aws-iso, aws-iso-b, aws-iso-e, "
            "aws-iso-f, aws-eusc, or whose Region belongs to another partition (`cn-*` Regions are in aws-cn, "
            "`us-gov-*` in aws-us-gov, ...)."
        ),
        why="No resource has such an ARN, so the target cannot exist and SES rejects the rule.",
        bad=Example("SES703-bad.yaml", RULE_KIND),
        good=Example("SES703-good.yaml", RULE_KIND),
        references=(ARN_DOC, PARTITIONS_DOC, REGIONS_DOC),
    ),
)

BARE_FUNCTION_NAME = Rule(
    code="SES704",
    name="lambda-function-name-not-arn",
    severity=E,
    summary="A Lambda function name where the function ARN is required.",
    source=SOURCE_OBSERVED,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS,
    check=_check_bare_function_name,
    doc=RuleDoc(
        what=(
            "Reports a `LambdaAction.FunctionArn` (classic) or `InvokeLambda.FunctionArn` (Mail Manager) that holds "
            "a bare function name such as `process-mail`. Error for classic rules; warning for Mail Manager, where "
            "the API asks for an ARN but no probe has shown a name being rejected."
        ),
        why=(
            "Live SES rejects a classic receipt rule whose FunctionArn is a function name (observed by the floci "
            "emulator's recorded probes); the Lambda console accepts names, which is where the habit comes from."
        ),
        bad=Example("SES704-bad.yaml", RULE_KIND),
        good=Example("SES704-good.yaml", RULE_KIND),
        references=(API_LAMBDA_ACTION, LAMBDA_ACTION_DOC, FLOCI_RULE_PROBES),
    ),
)

# -- SES707 s3-bucket-name-invalid ------------------------------------------------------


def _bucket_names(ctx: LintContext) -> Iterator[Node]:
    """Every S3 bucket name of a rule set or rule: classic ``S3Action.BucketName``, Mail
    Manager ``WriteToS3.S3Bucket``."""
    if ctx.kind in CLASSIC_RULE_KINDS:
        rules, action, member = classic_rule_nodes(ctx), "S3Action", "BucketName"
    else:
        rules, action, member = mm_rule_nodes(ctx), "WriteToS3", "S3Bucket"
    for rule in rules:
        for name, body in _all_actions(rule):
            node = _str(body.get(member)) if name == action else None
            if node is not None:
                yield node


def _check_bucket_names(ctx: LintContext) -> None:
    reported = schema_spans(ctx)
    for node in _bucket_names(ctx):
        value = node.str_value
        if has_placeholder(value) or (node.start, node.end) in reported:
            continue
        found = bucket_name_problem(value)
        if found is None:
            continue
        problem, legacy = found
        advice = (
            " (only a bucket created in us-east-1 before March 2018 can have this name)"
            if legacy
            else "; no S3 bucket can have this name"
        )
        ctx.report(node, f"bucket name {quote(value)} {problem}{advice}")


BUCKET_NAME = Rule(
    code="SES707",
    name="s3-bucket-name-invalid",
    severity=W,
    summary="An S3 bucket name that S3's bucket naming rules forbid.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS,
    check=_check_bucket_names,
    doc=RuleDoc(
        what=(
            "Reports a classic `S3Action.BucketName` or Mail Manager `WriteToS3.S3Bucket` that breaks S3's "
            "naming rules for general purpose buckets: 3-63 characters, lower-case letters, digits, `.` and `-`, "
            "a letter or digit first and last, no `..`, not an IP address, none of the prefixes and suffixes S3 "
            "reserves. Says when only a legacy bucket (us-east-1, before March 2018: upper case, `_`, up to 255 "
            "characters) can have the name."
        ),
        why=(
            "Neither API model checks bucket names, so the rule is created and fails on every message: SES "
            "cannot write to a bucket that cannot exist. Upper-case names usually come from copied examples "
            "(`MyBucket`)."
        ),
        bad=Example("SES707-bad.yaml", RULE_KIND),
        good=Example("SES707-good.yaml", RULE_KIND),
        references=(S3_BUCKET_NAMING, S3_ACTION_DOC, API_S3_ACTION),
        notes="Names holding a template placeholder (`${Bucket}`) are not checked.",
    ),
)

KMS_ALIAS = Rule(
    code="SES705",
    name="s3-action-kms-alias",
    severity=W,
    summary="S3Action.KmsKeyArn given as an alias ARN other than alias/aws/ses.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_kms_alias,
    doc=RuleDoc(
        what=(
            "Reports an `S3Action.KmsKeyArn` of the form `arn:aws:kms:REGION:ACCOUNT:alias/NAME` where NAME is not "
            "`aws/ses`."
        ),
        why=(
            "The S3 action documentation says to give the AWS managed key as `alias/aws/ses` and a customer "
            'managed key by its fully qualified key ARN, "and not the KMS key alias".'
        ),
        bad=Example("SES705-bad.yaml", RULE_KIND),
        good=Example("SES705-good.yaml", RULE_KIND),
        references=(S3_ACTION_DOC, API_S3_ACTION),
    ),
)

REGION_MISMATCH = Rule(
    code="SES706",
    name="arn-region-mismatch",
    severity=W,
    summary="A receipt-rule target (SNS, Lambda, KMS, WorkMail) outside the receiving Region.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_region,
    doc=RuleDoc(
        what=(
            "Reports SNS topic, Lambda function, KMS key and WorkMail organization ARNs of classic receipt-rule "
            "actions whose Region is not the receiving Region. With `region` set in the configuration, every ARN "
            "in another Region is reported; without it, ARNs whose Region differs from the Region most targets "
            "use are reported (one of the two must be wrong)."
        ),
        why=(
            "The SES action pages require the SNS topic, Lambda function, KMS key and WorkMail organization to be "
            "in the same AWS Region as the SES receiving endpoint; a target elsewhere makes the rule fail."
        ),
        bad=Example("SES706-bad.yaml", RULE_KIND),
        good=Example("SES706-good.yaml", RULE_KIND),
        references=(SNS_ACTION_DOC, LAMBDA_ACTION_DOC, S3_ACTION_DOC, WORKMAIL_ACTION_DOC),
        notes='Set the receiving Region with `region = "us-east-1"` in `[tool.ses-lsp]`.',
    ),
)

RULES = [
    INVALID_ARN,
    WRONG_ARN_TYPE,
    INVALID_PARTITION,
    BARE_FUNCTION_NAME,
    KMS_ALIAS,
    REGION_MISMATCH,
    BUCKET_NAME,
]
