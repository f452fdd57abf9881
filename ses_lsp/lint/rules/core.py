"""Engine rules about the file itself: syntax, YAML typing, kinds, suppressions.

The engine produces these diagnostics; the entries here give them their
identity and documentation.
"""

from __future__ import annotations

from ses_lsp.lint.diagnostics import Severity
from ses_lsp.lint.references import rfc
from ses_lsp.lint.registry import (
    SOURCE_FORMAT,
    SOURCE_OBSERVED,
    SOURCE_TOOL,
    Example,
    Rule,
    RuleDoc,
)

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

CLI_INPUT = "https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-skeleton.html"
JSON_RFC = rfc(8259, "", "The JavaScript Object Notation (JSON) Data Interchange Format")
YAML_SPEC = "YAML 1.1 (what PyYAML and the AWS CLI read): https://yaml.org/spec/1.1/"


SYNTAX_ERROR = Rule(
    code="SES001",
    name="syntax-error",
    severity=E,
    summary="The file is not valid JSON or YAML.",
    source=SOURCE_FORMAT,
    doc=RuleDoc(
        what="Reports text that the JSON or YAML parser cannot read, at the exact character.",
        why=(
            "`aws ... --cli-input-json` / `--cli-input-yaml` refuses the whole file, and nothing "
            "else in it can be checked until it parses."
        ),
        bad=Example("SES001-bad.json", "ses:create-receipt-rule"),
        good=Example("SES001-good.json", "ses:create-receipt-rule"),
        references=(JSON_RFC, YAML_SPEC),
    ),
    suppressible=False,
)

DUPLICATE_KEY = Rule(
    code="SES002",
    name="duplicate-key",
    severity=E,
    summary="A key appears twice in the same object; the last one silently wins.",
    source=SOURCE_FORMAT,
    fixable=True,
    doc=RuleDoc(
        what="Reports the second occurrence of a key in one object and points at the first.",
        why=(
            "JSON and YAML readers keep only the last value, so the first is silently ignored: "
            "a rule you see in the file is not the rule AWS receives."
        ),
        bad=Example("SES002-bad.yaml", "ses:create-receipt-rule"),
        good=Example("SES002-good.yaml", "ses:create-receipt-rule"),
        references=(JSON_RFC + " section 4 (names SHOULD be unique)",),
    ),
)

UNRECOGNISED_DOCUMENT = Rule(
    code="SES003",
    name="unrecognised-document",
    severity=E,
    summary="The file's SES document kind could not be determined.",
    source=SOURCE_TOOL,
    doc=RuleDoc(
        what=(
            "Reported once for a file given by name whose top-level members match no SES "
            "receiving API input or output. Files met while walking a directory are skipped instead."
        ),
        why="Without a kind, nothing in the file can be checked.",
        bad=Example("SES003-bad.yaml", ""),
        good=Example("SES003-good.yaml", ""),
        notes=(
            "Set the kind with `--kind`, a `kinds` glob mapping in the config, or a YAML modeline "
            "comment `# ses-lsp: kind=ses:create-receipt-rule`. `ses-lsp kinds` lists them."
        ),
    ),
)

YAML_UNQUOTED_SCALAR = Rule(
    code="SES004",
    name="yaml-unquoted-scalar",
    severity=E,
    summary="An unquoted YAML value is read as a number, boolean, null or date where text is expected.",
    source=SOURCE_FORMAT,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports a plain (unquoted) YAML scalar that YAML resolves to a non-string type where "
            "the API expects a string, e.g. `SmtpReplyCode: 550` or `HeaderValue: yes`."
        ),
        why=(
            "YAML turns `550` into an integer and `yes` into `true`; the AWS CLI then rejects the "
            "parameter (`Invalid type for parameter`) or sends a different value than the one written."
        ),
        bad=Example("SES004-bad.yaml", "ses:create-receipt-rule"),
        good=Example("SES004-good.yaml", "ses:create-receipt-rule"),
        references=(YAML_SPEC, CLI_INPUT),
    ),
)

YAML_ALIAS_LIMIT = Rule(
    code="SES005",
    name="yaml-alias-limit",
    severity=E,
    summary="YAML aliases expand into too many nodes.",
    source=SOURCE_TOOL,
    doc=RuleDoc(
        what="Stops expanding YAML aliases past a fixed number of nodes and reports the alias that crossed it.",
        why=(
            "Nested aliases can expand exponentially (the 'billion laughs' document) and hang any "
            "tool that reads the file, the AWS CLI included."
        ),
        bad=None,
        good=None,
        references=("https://en.wikipedia.org/wiki/Billion_laughs_attack",),
    ),
)

UNREADABLE_CONTENT = Rule(
    code="SES006",
    name="unreadable-content",
    severity=E,
    summary="The file is not UTF-8 text, contains binary data, or is too large to check.",
    source=SOURCE_TOOL,
    doc=RuleDoc(
        what=(
            "Reports files that are not valid UTF-8 (UTF-16 and UTF-32 files are named as such), contain NUL "
            "bytes, are larger than 4 MiB, or hold more than 100,000 values; such files are not checked further."
        ),
        why=(
            "The AWS CLI reads parameter files as UTF-8 text; anything else is a wrong file or a broken one. "
            "The largest documents the SES APIs take are under 2 MB and 40,000 values (a classic rule set at "
            "every quota); checking one far larger would take seconds and hundreds of megabytes for a document "
            "the API rejects anyway."
        ),
        bad=None,
        good=None,
    ),
)

INVALID_MODELINE = Rule(
    code="SES007",
    name="invalid-modeline",
    severity=E,
    summary="A `# ses-lsp: kind=...` comment names a kind that does not exist.",
    source=SOURCE_TOOL,
    doc=RuleDoc(
        what="Reports a modeline whose kind is unknown, and lists the closest known kinds.",
        why="The file would otherwise be checked against the wrong API shape, or not at all.",
        bad=Example("SES007-bad.yaml", ""),
        good=Example("SES007-good.yaml", ""),
    ),
)

INTERNAL_ERROR = Rule(
    code="SES008",
    name="internal-error",
    severity=E,
    summary="A rule crashed; the other rules still ran.",
    source=SOURCE_TOOL,
    doc=RuleDoc(
        what="Reported when a rule raises an exception. The message names the rule and the exception.",
        why="One broken rule must not hide every other diagnostic. Please report it with the file.",
        bad=None,
        good=None,
    ),
    suppressible=False,
)

UNUSED_SUPPRESSION = Rule(
    code="SES009",
    name="unused-suppression",
    severity=I,
    summary="A `# ses-lsp: disable=...` comment suppresses nothing.",
    source=SOURCE_TOOL,
    fixable=True,
    doc=RuleDoc(
        what="Reports suppression comments (or codes in them) that matched no diagnostic.",
        why="Stale suppressions hide future problems on that line and mislead readers.",
        bad=Example("SES009-bad.yaml", "ses:create-receipt-rule"),
        good=Example("SES009-good.yaml", "ses:create-receipt-rule"),
    ),
    suppressible=False,
)

UNKNOWN_SUPPRESSION = Rule(
    code="SES010",
    name="unknown-suppression-code",
    severity=W,
    summary="A suppression comment names a rule that does not exist.",
    source=SOURCE_TOOL,
    doc=RuleDoc(
        what="Reports codes or names in `# ses-lsp: disable=...` that are not rules.",
        why="A typo in a suppression suppresses nothing and hides the intent.",
        bad=Example("SES010-bad.yaml", "ses:create-receipt-rule"),
        good=Example("SES010-good.yaml", "ses:create-receipt-rule"),
    ),
    suppressible=False,
)

RULES = [
    SYNTAX_ERROR,
    DUPLICATE_KEY,
    UNRECOGNISED_DOCUMENT,
    YAML_UNQUOTED_SCALAR,
    YAML_ALIAS_LIMIT,
    UNREADABLE_CONTENT,
    INVALID_MODELINE,
    INTERNAL_ERROR,
    UNUSED_SUPPRESSION,
    UNKNOWN_SUPPRESSION,
]

__all__ = ["RULES", "SOURCE_OBSERVED"]
