"""Candidate values: the values of a mail worth trying, derived from the constants the rules test.

The one home of that knowledge, for every part of the project that makes up mail from a rule
set: the witness search (:mod:`ses_lsp.semantics.witness`: a mail that reaches a rule, and the
example mails of the lints) and the semantic diff's classes (:mod:`ses_lsp.semantics.mm_classes`,
:mod:`ses_lsp.semantics.diff`).

* SES classic recipients (:class:`Fresh`): an address a ``Recipients`` entry matches (the address
  itself; a local part no entry names at the domain; at a subdomain no entry names), and an
  address at a domain no entry covers.
* Mail Manager operands (:func:`operand_values`): every value of a closed family (verdicts, the
  DMARC policy, booleans, TLS versions); numbers around each constant (:func:`number_points`);
  the edges of each CIDR block and the addresses just outside (:func:`ip_points`); strings made
  of the constants (:func:`string_values`: the constants, with a character around them, joined
  to meet a ``STARTS_WITH``, a ``CONTAINS`` and an ``ENDS_WITH`` at once, and as addresses for an
  address operand), and, for the diff, every concatenation of two constants (:func:`string_pairs`).
* The scenario members that give a mail chosen operand values (:func:`scenario_of`), and the
  first candidate mail that meets given conditions and none of others (:func:`mail_meeting`).

Nothing here claims what a mail does: the clients run the candidates through the one evaluation
model (:mod:`ses_lsp.semantics.evaluate`) before they say anything.  Pure; imports netaddr only
when an IP operand needs it.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from ses_lsp.lint.text import quote
from ses_lsp.semantics import classic as cm
from ses_lsp.semantics import mailmanager as mm
from ses_lsp.semantics.mail import Mail, build_mail

DOMAIN = "example.com"  # the domain of made-up addresses when no rule names one (RFC 2606)
SUBDOMAIN_LABEL = "mail"  # the label a made-up address puts before a ``.domain`` entry
DEFAULT_IPV4 = "192.0.2.1"  # the scenario's default source address (TEST-NET-1)
DEFAULT_IPV6 = "2001:db8::1"  # a documentation address (RFC 3849)

# Mail Manager attributes whose values are e-mail addresses, and the header each one reads.
ADDRESS_ATTRIBUTES = frozenset({"RECIPIENT", "MAIL_FROM", "FROM", "SENDER", "TO", "CC"})
HEADER_OF = {"FROM": "From", "SENDER": "Sender", "TO": "To", "CC": "Cc", "SUBJECT": "Subject"}
_MEMBER_OF = {  # the scenario member of the other attributes
    "MAIL_FROM": "MailFrom",
    "HELO": "Helo",
    "SOURCE_IP": "SourceIp",
    "SENDER_IP": "SourceIp",
    "SENDER_IPV6": "SourceIp",
    "MESSAGE_SIZE": "Size",
    "TLS": "Tls",
    "TLS_WRAPPED": "TlsWrapped",
    "READ_RECEIPT_REQUESTED": "ReadReceiptRequested",
    "TLS_PROTOCOL": "TlsProtocol",
}
_VERDICT_OF = {"SPF": "Spf", "DKIM": "Dkim"}
ADDRESS_PATTERN = re.compile(r"[^@\s,;<>()\"]+@[^@\s,;<>()\"]+")


# -- SES classic recipients -----------------------------------------------------------------


def numbered(base: str) -> Iterator[str]:
    """``base``, ``base2``, ``base3``..."""
    yield base
    for i in itertools.count(2):
        yield f"{base}{i}"


class Fresh:
    """Addresses made up for a classic rule set: local parts and subdomains no entry of ``rules``
    names (with no rules: ``local`` and ``label`` themselves)."""

    def __init__(
        self,
        rules: Iterable[cm.Rule] = (),
        local: str = "user",
        label: str = SUBDOMAIN_LABEL,
        domains: Iterable[str] = (),
    ) -> None:
        self.stem, self.label = local, label
        self.locals: dict[str, set[str]] = {}
        self.domains: set[str] = set(domains)
        for r in rules:
            for e in r.recipients or ():
                if e.form == "invalid":
                    continue
                self.domains.add(e.domain)
                if e.form == "address":
                    self.locals.setdefault(e.domain, set()).add(e.base_local)

    def local(self, domain: str) -> str:
        used = self.locals.get(domain, set())
        return next(c for c in numbered(self.stem) if c not in used)

    def subdomain(self, domain: str) -> str:
        """A subdomain of ``domain`` that no entry names (nor any domain below it)."""
        for label in numbered(self.label):
            sub = f"{label}.{domain}"
            if not any(d == sub or d.endswith("." + sub) for d in self.domains):
                return sub
        raise AssertionError("unreachable")  # pragma: no cover

    def address(self, entry: cm.Recipient) -> str | None:
        """An envelope address the entry matches (None for an invalid entry): the address itself,
        a fresh local part at the domain, or at a fresh subdomain of a ``.domain``."""
        if entry.form == "address":
            return f"{entry.local}@{entry.domain}"
        if entry.form == "domain":
            return f"{self.local(entry.domain)}@{entry.domain}"
        if entry.form == "subdomains":
            sub = self.subdomain(entry.domain)
            return f"{self.local(sub)}@{sub}"
        return None

    def outside(self) -> str:
        """An address at a domain no entry (nor any of ``domains``) covers: each try has another
        top-level domain, so the entries can rule out only as many tries as they name domains."""
        for n in itertools.count():
            other = "unlisted.example" if n == 0 else f"unlisted.tld{n}"
            if other not in self.domains and not any(other.endswith("." + d) for d in self.domains):
                return f"{self.stem}@{other}"
        raise AssertionError("unreachable")  # pragma: no cover


# -- Mail Manager operand values --------------------------------------------------------------


def family_values(family: str) -> list[object] | None:
    """Every value of a closed family (None for an open one: strings, numbers, IPs)."""
    if family == "verdict":
        return list(mm.VERDICTS)
    if family == "dmarc":
        return list(mm.DMARC_POLICIES)
    if family == "boolean":
        return [True, False]
    if family == "tls":
        return list(mm.TLS_VERSIONS)
    return None


def number_points(values: Iterable[object]) -> list[float]:
    """Each numeric constant, its neighbours, the integers around it and the halves beside it,
    in that order (the only places where a comparison with the constants changes)."""
    out: list[float] = []
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            x = float(v)
            lo, hi = float(math.floor(x)), float(math.ceil(x))
            out.extend((x, x + 1, x - 1, lo, hi, lo - 1, hi + 1, x + 0.5, x - 0.5))
    return list(dict.fromkeys(out))


def ip_points(values: Iterable[object], host_first: bool = False) -> list[str]:
    """The first and last address of every CIDR block among ``values``, and the addresses just
    outside; ``host_first``: the block's first host (its second address) before them, the more
    natural example."""
    from netaddr import IPAddress

    out: list[str] = []
    for v in values:
        for version, first, last in mm.cidr_blocks((v,)) or ():
            top = 2**32 - 1 if version == 4 else 2**128 - 1
            points = [first, last, first - 1, last + 1]
            if host_first:
                points.insert(0, first + 1 if last > first + 1 else first)
            for n in points:
                if 0 <= n <= top:
                    out.append(str(IPAddress(n, 4 if version == 4 else 6)))
    return list(dict.fromkeys(out))


def affixed(consts: Iterable[str]) -> list[str]:
    """Each constant, and with a character after, before and around it."""
    return [s for c in consts for s in (c, f"{c}x", f"x{c}", f"x{c}x")]


def as_addresses(c: str, local: str = "user") -> list[str]:
    """Addresses a string constant suggests, most natural first (``@example.com`` ->
    ``user@example.com``, ``billing`` -> ``billing@example.com``, ``.example.com`` ->
    ``user@mail.example.com``)."""
    if "@" in c:
        name, _, domain = c.rpartition("@")
        if name and domain:
            return [c]
        if domain:
            return [f"{local}{c}"]
        return [f"{c}{DOMAIN}"]
    if c.startswith("."):
        return [f"{local}@{SUBDOMAIN_LABEL}{c}"]
    if "." in c:
        return [f"{local}@{c}", f"{c}@{DOMAIN}"]
    return [f"{c}@{DOMAIN}", f"{local}@{c}.com"]


JOIN_LIMIT = 8  # values of each operator that joined() combines (a rule has at most 10 conditions)


def joined(preds: Sequence[mm.Predicate], local: str = "user", domain: str = "") -> list[str]:
    """Strings that start with a ``STARTS_WITH`` value, contain a ``CONTAINS`` value and end with
    an ``ENDS_WITH`` value at once (each part optional); with ``domain``, the ones without an
    ``@`` also with ``domain`` appended, so that they read as addresses."""

    def positives(operator: str) -> list[str]:
        return [str(v) for p in preds if p.operator == operator for v in p.values][:JOIN_LIMIT]

    out = []
    for a in ["", *positives("STARTS_WITH")]:
        for m in ["", *positives("CONTAINS")]:
            for b in ["", *positives("ENDS_WITH")]:
                if not (a or m or b):
                    continue
                for text in (a + m + b, a + local + m + b, f"{a}x{m}x{b}"):
                    out.append(text)
                    if domain and "@" not in text:
                        out.append(text + domain)
    return out


def string_values(preds: Sequence[mm.Predicate], address: bool, local: str = "user") -> list[object]:
    """Strings worth trying for an operand the conditions ``preds`` read, most natural first;
    ``address``: the operand is an address (the constants as addresses first)."""
    consts = [str(v) for p in preds for v in p.values]
    out: list[object] = []
    if not address:
        out += affixed(consts)
        out += joined(preds, local)
        out += ["witness", ""]
        return list(_unique(out))
    for c in consts:
        out.extend(as_addresses(c, local))
    out += joined(preds, local, f"@{DOMAIN}")
    out += affixed(consts)
    out += [f"{local}@{DOMAIN}", f"other@{DOMAIN}", f"{local}@example.net", ""]
    return list(_unique(out))


def string_pairs(
    consts: Sequence[str], limit: int, nonempty: bool = False, prefer_addresses: bool = False
) -> list[str]:
    """Every concatenation of two of ``consts`` (each alone when there are ``limit`` or more), with
    and without a character before and after, shortest first (addresses first with
    ``prefer_addresses``): a value of each truth-value signature the constants' string
    conditions can give (the semantic diff's classes)."""
    frags = ["", *dict.fromkeys(consts)]
    pairs = len(frags) <= limit
    out: set[str] = set()
    for f1 in frags:
        for f2 in frags if pairs else [""]:
            for pre in ("", "x"):
                for post in ("", "x"):
                    out.add(pre + f1 + f2 + post)
    if nonempty:
        out.discard("")
    if prefer_addresses:
        return sorted(out, key=lambda s: (ADDRESS_PATTERN.fullmatch(s) is None, len(s), s))
    return sorted(out, key=lambda s: (len(s), s))


def is_header(operand: tuple) -> bool:
    return operand[0] == "header" or (operand[0] == "attribute" and operand[1] in HEADER_OF)


def operand_values(operand: tuple, family: str, preds: Sequence[mm.Predicate], local: str = "user") -> list[object]:
    """The values of an operand worth trying, derived from the constants of ``preds`` (the
    conditions that read it), most natural first; ``[]`` for a header: the mail does not have it."""
    closed = family_values(family)
    if closed is not None:
        return closed
    values = [v for p in preds for v in p.values]
    if family == "number":
        points = number_points(values) + [0.0, 1000.0]
        if operand == ("attribute", "MESSAGE_SIZE"):
            points = [x for x in points if x >= 0 and x.is_integer()]
        ordered = sorted(dict.fromkeys(points), key=lambda n: not n.is_integer())  # (stable: integers first)
        return list(ordered)
    if family == "ip":
        return [*ip_points(values, host_first=True), DEFAULT_IPV4, DEFAULT_IPV6]
    if family == "string":
        address = operand[0] == "address-list" or (operand[0] == "attribute" and operand[1] in ADDRESS_ATTRIBUTES)
        out = string_values(preds, address, local)
        if is_header(operand):
            out.insert(0, [])  # the header absent: the plainest mail, when the conditions allow it
        return out
    return []


def _unique(values: Iterable[object]) -> Iterator[object]:
    seen: list[object] = []  # (values of several types: a list, so that 1 and True stay apart)
    for v in values:
        if not any(type(v) is type(s) and v == s for s in seen):
            seen.append(v)
            yield v


# -- candidate mails --------------------------------------------------------------------------


def scenario_of(values: dict[tuple, object], recipient: str, member: str) -> dict[str, Any]:
    """The scenario members that give a mail these values of its operands (``(operand, family)``
    -> value; an address list's value: True for the address being a member, False for none);
    ``recipient``: the envelope recipient when no value sets it; ``member``: the address an
    address list holds when no value sets the one it reads.  Recipients first, the rest sorted."""
    out: dict[str, Any] = {}
    headers: dict[str, Any] = {}
    lists: list[tuple[str, tuple[str, ...], bool]] = []
    for (operand, _family), v in values.items():
        kind = operand[0]
        if kind == "address-list":
            lists.append((operand[1], operand[2], bool(v)))
        elif is_header(operand):
            if not (isinstance(v, list) and not v):  # ([]: the header absent)
                headers[operand[1] if kind == "header" else HEADER_OF[operand[1]]] = v
        elif kind == "attribute":
            attr = operand[1]
            if attr == "RECIPIENT":
                out["Recipients"] = [v]
            elif attr in _VERDICT_OF:
                out.setdefault("Verdicts", {})[_VERDICT_OF[attr]] = v
            elif attr == "MESSAGE_SIZE":
                out["Size"] = int(v) if isinstance(v, float) and v.is_integer() else v
            elif attr in _MEMBER_OF:
                out[_MEMBER_OF[attr]] = v
        elif kind == "dmarc":
            out["DmarcPolicy"] = v
        elif kind == "certificate":
            out.setdefault("ClientCertificate", {})[operand[1]] = v
        elif kind == "analysis":
            out.setdefault("AddOns", {}).setdefault(operand[1], {})[operand[2]] = v
    out.setdefault("Recipients", [recipient])
    for attr, names, is_member in lists:
        address_lists = out.setdefault("AddressLists", {})
        if not is_member:
            for name in names:
                address_lists.setdefault(name, [])
            continue
        if attr == "RECIPIENT":
            address = out["Recipients"][0]
        elif attr == "MAIL_FROM":
            address = out.setdefault("MailFrom", member)
        else:
            got = headers.setdefault(HEADER_OF.get(attr, attr), member)
            address = got[0] if isinstance(got, list) else got
        address_lists.setdefault(names[0], []).append(address)
    if headers:
        out["Headers"] = headers
    return {"Recipients": out.pop("Recipients"), **dict(sorted(out.items()))}


@dataclass
class CandidateMail:
    """A mail as scenario members (``scenario``), and the values its conditions read, in the order
    they were chosen (``shown``).  Not a claim: its clients run it through the evaluator."""

    scenario: dict[str, Any]
    shown: list[tuple[str, str]] = field(default_factory=list)

    @property
    def recipient(self) -> str:
        return str(self.scenario["Recipients"][0])

    def mail(self) -> Mail:
        return build_mail(self.scenario)

    def describe(self) -> str:
        """One line: ``mail to "a@example.com" with SUBJECT "x", MESSAGE_SIZE 100``."""
        extra = [f"{name} {value}".rstrip() for name, value in self.shown if name != "RECIPIENT"]
        return f"mail to {quote(self.recipient)}" + (f" with {', '.join(extra)}" if extra else "")


def holds_for(p: mm.Predicate, value: object) -> bool:
    """Does the condition hold for the operand's value (a list: a header's values, [] absent)?"""
    return p.value_test()(value if isinstance(value, list) else [value])


def meeting_values(
    key: tuple,
    must: Sequence[mm.Predicate],
    must_not: Sequence[mm.Predicate] = (),
    others: Sequence[mm.Predicate] = (),
    local: str = "user",
) -> list[object]:
    """The candidate values of the operand ``key`` (``(operand, family)``), derived from the
    constants of every condition given, that meet every condition of ``must`` and none of
    ``must_not`` (``others``: conditions whose constants count, whatever they say of the value).
    An address list's values: True (the address is a member), False (of none)."""
    operand, family = key
    if operand[0] == "address-list":
        values: list[object] = [True, False]
    else:
        values = operand_values(operand, family, [*must, *must_not, *others], local)
    return [v for v in values if all(holds_for(p, v) for p in must) and not any(holds_for(p, v) for p in must_not)]


def mail_meeting(
    conditions: Sequence[mm.Predicate],
    unless: Sequence[mm.Predicate] = (),
    recipient: str | None = None,
    local: str = "user",
) -> CandidateMail | None:
    """A candidate mail that meets every condition of ``conditions`` and none of ``unless``, or
    None when no candidate value does (the conditions contradict each other, or the search is not
    clever enough: an example, not a proof).

    Conditions on different values of the mail are independent, so each value is chosen on its
    own: the first candidate that meets the conditions on it and none of the ``unless`` ones.
    ``recipient``: the envelope recipient when no condition reads ``RECIPIENT``.  An unreadable
    ``unless`` condition never holds (as in the evaluator) and is ignored.
    """
    groups: dict[tuple, tuple[list[mm.Predicate], list[mm.Predicate]]] = {}
    for p in conditions:
        if p.operand is None:
            return None
        groups.setdefault((p.operand, p.family), ([], []))[0].append(p)
    for p in unless:
        if p.operand is not None:
            groups.setdefault((p.operand, p.family), ([], []))[1].append(p)
    chosen: dict[tuple, object] = {}
    shown: list[tuple[str, str]] = []
    lists: list[tuple[str, str]] = []
    for key, (must, must_not) in groups.items():
        operand, family = key
        values = meeting_values(key, must, must_not, local=local)
        if not values:
            return None
        value = chosen[key] = values[0]
        if operand[0] == "address-list":
            lists.append((f"{operand[1]} {'in' if value else 'not in'} address list {quote(operand[2][0])}", ""))
        else:
            shown.append((_label(operand), _shown(value, family)))
    scenario = scenario_of(chosen, recipient or f"{local}@{DOMAIN}", f"sender@{DOMAIN}")
    return CandidateMail(scenario, shown + lists)


def _label(operand: tuple) -> str:
    kind = operand[0]
    if kind == "attribute":
        return str(operand[1])
    if kind == "dmarc":
        return "DMARC policy"
    if kind == "header":
        return f"header {operand[1]}"
    if kind == "certificate":
        return f"client certificate {operand[1]}"
    if kind == "analysis":
        return f"add-on {operand[1]} {operand[2]}"
    return str(operand)


def _shown(value: object, family: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return quote(value) if family == "string" else value
    if isinstance(value, list):
        return "absent" if not value else ", ".join(_shown(v, family) for v in value)
    return str(value)
