"""Witness mails: a concrete mail that shows what is claimed about a rule set.

The candidate values come from :mod:`ses_lsp.semantics.candidates` (the one home of "the values
worth trying, derived from the constants the rules test"); this module runs them through the
one evaluation model (:mod:`ses_lsp.semantics.evaluate`), so a witness never claims what the
evaluator does not say.

One function, :func:`find_witness`, for a mail that reaches a given rule (the editor's hover on a
rule name, the routing code lenses)::

    find_witness(setup, rule_index, verified_domains=None) -> Witness | Unreachable

* ``setup``: the evaluation model's rule set (:class:`~ses_lsp.semantics.evaluate.ClassicSetup`
  or :class:`~ses_lsp.semantics.evaluate.MailManagerSetup`, e.g. ``ClassicSetup.from_documents(root)``).
  The IP filters, traffic policy and ingress point it holds take part too.
* ``rule_index``: the rule's place in the document's ``Rules`` (0-based; 0 for a single
  receipt rule document).
* ``verified_domains``: the configuration's (SES classic receives mail only for them).

A candidate mail is derived from the constants the rules test (the rule's ``Recipients``
entries; the values of its conditions and of the conditions of the earlier rules that drop
mail), with fresh local parts and subdomains where a rule set names none, and run through the
evaluation model.  A :class:`Witness` is returned only when the model's own trace shows the
mail reaching the rule (the rule is considered and matched for one of the mail's recipients).

:class:`Unreachable` says why no candidate reached it, citing the rules and conditions
concerned.  ``proven`` is true when the reason holds for every mail under the model (the rule
is disabled; every address it matches is taken by an earlier rule that stops; a condition never
holds; its conditions contradict each other or its ``Unless``; an earlier rule drops every mail
it applies to), false when the search found no witness without a proof that none exists.

The lints' example mails (SES502, SES523, SES528) come from the small adapters at the end
(:func:`classic_address`, :func:`classic_rule_address`, :func:`mm_witness`): candidates that the
lint runs through the evaluator itself, checking the claim its message makes.

Pure: no file is read here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ses_lsp.knowledge.addresses import address_problem
from ses_lsp.lint.text import quote
from ses_lsp.semantics import candidates
from ses_lsp.semantics import classic as cm
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics import mailmanager as mm
from ses_lsp.semantics.mail import Mail, build_mail

__all__ = [
    "CandidateMail",
    "Unreachable",
    "Witness",
    "classic_address",
    "classic_rule_address",
    "find_witness",
    "mm_witness",
    "reaching_recipient",
]

WITNESS_LOCAL = "witness"  # the local part of the addresses a witness makes up
WITNESS_DOMAIN = candidates.DOMAIN  # the domain when no rule names one (RFC 2606)
MAX_CANDIDATES = 256  # Mail Manager: the most candidate mails tried for one rule


@dataclass
class Witness:
    """A mail that reaches the rule: ``scenario`` (the members of a ``ses-lsp:scenario``
    document: it builds ``mail``), the recipient the rule matches, and the model's trace."""

    rule: str  # the rule as the JSON contract names it (its Name, or "#N")
    rule_index: int
    recipient: str
    scenario: dict[str, Any]
    mail: Mail
    trace: ev.Trace

    def recipient_trace(self) -> ev.RecipientTrace:
        return next(r for r in self.trace.recipients if r.address == self.recipient)

    def summary(self) -> str:
        """One line: ``a mail to witness@example.com (MAIL FROM <a@b>, header Subject "x")``."""
        extras = [f"{k} {_shown(v)}" for k, v in self.scenario.items() if k != "Recipients"]
        return f"a mail to {self.recipient}" + (f" ({', '.join(extras)})" if extras else "")


@dataclass
class Unreachable:
    """Why no mail reaches the rule; ``refs`` are the places the reason cites (in order)."""

    rule: str
    rule_index: int
    reason: str
    refs: list[ev.Ref] = field(default_factory=list)
    proven: bool = True
    tried: int = 0  # how many candidate mails the search ran


Setup = ev.ClassicSetup | ev.MailManagerSetup


def find_witness(setup: Setup, rule_index: int, verified_domains: list[str] | None = None) -> Witness | Unreachable:
    """A mail that reaches the rule at ``rule_index`` (its place in ``Rules``), or why none can."""
    if isinstance(setup, ev.MailManagerSetup):
        mrule = next((r for r in setup.rules if r.index == rule_index), None)
        if mrule is None:
            raise ValueError(f"no rule at index {rule_index}")
        return _mailmanager(setup, mrule, verified_domains)
    crule = next((r for r in setup.rules if r.index == rule_index), None)
    if crule is None:
        raise ValueError(f"no rule at index {rule_index}")
    return _classic(setup, crule, verified_domains)


def reaching_recipient(trace: ev.Trace, rule_index: int) -> str | None:
    """The first recipient of an explained trace for which the rule was considered and matched
    (evaluation reached it and it applies), or None."""
    for r in trace.recipients:
        for s in r.steps:
            if s.rule_index == rule_index and s.matched:
                return r.address
    return None


def _run(setup: Setup, scenario: dict[str, Any], verified: list[str] | None) -> tuple[Mail, ev.Trace]:
    mail = build_mail(scenario, None, verified)
    if isinstance(setup, ev.MailManagerSetup):
        return mail, ev.evaluate_mailmanager(setup, mail, True)
    return mail, ev.evaluate_classic(setup, mail, True)


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_shown(v)}" for k, v in value.items()) + "}"
    return str(value)


def _witness(
    setup: Setup, name: str, index: int, scenario: dict[str, Any], verified: list[str] | None
) -> Witness | None:
    mail, trace = _run(setup, scenario, verified)
    who = reaching_recipient(trace, index)
    if who is None:
        return None
    return Witness(name, index, who, scenario, mail, trace)


# -- SES classic --------------------------------------------------------------------------------


def _classic(setup: ev.ClassicSetup, rule: cm.Rule, verified: list[str] | None) -> Witness | Unreachable:
    name = ev.rule_name(rule.name, rule.index)
    src = setup.source
    if not rule.is_enabled:
        en = rule.node.get("Enabled")
        if en is None:
            return Unreachable(
                name, rule.index, "Enabled is not set (the API default is false)", [ev.Ref(src, rule.node)]
            )
        return Unreachable(name, rule.index, "the rule is disabled (Enabled: false)", [ev.Ref(src, en)])
    rec = rule.node.get("Recipients")
    recipients_ref = [ev.Ref(src, rec if rec is not None else rule.node)]
    if rule.recipients is not None and not any(e.key is not None for e in rule.recipients):
        return Unreachable(name, rule.index, "none of its Recipients entries is an address or a domain", recipients_ref)
    fresh = candidates.Fresh(setup.rules, WITNESS_LOCAL)
    # (the entry the candidate stands for, or None for a rule without Recipients; the candidate)
    tries: list[tuple[cm.Recipient | None, str]] = []
    if rule.recipients is None:
        domains = list(verified or ()) or sorted(fresh.domains) or [WITNESS_DOMAIN]
        if WITNESS_DOMAIN not in domains and not verified:
            domains.append(WITNESS_DOMAIN)
        tries = [(None, f"{fresh.local(d)}@{d}") for d in domains]
    else:
        for e in rule.recipients:  # (an address no mail can have is left out below)
            address = fresh.address(e)
            if address is not None:
                tries.append((e, address))
    # The Lambda functions earlier rules call with RequestResponse: a STOP_RULE answer skips the
    # rest of their rule (a StopAction in it too), which may let the mail go on.
    arns = sorted(
        {
            a.text("FunctionArn") or ""
            for r in setup.rules
            if r.index < rule.index and r.is_enabled
            for a in r.actions
            if cm.is_request_response(a)
        }
        - {""}
    )
    # An entry that is not an address a mail can have (e.g. "mailto:a@b") matches no real mail.
    not_mail = [(e, a) for e, a in tries if address_problem(a) is not None]
    tries = [(e, a) for e, a in tries if address_problem(a) is None]
    if not tries:
        reason = "none of its Recipients entries is an address or a domain a mail can be sent to"
        return Unreachable(name, rule.index, reason, recipients_ref)
    variants: list[dict[str, Any]] = [{}]
    if arns:
        variants.append({"LambdaDispositions": dict.fromkeys(arns, "STOP_RULE")})
    tried = 0
    first_traces: list[tuple[cm.Recipient | None, str, ev.Trace]] = []
    for extra in variants:
        for entry, address in tries:
            scenario = {"Recipients": [address], **extra}
            tried += 1
            found = _witness(setup, name, rule.index, scenario, verified)
            if found is not None:
                return found
            if not extra:
                first_traces.append((entry, address, _run(setup, scenario, verified)[1]))
    why = _classic_why(setup, rule, name, first_traces, tried, bool(arns))
    for bad, _a in not_mail:
        if bad is not None:
            why.reason += f"; {quote(bad.text)}: not an address a mail can be sent to"
    return why


def _classic_why(
    setup: ev.ClassicSetup,
    rule: cm.Rule,
    name: str,
    traces: list[tuple[cm.Recipient | None, str, ev.Trace]],
    tried: int,
    lambdas: bool,
) -> Unreachable:
    """Each candidate's fate: the earlier rule that stopped evaluation, or why it was rejected.
    A candidate uses a local part and subdomain no rule names, so what stops it stops every
    address its entry matches: the reason holds for every mail."""
    parts: list[str] = []
    refs: list[ev.Ref] = []
    proven = True
    for entry, address, trace in traces:
        what = quote(entry.text) if entry is not None else f"mail to {address}"
        r = trace.recipients[0]
        if r.stopped_by is not None:
            stop = r.stopped_by
            parts.append(f"{what}: {ev.rule_label_from_name(stop.rule)} stops evaluation first ({stop.type})")
            refs.append(stop.ref)
        elif not r.accepted:
            parts.append(f"{what}: {r.reason}")
        else:  # (the model matched nothing and stopped nowhere: not explained)
            parts.append(f"{what}: not reached ({r.reason})")
            proven = False
    lead = "every address it matches is taken before it: " if rule.recipients is not None else ""
    reason = lead + "; ".join(parts)
    unique: list[ev.Ref] = []
    for ref in refs:
        if all(ref.node is not other.node for other in unique):
            unique.append(ref)
    refs = unique
    if lambdas:
        reason += " (also when the earlier rules' RequestResponse Lambda functions return STOP_RULE)"
    return Unreachable(name, rule.index, reason, refs, proven, tried)


# -- Mail Manager -------------------------------------------------------------------------------

_ABSENT = object()  # a value left out of the mail (a header it does not have; the default)


def _mailmanager(setup: ev.MailManagerSetup, rule: mm.Rule, verified: list[str] | None) -> Witness | Unreachable:
    name = ev.rule_name(rule.name, rule.index)
    src = setup.source
    conds = mm.read_condition_list(rule.node.get("Conditions"))
    unless = mm.read_condition_list(rule.node.get("Unless"))
    for c in conds:
        p = c.predicate
        if p is None or p.operand is None:
            return Unreachable(
                name,
                rule.index,
                f"its condition {c.index + 1} cannot be read (see `ses-lsp lint`), so it never holds",
                [ev.Ref(src, c.node)],
            )
    # The operands the search varies: the rule's own, and those of earlier rules that drop mail
    # (a value that fails one of their conditions lets the mail past them).
    earlier = [r for r in setup.rules if r.index < rule.index and r.drop_index is not None]
    # (operand, family) -> (conditions that must hold, that must not, whose constants only count)
    groups: dict[tuple, tuple[list[mm.Predicate], list[mm.Predicate], list[mm.Predicate]]] = {}
    for c in conds:
        assert c.predicate is not None and c.predicate.operand is not None
        groups.setdefault((c.predicate.operand, c.predicate.family), ([], [], []))[0].append(c.predicate)
    for c in unless:
        p = c.predicate
        if p is not None and p.operand is not None:
            groups.setdefault((p.operand, p.family), ([], [], []))[1].append(p)
    for r in earlier:
        for c in mm.read_condition_list(r.node.get("Conditions")) + mm.read_condition_list(r.node.get("Unless")):
            p = c.predicate
            if p is not None and p.operand is not None:
                groups.setdefault((p.operand, p.family), ([], [], []))[2].append(p)
    options: list[tuple[tuple, list[object]]] = []
    for key, (must, must_not, others) in groups.items():
        ok = (
            [_ABSENT] if all(_holds(p, _ABSENT) for p in must) and not any(_holds(p, _ABSENT) for p in must_not) else []
        )
        for v in candidates.meeting_values(key, must, must_not, others, WITNESS_LOCAL):
            if _possible(key, v) and v != [] and not (key[0][0] == "address-list" and v is False):
                ok.append(v)  # ([] and False: the header or the list left out, as _ABSENT)
        if not ok:
            return _mm_why(setup, rule, name, conds, unless, 0, key)
        options.append((key, ok))
    tried = 0
    for combo in itertools.islice(itertools.product(*(vals for _, vals in options)), MAX_CANDIDATES):
        scenario = _scenario({key: v for (key, _), v in zip(options, combo, strict=True)})
        tried += 1
        found = _witness(setup, name, rule.index, scenario, verified)
        if found is not None:
            return found
    return _mm_why(setup, rule, name, conds, unless, tried, None)


_DEFAULT_MAIL = build_mail({"Recipients": [f"{WITNESS_LOCAL}@{WITNESS_DOMAIN}"]})


def _possible(key: tuple, value: object) -> bool:
    """Can a mail have this value (an envelope address must be an address)?"""
    operand = key[0]
    if value is _ABSENT or operand[0] != "attribute" or operand[1] not in ("RECIPIENT", "MAIL_FROM"):
        return True
    if operand[1] == "MAIL_FROM" and value == "":
        return True
    return isinstance(value, str) and address_problem(value) is None


def _holds(p: mm.Predicate, value: object) -> bool:
    """Does the condition hold for the operand's value (``_ABSENT``: what a mail that does not set
    it has, e.g. size 0, SPF PASS, no such header)?"""
    if value is _ABSENT:
        assert p.operand is not None
        recipient = _DEFAULT_MAIL.recipients[0]
        return p.value_test()(ev.operand_values(_DEFAULT_MAIL, p.operand, p.family, recipient))
    return candidates.holds_for(p, value)


def _scenario(values: dict[tuple, object]) -> dict[str, Any]:
    """The scenario members that give a mail these operand values."""
    address = f"{WITNESS_LOCAL}@{WITNESS_DOMAIN}"
    return candidates.scenario_of({k: v for k, v in values.items() if v is not _ABSENT}, address, address)


def _mm_why(
    setup: ev.MailManagerSetup,
    rule: mm.Rule,
    name: str,
    conds: list[mm.Condition],
    unless: list[mm.Condition],
    tried: int,
    impossible: tuple | None,
) -> Unreachable:
    src = setup.source
    preds = [(c, c.predicate) for c in conds if c.predicate is not None]

    def proven(reason: str, *nodes: Any) -> Unreachable:
        return Unreachable(name, rule.index, reason, [ev.Ref(src, n) for n in nodes], True, tried)

    for c, p in preds:
        if not p.evaluable:
            return proven(
                f"its condition {c.index + 1} ({p.describe()}) has a value the model cannot read (see `ses-lsp lint`), "
                "so it never holds",
                c.node,
            )
        if p.never_matches():
            return proven(f"its condition {c.index + 1} ({p.describe()}) never holds", c.node)
    for (c1, p1), (c2, p2) in itertools.combinations(preds, 2):
        if p1.contradicts(p2):
            return proven(
                f"its conditions {c1.index + 1} ({p1.describe()}) and {c2.index + 1} ({p2.describe()}) contradict "
                "each other",
                c1.node,
                c2.node,
            )
    for u in unless:
        pu = u.predicate
        if pu is None:
            continue
        for c, p in preds:
            if p.implies(pu):
                return proven(
                    f"its Unless condition {u.index + 1} ({pu.describe()}) holds whenever its condition {c.index + 1} "
                    f"({p.describe()}) does",
                    u.node,
                    c.node,
                )
    for r in setup.rules:
        if r.index >= rule.index or r.drop_index is None:
            continue
        if r.covers(rule):
            drop = r.actions[r.drop_index]
            return proven(
                f"{r.label()} applies to every mail this rule applies to, and drops it first (Drop)", drop.node
            )
    if impossible is not None:
        return Unreachable(
            name,
            rule.index,
            "no value derived from the rules' constants meets all its conditions on the same value",
            [
                ev.Ref(src, c.node)
                for c in conds + unless
                if c.predicate is not None and (c.predicate.operand, c.predicate.family) == impossible
            ],
            False,
            tried,
        )
    return Unreachable(
        name,
        rule.index,
        f"no mail among the {tried} derived from the rules' constants reaches it; earlier rules that drop mail, or "
        "its Unless conditions, may take every mail it applies to",
        [],
        False,
        tried,
    )


# -- the lints' example mails ---------------------------------------------------------------------

CandidateMail = candidates.CandidateMail
LINT_LOCAL = "user"  # the local part of the addresses the lints' examples make up


def classic_address(entry: cm.Recipient) -> str | None:
    """An envelope address the ``Recipients`` entry matches (None for an invalid entry): the
    address itself, ``user@`` the domain, or ``user@mail.`` a ``.domain``."""
    return candidates.Fresh(local=LINT_LOCAL).address(entry)


def classic_rule_address(rule: cm.Rule, others: Iterable[cm.Rule] = ()) -> str | None:
    """An address ``rule`` matches: from its first valid ``Recipients`` entry; for a rule without
    ``Recipients`` (it matches every verified domain), an address on a domain another rule names,
    else on ``example.com``.  None when no entry is valid."""
    if rule.recipients is None:
        for other in others:
            for e in other.recipients or ():
                if e.form in ("address", "domain"):
                    return f"{LINT_LOCAL}@{e.domain}"
        return f"{LINT_LOCAL}@{WITNESS_DOMAIN}"
    return next((a for e in rule.recipients if (a := classic_address(e)) is not None), None)


def mm_witness(
    conditions: Sequence[mm.Predicate], unless: Sequence[mm.Predicate] = (), recipient: str | None = None
) -> CandidateMail | None:
    """A candidate mail that meets every condition of ``conditions`` and none of ``unless``
    (:func:`~ses_lsp.semantics.candidates.mail_meeting`), for the lint to check with the evaluator."""
    return candidates.mail_meeting(conditions, unless, recipient, LINT_LOCAL)
