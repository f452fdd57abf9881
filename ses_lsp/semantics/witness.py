"""Witness mails: a concrete mail that shows what a lint claims about a rule set.

A claim such as "this rule can never run" or "this rule also runs for the mail that rule
delivers" is easier to believe (and to check) with an example.  The functions here build one
from the constants the rules test (addresses, domains, strings, sizes, CIDR blocks, verdicts),
as a scenario document's members (:func:`ses_lsp.semantics.mail.build_mail` turns them into a
:class:`~ses_lsp.semantics.mail.Mail`), so the lint can run it through the one evaluation model
(:mod:`ses_lsp.semantics.evaluate`) before it says anything, and a user can paste it into a
scenario file.

Pure: no file is read, nothing is printed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ses_lsp.lint.text import quote
from ses_lsp.semantics import classic as cm
from ses_lsp.semantics import mailmanager as mm
from ses_lsp.semantics.mail import Mail, build_mail

DEFAULT_LOCAL = "user"
DEFAULT_DOMAIN = "example.com"
DEFAULT_ADDRESS = f"{DEFAULT_LOCAL}@{DEFAULT_DOMAIN}"
SUBDOMAIN_LABEL = "mail"  # the label a witness puts before a `.domain` entry

# Attributes whose values are e-mail addresses.
_ADDRESS_ATTRIBUTES = frozenset({"RECIPIENT", "MAIL_FROM", "FROM", "SENDER", "TO", "CC"})
_HEADER_OF = {"FROM": "From", "SENDER": "Sender", "TO": "To", "CC": "Cc", "SUBJECT": "Subject"}
_VERDICT_OF = {"SPF": "Spf", "DKIM": "Dkim"}


# -- SES classic --------------------------------------------------------------------------


def classic_address(entry: cm.Recipient) -> str | None:
    """An envelope address the ``Recipients`` entry matches (None for an invalid entry):
    the address itself, ``user@`` the domain, or ``user@mail.`` a ``.domain``."""
    if entry.form == "address":
        return f"{entry.local}@{entry.domain}"
    if entry.form == "domain":
        return f"{DEFAULT_LOCAL}@{entry.domain}"
    if entry.form == "subdomains":
        return f"{DEFAULT_LOCAL}@{SUBDOMAIN_LABEL}.{entry.domain}"
    return None


def classic_rule_address(rule: cm.Rule, others: Iterable[cm.Rule] = ()) -> str | None:
    """An address ``rule`` matches: from its first valid ``Recipients`` entry; for a rule without
    ``Recipients`` (it matches every verified domain), an address on a domain another rule names,
    else on ``example.com``.  None when no entry is valid."""
    if rule.recipients is None:
        for other in others:
            for e in other.recipients or ():
                if e.form in ("address", "domain"):
                    return f"{DEFAULT_LOCAL}@{e.domain}"
        return DEFAULT_ADDRESS
    for e in rule.recipients:
        address = classic_address(e)
        if address is not None:
            return address
    return None


# -- Mail Manager -------------------------------------------------------------------------


@dataclass
class Witness:
    """A mail as scenario members (``scenario``), and what it shows, condition by condition
    (``shown``: the values the conditions read, in the order they were chosen)."""

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


def mm_witness(
    conditions: Sequence[mm.Predicate], unless: Sequence[mm.Predicate] = (), recipient: str | None = None
) -> Witness | None:
    """A mail that meets every condition of ``conditions`` and none of ``unless``, or None when
    none of the candidates built from their constants does (the conditions contradict each
    other, or the search is not clever enough: a witness is an example, not a proof).

    Conditions on different values of the mail are independent, so each value is chosen on its
    own: the first candidate that meets the conditions on it and none of the ``unless`` ones.
    ``recipient``: the envelope recipient to use when no condition reads ``RECIPIENT``.
    An unreadable ``unless`` condition never holds (as in the simulator) and is ignored.
    """
    groups: dict[tuple, tuple[list[mm.Predicate], list[mm.Predicate]]] = {}
    for p in conditions:
        if p.operand is None:
            return None
        groups.setdefault((p.operand, p.family), ([], []))[0].append(p)
    for p in unless:
        if p.operand is not None:
            groups.setdefault((p.operand, p.family), ([], []))[1].append(p)
    chosen: dict[tuple[tuple, str], object] = {}
    lists: list[tuple[tuple, bool]] = []
    for (operand, family), (must, must_not) in groups.items():
        if operand[0] == "address-list":  # decided by the values of other members: set below
            value = _pick(_BOOLEANS, must, must_not)
            if value is None:
                return None
            lists.append((operand, bool(value)))
            continue
        picked = _pick(_candidates(operand, family, must + must_not), must, must_not)
        if picked is None:
            return None
        chosen[(operand, family)] = picked
    scenario: dict[str, Any] = {}
    shown: list[tuple[str, str]] = []
    for (operand, family), value in chosen.items():
        _apply(scenario, operand, value)
        shown.append((_label(operand), _shown(value, family)))
    if "Recipients" not in scenario:
        scenario["Recipients"] = [recipient or DEFAULT_ADDRESS]
    for operand, member in lists:
        _apply_list(scenario, operand, member, shown)
    return Witness(scenario, shown)


_BOOLEANS: list[object] = [True, False]


def _pick(candidates: Iterable[object], must: list[mm.Predicate], must_not: list[mm.Predicate]) -> object | None:
    tests = [p.value_test() for p in must]
    vetoes = [p.value_test() for p in must_not]
    for value in candidates:
        values = value if isinstance(value, list) else [value]
        if all(t(values) for t in tests) and not any(v(values) for v in vetoes):
            return value
    return None


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


def _apply(scenario: dict[str, Any], operand: tuple, value: object) -> None:
    kind = operand[0]
    if kind == "attribute":
        name = operand[1]
        if name == "RECIPIENT":
            scenario["Recipients"] = [value]
        elif name == "MAIL_FROM":
            scenario["MailFrom"] = value
        elif name == "HELO":
            scenario["Helo"] = value
        elif name in _HEADER_OF:
            if not (isinstance(value, list) and not value):
                scenario.setdefault("Headers", {})[_HEADER_OF[name]] = value
        elif name in ("SOURCE_IP", "SENDER_IP", "SENDER_IPV6"):
            scenario["SourceIp"] = value
        elif name in _VERDICT_OF:
            scenario.setdefault("Verdicts", {})[_VERDICT_OF[name]] = value
        elif name == "MESSAGE_SIZE":
            scenario["Size"] = int(value) if isinstance(value, float) and value.is_integer() else value
        elif name == "TLS":
            scenario["Tls"] = value
        elif name == "TLS_WRAPPED":
            scenario["TlsWrapped"] = value
        elif name == "READ_RECEIPT_REQUESTED":
            scenario["ReadReceiptRequested"] = value
        elif name == "TLS_PROTOCOL":
            scenario["TlsProtocol"] = value
    elif kind == "dmarc":
        scenario["DmarcPolicy"] = value
    elif kind == "header":
        if not (isinstance(value, list) and not value):
            scenario.setdefault("Headers", {})[operand[1]] = value
    elif kind == "certificate":
        scenario.setdefault("ClientCertificate", {})[operand[1]] = value
    elif kind == "analysis":
        scenario.setdefault("AddOns", {}).setdefault(operand[1], {})[operand[2]] = value


def _apply_list(scenario: dict[str, Any], operand: tuple, member: bool, shown: list[tuple[str, str]]) -> None:
    """Make the attribute's value a member of the address list (or of none)."""
    attr, names = operand[1], operand[2]
    if attr == "RECIPIENT":
        address = scenario["Recipients"][0]
    elif attr == "MAIL_FROM":
        address = scenario.setdefault("MailFrom", f"sender@{DEFAULT_DOMAIN}")
    else:
        header = _HEADER_OF.get(attr, attr)
        got = scenario.setdefault("Headers", {}).setdefault(header, f"sender@{DEFAULT_DOMAIN}")
        address = got[0] if isinstance(got, list) else got
    lists = scenario.setdefault("AddressLists", {})
    if member:
        lists.setdefault(names[0], []).append(address)
    else:
        for name in names:
            lists.setdefault(name, [])
    shown.append((f"{attr} {'in' if member else 'not in'} address list {quote(names[0])}", ""))


# -- candidate values ---------------------------------------------------------------------


def _candidates(operand: tuple, family: str, preds: list[mm.Predicate]) -> list[object]:
    values = [v for p in preds for v in p.values]
    if family in ("verdict", "dmarc"):
        return list(mm.VERDICTS if family == "verdict" else mm.DMARC_POLICIES)
    if family == "boolean":
        return list(_BOOLEANS)
    if family == "tls":
        return [*mm.TLS_VERSIONS]
    if family == "number":
        return _numbers(values, operand == ("attribute", "MESSAGE_SIZE"))
    if family == "ip":
        return _ips(values)
    if family == "string":
        address = operand[0] == "attribute" and operand[1] in _ADDRESS_ATTRIBUTES
        out = _address_strings(preds) if address else _strings(preds)
        if operand[0] == "header" or (operand[0] == "attribute" and operand[1] in _HEADER_OF):
            out.insert(0, [])  # the header absent: the plainest mail, when the conditions allow it
        return out
    return []


def _numbers(values: list[object], size: bool) -> list[object]:
    out: list[float] = []
    for v in values:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            x = float(v)
            out.extend((x, x + 1, x - 1, float(int(x)), float(int(x) + 1), x + 0.5, x - 0.5))
    out.extend((0.0, 1000.0))
    seen: list[object] = []
    for x in sorted(out, key=lambda n: (not n.is_integer(), out.index(n))):
        if size and (x < 0 or not x.is_integer()):
            continue
        if x not in seen:
            seen.append(x)
    return seen


def _ips(values: list[object]) -> list[object]:
    from netaddr import IPAddress

    out: list[object] = []
    blocks = [b for v in values if (b := mm.cidr_blocks((v,))) is not None]
    for ((version, first, last),) in blocks:
        top = 2**32 - 1 if version == 4 else 2**128 - 1
        for n in (first + 1 if last > first + 1 else first, first, last, first - 1, last + 1):
            if 0 <= n <= top:
                text = str(IPAddress(n, 4 if version == 4 else 6))
                if text not in out:
                    out.append(text)
    out.extend(("192.0.2.1", "2001:db8::1"))
    return out


def _strings(preds: list[mm.Predicate]) -> list[object]:
    consts = [str(v) for p in preds for v in p.values]
    out: list[object] = []
    for c in consts:
        out.extend((c, f"{c}x", f"x{c}", f"x{c}x"))
    out.extend(_joined(preds, ""))
    out.extend(("witness", ""))
    return _unique(out)


def _address_strings(preds: list[mm.Predicate]) -> list[object]:
    consts = [str(v) for p in preds for v in p.values]
    out: list[object] = []
    for c in consts:
        out.extend(_as_addresses(c))
    out.extend(_joined(preds, f"@{DEFAULT_DOMAIN}"))
    for c in consts:
        out.extend((c, f"{c}x", f"x{c}", f"x{c}x"))
    out.extend((DEFAULT_ADDRESS, f"other@{DEFAULT_DOMAIN}", f"{DEFAULT_LOCAL}@example.net", ""))
    return _unique(out)


def _as_addresses(c: str) -> list[str]:
    """Addresses a string constant suggests, most natural first (``@example.com`` ->
    ``user@example.com``, ``billing`` -> ``billing@example.com``)."""
    if "@" in c:
        local, _, domain = c.rpartition("@")
        if local and domain:
            return [c]
        if domain:
            return [f"{DEFAULT_LOCAL}{c}"]
        return [f"{c}{DEFAULT_DOMAIN}"]
    if c.startswith("."):
        return [f"{DEFAULT_LOCAL}@{SUBDOMAIN_LABEL}{c}"]
    if "." in c:
        return [f"{DEFAULT_LOCAL}@{c}", f"{c}@{DEFAULT_DOMAIN}"]
    return [f"{c}@{DEFAULT_DOMAIN}", f"{DEFAULT_LOCAL}@{c}.com"]


_JOIN_LIMIT = 8  # values of each operator that _joined combines (a rule has at most 10 conditions)


def _joined(preds: list[mm.Predicate], domain: str) -> list[str]:
    """Strings that start with a ``STARTS_WITH`` value, contain a ``CONTAINS`` value and end with an
    ``ENDS_WITH`` value at once (each part optional); with ``domain``, the ones without an ``@``
    also with ``domain`` appended, so that they read as addresses."""
    starts = ["", *_positives(preds, ("STARTS_WITH",))[:_JOIN_LIMIT]]
    middles = ["", *_positives(preds, ("CONTAINS",))[:_JOIN_LIMIT]]
    ends = ["", *_positives(preds, ("ENDS_WITH",))[:_JOIN_LIMIT]]
    out = []
    for a in starts:
        for m in middles:
            for b in ends:
                if not (a or m or b):
                    continue
                for text in (a + m + b, a + DEFAULT_LOCAL + m + b, f"{a}x{m}x{b}"):
                    out.append(text)
                    if domain and "@" not in text:
                        out.append(text + domain)
    return out


def _positives(preds: list[mm.Predicate], operators: tuple[str, ...]) -> list[str]:
    return [str(v) for p in preds if p.operator in operators for v in p.values]


def _unique(values: list[object]) -> list[object]:
    out: list[object] = []
    for v in values:
        if v not in out:
            out.append(v)
    return out
