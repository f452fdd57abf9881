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

Matching has one definition: :func:`covering_keys`.  A ``Recipients`` entry has one
key (:attr:`Recipient.key`); an entry (or an envelope address, read as the entry
naming exactly it) is matched by the entries whose keys are among its covering
keys.  :meth:`Recipient.matches`, :meth:`Recipient.covers`, the linters' indexes
(:class:`CoverageIndex`, :class:`OverlapIndex`) and the simulator
(:mod:`ses_lsp.semantics.evaluate`) all ask it, so they cannot disagree.
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

    @property
    def key(self) -> tuple[str, ...] | None:
        """This entry's key in :func:`covering_keys` terms (None for an invalid entry)."""
        return entry_key(self.form, self.local, self.domain)

    def matches(self, address: str) -> bool:
        """Does this entry match an envelope recipient address?"""
        key = self.key
        return key is not None and key in address_keys(address)

    def covers(self, other: Recipient) -> bool:
        """Does every address ``other`` matches also match this entry?"""
        key = self.key
        return (
            key is not None and other.form != "invalid" and key in covering_keys(other.form, other.local, other.domain)
        )


def entry_key(form: str, local: str, domain: str) -> tuple[str, ...] | None:
    """The key of a ``Recipients`` entry: ``("address", domain, local)``, ``("domain", domain)``
    or ``("subdomains", domain)`` (domain lower-case, without the leading dot); None if invalid."""
    if form == "address":
        return ("address", domain, local)
    if form in ("domain", "subdomains"):
        return (form, domain)
    return None


@lru_cache(maxsize=65536)
def covering_keys(form: str, local: str, domain: str) -> tuple[tuple[str, ...], ...]:
    """The keys of the entries that match every address the entry ``(form, local, domain)`` matches
    (itself included): the one definition of classic recipient matching.

    * ``user@example.com`` is matched by ``example.com``, by ``.P`` for every proper parent
      domain ``P`` of ``example.com``, by itself and, when it has a ``+label``, by the address
      without the label (``user+x@d`` by ``user@d``; an entry with a label matches only itself);
    * ``example.com`` by itself and by ``.P`` for its proper parents (not by ``.example.com``:
      the leading dot means subdomains only);
    * ``.example.com`` by itself and by ``.P`` for its proper parents.

    Domains compare case-insensitively (they arrive lower-cased), local parts exactly.
    The order is the order :class:`CoverageIndex` looks them up in.
    """
    if form == "invalid":
        return ()
    keys: list[tuple[str, ...]] = [(form, domain)] if form in ("domain", "subdomains") else [("domain", domain)]
    keys.extend(("subdomains", p) for p in _parents(domain))
    if form == "address":
        keys.append(("address", domain, local))
        if "+" in local:
            keys.append(("address", domain, local.split("+", 1)[0]))
    return tuple(keys)


def split_address(address: str) -> tuple[str, str]:
    """(local part, lower-case domain) of an envelope address (no ``@``: all domain)."""
    local, _, domain = address.rpartition("@")
    return local, domain.lower()


def address_keys(address: str) -> tuple[tuple[str, ...], ...]:
    """The keys of the ``Recipients`` entries that match an envelope recipient address."""
    local, domain = split_address(address)
    return covering_keys("address", local, domain)


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
    tls_policy: str | None = None  # the TlsPolicy text as written (None: not written, i.e. Optional)

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

    @property
    def always_stops(self) -> bool:
        """Does every mail this rule runs for end here, whatever a Lambda returns?

        A ``StopAction`` that a ``RequestResponse`` Lambda action precedes may never run: the
        function can return ``STOP_RULE``, which skips the rest of the rule, the stop included,
        and lets later rules run (``STOP_RULE_SET`` and ``CONTINUE`` leave the stop in force).
        """
        idx = self.stop_index
        if idx is None:
            return False
        return not any(is_request_response(a) for a in self.actions[:idx])

    @property
    def requires_tls(self) -> bool:
        """``TlsPolicy: Require``: mail not received over TLS is bounced for this rule's recipients."""
        return self.tls_policy == "Require"

    def matches(self, address: str) -> bool:
        if self.recipients is None:
            return True
        return any(r.matches(address) for r in self.recipients)

    def label(self) -> str:
        return f'rule "{self.name}"' if self.name else f"rule #{self.index + 1}"


_ACTION_SET = frozenset(ACTION_TYPES)


def is_request_response(action: Action) -> bool:
    """A Lambda action invoked synchronously: the only action whose result can steer evaluation."""
    return action.type == "LambdaAction" and action.text("InvocationType") == "RequestResponse"


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
    tls = members.get("TlsPolicy")
    tls_policy = tls.str_value if tls is not None and tls.kind == STRING else None
    return Rule(node, index, name, name_node, enabled, recipients, actions, tls_policy)


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
    """Which recipients earlier enabled rules that always stop already take (built in rule order).

    ``add`` the rules one by one; ``covered_by(recipient)`` looks up the entry's
    :func:`covering_keys`, so it answers in time proportional to the entry's number of
    domain labels and checking a 200-rule set is linear, not quadratic.  A rule counts
    only when it is enabled and :attr:`Rule.always_stops`.
    """

    def __init__(self) -> None:
        self.catch_all: Rule | None = None
        self.by_key: dict[tuple[str, ...], Rule] = {}

    def add(self, rule: Rule) -> None:
        if not (rule.is_enabled and rule.always_stops):
            return
        if rule.catch_all:
            if self.catch_all is None:
                self.catch_all = rule
            return
        for e in rule.recipients or ():
            key = e.key
            if key is not None:
                self.by_key.setdefault(key, rule)

    def covered_by(self, rec: Recipient) -> Rule | None:
        if self.catch_all is not None:
            return self.catch_all
        by_key = self.by_key
        for key in covering_keys(rec.form, rec.local, rec.domain):
            hit = by_key.get(key)
            if hit is not None:
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

    ``overlaps(rule)`` is ``any(may_overlap(rule, r) for r in added)``.  The entries' match
    sets are nested or disjoint (an address, its domain, the parents' ``.P`` forms), so two
    entries overlap exactly when one covers the other: the index keeps the added entries'
    keys (does an added entry cover the asked one?) and every key that covers an added entry
    (does the asked one cover an added entry?), both from :func:`covering_keys`.  So asking
    it for every rule of a 200-rule set against the rules after it is linear, not quadratic.
    """

    def __init__(self) -> None:
        self.any_rule = False
        self.catch_all = False
        self.keys: set[tuple[str, ...]] = set()  # the added entries' keys
        self.under: set[tuple[str, ...]] = set()  # every key that covers some added entry

    def add(self, rule: Rule) -> None:
        self.any_rule = True
        if rule.recipients is None:
            self.catch_all = True
            return
        for e in rule.recipients:
            key = e.key
            if key is None:
                continue
            self.keys.add(key)
            self.under.update(covering_keys(e.form, e.local, e.domain))

    def overlaps(self, rule: Rule) -> bool:
        if self.catch_all or (rule.recipients is None and self.any_rule):
            return True
        return any(self._entry_overlaps(e) for e in rule.recipients or ())

    def _entry_overlaps(self, e: Recipient) -> bool:
        key = e.key
        if key is None:
            return False
        if key in self.under:  # this entry covers an added one
            return True
        keys = self.keys
        return any(k in keys for k in covering_keys(e.form, e.local, e.domain))  # an added one covers it


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
class IpFilter:
    """One receipt IP filter (``ReceiptFilter``): its name, ``Allow``/``Block`` and CIDR text."""

    node: Node  # the ReceiptFilter object
    name: str | None
    policy: str | None
    policy_node: Node | None
    cidr: str | None
    cidr_node: Node | None

    def label(self) -> str:
        return f'IP filter "{self.name}"' if self.name else "IP filter"


def read_filters(root: Node | None) -> list[IpFilter]:
    """The IP filters of a ``create-receipt-filter`` (``Filter``) or ``list-receipt-filters``
    (``Filters``) document, in order; entries that are not objects are skipped."""
    if root is None or root.kind != OBJECT:
        return []
    one = root.get("Filter")
    many = root.get("Filters")
    nodes = [one] if one is not None else (many.list_value if many is not None and many.kind == ARRAY else [])
    out = []
    for f in nodes:
        if f.kind != OBJECT:
            continue
        name = f.get("Name")
        ip = f.get("IpFilter")
        policy = ip.get("Policy") if ip is not None else None
        cidr = ip.get("Cidr") if ip is not None else None
        out.append(
            IpFilter(
                f,
                name.str_value if name is not None and name.kind == STRING else None,
                policy.str_value if policy is not None and policy.kind == STRING else None,
                policy,
                cidr.str_value if cidr is not None and cidr.kind == STRING else None,
                cidr,
            )
        )
    return out
