"""Engine rules for the API shapes: one rule per kind of schema problem.

The schema validator (``ses_lsp.lint.validator``) produces these in a single
walk; each keyword of the generated JSON Schema maps to exactly one rule.
"""

from __future__ import annotations

from ses_lsp.lint.diagnostics import Severity
from ses_lsp.lint.references import BOTOCORE_MAILMANAGER, BOTOCORE_SES, SES_API
from ses_lsp.lint.registry import SOURCE_MODEL, Example, Rule, RuleDoc

E, W = Severity.ERROR, Severity.WARNING

MM_API = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_Operations_MailManager.html"
BOTOCORE = (BOTOCORE_SES, BOTOCORE_MAILMANAGER)

RULE = "ses:create-receipt-rule"
MM_RULE_SET = "mailmanager:create-rule-set"
INGRESS = "mailmanager:create-ingress-point"


UNKNOWN_MEMBER = Rule(
    code="SES101",
    name="unknown-member",
    severity=E,
    summary="A member the API shape does not have.",
    source=SOURCE_MODEL,
    fixable=True,
    doc=RuleDoc(
        what="Reports a key that is not a member of the object's API shape, with the closest member as a suggestion.",
        why=(
            "The AWS CLI rejects unknown keys in `--cli-input-json`/`--cli-input-yaml` files "
            "(`Unknown parameter`), and in CloudFormation-style tooling they are silently dropped."
        ),
        bad=Example("SES101-bad.yaml", RULE),
        good=Example("SES101-good.yaml", RULE),
        references=(SES_API + "API_S3Action.html", *BOTOCORE),
    ),
)

MISSING_REQUIRED = Rule(
    code="SES102",
    name="missing-required-member",
    severity=E,
    summary="A member the API requires is missing.",
    source=SOURCE_MODEL,
    doc=RuleDoc(
        what="Reports, on the object that lacks it, each required member that is absent.",
        why="The AWS CLI refuses the call (`Missing required parameter`) before sending anything.",
        bad=Example("SES102-bad.yaml", RULE),
        good=Example("SES102-good.yaml", RULE),
        references=(SES_API + "API_S3Action.html", *BOTOCORE),
    ),
)

WRONG_TYPE = Rule(
    code="SES103",
    name="wrong-type",
    severity=E,
    summary="A value of the wrong JSON type (e.g. a string where a list is expected).",
    source=SOURCE_MODEL,
    doc=RuleDoc(
        what="Reports a value whose type does not match the API shape: object, list, string, number or boolean.",
        why="The AWS CLI rejects the parameter (`Invalid type for parameter`).",
        bad=Example("SES103-bad.yaml", RULE),
        good=Example("SES103-good.yaml", RULE),
        references=(*BOTOCORE,),
    ),
)

INVALID_ENUM = Rule(
    code="SES104",
    name="invalid-enum-value",
    severity=E,
    summary="A value that is not one of the values the API allows.",
    source=SOURCE_MODEL,
    fixable=True,
    doc=RuleDoc(
        what="Reports a string that is not in the member's list of allowed values, listing them and the closest one.",
        why=(
            "botocore does not check enums on the client: the mistake reaches the service and fails "
            "there, or at deploy time in CI."
        ),
        bad=Example("SES104-bad.yaml", RULE),
        good=Example("SES104-good.yaml", RULE),
        references=(SES_API + "API_ReceiptRule.html", *BOTOCORE),
    ),
)

PATTERN_MISMATCH = Rule(
    code="SES105",
    name="pattern-mismatch",
    severity=E,
    summary="A string that does not have the form the API requires.",
    source=SOURCE_MODEL,
    doc=RuleDoc(
        what="Reports a string that does not match the member's pattern, and says in words what is allowed.",
        why="botocore does not check patterns on the client; the service rejects the call.",
        bad=Example("SES105-bad.yaml", MM_RULE_SET),
        good=Example("SES105-good.yaml", MM_RULE_SET),
        references=(MM_API, *BOTOCORE),
    ),
)

STRING_TOO_SHORT = Rule(
    code="SES106",
    name="string-too-short",
    severity=E,
    summary="A string shorter than the API's minimum length.",
    source=SOURCE_MODEL,
    doc=RuleDoc(
        what="Reports a string shorter than the member's minimum length (e.g. an empty name).",
        why="The AWS CLI rejects it (`Invalid length for parameter`).",
        bad=Example("SES106-bad.yaml", INGRESS),
        good=Example("SES106-good.yaml", INGRESS),
        references=(MM_API, *BOTOCORE),
    ),
)

STRING_TOO_LONG = Rule(
    code="SES107",
    name="string-too-long",
    severity=E,
    summary="A string longer than the API's maximum length.",
    source=SOURCE_MODEL,
    doc=RuleDoc(
        what="Reports a string longer than the member's maximum length, with both lengths.",
        why="botocore does not check maximum lengths; the service rejects the call.",
        bad=Example("SES107-bad.yaml", INGRESS),
        good=Example("SES107-good.yaml", INGRESS),
        references=(MM_API, *BOTOCORE),
    ),
)

TOO_FEW_ITEMS = Rule(
    code="SES108",
    name="too-few-items",
    severity=E,
    summary="A list or map with fewer entries than the API's minimum.",
    source=SOURCE_MODEL,
    doc=RuleDoc(
        what="Reports a list (or map) with fewer items than the member allows, e.g. an empty `Actions` list.",
        why="The AWS CLI rejects it (`Invalid length for parameter`).",
        bad=Example("SES108-bad.yaml", MM_RULE_SET),
        good=Example("SES108-good.yaml", MM_RULE_SET),
        references=(MM_API, *BOTOCORE),
    ),
)

TOO_MANY_ITEMS = Rule(
    code="SES109",
    name="too-many-items",
    severity=E,
    summary="A list or map with more entries than the API's maximum.",
    source=SOURCE_MODEL,
    doc=RuleDoc(
        what="Reports a list (or map) with more items than the member allows.",
        why="botocore does not check maximums; the service rejects the call.",
        bad=Example("SES109-bad.yaml", MM_RULE_SET),
        good=Example("SES109-good.yaml", MM_RULE_SET),
        references=(MM_API, *BOTOCORE),
    ),
)

NUMBER_OUT_OF_RANGE = Rule(
    code="SES110",
    name="number-out-of-range",
    severity=E,
    summary="A number outside the range the API allows.",
    source=SOURCE_MODEL,
    doc=RuleDoc(
        what="Reports a number below the member's minimum or above its maximum.",
        why="The service rejects out-of-range numbers; botocore checks only some minimums.",
        bad=None,
        good=None,
        references=(*BOTOCORE,),
        notes=(
            "No member of the receiving operations has a numeric range today; the rule is kept for the model's future."
        ),
    ),
)

UNION_MEMBER_COUNT = Rule(
    code="SES111",
    name="union-member-count",
    severity=E,
    summary="An action or condition that must set exactly one member sets none or several.",
    source=SOURCE_MODEL,
    doc=RuleDoc(
        what=(
            "Reports a tagged union (a Mail Manager rule action, condition or operand) with zero or "
            "several members, once on the entry, naming the members found."
        ),
        why=(
            "A union carries exactly one choice; with two, the AWS CLI rejects the call, and the "
            "author probably meant two list entries."
        ),
        bad=Example("SES111-bad.yaml", MM_RULE_SET),
        good=Example("SES111-good.yaml", MM_RULE_SET),
        references=(MM_API + " (RuleAction)", *BOTOCORE),
    ),
)

INVALID_TIMESTAMP = Rule(
    code="SES112",
    name="invalid-timestamp",
    severity=E,
    summary="A timestamp that the AWS CLI cannot read.",
    source=SOURCE_MODEL,
    doc=RuleDoc(
        what=(
            "Reports a timestamp that is neither ISO 8601 nor epoch seconds, or names a date or time "
            "that does not exist (`2026-02-30`, second `60`, zone `+24:00`). The forms are the "
            "generated schema's timestamp pattern, so other JSON Schema tools agree."
        ),
        why="The AWS CLI fails to parse it (`Invalid timestamp`) and sends nothing.",
        bad=Example("SES112-bad.yaml", "ses:send-bounce"),
        good=Example("SES112-good.yaml", "ses:send-bounce"),
        references=(
            "https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-parameters-types.html#parameter-type-timestamp",
        ),
    ),
)

DEPRECATED_MEMBER = Rule(
    code="SES113",
    name="deprecated-member",
    severity=W,
    summary="A member the API model marks deprecated.",
    source=SOURCE_MODEL,
    doc=RuleDoc(
        what="Reports members the service model marks as deprecated.",
        why="Deprecated members may stop working; the model's documentation names the replacement.",
        bad=None,
        good=None,
        references=(*BOTOCORE,),
    ),
)

RULES = [
    UNKNOWN_MEMBER,
    MISSING_REQUIRED,
    WRONG_TYPE,
    INVALID_ENUM,
    PATTERN_MISMATCH,
    STRING_TOO_SHORT,
    STRING_TOO_LONG,
    TOO_FEW_ITEMS,
    TOO_MANY_ITEMS,
    NUMBER_OUT_OF_RANGE,
    UNION_MEMBER_COUNT,
    INVALID_TIMESTAMP,
    DEPRECATED_MEMBER,
]
