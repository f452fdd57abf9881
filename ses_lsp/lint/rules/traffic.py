"""Semantic rules: Mail Manager traffic policies (SES918-SES921, in the SES9xx ingress range).

A traffic policy decides, at the ingress point, which messages reach the rule set. How it is
evaluated (docs/evaluation.md, "The traffic policy"; the model is
:func:`ses_lsp.semantics.evaluate._admission`): its ``DENY`` statements first, and any one whose
conditions all hold blocks the message; then its ``ALLOW`` statements; then ``DefaultAction``
for the rest; an accepted message larger than ``MaxMessageSizeBytes`` is discarded. The order
of the statements in the file does not matter, only their action [DOC traffic policies:
"policy statements that block ... are evaluated first ..."].

The conditions are the predicates of :mod:`ses_lsp.semantics.mailmanager` (the rule sets'
model): ``implies`` and ``contradicts`` are sound, so a statement reported here can really
never decide; a condition the model cannot read (the schema pass reports why) makes the rules
silent about its statement. IP values are parsed by :mod:`ses_lsp.knowledge.networks`.
"""

from __future__ import annotations

from ses_lsp.document.nodes import ARRAY
from ses_lsp.knowledge.networks import parse_cidr
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Related, Severity
from ses_lsp.lint.references import rfc
from ses_lsp.lint.registry import SOURCE_DOCS, SOURCE_MODEL, SOURCE_RFC, Example, Rule, RuleDoc
from ses_lsp.lint.rules.common import MM_TRAFFIC_POLICY_KINDS, ctx_cache
from ses_lsp.lint.text import quote
from ses_lsp.semantics import mailmanager as mm

W = Severity.WARNING

KIND = "mailmanager:create-traffic-policy"
TRAFFIC_POLICIES_DOC = "https://docs.aws.amazon.com/ses/latest/dg/eb-filters.html"
API_CREATE = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_CreateTrafficPolicy.html"
RFC5321_SIZE = rfc(5321, "4.5.3.1.7", "message content: at least 64K octets must be accepted")

# RFC 5321 section 4.5.3.1.7: "The minimum total size of a message that MUST be accepted for
# transfer without loss of information is 64K octets (including message header section and body)."
SMTP_MINIMUM_MESSAGE = 64 * 1024


def _policy(ctx: LintContext) -> mm.TrafficPolicy | None:
    return ctx_cache(ctx, "traffic:policy", lambda: mm.read_traffic_policy(ctx.root))


def _readable(st: mm.PolicyStatement) -> list[mm.Predicate] | None:
    """The statement's conditions as predicates, or None when one cannot be read."""
    preds = [c.predicate for c in st.conditions]
    if not preds or any(p is None for p in preds):
        return None
    return [p for p in preds if p is not None]


def _label(st: mm.PolicyStatement) -> str:
    return f"policy statement {st.index + 1} ({st.action})"


def _contradiction(preds: list[mm.Predicate]) -> tuple[int, int] | None:
    """(i, j), i < j: two conditions of one statement that no message meets together."""
    for j, b in enumerate(preds):
        for i, a in enumerate(preds[:j]):
            if a.contradicts(b) or _one_source_address(a, b):
                return i, j
    return None


def _one_source_address(a: mm.Predicate, b: mm.Predicate) -> bool:
    """A SENDER_IP and a SENDER_IPV6 CIDR_MATCHES: a connection comes from one address, IPv4 or
    IPv6 (docs/evaluation.md: each attribute sees only its own version's sources)."""
    subjects = {a.subject, b.subject}
    return subjects == {("Attribute", "SENDER_IP"), ("Attribute", "SENDER_IPV6")} and (
        a.operator == b.operator == "CIDR_MATCHES"
    )


def _covers(outer: list[mm.Predicate], inner: list[mm.Predicate]) -> bool:
    """Every message meeting all of ``inner`` meets all of ``outer`` (sound: implication of
    single conditions, as rule sets' reachability reads it)."""
    return all(any(i.implies(o) for i in inner) for o in outer)


# -- witnesses ------------------------------------------------------------------------------


def _candidates(p: mm.Predicate) -> list[object]:
    """Values of the predicate's subject that may satisfy it (each is checked with ``matches``)."""
    vals = [v for v in p.values if isinstance(v, str)]
    if p.family == "ip":
        out: list[object] = []
        for v in vals:
            parsed, _ = parse_cidr(v, classic=False)
            if parsed is not None:
                net = parsed.network
                out += [str(net.network), str(net[-1])]
        return out + ["192.0.2.1", "2001:db8::1", "198.51.100.7"]
    if p.family == "tls":
        return list(mm.TLS_VERSIONS)
    if p.family == "string":
        out = []
        for v in vals:
            if p.operator == "EQUALS":
                out.append(v)
            elif p.operator == "STARTS_WITH":
                out.append(v + ("" if "@" in v else "@example.com"))
            elif p.operator == "ENDS_WITH":
                out.append(("user" if v.startswith("@") else "user@" if "@" not in v else "u") + v)
            elif p.operator == "CONTAINS":
                out.append(v if "@" in v else f"{v}@example.com")
        return out + ["someone@example.com"]
    if p.family == "boolean":
        return [p.operator == "IS_TRUE"]
    return []


def _phrase(subject: tuple, value: object) -> str | None:
    if subject in (("Attribute", "SENDER_IP"), ("Attribute", "SENDER_IPV6")):
        return f"from {value}"
    if subject == ("Attribute", "TLS_PROTOCOL"):
        return f"over {value}"
    if subject == ("Attribute", "RECIPIENT"):
        return f"for {quote(str(value))}"
    # (a subject's value is its members' pairs, or a string where the document writes one)
    if (
        subject[:1] == ("IsInAddressList",)
        and len(subject) == 2
        and isinstance(subject[1], tuple)
        and isinstance(value, bool)
    ):
        members = dict(subject[1])
        attr = members.get("Attribute", ("?",))[0]
        lists = [x for x in members.get("AddressLists", ()) if isinstance(x, str)]
        where = f"address list {quote(lists[0])}" if len(lists) == 1 else "the address list"
        return f"whose {attr} is {'' if value else 'not '}in {where}"
    return None


def witness(preds: list[mm.Predicate]) -> str | None:
    """A message meeting every one of ``preds``, described (``from 203.0.113.0 over TLS1_3``), or None
    when no simple one is found (never a message that does not meet them)."""
    by_subject: dict[tuple, list[mm.Predicate]] = {}
    for p in preds:
        by_subject.setdefault(p.subject, []).append(p)
    parts = []
    for subject, group in by_subject.items():
        chosen = None
        for cand in (c for p in group for c in _candidates(p)):
            if all(_holds(p, cand) for p in group):
                chosen = cand
                break
        if chosen is None:
            return None
        text = _phrase(subject, chosen)
        if text is None:
            return None
        parts.append(text)
    return "a message " + " ".join(parts) if parts else None


def _holds(p: mm.Predicate, value: object) -> bool:
    if p.family == "boolean":
        return p.value_test()((value,))
    return p.matches(value) is True


# -- SES918 ---------------------------------------------------------------------------------


def _check_never_decides(ctx: LintContext) -> None:
    policy = _policy(ctx)
    if policy is None:
        return
    statements = [(st, _readable(st)) for st in policy.statements if st.action in ("ALLOW", "DENY")]
    live = [(st, preds) for st, preds in statements if preds is not None and _contradiction(preds) is None]
    for st, preds in live:
        example = witness(preds)
        seen = f" (e.g. {example})" if example else ""
        if st.action == "ALLOW":
            deny = next((d for d, dp in live if d.action == "DENY" and _covers(dp, preds)), None)
            if deny is not None:
                ctx.report(
                    st.node,
                    f"{_label(st)} never decides: every message it matches{seen} is blocked first by "
                    f"{_label(deny)}, since DENY statements are evaluated before ALLOW statements; narrow "
                    f"the DENY statement or remove this one",
                    related=[Related(deny.node.start, deny.node.end, f"{_label(deny)} blocks those messages")],
                )
                continue
        same = next(
            (
                o
                for o, op in live
                if o is not st
                and o.action == st.action
                and _covers(op, preds)
                # of two statements matching the same messages, the later one is reported
                and (o.index < st.index or not _covers(preds, op))
            ),
            None,
        )
        if same is not None:
            ctx.report(
                st.node,
                f"{_label(st)} never decides: {_label(same)} matches every message it matches{seen} and has "
                f"the same action; remove this statement",
                related=[Related(same.node.start, same.node.end, f"{_label(same)} matches those messages")],
                tags=("unnecessary",),
            )
            continue
        if st.action == "ALLOW" and policy.default_action == "ALLOW" and policy.default_node is not None:
            node = policy.default_node
            ctx.report(
                st.node,
                f"{_label(st)} changes nothing: the messages it allows{seen} would be allowed anyway, since "
                f'DefaultAction is "ALLOW" and ALLOW statements are evaluated after every DENY statement; '
                f"remove it, or set DefaultAction to DENY",
                related=[Related(node.start, node.end, "the default action")],
                tags=("unnecessary",),
            )


NEVER_DECIDES = Rule(
    code="SES918",
    name="policy-statement-never-decides",
    severity=W,
    summary="A traffic policy statement that never changes whether a message is accepted.",
    source=SOURCE_DOCS,
    kinds=MM_TRAFFIC_POLICY_KINDS,
    check=_check_never_decides,
    doc=RuleDoc(
        what=(
            "Reports a traffic policy statement whose outcome is always decided otherwise, and names an example "
            "message: an `ALLOW` statement every message of which a `DENY` statement also matches (DENY "
            "statements are evaluated first, wherever they are in the list); a statement another statement with "
            "the same action covers (every message it matches, the other matches too; of two equivalent "
            "statements the later one is reported); an `ALLOW` statement when `DefaultAction` is `ALLOW`."
        ),
        why=(
            "Mail Manager evaluates the DENY statements first, then the ALLOW statements, then the default "
            "action (docs/evaluation.md, as `ses-lsp simulate` runs it). An ALLOW exception written after a "
            "broad DENY (the order of a firewall's rules) never "
            "lets anything in: the author expected the first matching statement to decide. A redundant "
            "statement hides what the policy really does and counts against the 10 conditions a statement "
            "and the statements a policy may hold."
        ),
        bad=Example("SES918-bad.yaml", KIND),
        good=Example("SES918-good.yaml", KIND),
        references=(TRAFFIC_POLICIES_DOC, API_CREATE),
    ),
)


# -- SES919 ---------------------------------------------------------------------------------


def _check_denies_all(ctx: LintContext) -> None:
    policy = _policy(ctx)
    root = ctx.root
    if policy is None or root is None or policy.default_action != "DENY" or policy.default_node is None:
        return
    statements = root.get("PolicyStatements")
    if statements is None or statements.kind != ARRAY:
        return  # an update that leaves the statements as they are: unknown here
    if any(st.action != "DENY" for st in policy.statements):
        return  # an ALLOW statement (or one the schema pass reports)
    ctx.report(
        policy.default_node,
        f'DefaultAction is "DENY" and no policy statement has Action "ALLOW": {policy.label()} refuses every '
        'message; add an ALLOW statement for the mail you want, or set DefaultAction to "ALLOW"',
    )


DENIES_ALL = Rule(
    code="SES919",
    name="policy-denies-all-mail",
    severity=W,
    summary='A traffic policy with DefaultAction "DENY" and no ALLOW statement: every message is refused.',
    source=SOURCE_DOCS,
    kinds=MM_TRAFFIC_POLICY_KINDS,
    check=_check_denies_all,
    doc=RuleDoc(
        what=(
            "Reports `DefaultAction: DENY` in a traffic policy none of whose `PolicyStatements` has `Action: "
            "ALLOW`. An update that does not give `PolicyStatements` keeps the policy's statements and is not "
            "judged."
        ),
        why=(
            "Messages no statement allows get the default action; with no ALLOW statement that is every message, "
            "so an ingress point using the policy receives nothing. Usually the policy was meant to allow some "
            "senders (a CIDR, a TLS version) and deny the rest, or to deny some and allow the rest."
        ),
        bad=Example("SES919-bad.yaml", KIND),
        good=Example("SES919-good.yaml", KIND),
        references=(TRAFFIC_POLICIES_DOC, API_CREATE),
    ),
)


# -- SES920 ---------------------------------------------------------------------------------


def _check_contradictions(ctx: LintContext) -> None:
    policy = _policy(ctx)
    if policy is None:
        return
    for st in policy.statements:
        preds = [c.predicate for c in st.conditions]
        readable = [(c, p) for c, p in zip(st.conditions, preds, strict=True) if p is not None]
        pair = _contradiction([p for _, p in readable])
        if pair is None:
            continue
        (ca, a), (cb, b) = readable[pair[0]], readable[pair[1]]
        if _one_source_address(a, b):
            why, fix = "a connection comes from one address, IPv4 or IPv6", "write two statements"
        else:
            why = "conditions are ANDed and no message meets both"
            fix = (
                "to match either, list both values in one condition (its Values are ORed) or write two statements"
                if a.family in ("string", "ip") and a.operator == b.operator and "NOT" not in a.operator
                else "to match either, write two statements"
            )
        ctx.report(
            cb.node,
            f"{_label(st)} can never apply: condition {cb.index + 1} ({b.describe()}) contradicts condition "
            f"{ca.index + 1} ({a.describe()}): {why}; {fix}",
            related=[Related(ca.node.start, ca.node.end, "the contradicting condition")],
        )


CONTRADICTORY = Rule(
    code="SES920",
    name="policy-contradictory-conditions",
    severity=W,
    summary="Two conditions of one traffic policy statement that no message meets together.",
    source=SOURCE_MODEL,
    kinds=MM_TRAFFIC_POLICY_KINDS,
    check=_check_contradictions,
    doc=RuleDoc(
        what=(
            "Reports a condition of a traffic policy statement that contradicts an earlier one of the same "
            "statement: disjoint `SENDER_IP` (or `SENDER_IPV6`) ranges, a `SENDER_IP` and a `SENDER_IPV6` "
            "range, `RECIPIENT EQUALS a` with `EQUALS b`, `TLS_PROTOCOL IS TLS1_2` with `MINIMUM_TLS_VERSION "
            "TLS1_3`, the same address list with `IS_TRUE` and `IS_FALSE`."
        ),
        why=(
            "A statement applies when all its conditions hold, so it never applies: a DENY statement blocks "
            "nothing and an ALLOW statement allows nothing. Two alternatives need two statements."
        ),
        bad=Example("SES920-bad.yaml", KIND),
        good=Example("SES920-good.yaml", KIND),
        references=(TRAFFIC_POLICIES_DOC, API_CREATE),
    ),
)


# -- SES921 ---------------------------------------------------------------------------------


def _check_max_size(ctx: LintContext) -> None:
    policy = _policy(ctx)
    if policy is None or policy.max_size is None or policy.max_size_node is None:
        return
    size = policy.max_size
    if size < 1 or size != int(size) or size >= SMTP_MINIMUM_MESSAGE:
        return  # the schema pass reports values below 1 and fractions
    n = int(size)
    hint = f"for {n} MiB write {n * 1024 * 1024}" if n <= 100 else f"for {n} KiB write {n * 1024}"
    ctx.report(
        policy.max_size_node,
        f"MaxMessageSizeBytes is {n} bytes: every larger message, such as a 64 KiB message "
        f"({SMTP_MINIMUM_MESSAGE} bytes, the least an SMTP server must accept), is refused; the value is in "
        f"bytes: {hint}",
    )


MAX_SIZE_TOO_SMALL = Rule(
    code="SES921",
    name="max-message-size-too-small",
    severity=W,
    summary="A traffic policy MaxMessageSizeBytes below 64 KiB, the smallest message size SMTP must accept.",
    source=SOURCE_RFC,
    kinds=MM_TRAFFIC_POLICY_KINDS,
    check=_check_max_size,
    doc=RuleDoc(
        what=(
            "Reports a `MaxMessageSizeBytes` below 65536 (64 KiB) and suggests the value the author probably "
            "meant: the size in MiB (or KiB) written as bytes. The model sets no maximum, nor does the "
            "documentation, so larger values are not judged."
        ),
        why=(
            "The value is in bytes: `MaxMessageSizeBytes: 10` refuses every message over 10 bytes, which is "
            "every message (the headers alone are larger). RFC 5321 requires an SMTP server to accept messages "
            "of at least 64K octets, headers included; a policy below that refuses ordinary mail."
        ),
        bad=Example("SES921-bad.yaml", KIND),
        good=Example("SES921-good.yaml", KIND),
        references=(API_CREATE, RFC5321_SIZE, TRAFFIC_POLICIES_DOC),
    ),
)

RULES = [NEVER_DECIDES, DENIES_ALL, CONTRADICTORY, MAX_SIZE_TOO_SMALL]
