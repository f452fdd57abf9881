"""Message helpers: quoting, lists, suggestions, patterns in words."""

from __future__ import annotations

import re

from ses_lsp.document.nodes import INTRINSIC, STRING, Node


def quote(value: str) -> str:
    """Quote a value for a one-line message (control characters escaped)."""
    if value.isprintable() and '"' not in value and "\\" not in value:
        return f'"{value}"'
    out = value.replace("\\", "\\\\").replace('"', '\\"')
    out = out.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    out = "".join(c if c.isprintable() or c == " " else f"\\u{ord(c):04x}" for c in out)
    return f'"{out}"'


def quote_list(values, limit: int = 12) -> str:
    values = list(values)
    shown = ", ".join(quote(str(v)) for v in values[:limit])
    if len(values) > limit:
        shown += f", ... ({len(values) - limit} more)"
    return shown


def closest(word: str, candidates, cutoff: float = 0.6) -> str | None:
    """The closest candidate: case-insensitive equality first, then difflib."""
    cands = list(candidates)
    low = word.lower()
    for c in cands:
        if c.lower() == low:
            return c
    import difflib

    lowered = {c.lower(): c for c in cands}
    match = difflib.get_close_matches(low, list(lowered), n=1, cutoff=cutoff)
    if match:
        return lowered[match[0]]
    # A shortened name ("Prefix" for "ObjectKeyPrefix"): a unique candidate containing it.
    if len(low) >= 4:
        containing = [c for c in cands if low in c.lower()]
        if len(containing) == 1:
            return containing[0]
    return None


# Patterns the API model uses, in words.  Keys are botocore's pattern text.
_PATTERN_WORDS: dict[str, str] = {
    r"((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)/([0-9]|[12][0-9]|3[0-2])": (
        "expected an IPv4 CIDR block such as '203.0.113.0/24'"
    ),
    r"(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|:((:[0-9a-fA-F]{1,4}){1,7}|:))\/(12[0-8]|1[0-1][0-9]|[1-9][0-9]|[0-9])": (
        "expected an IPv6 CIDR block such as '2001:db8::/32'"
    ),
    r"(([0-9]|.|:|/)*)": "expected an IP address or CIDR block",
    r"[45][0-9][0-9]": "expected an SMTP reply code from 400 to 599, e.g. '550'",
    r"[45]\.[0-9]{1,3}\.[0-9]{1,3}": "expected an enhanced status code of the form 4.x.y or 5.x.y, e.g. '5.1.1'",
    r"[a-zA-Z0-9._+-]+@[a-zA-Z0-9.-]+": "expected an email address such as 'user@example.com'",
    r"X-[a-zA-Z0-9-]{1,256}": "expected a header name starting with 'X-' (upper-case X) followed by letters, digits or '-'",
    r"[xX]\-[a-zA-Z0-9\-]+": "expected a header name starting with 'X-' or 'x-' followed by letters, digits or '-'",
    r"[a-zA-Z0-9][a-zA-Z0-9_-]*[a-zA-Z0-9]": (
        "expected ASCII letters, digits, '_' and '-', starting and ending with a letter or digit"
    ),
    r"a-[\w]{1,64}": "expected an archive ID such as 'a-1234567890abcdef'",
    r"ai-[a-zA-Z0-9]{1,64}": "expected an address list ID such as 'ai-1234567890abcdef'",
    r"as-[a-zA-Z0-9]{1,64}": "expected an add-on subscription ID such as 'as-1234567890abcdef'",
    r"vpce-[a-zA-Z0-9]{17}": "expected a VPC endpoint ID such as 'vpce-0123456789abcdef0' ('vpce-' and 17 letters or digits)",
    r"s3://[a-zA-Z0-9.-]{3,63}(/[a-zA-Z0-9!_.*'()/-]*)*": "expected an S3 URI such as 's3://bucket-name/prefix/'",
    r"[\P{C}\s]*": "control and format characters are not allowed",
    r"[\r\n\x20-\x7e]+": "expected printable ASCII characters and line breaks only",
    r"[\x20-\x7e]+": "expected printable ASCII characters only",
    r"(addon\.)?[\sa-zA-Z0-9_]+": "expected letters, digits, '_' and spaces, optionally prefixed with 'addon.'",
    r"arn:(aws|aws-cn|aws-us-gov|aws-eusc):secretsmanager:[a-z0-9-]+:\d{12}:secret:[a-zA-Z0-9/_+=,.@-]+": (
        "expected a Secrets Manager secret ARN: arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME"
    ),
    r"arn:(aws|aws-cn|aws-us-gov|aws-eusc):sns:[a-z0-9-]+:\d{12}:[\w\-]{1,256}": (
        "expected an SNS topic ARN: arn:aws:sns:REGION:ACCOUNT:TOPIC"
    ),
    r"arn:aws(|-cn|-us-gov|-eusc):kms:[a-z0-9-]{1,20}:[0-9]{12}:(key|alias)/.+": (
        "expected a KMS key or alias ARN: arn:aws:kms:REGION:ACCOUNT:key/ID or alias/NAME"
    ),
    r"arn:aws(|-cn|-us-gov|-eusc):ses:[a-z0-9-]{1,20}:[0-9]{12}:(mailmanager-|addon-).+": (
        "expected a Mail Manager resource ARN: arn:aws:ses:REGION:ACCOUNT:mailmanager-..."
    ),
    r"arn:(aws|aws-us-gov):connect:[a-z]{2}-[a-z]+-[0-9-]{1}:[0-9]{1,20}:instance/[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}": (
        "expected an Amazon Connect instance ARN: arn:aws:connect:REGION:ACCOUNT:instance/UUID"
    ),
    r"arn:[\w-]+:iam::[0-9]+:role(\u002F)([\u0021-\u007E]+\u002F)?([\w+=,.@-]+)": (
        "expected an IAM role ARN: arn:aws:iam::ACCOUNT:role/NAME"
    ),
}

_CLASS_ONLY = r"\[([^\]]+)\]([+*])"
_NAMED = {
    "a-z": "lower-case letters",
    "A-Z": "upper-case letters",
    "a-zA-Z": "letters",
    "A-Za-z": "letters",
    "0-9": "digits",
    r"\w": "letters, digits, '_'",
    r"\s": "white space",
}


def describe_pattern(source: str, value: str | None = None) -> str:
    """Say in words what a model pattern allows (and, given the value, what is wrong)."""
    words = _PATTERN_WORDS.get(source)
    if words:
        return words
    m = re.fullmatch(_CLASS_ONLY, source)
    if m:
        allowed = "only " + _describe_class(m.group(1)) + " are allowed"
        if value is not None:
            try:
                cls = re.compile("[" + m.group(1) + "]")
            except re.error:
                cls = None
            bad = next((c for c in value if cls is not None and not cls.fullmatch(c)), None)
            if bad is not None:
                shown = "a space" if bad == " " else quote(bad)
                return f"{shown} is not allowed: {allowed}"
        return allowed
    return f"it must match the pattern {source}"


def _describe_class(body: str) -> str:
    parts: list[str] = []
    i = 0
    for token in ("a-zA-Z", "A-Za-z", "a-z", "A-Z", "0-9"):
        if token in body:
            body = body.replace(token, "", 1)
            parts.append(_NAMED[token])
    body = body.replace("\\", "")
    extra = []
    while i < len(body):
        extra.append(body[i])
        i += 1
    if extra:
        parts.extend(f"'{c}'" for c in extra)
    if len(parts) > 1:
        return ", ".join(parts[:-1]) + " and " + parts[-1]
    return parts[0] if parts else "nothing"


# Template placeholders (CloudFormation, Terraform, Jinja, shell, printf) stand for
# values filled in later: nothing checks their text.  In a CloudFormation template the
# intrinsic functions are placeholders too (INTRINSIC_FUNCTIONS, below).
PLACEHOLDER = (
    r"\$\{[^}]*\}"  # ${AWS::Region}, ${var.x}, ${Var}
    r"|\{\{.*?\}\}"  # {{var}}, {{resolve:ssm:name}}
    r"|#\{[^}]*\}"  # #{AWS::AccountId} (serverless-pseudo-parameters)
    r"|\$\([^)]*\)"  # $(aws sts get-caller-identity ...)
    r"|\$[A-Za-z_][A-Za-z0-9_]*"  # $REGION
    r"|<[^<>@\s]+>"  # <account-id>, <region>
    r"|\{[A-Za-z_][A-Za-z0-9_.-]*\}"  # {region}
    r"|%\([A-Za-z_]\w*\)[sd]|%[sd]"  # %(region)s, %s
)
# What a placeholder is replaced with while an ARN is split (no ':' in it).
_MASK = "\x00"


def mask_placeholders(text: str) -> str:
    """``text`` with each placeholder replaced by one NUL character (never a ':')."""
    if not may_hold_placeholder(text):
        return text
    return re.sub(PLACEHOLDER, _MASK, text)


def has_placeholder(text: str) -> bool:
    """Does ``text`` contain a template placeholder such as ``${Var}`` or ``{{var}}``?"""
    if not may_hold_placeholder(text):
        return False
    return re.search(PLACEHOLDER, text) is not None


# The forms that can only be template interpolation (the others, such as ``$X`` or ``<x>``,
# also occur in real values: a password "pa$word", a message "mailbox <x> unknown").
_INTERPOLATION = "(?s)" r"\$\{[^}]*\}|\{\{.*?\}\}|#\{[^}]*\}|\$\([^)]*\)"


def is_template_value(text: str) -> bool:
    """Is ``text`` filled in by a template: it holds an interpolation (``${Var}``, ``{{var}}``,
    ``#{Var}``, ``$(cmd)``), or the whole value is one placeholder (``$VAR``, ``<password>``)?

    For values such as credentials, where ``has_placeholder`` would take a real ``pa$word``
    for a template."""
    if not may_hold_placeholder(text):
        return False
    return re.search(_INTERPOLATION, text) is not None or re.fullmatch(PLACEHOLDER, text.strip()) is not None


def may_hold_placeholder(text: str) -> bool:
    """A cheap pre-check: every placeholder form contains one of ``$ { < %``."""
    return "$" in text or "{" in text or "<" in text or "%" in text


# CloudFormation's intrinsic functions (and the condition functions): in a template, a value
# written as one of them is computed by CloudFormation at deployment, so it is a placeholder
# like ``${Var}``: its form is never judged.  Long form: an object whose one member is named so
# (``{"Fn::GetAtt": ["Fn", "Arn"]}``); short form (YAML): the tag (``!GetAtt Fn.Arn``), which is
# the name without ``Fn::``.  The template reader (ses_lsp.cfn) resolves those whose value the
# template makes certain and turns the others into placeholder nodes (``is_placeholder_node``).
INTRINSIC_FUNCTIONS = frozenset(
    {
        "Ref",
        "Condition",
        "Fn::And",
        "Fn::Base64",
        "Fn::Cidr",
        "Fn::Equals",
        "Fn::FindInMap",
        "Fn::ForEach",
        "Fn::GetAZs",
        "Fn::GetAtt",
        "Fn::If",
        "Fn::ImportValue",
        "Fn::Join",
        "Fn::Length",
        "Fn::Not",
        "Fn::Or",
        "Fn::Select",
        "Fn::Split",
        "Fn::Sub",
        "Fn::ToJsonString",
        "Fn::Transform",
    }
)
#: YAML short form -> intrinsic function (``!Ref`` -> ``Ref``, ``!Sub`` -> ``Fn::Sub``).
INTRINSIC_SHORT_FORMS = {"!" + name.removeprefix("Fn::"): name for name in INTRINSIC_FUNCTIONS}


def is_placeholder_node(node: Node) -> bool:
    """Is ``node`` (a :class:`~ses_lsp.document.nodes.Node`) a placeholder: a string holding a
    template placeholder, or a value an intrinsic function computes that the template leaves
    open (a node of kind ``intrinsic``, which only the views of template resources hold)?"""
    kind = node.kind
    if kind == INTRINSIC:
        return True
    return kind == STRING and has_placeholder(node.str_value)
