"""Semantic rules: bounces and delivery status notifications (SES4xx).

Three places build a bounce:

* the classic receipt-rule ``BounceAction`` (``SmtpReplyCode``, ``StatusCode``,
  ``Message``, ``Sender``): the API model constrains none of these strings, so
  their RFC syntax is checked here;
* the Mail Manager ``Bounce`` rule action: the model has patterns for
  ``StatusCode``, ``SmtpReplyCode`` and ``Sender`` (the schema pass, SES1xx,
  reports those); only what the patterns cannot express is checked here;
* ``SendBounce`` (``ses:send-bounce``): the recipient list, the per-recipient
  DSN fields (RFC 3464) and the message DSN fields.

The grammars and tables the checks rely on are :mod:`ses_lsp.knowledge.smtp`
(reply codes, enhanced status codes, DSN fields), :mod:`ses_lsp.knowledge.addresses`
and :mod:`ses_lsp.knowledge.timestamps`.  A value of the wrong type, or one the
schema pass already reports, is skipped silently; values holding template
placeholders (``${Var}``, ``{{var}}``) are never judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ses_lsp.document.nodes import ARRAY, INTEGER, NUMBER, OBJECT, STRING, Node
from ses_lsp.knowledge.addresses import address_is_verified, address_problem, is_email_address
from ses_lsp.knowledge.smtp import (
    ACTIONS_FAILED,
    ACTIONS_SUCCESS,
    CLASS_WORDS,
    COLON_TYPED_RE,
    COMMAND_SYNTAX_REPLIES,
    DETAIL_NAMES,
    DIAGNOSTIC_TYPES,
    DOTTED_RE,
    FAILURE_REPLY_RE,
    HOSTNAME_RE,
    MTA_TYPES,
    REPLY_RE,
    REPLY_TEXT_RE,
    RFC822_PREFIX_RE,
    SMTP_PREFIX_RE,
    STATUS_RE,
    TYPED_RE,
    detail_advice,
    dsn_status_code,
    parse_status,
    status_class,
    status_problem,
    strip_leading_zeros,
)
from ses_lsp.knowledge.timestamps import Instant, is_epoch_text, parse_timestamp, utc_text
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Fix, Related, Severity
from ses_lsp.lint.edits import insert_member, remove_member, replace_node
from ses_lsp.lint.references import FLOCI_RULE_PROBES, rfc
from ses_lsp.lint.registry import SOURCE_DOCS, SOURCE_OBSERVED, SOURCE_RFC, Example, Rule, RuleDoc
from ses_lsp.lint.rules.common import (
    CLASSIC_RULE_KINDS,
    MM_RULE_SET_KINDS,
    SEND_BOUNCE_KINDS,
    classic_actions_of_type,
    current_time,
    mm_rule_nodes,
    string_value,
)
from ses_lsp.lint.text import has_placeholder, quote

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

# -- references ------------------------------------------------------------------

API_BOUNCE_ACTION = "https://docs.aws.amazon.com/ses/latest/APIReference/API_BounceAction.html"
API_SEND_BOUNCE = "https://docs.aws.amazon.com/ses/latest/APIReference/API_SendBounce.html"
API_RECIPIENT_INFO = "https://docs.aws.amazon.com/ses/latest/APIReference/API_BouncedRecipientInfo.html"
API_DSN_FIELDS = "https://docs.aws.amazon.com/ses/latest/APIReference/API_RecipientDsnFields.html"
API_MESSAGE_DSN = "https://docs.aws.amazon.com/ses/latest/APIReference/API_MessageDsn.html"
API_MM_BOUNCE = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_BounceAction.html"
DG_BOUNCE = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-bounce.html"
DG_IDENTITIES = "https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html"
RFC3463_2 = rfc(3463, "2", "status code structure")
RFC3463_3 = rfc(3463, "3", "enumerated status codes")
RFC3464_223 = rfc(3464, "2.2.2", "Reporting-MTA")
RFC3464_232 = rfc(3464, "2.3.2", "Final-Recipient")
RFC3464_233 = rfc(3464, "2.3.3", "Action")
RFC3464_234 = rfc(3464, "2.3.4", "Status")
RFC3464_235 = rfc(3464, "2.3.5", "Remote-MTA")
RFC3464_236 = rfc(3464, "2.3.6", "Diagnostic-Code")
RFC3464_237 = rfc(3464, "2.3.7", "Last-Attempt-Date")
RFC5321_42 = rfc(5321, "4.2", "reply codes")
RFC5321_423 = rfc(5321, "4.2.3", "reply codes in numeric order")
RFC5321_ADDR = rfc(5321, "4.1.2", "mailbox syntax")
RFC2034_4 = rfc(2034, "4", "enhanced codes sent with reply codes")
IANA_DSN_TYPES = "IANA Delivery Status Notification types: https://www.iana.org/assignments/dsn-types/dsn-types.xhtml"
FLOCI = FLOCI_RULE_PROBES

# The Mail Manager model's pattern for Bounce.StatusCode (class 4 or 5, leading zeros allowed).
_MM_STATUS_RE = re.compile(r"[45]\.[0-9]{1,3}\.[0-9]{1,3}")


# -- tree readers ---------------------------------------------------------------


def _text(node: Node | None) -> str | None:
    """A string value worth judging: not a placeholder."""
    v = string_value(node)
    return None if v is None or has_placeholder(v) else v


def classic_bounces(ctx: LintContext) -> Iterator[tuple[Node, Node]]:
    """(action entry, BounceAction body) for every classic BounceAction of the document."""
    for _rule, entry, body in classic_actions_of_type(ctx, "BounceAction"):
        if body.kind == OBJECT:
            yield entry, body


def mm_bounces(ctx: LintContext) -> Iterator[tuple[Node, Node]]:
    """(action entry, Bounce body) for every Mail Manager Bounce action of the document."""
    for rule in mm_rule_nodes(ctx):
        acts = rule.get("Actions")
        if acts is None or acts.kind != ARRAY:
            continue
        for entry in acts.list_value:
            body = entry.get("Bounce") if entry.kind == OBJECT else None
            if body is not None and body.kind == OBJECT:
                yield entry, body


def recipient_infos(ctx: LintContext) -> list[Node]:
    """The ``BouncedRecipientInfo`` objects of a SendBounce document."""
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return []
    lst = root.get("BouncedRecipientInfoList")
    if lst is None or lst.kind != ARRAY:
        return []
    return [n for n in lst.list_value if n.kind == OBJECT]


def dsn_fields(ctx: LintContext) -> Iterator[tuple[Node, Node]]:
    """(BouncedRecipientInfo, RecipientDsnFields) pairs of a SendBounce document."""
    for info in recipient_infos(ctx):
        dsn = info.get("RecipientDsnFields")
        if dsn is not None and dsn.kind == OBJECT:
            yield info, dsn


def _message_dsn(ctx: LintContext) -> Node | None:
    root = ctx.root
    dsn = root.get("MessageDsn") if root is not None else None
    return dsn if dsn is not None and dsn.kind == OBJECT else None


def _related(node: Node, message: str) -> Related:
    target = node.key_node if node.kind in (OBJECT, ARRAY) and node.key_node is not None else node
    return Related(target.start, target.end, message)


def _recipient_label(info: Node) -> str:
    r = string_value(info.get("Recipient"))
    return f"BouncedRecipientInfo for {quote(r)}" if r is not None else "this BouncedRecipientInfo"


def _entry_target(obj: Node) -> Node | tuple[int, int]:
    members = obj.members or ()
    if members:
        return members[0][0]
    return (obj.start, min(obj.start + 1, obj.end))


def _report_on_object(ctx: LintContext, obj: Node, message: str, **kw) -> None:
    ctx.report(_entry_target(obj), message, pointer=obj.pointer, **kw)


# -- example documents -----------------------------------------------------------

RULE_KIND = "ses:create-receipt-rule"
MM_KIND = "mailmanager:create-rule-set"
SB_KIND = "ses:send-bounce"


# -- SES401 bounce-reason-missing -------------------------------------------------


def _check_reason_missing(ctx: LintContext) -> None:
    for info in recipient_infos(ctx):
        if info.get("BounceType") is None and info.get("RecipientDsnFields") is None:
            _report_on_object(
                ctx,
                info,
                f"{_recipient_label(info)} has neither BounceType nor RecipientDsnFields; "
                'SendBounce needs one of them: add BounceType (e.g. "DoesNotExist") or '
                "RecipientDsnFields with Action and Status",
            )


REASON_MISSING = Rule(
    code="SES401",
    name="bounce-reason-missing",
    severity=E,
    summary="A SendBounce recipient with neither BounceType nor RecipientDsnFields.",
    source=SOURCE_DOCS,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_reason_missing,
    doc=RuleDoc(
        what=("Reports a `BouncedRecipientInfo` that sets neither `BounceType` nor `RecipientDsnFields`."),
        why=(
            'The API reference says "You must provide either this parameter or '
            'RecipientDsnFields" for both members; the model marks neither as required, so only '
            "the service catches it, at send time."
        ),
        bad=Example("SES401-bad.yaml", SB_KIND),
        good=Example("SES401-good.yaml", SB_KIND),
        references=(API_RECIPIENT_INFO, API_SEND_BOUNCE),
    ),
)


# -- SES402 bounce-type-with-dsn-fields ---------------------------------------------


def _check_both_reasons(ctx: LintContext) -> None:
    for info in recipient_infos(ctx):
        bt, dsn = info.get("BounceType"), info.get("RecipientDsnFields")
        if bt is None or dsn is None:
            continue
        shown = f" {quote(bt.str_value)}" if bt.kind == STRING else ""
        fix = (
            Fix(
                "Remove BounceType (keep the explicit DSN fields)",
                (remove_member(ctx.document, info, bt.key_node),),
                safe=False,
            )
            if bt.key_node
            else None
        )
        ctx.report(
            bt,
            f"{_recipient_label(info)} sets both BounceType{shown} and RecipientDsnFields; the API "
            "expects one of them (BounceType for a standard bounce, RecipientDsnFields to write "
            "the DSN yourself): remove the other",
            on_key=True,
            related=[_related(dsn, "RecipientDsnFields is also set here")],
            fix=fix,
        )


BOTH_REASONS = Rule(
    code="SES402",
    name="bounce-type-with-dsn-fields",
    severity=W,
    summary="A SendBounce recipient with both BounceType and RecipientDsnFields.",
    source=SOURCE_DOCS,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_both_reasons,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports a `BouncedRecipientInfo` that sets both `BounceType` and "
            "`RecipientDsnFields`, pointing at both. The editor offers to remove `BounceType` (not "
            "applied by `--fix`)."
        ),
        why=(
            "The API asks for one or the other; which one wins when both are given is not "
            "documented, so the DSN the sender receives may not say what the file says."
        ),
        bad=Example("SES402-bad.yaml", SB_KIND),
        good=Example("SES402-good.yaml", SB_KIND),
        references=(API_RECIPIENT_INFO,),
    ),
)


# -- SES403 bounced-recipient-list-empty ---------------------------------------------


def _check_list_empty(ctx: LintContext) -> None:
    root = ctx.root
    lst = root.get("BouncedRecipientInfoList") if root is not None else None
    if lst is not None and lst.kind == ARRAY and not lst.value:
        ctx.report(
            lst,
            "BouncedRecipientInfoList is empty; SendBounce needs at least one BouncedRecipientInfo "
            "(the Recipient and its BounceType or RecipientDsnFields)",
        )


LIST_EMPTY = Rule(
    code="SES403",
    name="bounced-recipient-list-empty",
    severity=E,
    summary="A SendBounce request with an empty BouncedRecipientInfoList.",
    source=SOURCE_DOCS,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_list_empty,
    doc=RuleDoc(
        what="Reports `BouncedRecipientInfoList: []`.",
        why=(
            'The API reference says "You must specify at least one BouncedRecipientInfo in the '
            'list"; the model has no minimum, so the CLI sends the request and the service '
            "rejects it."
        ),
        bad=Example("SES403-bad.yaml", SB_KIND),
        good=Example("SES403-good.yaml", SB_KIND),
        references=(API_SEND_BOUNCE,),
    ),
)


# -- SES404 bounce-action-field-empty --------------------------------------------------


def _check_field_empty(ctx: LintContext) -> None:
    for _, body in classic_bounces(ctx):
        for name, what in (
            ("SmtpReplyCode", 'an SMTP reply code such as "550"'),
            ("Message", "the human-readable text of the bounce"),
        ):
            node = body.get(name)
            if node is not None and node.kind == STRING and node.value == "":
                ctx.report(node, f'BounceAction {name} "" is empty; SES rejects the rule: give {what}')


FIELD_EMPTY = Rule(
    code="SES404",
    name="bounce-action-field-empty",
    severity=E,
    summary="A classic BounceAction with an empty SmtpReplyCode or Message.",
    source=SOURCE_OBSERVED,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_field_empty,
    doc=RuleDoc(
        what="Reports `SmtpReplyCode: ''` or `Message: ''` in a classic `BounceAction`.",
        why=(
            "The model only marks the members as required, so an empty string passes the CLI; SES "
            "then rejects the rule (`Invalid SMTP reply code` / `Invalid SMTP response message`)."
        ),
        bad=Example("SES404-bad.yaml", RULE_KIND),
        good=Example("SES404-good.yaml", RULE_KIND),
        references=(API_BOUNCE_ACTION, FLOCI),
    ),
)


# -- SES405 status-code-not-rfc3463 -----------------------------------------------------


def _status_fix(ctx: LintContext, node: Node, fixed: str | None) -> Fix | None:
    if fixed is None:
        return None
    return Fix(f"Replace with {quote(fixed)}", (replace_node(ctx.document, node, fixed),))


def _check_status_syntax(ctx: LintContext) -> None:
    allowed = (
        "use class.subject.detail: class 2, 4 or 5, subject and detail of 1 to 3 digits without "
        'leading zeros, e.g. "5.1.1"'
    )
    if ctx.kind in CLASSIC_RULE_KINDS:
        for _, body in classic_bounces(ctx):
            node = body.get("StatusCode")
            v = _text(node)
            if v is None or node is None:
                continue
            problem = status_problem(v)
            if problem is None:
                continue
            reason, fixed = problem
            if reason.startswith("that is an SMTP reply code"):
                cls = v.strip()[0] if v.strip()[0] in "245" else "5"
                message = (
                    f"StatusCode {quote(v)} is an SMTP reply code, not an RFC 3463 enhanced status "
                    "code: it belongs in SmtpReplyCode; here write class.subject.detail, e.g. "
                    f'"{cls}.0.0" (class only) or a precise code'
                )
            else:
                message = f"StatusCode {quote(v)} is not an RFC 3463 enhanced status code: {reason}; {allowed}"
            ctx.report(node, message, fix=_status_fix(ctx, node, fixed))
    elif ctx.kind in MM_RULE_SET_KINDS:
        for _, body in mm_bounces(ctx):
            node = body.get("StatusCode")
            v = _text(node)
            # Only what the model's pattern lets through: leading zeros.
            if (
                v is None
                or node is None
                or not _MM_STATUS_RE.fullmatch(v)
                or not 5 <= len(v) <= 9
                or STATUS_RE.fullmatch(v)
            ):
                continue
            fixed = strip_leading_zeros(v)
            ctx.report(
                node,
                f"StatusCode {quote(v)} has a leading zero; RFC 3463 forbids leading zeros in the "
                f"numbers of an enhanced status code: write {quote(fixed or v)}",
                fix=_status_fix(ctx, node, fixed),
            )
    else:
        for _, dsn in dsn_fields(ctx):
            node = dsn.get("Status")
            v = _text(node)
            if v is None or node is None:
                continue
            s = v.strip()
            code = dsn_status_code(s)
            problem = status_problem(code)
            if problem is None:
                if s == v:
                    continue
                problem = ("it has white space around the code", code)
            reason, fixed = problem
            if fixed is not None:
                fixed += s[len(code) :]  # keep a trailing comment
            ctx.report(
                node,
                f"Status {quote(v)} is not an RFC 3463 status code: {reason}; {allowed} (a "
                "parenthesised comment may follow it)",
                fix=_status_fix(ctx, node, fixed),
            )


STATUS_SYNTAX = Rule(
    code="SES405",
    name="status-code-not-rfc3463",
    severity=W,
    summary="An enhanced status code that does not follow RFC 3463.",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS | SEND_BOUNCE_KINDS,
    check=_check_status_syntax,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Checks classic `BounceAction.StatusCode` and SendBounce `RecipientDsnFields.Status` "
            "against RFC 3463 (`class.subject.detail`, class 2, 4 or 5, 1-3 digit numbers without "
            "leading zeros), and Mail Manager `Bounce.StatusCode` for leading zeros (its model "
            "pattern checks the rest). White space and leading zeros are fixed."
        ),
        why=(
            "The classic model has no pattern for these fields, and the Mail Manager pattern "
            "allows `5.01.1`; a malformed code either fails at create time or reaches the sender's "
            "MTA as a DSN it cannot classify."
        ),
        bad=Example("SES405-bad.yaml", RULE_KIND),
        good=Example("SES405-good.yaml", RULE_KIND),
        references=(RFC3463_2, RFC3464_234, API_BOUNCE_ACTION, API_MM_BOUNCE),
    ),
)


# -- SES406 smtp-reply-code-invalid ------------------------------------------------------


def _check_reply_syntax(ctx: LintContext) -> None:
    if ctx.kind in CLASSIC_RULE_KINDS:
        for _, body in classic_bounces(ctx):
            node = body.get("SmtpReplyCode")
            v = _text(node)
            if v is None or node is None or v == "" or REPLY_RE.fullmatch(v):
                continue  # empty: SES404
            s = v.strip()
            fix = None
            if s != v and REPLY_RE.fullmatch(s):
                reason = "it has white space around the code"
                fix = Fix(f"Replace with {quote(s)}", (replace_node(ctx.document, node, s),))
            elif re.fullmatch(r"[2-5][6-9][0-9]", s):
                reason = f"its second digit {s[1]} is outside 0-5"
            elif re.fullmatch(r"[0-9]{3}", s):
                reason = f"its first digit {s[0]} is outside 2-5"
            elif DOTTED_RE.fullmatch(s):
                reason = "that is an enhanced status code; it belongs in StatusCode"
            else:
                reason = "a reply code is exactly three digits"
            ctx.report(
                node,
                f"SmtpReplyCode {quote(v)} is not an RFC 5321 reply code: {reason}; a bounce uses "
                '4yz or 5yz with a second digit from 0 to 5, e.g. "550"',
                fix=fix,
            )
    else:
        for _, body in mm_bounces(ctx):
            node = body.get("SmtpReplyCode")
            v = _text(node)
            if v is None or node is None or not FAILURE_REPLY_RE.fullmatch(v) or REPLY_RE.fullmatch(v):
                continue
            ctx.report(
                node,
                f"SmtpReplyCode {quote(v)} has second digit {v[1]}; RFC 5321 allows only 0-5 as "
                f'the second digit of a reply code, e.g. "{v[0]}50" or "{v[0]}54"',
            )


REPLY_SYNTAX = Rule(
    code="SES406",
    name="smtp-reply-code-invalid",
    severity=W,
    summary="An SMTP reply code that does not follow RFC 5321.",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS,
    check=_check_reply_syntax,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Checks classic `BounceAction.SmtpReplyCode` against RFC 5321's `Reply-code = %x32-35 "
            "%x30-35 %x30-39` and reports a Mail Manager `Bounce.SmtpReplyCode` whose second digit "
            "is 6-9 (its model pattern `[45][0-9][0-9]` checks the rest). Surrounding white space "
            "is fixed."
        ),
        why=(
            "The classic model has no pattern for the reply code, and the Mail Manager pattern "
            "admits codes RFC 5321 does not define; SES rejects malformed classic codes (`Invalid "
            "SMTP reply code`) and receiving MTAs may not classify the others."
        ),
        bad=Example("SES406-bad.yaml", RULE_KIND),
        good=Example("SES406-good.yaml", RULE_KIND),
        references=(RFC5321_42, API_BOUNCE_ACTION, API_MM_BOUNCE),
    ),
)


# -- SES407 bounce-reply-code-not-failure ------------------------------------------------


def _check_reply_not_failure(ctx: LintContext) -> None:
    for _, body in classic_bounces(ctx):
        node = body.get("SmtpReplyCode")
        v = _text(node)
        if v is None or node is None or not REPLY_RE.fullmatch(v) or v[0] in "45":
            continue
        what = "a success reply" if v[0] == "2" else "an intermediate reply (the server waits for more input)"
        ctx.report(
            node,
            f'SmtpReplyCode {quote(v)} is {what}; a bounce needs 4yz (temporary) or 5yz (permanent), e.g. "550"',
        )


REPLY_NOT_FAILURE = Rule(
    code="SES407",
    name="bounce-reply-code-not-failure",
    severity=W,
    summary="A classic BounceAction whose SmtpReplyCode is a 2yz or 3yz (not a failure) reply.",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_reply_not_failure,
    doc=RuleDoc(
        what=("Reports a classic `BounceAction.SmtpReplyCode` starting with 2 (success) or 3 (intermediate)."),
        why=(
            "A bounce tells the sender that delivery failed; RFC 5321 reserves 4yz for transient "
            "and 5yz for permanent negative replies. SES is reported to reject other codes "
            "(`Invalid SMTP reply code`)."
        ),
        bad=Example("SES407-bad.yaml", RULE_KIND),
        good=Example("SES407-good.yaml", RULE_KIND),
        references=(RFC5321_42, API_BOUNCE_ACTION),
    ),
)


# -- SES408 reply-code-status-class-mismatch ---------------------------------------------


def _check_class_mismatch(ctx: LintContext) -> None:
    pairs = classic_bounces(ctx) if ctx.kind in CLASSIC_RULE_KINDS else mm_bounces(ctx)
    for _, body in pairs:
        rnode, snode = body.get("SmtpReplyCode"), body.get("StatusCode")
        reply, status = _text(rnode), _text(snode)
        if reply is None or status is None or not FAILURE_REPLY_RE.fullmatch(reply):
            continue  # 2yz/3yz replies: SES407
        cls = status_class(status)
        if cls is None or cls == "2" or cls == reply[0]:
            continue  # class 2: SES409
        assert rnode is not None and snode is not None
        fixed = reply[0] + status[1:]
        ctx.report(
            snode,
            f"StatusCode {quote(status)} has class {cls} ({CLASS_WORDS[cls]}) but SmtpReplyCode "
            f"{quote(reply)} is a {reply[0]}yz ({CLASS_WORDS[reply[0]]}) reply; the enhanced "
            f"code's class must match the reply code's first digit: use {quote(fixed)} or change "
            "the reply code",
            related=[Related(rnode.start, rnode.end, f"SmtpReplyCode {quote(reply)}")],
        )


CLASS_MISMATCH = Rule(
    code="SES408",
    name="reply-code-status-class-mismatch",
    severity=W,
    summary="A bounce whose StatusCode class differs from the SmtpReplyCode's first digit.",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS,
    check=_check_class_mismatch,
    doc=RuleDoc(
        what=(
            "Reports a classic `BounceAction` or Mail Manager `Bounce` whose `StatusCode` class (4 "
            "or 5) differs from the first digit of its `SmtpReplyCode`, e.g. `550` with `4.2.2`, "
            "pointing at both."
        ),
        why=(
            "The reply code and the enhanced code describe the same failure: one says permanent "
            "and the other temporary, and the sender's MTA may retry a message that will never be "
            "delivered or give up on one that would. Neither model cross-checks the two fields."
        ),
        bad=Example("SES408-bad.yaml", RULE_KIND),
        good=Example("SES408-good.yaml", RULE_KIND),
        references=(RFC2034_4, RFC3463_2, RFC5321_42),
    ),
)


# -- SES409 bounce-status-code-success-class ---------------------------------------------


def _check_success_class(ctx: LintContext) -> None:
    for _, body in classic_bounces(ctx):
        node = body.get("StatusCode")
        v = _text(node)
        if v is None or node is None or status_class(v) != "2":
            continue
        reply = _text(body.get("SmtpReplyCode"))
        suggestion = (reply[0] if reply and reply[:1] in ("4", "5") else "5") + v[1:]
        ctx.report(
            node,
            f"StatusCode {quote(v)} has class 2 (success); a bounce reports a failure: use class 5 "
            f"(permanent) or 4 (temporary), e.g. {quote(suggestion)}",
        )


SUCCESS_CLASS = Rule(
    code="SES409",
    name="bounce-status-code-success-class",
    severity=W,
    summary="A classic BounceAction whose StatusCode has class 2 (success).",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_success_class,
    doc=RuleDoc(
        what="Reports a classic `BounceAction.StatusCode` of the form `2.x.x`.",
        why=(
            "RFC 3463 class 2 reports a positive delivery; in a bounce it contradicts the reply "
            "code and confuses the sender's bounce processing. (The Mail Manager model only "
            "accepts classes 4 and 5.)"
        ),
        bad=Example("SES409-bad.yaml", RULE_KIND),
        good=Example("SES409-good.yaml", RULE_KIND),
        references=(RFC3463_2, API_BOUNCE_ACTION),
    ),
)


# -- SES410 status-detail-class-mismatch ---------------------------------------------------


def _check_detail_class(ctx: LintContext) -> None:
    found: list[tuple[Node, str, str]] = []
    if ctx.kind in CLASSIC_RULE_KINDS or ctx.kind in MM_RULE_SET_KINDS:
        bounces = classic_bounces(ctx) if ctx.kind in CLASSIC_RULE_KINDS else mm_bounces(ctx)
        for _, body in bounces:
            n = body.get("StatusCode")
            v = _text(n)
            reply = _text(body.get("SmtpReplyCode"))
            if (
                reply is not None
                and FAILURE_REPLY_RE.fullmatch(reply)
                and reply[0] != (status_class(v or "") or reply[0])
            ):
                continue  # the class contradicts the reply code: SES408 says so
            if v is not None and n is not None:
                found.append((n, "StatusCode", v))
    else:
        for _, dsn in dsn_fields(ctx):
            n = dsn.get("Status")
            v = _text(n)
            if v is not None and n is not None:
                found.append((n, "Status", dsn_status_code(v)))
    for node, label, code in found:
        parsed = parse_status(code)
        if parsed is None or parsed[0] == 2:
            continue  # syntax: SES405; class 2: SES409 / SES413
        advice = detail_advice(parsed)
        if advice is None:
            continue
        says, want = advice
        name = DETAIL_NAMES[(parsed[1], parsed[2])]
        x = f"X.{parsed[1]}.{parsed[2]}"
        if want == "2":
            tail = "a bounce should use another detail"
        else:
            tail = f"use {want}.{parsed[1]}.{parsed[2]}" + (
                f" with a {want}yz reply code" if label == "StatusCode" else ""
            )
        ctx.report(
            node,
            f"{label} {quote(code)}: RFC 3463 says {x} ({name}) is {says}, but it is used with "
            f"class {parsed[0]} ({CLASS_WORDS[str(parsed[0])]}); {tail}, or pick a detail meant "
            f"for class {parsed[0]}",
        )


DETAIL_CLASS = Rule(
    code="SES410",
    name="status-detail-class-mismatch",
    severity=I,
    summary="An enhanced status code whose detail RFC 3463 reserves for another class.",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS | SEND_BOUNCE_KINDS,
    check=_check_detail_class,
    doc=RuleDoc(
        what=(
            "Reports a bounce status code whose subject.detail RFC 3463 section 3 states is only "
            "meant for another class: X.1.1, X.1.2, X.1.3, X.1.6, X.2.3, X.3.4, X.5.1, X.5.2, "
            "X.5.4, X.6.1 and X.7.1-X.7.4 are permanent (5); X.2.2, X.3.1, X.4.1, X.4.2, X.4.3, "
            "X.4.5 and X.4.6 are persistent transient (4); X.1.5 is for positive reports. Only "
            "details the RFC restricts explicitly are checked."
        ),
        why=(
            'A detail used with the wrong class sends a mixed message: `4.1.1` says "the mailbox '
            'does not exist, try again later". (Note: the SES console\'s "Mailbox full" template '
            "uses 5.2.2, although RFC 3463 says X.2.2 should be a persistent transient failure.)"
        ),
        bad=Example("SES410-bad.yaml", RULE_KIND),
        good=Example("SES410-good.yaml", RULE_KIND),
        references=(RFC3463_3, DG_BOUNCE),
    ),
)


# -- SES411 bounce-status-code-missing ------------------------------------------------------


def _check_status_missing(ctx: LintContext) -> None:
    for _, body in classic_bounces(ctx):
        if body.get("StatusCode") is not None:
            continue
        reply = _text(body.get("SmtpReplyCode"))
        fix = None
        if reply is not None and FAILURE_REPLY_RE.fullmatch(reply):
            code = f"{reply[0]}.0.0"
            hint = f"add one whose class matches SmtpReplyCode {quote(reply)}, e.g. {quote(code)} or a precise one"
            fix = Fix(
                f"Add StatusCode {quote(code)}",
                (insert_member(ctx.document, body, "StatusCode", code),),
                safe=False,
            )
        else:
            hint = 'add one, e.g. "5.1.1"'
        ctx.report(
            body,
            f"BounceAction has no StatusCode, so the bounce carries no RFC 3463 enhanced status code; {hint}",
            on_key=True,
            fix=fix,
        )


STATUS_MISSING = Rule(
    code="SES411",
    name="bounce-status-code-missing",
    severity=I,
    summary="A classic BounceAction without StatusCode.",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_status_missing,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports a classic `BounceAction` without `StatusCode`. The editor offers to add the "
            'class-only code (`5.0.0` for a 5yz reply), which RFC 3463 defines for "errors for '
            'which only the class of the error is known".'
        ),
        why=(
            "`StatusCode` is optional in the API, but an enhanced status code is what lets the "
            "sender's systems classify the bounce (unknown user, mailbox full, policy) without "
            "parsing text."
        ),
        bad=Example("SES411-bad.yaml", RULE_KIND),
        good=Example("SES411-good.yaml", RULE_KIND),
        references=(RFC3463_3, API_BOUNCE_ACTION),
    ),
)


# -- SES412 bounce-reply-code-command-syntax --------------------------------------------------


def _check_command_codes(ctx: LintContext) -> None:
    for _, body in classic_bounces(ctx):
        node = body.get("SmtpReplyCode")
        v = _text(node)
        if node is not None and v in COMMAND_SYNTAX_REPLIES:
            ctx.report(
                node,
                f'SmtpReplyCode {quote(v)} means "{COMMAND_SYNTAX_REPLIES[v]}" (RFC 5321): a reply to a '
                'malformed SMTP command, not a rejected message; prefer "550" (mailbox '
                'unavailable) or "554" (transaction failed)',
            )


COMMAND_CODES = Rule(
    code="SES412",
    name="bounce-reply-code-command-syntax",
    severity=I,
    summary="A classic BounceAction using a 500-504 (command syntax) reply code.",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_command_codes,
    doc=RuleDoc(
        what="Reports a classic `BounceAction.SmtpReplyCode` of 500, 501, 502, 503 or 504.",
        why=(
            "RFC 5321 defines 500-504 as replies to a command the server could not parse or does "
            "not implement; for a message that is refused, 550 (mailbox unavailable) or 554 "
            "(transaction failed) say what happened. The SES console's \"Message content "
            'rejected" template uses 500; 550 or 554 is the sounder choice.'
        ),
        bad=Example("SES412-bad.yaml", RULE_KIND),
        good=Example("SES412-good.yaml", RULE_KIND),
        references=(RFC5321_423, DG_BOUNCE),
    ),
)


# -- SES413 dsn-action-status-mismatch ------------------------------------------------------


def _check_action_status(ctx: LintContext) -> None:
    for _, dsn in dsn_fields(ctx):
        anode, snode = dsn.get("Action"), dsn.get("Status")
        action, status = _text(anode), _text(snode)
        if action not in ACTIONS_FAILED or status is None or anode is None or snode is None:
            continue  # delivered/relayed/expanded: SES414
        cls = status_class(dsn_status_code(status))
        if cls is None:
            continue
        if action == "failed" and cls == "2":
            want = "a 5.x.x (permanent) or 4.x.x (given up after temporary failures) status"
        elif action == "delayed" and cls in ("2", "5"):
            want = "a 4.x.x (persistent transient failure) status"
        else:
            continue
        ctx.report(
            snode,
            f"Status {quote(status)} has class {cls} ({CLASS_WORDS[cls]}) but Action is "
            f"{quote(action)}; {quote(action)} goes with {want}",
            related=[Related(anode.start, anode.end, f"Action {quote(action)}")],
        )


ACTION_STATUS = Rule(
    code="SES413",
    name="dsn-action-status-mismatch",
    severity=W,
    summary="A SendBounce DSN whose Status class contradicts its Action.",
    source=SOURCE_RFC,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_action_status,
    doc=RuleDoc(
        what=(
            "Reports `RecipientDsnFields` where `Action: failed` has a 2.x.x `Status`, or `Action: "
            "delayed` has a 2.x.x or 5.x.x `Status`, pointing at both. `failed` with 4.x.x is "
            "allowed (RFC 3464: an MTA that gave up after temporary failures)."
        ),
        why=(
            "The sender's MTA reads both fields; a failure reported with a success code, or a "
            "delay reported with a permanent failure code, is classified inconsistently. The model "
            "checks only the Action enum."
        ),
        bad=Example("SES413-bad.yaml", SB_KIND),
        good=Example("SES413-good.yaml", SB_KIND),
        references=(RFC3464_233, RFC3463_2),
    ),
)


# -- SES414 dsn-action-not-failure ----------------------------------------------------------


def _check_action_not_failure(ctx: LintContext) -> None:
    for _, dsn in dsn_fields(ctx):
        node = dsn.get("Action")
        v = _text(node)
        if node is not None and v in ACTIONS_SUCCESS:
            ctx.report(
                node,
                f'Action {quote(v)} reports a successful delivery; a bounce uses "failed" (or '
                '"delayed" while delivery is still being retried)',
            )


ACTION_NOT_FAILURE = Rule(
    code="SES414",
    name="dsn-action-not-failure",
    severity=W,
    summary="A SendBounce DSN whose Action is delivered, relayed or expanded.",
    source=SOURCE_RFC,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_action_not_failure,
    doc=RuleDoc(
        what="Reports `RecipientDsnFields.Action` set to `delivered`, `relayed` or `expanded`.",
        why=(
            "RFC 3464 uses these values for successful delivery, relaying and alias expansion; "
            "SendBounce sends a non-delivery report, so the sender's systems would read it as a "
            "success notice."
        ),
        bad=Example("SES414-bad.yaml", SB_KIND),
        good=Example("SES414-good.yaml", SB_KIND),
        references=(RFC3464_233,),
    ),
)


# -- SES415/SES416 MTA names ------------------------------------------------------------------


def _mta_nodes(ctx: LintContext) -> Iterator[tuple[str, Node]]:
    md = _message_dsn(ctx)
    if md is not None:
        n = md.get("ReportingMta")
        if n is not None:
            yield "ReportingMta", n
    for _, dsn in dsn_fields(ctx):
        n = dsn.get("RemoteMta")
        if n is not None:
            yield "RemoteMta", n


def _check_mta_malformed(ctx: LintContext) -> None:
    for label, node in _mta_nodes(ctx):
        v = _text(node)
        if v is None:
            continue
        m = TYPED_RE.fullmatch(v)
        if m and m.group(2).strip():
            continue
        fix = None
        if m:
            reason = f"nothing follows {quote(m.group(1) + ';')}"
        else:
            colon = COLON_TYPED_RE.fullmatch(v)
            if colon:
                fixed = f"{colon.group(1)}; {colon.group(2).strip()}"
                reason = "the type is followed by ':' instead of ';'"
                fix = Fix(f"Replace with {quote(fixed)}", (replace_node(ctx.document, node, fixed),))
            elif HOSTNAME_RE.fullmatch(v.strip()):
                fixed = f"dns; {v.strip()}"
                reason = "the name-type is missing"
                fix = Fix(f"Replace with {quote(fixed)}", (replace_node(ctx.document, node, fixed),))
            else:
                reason = "there is no 'type;' part"
        example = f"dns; {v.strip()}" if HOSTNAME_RE.fullmatch(v.strip()) else "dns; mx.example.com"
        ctx.report(
            node,
            f'{label} {quote(v)} is not in the RFC 3464 form "name-type; name": {reason}; write e.g. {quote(example)}',
            fix=fix,
        )


MTA_MALFORMED = Rule(
    code="SES415",
    name="mta-name-malformed",
    severity=W,
    summary="A ReportingMta or RemoteMta not in the RFC 3464 `type; name` form.",
    source=SOURCE_RFC,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_mta_malformed,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports `MessageDsn.ReportingMta` and `RecipientDsnFields.RemoteMta` values without "
            "an `mta-name-type;` prefix or without a name after it. A bare host name gets `dns; ` "
            "prepended and `dns: host` is corrected to `dns; host`."
        ),
        why=(
            "The API reference asks for the RFC 3464 form (`mta-name-type; mta-name`, default "
            "`dns; inbound-smtp.[region].amazonaws.com`); a bare name produces a DSN field that "
            "parsers reject or misread."
        ),
        bad=Example("SES415-bad.yaml", SB_KIND),
        good=Example("SES415-good.yaml", SB_KIND),
        references=(API_MESSAGE_DSN, API_DSN_FIELDS, RFC3464_223, RFC3464_235),
    ),
)


def _check_mta_type(ctx: LintContext) -> None:
    for label, node in _mta_nodes(ctx):
        v = _text(node)
        if v is None:
            continue
        m = TYPED_RE.fullmatch(v)
        if not m or not m.group(2).strip() or m.group(1).lower() in MTA_TYPES:
            continue
        ctx.report(
            node,
            f"{label} {quote(v)} has MTA name-type {quote(m.group(1))}; the registered types are "
            '"dns" and "x400" (e.g. "dns; mx.example.com")',
        )


MTA_TYPE = Rule(
    code="SES416",
    name="mta-name-type-unregistered",
    severity=I,
    summary="A ReportingMta or RemoteMta whose name-type is not dns or x400.",
    source=SOURCE_RFC,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_mta_type,
    doc=RuleDoc(
        what=(
            "Reports a `ReportingMta` or `RemoteMta` whose `mta-name-type` is not `dns` or `x400` (case-insensitive)."
        ),
        why=(
            "The IANA registry of DSN MTA-name types holds `dns` and `x400`; an Internet MTA is "
            "named with `dns`. Other types are usually a typo, or an address-type such as `rfc822` "
            "in the wrong field."
        ),
        bad=Example("SES416-bad.yaml", SB_KIND),
        good=Example("SES416-good.yaml", SB_KIND),
        references=(RFC3464_223, IANA_DSN_TYPES),
    ),
)


# -- SES417/SES418 DiagnosticCode ---------------------------------------------------------------


def _diagnostic_nodes(ctx: LintContext) -> Iterator[Node]:
    for _, dsn in dsn_fields(ctx):
        n = dsn.get("DiagnosticCode")
        if n is not None:
            yield n


def _check_diagnostic_untyped(ctx: LintContext) -> None:
    for node in _diagnostic_nodes(ctx):
        v = _text(node)
        if v is None or v.strip() == "":
            continue
        m = TYPED_RE.fullmatch(v)
        if m:
            continue
        fix = None
        if REPLY_TEXT_RE.match(v.strip()):
            fixed = f"smtp; {v.strip()}"
            fix = Fix(f"Replace with {quote(fixed)}", (replace_node(ctx.document, node, fixed),))
            example = quote(fixed)
        else:
            example = '"smtp; 550 5.1.1 user unknown"'
        ctx.report(
            node,
            f'DiagnosticCode {quote(v)} has no diagnostic-type; RFC 3464 writes it as "type; text", e.g. {example}',
            fix=fix,
        )


DIAGNOSTIC_UNTYPED = Rule(
    code="SES417",
    name="diagnostic-code-without-type",
    severity=W,
    summary="A SendBounce DiagnosticCode without a `type;` prefix.",
    source=SOURCE_RFC,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_diagnostic_untyped,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports a `RecipientDsnFields.DiagnosticCode` that does not start with a "
            "diagnostic-type and `;`. When the text starts with an SMTP reply code, `smtp; ` is "
            "prepended."
        ),
        why=(
            "The value becomes the DSN's `Diagnostic-Code` field, whose RFC 3464 syntax is "
            '`diagnostic-type ";" *text`; without the type, bounce parsers cannot tell what kind '
            "of code follows."
        ),
        bad=Example("SES417-bad.yaml", SB_KIND),
        good=Example("SES417-good.yaml", SB_KIND),
        references=(RFC3464_236, API_DSN_FIELDS),
    ),
)


def _check_diagnostic_type(ctx: LintContext) -> None:
    for node in _diagnostic_nodes(ctx):
        v = _text(node)
        m = TYPED_RE.fullmatch(v) if v is not None else None
        if m is None or m.group(1).lower() in DIAGNOSTIC_TYPES:
            continue
        ctx.report(
            node,
            f"DiagnosticCode {quote(v or '')} has diagnostic-type {quote(m.group(1))}; the "
            'registered type is "smtp" (e.g. "smtp; 550 5.1.1 user unknown")',
        )


DIAGNOSTIC_TYPE = Rule(
    code="SES418",
    name="diagnostic-code-type-unregistered",
    severity=I,
    summary="A SendBounce DiagnosticCode whose type is not smtp.",
    source=SOURCE_RFC,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_diagnostic_type,
    doc=RuleDoc(
        what=("Reports a `DiagnosticCode` whose diagnostic-type (before the `;`) is not `smtp` (case-insensitive)."),
        why=(
            "`smtp` is the only diagnostic type in the IANA DSN registry; another word before a "
            '`;` is usually part of the text ("Error; ...") rather than a type, and parsers will '
            "misread it."
        ),
        bad=Example("SES418-bad.yaml", SB_KIND),
        good=Example("SES418-good.yaml", SB_KIND),
        references=(RFC3464_236, IANA_DSN_TYPES),
    ),
)


# -- SES419 diagnostic-message-smtp-prefix ------------------------------------------------------


def _check_mm_smtp_prefix(ctx: LintContext) -> None:
    for _, body in mm_bounces(ctx):
        node = body.get("DiagnosticMessage")
        v = _text(node)
        if v is None or node is None or not re.fullmatch(r"[\x20-\x7e]{1,256}", v):
            continue  # the schema pass reports the pattern and the length
        m = SMTP_PREFIX_RE.match(v)
        if not m or not v[m.end() :]:
            continue
        rest = v[m.end() :]
        fix = Fix(
            f"Remove the {quote(v[: m.end()])} prefix",
            (replace_node(ctx.document, node, rest),),
            safe=False,
        )
        ctx.report(
            node,
            f'DiagnosticMessage {quote(v)} starts with "smtp;"; Mail Manager writes the '
            f"Diagnostic-Code type itself, so give only the text, e.g. {quote(rest)}",
            fix=fix,
        )


MM_SMTP_PREFIX = Rule(
    code="SES419",
    name="diagnostic-message-smtp-prefix",
    severity=I,
    summary="A Mail Manager Bounce DiagnosticMessage that already starts with `smtp;`.",
    source=SOURCE_DOCS,
    kinds=MM_RULE_SET_KINDS,
    check=_check_mm_smtp_prefix,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports a Mail Manager `Bounce.DiagnosticMessage` beginning with `smtp;`. The editor "
            "offers to remove the prefix (not applied by `--fix`)."
        ),
        why=(
            'The model describes the member as "the diagnostic message included in the '
            "Diagnostic-Code header\": the header's `smtp;` type is added by the service, so a "
            "prefix in the message appears twice."
        ),
        bad=Example("SES419-bad.yaml", MM_KIND),
        good=Example("SES419-good.yaml", MM_KIND),
        references=(API_MM_BOUNCE, RFC3464_236),
    ),
)


# -- SES420 final-recipient-address-type-prefix -------------------------------------------------


def _check_rfc822_prefix(ctx: LintContext) -> None:
    for _, dsn in dsn_fields(ctx):
        node = dsn.get("FinalRecipient")
        v = _text(node)
        if v is None or node is None:
            continue
        m = RFC822_PREFIX_RE.match(v)
        if not m:
            continue
        rest = v[m.end() :]
        fix = (
            Fix(
                f"Remove the {quote(v[: m.end()])} prefix",
                (replace_node(ctx.document, node, rest),),
            )
            if rest
            else None
        )
        ctx.report(
            node,
            f'FinalRecipient {quote(v)} starts with an address-type; SES adds "rfc822;" itself, '
            "so give only the address" + (f", e.g. {quote(rest)}" if rest else ""),
            fix=fix,
        )


RFC822_PREFIX = Rule(
    code="SES420",
    name="final-recipient-address-type-prefix",
    severity=W,
    summary="A SendBounce FinalRecipient written with an `rfc822;` prefix.",
    source=SOURCE_DOCS,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_rfc822_prefix,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports a `RecipientDsnFields.FinalRecipient` starting with `rfc822;` (any case, "
            "spaces allowed) and removes it."
        ),
        why=(
            'The API reference says "Do not prepend the FinalRecipient email address with rfc '
            '822;": SES writes the RFC 3464 address-type itself, so the DSN would read `rfc822; '
            "rfc822; user@example.com`."
        ),
        bad=Example("SES420-bad.yaml", SB_KIND),
        good=Example("SES420-good.yaml", SB_KIND),
        references=(API_DSN_FIELDS, RFC3464_232),
    ),
)


# -- SES421 bounce-address-invalid -----------------------------------------------------------------


def _address_nodes(ctx: LintContext) -> Iterator[tuple[str, Node, bool]]:
    """(label, node, display name allowed) for every bounce address field of the document."""
    if ctx.kind in CLASSIC_RULE_KINDS:
        for _, body in classic_bounces(ctx):
            n = body.get("Sender")
            if n is not None:
                yield "BounceAction Sender", n, True
        return
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return
    n = root.get("BounceSender")
    if n is not None:
        yield "BounceSender", n, True
    for info in recipient_infos(ctx):
        n = info.get("Recipient")
        if n is not None:
            yield "Recipient", n, False
        dsn = info.get("RecipientDsnFields")
        n = dsn.get("FinalRecipient") if dsn is not None else None
        if n is not None:
            yield "FinalRecipient", n, False


def _check_addresses(ctx: LintContext) -> None:
    for label, node, display in _address_nodes(ctx):
        v = _text(node)
        if v is None:
            continue
        shown = v
        if label == "FinalRecipient":
            m = RFC822_PREFIX_RE.match(v)
            if m:  # the prefix is SES420's; judge the address after it
                v = v[m.end() :]
                if not v:
                    continue
        problem = address_problem(v, display)
        if problem is None:
            continue
        fix = None
        if shown == v:
            s = v.strip()
            if s.lower().startswith("mailto:"):
                s = s[7:].strip()
            if s != v and s and is_email_address(s, display):
                fix = Fix(f"Replace with {quote(s)}", (replace_node(ctx.document, node, s),))
        ctx.report(
            node,
            f"{label} {quote(shown)} is not an email address: {problem}; write local@domain, e.g. "
            '"postmaster@example.com"',
            fix=fix,
        )


ADDRESS_INVALID = Rule(
    code="SES421",
    name="bounce-address-invalid",
    severity=W,
    summary="A bounce sender or recipient that is not an email address.",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS | SEND_BOUNCE_KINDS,
    check=_check_addresses,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Checks classic `BounceAction.Sender`, SendBounce `BounceSender`, "
            "`BouncedRecipientInfo.Recipient` and `RecipientDsnFields.FinalRecipient`: "
            "`local@domain`, no spaces, a domain with a dot or an address literal (`[192.0.2.1]`, "
            "`[IPv6:2001:db8::1]`). International addresses are accepted, and senders may carry a "
            "display name (`Postmaster <postmaster@example.com>`). Surrounding white space and "
            "`mailto:` are fixed. (The Mail Manager `Bounce.Sender` has a model pattern: the "
            "schema pass checks it.)"
        ),
        why=(
            "The classic model types these fields as plain strings, so a typo or a placeholder "
            "reaches SES: the sender must be a verified identity and the recipients must be the "
            "original message's recipients, and neither can match a malformed address."
        ),
        bad=Example("SES421-bad.yaml", RULE_KIND),
        good=Example("SES421-good.yaml", RULE_KIND),
        references=(RFC5321_ADDR, API_BOUNCE_ACTION, API_SEND_BOUNCE, API_RECIPIENT_INFO),
    ),
)


# -- SES422/SES423 DSN dates -------------------------------------------------------------------


def _date_nodes(ctx: LintContext) -> tuple[Node | None, list[Node]]:
    md = _message_dsn(ctx)
    arrival = md.get("ArrivalDate") if md is not None else None
    last = [n for _, dsn in dsn_fields(ctx) if (n := dsn.get("LastAttemptDate")) is not None]
    return arrival, last


def _shown_time(node: Node, instant: Instant) -> str:
    raw = str(node.value)
    if node.kind in (INTEGER, NUMBER) or is_epoch_text(raw):
        return f"{quote(raw)} ({utc_text(instant.when)})"
    return quote(raw)


def _check_date_order(ctx: LintContext) -> None:
    from datetime import timedelta  # lazy: start-up time

    arrival, lasts = _date_nodes(ctx)
    a = parse_timestamp(arrival.value) if arrival is not None else None
    if a is None or arrival is None:
        return
    for node in lasts:
        t = parse_timestamp(node.value)
        if t is None:
            continue
        # Both with a zone, or both without (both read as UTC): compare as they are; otherwise
        # allow for the unknown offset of the one without a zone.
        slack = timedelta(0) if a.zoned == t.zoned else timedelta(hours=14)
        if t.when + slack < a.when:
            ctx.report(
                node,
                f"LastAttemptDate {_shown_time(node, t)} is earlier than the message's ArrivalDate "
                f"{_shown_time(arrival, a)}; the last delivery attempt cannot precede the arrival: "
                "check both dates and their time zones",
                related=[Related(arrival.start, arrival.end, f"ArrivalDate {_shown_time(arrival, a)}")],
            )


DATE_ORDER = Rule(
    code="SES422",
    name="dsn-date-order",
    severity=W,
    summary="A SendBounce LastAttemptDate earlier than the message's ArrivalDate.",
    source=SOURCE_RFC,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_date_order,
    doc=RuleDoc(
        what=(
            "Reports a `RecipientDsnFields.LastAttemptDate` earlier than `MessageDsn.ArrivalDate`, "
            "pointing at both. ISO 8601, epoch seconds and YAML timestamps are read; when only one "
            "of the dates has a time zone, 14 hours of slack cover the unknown offset."
        ),
        why=(
            "A message is attempted after it arrives; the reverse usually means swapped fields, a "
            "local time written without its zone, or milliseconds given as seconds."
        ),
        bad=Example("SES422-bad.yaml", SB_KIND),
        good=Example("SES422-good.yaml", SB_KIND),
        references=(API_MESSAGE_DSN, API_DSN_FIELDS, RFC3464_237),
    ),
)


def _check_future_dates(ctx: LintContext) -> None:
    from datetime import timedelta  # lazy: start-up time

    arrival, lasts = _date_nodes(ctx)
    now = None
    for label, node in ([("ArrivalDate", arrival)] if arrival is not None else []) + [
        ("LastAttemptDate", n) for n in lasts
    ]:
        t = parse_timestamp(node.value)
        if t is None:
            continue
        if now is None:
            now = current_time(ctx)
        # Without a zone the CLI reads UTC; a local time can be up to 14 hours ahead of it.
        slack = timedelta(minutes=5) if t.zoned else timedelta(hours=14)
        if t.when > now + slack:
            ctx.report(
                node,
                f"{label} {_shown_time(node, t)} is in the future; SendBounce reports on a message "
                "already received: check the date and its time zone",
            )


FUTURE_DATE = Rule(
    code="SES423",
    name="dsn-date-in-future",
    severity=W,
    summary="A SendBounce ArrivalDate or LastAttemptDate in the future.",
    source=SOURCE_DOCS,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_future_dates,
    doc=RuleDoc(
        what=(
            "Reports `MessageDsn.ArrivalDate` or `RecipientDsnFields.LastAttemptDate` later than "
            "the current time (5 minutes of slack for clock skew; 14 hours when the date has no "
            "time zone)."
        ),
        why=(
            "SendBounce only works for mail SES received in the last 24 hours, so both dates lie "
            "in the past; a future date is a typo, a wrong year, or a local time written as UTC."
        ),
        bad=Example("SES423-bad.yaml", SB_KIND),
        good=Example("SES423-good.yaml", SB_KIND),
        references=(API_SEND_BOUNCE, API_MESSAGE_DSN, RFC3464_237),
    ),
)


# -- SES424 bounce-explanation-empty ----------------------------------------------------------


def _check_explanation(ctx: LintContext) -> None:
    root = ctx.root
    node = root.get("Explanation") if root is not None and root.kind == OBJECT else None
    v = _text(node)
    if v is None or v.strip() or node is None or node.key_node is None or root is None:
        return
    fix = Fix(
        "Remove the empty Explanation (SES then writes one)",
        (remove_member(ctx.document, root, node.key_node),),
    )
    ctx.report(
        node,
        f"Explanation {quote(v)} is empty; the bounce's human-readable part would say nothing: "
        "write the reason, or remove Explanation to let SES generate the text from the recipients' "
        "bounce information",
        fix=fix,
    )


EXPLANATION_EMPTY = Rule(
    code="SES424",
    name="bounce-explanation-empty",
    severity=W,
    summary="A SendBounce request with an empty Explanation.",
    source=SOURCE_DOCS,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_explanation,
    fixable=True,
    doc=RuleDoc(
        what="Reports `Explanation: ''` (or only white space) and removes the member.",
        why=(
            'The API generates the text only "if not specified"; an empty string is specified, '
            "and the model sets no minimum length, so the bounce's human-readable part may be sent "
            "empty."
        ),
        bad=Example("SES424-bad.yaml", SB_KIND),
        good=Example("SES424-good.yaml", SB_KIND),
        references=(API_SEND_BOUNCE,),
    ),
)


# -- SES425 bounce-sender-not-verified ----------------------------------------------------------


def _check_sender_verified(ctx: LintContext) -> None:
    verified = tuple(ctx.config.verified_domains or ())
    if not verified:
        return
    nodes: list[tuple[str, Node]] = []
    if ctx.kind in CLASSIC_RULE_KINDS:
        nodes = [("BounceAction Sender", n) for _, b in classic_bounces(ctx) if (n := b.get("Sender")) is not None]
    elif ctx.kind in MM_RULE_SET_KINDS:
        nodes = [("Bounce Sender", n) for _, b in mm_bounces(ctx) if (n := b.get("Sender")) is not None]
    else:
        root = ctx.root
        if root is not None and root.kind == OBJECT and root.get("BounceSenderArn") is None:
            n = root.get("BounceSender")
            if n is not None:
                nodes = [("BounceSender", n)]
    for label, node in nodes:
        v = _text(node)
        if v is None or not is_email_address(v, display_name=True):
            continue  # malformed: SES421 / the schema pass
        if address_is_verified(v, verified):
            continue
        ctx.report(
            node,
            f"{label} {quote(v)} is not on a verified identity (verified-domains: "
            f"{', '.join(quote(d) for d in verified[:5])}{', ...' if len(verified) > 5 else ''}); "
            "SES only sends bounces from verified identities: use an address on a verified domain "
            "or add its domain to verified-domains",
        )


SENDER_NOT_VERIFIED = Rule(
    code="SES425",
    name="bounce-sender-not-verified",
    severity=W,
    summary="A bounce sender outside the configured verified domains.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS | SEND_BOUNCE_KINDS,
    check=_check_sender_verified,
    doc=RuleDoc(
        what=(
            "With `verified-domains` configured, reports a classic `BounceAction.Sender`, Mail "
            "Manager `Bounce.Sender` or SendBounce `BounceSender` whose domain is neither a listed "
            "domain nor a subdomain of one (entries with an `@` are taken as verified addresses). "
            "Silent without the setting, and for SendBounce with `BounceSenderArn` (sending "
            "authorization)."
        ),
        why=(
            "The bounce is sent from this address, which must be a verified SES identity; SES "
            "rejects a classic rule whose bounce sender is not verified when the rule is created, "
            "and SendBounce fails at send time."
        ),
        bad=None,
        good=None,
        notes='Configure it with `verified-domains = ["example.com"]` in `[tool.ses-lsp]`.',
        references=(API_BOUNCE_ACTION, API_SEND_BOUNCE, DG_IDENTITIES, FLOCI),
    ),
)


RULES = [
    REASON_MISSING,
    BOTH_REASONS,
    LIST_EMPTY,
    FIELD_EMPTY,
    STATUS_SYNTAX,
    REPLY_SYNTAX,
    REPLY_NOT_FAILURE,
    CLASS_MISMATCH,
    SUCCESS_CLASS,
    DETAIL_CLASS,
    STATUS_MISSING,
    COMMAND_CODES,
    ACTION_STATUS,
    ACTION_NOT_FAILURE,
    MTA_MALFORMED,
    MTA_TYPE,
    DIAGNOSTIC_UNTYPED,
    DIAGNOSTIC_TYPE,
    MM_SMTP_PREFIX,
    RFC822_PREFIX,
    ADDRESS_INVALID,
    DATE_ORDER,
    FUTURE_DATE,
    EXPLANATION_EMPTY,
    SENDER_NOT_VERIFIED,
]
