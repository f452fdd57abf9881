"""Semantic rules: headers (SES3xx).  See docs/writing-rules.md.

Classic ``AddHeaderAction`` and DSN ``ExtensionFields`` have no constraint in
the API model: their documented forms are checked here.  Mail Manager's
``AddHeader.HeaderName`` and ``MimeHeaderAttribute`` have model patterns that
the schema pass checks (SES105); the rules here add the fix for the two
common near misses (a missing ``X-`` prefix, a lower-case ``x-``) and the
advice a pattern cannot give (duplicates, headers that reach no one,
headers mail software treats specially).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ses_lsp.document.nodes import ARRAY, OBJECT, Node
from ses_lsp.knowledge.actions import CLASSIC_DELIVERY_ACTIONS, MM_DELIVERY_ACTIONS
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Fix, Related, Severity, TextEdit
from ses_lsp.lint.edits import replace_node
from ses_lsp.lint.references import FLOCI_RULE_PROBES, SES_API, rfc
from ses_lsp.lint.registry import (
    SOURCE_DOCS,
    SOURCE_MODEL,
    SOURCE_RFC,
    SOURCE_TOOL,
    Example,
    Rule,
    RuleDoc,
)
from ses_lsp.lint.rules.common import (
    CLASSIC_RULE_KINDS,
    CLASSIC_RULE_SET_KINDS,
    MM_RULE_SET_KINDS,
    SEND_BOUNCE_KINDS,
    classic_actions_of_type,
    concrete_text,
    mm_actions,
    mm_rule_nodes,
    rule_actions,
    walk_members,
)
from ses_lsp.lint.text import quote

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

MM_API = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_Operations_MailManager.html"
ADD_HEADER_DOC = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-add-header.html"
CONCEPTS = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-concepts.html"
RFC5322_FIELD = rfc(5322, "2.2", "field-name = 1*ftext: printable US-ASCII except ':'")
RFC5322_COUNTS = rfc(5322, "3.6", "how many times each header field may occur")
FLOCI = FLOCI_RULE_PROBES  # header names may be any printable ASCII except ':'

MAX_HEADER_NAME = 50
MAX_HEADER_VALUE = 2048
_TOKEN = r"[A-Za-z0-9-]+"
_FTEXT = r"[!-9;-~]"  # printable US-ASCII except ':'


# -- readers ------------------------------------------------------------------------------


def _classic_add_headers(ctx: LintContext) -> Iterator[tuple[Node, Node]]:
    """(rule node, AddHeaderAction body) for every classic AddHeaderAction."""
    for rule, _entry, body in classic_actions_of_type(ctx, "AddHeaderAction"):
        if body.kind == OBJECT:
            yield rule, body


def _mm_add_headers(ctx: LintContext) -> Iterator[tuple[Node, Node]]:
    for rule in mm_rule_nodes(ctx):
        for name, _entry, body in mm_actions(rule):
            if name == "AddHeader" and body.kind == OBJECT:
                yield rule, body


def _extension_fields(ctx: LintContext) -> Iterator[Node]:
    """Every ExtensionField object of a SendBounce document."""
    for _obj, fields in walk_members(ctx.root, "ExtensionFields"):
        if fields.kind == ARRAY:
            for f in fields.list_value:
                if f.kind == OBJECT:
                    yield f


def _first_bad(value: str, ok) -> str | None:
    return next((c for c in value if not ok(c)), None)


def _show_char(c: str) -> str:
    if c == " ":
        return "a space"
    if c == "\t":
        return "a tab"
    if c in "\r\n":
        return "a line break"
    if not c.isprintable():
        return f"the control character U+{ord(c):04X}"
    if not c.isascii():
        return f"the non-ASCII character {quote(c)}"
    return quote(c)


def _value_problem(value: str, what: str) -> str | None:
    if "\r" in value or "\n" in value:
        return f"{what} contains a line break; SES rejects CR and LF in it: write it on one line"
    if len(value) > MAX_HEADER_VALUE:
        return f"{what} is {len(value)} characters long; at most {MAX_HEADER_VALUE} allowed"
    return None


def _one_line_fix(ctx: LintContext, node: Node) -> Fix | None:
    value = node.str_value
    joined = " ".join(part.strip() for part in re.split(r"[\r\n]+", value) if part.strip())
    if not joined or joined == value or len(joined) > MAX_HEADER_VALUE:
        return None
    return Fix("Join the lines with spaces", (replace_node(ctx.document, node, joined),), safe=False)


# -- classic AddHeaderAction ----------------------------------------------------------------


def _check_header_name(ctx: LintContext) -> None:
    for _rule, body in _classic_add_headers(ctx):
        node = body.get("HeaderName")
        value = concrete_text(node)
        if node is None or value is None:
            continue
        if value == "":
            ctx.report(node, "HeaderName is empty; give 1 to 50 letters, digits or '-', e.g. \"X-Received-By\"")
            continue
        if len(value) <= MAX_HEADER_NAME and re.fullmatch(_TOKEN, value):
            continue  # the common case: letters, digits and '-'
        bad = _first_bad(value, lambda c: re.fullmatch(_FTEXT, c) is not None)
        if bad is not None:
            ctx.report(
                node,
                f"HeaderName {quote(value)} contains {_show_char(bad)}, which a header name cannot hold: "
                f"use only letters, digits and '-' (the ':' is added by SES)",
            )
        elif len(value) > MAX_HEADER_NAME:
            ctx.report(
                node, f"HeaderName {quote(value)} is {len(value)} characters long; at most {MAX_HEADER_NAME} allowed"
            )


def _check_header_name_chars(ctx: LintContext) -> None:
    for _rule, body in _classic_add_headers(ctx):
        node = body.get("HeaderName")
        value = concrete_text(node)
        if node is None or not value or re.fullmatch(_TOKEN, value) or not all(re.fullmatch(_FTEXT, c) for c in value):
            continue
        bad = _first_bad(value, lambda c: re.fullmatch(_TOKEN, c) is not None)
        assert bad is not None  # value is not all token characters
        suggestion = re.sub(r"[^A-Za-z0-9-]+", "-", value).strip("-")
        ctx.report(
            node,
            f"HeaderName {quote(value)} contains {quote(bad)}: the SES documentation allows only letters, digits "
            f"and '-' in header names; SES accepts it today, but use e.g. {quote(suggestion or 'X-Header')}",
        )


def _check_header_value(ctx: LintContext) -> None:
    for _rule, body in _classic_add_headers(ctx):
        node = body.get("HeaderValue")
        value = concrete_text(node)
        if node is None or value is None:
            continue
        problem = _value_problem(value, "HeaderValue")
        if problem is not None:
            ctx.report(node, problem, fix=_one_line_fix(ctx, node) if "line break" in problem else None)


# -- DSN extension fields --------------------------------------------------------------------


def _check_extension_name(ctx: LintContext) -> None:
    for f in _extension_fields(ctx):
        node = f.get("Name")
        value = concrete_text(node)
        if node is None or value is None:
            continue
        if value == "":
            msg = "extension field Name is empty; give 1 to 50 letters, digits or '-', e.g. \"X-Trace-Id\""
        elif not re.fullmatch(_TOKEN, value):
            bad = _first_bad(value, lambda c: re.fullmatch(_TOKEN, c) is not None)
            assert bad is not None  # value is not all token characters
            msg = (
                f"extension field Name {quote(value)} contains {_show_char(bad)}: only letters, digits and '-' "
                f"are allowed (SES writes it as a DSN field name followed by ':')"
            )
        elif len(value) > MAX_HEADER_NAME:
            msg = (
                f"extension field Name {quote(value)} is {len(value)} characters long; "
                f"at most {MAX_HEADER_NAME} allowed"
            )
        else:
            continue
        ctx.report(node, msg)


def _check_extension_value(ctx: LintContext) -> None:
    for f in _extension_fields(ctx):
        node = f.get("Value")
        value = concrete_text(node)
        if node is None or value is None:
            continue
        problem = _value_problem(value, "extension field Value")
        if problem is not None:
            ctx.report(node, problem, fix=_one_line_fix(ctx, node) if "line break" in problem else None)


# -- Mail Manager ----------------------------------------------------------------------------


def _content_start(ctx: LintContext, node: Node) -> int | None:
    """Offset of the first character of a string's content, when the source spells it literally."""
    src = ctx.text[node.start : node.end]
    value = node.str_value
    off = 1 if src[:1] in ("'", '"') else 0
    if not value or not src[off:].startswith(value[:1]) or value[:1] == "\\":
        return None
    return node.start + off


def _supersede_pattern_mismatch(ctx: LintContext, nodes: list[Node]) -> None:
    """Drop the schema pass's generic SES105 on the nodes a more specific rule here reported.

    One diagnostic per node: the specific one says what to do and carries the
    fix.  When the specific rule is not selected, its check does not run and
    SES105 stays.  Called after the reports, so a crash leaves SES105 in place.
    """
    spans = {(n.start, n.end) for n in nodes}
    if spans:
        ctx.diagnostics[:] = [d for d in ctx.diagnostics if not (d.code == "SES105" and (d.start, d.end) in spans)]


def _check_mm_x_prefix(ctx: LintContext) -> None:
    reported: list[Node] = []
    for _rule, body in _mm_add_headers(ctx):
        node = body.get("HeaderName")
        value = concrete_text(node)
        if node is None or not value or not re.fullmatch(_TOKEN, value) or value[0] == "-":
            continue
        if re.match(r"[xX]-", value) or len(value) + 2 > 64:
            continue
        at = _content_start(ctx, node)
        fix = Fix(f"Add the 'X-' prefix: {quote('X-' + value)}", (TextEdit(at, at, "X-"),)) if at is not None else None
        ctx.report(
            node,
            f"Mail Manager adds only custom headers: HeaderName {quote(value)} must start with 'X-'; "
            f"use {quote('X-' + value)}",
            fix=fix,
        )
        reported.append(node)
    _supersede_pattern_mismatch(ctx, reported)


def _check_mime_lowercase_x(ctx: LintContext) -> None:
    reported: list[Node] = []
    for _obj, node in walk_members(ctx.root, "MimeHeaderAttribute"):
        value = concrete_text(node)
        if value is None or not re.fullmatch(r"x-[a-zA-Z0-9-]{1,256}", value):
            continue
        at = _content_start(ctx, node)
        fix = Fix(f"Write {quote('X' + value[1:])}", (TextEdit(at, at + 1, "X"),)) if at is not None else None
        ctx.report(
            node,
            f"MimeHeaderAttribute {quote(value)} starts with a lower-case 'x-'; Mail Manager requires an upper-case "
            f"'X-' here (unlike AddHeader): write {quote('X' + value[1:])} "
            f"(header names still match case-insensitively)",
            fix=fix,
        )
        reported.append(node)
    _supersede_pattern_mismatch(ctx, reported)


# -- both -----------------------------------------------------------------------------------


def _check_duplicate_added_header(ctx: LintContext) -> None:
    add = "AddHeader" if ctx.kind in MM_RULE_SET_KINDS else "AddHeaderAction"
    for actions in rule_actions(ctx):
        seen: dict[str, Node] = {}
        for name, _entry, body in actions:
            if name != add or body.kind != OBJECT:
                continue
            node = body.get("HeaderName")
            value = concrete_text(node)
            if node is None or not value:
                continue
            key = value.lower()
            if key in seen:
                first = seen[key]
                ctx.report(
                    node,
                    f"this rule already adds the header {quote(first.str_value)}; the message will carry both "
                    f"(headers are added, not replaced, and names compare case-insensitively): "
                    f"remove one or combine the values",
                    related=[Related(first.start, first.end, "the header is first added here")],
                )
            else:
                seen[key] = node


_STOPS = {"StopAction", "Drop"}


def _check_added_header_unused(ctx: LintContext) -> None:
    mm = ctx.kind in MM_RULE_SET_KINDS
    add, delivery = ("AddHeader", MM_DELIVERY_ACTIONS) if mm else ("AddHeaderAction", CLASSIC_DELIVERY_ACTIONS)
    whole_set = mm or ctx.kind in CLASSIC_RULE_SET_KINDS
    rules = rule_actions(ctx)
    types_of = [[name for name, _, _ in actions] for actions in rules]
    # Does any later rule deliver?  (rule order is evaluation order)
    later_delivers = [False] * (len(rules) + 1)
    for i in range(len(rules) - 1, -1, -1):
        later_delivers[i] = later_delivers[i + 1] or not delivery.isdisjoint(types_of[i])
    for i, actions in enumerate(rules):
        types = types_of[i]
        if add not in types:
            continue
        # Malformed entries (no or several members) hide what the rule does.
        acts_node = actions[0][1].parent if actions else None
        if acts_node is not None and acts_node.kind == ARRAY and len(acts_node.list_value) != len(actions):
            continue
        stop = next((k for k, t in enumerate(types) if t in _STOPS), None)
        for j, (name, _entry, body) in enumerate(actions):
            if name != add or body.kind != OBJECT or (stop is not None and j > stop):
                continue
            end = stop if stop is not None else len(actions)
            if any(t in delivery for t in types[j + 1 : end]):
                continue
            if stop is None and (not whole_set or later_delivers[i + 1]):
                continue
            header = concrete_text(body.get("HeaderName"))
            target = body.get("HeaderName") or body
            what = quote(header) + " header" if header else "header"
            if stop is not None:
                why = (
                    f"the {types[stop]} after it ends processing and no action in between "
                    "delivers or stores the message"
                )
            else:
                why = "no action after it, in this rule or a later one, delivers or stores the message"
            ctx.report(
                target,
                f"the {what} added here reaches no one: {why}; put the {add} before the action that should "
                f"see it, or remove it",
            )


# Header fields a receiving system already has or sets, by the reason adding one is surprising.
_ONCE_ONLY = {
    "date",
    "from",
    "sender",
    "reply-to",
    "to",
    "cc",
    "bcc",
    "message-id",
    "in-reply-to",
    "references",
    "subject",
}
_MIME = {"mime-version", "content-type", "content-transfer-encoding", "content-disposition"}
_TRACE = {
    "received",
    "return-path",
    "dkim-signature",
    "authentication-results",
    "received-spf",
    "arc-seal",
    "arc-message-signature",
    "arc-authentication-results",
}
_SES_SET = {"x-ses-spam-verdict", "x-ses-virus-verdict"}


def _reserved_reason(name: str) -> str | None:
    low = name.lower()
    if low in _ONCE_ONLY:
        return (
            f"a message may carry at most one {quote(name)} header (RFC 5322 section 3.6) and usually already "
            f"has one, so mail clients may show either"
        )
    if low in _MIME:
        return f"a second {quote(name)} header makes the message's MIME structure ambiguous"
    if low in _TRACE:
        return (
            f"{quote(name)} is a trace/authentication header that mail servers add; "
            f"a rule-added one misleads filters downstream"
        )
    if low in _SES_SET:
        return f"SES itself adds {quote(name)} with its scan verdict; a rule-added one can be taken for SES's"
    return None


def _check_reserved_header(ctx: LintContext) -> None:
    for _rule, body in _classic_add_headers(ctx):
        node = body.get("HeaderName")
        value = concrete_text(node)
        if node is None or not value:
            continue
        reason = _reserved_reason(value)
        if reason is None:
            continue
        base = re.sub(r"(?i)^x-(ses-)?", "", value)
        ctx.report(
            node,
            f"AddHeaderAction adds {quote(value)}: {reason}; use a custom name such as {quote('X-' + base)}",
        )


# -- rule definitions -------------------------------------------------------------------------

_RULE = "ses:create-receipt-rule"
_MM = "mailmanager:create-rule-set"
_BOUNCE = "ses:send-bounce"


HEADER_NAME_INVALID = Rule(
    code="SES301",
    name="header-name-invalid",
    severity=E,
    summary="An AddHeaderAction HeaderName that is empty, too long, or holds ':', spaces or control characters.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_header_name,
    doc=RuleDoc(
        what=(
            "Reports a classic `AddHeaderAction.HeaderName` that is empty, longer than 50 characters, or contains "
            "a `:`, white space, a control character or a non-ASCII character."
        ),
        why=(
            "The model leaves the name unconstrained, so only the service checks it: it rejects names that are "
            "not an RFC 5322 field name (`Invalid header name`), and the docs limit them to 1-50 characters."
        ),
        bad=Example("SES301-bad.yaml", _RULE),
        good=Example("SES301-good.yaml", _RULE),
        references=(SES_API + "API_AddHeaderAction.html", ADD_HEADER_DOC, RFC5322_FIELD, FLOCI),
    ),
)

HEADER_NAME_UNUSUAL = Rule(
    code="SES302",
    name="header-name-undocumented-character",
    severity=W,
    summary="An AddHeaderAction HeaderName with characters other than letters, digits and '-'.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_header_name_chars,
    doc=RuleDoc(
        what=(
            "Reports a classic `AddHeaderAction.HeaderName` made of printable ASCII but with characters other "
            "than letters, digits and `-` (e.g. `_` or `.`)."
        ),
        why=(
            "The documentation allows only letters, digits and dashes; the service accepts any RFC 5322 field "
            "name today, but some mail software drops headers with underscores, and the documented form is safe."
        ),
        bad=Example("SES302-bad.yaml", _RULE),
        good=Example("SES302-good.yaml", _RULE),
        references=(SES_API + "API_AddHeaderAction.html", ADD_HEADER_DOC, FLOCI),
    ),
)

HEADER_VALUE_INVALID = Rule(
    code="SES303",
    name="header-value-invalid",
    severity=E,
    summary="An AddHeaderAction HeaderValue with a line break or over 2048 characters.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_header_value,
    doc=RuleDoc(
        what=(
            "Reports a classic `AddHeaderAction.HeaderValue` that contains CR or LF, or is longer than 2048 characters."
        ),
        why=(
            'The API reference says the value "can\'t contain newline (\\n) or carriage return (\\r) characters" '
            "and holds up to 2048 characters. A YAML block scalar (`|`) adds a trailing newline without it showing."
        ),
        bad=Example("SES303-bad.yaml", _RULE),
        good=Example("SES303-good.yaml", _RULE),
        references=(SES_API + "API_AddHeaderAction.html", ADD_HEADER_DOC),
        notes="The quick fix joins the lines with spaces; it is offered in editors only (it rewrites the value).",
    ),
    fixable=True,
)

EXTENSION_NAME_INVALID = Rule(
    code="SES304",
    name="dsn-extension-field-name-invalid",
    severity=E,
    summary="A SendBounce ExtensionFields Name that is empty, too long, or not letters, digits and '-'.",
    source=SOURCE_DOCS,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_extension_name,
    doc=RuleDoc(
        what=(
            "Reports the `Name` of a DSN extension field (`MessageDsn.ExtensionFields`, "
            "`RecipientDsnFields.ExtensionFields`) that is empty, longer than 50 characters, or contains "
            "anything but letters, digits and `-`."
        ),
        why=(
            "SES writes each extension field into the DSN as `Name: Value`; the API reference limits the name "
            "to 1-50 letters, digits and dashes, and the model does not encode it."
        ),
        bad=Example("SES304-bad.yaml", _BOUNCE),
        good=Example("SES304-good.yaml", _BOUNCE),
        references=(SES_API + "API_ExtensionField.html", rfc(3464, "2.4", "extension fields")),
    ),
)

EXTENSION_VALUE_INVALID = Rule(
    code="SES305",
    name="dsn-extension-field-value-invalid",
    severity=E,
    summary="A SendBounce ExtensionFields Value with a line break or over 2048 characters.",
    source=SOURCE_DOCS,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_extension_value,
    fixable=True,
    doc=RuleDoc(
        what="Reports a DSN extension field `Value` that contains CR or LF, or is longer than 2048 characters.",
        why=(
            "The API reference allows up to 2048 characters and no newline or carriage return: the value "
            "becomes one DSN field line."
        ),
        bad=Example("SES305-bad.yaml", _BOUNCE),
        good=Example("SES305-good.yaml", _BOUNCE),
        references=(SES_API + "API_ExtensionField.html",),
        notes="The quick fix joins the lines with spaces; it is offered in editors only.",
    ),
)

MM_HEADER_MISSING_X = Rule(
    code="SES306",
    name="mm-header-missing-x-prefix",
    severity=E,
    summary="A Mail Manager AddHeader HeaderName without the required 'X-' prefix.",
    source=SOURCE_MODEL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_mm_x_prefix,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports a Mail Manager `AddHeader.HeaderName` that is a well-formed header name but lacks the "
            "`X-` prefix, and offers to add it."
        ),
        why=(
            "The model's pattern `[xX]-[a-zA-Z0-9-]+` lets a rule add only custom `X-` headers; the service "
            "rejects any other name. Adding the prefix keeps the name recognisable."
        ),
        bad=Example("SES306-bad.yaml", _MM),
        good=Example("SES306-good.yaml", _MM),
        references=(MM_API + " (AddHeaderAction)",),
        notes=(
            "Names with other characters are left to the schema pattern check (SES105); where this rule "
            "reports, it replaces SES105's generic message for the same value."
        ),
    ),
)

MIME_HEADER_LOWERCASE_X = Rule(
    code="SES307",
    name="mime-header-lowercase-x",
    severity=E,
    summary="A Mail Manager MimeHeaderAttribute starting with a lower-case 'x-'.",
    source=SOURCE_MODEL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_mime_lowercase_x,
    fixable=True,
    doc=RuleDoc(
        what="Reports a `MimeHeaderAttribute` written `x-...`, and offers to upper-case the `X`.",
        why=(
            "The model's pattern is `X-[a-zA-Z0-9-]{1,256}`: upper-case `X` only, although `AddHeader` accepts "
            "`x-`. The service rejects the lower-case form; the header it names is the same either way."
        ),
        bad=Example("SES307-bad.yaml", _MM),
        good=Example("SES307-good.yaml", _MM),
        references=(MM_API + " (RuleStringToEvaluate)",),
        notes="Where this rule reports, it replaces the schema pass's generic SES105 message for the same value.",
    ),
)

DUPLICATE_ADDED_HEADER = Rule(
    code="SES308",
    name="duplicate-added-header",
    severity=I,
    summary="A rule adds the same header twice.",
    source=SOURCE_MODEL,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS,
    check=_check_duplicate_added_header,
    doc=RuleDoc(
        what=(
            "Reports an `AddHeaderAction` (classic) or `AddHeader` (Mail Manager) whose header name (compared "
            "case-insensitively) an earlier one of the same rule already adds, and points at it."
        ),
        why=(
            '"Headers are added regardless of whether the header name pre-existed in the email": the message '
            "ends up with two fields of that name, and readers disagree on which one counts."
        ),
        bad=Example("SES308-bad.yaml", _MM),
        good=Example("SES308-good.yaml", _MM),
        references=(MM_API + " (AddHeaderAction)", SES_API + "API_AddHeaderAction.html"),
    ),
)

ADDED_HEADER_UNUSED = Rule(
    code="SES309",
    name="added-header-unused",
    severity=I,
    summary="A header is added after the last action that delivers or stores the message.",
    source=SOURCE_TOOL,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS,
    check=_check_added_header_unused,
    doc=RuleDoc(
        what=(
            "Reports an `AddHeaderAction` / `AddHeader` that no delivering action follows: none later in its rule "
            "before a Stop/Drop and, in a whole rule set, none in a later rule. Delivering actions are S3, SNS, "
            "Lambda, WorkMail and Connect (classic) and Relay, Archive, WriteToS3, Send, DeliverToMailbox, "
            "DeliverToQBusiness, PublishToSns and InvokeLambda (Mail Manager)."
        ),
        why=(
            "Actions run in order; a header only shows in what later actions deliver or store. AWS notes that "
            "the add-header action is used together with other actions: alone at the end, it has no effect."
        ),
        bad=Example("SES309-bad.yaml", "ses:describe-receipt-rule-set"),
        good=Example("SES309-good.yaml", "ses:describe-receipt-rule-set"),
        references=(ADD_HEADER_DOC, CONCEPTS, MM_API + " (RuleSet)"),
        notes=(
            "For a single rule (create-receipt-rule) later rules are unknown, so it reports only a header "
            "followed by a StopAction with no delivery in between."
        ),
    ),
)

RESERVED_HEADER = Rule(
    code="SES310",
    name="added-header-reserved",
    severity=I,
    summary="AddHeaderAction adds a standard, trace or SES-set header.",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_reserved_header,
    doc=RuleDoc(
        what=(
            "Reports a classic `AddHeaderAction` that adds a header mail software treats specially: one that "
            "may occur only once (`From`, `To`, `Subject`, `Date`, `Message-ID`...), a MIME header "
            "(`Content-Type`...), a trace or authentication header (`Received`, `Return-Path`, `DKIM-Signature`, "
            "`Authentication-Results`...), or a verdict header SES sets itself (`X-SES-Spam-Verdict`, "
            "`X-SES-Virus-Verdict`)."
        ),
        why=(
            "SES adds the header next to the message's own, so the result has two `Subject` fields or a forged "
            "trace line; downstream filters and clients may read either. A custom `X-` name says what it is."
        ),
        bad=Example("SES310-bad.yaml", _RULE),
        good=Example("SES310-good.yaml", _RULE),
        references=(RFC5322_COUNTS, rfc(2045, "", "MIME header fields"), CONCEPTS),
    ),
)

RULES = [
    HEADER_NAME_INVALID,
    HEADER_NAME_UNUSUAL,
    HEADER_VALUE_INVALID,
    EXTENSION_NAME_INVALID,
    EXTENSION_VALUE_INVALID,
    MM_HEADER_MISSING_X,
    MIME_HEADER_LOWERCASE_X,
    DUPLICATE_ADDED_HEADER,
    ADDED_HEADER_UNUSED,
    RESERVED_HEADER,
]
