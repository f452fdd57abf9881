"""SES classic receipt rules as a model: which mail a rule matches, and what stops.

This is the one model of "which recipients does this rule match" that the
reachability rules use and that a rule-set simulator can reuse.  It reads the
format-independent node tree and keeps each piece's node for positions.

Semantics (``shared/design/ses-semantics.md`` sections 1.2-1.7):

* rules run in list order; every enabled rule that matches at least one
  envelope recipient runs all its actions; there is no implicit stop;
* a rule without ``Recipients`` matches every recipient on every verified domain;
* ``user@example.com`` matches that address and its ``+label`` forms;
  ``example.com`` matches addresses at exactly that domain; ``.example.com``
  matches addresses at any subdomain (not the apex); domains compare
  case-insensitively, local parts exactly (case handling is undocumented);
* a ``StopAction`` ends evaluation for the recipients the rule matched: later
  actions of the rule and later rules do not run for them;
* ``Enabled`` defaults to false: a rule that omits it is disabled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from ses_lsp.document.nodes import ARRAY, BOOLEAN, OBJECT, STRING, Node
from ses_lsp.knowledge.actions import CLASSIC_ACTION_TYPES, CLASSIC_DELIVERY_ACTIONS
from ses_lsp.knowledge.addresses import DOMAIN_PATTERN, MAX_DOMAIN_LENGTH, is_domain

ACTION_TYPES = CLASSIC_ACTION_TYPES
DELIVERY_ACTIONS = CLASSIC_DELIVERY_ACTIONS


@dataclass(frozen=True)
class Recipient:
    """One ``Recipients`` entry, classified.

    ``form``: ``address`` (local@domain), ``domain`` (exact domain),
    ``subdomains`` (a leading dot: any subdomain), or ``invalid``.  Domains follow the
    grammar of :mod:`ses_lsp.knowledge.addresses`.
    """

    text: str
    form: str
    local: str = ""
    domain: str = ""  # lower-case, without a leading dot
    node: Node | None = field(default=None, compare=False, hash=False)

    @staticmethod
    def parse(text: str, node: Node | None = None) -> Recipient:
        return Recipient(text, *_classify(text), node)

    @property
    def base_local(self) -> str:
        """The local part without a ``+label``."""
        return self.local.split("+", 1)[0] if self.form == "address" else ""

    def matches(self, address: str) -> bool:
        """Does this entry match an envelope recipient address?"""
        local, _, domain = address.rpartition("@")
        domain = domain.lower()
        if self.form == "address":
            if domain != self.domain:
                return False
            if local == self.local:
                return True
            # user@x matches user+label@x (only when the entry has no label itself)
            return "+" not in self.local and local.split("+", 1)[0] == self.local
        if self.form == "domain":
            return domain == self.domain
        if self.form == "subdomains":
            return domain.endswith("." + self.domain)
        return False

    def covers(self, other: Recipient) -> bool:
        """Does every address ``other`` matches also match this entry?"""
        if self.form == "invalid" or other.form == "invalid":
            return False
        if self.form == "domain":
            return (
                other.form == "address"
                and other.domain == self.domain
                or (other.form == "domain" and other.domain == self.domain)
            )
        if self.form == "subdomains":
            return other.form in ("address", "domain", "subdomains") and (
                other.domain.endswith("." + self.domain) or (other.form == "subdomains" and other.domain == self.domain)
            )
        if self.form == "address":
            if other.form != "address" or other.domain != self.domain:
                return False
            if other.local == self.local:
                return True
            return "+" not in self.local and other.local.split("+", 1)[0] == self.local
        return False


_BAD_CHARS = r"[\s<>*,;/\\\"()\[\]]"


# The usual entry in one match: an address, a domain or a ".domain" exactly as
# _classify_in_full accepts them (without white space around); the rest goes there.
_USUAL = r"(?:([^\s<>*,;/\\\"()\[\]@]+)@|(\.))?(" + DOMAIN_PATTERN + ")"


@lru_cache(maxsize=8192)
def _classify(text: str) -> tuple[str, str, str]:
    """(form, local part, lower-case domain) of a Recipients entry (pure; cached)."""
    m = re.fullmatch(_USUAL, text)
    if m is not None and len(m.group(3)) <= MAX_DOMAIN_LENGTH:
        local, dot, domain = m.groups()
        if local is not None:
            return "address", local, domain.lower()
        return ("subdomains" if dot else "domain"), "", domain.lower()
    return _classify_in_full(text)


def _classify_in_full(text: str) -> tuple[str, str, str]:
    t = text.strip()
    if not t or re.search(_BAD_CHARS, t):
        return "invalid", "", ""
    if "@" in t:
        local, _, domain = t.rpartition("@")
        if not local or not domain or "@" in local or not is_domain(domain):
            return "invalid", "", ""
        return "address", local, domain.lower()
    if t.startswith("."):
        d = t[1:]
        return ("subdomains" if is_domain(d) else "invalid"), "", d.lower()
    return ("domain" if is_domain(t) else "invalid"), "", t.lower()


@dataclass
class Action:
    type: str  # e.g. "S3Action"; "" when the entry sets no (or several) known members
    node: Node  # the list entry
    body: Node | None  # the action's own object
    index: int

    def get(self, name: str) -> Node | None:
        return self.body.get(name) if self.body is not None and self.body.kind == OBJECT else None

    def text(self, name: str) -> str | None:
        n = self.get(name)
        return n.str_value if n is not None and n.kind == STRING else None


@dataclass
class Rule:
    node: Node
    index: int
    name: str | None
    name_node: Node | None
    enabled: bool | None  # None: not written (the API default, false)
    recipients: list[Recipient] | None  # None: no Recipients member (matches everything)
    actions: list[Action]

    @property
    def is_enabled(self) -> bool:
        return self.enabled is True

    @property
    def catch_all(self) -> bool:
        return self.recipients is None

    @property
    def stop_index(self) -> int | None:
        """Index of the first StopAction, or None."""
        for a in self.actions:
            if a.type == "StopAction":
                return a.index
        return None

    @property
    def stops(self) -> bool:
        return self.stop_index is not None

    def matches(self, address: str) -> bool:
        if self.recipients is None:
            return True
        return any(r.matches(address) for r in self.recipients)

    def label(self) -> str:
        return f'rule "{self.name}"' if self.name else f"rule #{self.index + 1}"


_ACTION_SET = frozenset(ACTION_TYPES)


def read_action(entry: Node, index: int) -> Action:
    if entry.kind != OBJECT:
        return Action("", entry, None, index)
    value = entry.dict_value
    if len(value) == 1:  # the usual entry: one member
        for name, body in value.items():
            if name in _ACTION_SET:
                return Action(name, entry, body, index)
        return Action("", entry, None, index)
    present = [k for k in value if k in _ACTION_SET]
    if len(present) == 1:
        return Action(present[0], entry, value[present[0]], index)
    return Action("", entry, None, index)


def read_rule(node: Node, index: int) -> Rule | None:
    if node.kind != OBJECT:
        return None
    members = node.dict_value
    name_node = members.get("Name")
    name = name_node.str_value if name_node is not None and name_node.kind == STRING else None
    en = members.get("Enabled")
    enabled = en.value is True if en is not None and en.kind == BOOLEAN else (None if en is None else False)
    rec_node = members.get("Recipients")
    recipients: list[Recipient] | None
    if rec_node is None:
        recipients = None
    elif rec_node.kind == ARRAY:
        recipients = [
            Recipient(r.str_value, *_classify(r.str_value), r) for r in rec_node.list_value if r.kind == STRING
        ]
        if not rec_node.list_value:  # an empty list is the same as no list
            recipients = None
    else:
        recipients = []
    acts_node = members.get("Actions")
    actions = []
    if acts_node is not None and acts_node.kind == ARRAY:
        actions = list(map(read_action, acts_node.list_value, range(len(acts_node.list_value))))
    return Rule(node, index, name, name_node, enabled, recipients, actions)


def read_rules(rules_node: Node | None) -> list[Rule]:
    if rules_node is None or rules_node.kind != ARRAY:
        return []
    out = []
    for i, n in enumerate(rules_node.list_value):
        r = read_rule(n, i)
        if r is not None:
            out.append(r)
    return out


class CoverageIndex:
    """Which recipients earlier enabled, stopping rules already take (built in rule order).

    ``add`` the rules one by one; ``covered_by(recipient)`` answers in time
    proportional to the recipient's number of domain labels, so checking a
    200-rule set is linear, not quadratic.
    """

    def __init__(self) -> None:
        self.catch_all: Rule | None = None
        self.domains: dict[str, Rule] = {}
        self.subdomains: dict[str, Rule] = {}
        self.addresses: dict[tuple[str, str], Rule] = {}

    def add(self, rule: Rule) -> None:
        if not (rule.is_enabled and rule.stops):
            return
        if rule.catch_all:
            if self.catch_all is None:
                self.catch_all = rule
            return
        for e in rule.recipients or ():
            if e.form == "domain":
                self.domains.setdefault(e.domain, rule)
            elif e.form == "subdomains":
                self.subdomains.setdefault(e.domain, rule)
            elif e.form == "address":
                self.addresses.setdefault((e.domain, e.local), rule)

    def covered_by(self, rec: Recipient) -> Rule | None:
        if self.catch_all is not None:
            return self.catch_all
        if rec.form == "invalid":
            return None
        d = rec.domain
        if rec.form in ("address", "domain"):
            hit = self.domains.get(d)
            if hit is not None:
                return hit
        if rec.form == "subdomains":
            hit = self.subdomains.get(d)
            if hit is not None:
                return hit
        # any proper parent domain registered as ".parent"
        i = d.find(".")
        while i != -1:
            hit = self.subdomains.get(d[i + 1 :])
            if hit is not None:
                return hit
            i = d.find(".", i + 1)
        if rec.form == "address":
            hit = self.addresses.get((d, rec.local))
            if hit is None and "+" in rec.local:
                base = rec.local.split("+", 1)[0]
                hit = self.addresses.get((d, base))
            return hit
        return None

    def covering(self, rule: Rule) -> tuple[Rule | None, list[tuple[Recipient, Rule]]]:
        """(the one earlier rule covering everything ``rule`` matches, or None; per-recipient owners).

        The second list is empty when some recipient is not covered.
        """
        if self.catch_all is not None:
            return self.catch_all, []
        if rule.recipients is None:
            return None, []
        valid = [r for r in rule.recipients if r.form != "invalid"]
        if not valid:
            return None, []
        per: list[tuple[Recipient, Rule]] = []
        for rec in valid:
            by = self.covered_by(rec)
            if by is None:
                return None, []
            per.append((rec, by))
        if len({id(r) for _, r in per}) == 1:
            return per[0][1], per
        return None, per


def may_overlap(a: Rule, b: Rule) -> bool:
    """Can some recipient address be matched by both rules?  (A rule without Recipients matches all.)"""
    if a.recipients is None or b.recipients is None:
        return True
    return any(x.covers(y) or y.covers(x) for x in a.recipients for y in b.recipients)


def _parents(domain: str) -> list[str]:
    """The proper parent domains of ``domain`` ("a.b.c" -> ["b.c", "c"])."""
    out = []
    i = domain.find(".")
    while i != -1:
        out.append(domain[i + 1 :])
        i = domain.find(".", i + 1)
    return out


class OverlapIndex:
    """Which recipients some rule of a set may match (``add`` the rules; ``overlaps(rule)`` asks).

    ``overlaps(rule)`` is ``any(may_overlap(rule, r) for r in added)``, answered in time
    proportional to the rule's recipients and their domain labels, so asking it for every
    rule of a 200-rule set against the rules after it is linear, not quadratic.
    """

    def __init__(self) -> None:
        self.any_rule = False
        self.catch_all = False
        self.addresses: set[tuple[str, str]] = set()  # (domain, local part)
        self.address_bases: set[tuple[str, str]] = set()  # (domain, local part without +label)
        self.address_domains: set[str] = set()
        self.domains: set[str] = set()
        self.subdomains: set[str] = set()  # P of each ".P" entry
        self.under: set[str] = set()  # every proper parent of every entry's domain

    def add(self, rule: Rule) -> None:
        self.any_rule = True
        if rule.recipients is None:
            self.catch_all = True
            return
        for e in rule.recipients:
            if e.form == "invalid":
                continue
            if e.form == "address":
                self.addresses.add((e.domain, e.local))
                self.address_bases.add((e.domain, e.base_local))
                self.address_domains.add(e.domain)
            elif e.form == "domain":
                self.domains.add(e.domain)
            else:
                self.subdomains.add(e.domain)
            self.under.update(_parents(e.domain))

    def overlaps(self, rule: Rule) -> bool:
        if self.catch_all or (rule.recipients is None and self.any_rule):
            return True
        return any(self._entry_overlaps(e) for e in rule.recipients or ())

    def _entry_overlaps(self, e: Recipient) -> bool:
        d = e.domain
        if e.form == "invalid":
            return False
        if e.form == "subdomains":
            # a later entry below it, the same ".P", or a ".Q" above it
            return d in self.under or d in self.subdomains or any(p in self.subdomains for p in _parents(d))
        # an address or a domain: a ".Q" entry above it
        if any(p in self.subdomains for p in _parents(d)):
            return True
        if e.form == "domain":
            return d in self.domains or d in self.address_domains
        # an address: its domain entry, the same address, or one of them is the other's +label form
        return (
            d in self.domains
            or (d, e.local) in self.addresses
            or (d, e.base_local) in self.addresses
            or ("+" not in e.local and (d, e.local) in self.address_bases)
        )


def later_overlaps(rules: list[Rule]) -> list[bool]:
    """For each rule: may an enabled rule after it match one of the same recipients?"""
    index = OverlapIndex()
    out = [False] * len(rules)
    for i in range(len(rules) - 1, -1, -1):
        out[i] = index.overlaps(rules[i])
        if rules[i].is_enabled:
            index.add(rules[i])
    return out


def covering_rule(rule: Rule, earlier: Iterable[Rule]) -> tuple[Rule | None, list[tuple[Recipient, Rule]]]:
    """Whether earlier enabled stopping rules cover every recipient ``rule`` can match.

    Returns (the single earlier rule that covers everything, if one does, else
    None) and the per-recipient covering rules.  The second list is empty when
    some recipient is not covered.
    """
    index = CoverageIndex()
    for r in earlier:
        index.add(r)
    return index.covering(rule)


@dataclass
class Outcome:
    """What happens to one recipient address: the rules and actions that run."""

    address: str
    steps: list[tuple[Rule, list[Action]]]
    stopped_by: Rule | None


def simulate(rules: list[Rule], address: str) -> Outcome:
    """Which rules and actions run for one envelope recipient (classic semantics).

    Lambda ``RequestResponse`` dispositions are unknown statically and treated
    as CONTINUE.
    """
    steps: list[tuple[Rule, list[Action]]] = []
    for rule in rules:
        if not rule.is_enabled or not rule.matches(address):
            continue
        ran: list[Action] = []
        for a in rule.actions:
            ran.append(a)
            if a.type == "StopAction":
                steps.append((rule, ran))
                return Outcome(address, steps, rule)
        steps.append((rule, ran))
    return Outcome(address, steps, None)
