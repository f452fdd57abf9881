"""Semantic rules: delivery status notifications sent with SendBounce (SES4xx).

A ``SendBounce`` request (``ses:send-bounce``) builds the bounce itself: the
recipient list with, per recipient, a ``BounceType`` or the DSN fields
(``RecipientDsnFields``: Action, Status, Remote-MTA, Diagnostic-Code,
Final-Recipient, Last-Attempt-Date) and the message DSN fields (``MessageDsn``:
Reporting-MTA, Arrival-Date), all from RFC 3464.  The rules on what a bounce
shares with the bounce actions (status code syntax and classes, addresses, the
sender's identity) are in :mod:`ses_lsp.lint.rules.bounces`.

The grammars the checks rely on are :mod:`ses_lsp.knowledge.smtp` and
:mod:`ses_lsp.knowledge.timestamps`.  A value of the wrong type, or one the
schema pass already reports, is skipped silently; values holding template
placeholders (``${Var}``, ``{{var}}``) are never judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ses_lsp.document.nodes import ARRAY, INTEGER, NUMBER, OBJECT, STRING, Node
from ses_lsp.knowledge.addresses import without_display_name
from ses_lsp.knowledge.smtp import (
    ACTIONS_FAILED,
    ACTIONS_SUCCESS,
    CLASS_WORDS,
    COLON_TYPED_RE,
    DIAGNOSTIC_TYPES,
    HOSTNAME_RE,
    MTA_TYPES,
    REPLY_TEXT_RE,
    RFC822_PREFIX_RE,
    TYPED_RE,
    dsn_status_code,
    status_class,
)
from ses_lsp.knowledge.timestamps import Instant, is_epoch_text, parse_timestamp, utc_text
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Fix, Related, Severity
from ses_lsp.lint.edits import remove_member, replace_node
from ses_lsp.lint.references import API_RECIPIENT_INFO, API_SEND_BOUNCE, RFC3463_2, RFC3464_236, SES_API, rfc
from ses_lsp.lint.registry import SOURCE_DOCS, SOURCE_RFC, Example, Rule, RuleDoc
from ses_lsp.lint.rules.common import (
    SEND_BOUNCE_KINDS,
    concrete_text,
    current_time,
    dsn_fields,
    recipient_infos,
    string_value,
)
from ses_lsp.lint.text import quote

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

# -- references ------------------------------------------------------------------

API_DSN_FIELDS = SES_API + "API_RecipientDsnFields.html"
API_MESSAGE_DSN = SES_API + "API_MessageDsn.html"
RFC3464_223 = rfc(3464, "2.2.2", "Reporting-MTA")
RFC3464_232 = rfc(3464, "2.3.2", "Final-Recipient")
RFC3464_233 = rfc(3464, "2.3.3", "Action")
RFC3464_235 = rfc(3464, "2.3.5", "Remote-MTA")
RFC3464_237 = rfc(3464, "2.3.7", "Last-Attempt-Date")
IANA_DSN_TYPES = "IANA Delivery Status Notification types: https://www.iana.org/assignments/dsn-types/dsn-types.xhtml"


# -- tree readers ---------------------------------------------------------------


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


# -- SES426 bounced-recipient-duplicate ---------------------------------------------------


def _recipient_key(address: str) -> str:
    """An address as SES compares it: domains ignore case, local parts do not."""
    address = without_display_name(address).strip()
    local, at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}" if at else address


def _check_duplicate_recipient(ctx: LintContext) -> None:
    first: dict[str, Node] = {}
    for info in recipient_infos(ctx):
        node = info.get("Recipient")
        v = concrete_text(node)
        if node is None or v is None or not v.strip():
            continue
        key = _recipient_key(v)
        earlier = first.setdefault(key, node)
        if earlier is node:
            continue
        ctx.report(
            node,
            f"Recipient {quote(v)} is already in BouncedRecipientInfoList; the bounce would report it "
            "twice: keep one entry per recipient (merge their BounceType or RecipientDsnFields)",
            related=[Related(earlier.start, earlier.end, f"First entry for {quote(concrete_text(earlier) or v)}")],
        )


DUPLICATE_RECIPIENT = Rule(
    code="SES426",
    name="bounced-recipient-duplicate",
    severity=W,
    summary="A SendBounce request that lists the same recipient twice.",
    source=SOURCE_RFC,
    kinds=SEND_BOUNCE_KINDS,
    check=_check_duplicate_recipient,
    doc=RuleDoc(
        what=(
            "Reports a `BouncedRecipientInfoList` entry whose `Recipient` repeats an earlier entry's "
            "(domains compared without regard to case), pointing at both."
        ),
        why=(
            "Each entry becomes a per-recipient block of the delivery status notification (RFC 3464 "
            "section 2.3), which describes one recipient once; the model does not forbid repeats, so "
            "the request is sent and the sender receives a bounce naming the address twice, possibly "
            "with two different reasons. A repeat is usually a copy-and-paste slip."
        ),
        bad=Example("SES426-bad.yaml", SB_KIND),
        good=Example("SES426-good.yaml", SB_KIND),
        references=(API_SEND_BOUNCE, API_RECIPIENT_INFO, rfc(3464, "2.3", "per-recipient DSN fields")),
    ),
)


# -- SES413 dsn-action-status-mismatch ------------------------------------------------------


def _check_action_status(ctx: LintContext) -> None:
    for _, dsn in dsn_fields(ctx):
        anode, snode = dsn.get("Action"), dsn.get("Status")
        action, status = concrete_text(anode), concrete_text(snode)
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
        v = concrete_text(node)
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
        v = concrete_text(node)
        if v is None:
            continue
        m = re.fullmatch(TYPED_RE, v)
        if m and m.group(2).strip():
            continue
        fix = None
        if m:
            reason = f"nothing follows {quote(m.group(1) + ';')}"
        else:
            colon = re.fullmatch(COLON_TYPED_RE, v)
            if colon:
                fixed = f"{colon.group(1)}; {colon.group(2).strip()}"
                reason = "the type is followed by ':' instead of ';'"
                fix = Fix(f"Replace with {quote(fixed)}", (replace_node(ctx.document, node, fixed),))
            elif re.fullmatch(HOSTNAME_RE, v.strip()):
                fixed = f"dns; {v.strip()}"
                reason = "the name-type is missing"
                fix = Fix(f"Replace with {quote(fixed)}", (replace_node(ctx.document, node, fixed),))
            else:
                reason = "there is no 'type;' part"
        example = f"dns; {v.strip()}" if re.fullmatch(HOSTNAME_RE, v.strip()) else "dns; mx.example.com"
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
        v = concrete_text(node)
        if v is None:
            continue
        m = re.fullmatch(TYPED_RE, v)
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
        v = concrete_text(node)
        if v is None or v.strip() == "":
            continue
        m = re.fullmatch(TYPED_RE, v)
        if m:
            continue
        fix = None
        if re.match(REPLY_TEXT_RE, v.strip()):
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
        v = concrete_text(node)
        m = re.fullmatch(TYPED_RE, v) if v is not None else None
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


# -- SES420 final-recipient-address-type-prefix -------------------------------------------------


def _check_rfc822_prefix(ctx: LintContext) -> None:
    for _, dsn in dsn_fields(ctx):
        node = dsn.get("FinalRecipient")
        v = concrete_text(node)
        if v is None or node is None:
            continue
        m = re.match(RFC822_PREFIX_RE, v)
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
    v = concrete_text(node)
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


RULES = [
    REASON_MISSING,
    BOTH_REASONS,
    LIST_EMPTY,
    ACTION_STATUS,
    ACTION_NOT_FAILURE,
    MTA_MALFORMED,
    MTA_TYPE,
    DIAGNOSTIC_UNTYPED,
    DIAGNOSTIC_TYPE,
    RFC822_PREFIX,
    DATE_ORDER,
    FUTURE_DATE,
    EXPLANATION_EMPTY,
    DUPLICATE_RECIPIENT,
]
