"""Mail Manager rule sets as a model: conditions as predicates over a message.

The same predicates answer the linter's questions (does condition A imply B?
can A and B both hold? does an earlier rule swallow every mail a later rule
matches?) and a simulator's (does this mail match?).

Semantics (``shared/design/ses-semantics.md`` sections 3.1-3.2): rules are
evaluated in order for each envelope recipient; a rule applies when all its
``Conditions`` hold and none of its ``Unless`` conditions does; its actions run
in order; ``Drop`` stops processing for the recipients the rule applies to.
Multiple ``Values`` are ORed, except for ``NOT_EQUALS`` / ``NOT_CIDR_MATCHES``
(none of the values).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from ses_lsp.document.nodes import ARRAY, INTEGER, NUMBER, OBJECT, STRING, Node
from ses_lsp.knowledge.actions import MM_DELIVERY_ACTIONS
from ses_lsp.knowledge.networks import parse_cidr

VERDICTS = ("PASS", "FAIL", "GRAY", "PROCESSING_FAILED")
DMARC_POLICIES = ("NONE", "QUARANTINE", "REJECT")

# Subjects whose value is single per recipient, so that two conditions on it
# can contradict each other.  Header lists (TO, CC) and MIME headers can carry
# several values and are left out.
SINGLE_VALUED = frozenset(
    {
        ("Attribute", "RECIPIENT"),
        ("Attribute", "MAIL_FROM"),
        ("Attribute", "HELO"),
        ("Attribute", "SUBJECT"),
        ("Attribute", "MESSAGE_SIZE"),
        ("Attribute", "SOURCE_IP"),
        ("Attribute", "SPF"),
        ("Attribute", "DKIM"),
        ("Attribute", "TLS"),
        ("Attribute", "TLS_WRAPPED"),
        ("Attribute", "READ_RECEIPT_REQUESTED"),
        ("Dmarc",),
        # traffic policy conditions (evaluated per envelope recipient, on one connection)
        ("Attribute", "SENDER_IP"),
        ("Attribute", "SENDER_IPV6"),
        ("Attribute", "TLS_PROTOCOL"),
    }
)
# IsInAddressList attributes with one value per recipient (TO, CC, FROM, SENDER can list several).
SINGLE_VALUED_ADDRESS_ATTRIBUTES = frozenset({"RECIPIENT", "MAIL_FROM"})
_SINGLE_ADDRESS_VALUES = frozenset((a,) for a in SINGLE_VALUED_ADDRESS_ATTRIBUTES)  # as _plain gives them

EXPRESSIONS = {
    "StringExpression": "string",
    "IpExpression": "ip",
    "VerdictExpression": "verdict",
    "DmarcExpression": "dmarc",
    "NumberExpression": "number",
    "BooleanExpression": "boolean",
    # traffic policy statements (PolicyCondition)
    "Ipv6Expression": "ip",
    "TlsExpression": "tls",
}

OPERATORS = {
    "string": ("EQUALS", "NOT_EQUALS", "STARTS_WITH", "ENDS_WITH", "CONTAINS"),
    "ip": ("CIDR_MATCHES", "NOT_CIDR_MATCHES"),
    "verdict": ("EQUALS", "NOT_EQUALS"),
    "dmarc": ("EQUALS", "NOT_EQUALS"),
    "number": (
        "EQUALS",
        "NOT_EQUALS",
        "LESS_THAN",
        "GREATER_THAN",
        "LESS_THAN_OR_EQUAL",
        "GREATER_THAN_OR_EQUAL",
    ),
    "boolean": ("IS_TRUE", "IS_FALSE"),
    "tls": ("MINIMUM_TLS_VERSION", "IS"),
}
# TLS versions in increasing order (traffic policy TlsExpression values).
TLS_VERSIONS = ("TLS1_2", "TLS1_3")

DELIVERY_ACTIONS = MM_DELIVERY_ACTIONS


def _subject(evaluate: Node | None, family: str) -> tuple | None:
    """A hashable name for what an expression evaluates."""
    if family == "dmarc":
        return ("Dmarc",)
    if evaluate is None or evaluate.kind != OBJECT or len(evaluate.dict_value) != 1:
        return None
    ((key, val),) = evaluate.dict_value.items()
    if val.kind == STRING:
        return (key, val.value)
    if val.kind == OBJECT:
        parts = tuple(sorted((k, _plain(v)) for k, v in val.dict_value.items()))
        return (key, parts)
    return None


# Markers of the flat form of a collection in _plain (tuples: no scalar value is one).
_OPEN_OBJECT = ("{",)
_OPEN_ARRAY = ("[",)
_CLOSE = ("]",)


def _plain(node: Node) -> tuple:
    """A hashable value of a subtree that compares equal exactly when the subtrees hold the same
    values (members in any order): a flat tuple, its collections between markers, members by name.

    Flat and built without recursion, so no depth of document exhausts the interpreter's stack,
    neither here nor in comparing and hashing the result (which nested tuples would recurse in).
    """
    out: list[object] = []
    stack: list[Node | str | tuple[str]] = [node]
    while stack:
        item = stack.pop()
        if not isinstance(item, Node):  # a marker or a member name
            out.append(item)
            continue
        if item.kind == ARRAY:
            out.append(_OPEN_ARRAY)
            stack.append(_CLOSE)
            stack.extend(reversed(item.list_value))
        elif item.kind == OBJECT:
            out.append(_OPEN_OBJECT)
            stack.append(_CLOSE)
            for name, value in sorted(item.dict_value.items(), key=_by_name, reverse=True):
                stack.append(value)
                stack.append(name)
        else:
            out.append(item.value)
    return tuple(out)


def _by_name(member: tuple[str, Node]) -> str:
    return member[0]


@dataclass(frozen=True)
class Interval:
    lo: float
    hi: float
    lo_closed: bool
    hi_closed: bool

    def empty(self) -> bool:
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def intersect(self, o: Interval) -> Interval:
        if self.lo > o.lo or (self.lo == o.lo and not self.lo_closed):
            lo, lc = self.lo, self.lo_closed
        else:
            lo, lc = o.lo, o.lo_closed
        if self.hi < o.hi or (self.hi == o.hi and not self.hi_closed):
            hi, hc = self.hi, self.hi_closed
        else:
            hi, hc = o.hi, o.hi_closed
        return Interval(lo, hi, lc, hc)

    def within(self, o: Interval) -> bool:
        if self.empty():
            return True
        lo_ok = o.lo < self.lo or (o.lo == self.lo and (o.lo_closed or not self.lo_closed))
        hi_ok = o.hi > self.hi or (o.hi == self.hi and (o.hi_closed or not self.hi_closed))
        return lo_ok and hi_ok


INF = math.inf


def _number_set(op: str, x: float) -> list[Interval]:
    if op == "EQUALS":
        return [Interval(x, x, True, True)]
    if op == "NOT_EQUALS":
        return [Interval(-INF, x, False, False), Interval(x, INF, False, False)]
    if op == "LESS_THAN":
        return [Interval(-INF, x, False, False)]
    if op == "LESS_THAN_OR_EQUAL":
        return [Interval(-INF, x, False, True)]
    if op == "GREATER_THAN":
        return [Interval(x, INF, False, False)]
    if op == "GREATER_THAN_OR_EQUAL":
        return [Interval(x, INF, True, False)]
    return [Interval(-INF, INF, False, False)]


@dataclass(frozen=True)
class Predicate:
    """One condition: ``family`` expression on ``subject`` with ``operator`` and ``values``."""

    family: str
    subject: tuple
    operator: str
    values: tuple
    node: Node | None = field(default=None, compare=False, hash=False)
    # What the condition reads from a message, for evaluation (see :func:`_operand`); None when
    # the ``Evaluate`` member is incomplete.
    operand: tuple | None = field(default=None, compare=False, hash=False)

    @property
    def key(self) -> tuple:
        return (self.family, self.subject, self.operator, frozenset(self.values))

    def describe(self) -> str:
        """A short human form, e.g. ``RECIPIENT EQUALS "a@example.com"``."""
        subj = self.subject
        if subj == ("Dmarc",):
            name = "DMARC policy"
        elif subj[0] == "Attribute":
            name = str(subj[1])
        elif subj[0] == "MimeHeaderAttribute":
            name = f"header {subj[1]}"
        elif self.operand is not None and self.operand[0] == "address-list":
            lists = ", ".join(f'"{n}"' for n in self.operand[2])
            name = f"{self.operand[1]} in address list {lists}"
        else:
            name = str(subj[0])
        vals = ", ".join(f'"{v}"' if isinstance(v, str) else str(v) for v in self.values)
        return f"{name} {self.operator}" + (f" {vals}" if vals else "")

    @property
    def single_valued(self) -> bool:
        subj = self.subject
        if subj in SINGLE_VALUED or subj[:1] == ("Analysis",):
            return True
        if subj[:1] == ("IsInAddressList",) and len(subj) == 2 and isinstance(subj[1], tuple):
            attribute = dict(subj[1]).get("Attribute")  # a flat value (see _plain): ("RECIPIENT",)
            return attribute is not None and attribute[:1] in _SINGLE_ADDRESS_VALUES
        return False

    # -- finite domains ---------------------------------------------------------

    def _finite(self) -> frozenset[str] | None:
        if self.family == "tls":
            # The TLS versions a connection with TLS can have (without TLS neither operator holds).
            target = self.values[0] if self.values else None
            if target not in TLS_VERSIONS:
                return None
            rank = TLS_VERSIONS.index(str(target))
            if self.operator == "MINIMUM_TLS_VERSION":
                return frozenset(TLS_VERSIONS[rank:])
            return frozenset({str(target)}) if self.operator == "IS" else None
        universe = VERDICTS if self.family == "verdict" else DMARC_POLICIES if self.family == "dmarc" else None
        if universe is None:
            return None
        vals = set(self.values) & set(universe)
        if self.operator == "EQUALS":
            return frozenset(vals)
        if self.operator == "NOT_EQUALS":
            return frozenset(universe) - vals
        return None

    def _numbers(self) -> list[Interval] | None:
        if self.family != "number" or len(self.values) != 1:
            return None
        v = self.values[0]
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            return None
        return _number_set(self.operator, float(v))

    def never_matches(self) -> bool:
        """True when no message can satisfy this condition on its own (:meth:`never_reason` says why)."""
        return self.never_reason() is not None

    def never_reason(self) -> str | None:
        """Why no message can satisfy this condition on its own, or None when some message can:
        a verdict or DMARC ``NOT_EQUALS`` that lists every value, or a ``MESSAGE_SIZE`` test no
        size meets (a size is a whole number of bytes, 0 or more)."""
        fin = self._finite()
        if fin is not None:
            if fin:
                return None
            universe = VERDICTS if self.family == "verdict" else DMARC_POLICIES
            return f"{self.operator} lists every possible value ({', '.join(universe)})"
        if self.subject == ("Attribute", "MESSAGE_SIZE"):
            ints = self._numbers()
            if ints is not None and not any(_some_size(iv) for iv in ints):
                return f"{SIZE_DOMAIN}, and none is {_NUMBER_WORDS[self.operator]} {self.values[0]:g}"
        return None

    def always_reason(self) -> str | None:
        """Why every message satisfies this condition, or None when some message does not: a verdict
        or DMARC ``EQUALS`` that lists every value, or a ``MESSAGE_SIZE`` test every size meets."""
        fin = self._finite()
        if fin is not None:
            universe = VERDICTS if self.family == "verdict" else DMARC_POLICIES
            if fin != frozenset(universe):
                return None
            return f"{self.operator} lists every possible value ({', '.join(universe)})"
        negation = _NEGATED.get(self.operator)
        if self.subject == ("Attribute", "MESSAGE_SIZE") and negation is not None:
            if Predicate(self.family, self.subject, negation, self.values).never_reason() is not None:
                return f"{SIZE_DOMAIN}, and every one is {_NUMBER_WORDS[self.operator]} {self.values[0]:g}"
        return None

    # -- implication and contradiction -----------------------------------------

    def implies(self, other: Predicate) -> bool:
        """Every message satisfying ``self`` satisfies ``other`` (sound, not complete)."""
        if self.family != other.family or self.subject != other.subject:
            return False
        if self.key == other.key:
            return True
        fin_a, fin_b = self._finite(), other._finite()
        if fin_a is not None and fin_b is not None:
            return fin_a <= fin_b
        if self.family == "number":
            a, b = self._numbers(), other._numbers()
            if a is None or b is None:
                return False
            return all(any(x.within(y) for y in b) for x in a if not x.empty())
        if self.family == "boolean":
            return self.operator == other.operator
        if self.family == "string":
            return _string_implies(self.operator, self.values, other.operator, other.values)
        if self.family == "ip":
            return _ip_implies(self.operator, self.values, other.operator, other.values)
        return False

    def contradicts(self, other: Predicate) -> bool:
        """No message satisfies both (only for single-valued subjects)."""
        if self.family != other.family or self.subject != other.subject or not self.single_valued:
            return False
        fin_a, fin_b = self._finite(), other._finite()
        if fin_a is not None and fin_b is not None:
            return not (fin_a & fin_b)
        if self.family == "number":
            a, b = self._numbers(), other._numbers()
            if a is None or b is None:
                return False
            return all(x.intersect(y).empty() for x in a for y in b)
        if self.family == "boolean":
            return self.operator != other.operator
        if self.family == "string":
            return _string_disjoint(self.operator, self.values, other.operator, other.values)
        if self.family == "ip":
            return _ip_disjoint(self.operator, self.values, other.operator, other.values)
        return False

    # -- evaluation (simulator) ---------------------------------------------------

    def value_test(self) -> Callable[[Sequence[object]], bool]:
        """The condition as a test of the operand's values (build it once, call it often).

        An operand can hold several values (the addresses of a ``To`` header, the fields of a
        repeated ``X-`` header): every operator but ``NOT_EQUALS`` / ``NOT_CIDR_MATCHES``
        holds when it holds for some value and some of the condition's values (they are
        ORed); ``NOT_EQUALS`` / ``NOT_CIDR_MATCHES`` hold when no value equals (lies in) any
        of them.  An operand without values (no such header) meets only those two.
        Booleans are one value; ``MESSAGE_SIZE`` one number; a TLS version ``None`` without TLS.
        """
        op, vals, family = self.operator, self.values, self.family
        one: Callable[[object], bool] | None = None
        # (a number's NOT_EQUALS is already its two intervals around the value: not negated again)
        negated = op in ("NOT_EQUALS", "NOT_CIDR_MATCHES") and family != "number"
        if family == "string":
            pats = tuple(str(v) for v in vals)
            if op in ("EQUALS", "NOT_EQUALS"):
                one = frozenset(pats).__contains__
            elif op == "STARTS_WITH":
                one = lambda x: isinstance(x, str) and x.startswith(pats)  # noqa: E731
            elif op == "ENDS_WITH":
                one = lambda x: isinstance(x, str) and x.endswith(pats)  # noqa: E731
            elif op == "CONTAINS":
                one = lambda x: isinstance(x, str) and any(p in x for p in pats)  # noqa: E731
        elif family in ("verdict", "dmarc"):
            if op in ("EQUALS", "NOT_EQUALS"):
                one = frozenset(str(v) for v in vals).__contains__
        elif family == "number":
            ints = self._numbers()
            if ints is not None:
                one = lambda x: (  # noqa: E731
                    isinstance(x, (int, float)) and not isinstance(x, bool) and any(_in(iv, float(x)) for iv in ints)
                )
        elif family == "boolean":
            want = op == "IS_TRUE"
            one = lambda x: bool(x) is want  # noqa: E731
        elif family == "ip":
            blocks = _blocks(tuple(vals))
            if blocks is not None and op in ("CIDR_MATCHES", "NOT_CIDR_MATCHES"):
                one = _ip_inside(blocks)
        elif family == "tls":
            target = vals[0] if vals else None
            if target in TLS_VERSIONS:
                rank = TLS_VERSIONS.index(str(target))
                if op == "MINIMUM_TLS_VERSION":
                    one = lambda x: x in TLS_VERSIONS and TLS_VERSIONS.index(str(x)) >= rank  # noqa: E731
                elif op == "IS":
                    one = lambda x: x == target  # noqa: E731
        if one is None:
            return _never
        return _none_of(one) if negated else _some_of(one)

    @property
    def evaluable(self) -> bool:
        """Can the evaluation test it?  Not when a value cannot be read (a CIDR block that does
        not parse, an operator the family does not have): then it never holds."""
        return self.value_test() is not _never

    def matches(self, value: object) -> bool | None:
        """Evaluate against one value of the subject (None: unknown, or a value of the wrong type)."""
        if value is None:
            return None
        if self.family == "number":
            if not isinstance(value, (int, float, str)) or self._numbers() is None:
                return None
            try:
                value = float(value)
            except ValueError:  # not a number: unknown
                return None
        elif self.family == "ip":
            if _blocks(tuple(self.values)) is None or _address(str(value)) is None:
                return None
        elif self.family in ("string", "verdict", "dmarc"):
            value = str(value)
        return self.value_test()((value,))


def _some_of(one: Callable[[object], bool]) -> Callable[[Sequence[object]], bool]:
    def test(values: Sequence[object]) -> bool:
        for x in values:
            if one(x):
                return True
        return False

    return test


def _none_of(one: Callable[[object], bool]) -> Callable[[Sequence[object]], bool]:
    def test(values: Sequence[object]) -> bool:
        for x in values:
            if one(x):
                return False
        return True

    return test


def _never(values: Sequence[object]) -> bool:
    """The test of a condition that cannot be evaluated (an unreadable value list)."""
    return False


def _ip_inside(blocks: tuple[tuple[int, int, int], ...]) -> Callable[[object], bool]:
    """A test: does an address (text) lie in one of the blocks?  Unreadable text: no."""

    def inside(text: object) -> bool:
        addr = _address(str(text))
        if addr is None:
            return False
        v, n = addr
        for b in blocks:
            if b[0] == v and b[1] <= n <= b[2]:
                return True
        return False

    return inside


@lru_cache(maxsize=4096)  # pure: a mail's source address is tested by many conditions
def _address(text: str) -> tuple[int, int] | None:
    """(IP version, integer value) of an address (no prefix length), or None."""
    if "/" in text:
        return None
    parsed, _ = parse_cidr(text, classic=False)
    if parsed is None:
        return None
    return parsed.version, parsed.network.first


SIZE_DOMAIN = "a message size is a whole number of bytes, 0 or more"
_NUMBER_WORDS = {
    "EQUALS": "equal to",
    "NOT_EQUALS": "other than",
    "LESS_THAN": "less than",
    "GREATER_THAN": "greater than",
    "LESS_THAN_OR_EQUAL": "at most",
    "GREATER_THAN_OR_EQUAL": "at least",
}
_NEGATED = {
    "EQUALS": "NOT_EQUALS",
    "NOT_EQUALS": "EQUALS",
    "LESS_THAN": "GREATER_THAN_OR_EQUAL",
    "GREATER_THAN_OR_EQUAL": "LESS_THAN",
    "GREATER_THAN": "LESS_THAN_OR_EQUAL",
    "LESS_THAN_OR_EQUAL": "GREATER_THAN",
}


def _some_size(iv: Interval) -> bool:
    """Does the interval hold a message size (a whole number, 0 or more)?"""
    start = 0 if iv.lo < 0 else math.ceil(iv.lo)
    if start == iv.lo and not iv.lo_closed:
        start += 1
    return _in(iv, start)


def _in(iv: Interval, x: float) -> bool:
    lo_ok = x > iv.lo or (x == iv.lo and iv.lo_closed)
    hi_ok = x < iv.hi or (x == iv.hi and iv.hi_closed)
    return lo_ok and hi_ok


def _positive_match(op: str, value: str, v: str) -> bool:
    if op == "EQUALS":
        return value == v
    if op == "STARTS_WITH":
        return value.startswith(v)
    if op == "ENDS_WITH":
        return value.endswith(v)
    if op == "CONTAINS":
        return v in value
    return False


def _string_implies(op_a: str, vals_a: tuple, op_b: str, vals_b: tuple) -> bool:
    if op_a == "NOT_EQUALS":
        return op_b == "NOT_EQUALS" and set(vals_b) <= set(vals_a)
    if op_b == "NOT_EQUALS":
        # "a" implies "not any of B" when nothing a matches can equal a value of B
        return (
            op_a == "EQUALS"
            and not (set(vals_a) & set(vals_b))
            or (
                op_a in ("STARTS_WITH", "ENDS_WITH", "CONTAINS")
                and all(not _positive_match(op_a, b, a) for b in vals_b for a in vals_a)
            )
        )
    # positive operators: every a-pattern's matches are matches of some b-pattern
    for a in vals_a:
        if op_a == "EQUALS":
            if not any(_positive_match(op_b, a, b) for b in vals_b):
                return False
        elif op_a == op_b or (op_b == "CONTAINS" and op_a in ("STARTS_WITH", "ENDS_WITH")):
            # starts-with a implies starts-with b if a starts with b (likewise ends/contains)
            m = {"STARTS_WITH": str.startswith, "ENDS_WITH": str.endswith, "CONTAINS": str.__contains__}
            if op_b == "CONTAINS":
                if not any(b in a for b in vals_b):
                    return False
            elif not any(m[op_b](a, b) for b in vals_b):
                return False
        else:
            return False
    return True


def _string_disjoint(op_a: str, vals_a: tuple, op_b: str, vals_b: tuple) -> bool:
    if op_a == "EQUALS" and op_b == "EQUALS":
        return not (set(vals_a) & set(vals_b))
    if op_a == "EQUALS" and op_b == "NOT_EQUALS":
        return set(vals_a) <= set(vals_b)
    if op_b == "EQUALS" and op_a == "NOT_EQUALS":
        return set(vals_b) <= set(vals_a)
    if op_a == "EQUALS" and op_b in ("STARTS_WITH", "ENDS_WITH", "CONTAINS"):
        return all(not _positive_match(op_b, a, b) for a in vals_a for b in vals_b)
    if op_b == "EQUALS" and op_a in ("STARTS_WITH", "ENDS_WITH", "CONTAINS"):
        return all(not _positive_match(op_a, b, a) for a in vals_a for b in vals_b)
    if op_a == op_b == "STARTS_WITH":
        return all(not (a.startswith(b) or b.startswith(a)) for a in vals_a for b in vals_b)
    if op_a == op_b == "ENDS_WITH":
        return all(not (a.endswith(b) or b.endswith(a)) for a in vals_a for b in vals_b)
    return False


@lru_cache(maxsize=4096)  # pure; rules are compared pairwise, each value list many times
def _blocks(vals: tuple) -> tuple[tuple[int, int, int], ...] | None:
    """Each CIDR value as (IP version, first address, last address); None if one is not a block."""
    out = []
    for v in vals:
        parsed, _ = parse_cidr(str(v), classic=False)
        if parsed is None:
            return None
        n = parsed.network
        out.append((n.version, n.first, n.last))
    return tuple(out)


cidr_blocks = _blocks  # (public name: the witness builder's candidates)


def _within(x: tuple[int, int, int], y: tuple[int, int, int]) -> bool:
    """Block ``x`` lies inside block ``y`` (the same version; CIDR blocks nest or are disjoint)."""
    return x[0] == y[0] and y[1] <= x[1] and x[2] <= y[2]


def _ip_implies(op_a: str, vals_a: tuple, op_b: str, vals_b: tuple) -> bool:
    a, b = _blocks(vals_a), _blocks(vals_b)
    if a is None or b is None:
        return False
    if op_a == "CIDR_MATCHES" and op_b == "CIDR_MATCHES":
        return all(any(_within(x, y) for y in b) for x in a)
    if op_a == "NOT_CIDR_MATCHES" and op_b == "NOT_CIDR_MATCHES":
        return all(any(_within(y, x) for x in a) for y in b)
    if op_a == "CIDR_MATCHES" and op_b == "NOT_CIDR_MATCHES":
        return all(not (_within(x, y) or _within(y, x)) for x in a for y in b)
    return False


def _ip_disjoint(op_a: str, vals_a: tuple, op_b: str, vals_b: tuple) -> bool:
    a, b = _blocks(vals_a), _blocks(vals_b)
    if a is None or b is None:
        return False
    if op_a == "CIDR_MATCHES" and op_b == "CIDR_MATCHES":
        return all(not (_within(x, y) or _within(y, x)) for x in a for y in b)
    if op_a == "CIDR_MATCHES" and op_b == "NOT_CIDR_MATCHES":
        return all(any(_within(x, y) for y in b) for x in a)
    if op_b == "CIDR_MATCHES" and op_a == "NOT_CIDR_MATCHES":
        return all(any(_within(y, x) for x in a) for y in b)
    return False


def read_condition(node: Node) -> Predicate | None:
    """A predicate for one ``RuleCondition`` entry, or None when it is malformed."""
    if node.kind != OBJECT or len(node.dict_value) != 1:
        return None
    ((name, expr),) = node.dict_value.items()
    family = EXPRESSIONS.get(name)
    if family is None or expr.kind != OBJECT:
        return None
    op_node = expr.get("Operator")
    if op_node is None or op_node.kind != STRING or op_node.value not in OPERATORS[family]:
        return None  # (an operator the API does not have is the schema check's to report)
    subject = _subject(expr.get("Evaluate"), family)
    if subject is None:
        return None
    if family == "number":
        v = expr.get("Value")
        if v is None or v.kind not in (INTEGER, NUMBER):
            return None
        values: tuple = (v.value,)
    elif family == "tls":
        v = expr.get("Value")
        if v is None or v.kind != STRING:
            return None
        values = (v.value,)
    elif family == "boolean":
        values = ()
    else:
        vs = expr.get("Values")
        if vs is None or vs.kind != ARRAY:
            return None
        values = tuple(x.value for x in vs.list_value if x.kind == STRING)
        if not values:
            return None
    return Predicate(family, subject, op_node.str_value, values, node, _operand(expr.get("Evaluate"), family))


def _operand(evaluate: Node | None, family: str) -> tuple | None:
    """What a condition reads from the message, as a simulator resolves it:

    ``("dmarc",)``; ``("attribute", NAME)``; ``("header", X-NAME)``; ``("analysis", analyzer,
    result field)``; ``("address-list", ATTRIBUTE, (list, ...))``; ``("certificate", NAME)``.
    None when the ``Evaluate`` member is incomplete.
    """
    if family == "dmarc":
        return ("dmarc",)
    if evaluate is None or evaluate.kind != OBJECT or len(evaluate.dict_value) != 1:
        return None
    ((key, val),) = evaluate.dict_value.items()
    if key == "Attribute" and val.kind == STRING:
        return ("attribute", val.str_value)
    if key == "MimeHeaderAttribute" and val.kind == STRING:
        return ("header", val.str_value)
    if key == "ClientCertificateAttribute" and val.kind == STRING:
        return ("certificate", val.str_value)
    if key == "Analysis" and val.kind == OBJECT:
        analyzer, result = val.get("Analyzer"), val.get("ResultField")
        if analyzer is not None and analyzer.kind == STRING and result is not None and result.kind == STRING:
            return ("analysis", analyzer.str_value, result.str_value)
        return None
    if key == "IsInAddressList" and val.kind == OBJECT:
        attr, lists = val.get("Attribute"), val.get("AddressLists")
        if attr is None or attr.kind != STRING or lists is None or lists.kind != ARRAY:
            return None
        names = tuple(n.str_value for n in lists.list_value if n.kind == STRING)
        return ("address-list", attr.str_value, names) if names else None
    return None


@dataclass
class Action:
    type: str
    node: Node
    body: Node | None
    index: int


@dataclass
class Rule:
    node: Node
    index: int
    name: str | None
    conditions: list[Predicate]
    unless: list[Predicate]
    # Whether every entry of Conditions / Unless could be read as a predicate.
    conditions_complete: bool
    unless_complete: bool
    actions: list[Action]
    has_conditions: bool
    has_unless: bool

    @property
    def unconditional(self) -> bool:
        return not self.has_conditions and not self.has_unless

    @property
    def drop_index(self) -> int | None:
        for a in self.actions:
            if a.type == "Drop":
                return a.index
        return None

    def label(self) -> str:
        return f'rule "{self.name}"' if self.name else f"rule #{self.index + 1}"

    def covers(self, later: Rule) -> bool:
        """Every recipient ``later`` applies to, ``self`` applies to as well (sound)."""
        if self.has_unless or not self.conditions_complete:
            return False
        if self.unconditional:
            return True
        if not later.conditions_complete:
            return False
        return all(any(lc.implies(c) for lc in later.conditions) for c in self.conditions)


def _read_conditions(node: Node | None) -> tuple[list[Predicate], bool, bool]:
    if node is None:
        return [], True, False
    if node.kind != ARRAY:
        return [], False, True
    preds = [read_condition(c) for c in node.list_value]
    ok = [p for p in preds if p is not None]
    return ok, len(ok) == len(preds), bool(node.list_value)


def read_rule(node: Node, index: int) -> Rule | None:
    if node.kind != OBJECT:
        return None
    name_node = node.get("Name")
    name = name_node.str_value if name_node is not None and name_node.kind == STRING else None
    conds, conds_ok, has_c = _read_conditions(node.get("Conditions"))
    unless, unless_ok, has_u = _read_conditions(node.get("Unless"))
    actions: list[Action] = []
    acts = node.get("Actions")
    if acts is not None and acts.kind == ARRAY:
        for i, a in enumerate(acts.list_value):
            if a.kind == OBJECT and len(a.dict_value) == 1:
                ((t, body),) = a.dict_value.items()
                actions.append(Action(t, a, body, i))
            else:
                actions.append(Action("", a, None, i))
    return Rule(node, index, name, conds, unless, conds_ok, unless_ok, actions, has_c, has_u)


def read_rules(rules_node: Node | None) -> list[Rule]:
    if rules_node is None or rules_node.kind != ARRAY:
        return []
    out = []
    for i, n in enumerate(rules_node.list_value):
        r = read_rule(n, i)
        if r is not None:
            out.append(r)
    return out


@dataclass
class Condition:
    """One entry of a ``Conditions``/``Unless`` list: its predicate (None when it cannot be read)."""

    index: int
    node: Node
    predicate: Predicate | None


def read_condition_list(node: Node | None) -> list[Condition]:
    """Every entry of a condition list, readable or not, in order."""
    if node is None or node.kind != ARRAY:
        return []
    return [Condition(i, c, read_condition(c)) for i, c in enumerate(node.list_value)]


@dataclass
class PolicyStatement:
    """A traffic policy statement: ``ALLOW`` or ``DENY`` when all its conditions hold."""

    node: Node
    index: int
    action: str | None
    action_node: Node | None
    conditions: list[Condition]


@dataclass
class TrafficPolicy:
    node: Node
    name: str | None
    statements: list[PolicyStatement]
    default_action: str | None
    default_node: Node | None
    max_size: float | None
    max_size_node: Node | None

    def label(self) -> str:
        return f'traffic policy "{self.name}"' if self.name else "the traffic policy"


def read_traffic_policy(root: Node | None) -> TrafficPolicy | None:
    """A ``create-traffic-policy`` / ``update-traffic-policy`` / ``get-traffic-policy`` document."""
    if root is None or root.kind != OBJECT:
        return None
    name = root.get("TrafficPolicyName")
    statements: list[PolicyStatement] = []
    sts = root.get("PolicyStatements")
    if sts is not None and sts.kind == ARRAY:
        for i, st in enumerate(sts.list_value):
            if st.kind != OBJECT:
                continue
            action = st.get("Action")
            statements.append(
                PolicyStatement(
                    st,
                    i,
                    action.str_value if action is not None and action.kind == STRING else None,
                    action,
                    read_condition_list(st.get("Conditions")),
                )
            )
    default = root.get("DefaultAction")
    size = root.get("MaxMessageSizeBytes")
    return TrafficPolicy(
        root,
        name.str_value if name is not None and name.kind == STRING else None,
        statements,
        default.str_value if default is not None and default.kind == STRING else None,
        default,
        float(size.value)
        if size is not None and size.kind in (INTEGER, NUMBER) and isinstance(size.value, (int, float))
        else None,
        size,
    )
