"""What a change to the rules changes for mail: the semantic diff of two versions of a pipeline.

``diff_classic`` / ``diff_mailmanager`` take the evaluation model's setups of the old and the new
version (:class:`~ses_lsp.semantics.evaluate.ClassicSetup`, :class:`MailManagerSetup`) and answer
which classes of mail the two versions treat differently, each with a witness mail and both
traces.  The classes come from the constants the rules test, not from sampling:

* every value a mail can have is sorted into the class of the values that no rule of either
  version can tell apart from it (its *signature*: which recipient keys match it, which IP
  filters' ranges hold it, which conditions hold for it);
* one witness value per signature is enough: the evaluator sees only the signature, so every
  mail of a class gets the same trace as its witness;
* the witness mails are every combination of the classes (within :data:`BUDGET`), run through
  the one evaluator (:mod:`ses_lsp.semantics.evaluate`) under both versions, and compared on the
  per-recipient trace of the JSON contract: ``accepted``, ``outcome``, ``rules``, ``actions``
  (rule, index, type, and the recipients a Mail Manager action acts for) and ``stopped_by``
  (rule, index, type).

SES classic is exact: the connection (IP filters, SES's block list) is decided apart from the
recipients, and a recipient's trace depends only on its address, TLS and the dispositions of the
``RequestResponse`` Lambda functions of the rules that match it, so those are enumerated per
recipient class.  Mail Manager enumerates the product of every operand's classes; string classes
are the constants, every concatenation of two of them, with and without a character before and
after (exact for the signatures such strings reach), and when the product exceeds the budget the
enumeration varies one or two operands at a time and says it is not exhaustive.

Pure: setups in, a :class:`DiffResult` out; no file is read and nothing is printed here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ses_lsp.knowledge.addresses import domain_is_verified
from ses_lsp.knowledge.networks import parse_cidr
from ses_lsp.semantics import classic as cm
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics import mm_classes
from ses_lsp.semantics.classes import DEFAULT_IPV4, DEFAULT_IPV6, Candidate, Dimension, ip_label
from ses_lsp.semantics.mail import DISPOSITIONS, Mail, build_mail

# The most witness mails one diff evaluates (each under both versions) before it enumerates less
# than every combination (and says so).  A classic rule set at every quota (200 rules of 100
# recipients) has about 30,000 classes (1.6 s); a Mail Manager mail that meets many conditions
# costs far more than a classic one (up to 0.5 ms under both versions of a 40-rule set at the
# maximums).
BUDGET = 100_000
MM_BUDGET = 4_000
# Lambda functions whose dispositions are combined in full for one recipient class (3**N mails).
MAX_FUNCTIONS = 4


# -- classes -------------------------------------------------------------------------------


@dataclass
class Difference:
    """A class of mail the two versions treat differently, with a witness."""

    description: str  # "mail to billing@example.com without TLS"
    parts: list[tuple[str, str]]  # (dimension name, the class's label) for each dimension it restricts
    scenario: dict[str, Any]  # the witness mail, as a scenario document's members
    before: ev.Trace
    after: ev.Trace
    summary: str  # what changes, in one line
    # (dimension, candidate index) pairs a mail must meet to be in the class
    conditions: tuple[tuple[Dimension, int], ...] = ()

    def contains(self, mail: Mail, recipient: str) -> bool:
        """Is ``mail``, for ``recipient``, in this class?"""
        return all(dim.index_of(mail, recipient) == i for dim, i in self.conditions)


@dataclass
class DiffResult:
    service: str  # "ses" or "mailmanager"
    differences: list[Difference]
    classes: int  # the classes of mail checked
    mails: int  # the witness mails evaluated (each under both versions)
    exhaustive: bool  # False: the budget cut the enumeration (see ``notes``)
    notes: list[str] = field(default_factory=list)

    def covers(self, mail: Mail) -> bool:
        """Is some recipient of ``mail`` in a reported class?"""
        return any(d.contains(mail, r) for r in mail.recipients for d in self.differences)


def outcome_key(r: ev.RecipientTrace) -> tuple:
    """What the diff compares of a recipient's trace (the JSON contract's keys)."""
    stop = r.stopped_by
    return (
        r.accepted,
        r.outcome,
        tuple(r.rules),
        tuple((a.rule, a.index, a.type, tuple(a.recipients) if a.recipients is not None else None) for a in r.actions),
        (stop.rule, stop.index, stop.type) if stop is not None else None,
    )


def describe_outcome(r: ev.RecipientTrace, connection: ev.Decision | None = None) -> str:
    """A recipient's trace in a few words: "S3Action in rule "billing", stopped by StopAction in rule "billing"."""
    if not r.accepted:
        why = r.reason
        if r.outcome == ev.BLOCKED and connection is not None and connection.reason:
            why = connection.reason
        if r.admission is not None and not r.admission.accepted:
            why = r.admission.reason
        return f"{r.outcome} ({why})"
    text = _actions_text(r.actions) or "no action runs"
    stop = _stop_text(r)
    return f"{text}, {stop}" if stop else text


def _stop_text(r: ev.RecipientTrace) -> str:
    stop = r.stopped_by
    if stop is None:
        return ""
    if stop.type == "TlsPolicy":
        return f"bounced by {ev.rule_label_from_name(stop.rule)} (TlsPolicy: Require, no TLS)"
    return f"stopped by {stop.type} in {ev.rule_label_from_name(stop.rule)}"


def _actions_text(actions: Sequence[ev.ActionRun]) -> str:
    groups: list[tuple[str, list[str]]] = []
    for a in actions:
        t = a.type
        if a.recipients is not None and a.note:
            t += f" ({a.note})"
        if groups and groups[-1][0] == a.rule:
            groups[-1][1].append(t)
        else:
            groups.append((a.rule, [t]))
    return ", then ".join(f"{_and(types)} in {ev.rule_label_from_name(rule)}" for rule, types in groups)


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _without(actions: Sequence[ev.ActionRun], taken: Sequence[ev.ActionRun]) -> list[ev.ActionRun]:
    """``actions`` less the first match (by rule and type) of each of ``taken``, in order."""
    rest = list(actions)
    for t in taken:
        for i, y in enumerate(rest):
            if (y.rule, y.type) == (t.rule, t.type):
                del rest[i]
                break
    return rest


def change_summary(old: ev.Trace, new: ev.Trace) -> str:
    """What changes for the first recipient, in one line: "before, S3Action in rule "billing"; after,
    also InvokeLambda in rule "catch-all"."""
    before, after = old.recipients[0], new.recipients[0]
    b = describe_outcome(before, old.connection)
    if not (before.accepted and after.accepted):
        return f"before, {b}; after, {describe_outcome(after, new.connection)}"
    parts = []
    was = [(x.rule, x.type) for x in before.actions]
    now = [(x.rule, x.type) for x in after.actions]
    if was != now:
        if was and _is_subsequence(was, now):
            parts.append(f"also {_actions_text(_without(after.actions, before.actions))}")
        elif now and _is_subsequence(now, was):
            parts.append(f"no longer {_actions_text(_without(before.actions, after.actions))}")
        else:
            parts.append(_actions_text(after.actions) or "no action runs")
    if _stop_text(before) != _stop_text(after):
        parts.append(_stop_text(after) or "nothing stops the evaluation")
    if before.outcome != after.outcome:
        parts.append(f"{after.outcome} instead of {before.outcome}")
    if not parts:  # (the same actions and stop, at other positions or for other recipients)
        parts.append(f"{describe_outcome(after)} (the same actions at other positions or for other recipients)")
    return f"before, {b}; after, {', '.join(parts)}"


def _is_subsequence(small: list, big: list) -> bool:
    it = iter(big)
    return all(x in it for x in small)


# -- enumeration and collapsing ------------------------------------------------------------


@dataclass
class _Finding:
    combo: tuple[int, ...]
    before: ev.Trace
    after: ev.Trace
    scenario: dict[str, Any]


def _merge(scenario: dict[str, Any], extra: dict[str, Any]) -> None:
    """Add ``extra``'s members to ``scenario`` (objects merged member by member, at any depth)."""
    for k, v in extra.items():
        old = scenario.get(k)
        if isinstance(v, dict) and isinstance(old, dict):
            merged = dict(old)
            _merge(merged, v)
            scenario[k] = merged
        else:
            scenario[k] = v


def _collapse(combos: list[tuple[int, ...]], sizes: Sequence[int | None]) -> list[tuple[int | None, ...]]:
    """Merge the differing combinations into cubes: a dimension whose every class differs (the others
    equal) becomes "any" (None); so does a dimension of one class.  Dimensions are merged last to
    first; a size None never merges (a dimension held fixed by the caller, or an enumeration that
    did not try every class)."""
    cubes: set[tuple[int | None, ...]] = set(combos)
    for d in range(len(sizes) - 1, -1, -1):
        if sizes[d] is None:
            continue
        groups: dict[tuple, set[int | None]] = {}
        for c in cubes:
            groups.setdefault(c[:d] + c[d + 1 :], set()).add(c[d])
        out: set[tuple[int | None, ...]] = set()
        for rest, vals in groups.items():
            if None not in vals and len(vals) == sizes[d]:
                out.add(rest[:d] + (None,) + rest[d:])
            else:
                out.update(rest[:d] + (v,) + rest[d:] for v in vals)
        cubes = out
    return sorted(cubes, key=lambda c: tuple(-1 if x is None else x for x in c))


def _describe(
    dims: Sequence[Dimension], cube: Sequence[int | None], brief: bool = False
) -> tuple[str, list[tuple[str, str]]]:
    """The class's description, and (dimension, label) for each dimension it restricts.  ``brief``:
    name only the dimensions not at their first class, and say the rest is as in the witness."""
    parts = [(d.name, d.candidates[i].label) for d, i in zip(dims, cube, strict=True) if i is not None]
    shown = [d.candidates[i].label for d, i in zip(dims, cube, strict=True) if i is not None and (i != 0 or not brief)]
    words = [w for w in shown if w]
    for d, i in zip(dims, cube, strict=True):
        if i is None and d.any_label:
            words.append(d.any_label)
    tail = " (everything else as in the witness)" if brief else ""
    if not words:
        return ("the witness mail" if brief else "every mail"), parts
    first = words[0] if words[0].startswith("mail ") else "mail " + words[0]
    return ", ".join([first, *words[1:]]) + tail, parts


def _report(
    dims: Sequence[Dimension], findings: list[_Finding], sizes: Sequence[int | None], brief: bool = False
) -> list[Difference]:
    by_combo = {f.combo: f for f in findings}
    out = []
    for cube in _collapse(list(by_combo), sizes):
        witness = min(c for c in by_combo if all(x is None or x == y for x, y in zip(cube, c, strict=True)))
        f = by_combo[witness]
        text, parts = _describe(dims, cube, brief)
        summary = change_summary(f.before, f.after)
        conds = tuple((d, i) for d, i in zip(dims, cube, strict=True) if i is not None)
        out.append(Difference(text, parts, f.scenario, f.before, f.after, summary, conds))
    return out


# -- SES classic ---------------------------------------------------------------------------


def diff_classic(
    old: ev.ClassicSetup, new: ev.ClassicSetup, verified: Sequence[str] | None = None, budget: int = BUDGET
) -> DiffResult:
    """The classes of mail the two classic pipelines treat differently (exact; see the module)."""
    from ses_lsp.knowledge.addresses import verified_domains

    vset = verified_domains(verified) if verified else None
    base: dict[str, Any] = {"VerifiedDomains": list(verified)} if verified else {}
    rcpt_dim = _recipient_dimension([old, new], vset)
    ip_dim, on_list_dim = _ip_dimensions([old, new])
    notes: list[str] = []
    exhaustive = True
    cut_functions = False
    mails = 0

    def run(scenario: dict[str, Any]) -> tuple[ev.Trace, ev.Trace]:
        nonlocal mails
        mails += 1
        mail = build_mail(scenario)
        return ev.evaluate_classic(old, mail, False), ev.evaluate_classic(new, mail, False)

    differences: list[Difference] = []
    # 1. The connection: every class of source address (and SES's block list), to one recipient.
    first_rcpt = rcpt_dim.candidates[0].scenario
    conn_dims = [ip_dim, on_list_dim]
    findings: list[_Finding] = []
    both_accept: str | None = None
    for i, ip in enumerate(ip_dim.candidates):
        for j, listed in enumerate(on_list_dim.candidates):
            scenario = {**base, **first_rcpt, **ip.scenario, **listed.scenario}
            before, after = run(scenario)
            if before.connection.accepted != after.connection.accepted:
                findings.append(_Finding((i, j), before, after, scenario))
            elif before.connection.accepted and j == 0 and both_accept is None:
                both_accept = ip.scenario["SourceIp"]
    differences += _report(conn_dims, findings, [len(ip_dim.candidates), len(on_list_dim.candidates)])
    classes = len(ip_dim.candidates) * len(on_list_dim.candidates)
    # 2. The recipients, from a source both versions accept: per recipient class, TLS and the
    #    dispositions of the Lambda functions of the rules that match it.
    if both_accept is None:
        notes.append("no source address is accepted by both versions: recipients were not compared")
    else:
        for ri, rc in enumerate(rcpt_dim.candidates):
            address = rc.scenario["Recipients"][0]
            local_dims, full = _recipient_local_dimensions([old, new], address)
            if not full:
                exhaustive, cut_functions = False, True
            sizes = [len(d.candidates) for d in local_dims]
            combos = list(itertools.product(*(range(n) for n in sizes))) if full else _one_at_a_time(sizes)
            if mails + len(combos) > budget:
                exhaustive = False
                notes.append(f"the budget of {budget} mails ran out: recipient classes after the first {ri} unchecked")
                break
            classes += len(combos)
            findings = []
            for combo in combos:
                scenario = {**base, "SourceIp": both_accept, **rc.scenario}
                for d, k in zip(local_dims, combo, strict=True):
                    _merge(scenario, d.candidates[k].scenario)
                before, after = run(scenario)
                if outcome_key(before.recipients[0]) != outcome_key(after.recipients[0]):
                    findings.append(_Finding((0, *combo), before, after, scenario))
            if findings:
                dims = [_fixed(rcpt_dim, ri), *local_dims]
                for diff in _report(dims, findings, [None, *sizes]):
                    diff.conditions = ((rcpt_dim, ri), *diff.conditions[1:])
                    differences.append(diff)
    if cut_functions:
        notes.append(
            f"more than {MAX_FUNCTIONS} RequestResponse Lambda functions match one recipient class: their "
            "dispositions were varied one at a time, not in every combination"
        )
    return DiffResult("ses", differences, classes, mails, exhaustive, notes)


def _fixed(dim: Dimension, i: int) -> Dimension:
    """``dim`` narrowed to its class ``i`` (so that a cube's index 0 means that class)."""
    return Dimension(dim.name, [dim.candidates[i]], dim.classify, dim.any_label)


def _one_at_a_time(sizes: Sequence[int]) -> list[tuple[int, ...]]:
    base = tuple(0 for _ in sizes)
    out = [base]
    for d, n in enumerate(sizes):
        for k in range(1, n):
            out.append(base[:d] + (k,) + base[d + 1 :])
    return out


def _all_rules(setups: Iterable[ev.ClassicSetup]) -> list[cm.Rule]:
    return [r for s in setups for r in s.rules]


def _recipient_dimension(setups: Sequence[ev.ClassicSetup], verified: frozenset[str] | None) -> Dimension:
    """One witness address per class of addresses the ``Recipients`` entries of either version tell apart."""
    known: set[tuple[str, ...]] = set()
    addresses: list[tuple[str, str]] = []  # (local, domain) of address entries, in order
    domains: list[str] = []  # every domain named, in order
    for rule in _all_rules(setups):
        if not rule.is_enabled:
            continue  # (a disabled rule matches nothing)
        for e in rule.recipients or ():
            key = e.key
            if key is None:
                continue
            known.add(key)
            if e.form == "address":
                addresses.append((e.local, e.domain))
            domains.append(e.domain)
    domains.extend(sorted(verified or ()))
    domains = list(dict.fromkeys(domains))
    locals_at: dict[str, set[str]] = {}
    for local, domain in addresses:
        locals_at.setdefault(domain, set()).update((local, local.split("+", 1)[0]))
    domain_set = set(domains)

    def signature(address: str) -> tuple:
        keys = tuple(k for k in cm.address_keys(address) if k in known)
        ok = verified is None or domain_is_verified(cm.split_address(address)[1], verified)
        return (keys, ok)

    def fresh(taken: set[str], stem: str) -> str:
        name, n = stem, 1
        while name in taken:
            n += 1
            name = f"{stem}{n}"
        return name

    witnesses: list[str] = [f"{local}@{domain}" for local, domain in addresses]
    witnesses += [f"{fresh(locals_at.get(d, set()), 'someone')}@{d}" for d in domains]
    for d in domains:
        sub = fresh({x.rsplit("." + d, 1)[0] for x in domain_set if x.endswith("." + d)}, "sub")
        witnesses.append(f"someone@{sub}.{d}")
    n = 0
    while True:  # a domain no entry (and no verified domain) covers; each try has another top-level
        # domain, so the entries can rule out only as many tries as they name domains
        other = "unlisted.example" if n == 0 else f"unlisted.tld{n}"
        if other not in domain_set and not any(other.endswith("." + d) for d in domain_set):
            break
        n += 1
    witnesses.append(f"someone@{other}")
    candidates: list[Candidate] = []
    seen: set[object] = set()
    for w in witnesses:
        sig = signature(w)
        if sig in seen:
            continue
        seen.add(sig)
        candidates.append(Candidate(_recipient_label(w, sig, locals_at), {"Recipients": [w]}, sig))
    return Dimension("recipient", candidates, lambda mail, rcpt: signature(rcpt))


def _recipient_label(witness: str, sig: tuple, locals_at: dict[str, set[str]]) -> str:
    keys, ok = sig
    addr = [k for k in keys if k[0] == "address"]
    if addr:
        _, domain, local = max(addr, key=lambda k: len(k[2]))
        text = f"to {local}@{domain}"
    elif any(k[0] == "domain" for k in keys):
        domain = next(k[1] for k in keys if k[0] == "domain")
        text = f"to any {'other ' if locals_at.get(domain) else ''}address at {domain}"
    elif keys:
        parent = max((k[1] for k in keys), key=len)
        text = f"to an address at a subdomain of {parent} that no entry names (e.g. {witness})"
    else:
        text = f"to an address no Recipients entry matches (e.g. {witness})"
    if not ok:
        text += " (not a verified domain)"
    return "mail " + text


def _ip_dimensions(setups: Sequence[ev.ClassicSetup]) -> tuple[Dimension, Dimension]:
    """The classes of source address the IP filters of either version tell apart, and SES's block list."""
    from netaddr import IPAddress, IPNetwork

    blocks: list[IPNetwork] = []
    texts: dict[str, None] = {}
    for s in setups:
        for f, _ in s.filters:
            if f.cidr is None or f.policy not in ("Allow", "Block"):
                continue
            parsed, _ = parse_cidr(f.cidr, True)
            if parsed is not None and str(parsed.network) not in texts:
                texts[str(parsed.network)] = None
                blocks.append(parsed.network)
    has_filters = any(s.filters for s in setups)

    def signature_of(ip: IPAddress | None) -> tuple:
        if ip is None:
            return ("unreadable",)
        return tuple(ip.version == b.version and ip in b for b in blocks)

    def classify(mail: Mail, recipient: str) -> tuple:
        try:
            return signature_of(IPAddress(mail.source_ip))
        except Exception:  # (netaddr raises several types for text that is not an address)
            return ("unreadable",)

    points: list[IPAddress] = [IPAddress(DEFAULT_IPV4)]
    for b in blocks:
        top = 2**32 - 1 if b.version == 4 else 2**128 - 1
        for v in (b.first, b.last, b.first - 1, b.last + 1):
            if 0 <= v <= top:
                points.append(IPAddress(v, b.version))
    points.append(IPAddress(DEFAULT_IPV6))
    candidates: list[Candidate] = []
    seen: set[object] = set()
    for p in points:
        sig = signature_of(p)
        if sig in seen:
            continue
        seen.add(sig)
        label = ip_label(p, blocks, "no IP filter's range")
        candidates.append(Candidate(label, {"SourceIp": str(p)}, sig))
    ip_dim = Dimension("source IP", candidates, classify)
    listed = [Candidate("not on the SES block list", {}, False)]
    if has_filters:
        listed.append(Candidate("on the SES block list", {"OnSesBlockList": True}, True))
    on_list = Dimension("SES block list", listed, lambda mail, rcpt: bool(mail.on_ses_block_list))
    return ip_dim, on_list


def _recipient_local_dimensions(setups: Sequence[ev.ClassicSetup], address: str) -> tuple[list[Dimension], bool]:
    """TLS (when a rule matching ``address`` requires it) and the disposition of each
    ``RequestResponse`` Lambda function of the rules matching it; and whether the combination is full."""
    tls = False
    functions: dict[str, None] = {}
    for s in setups:
        hits = s.index.matching(address, catch_all=True)
        for pos in sorted(hits):
            rule = s.rules[pos]
            tls = tls or rule.requires_tls
            for a in rule.actions:
                if cm.is_request_response(a):
                    functions[a.text("FunctionArn") or ""] = None
    dims: list[Dimension] = []
    if tls:
        dims.append(
            Dimension(
                "TLS",
                [Candidate("over TLS", {"Tls": True}, True), Candidate("without TLS", {"Tls": False}, False)],
                lambda mail, rcpt: bool(mail.tls),
            )
        )
    for arn in functions:
        short = arn.rsplit(":function:", 1)[-1] if ":function:" in arn else arn
        dims.append(
            Dimension(
                f"Lambda {arn}",
                [
                    Candidate(
                        f"when {short} returns {d}", {} if d == "CONTINUE" else {"LambdaDispositions": {arn: d}}, d
                    )
                    for d in DISPOSITIONS
                ],
                _disposition_of(arn),
            )
        )
    return dims, len(functions) <= MAX_FUNCTIONS


def _disposition_of(arn: str) -> Callable[[Mail, str], object]:
    return lambda mail, rcpt: mail.disposition(arn)


# -- Mail Manager -------------------------------------------------------------------------


def diff_mailmanager(
    old: ev.MailManagerSetup,
    new: ev.MailManagerSetup,
    budget: int = MM_BUDGET,
) -> DiffResult:
    """The classes of mail the two Mail Manager pipelines treat differently (see the module)."""
    dims = mm_classes.dimensions([old, new])
    sizes = [len(d.candidates) for d in dims]
    total = 1
    for n in sizes:
        total *= n
    exhaustive = total <= budget
    notes: list[str] = []
    if exhaustive:
        combos: Iterable[tuple[int, ...]] = itertools.product(*(range(n) for n in sizes))
        count = total
    else:
        combos = mm_classes.bounded(dims, [old, new], budget)
        notes.append(
            f"{total} combinations of classes exceed the budget of {budget} mails: the mails tried were each "
            "class with the others at their first, mails that meet each rule's and policy statement's "
            "conditions with one class changed at a time, and pairs of classes a rule reads together"
        )
        count = 0
    findings: list[_Finding] = []
    mails = 0
    for combo in combos:
        scenario: dict[str, Any] = {}
        for d, k in zip(dims, combo, strict=True):
            _merge(scenario, d.candidates[k].scenario)
        mail = build_mail(mm_classes.finish(scenario))
        mails += 1
        before = ev.evaluate_mailmanager(old, mail, False)
        after = ev.evaluate_mailmanager(new, mail, False)
        if outcome_key(before.recipients[0]) != outcome_key(after.recipients[0]):
            findings.append(_Finding(tuple(combo), before, after, mm_classes.finish(scenario)))
    if not exhaustive:
        count = mails
    if exhaustive:
        differences = _report(dims, findings, sizes)
    else:  # (only the combinations tried: each is its own class)
        differences = _report(dims, findings, [1 if n == 1 else None for n in sizes], brief=True)
    return DiffResult("mailmanager", differences, count, mails, exhaustive, notes)
