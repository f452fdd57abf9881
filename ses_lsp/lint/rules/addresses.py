"""Semantic rules: addresses and networks (SES6xx).

IP filters (classic ``Cidr``) and Mail Manager ``IpExpression`` values are
parsed strictly by :func:`ses_lsp.knowledge.networks.parse_cidr`: what netaddr
would also accept but SES rejects (a dotted netmask, a zone ID, brackets) is
explained.  Classic ``Recipients`` entries are classified with the shared
model :class:`ses_lsp.semantics.classic.Recipient`; the reasons an entry is
invalid are worked out here, with the domain grammar of
:mod:`ses_lsp.knowledge.addresses`.

Placeholders (``${Var}``, ``{{var}}``, ...) make a value unknown: it is never
reported.  Values the schema pass already reported are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.knowledge.addresses import (
    address_problem,
    domain_fault,
    domain_is_verified,
    verified_domains,
    without_display_name,
)
from ses_lsp.knowledge.networks import ParsedCidr, parse_cidr
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Fix, Related, Severity
from ses_lsp.lint.edits import remove_item, replace_node
from ses_lsp.lint.references import FLOCI_FILTER_PROBES
from ses_lsp.lint.registry import (
    SOURCE_DOCS,
    SOURCE_MODEL,
    SOURCE_OBSERVED,
    SOURCE_RFC,
    Example,
    Rule,
    RuleDoc,
)
from ses_lsp.lint.rules.common import (
    CLASSIC_FILTER_KINDS,
    CLASSIC_RULE_KINDS,
    MM_RULE_SET_KINDS,
    MM_TRAFFIC_POLICY_KINDS,
    SCENARIO_KINDS,
    classic_model,
    ctx_cache,
    has_placeholder,
    mm_actions,
    mm_rule_nodes,
    schema_reported,
    schema_spans,
    string_value,
)
from ses_lsp.lint.text import quote
from ses_lsp.schema import ROUTING_TEST_KIND
from ses_lsp.semantics.classic import Recipient

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:
    from netaddr import IPNetwork

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO  # noqa: E741

IP_FILTER_DOC = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-ip-filtering-console-walkthrough.html"
CONCEPTS_DOC = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-concepts.html"
API_IP_FILTER = "https://docs.aws.amazon.com/ses/latest/APIReference/API_ReceiptIpFilter.html"
API_RULE = "https://docs.aws.amazon.com/ses/latest/APIReference/API_ReceiptRule.html"
RULES_DOC = "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-receipt-rules-console-walkthrough.html"
MM_IP_EXPR = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_RuleIpExpression.html"
MM_RULES_DOC = "https://docs.aws.amazon.com/ses/latest/dg/eb-rules.html"
RFC4632 = "RFC 4632 section 3.1 (CIDR prefix notation): https://www.rfc-editor.org/rfc/rfc4632#section-3.1"
RFC4291 = "RFC 4291 section 2.3 (IPv6 prefix notation): https://www.rfc-editor.org/rfc/rfc4291#section-2.3"
RFC5321_CASE = (
    "RFC 5321 section 2.4 (local parts are case-sensitive, domains are not): "
    "https://www.rfc-editor.org/rfc/rfc5321#section-2.4"
)
FLOCI = FLOCI_FILTER_PROBES


# -- fixes -----------------------------------------------------------------------------------


# -- IP addresses and CIDR blocks -------------------------------------------------------


@dataclass
class IpValue:
    node: Node
    text: str
    where: str  # "Filter.IpFilter.Cidr", "IpExpression value"
    classic: bool
    parsed: ParsedCidr | None
    problem: str | None


def _ip_values(ctx: LintContext) -> list[IpValue]:
    """Every IP/CIDR string of the document (not placeholders, not already reported by the schema)."""
    return ctx_cache(ctx, "ip-values", lambda: list(_read_ip_values(ctx)))


def _read_ip_values(ctx: LintContext) -> Iterator[IpValue]:
    if ctx.kind in CLASSIC_FILTER_KINDS:
        for f in _filters(ctx):
            if f.cidr_node is not None:
                yield f.value
    elif ctx.kind in MM_RULE_SET_KINDS or ctx.kind in MM_TRAFFIC_POLICY_KINDS:
        expressions = (
            _mm_expressions(ctx, "IpExpression") if ctx.kind in MM_RULE_SET_KINDS else _policy_ip_expressions(ctx)
        )
        for expr, values in expressions:
            where = f"{expr.member_name or 'IpExpression'} value"
            for v in values.list_value:
                text = string_value(v)
                if text is None or has_placeholder(text) or schema_reported(ctx, v):
                    continue
                parsed, problem = parse_cidr(text, classic=False)
                yield IpValue(v, text, where, False, parsed, problem)


@dataclass
class IpFilter:
    index: int
    name: str | None
    policy: str | None  # "Allow" / "Block" / other
    cidr_node: Node
    value: IpValue

    def label(self) -> str:
        return f"filter {quote(self.name)}" if self.name else f"filter #{self.index + 1}"


def _filters(ctx: LintContext) -> list[IpFilter]:
    return ctx_cache(ctx, "ip-filters", lambda: _read_filters(ctx))


def _read_filters(ctx: LintContext) -> list[IpFilter]:
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return []
    nodes: list[Node] = []
    single = root.get("Filter")
    if single is not None and single.kind == OBJECT:
        nodes = [single]
    many = root.get("Filters")
    if many is not None and many.kind == ARRAY:
        nodes = [n for n in many.list_value if n.kind == OBJECT]
    out = []
    for i, n in enumerate(nodes):
        name_node = n.get("Name")
        name = name_node.str_value if name_node is not None and name_node.kind == STRING else None
        ipf = n.get("IpFilter")
        if ipf is None or ipf.kind != OBJECT:
            continue
        pol = ipf.get("Policy")
        policy = pol.str_value if pol is not None and pol.kind == STRING else None
        cidr = ipf.get("Cidr")
        text = string_value(cidr)
        if cidr is None or text is None or has_placeholder(text) or schema_reported(ctx, cidr):
            continue
        parsed, problem = parse_cidr(text, classic=True)
        where = "Filter.IpFilter.Cidr" if single is not None else "IpFilter.Cidr"
        out.append(IpFilter(i, name, policy, cidr, IpValue(cidr, text, where, True, parsed, problem)))
    return out


def _mm_expressions(ctx: LintContext, family: str | None = None) -> Iterator[tuple[Node, Node]]:
    """(expression body, Values array) for every condition of every Mail Manager rule."""
    for rule in mm_rule_nodes(ctx):
        for member in ("Conditions", "Unless"):
            conds = rule.get(member)
            if conds is None or conds.kind != ARRAY:
                continue
            for cond in conds.list_value:
                if cond.kind != OBJECT:
                    continue
                for name, body in cond.dict_value.items():
                    if family is not None and name != family:
                        continue
                    if body.kind != OBJECT:
                        continue
                    values = body.get("Values")
                    if values is not None and values.kind == ARRAY:
                        yield body, values


def _policy_ip_expressions(ctx: LintContext) -> Iterator[tuple[Node, Node]]:
    """(expression body, Values array) for every IpExpression and Ipv6Expression of a traffic policy."""
    root = ctx.root
    statements = root.get("PolicyStatements") if root is not None and root.kind == OBJECT else None
    if statements is None or statements.kind != ARRAY:
        return
    for st in statements.list_value:
        conds = st.get("Conditions") if st.kind == OBJECT else None
        if conds is None or conds.kind != ARRAY:
            continue
        for cond in conds.list_value:
            for name in ("IpExpression", "Ipv6Expression"):
                body = cond.get(name) if cond.kind == OBJECT else None
                values = body.get("Values") if body is not None and body.kind == OBJECT else None
                if body is not None and values is not None and values.kind == ARRAY:
                    yield body, values


def _check_invalid_cidr(ctx: LintContext) -> None:
    for v in _ip_values(ctx):
        if v.problem is None:
            continue
        what = "an IPv4 or IPv6 address or CIDR block"
        # A leading zero is ambiguous rather than known to be rejected: a warning.
        severity = W if "leading zero" in v.problem else None
        ctx.report(v.node, f"{v.where} {quote(v.text)} is not {what}: {v.problem}", severity=severity)


def _check_host_bits(ctx: LintContext) -> None:
    for v in _ip_values(ctx):
        if v.parsed is None or not v.parsed.host_bits:
            continue
        canon = v.parsed.canonical
        ctx.report(
            v.node,
            f"{v.where} {quote(v.text)} has host bits set beyond the /{v.parsed.prefixlen} prefix; "
            f"the block it covers is {quote(canon)}: write that",
            fix=Fix(f"Replace with {quote(canon)}", (replace_node(ctx.document, v.node, canon),)),
        )


def _classified_filters(ctx: LintContext) -> tuple[list[IpFilter], list[IpFilter]]:
    allow, block = [], []
    for f in _filters(ctx):
        if f.value.parsed is None:
            continue
        if f.policy == "Allow":
            allow.append(f)
        elif f.policy == "Block":
            block.append(f)
    return allow, block


def _net(f: IpFilter) -> IPNetwork:
    parsed = f.value.parsed
    assert parsed is not None  # only the filters _classified_filters() returns
    return parsed.network.cidr


def _rel(f: IpFilter, what: str) -> Related:
    node = f.cidr_node
    assert node is not None
    return Related(node.start, node.end, f"{f.label()} {what} {quote(f.value.text)}")


def _check_allow_block_same(ctx: LintContext) -> None:
    allow, block = _classified_filters(ctx)
    for b in block:
        nb = _net(b)
        a = next((a for a in allow if _net(a) == nb), None)
        if a is not None:
            what = f"which {a.label()} allows"
        else:
            a = next((a for a in allow if _net(a).version == nb.version and nb in _net(a)), None)
            if a is None:
                continue
            what = f"which lies inside {quote(str(_net(a)))}, allowed by {a.label()}"
        ctx.report(
            b.cidr_node,
            f"{b.label()} blocks {quote(b.value.text)}, {what}; an Allow filter takes precedence over a Block "
            f"filter, so this Block filter has no effect: remove one of the two",
            related=[_rel(a, "allows")],
        )


def _check_block_all(ctx: LintContext) -> None:
    if ctx.kind != "ses:list-receipt-filters":
        return  # one filter alone says nothing about the account's other filters
    allow, block = _classified_filters(ctx)
    for b in block:
        net = _net(b)
        if net.prefixlen != 0:
            continue
        if any(_net(a).version == net.version for a in allow):
            continue
        family = "IPv4" if net.version == 4 else "IPv6"
        ctx.report(
            b.cidr_node,
            f"{b.label()} blocks {quote(b.value.text)}, every {family} address, and no Allow filter lets any "
            f"{family} sender through: SES will accept no inbound mail over {family}; add Allow filters for the "
            f"servers that may send to you",
        )


def _check_redundant_filter(ctx: LintContext) -> None:
    allow, block = _classified_filters(ctx)
    for group, verb in ((allow, "allows"), (block, "blocks")):
        for f in group:
            n = _net(f)
            if group is block and any(_net(a).version == n.version and n in _net(a) for a in allow):
                continue  # cidr-both-allowed-and-blocked: this Block has no effect at all
            for g in group:
                if g is f:
                    continue
                m = _net(g)
                if m.version != n.version:
                    continue
                same = m == n
                if (same and g.index < f.index) or (not same and n in m):
                    where = "the same range as" if same else "which lies inside the range of"
                    ctx.report(
                        f.cidr_node,
                        f"{f.label()} {verb} {quote(f.value.text)}, {where} {g.label()} ({quote(g.value.text)}); "
                        f"this filter changes nothing and uses one of the 100 IP filters per Region",
                        related=[_rel(g, verb)],
                        tags=("unnecessary",),
                    )
                    break


def _check_allow_inside_block(ctx: LintContext) -> None:
    allow, block = _classified_filters(ctx)
    for b in block:
        nb = _net(b)
        if nb.prefixlen == 0:
            continue  # AWS's own recipe (block everything, allow a few): the author relies on the precedence
        if any(_net(a).version == nb.version and nb in _net(a) for a in allow):
            continue  # cidr-both-allowed-and-blocked: this Block has no effect at all
        inside = [a for a in allow if _net(a).version == nb.version and _net(a) in nb]
        if not inside:
            continue
        shown = ", ".join(quote(a.value.text) for a in inside[:3]) + (" ..." if len(inside) > 3 else "")
        ctx.report(
            b.cidr_node,
            f"{b.label()} blocks {quote(b.value.text)}, which contains the allowed range"
            f"{'s' if len(inside) > 1 else ''} {shown}: mail from {'them' if len(inside) > 1 else 'it'} is still "
            f"accepted, because an Allow filter takes precedence over a Block filter",
            related=[_rel(a, "allows") for a in inside[:10]],
        )


# -- recipients -------------------------------------------------------------------------------


@dataclass
class RecipientEntry:
    rule: Node
    array: Node
    index: int
    node: Node
    text: str
    recipient: Recipient

    problem: tuple[str, str | None] | None = None  # what invalid-recipient reports
    usable: bool = False  # well-formed: not reported by invalid-recipient or recipient-wildcard

    def __post_init__(self) -> None:
        self.problem = recipient_problem(self.text)
        self.usable = self.recipient.form != "invalid" and "*" not in self.text and self.problem is None


def _rule_label(rule: Node, index: int) -> str:
    n = rule.get("Name")
    name = string_value(n)
    return f"rule {quote(name)}" if name is not None else f"rule #{index + 1}"


def _recipient_lists(ctx: LintContext) -> list[tuple[Node, Node, list[RecipientEntry]]]:
    """(rule, Recipients array, entries) for each classic rule; placeholders and schema-reported values left out."""
    return ctx_cache(ctx, "recipients", lambda: _read_recipient_lists(ctx))


def _read_recipient_lists(ctx: LintContext) -> list[tuple[Node, Node, list[RecipientEntry]]]:
    # The entries are the shared classic model's (each parsed once per lint).
    spans = schema_spans(ctx)
    out = []
    for rule in classic_model(ctx):
        arr = rule.node.dict_value.get("Recipients")
        if arr is None or arr.kind != ARRAY:
            continue
        entries = []
        for r in rule.recipients or ():
            n = r.node
            assert n is not None and isinstance(n.key, int)  # the rule model's entries: items of the list
            text = r.text
            # "<string>", "${Domain}", "{{user}}@example.com": placeholders, not entries (a display-name
            # form "Name <a@b>" is not one: the placeholder pattern needs no '@' inside <>).
            if has_placeholder(text) or (n.start, n.end) in spans:
                continue
            entries.append(RecipientEntry(rule.node, arr, n.key, n, text, r))
        out.append((rule.node, arr, entries))
    return out


_SIMPLE_ENTRY = r"(?:[A-Za-z0-9._%+'=!#$&^`|~-]+@|\.)?[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*"
_ANGLE = r"\s*(?P<name>[^<>]*?)\s*<\s*(?P<addr>[^<>\s]+@[^<>\s]+)\s*>\s*"
_URL = r"(?i)(?P<scheme>[a-z][a-z0-9+.-]*)://(?:[^@/]*@)?(?P<host>[^/:?#]*)"
_MAILTO = r"(?i)mailto:(?P<addr>[^?]+)(?:\?.*)?"


@lru_cache(maxsize=8192)  # pure; the same recipients recur across rules and edits
def recipient_problem(text: str) -> tuple[str, str | None] | None:
    """Why a ``Recipients`` entry is neither an address nor a domain, and the entry to write instead.

    Returns ``None`` for a valid entry and for a ``*`` wildcard (its own rule).
    The replacement (second item) is ``None`` when there is no single obvious one.
    """
    if "*" in text:
        return None
    if re.fullmatch(_SIMPLE_ENTRY, text) and len(text) <= 254:
        return None  # the common case: a plain address or domain
    if text.strip() == "":
        return ("it is empty", None) if text == "" else ("it is only white space", None)
    m = re.fullmatch(_ANGLE, text)
    if m:
        addr = m.group("addr")
        if m.group("name"):
            return f"it is in display-name form ({quote(m.group('name'))} <...>); write only the address", addr
        return "write the address without the angle brackets", addr
    m = re.fullmatch(_MAILTO, text.strip())
    if m and Recipient.parse(m.group("addr")).form == "address":
        return "it is a mailto: URL; write only the address", m.group("addr")
    m = re.match(_URL, text.strip())
    if m:
        host = m.group("host")
        ok = Recipient.parse(host).form == "domain" if host else False
        return f"it is a URL ({m.group('scheme')}://...); write the domain name", (host.lower() if ok else None)
    for sep in (",", ";"):
        if sep in text:
            return f"it contains {quote(sep)}; list each address or domain as its own entry", None
    if text.strip() != text and Recipient.parse(text.strip()).form != "invalid":
        return "it has white space around it", text.strip()
    if any(c.isspace() for c in text):
        return "it contains white space", None
    bad = next((c for c in text if c in '<>/\\"()[]'), None)
    if bad is not None:
        return f"the character {quote(bad)} is not allowed in an address or domain", None
    if "@" in text:
        local, _, domain = text.rpartition("@")
        if "@" in local:
            return "it has more than one '@'", None
        if not local:
            fixed = domain if Recipient.parse(domain).form == "domain" else None
            return ("it has nothing before '@'; write the domain alone to match every address at it", fixed)
        if not domain:
            return "it has nothing after '@'", None
        fault = domain_fault(domain)
        if fault is not None:
            return f"the domain {quote(domain)} {fault.reason}", None
    else:
        d = text[1:] if text.startswith(".") else text
        fault = domain_fault(d)
        if fault is not None:
            return f"{quote(d)} {fault.reason}", None
    if Recipient.parse(text).form == "invalid":
        return "it is neither an email address nor a domain", None
    return None


def _check_invalid_recipient(ctx: LintContext) -> None:
    for _rule, _arr, entries in _recipient_lists(ctx):
        for e in entries:
            if e.problem is None:
                continue
            why, replacement = e.problem
            fix = None
            if replacement is not None:
                fix = Fix(
                    f"Replace with {quote(replacement)}",
                    (replace_node(ctx.document, e.node, replacement),),
                    safe=_safe_replacement(e.text, why),
                )
            ctx.report(e.node, f"recipient {quote(e.text)} is not an email address or a domain: {why}", fix=fix)


def _safe_replacement(text: str, why: str) -> bool:
    # Extracting the address from "<a@b>", "Name <a@b>" or "mailto:a@b", or trimming white
    # space, keeps the meaning; turning "@example.com" or a URL into a domain is a guess.
    return why.startswith(
        ("it is in display-name form", "write the address without", "it is a mailto", "it has white space around")
    )


def _check_wildcard(ctx: LintContext) -> None:
    for _rule, _arr, entries in _recipient_lists(ctx):
        for e in entries:
            if "*" not in e.text:
                continue
            t = e.text.strip()
            suggestion = None
            advice = "SES has no wildcards in Recipients"
            m = re.fullmatch(r"\*@(\*\.)?([^*@]+)", t)
            if m and Recipient.parse(m.group(2)).form == "domain":
                if m.group(1):
                    suggestion = "." + m.group(2)
                    advice = f"write {quote(suggestion)} to match every subdomain of {m.group(2)}"
                else:
                    suggestion = m.group(2)
                    advice = f"write the domain alone, {quote(suggestion)}, to match every address at it"
            else:
                m = re.fullmatch(r"\*(\.[^*@]+)", t)
                if m and Recipient.parse(m.group(1)).form == "subdomains":
                    suggestion = m.group(1)
                    advice = (
                        f"write {quote(suggestion)} (a leading dot) to match every subdomain; add "
                        f"{quote(suggestion[1:])} as well for the domain itself"
                    )
                elif t == "*":
                    advice = "leave Recipients out to match every address on your verified domains"
            fix = None
            if suggestion is not None:
                fix = Fix(
                    f"Replace with {quote(suggestion)}", (replace_node(ctx.document, e.node, suggestion),), safe=False
                )
            ctx.report(
                e.node, f"recipient {quote(e.text)} uses '*', which SES does not treat as a wildcard; {advice}", fix=fix
            )


def _key(r: Recipient) -> tuple:
    return (r.form, r.local, r.domain)


def _check_duplicate_recipient(ctx: LintContext) -> None:
    for rule, arr, entries in _recipient_lists(ctx):
        if len(entries) > 1:
            _report_duplicates(ctx, arr, entries, lambda rule=rule: f"in {_rule_label(rule, _index_of(rule))}")
    if ctx.kind in MM_RULE_SET_KINDS:
        for rule in mm_rule_nodes(ctx):
            for name, _entry, body in mm_actions(rule):
                if name != "ReplaceRecipient" or body.kind != OBJECT:
                    continue
                lst = body.get("ReplaceWith")
                if lst is None or lst.kind != ARRAY:
                    continue
                entries = []
                for i, n in enumerate(lst.list_value):
                    text = string_value(n)
                    if text is None or has_placeholder(text) or schema_reported(ctx, n):
                        continue
                    r = Recipient.parse(text, n)
                    if r.form == "address":
                        entries.append(RecipientEntry(rule, lst, i, n, text, r))
                _report_duplicates(ctx, lst, entries, lambda: "in ReplaceWith")


def _index_of(rule: Node) -> int:
    return rule.key if isinstance(rule.key, int) else 0


def _report_duplicates(ctx: LintContext, arr: Node, entries: list[RecipientEntry], place) -> None:
    """Report repeated entries of one list; ``place()`` says where the list is ("in rule 'x'")."""
    seen: dict[tuple, RecipientEntry] = {}
    seen_folded: dict[tuple, RecipientEntry] = {}
    for e in entries:
        r = e.recipient
        if not e.usable:
            continue
        key = _key(r)
        folded = (r.form, r.local.lower(), r.domain)
        first = seen.get(key)
        if first is not None:
            where = place()
            if first.text == e.text:
                msg = f"recipient {quote(e.text)} is listed twice {where}; remove the duplicate"
            else:
                msg = (
                    f"recipient {quote(e.text)} repeats {quote(first.text)} {where} (domain names are "
                    f"case-insensitive); remove the duplicate"
                )
            ctx.report(
                e.node,
                msg,
                related=[Related(first.node.start, first.node.end, f"first listed here as {quote(first.text)}")],
                fix=Fix(f"Remove the duplicate {quote(e.text)}", (remove_item(ctx.document, arr, e.index),)),
                tags=("unnecessary",),
            )
            continue
        first = seen_folded.get(folded)
        if first is not None:
            where = place()
            ctx.report(
                e.node,
                f"recipient {quote(e.text)} differs from {quote(first.text)} {where} only in the case of the local "
                f"part; mail systems treat these as one mailbox in practice (SES does not document local-part case "
                f"handling): keep one",
                related=[Related(first.node.start, first.node.end, f"listed here as {quote(first.text)}")],
                fix=Fix(f"Remove {quote(e.text)}", (remove_item(ctx.document, arr, e.index),), safe=False),
            )
            continue
        seen[key] = e
        seen_folded[folded] = e


def _repeats(ctx: LintContext, entries: list[RecipientEntry]) -> set[int]:
    """Indexes of the entries that duplicate-recipient reports (repeats of an earlier entry); once per list."""
    memo = ctx.cache.setdefault("recipient-repeats", {})
    out = memo.get(id(entries))
    if out is None:
        out = memo[id(entries)] = _find_repeats(entries)
    return out


def _find_repeats(entries: list[RecipientEntry]) -> set[int]:
    seen: set[tuple] = set()
    out: set[int] = set()
    for e in entries:
        r = e.recipient
        if not e.usable:
            continue
        folded = (r.form, r.local.lower(), r.domain)
        if folded in seen:
            out.add(e.index)
        seen.add(folded)
    return out


def _coverers(entries: list[RecipientEntry]):
    """A lookup of the entries that may cover a recipient: by address, by domain, by subdomain pattern."""
    by_address: dict[tuple[str, str], list[RecipientEntry]] = {}
    by_domain: dict[str, list[RecipientEntry]] = {}
    by_parent: dict[str, list[RecipientEntry]] = {}
    for e in entries:
        r = e.recipient
        if r.form == "address":
            by_address.setdefault((r.domain, r.local), []).append(e)
        elif r.form == "domain":
            by_domain.setdefault(r.domain, []).append(e)
        elif r.form == "subdomains":
            by_parent.setdefault(r.domain, []).append(e)

    def candidates(r: Recipient) -> list[RecipientEntry]:
        out: list[RecipientEntry] = []
        if r.form == "address":
            if "+" in r.local:
                out += by_address.get((r.domain, r.base_local), ())
            out += by_domain.get(r.domain, ())
        if by_parent:
            labels = r.domain.split(".")
            for i in range(len(labels)):  # the domain itself (for a .domain entry) and its parents
                out += by_parent.get(".".join(labels[i:]), ())
        return out

    return candidates


def _check_redundant_recipient(ctx: LintContext) -> None:
    for rule, arr, entries in _recipient_lists(ctx):
        if len(entries) < 2:
            continue
        # A list can hold many redundant entries: what they share (the array's pointer, the rule's
        # label) is found once, with the first of them, not walked or formatted for each.
        shared: tuple[str, str] | None = None
        repeats = _repeats(ctx, entries)
        valid = [e for e in entries if e.usable and e.index not in repeats]
        candidates = _coverers(valid)
        # What is said of an entry that covers others (one domain may cover hundreds), said once.
        said: dict[int, tuple[str, str]] = {}
        for e in valid:
            r = e.recipient
            for other in candidates(r):
                o = other.recipient
                if other is e or (o.form == r.form and o.local == r.local and o.domain == r.domain) or not o.covers(r):
                    continue
                words = said.get(id(other))
                if words is None:
                    listed = quote(other.text)
                    if o.form == "address":
                        why = f"{listed} already matches it: an address also matches its +label forms"
                    elif o.form == "domain":
                        why = f"{listed} already matches every address at {o.domain}"
                    else:
                        why = f"{listed} already matches every subdomain of {o.domain} and the addresses at them"
                    words = said[id(other)] = (why, f"{listed} is listed here")
                why, here = words
                if shared is None:
                    shared = (arr.pointer, _rule_label(rule, _index_of(rule)))
                arr_pointer, label = shared
                entry = quote(e.text)
                ctx.report(
                    e.node,
                    f"recipient {entry} in {label} is redundant: {why}",
                    pointer=f"{arr_pointer}/{e.index}",  # e.node is item e.index of arr
                    related=[Related(other.node.start, other.node.end, here)],
                    fix=Fix(f"Remove {entry}", (remove_item(ctx.document, arr, e.index),), safe=False),
                    tags=("unnecessary",),
                )
                break


def _check_unverified_domain(ctx: LintContext) -> None:
    verified = verified_domains(ctx.config.verified_domains)
    if not verified:
        return
    for _rule, _arr, entries in _recipient_lists(ctx):
        for e in entries:
            r = e.recipient
            if not e.usable:
                continue
            d = r.domain
            if domain_is_verified(d, verified):
                continue
            ctx.report(
                e.node,
                f"recipient {quote(e.text)} is on the domain {quote(d)}, which is not among the verified domains "
                f"({', '.join(sorted(verified))}); SES receives mail only for verified domain identities: verify "
                f"{d} or fix the entry",
            )


def _check_upper_case(ctx: LintContext) -> None:
    for _rule, _arr, entries in _recipient_lists(ctx):
        repeats = _repeats(ctx, entries)
        for e in entries:
            if not e.usable or e.text == e.text.lower() or e.index in repeats:
                continue
            local, at, domain = e.text.rpartition("@")
            if domain != domain.lower():
                fixed = local + at + domain.lower()
                note = (
                    "; the local part keeps its case (SES does not document how it compares local parts)"
                    if local != local.lower()
                    else ""
                )
                ctx.report(
                    e.node,
                    f"recipient {quote(e.text)} has upper-case letters in its domain; domain names are "
                    f"case-insensitive, write {quote(fixed)}{note}",
                    fix=Fix(f"Lower-case the domain: {quote(fixed)}", (replace_node(ctx.document, e.node, fixed),)),
                )
            else:
                ctx.report(
                    e.node,
                    f"recipient {quote(e.text)} has upper-case letters in its local part; SES does not document "
                    f"whether it compares local parts with regard to case, so write addresses in lower case",
                    fix=Fix(
                        f"Lower-case: {quote(e.text.lower())}",
                        (replace_node(ctx.document, e.node, e.text.lower()),),
                        safe=False,
                    ),
                )


# -- Mail Manager expression values ------------------------------------------------------------


def _check_duplicate_values(ctx: LintContext) -> None:
    for body, values in _mm_expressions(ctx):
        is_ip = body.member_name == "IpExpression"
        seen: dict[object, tuple[Node, str]] = {}
        for i, v in enumerate(values.list_value):
            text = string_value(v)
            if text is None or has_placeholder(text):
                continue
            key: object = text
            if is_ip:
                parsed, _ = parse_cidr(text, classic=False)
                if parsed is not None:
                    key = parsed.canonical
            if key not in seen:
                seen[key] = (v, text)
                continue
            first, first_text = seen[key]
            how = "" if first_text == text else f" (the same range as {quote(first_text)})"
            ctx.report(
                v,
                f"the value {quote(text)} appears twice in this {body.member_name}{how}; remove the duplicate",
                related=[Related(first.start, first.end, "first listed here")],
                fix=Fix(f"Remove the duplicate {quote(text)}", (remove_item(ctx.document, values, i),)),
                tags=("unnecessary",),
            )


# -- rules ---------------------------------------------------------------------------------------

FILTER_KIND = "ses:create-receipt-filter"
FILTERS_KIND = "ses:list-receipt-filters"
RULE_KIND = "ses:create-receipt-rule"
MM_KIND = "mailmanager:create-rule-set"


INVALID_CIDR = Rule(
    code="SES601",
    name="invalid-cidr",
    severity=E,
    summary="An IP filter Cidr or IpExpression value that is not an IPv4/IPv6 address or CIDR block.",
    source=SOURCE_OBSERVED,
    kinds=CLASSIC_FILTER_KINDS | MM_RULE_SET_KINDS | MM_TRAFFIC_POLICY_KINDS,
    check=_check_invalid_cidr,
    doc=RuleDoc(
        what=(
            "Reports a receipt filter `Cidr`, a Mail Manager rule's `IpExpression` value or a traffic policy's "
            "`IpExpression`/`Ipv6Expression` value that is not a single IPv4 or "
            "IPv6 address or a CIDR block, and says why: an octet out of range or with a leading zero, a prefix "
            "length out of range, a dotted netmask instead of a prefix length, brackets, a zone ID, a range, a host "
            "name, non-ASCII digits. For receipt filters, IPv4-mapped IPv6 addresses (`::ffff:192.0.2.1`) are "
            "reported too. IPv6 is accepted everywhere. Leading zeros (`010.0.0.1`, `/08`) are reported as a "
            "warning: some parsers read them as octal, and whether SES accepts them is not documented."
        ),
        why=(
            "The classic API types `Cidr` as a plain string, and Mail Manager's pattern for IP values lets anything "
            "through; the service then rejects the value (`Invalid CIDR block`, observed) or the condition never "
            "matches what you meant."
        ),
        bad=Example("SES601-bad.yaml", FILTER_KIND),
        good=Example("SES601-good.yaml", FILTER_KIND),
        references=(API_IP_FILTER, MM_IP_EXPR, RFC4632, RFC4291, FLOCI),
    ),
)

HOST_BITS = Rule(
    code="SES602",
    name="cidr-host-bits-set",
    severity=W,
    summary="A CIDR block whose address has bits set beyond the prefix (e.g. 10.0.0.1/24).",
    source=SOURCE_RFC,
    kinds=CLASSIC_FILTER_KINDS | MM_RULE_SET_KINDS | MM_TRAFFIC_POLICY_KINDS,
    check=_check_host_bits,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports a CIDR block such as `10.0.0.1/24` or `2001:db8::1/64` whose address is not the network "
            "address, and names the block it actually covers (`10.0.0.0/24`). The fix writes that block."
        ),
        why=(
            "The bits after the prefix are ignored, so `10.0.0.1/24` covers all of 10.0.0.0-10.0.0.255: usually "
            "the author meant the single address (`10.0.0.1`) or a different prefix. Writing the network address "
            "makes the covered range explicit; many tools (Terraform, cfn-lint) reject the non-canonical form."
        ),
        bad=Example("SES602-bad.yaml", FILTER_KIND),
        good=Example("SES602-good.yaml", FILTER_KIND),
        references=(RFC4632, RFC4291, API_IP_FILTER),
    ),
)

ALLOW_BLOCK_SAME = Rule(
    code="SES603",
    name="cidr-both-allowed-and-blocked",
    severity=W,
    summary="A Block filter whose range an Allow filter also covers: the Block has no effect.",
    source=SOURCE_DOCS,
    kinds=frozenset({FILTERS_KIND}),
    check=_check_allow_block_same,
    doc=RuleDoc(
        what=(
            "Reports a Block filter whose range is also allowed: the same range as an Allow filter, or a range "
            "inside an Allow filter's range. The Allow filter is shown as related."
        ),
        why=(
            "An Allow filter takes precedence over a Block filter (AWS's recipe of blocking 0.0.0.0/0 and allowing "
            "trusted addresses relies on it), so the Block filter does nothing; one of the two is a mistake."
        ),
        bad=Example("SES603-bad.yaml", FILTERS_KIND),
        good=Example("SES603-good.yaml", FILTERS_KIND),
        references=(CONCEPTS_DOC, IP_FILTER_DOC),
    ),
)

BLOCK_ALL = Rule(
    code="SES604",
    name="block-all-without-allow",
    severity=I,
    summary="A Block filter for 0.0.0.0/0 or ::/0 with no Allow filter: no inbound mail is accepted.",
    source=SOURCE_DOCS,
    kinds=frozenset({FILTERS_KIND}),
    check=_check_block_all,
    doc=RuleDoc(
        what=(
            "Reports, in a list of IP filters, a Block filter covering every IPv4 (`0.0.0.0/0`) or IPv6 (`::/0`) "
            "address when no Allow filter of the same family exists."
        ),
        why=(
            "Blocking everything is the first half of AWS's recipe for accepting mail only from known servers; "
            "without Allow filters SES rejects every inbound connection of that family."
        ),
        bad=Example("SES604-bad.yaml", FILTERS_KIND),
        good=Example("SES604-good.yaml", FILTERS_KIND),
        references=(IP_FILTER_DOC, CONCEPTS_DOC),
        notes="Only a list of filters (`list-receipt-filters` output) is checked: a single filter cannot tell.",
    ),
)

REDUNDANT_FILTER = Rule(
    code="SES605",
    name="redundant-ip-filter",
    severity=I,
    summary="An IP filter whose range lies inside another filter with the same policy.",
    source=SOURCE_DOCS,
    kinds=frozenset({FILTERS_KIND}),
    check=_check_redundant_filter,
    doc=RuleDoc(
        what=(
            "Reports an Allow filter whose range lies entirely inside (or equals) another Allow filter's range, "
            "and likewise for Block filters."
        ),
        why="The narrower filter changes nothing and uses one of the 100 IP filters allowed per Region.",
        bad=Example("SES605-bad.yaml", FILTERS_KIND),
        good=Example("SES605-good.yaml", FILTERS_KIND),
        references=(IP_FILTER_DOC, "https://docs.aws.amazon.com/ses/latest/dg/quotas.html"),
    ),
)

ALLOW_INSIDE_BLOCK = Rule(
    code="SES606",
    name="block-contains-allowed-range",
    severity=I,
    summary="A Block filter containing Allow ranges: Allow takes precedence for them.",
    source=SOURCE_DOCS,
    kinds=frozenset({FILTERS_KIND}),
    check=_check_allow_inside_block,
    doc=RuleDoc(
        what=(
            "Reports, once per Block filter, the Allow filters whose ranges lie inside the blocked range, and "
            "explains that mail from them is still accepted. A Block of every address (`0.0.0.0/0`, `::/0`) is "
            "left alone: blocking everything and allowing a few senders is AWS's documented recipe."
        ),
        why=(
            "SES accepts mail from an address on the allow list even when a Block filter covers it; that is what "
            'makes "block everything, allow a few" work, and what surprises readers who expect the Block to win.'
        ),
        bad=Example("SES606-bad.yaml", FILTERS_KIND),
        good=Example("SES606-good.yaml", FILTERS_KIND),
        references=(CONCEPTS_DOC, IP_FILTER_DOC),
    ),
)

INVALID_RECIPIENT = Rule(
    code="SES607",
    name="invalid-recipient",
    severity=E,
    summary="A Recipients entry that is neither an email address nor a domain.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_invalid_recipient,
    fixable=True,
    per_rule=True,
    doc=RuleDoc(
        what=(
            "Reports a receipt rule `Recipients` entry that is not an address (`user@example.com`), a domain "
            "(`example.com`) or a subdomain pattern (`.example.com`): empty, white space, a display name "
            "(`Support <support@example.com>`), angle brackets, a URL, `@` with nothing before or after it, "
            "several entries in one string. Where the intended entry is obvious, the fix writes it."
        ),
        why=(
            "SES compares these entries with the envelope recipients; an entry in another form never matches, so "
            "mail for it is rejected (or, in the first rule for an address, handled by a later rule)."
        ),
        bad=Example("SES607-bad.yaml", RULE_KIND),
        good=Example("SES607-good.yaml", RULE_KIND),
        references=(API_RULE, RULES_DOC),
    ),
)

WILDCARD = Rule(
    code="SES608",
    name="recipient-wildcard",
    severity=W,
    summary="A Recipients entry with '*': SES has no wildcards there.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_wildcard,
    fixable=True,
    per_rule=True,
    doc=RuleDoc(
        what=(
            "Reports `*@example.com`, `*.example.com` and other entries with `*`, and suggests the form SES "
            "understands: `example.com` for every address at a domain, `.example.com` (a leading dot) for its "
            "subdomains. The fix is offered in editors but not applied by `--fix`, because the subdomain form "
            "does not match the domain itself."
        ),
        why="`*` is matched literally, so the entry never matches a real recipient.",
        bad=Example("SES608-bad.yaml", RULE_KIND),
        good=Example("SES608-good.yaml", RULE_KIND),
        references=(RULES_DOC, API_RULE),
    ),
)

DUPLICATE_RECIPIENT = Rule(
    code="SES609",
    name="duplicate-recipient",
    severity=W,
    summary="The same recipient listed twice in one rule (domains compared without regard to case).",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS,
    check=_check_duplicate_recipient,
    fixable=True,
    per_rule=True,
    doc=RuleDoc(
        what=(
            "Reports a receipt rule `Recipients` entry (or a Mail Manager `ReplaceRecipient.ReplaceWith` address) "
            "that repeats an earlier one. Domains compare case-insensitively; entries that differ only in the case "
            "of the local part are reported too, with a fix that is not applied automatically."
        ),
        why=(
            "The duplicate changes nothing and counts toward the 100-recipient quota; it usually hides a typo in "
            "the entry that was meant."
        ),
        bad=Example("SES609-bad.yaml", RULE_KIND),
        good=Example("SES609-good.yaml", RULE_KIND),
        references=(RFC5321_CASE, API_RULE),
    ),
)

REDUNDANT_RECIPIENT = Rule(
    code="SES610",
    name="redundant-recipient",
    severity=I,
    summary="A recipient already matched by another entry of the same rule (user+label@ vs user@, address vs domain).",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_redundant_recipient,
    fixable=True,
    per_rule=True,
    doc=RuleDoc(
        what=(
            "Reports an entry that another entry of the same rule already matches: `user+label@example.com` next "
            "to `user@example.com` (an address matches its +label forms), an address next to its domain, a "
            "subdomain next to a `.domain` entry."
        ),
        why="The entry changes nothing; removing it keeps the rule readable and under the recipient quota.",
        bad=Example("SES610-bad.yaml", RULE_KIND),
        good=Example("SES610-good.yaml", RULE_KIND),
        references=(RULES_DOC,),
    ),
)

UNVERIFIED_DOMAIN = Rule(
    code="SES611",
    name="recipient-domain-not-verified",
    severity=W,
    summary="A recipient on a domain that is not among the configured verified domains.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_unverified_domain,
    per_rule=True,
    doc=RuleDoc(
        what=(
            "With `verified-domains` set in the configuration, reports recipients whose domain is neither a "
            "verified domain nor a subdomain of one. Silent without the setting."
        ),
        why=(
            "SES accepts mail only for addresses that belong to verified domain identities; a rule for another "
            "domain never sees mail."
        ),
        bad=None,
        good=None,
        references=(CONCEPTS_DOC, "https://docs.aws.amazon.com/ses/latest/dg/receiving-email-verification.html"),
        notes='Set `verified-domains = ["example.com"]` in `[tool.ses-lsp]`.',
    ),
)

UPPER_CASE = Rule(
    code="SES612",
    name="recipient-upper-case",
    severity=I,
    summary="A recipient with upper-case letters.",
    source=SOURCE_RFC,
    kinds=CLASSIC_RULE_KINDS,
    check=_check_upper_case,
    fixable=True,
    per_rule=True,
    doc=RuleDoc(
        what=(
            "Reports recipients with upper-case letters. In the domain the fix lower-cases it (domains are "
            "case-insensitive); in the local part the fix is only offered, since SES does not document how it "
            "compares local parts."
        ),
        why=(
            "RFC 5321 makes local parts case-sensitive in principle and domains case-insensitive; writing entries in "
            "lower case avoids depending on undocumented behaviour and makes duplicates visible."
        ),
        bad=Example("SES612-bad.yaml", RULE_KIND),
        good=Example("SES612-good.yaml", RULE_KIND),
        references=(RFC5321_CASE,),
    ),
)

DUPLICATE_VALUE = Rule(
    code="SES613",
    name="duplicate-expression-value",
    severity=W,
    summary="A value listed twice in one Mail Manager condition.",
    source=SOURCE_MODEL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_duplicate_values,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports a repeated value in the `Values` of a String, Ip, Verdict or Dmarc expression (IP values "
            "compare as ranges, so `10.0.0.0/24` and `10.0.0.1/24` are the same)."
        ),
        why=(
            "Values are ORed (or, for NOT_ operators, all excluded), so the repeat changes nothing and uses one of "
            "the 10 values an expression may hold; it often hides a typo."
        ),
        bad=Example("SES613-bad.yaml", MM_KIND),
        good=Example("SES613-good.yaml", MM_KIND),
        references=(MM_IP_EXPR, MM_RULES_DOC),
    ),
)

# -- simulation scenarios ------------------------------------------------------------------


def _scenarios(ctx: LintContext) -> Iterator[Node]:
    """The scenarios of the document: a scenario document itself, or the inline ``Mail`` of each
    case of a routing test (a path there names a file, linted on its own)."""
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return
    if ctx.kind != ROUTING_TEST_KIND:
        yield root
        return
    cases = root.get("Cases")
    if cases is None or cases.kind != ARRAY:
        return
    for case in cases.list_value:
        mail = case.get("Mail") if case.kind == OBJECT else None
        if mail is not None and mail.kind == OBJECT:
            yield mail


def _scenario_strings(ctx: LintContext) -> Iterator[tuple[str, Node]]:
    """(member, string node) for the scenarios' address-, domain- and IP-valued strings."""
    for root in _scenarios(ctx):
        yield from _strings_of(root)


def _strings_of(root: Node) -> Iterator[tuple[str, Node]]:
    for member in ("SourceIp", "MailFrom"):
        n = root.get(member)
        if n is not None and n.kind == STRING:
            yield member, n
    for member in ("Recipients", "VerifiedDomains"):
        lst = root.get(member)
        if lst is not None and lst.kind == ARRAY:
            for n in lst.list_value:
                if n.kind == STRING:
                    yield member, n


def _scenario_problem(member: str, text: str) -> str | None:
    if member == "SourceIp":
        if "/" in text:
            return "it is a CIDR block; the source is one address"
        _, why = parse_cidr(text, False)
        return why
    if member == "VerifiedDomains":
        fault = domain_fault(text.lower().strip("."))
        return None if fault is None else fault.reason
    if member == "MailFrom" and text == "":
        return None  # the null reverse path (bounces)
    why = address_problem(text)
    if why is not None and address_problem(text, display_name=True) is None:
        return (
            f"it is in display-name form; an envelope address is the address alone, {quote(without_display_name(text))}"
        )
    return why


def _check_scenario_values(ctx: LintContext) -> None:
    what = {
        "SourceIp": "an IPv4 or IPv6 address",
        "MailFrom": "an email address (or empty)",
        "Recipients": "an email address",
        "VerifiedDomains": "a domain",
    }
    for member, node in _scenario_strings(ctx):
        text = node.str_value
        if has_placeholder(text) or schema_reported(ctx, node):
            continue
        why = _scenario_problem(member, text)
        if why is not None:
            ctx.report(node, f"{member} value {quote(text)} is not {what[member]}: {why}")


SCENARIO_VALUE = Rule(
    code="SES614",
    name="scenario-invalid-value",
    severity=E,
    summary="A simulation scenario's source IP, sender, recipient or verified domain that is not one.",
    source=SOURCE_RFC,
    kinds=SCENARIO_KINDS | {ROUTING_TEST_KIND},
    check=_check_scenario_values,
    doc=RuleDoc(
        what=(
            "Reports, in a simulation scenario (`ses-lsp simulate --mail`, or a routing test case's inline "
            "`Mail`), a `SourceIp` that is not a single IPv4 "
            "or IPv6 address, a `MailFrom` or `Recipients` entry that is not an email address, and a "
            "`VerifiedDomains` entry that is not a domain."
        ),
        why=(
            "The simulation would match rules against a value no SMTP client can send: IP filters and CIDR "
            "conditions never contain it, and recipient matching is meaningless."
        ),
        bad=Example("SES614-bad.yaml", "ses-lsp:scenario"),
        good=Example("SES614-good.yaml", "ses-lsp:scenario"),
        references=(
            "RFC 5321 section 4.1.2 (Mailbox): https://www.rfc-editor.org/rfc/rfc5321#section-4.1.2",
            RFC4291,
            CONCEPTS_DOC + " (the receiving pipeline a simulation follows)",
        ),
    ),
)


RULES = [
    INVALID_CIDR,
    HOST_BITS,
    ALLOW_BLOCK_SAME,
    BLOCK_ALL,
    REDUNDANT_FILTER,
    ALLOW_INSIDE_BLOCK,
    INVALID_RECIPIENT,
    WILDCARD,
    DUPLICATE_RECIPIENT,
    REDUNDANT_RECIPIENT,
    UNVERIFIED_DOMAIN,
    UPPER_CASE,
    DUPLICATE_VALUE,
    SCENARIO_VALUE,
]
