"""Where a mail goes: SES classic and Mail Manager evaluation, recipient by recipient.

The one evaluation model.  It reads the same rule models the linters read
(:mod:`ses_lsp.semantics.classic`: which recipients a rule matches, what stops;
:mod:`ses_lsp.semantics.mailmanager`: conditions and their operators) and answers for one
:class:`~ses_lsp.semantics.mail.Mail`.  Pure: node trees and a mail in, a :class:`Trace`
out; no file is read and nothing is printed here.  Every semantic choice, with its public
source and whether it is an inference, is in ``docs/evaluation.md``.

SES classic (:func:`evaluate_classic`):

1. IP filters: an ``Allow`` filter containing the source IP accepts the connection (Allow
   wins over Block); else a ``Block`` filter containing it refuses it; else SES's own block
   list decides (``Mail.on_ses_block_list``).
2. Recipient acceptance: a recipient on a domain that is not verified, or that no enabled
   rule matches, is rejected.
3. Rules in list order, for each recipient the enabled rules that match it; per rule,
   ``TlsPolicy: Require`` bounces mail not received over TLS (and ends evaluation for the
   recipient); the actions run in order; a ``StopAction`` ends evaluation for the recipient;
   a ``RequestResponse`` Lambda's disposition (from the mail) can skip the rest of the rule
   (``STOP_RULE``) or end evaluation (``STOP_RULE_SET``); a ``BounceAction`` stops nothing.

Mail Manager (:func:`evaluate_mailmanager`):

1. The ingress point's ``TlsPolicy`` (``REQUIRED``/``FIPS`` refuse a connection without TLS).
2. The traffic policy: its ``DENY`` statements, then its ``ALLOW`` statements (a statement
   applies when all its conditions hold), then its default action; then
   ``MaxMessageSizeBytes``.  Evaluated per recipient (a statement can test ``RECIPIENT``).
3. Every rule, in order, for each recipient: it applies when all ``Conditions`` hold and no
   ``Unless`` holds, and then runs its actions in order; ``Drop`` ends processing for the
   recipient; ``ReplaceRecipient`` changes the recipients the later actions act for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.knowledge.addresses import domain_is_verified, verified_domains
from ses_lsp.knowledge.networks import parse_cidr
from ses_lsp.lint.text import quote, quote_list
from ses_lsp.semantics import classic as cm
from ses_lsp.semantics import mailmanager as mm
from ses_lsp.semantics.mail import Mail

# Outcomes of one recipient (the JSON contract's ``outcome``).
BLOCKED = "blocked"  # the connection was refused (IP filter, SES block list, ingress, traffic policy)
REJECTED = "rejected"  # the recipient was not accepted (unverified domain, no rule matches it)
DELIVERED = "delivered"  # a delivering action ran
BOUNCED = "bounced"  # a bounce was sent (BounceAction/Bounce, or TlsPolicy Require)
DELIVERED_AND_BOUNCED = "delivered-and-bounced"  # both: the sender is told it failed, yet it was delivered
DROPPED = "dropped"  # Mail Manager Drop before anything delivered
NO_DELIVERY = "no-delivery"  # accepted, but no action delivered it anywhere
OUTCOMES = (BLOCKED, REJECTED, DELIVERED, BOUNCED, DELIVERED_AND_BOUNCED, DROPPED, NO_DELIVERY)

CLASSIC_BOUNCES = frozenset({"BounceAction"})
MM_BOUNCES = frozenset({"Bounce"})


@dataclass(frozen=True, slots=True)
class Ref:
    """A place in an input document: ``source`` names the document (the caller's label, e.g.
    a file name), ``node`` the value."""

    source: object
    node: Node


@dataclass(slots=True)
class ActionRun:
    """An action that ran for a recipient."""

    rule: str  # the rule's name, or "#N" (1-based) for a rule without one
    rule_index: int
    index: int  # the action's index in the rule's Actions
    type: str  # the API member name: S3Action, WriteToS3, ...
    ref: Ref
    note: str = ""  # e.g. "returned STOP_RULE"
    recipients: list[str] | None = None  # Mail Manager: the recipients it acts for


@dataclass(slots=True)
class Stop:
    """Where evaluation ended for a recipient, and why."""

    rule: str
    rule_index: int
    index: int | None  # the action's index; None for TlsPolicy
    type: str  # StopAction, LambdaAction, Drop, TlsPolicy
    ref: Ref
    reason: str


@dataclass(slots=True)
class Step:
    """One rule considered for one recipient: did it match, and what decided it."""

    rule: str
    rule_index: int
    matched: bool
    why: str
    ref: Ref | None  # the deciding node: a Recipients entry, a condition, Enabled, ...
    actions: list[ActionRun] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Decision:
    """A connection-level verdict: accepted or not, which filter or statement decided it."""

    accepted: bool
    decided_by: Ref | None
    reason: str


@dataclass(slots=True)
class RecipientTrace:
    address: str
    accepted: bool
    outcome: str
    reason: str
    actions: list[ActionRun] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    stopped_by: Stop | None = None
    steps: list[Step] = field(default_factory=list)  # filled when explaining
    # Rules after the stop that were never considered: (first index, last index), or None.
    skipped: tuple[int, int] | None = None
    admission: Decision | None = None  # Mail Manager: the traffic policy's verdict for it


@dataclass
class Trace:
    service: str  # "ses" or "mailmanager"
    connection: Decision
    recipients: list[RecipientTrace]
    mail: Mail
    rule_count: int = 0


def rule_name(name: str | None, index: int) -> str:
    """A rule as the JSON contract names it: its ``Name``, or ``#N`` (1-based)."""
    return name if name else f"#{index + 1}"


def rule_label(name: str | None, index: int) -> str:
    return f'rule "{name}"' if name else f"rule #{index + 1}"


def _outcome(actions: list[ActionRun], delivery: frozenset[str], bounces: frozenset[str], extra_bounce: bool) -> str:
    types = {a.type for a in actions}
    delivered = not types.isdisjoint(delivery)
    bounced = extra_bounce or not types.isdisjoint(bounces)
    if delivered and bounced:
        return DELIVERED_AND_BOUNCED
    if delivered:
        return DELIVERED
    if bounced:
        return BOUNCED
    return NO_DELIVERY


# -- SES classic --------------------------------------------------------------------------


@dataclass
class ClassicSetup:
    """A classic receipt rule set (from one document) and the account's IP filters (any number
    of documents).  Build once, evaluate many mails."""

    rules: list[cm.Rule]
    source: object = None
    filters: list[tuple[cm.IpFilter, object]] = field(default_factory=list)
    _index: _ClassicIndex | None = None
    misses: dict[int, Step] = field(default_factory=dict)  # the step of a rule a recipient does not match

    @staticmethod
    def from_documents(
        rules_root: Node | None, source: object = None, filters: Sequence[tuple[Node | None, object]] = ()
    ) -> ClassicSetup:
        """From a rule set document (``Rules``) or a single rule document (``Rule``), and filter documents."""
        rules: list[cm.Rule] = []
        if rules_root is not None and rules_root.kind == OBJECT:
            single = rules_root.get("Rule")
            if single is not None:
                r = cm.read_rule(single, 0)
                rules = [r] if r is not None else []
            else:
                rules = cm.read_rules(rules_root.get("Rules"))
        flt = [(f, src) for root, src in filters for f in cm.read_filters(root)]
        return ClassicSetup(rules, source, flt)

    @property
    def index(self) -> _ClassicIndex:
        if self._index is None:
            self._index = _ClassicIndex(self.rules)
        return self._index


class _ClassicIndex:
    """For each key of :func:`ses_lsp.semantics.classic.covering_keys`, the enabled rules with
    a ``Recipients`` entry of that key; and the enabled rules without ``Recipients``."""

    def __init__(self, rules: list[cm.Rule]) -> None:
        self.by_key: dict[tuple[str, ...], list[tuple[int, int]]] = {}
        self.catch_alls: list[int] = []
        for pos, rule in enumerate(rules):
            if not rule.is_enabled:
                continue
            if rule.recipients is None:
                self.catch_alls.append(pos)
                continue
            for j, e in enumerate(rule.recipients):
                key = e.key
                if key is not None:
                    self.by_key.setdefault(key, []).append((pos, j))

    def matching(self, address: str, catch_all: bool) -> dict[int, int | None]:
        """Enabled rule position -> the first of its entries that matches ``address`` (None for a
        rule without Recipients), for every enabled rule that matches it."""
        hits: dict[int, int | None] = {}
        by_key = self.by_key
        for key in cm.address_keys(address):
            for pos, j in by_key.get(key, ()):
                old = hits.get(pos, -1)
                if old == -1 or (old is not None and j < old):
                    hits[pos] = j
        if catch_all:
            for pos in self.catch_alls:
                hits[pos] = None
        return hits


def _classic_connection(setup: ClassicSetup, mail: Mail) -> Decision:
    from netaddr import AddrFormatError, IPAddress

    try:
        ip = IPAddress(mail.source_ip)
    except (AddrFormatError, ValueError, TypeError):
        return Decision(False, None, f"the source IP {quote(mail.source_ip)} is not an IP address")
    allow: tuple[cm.IpFilter, object] | None = None
    block: tuple[cm.IpFilter, object] | None = None
    for f, src in setup.filters:
        if f.cidr is None or f.policy not in ("Allow", "Block"):
            continue
        parsed, _ = parse_cidr(f.cidr, True)
        if parsed is None or ip.version != parsed.version or ip not in parsed.network:
            continue
        if f.policy == "Allow" and allow is None:
            allow = (f, src)
        elif f.policy == "Block" and block is None:
            block = (f, src)
    if allow is not None:
        f, src = allow
        extra = f" (it overrides {block[0].label()}, which blocks it too)" if block is not None else ""
        return Decision(True, Ref(src, f.node), f"{f.label()} allows {_in_range(mail.source_ip, f)}{extra}")
    if block is not None:
        f, src = block
        return Decision(False, Ref(src, f.node), f"{f.label()} blocks {_in_range(mail.source_ip, f)}")
    if mail.on_ses_block_list:
        return Decision(False, None, f"{mail.source_ip} is on the SES block list and no Allow filter contains it")
    if not setup.filters:
        return Decision(True, None, "no IP filters: every client not on the SES block list is accepted")
    return Decision(True, None, f"no IP filter contains {mail.source_ip}")


def _in_range(ip: str, f: cm.IpFilter) -> str:
    return ip if f.cidr == ip else f"{ip} (in {f.cidr})"


def evaluate_classic(setup: ClassicSetup, mail: Mail, explain: bool = True) -> Trace:
    """Run one mail through a classic receipt rule set.  ``explain``: record every rule
    considered (:attr:`RecipientTrace.steps`), not only the ones that ran."""
    connection = _classic_connection(setup, mail)
    trace = Trace("ses", connection, [], mail, len(setup.rules))
    verified = verified_domains(mail.verified_domains) if mail.verified_domains is not None else None
    for address in mail.recipients:
        if not connection.accepted:
            trace.recipients.append(RecipientTrace(address, False, BLOCKED, "the connection was refused"))
            continue
        trace.recipients.append(_classic_recipient(setup, mail, address, verified, explain))
    return trace


def _classic_recipient(
    setup: ClassicSetup, mail: Mail, address: str, verified: frozenset[str] | None, explain: bool
) -> RecipientTrace:
    domain = cm.split_address(address)[1]
    if verified is not None and not domain_is_verified(domain, verified):
        return RecipientTrace(
            address,
            False,
            REJECTED,
            f"{quote(domain or address)} is not a verified domain: SES receives no mail for it",
        )
    hits = setup.index.matching(address, catch_all=True)
    if not hits:
        return RecipientTrace(address, False, REJECTED, "no enabled rule matches this recipient")
    rules = setup.rules
    src = setup.source
    out = RecipientTrace(address, True, NO_DELIVERY, "")
    positions = range(len(rules)) if explain else sorted(hits)
    bounced_by_tls = False
    for pos in positions:
        rule = rules[pos]
        name = rule_name(rule.name, rule.index)
        if pos not in hits:
            miss = setup.misses.get(pos)
            if miss is None:
                miss = setup.misses[pos] = _classic_miss(rule, name, src)
            out.steps.append(miss)  # (the same for every recipient: built once, shared, never changed)
            continue
        j = hits[pos]
        if j is None:
            why = "matched: it has no Recipients, so it matches every address on a verified domain"
            ref = Ref(src, rule.name_node or rule.node)
        else:
            assert rule.recipients is not None
            entry = rule.recipients[j]
            why = f"matched by Recipients entry {quote(entry.text)}"
            ref = Ref(src, entry.node or rule.node)
        step = Step(name, rule.index, True, why, ref)
        if explain:
            out.steps.append(step)
        if rule.requires_tls and not mail.tls:
            tls = rule.node.get("TlsPolicy")
            out.stopped_by = Stop(
                name,
                rule.index,
                None,
                "TlsPolicy",
                Ref(src, tls if tls is not None else rule.node),
                "TlsPolicy is Require and the mail did not arrive over TLS: SES bounces it; the rule's "
                "actions do not run",
            )
            bounced_by_tls = True
            break
        ran_any = False
        stop_all = False
        for a in rule.actions:
            if not a.type:
                step.notes.append(f"action {a.index + 1} is not exactly one known action: skipped")
                continue
            ran_any = True
            if a.type == "StopAction":
                out.stopped_by = Stop(
                    name,
                    rule.index,
                    a.index,
                    "StopAction",
                    Ref(src, a.node),
                    "StopAction ends the evaluation of the rule set",
                )
                stop_all = True
                break
            run = ActionRun(name, rule.index, a.index, a.type, Ref(src, a.node))
            step.actions.append(run)
            out.actions.append(run)
            if cm.is_request_response(a):
                arn = a.text("FunctionArn") or ""
                d = mail.disposition(arn)
                given = arn in mail.lambda_dispositions
                run.note = f"returned {d}" + ("" if given else " (the default)")
                if d == "STOP_RULE":
                    skipped = len(rule.actions) - a.index - 1
                    if skipped:
                        step.notes.append(
                            f"STOP_RULE: the rest of this rule ({skipped} action{'s' if skipped != 1 else ''}) "
                            "is skipped"
                        )
                    break
                if d == "STOP_RULE_SET":
                    out.stopped_by = Stop(
                        name,
                        rule.index,
                        a.index,
                        "LambdaAction",
                        Ref(src, a.node),
                        "the Lambda function returned STOP_RULE_SET: no further actions or rules",
                    )
                    stop_all = True
                    break
            elif a.type == "LambdaAction" and arn_given(mail, a):
                run.note = "invoked with Event: its disposition cannot change the flow"
        if ran_any:
            out.rules.append(name)
        if stop_all:
            break
    if out.stopped_by is not None and explain:
        last = out.stopped_by.rule_index
        if last + 1 < len(rules):
            out.skipped = (last + 1, len(rules) - 1)
    out.outcome = _outcome(out.actions, cm.DELIVERY_ACTIONS, CLASSIC_BOUNCES, bounced_by_tls)
    out.reason = _reason(out)
    return out


def arn_given(mail: Mail, action: cm.Action) -> bool:
    return (action.text("FunctionArn") or "") in mail.lambda_dispositions


def _classic_miss(rule: cm.Rule, name: str, src: object) -> Step:
    if not rule.is_enabled:
        en = rule.node.get("Enabled")
        if en is None:
            return Step(
                name, rule.index, False, "skipped: Enabled is not set (the API default is false)", Ref(src, rule.node)
            )
        return Step(name, rule.index, False, "skipped: the rule is disabled (Enabled: false)", Ref(src, en))
    if rule.recipients is None:  # (a catch-all matches only verified domains; the recipient passed that check)
        return Step(name, rule.index, False, "not matched", Ref(src, rule.node))
    shown = quote_list([e.text for e in rule.recipients], limit=4)
    rec = rule.node.get("Recipients")
    return Step(
        name,
        rule.index,
        False,
        f"not matched: no Recipients entry matches ({shown})" if shown else "not matched: Recipients is empty",
        Ref(src, rec if rec is not None else rule.node),
    )


def _reason(out: RecipientTrace) -> str:
    if out.stopped_by is not None and out.stopped_by.type == "TlsPolicy":
        stop = out.stopped_by
        before = f" after {len(out.actions)} action(s) of earlier rules" if out.actions else ""
        return f"bounced by {rule_label_from_name(stop.rule)} (TlsPolicy: Require, and no TLS){before}"
    parts = []
    n, m = len(out.actions), len({a.rule for a in out.actions})
    if n:
        parts.append(f"{n} action{'s' if n != 1 else ''} ran in {m} rule{'s' if m != 1 else ''}")
    else:
        parts.append("no action ran")
    if out.stopped_by is not None:
        parts.append(f"evaluation stopped in {rule_label_from_name(out.stopped_by.rule)} ({out.stopped_by.type})")
    return "; ".join(parts)


def rule_label_from_name(name: str) -> str:
    return f"rule {name}" if name.startswith("#") else f'rule "{name}"'


# -- Mail Manager ------------------------------------------------------------------------


@dataclass
class IngressPoint:
    node: Node
    name: str | None
    tls_policy: str | None
    tls_node: Node | None


def read_ingress_point(root: Node | None) -> IngressPoint | None:
    if root is None or root.kind != OBJECT:
        return None
    name = root.get("IngressPointName")
    tls = root.get("TlsPolicy")
    return IngressPoint(
        root,
        name.str_value if name is not None and name.kind == STRING else None,
        tls.str_value if tls is not None and tls.kind == STRING else None,
        tls,
    )


@dataclass
class _Cond:
    """A condition compiled for evaluation.  Identical conditions (the same expression anywhere in
    the rule set or traffic policy) share a ``slot``: each is evaluated once per mail (once per
    recipient when it reads ``RECIPIENT``)."""

    cond: mm.Condition
    test: Callable[[Sequence[object]], bool]
    depends_on_recipient: bool
    slot: int
    reads_recipient: bool = False  # it reads the RECIPIENT attribute itself (its value is the recipient)
    value_key: tuple = ()  # (operand, family): what it reads, as _Values caches it


class _Slots:
    """Slot numbers of distinct conditions, by the predicate's key and what it reads."""

    def __init__(self) -> None:
        self.by_key: dict[tuple, int] = {}

    def compile(self, conds: list[mm.Condition]) -> list[_Cond]:
        out = []
        for c in conds:
            p = c.predicate
            if p is None or p.operand is None:
                out.append(_Cond(c, _unreadable, False, self._slot(("unreadable", id(c)))))
                continue
            op = p.operand
            dep = op[0] in ("attribute", "address-list") and op[1] == "RECIPIENT"
            slot = self._slot((p.key, op))
            out.append(_Cond(c, p.value_test(), dep, slot, op == ("attribute", "RECIPIENT"), (op, p.family)))
        return out

    def _slot(self, key: tuple) -> int:
        slot = self.by_key.get(key)
        if slot is None:
            slot = self.by_key[key] = len(self.by_key)
        return slot


def _unreadable(values: Sequence[object]) -> bool:
    return False


def _bits(conds: list[_Cond]) -> tuple[int, int]:
    """(bits of the conditions that do not read RECIPIENT, bits of those that do)."""
    mail = recipient = 0
    for c in conds:
        if c.depends_on_recipient:
            recipient |= 1 << c.slot
        else:
            mail |= 1 << c.slot
    return mail, recipient


@dataclass
class _MMRule:
    rule: mm.Rule
    name: str
    conditions: list[_Cond]
    unless: list[_Cond]
    # What the hot loop needs: each entry's (bit, reads RECIPIENT, condition), and the bits of
    # the entries that do not / do read RECIPIENT (bit = 1 << the condition's slot).
    condition_plan: tuple[tuple[int, bool, _Cond], ...] = ()
    unless_plan: tuple[tuple[int, bool, _Cond], ...] = ()
    condition_bits: tuple[int, int] = (0, 0)
    unless_bits: tuple[int, int] = (0, 0)
    # (action, where it is, the action's ReplaceWith when it is a ReplaceRecipient)
    action_plan: tuple[tuple[mm.Action, Ref, list[str] | None], ...] = ()
    applied_why: str = ""


@dataclass
class MailManagerSetup:
    """A Mail Manager rule set, and optionally the traffic policy and ingress point in front of it."""

    rules: list[mm.Rule]
    source: object = None
    policy: mm.TrafficPolicy | None = None
    policy_source: object = None
    ingress: IngressPoint | None = None
    ingress_source: object = None
    _compiled: list[_MMRule] | None = None
    _policy_compiled: list[tuple[mm.PolicyStatement, list[_Cond]]] | None = None
    _slots: _Slots = field(default_factory=_Slots)

    @staticmethod
    def from_documents(
        rules_root: Node | None,
        source: object = None,
        policy_root: Node | None = None,
        policy_source: object = None,
        ingress_root: Node | None = None,
        ingress_source: object = None,
    ) -> MailManagerSetup:
        rules = mm.read_rules(rules_root.get("Rules")) if rules_root is not None else []
        return MailManagerSetup(
            rules,
            source,
            mm.read_traffic_policy(policy_root) if policy_root is not None else None,
            policy_source,
            read_ingress_point(ingress_root) if ingress_root is not None else None,
            ingress_source,
        )

    @property
    def compiled(self) -> list[_MMRule]:
        if self._compiled is None:
            self._compiled = [self._compile_rule(r) for r in self.rules]
        return self._compiled

    def _compile_rule(self, r: mm.Rule) -> _MMRule:
        conds = self._slots.compile(mm.read_condition_list(r.node.get("Conditions")))
        unless = self._slots.compile(mm.read_condition_list(r.node.get("Unless")))
        if len(conds) == 1:
            why = f"applied: {describe_condition(conds[0].cond)} holds"
        elif conds:
            why = f"applied: all {len(conds)} conditions hold"
        else:
            why = "applied: it has no Conditions"
        if unless:
            why += (
                f", and none of its {len(unless)} Unless conditions"
                if len(unless) > 1
                else ", and its Unless condition does not"
            )
        return _MMRule(
            r,
            rule_name(r.name, r.index),
            conds,
            unless,
            condition_plan=tuple((1 << c.slot, c.depends_on_recipient, c) for c in conds),
            unless_plan=tuple((1 << c.slot, c.depends_on_recipient, c) for c in unless),
            condition_bits=_bits(conds),
            unless_bits=_bits(unless),
            action_plan=tuple(
                (a, Ref(self.source, a.node), _replace_with(a.body) if a.type == "ReplaceRecipient" else None)
                for a in r.actions
            ),
            applied_why=why,
        )

    @property
    def policy_compiled(self) -> list[tuple[mm.PolicyStatement, list[_Cond]]]:
        if self._policy_compiled is None:
            st = self.policy.statements if self.policy is not None else []
            self._policy_compiled = [(s, self._slots.compile(s.conditions)) for s in st]
        return self._policy_compiled


class _Values:
    """What conditions read from one mail, and their results, cached as bit sets (bit ``1 << slot``):
    a condition that does not read ``RECIPIENT`` is evaluated once per mail (``known``/``true``),
    one that does once per recipient (``r_known``/``r_true``, cleared by :meth:`recipient`).
    A rule whose conditions are all known costs a few integer operations."""

    def __init__(self, mail: Mail) -> None:
        self.mail = mail
        self.cache: dict[tuple, list[object]] = {}
        self.known = self.true = 0
        self.r_known = self.r_true = 0

    def recipient(self) -> None:
        self.r_known = self.r_true = 0

    def get(self, operand: tuple, family: str, recipient: str) -> list[object]:
        dep = operand[0] in ("attribute", "address-list") and operand[1] == "RECIPIENT"
        key = (operand, family)
        if not dep:
            hit = self.cache.get(key)
            if hit is not None:
                return hit
        vals = _resolve(self, operand, family, recipient)
        if not dep:
            self.cache[key] = vals
        return vals

    def holds(self, c: _Cond, recipient: str) -> bool:
        bit = 1 << c.slot
        if c.depends_on_recipient:
            if self.r_known & bit:
                return bool(self.r_true & bit)
            got = self.test(c, recipient)
            self.r_known |= bit
            if got:
                self.r_true |= bit
            return got
        if self.known & bit:
            return bool(self.true & bit)
        got = self.test(c, recipient)
        self.known |= bit
        if got:
            self.true |= bit
        return got

    def all_hold(self, plan: tuple[tuple[int, bool, _Cond], ...], bits: tuple[int, int], recipient: str) -> bool:
        """Do all the plan's conditions hold?  Known results decide first; the unknown conditions
        are then evaluated in order, stopping at the first that does not hold."""
        mail_bits, rcpt_bits = bits
        if (self.known & ~self.true & mail_bits) or (self.r_known & ~self.r_true & rcpt_bits):
            return False  # a known condition does not hold
        if self.known & mail_bits == mail_bits and self.r_known & rcpt_bits == rcpt_bits:
            return True
        for bit, dep, c in plan:
            if not (self.r_known if dep else self.known) & bit and not self.holds(c, recipient):
                return False
        return True

    def any_holds(self, plan: tuple[tuple[int, bool, _Cond], ...], bits: tuple[int, int], recipient: str) -> bool:
        """Does any of the plan's conditions hold?  Known results decide first; the unknown
        conditions are then evaluated in order, stopping at the first that holds."""
        mail_bits, rcpt_bits = bits
        if self.true & mail_bits or self.r_true & rcpt_bits:
            return True  # a known condition holds
        if self.known & mail_bits == mail_bits and self.r_known & rcpt_bits == rcpt_bits:
            return False
        for bit, dep, c in plan:
            if not (self.r_known if dep else self.known) & bit and self.holds(c, recipient):
                return True
        return False

    def test(self, c: _Cond, recipient: str) -> bool:
        if c.reads_recipient:
            return c.test((recipient,))
        p = c.cond.predicate
        if p is None or p.operand is None:
            return False
        if not c.depends_on_recipient:  # (the usual case: a value of the mail, read once)
            vals = self.cache.get(c.value_key)
            if vals is None:
                vals = self.cache[c.value_key] = _resolve(self, p.operand, p.family, recipient)
            return c.test(vals)
        return c.test(_resolve(self, p.operand, p.family, recipient))


_ADDRESS_HEADERS = {"FROM": "From", "SENDER": "Sender", "TO": "To", "CC": "Cc"}


def _resolve(values: _Values, operand: tuple, family: str, recipient: str) -> list[object]:
    """The values of what a condition reads (see :func:`ses_lsp.semantics.mailmanager._operand`)."""
    mail = values.mail
    kind = operand[0]
    if kind == "attribute":
        name = operand[1]
        if name == "RECIPIENT":
            return [recipient]
        if name == "MAIL_FROM":
            return [mail.mail_from]
        if name == "HELO":
            return [mail.helo]
        if name in _ADDRESS_HEADERS:
            return list(mail.header_addresses(_ADDRESS_HEADERS[name]))
        if name == "SUBJECT":
            return list(mail.header_values("Subject"))
        if name in ("SOURCE_IP", "SENDER_IP", "SENDER_IPV6"):
            if name == "SOURCE_IP":
                return [mail.source_ip]
            is_v6 = ":" in mail.source_ip
            return [mail.source_ip] if is_v6 == (name == "SENDER_IPV6") else []
        if name in ("SPF", "DKIM"):
            return [mail.verdicts.get(name.capitalize(), "PASS")]
        if name == "MESSAGE_SIZE":
            return [mail.size]
        if name == "TLS":
            return [mail.tls]
        if name == "TLS_WRAPPED":
            return [mail.tls_wrapped]
        if name == "READ_RECEIPT_REQUESTED":
            return [mail.read_receipt_requested]
        if name == "TLS_PROTOCOL":
            return [mail.tls_protocol if mail.tls else None]
        return []
    if kind == "dmarc":
        return [mail.dmarc_policy]
    if kind == "header":
        return list(mail.header_values(operand[1]))
    if kind == "certificate":
        return [mail.client_certificate.get(operand[1], "")]
    if kind == "analysis":
        result = mail.addons.get(operand[1], {}).get(operand[2])
        if family == "boolean":
            return [bool(result) if result is not None else False]
        if family == "verdict":
            return [str(result) if result is not None else "PASS"]
        return [str(result) if result is not None else ""]
    if kind == "address-list":
        attr, lists = operand[1], operand[2]
        if attr == "RECIPIENT":
            addresses = [recipient]
        elif attr == "MAIL_FROM":
            addresses = [mail.mail_from]
        else:
            addresses = list(mail.header_addresses(_ADDRESS_HEADERS.get(attr, attr)))
        members = [m for name in lists for m in mail.address_lists.get(name, ())]
        return [any(member_matches(m, v) for m in members for v in addresses)]
    return []


def operand_values(mail: Mail, operand: tuple, family: str, recipient: str) -> list[object]:
    """The values a condition reading ``operand`` (:func:`ses_lsp.semantics.mailmanager._operand`'s
    form) sees in ``mail`` for ``recipient``: what the evaluation tests."""
    return _resolve(_Values(mail), operand, family, recipient)


def member_matches(member: str, address: str) -> bool:
    """Is ``address`` the address-list member ``member`` (``*`` matching any run of characters)?
    Compared without regard to case."""
    if "*" not in member:
        return member.lower() == address.lower()
    return _member_pattern(member).fullmatch(address.lower()) is not None


@lru_cache(maxsize=4096)
def _member_pattern(member: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(part) for part in member.lower().split("*")))


def describe_condition(c: mm.Condition) -> str:
    """A condition as the trace shows it: ``RECIPIENT ENDS_WITH "@example.com"``."""
    p = c.predicate
    if p is None or p.operand is None:
        return f"condition {c.index + 1} (cannot be read; see `ses-lsp lint`)"
    op = p.operand
    if op[0] == "attribute":
        what = str(op[1])
    elif op[0] == "dmarc":
        what = "DMARC policy"
    elif op[0] == "header":
        what = f"header {op[1]}"
    elif op[0] == "certificate":
        what = f"client certificate {op[1]}"
    elif op[0] == "analysis":
        what = f"add-on {op[1]} {op[2]}"
    else:
        what = f"{op[1]} in address list {', '.join(op[2])}"
    vals = ", ".join(quote(v) if isinstance(v, str) else str(v) for v in p.values)
    return f"{what} {p.operator}" + (f" {vals}" if vals else "")


def _shown_values(vals: list[object]) -> str:
    if not vals:
        return "no value"
    return ", ".join(
        quote(v) if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v) for v in vals
    )


def _first_failing(conds: list[_Cond], values: _Values, recipient: str, want: bool) -> _Cond | None:
    """The first condition whose result is not ``want`` (``want=True``: the first that fails; ``False``:
    the first that holds), or None."""
    holds = values.holds
    for c in conds:
        if holds(c, recipient) is not want:
            return c
    return None


def _admission(setup: MailManagerSetup, mail: Mail, values: _Values, recipient: str) -> Decision:
    """The traffic policy's verdict for one recipient."""
    policy = setup.policy
    if policy is None:
        return Decision(True, None, "no traffic policy given: every message is accepted")
    src = setup.policy_source
    verdict: Decision | None = None
    for wanted, accepted in (("DENY", False), ("ALLOW", True)):
        for st, conds in setup.policy_compiled:
            if st.action != wanted:
                continue
            if _first_failing(conds, values, recipient, True) is None:
                shown = "; ".join(describe_condition(c.cond) for c in conds) or "no conditions"
                verdict = Decision(
                    accepted,
                    Ref(src, st.node),
                    f"policy statement {st.index + 1} ({wanted}) matches: {shown}",
                )
                break
        if verdict is not None:
            break
    if verdict is None:
        default = policy.default_action
        accepted = default == "ALLOW"
        verdict = Decision(
            accepted,
            Ref(src, policy.default_node if policy.default_node is not None else policy.node),
            f"no policy statement matches: the default action is {default or '(not set)'}",
        )
    if verdict.accepted and policy.max_size is not None and mail.size > policy.max_size:
        node = policy.max_size_node if policy.max_size_node is not None else policy.node
        return Decision(
            False,
            Ref(src, node),
            f"the message ({mail.size} bytes) exceeds MaxMessageSizeBytes ({policy.max_size:g}): it is discarded",
        )
    return verdict


def evaluate_mailmanager(setup: MailManagerSetup, mail: Mail, explain: bool = True) -> Trace:
    """Run one mail through a Mail Manager traffic policy and rule set."""
    setup.compiled  # noqa: B018 (numbers the conditions' slots)
    setup.policy_compiled  # noqa: B018
    values = _Values(mail)
    ingress = setup.ingress
    if ingress is not None and ingress.tls_policy in ("REQUIRED", "FIPS") and not mail.tls:
        conn = Decision(
            False,
            Ref(setup.ingress_source, ingress.tls_node if ingress.tls_node is not None else ingress.node),
            f"the ingress point requires TLS (TlsPolicy: {ingress.tls_policy}) and the client did not use it",
        )
        return Trace(
            "mailmanager",
            conn,
            [RecipientTrace(a, False, BLOCKED, "the connection was refused") for a in mail.recipients],
            mail,
            len(setup.rules),
        )
    trace = Trace("mailmanager", Decision(True, None, ""), [], mail, len(setup.rules))
    admissions = []
    for address in mail.recipients:
        values.recipient()
        adm = _admission(setup, mail, values, address)
        admissions.append(adm)
        if not adm.accepted:
            rt = RecipientTrace(address, False, BLOCKED, adm.reason, admission=adm)
        else:
            rt = _mm_recipient(setup, values, address, explain)
            rt.admission = adm
        trace.recipients.append(rt)
    trace.connection = _summary(admissions, setup.policy is not None)
    return trace


def _summary(admissions: list[Decision], has_policy: bool) -> Decision:
    if not admissions:
        return Decision(True, None, "no recipients")
    first = admissions[0]
    same = all(a.decided_by == first.decided_by and a.accepted == first.accepted for a in admissions)
    if same:
        return Decision(first.accepted, first.decided_by, first.reason)
    accepted = any(a.accepted for a in admissions)
    return Decision(accepted, None, "the traffic policy decided per recipient (see each recipient)")


def _mm_recipient(setup: MailManagerSetup, values: _Values, address: str, explain: bool) -> RecipientTrace:
    src = setup.source
    out = RecipientTrace(address, True, NO_DELIVERY, "")
    current = [address]
    actions, rules_ran, steps = out.actions, out.rules, out.steps
    for cr in setup.compiled:
        if not values.all_hold(cr.condition_plan, cr.condition_bits, address):
            if explain:
                failing = _first_failing(cr.conditions, values, address, True)
                assert failing is not None
                steps.append(_not_applied(cr, failing, values, address, src, "condition", "does not hold"))
            continue
        if values.any_holds(cr.unless_plan, cr.unless_bits, address):
            if explain:
                holding = _first_failing(cr.unless, values, address, False)
                assert holding is not None
                steps.append(_not_applied(cr, holding, values, address, src, "Unless condition", "holds"))
            continue
        rule = cr.rule
        step = Step(cr.name, rule.index, True, cr.applied_why, Ref(src, rule.node)) if explain else None
        if step is not None:
            steps.append(step)
        stop = False
        ran_any = False
        for a, ref, replacement in cr.action_plan:
            if not a.type:
                if step is not None:
                    step.notes.append(f"action {a.index + 1} is not exactly one action: skipped")
                continue
            ran_any = True
            if a.type == "Drop":
                out.stopped_by = Stop(
                    cr.name, rule.index, a.index, "Drop", ref, "Drop ends processing for this recipient"
                )
                stop = True
                break
            run = ActionRun(cr.name, rule.index, a.index, a.type, ref, "", current)
            if replacement is not None:
                run.note = f"recipients replaced by {', '.join(replacement) if replacement else 'none'}"
                current = replacement
            if step is not None:
                step.actions.append(run)
            actions.append(run)
        if ran_any:
            rules_ran.append(cr.name)
        if stop:
            break
    if out.stopped_by is not None and explain:
        last = out.stopped_by.rule_index
        if last + 1 < len(setup.rules):
            out.skipped = (last + 1, len(setup.rules) - 1)
    out.outcome = _outcome(out.actions, mm.DELIVERY_ACTIONS, MM_BOUNCES, False)
    if out.outcome == NO_DELIVERY and out.stopped_by is not None and out.stopped_by.type == "Drop":
        out.outcome = DROPPED
    if not out.rules and out.stopped_by is None:
        out.reason = "no rule applies: nothing is done with the message for this recipient"
    else:
        out.reason = _reason(out)
    return out


def _not_applied(cr: _MMRule, c: _Cond, values: _Values, address: str, src: object, what: str, verb: str) -> Step:
    """The step of a rule that does not apply: which condition decided it, and the mail's value."""
    p = c.cond.predicate
    got = values.get(p.operand, p.family, address) if p is not None and p.operand is not None else []
    return Step(
        cr.name,
        cr.rule.index,
        False,
        f"not applied: {what} {c.cond.index + 1} {verb}: {describe_condition(c.cond)} "
        f"(the mail has {_shown_values(got)})",
        Ref(src, c.cond.node),
    )


def _replace_with(body: Node | None) -> list[str]:
    if body is None or body.kind != OBJECT:
        return []
    lst = body.get("ReplaceWith")
    if lst is None or lst.kind != ARRAY:
        return []
    return [n.str_value for n in lst.list_value if n.kind == STRING]


# -- JSON ---------------------------------------------------------------------------------


def trace_json(trace: Trace, locate: Callable[[Ref], dict[str, Any]], explain: bool = True) -> dict[str, Any]:
    """The documented JSON form of a trace (see README, "ses-lsp simulate").  ``locate`` turns a
    :class:`Ref` into ``{"file": ..., "pointer": ..., "line": ...}``."""

    def action(a: ActionRun) -> dict[str, Any]:
        d: dict[str, Any] = {"rule": a.rule, "index": a.index, "type": a.type}
        if a.note:
            d["note"] = a.note
        if a.recipients is not None:
            d["recipients"] = a.recipients
        return d

    def decision(d: Decision) -> dict[str, Any]:
        return {
            "accepted": d.accepted,
            "decided_by": locate(d.decided_by) if d.decided_by is not None else None,
            "reason": d.reason,
        }

    recipients = []
    for r in trace.recipients:
        item: dict[str, Any] = {
            "address": r.address,
            "accepted": r.accepted,
            "rules": r.rules,
            "actions": [action(a) for a in r.actions],
            "stopped_by": (
                {
                    "rule": r.stopped_by.rule,
                    "index": r.stopped_by.index,
                    "type": r.stopped_by.type,
                    "reason": r.stopped_by.reason,
                    **locate(r.stopped_by.ref),
                }
                if r.stopped_by is not None
                else None
            ),
            "outcome": r.outcome,
            "reason": r.reason,
        }
        if r.admission is not None:
            item["admission"] = decision(r.admission)
        if explain:
            item["considered"] = [
                {
                    "rule": s.rule,
                    "matched": s.matched,
                    "why": s.why,
                    **(locate(s.ref) if s.ref is not None else {}),
                    **({"notes": s.notes} if s.notes else {}),
                }
                for s in r.steps
            ]
        recipients.append(item)
    return {"service": trace.service, "connection": decision(trace.connection), "recipients": recipients}
