"""Semantic rules: bounces (SES4xx).

Three places build a bounce:

* the classic receipt-rule ``BounceAction`` (``SmtpReplyCode``, ``StatusCode``,
  ``Message``, ``Sender``): the API model constrains none of these strings, so
  their RFC syntax is checked here;
* the Mail Manager ``Bounce`` rule action: the model has patterns for
  ``StatusCode``, ``SmtpReplyCode`` and ``Sender`` (the schema pass, SES1xx,
  reports those); only what the patterns cannot express is checked here;
* ``SendBounce`` (``ses:send-bounce``): its own fields (the recipient list and
  the DSN fields) are :mod:`ses_lsp.lint.rules.dsn`'s; the rules here on status
  codes, addresses and the sender's identity cover it too.

The grammars and tables the checks rely on are :mod:`ses_lsp.knowledge.smtp`
(reply codes, enhanced status codes, DSN fields) and
:mod:`ses_lsp.knowledge.addresses`.  A value of the wrong type, or one the
schema pass already reports, is skipped silently; values holding template
placeholders (``${Var}``, ``{{var}}``) are never judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.knowledge.addresses import address_is_verified, address_problem, is_email_address
from ses_lsp.knowledge.smtp import (
    CLASS_WORDS,
    COMMAND_SYNTAX_REPLIES,
    DETAIL_NAMES,
    DOTTED_RE,
    FAILURE_REPLY_RE,
    REPLY_RE,
    RFC822_PREFIX_RE,
    SMTP_PREFIX_RE,
    STATUS_RE,
    detail_advice,
    diagnostic_reply_code,
    dsn_status_code,
    parse_status,
    status_class,
    status_problem,
    strip_leading_zeros,
)
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Fix, Related, Severity
from ses_lsp.lint.edits import insert_member, replace_node
from ses_lsp.lint.references import (
    API_RECIPIENT_INFO,
    API_SEND_BOUNCE,
    FLOCI_RULE_PROBES,
    RFC3463_2,
    RFC3464_236,
    SES_API,
    rfc,
)
from ses_lsp.lint.registry import SOURCE_DOCS, SOURCE_OBSERVED, SOURCE_RFC, Example, Rule, RuleDoc
from ses_lsp.lint.rules.common import (
    CLASSIC_RULE_KINDS,
    MM_RULE_SET_KINDS,
    SEND_BOUNCE_KINDS,
    classic_actions_of_type,
    concrete_text,
    dsn_fields,
    mm_rule_nodes,
    recipient_infos,
)
from ses_lsp.lint.text import quote

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

# -- references ------------------------------------------------------------------

API_BOUNCE_ACTION = SES_API + "API_BounceAction.html"
API_MM_BOUNCE = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_BounceAction.html"
DG_BOUNCE = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-bounce.html"
DG_IDENTITIES = "https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html"
RFC3463_3 = rfc(3463, "3", "enumerated status codes")
RFC3464_234 = rfc(3464, "2.3.4", "Status")
RFC5321_42 = rfc(5321, "4.2", "reply codes")
RFC5321_423 = rfc(5321, "4.2.3", "reply codes in numeric order")
RFC5321_ADDR = rfc(5321, "4.1.2", "mailbox syntax")
RFC2034_4 = rfc(2034, "4", "enhanced codes sent with reply codes")
FLOCI = FLOCI_RULE_PROBES

# The Mail Manager model's pattern for Bounce.StatusCode (class 4 or 5, leading zeros allowed).
_MM_STATUS_RE = r"[45]\.[0-9]{1,3}\.[0-9]{1,3}"


# -- tree readers ---------------------------------------------------------------


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


# -- example documents -----------------------------------------------------------

RULE_KIND = "ses:create-receipt-rule"
MM_KIND = "mailmanager:create-rule-set"


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
            v = concrete_text(node)
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
            v = concrete_text(node)
            # Only what the model's pattern lets through: leading zeros.
            if (
                v is None
                or node is None
                or not re.fullmatch(_MM_STATUS_RE, v)
                or not 5 <= len(v) <= 9
                or re.fullmatch(STATUS_RE, v)
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
            v = concrete_text(node)
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
            v = concrete_text(node)
            if v is None or node is None or v == "" or re.fullmatch(REPLY_RE, v):
                continue  # empty: SES404
            s = v.strip()
            fix = None
            if s != v and re.fullmatch(REPLY_RE, s):
                reason = "it has white space around the code"
                fix = Fix(f"Replace with {quote(s)}", (replace_node(ctx.document, node, s),))
            elif re.fullmatch(r"[2-5][6-9][0-9]", s):
                reason = f"its second digit {s[1]} is outside 0-5"
            elif re.fullmatch(r"[0-9]{3}", s):
                reason = f"its first digit {s[0]} is outside 2-5"
            elif re.fullmatch(DOTTED_RE, s):
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
            v = concrete_text(node)
            if v is None or node is None or not re.fullmatch(FAILURE_REPLY_RE, v) or re.fullmatch(REPLY_RE, v):
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
        v = concrete_text(node)
        if v is None or node is None or not re.fullmatch(REPLY_RE, v) or v[0] in "45":
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


def _reply_codes(ctx: LintContext) -> Iterator[tuple[Node, str, str, Node | None, str]]:
    """Each bounce's reply code with its status code: ``(reply node, reply code, how the
    reply is named, status node, how the status is named)``.  Bounce actions have both
    fields; a SendBounce DSN has the reply code inside its ``DiagnosticCode``
    (``smtp; 550 5.1.1 ...``) beside its ``Status``."""
    if ctx.kind in SEND_BOUNCE_KINDS:
        for _, dsn in dsn_fields(ctx):
            rnode = dsn.get("DiagnosticCode")
            text = concrete_text(rnode)
            reply = diagnostic_reply_code(text) if text is not None else None
            if rnode is not None and reply is not None:
                yield rnode, reply, f"the reply code {quote(reply)} in DiagnosticCode", dsn.get("Status"), "Status"
        return
    pairs = classic_bounces(ctx) if ctx.kind in CLASSIC_RULE_KINDS else mm_bounces(ctx)
    for _, body in pairs:
        rnode = body.get("SmtpReplyCode")
        reply = concrete_text(rnode)
        if rnode is not None and reply is not None:
            yield rnode, reply, f"SmtpReplyCode {quote(reply)}", body.get("StatusCode"), "StatusCode"


def _check_class_mismatch(ctx: LintContext) -> None:
    for rnode, reply, reply_label, snode, status_label in _reply_codes(ctx):
        status = concrete_text(snode)
        if status is not None and status_label == "Status":
            status = dsn_status_code(status)
        if status is None or not re.fullmatch(FAILURE_REPLY_RE, reply):
            continue  # 2yz/3yz replies: SES407
        cls = status_class(status)
        if cls is None or cls == "2" or cls == reply[0]:
            continue  # class 2: SES409
        assert snode is not None
        fixed = reply[0] + status[1:]
        ctx.report(
            snode,
            f"{status_label} {quote(status)} has class {cls} ({CLASS_WORDS[cls]}) but {reply_label} "
            f"is a {reply[0]}yz ({CLASS_WORDS[reply[0]]}) reply; the enhanced "
            f"code's class must match the reply code's first digit: use {quote(fixed)} or change "
            "the reply code",
            related=[Related(rnode.start, rnode.end, reply_label[0].upper() + reply_label[1:])],
        )


CLASS_MISMATCH = Rule(
    code="SES408",
    name="reply-code-status-class-mismatch",
    severity=W,
    summary="A bounce whose status code class differs from its SMTP reply code's first digit.",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS | SEND_BOUNCE_KINDS,
    check=_check_class_mismatch,
    doc=RuleDoc(
        what=(
            "Reports a classic `BounceAction` or Mail Manager `Bounce` whose `StatusCode` class (4 "
            "or 5) differs from the first digit of its `SmtpReplyCode`, e.g. `550` with `4.2.2`, "
            "and a SendBounce `RecipientDsnFields.Status` whose class differs from the reply code "
            "its `DiagnosticCode` starts with (`smtp; 550 ...`), pointing at both."
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
        v = concrete_text(node)
        if v is None or node is None or status_class(v) != "2":
            continue
        reply = concrete_text(body.get("SmtpReplyCode"))
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
            v = concrete_text(n)
            reply = concrete_text(body.get("SmtpReplyCode"))
            if (
                reply is not None
                and re.fullmatch(FAILURE_REPLY_RE, reply)
                and reply[0] != (status_class(v or "") or reply[0])
            ):
                continue  # the class contradicts the reply code: SES408 says so
            if v is not None and n is not None:
                found.append((n, "StatusCode", v))
    else:
        for _, dsn in dsn_fields(ctx):
            n = dsn.get("Status")
            v = concrete_text(n)
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
        reply = concrete_text(body.get("SmtpReplyCode"))
        fix = None
        if reply is not None and re.fullmatch(FAILURE_REPLY_RE, reply):
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
    for node, v, label, _, _ in _reply_codes(ctx):
        if v in COMMAND_SYNTAX_REPLIES:
            ctx.report(
                node,
                f'{label[0].upper() + label[1:]} means "{COMMAND_SYNTAX_REPLIES[v]}" (RFC 5321): a reply to a '
                'malformed SMTP command, not a rejected message; prefer "550" (mailbox '
                'unavailable) or "554" (transaction failed)',
            )


COMMAND_CODES = Rule(
    code="SES412",
    name="bounce-reply-code-command-syntax",
    severity=I,
    summary="A classic BounceAction or SendBounce DSN using a 500-504 (command syntax) reply code.",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS | SEND_BOUNCE_KINDS,
    check=_check_command_codes,
    doc=RuleDoc(
        what=(
            "Reports a classic `BounceAction.SmtpReplyCode` of 500, 501, 502, 503 or 504, and a "
            "SendBounce `RecipientDsnFields.DiagnosticCode` starting with one (`smtp; 500 ...`)."
        ),
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


# -- SES419 diagnostic-message-smtp-prefix ------------------------------------------------------


def _check_mm_smtp_prefix(ctx: LintContext) -> None:
    for _, body in mm_bounces(ctx):
        node = body.get("DiagnosticMessage")
        v = concrete_text(node)
        if v is None or node is None or not re.fullmatch(r"[\x20-\x7e]{1,256}", v):
            continue  # the schema pass reports the pattern and the length
        m = re.match(SMTP_PREFIX_RE, v)
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
        v = concrete_text(node)
        if v is None:
            continue
        shown = v
        if label == "FinalRecipient":
            m = re.match(RFC822_PREFIX_RE, v)
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
        v = concrete_text(node)
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
    FIELD_EMPTY,
    STATUS_SYNTAX,
    REPLY_SYNTAX,
    REPLY_NOT_FAILURE,
    CLASS_MISMATCH,
    SUCCESS_CLASS,
    DETAIL_CLASS,
    STATUS_MISSING,
    COMMAND_CODES,
    MM_SMTP_PREFIX,
    ADDRESS_INVALID,
    SENDER_NOT_VERIFIED,
]
