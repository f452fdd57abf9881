"""The classes of mail a Mail Manager pipeline can tell apart, one dimension per thing its
conditions read (see :mod:`ses_lsp.semantics.diff`; the classes are :mod:`ses_lsp.semantics.classes`).

Each :class:`~ses_lsp.semantics.diff.Dimension` holds witness values, one per *signature*: the
truth values, for that value, of every condition (of either version's rules and traffic policy)
that reads it.  Witness values by operand:

* strings (``RECIPIENT``, ``MAIL_FROM``, ``HELO``, a client certificate attribute, an add-on
  result): the constants of the conditions, every concatenation of two of them, each with and
  without a character before and after;
* header fields that may be missing or repeated (``FROM``, ``SENDER``, ``TO``, ``CC``,
  ``SUBJECT``, ``X-`` headers): missing, each string above, and two of them together;
* the source IP: the first and last address of every CIDR block, and the addresses just outside;
* ``MESSAGE_SIZE`` (and the traffic policy's ``MaxMessageSizeBytes``): 0, and each constant and
  its neighbours;
* verdicts, the DMARC policy, booleans, TLS (none, ``TLS1_2``, ``TLS1_3``): every value;
* address lists: empty, or holding every address (``*``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics import mailmanager as mm
from ses_lsp.semantics.classes import DEFAULT_IPV4, DEFAULT_IPV6, Candidate, Dimension, describe_value, ip_label
from ses_lsp.semantics.mail import Mail, build_mail

DEFAULT_RECIPIENT = "someone@example.com"
MAX_FRAGMENTS = 24  # constants of one operand combined in pairs (more: each alone)
MAX_PAIRED_VALUES = 24  # values of a repeatable header combined two at a time

_ADDRESS_HEADERS = {"FROM": "From", "SENDER": "Sender", "TO": "To", "CC": "Cc"}
_ADDRESS = re.compile(r"[^@\s,;<>()\"]+@[^@\s,;<>()\"]+")


class _Reader:
    """The conditions that read one dimension's operands, and a mail's signature for them."""

    def __init__(self) -> None:
        self.conds: list[tuple[mm.Predicate, Callable[[Sequence[object]], bool]]] = []
        self.keys: set[tuple] = set()
        self.owners: set[int] = set()
        self.max_sizes: list[float] = []

    def add(self, p: mm.Predicate, owner: int) -> None:
        self.owners.add(owner)
        key = (p.key, p.operand)
        if key not in self.keys:
            self.keys.add(key)
            self.conds.append((p, p.value_test()))

    @property
    def positions(self) -> dict[tuple, int]:
        return {(p.key, p.operand): i for i, (p, _) in enumerate(self.conds)}

    def signature(self, mail: Mail, recipient: str) -> tuple:
        values = ev._Values(mail)
        out = tuple(test(values.get(p.operand or (), p.family, recipient)) for p, test in self.conds)
        if self.max_sizes:
            out += tuple(mail.size > m for m in self.max_sizes)
        return out

    def strings(self) -> list[str]:
        out: dict[str, None] = {}
        for p, _ in self.conds:
            for v in p.values:
                if isinstance(v, str):
                    out[v] = None
        return list(out)


def _dim_key(p: mm.Predicate) -> tuple | None:
    """Which dimension a condition's operand belongs to."""
    op = p.operand
    if op is None:
        return None
    kind = op[0]
    if kind == "attribute":
        name = op[1]
        if name in ("SOURCE_IP", "SENDER_IP", "SENDER_IPV6"):
            return ("ip",)
        if name in ("TLS", "TLS_PROTOCOL"):
            return ("tls",)
        return ("attribute", name)
    if kind == "address-list":
        return ("list", op[2])
    if kind == "analysis":
        return ("analysis", op[1], op[2], p.family)
    return op


def _setups_conditions(setups: Sequence[ev.MailManagerSetup]) -> Iterator[tuple[mm.Predicate, int]]:
    owner = 0
    for s in setups:
        for cr in s.compiled:
            owner += 1
            for c in (*cr.conditions, *cr.unless):
                if c.cond.predicate is not None and c.cond.predicate.operand is not None:
                    yield c.cond.predicate, owner
        for _, conds in s.policy_compiled:
            owner += 1
            for c in conds:
                if c.cond.predicate is not None and c.cond.predicate.operand is not None:
                    yield c.cond.predicate, owner


def dimensions(setups: Sequence[ev.MailManagerSetup]) -> list[Dimension]:
    """The dimensions of mail the pipelines' conditions read: the recipient first, then in the
    order the conditions name them."""
    readers: dict[tuple, _Reader] = {}
    for p, owner in _setups_conditions(setups):
        key = _dim_key(p)
        if key is not None:
            readers.setdefault(key, _Reader()).add(p, owner)
    tls_needed = (
        any(s.ingress is not None and s.ingress.tls_policy in ("REQUIRED", "FIPS") for s in setups)
        or ("tls",) in readers
    )
    sizes = [s.policy.max_size for s in setups if s.policy is not None and s.policy.max_size is not None]
    if sizes:
        readers.setdefault(("attribute", "MESSAGE_SIZE"), _Reader()).max_sizes = sorted(set(sizes))
    dims = [_recipient(readers.pop(("attribute", "RECIPIENT"), None))]
    if tls_needed:
        dims.append(_tls(readers.pop(("tls",), _Reader())))
    for key, reader in readers.items():
        dims.append(_dimension(key, reader))
    return dims


def finish(scenario: dict[str, Any]) -> dict[str, Any]:
    """A witness scenario with what every mail needs (a recipient)."""
    if "Recipients" not in scenario:
        return {"Recipients": [DEFAULT_RECIPIENT], **scenario}
    return scenario


def _dedupe(name: str, reader: _Reader, values: Iterable[tuple[str, dict[str, Any]]], any_label: str = "") -> Dimension:
    """A dimension of the first witness of each signature."""
    seen: set[tuple] = set()
    candidates = []
    for label, scenario in values:
        mail = build_mail(finish(scenario))
        sig = reader.signature(mail, mail.recipients[0])
        if sig in seen:
            continue
        seen.add(sig)
        candidates.append(Candidate(label, scenario, sig))
    return Dimension(name, candidates, reader.signature, any_label, frozenset(reader.owners), reader.positions)


def _strings(reader: _Reader, nonempty: bool = False, prefer_addresses: bool = False) -> list[str]:
    consts = reader.strings()
    frags = ["", *consts]
    pairs = len(frags) <= MAX_FRAGMENTS
    out: set[str] = set()
    for f1 in frags:
        for f2 in frags if pairs else [""]:
            for pre in ("", "x"):
                for post in ("", "x"):
                    out.add(pre + f1 + f2 + post)
    if nonempty:
        out.discard("")
    if prefer_addresses:
        return sorted(out, key=lambda s: (_ADDRESS.fullmatch(s) is None, len(s), s))
    return sorted(out, key=lambda s: (len(s), s))


def _recipient(reader: _Reader | None) -> Dimension:
    if reader is None:
        return Dimension(
            "recipient",
            [Candidate("", {"Recipients": [DEFAULT_RECIPIENT]}, ())],
            lambda mail, rcpt: (),
        )
    values = [DEFAULT_RECIPIENT, *_strings(reader, nonempty=True, prefer_addresses=True)]
    return _dedupe("recipient", reader, ((f"to {quote_value(v)}", {"Recipients": [v]}) for v in values))


def quote_value(v: object) -> str:
    return describe_value(v)


def _tls(reader: _Reader) -> Dimension:
    values: list[tuple[str, dict[str, Any]]] = [
        ("", {"Tls": True, "TlsProtocol": "TLS1_3"}),
        ("over TLS1_2", {"Tls": True, "TlsProtocol": "TLS1_2"}),
        ("without TLS", {"Tls": False}),
    ]
    # (with no TLS_PROTOCOL condition, TLS1_2 has TLS1_3's signature and is dropped; the ingress
    # point's TLS policy is not a condition, so "without TLS" is always kept)
    seen: set[tuple] = set()
    candidates = []
    for label, scenario in values:
        mail = build_mail(finish(scenario))
        sig = (*reader.signature(mail, mail.recipients[0]), mail.tls)
        if sig in seen:
            continue
        seen.add(sig)
        candidates.append(Candidate(label, scenario, sig))
    return Dimension(
        "TLS",
        candidates,
        lambda mail, rcpt: (*reader.signature(mail, rcpt), mail.tls),
        "",
        frozenset(reader.owners),
        reader.positions,
    )


def _dimension(key: tuple, reader: _Reader) -> Dimension:
    kind = key[0]
    if kind == "ip":
        return _dedupe("source IP", reader, _ip_values(reader))
    if kind == "list":
        lists = key[1]
        shown = ", ".join(lists)
        return _dedupe(
            f"address list {shown}",
            reader,
            [
                ("", {}),
                (f"with every address in {shown}", {"AddressLists": dict.fromkeys(lists, ["*"])}),
            ],
        )
    if kind == "analysis":
        _, analyzer, result, family = key
        if family == "boolean":
            vals: list[object] = [False, True]
        elif family == "verdict":
            vals = list(mm.VERDICTS)
        else:
            vals = list(_strings(reader))
        return _dedupe(
            f"add-on {analyzer} {result}",
            reader,
            ((f"with add-on {result} {describe_value(v)}", {"AddOns": {analyzer: {result: v}}}) for v in vals),
        )
    if kind == "certificate":
        attr = key[1]
        return _dedupe(
            f"client certificate {attr}",
            reader,
            (
                (f"with client certificate {attr} {quote_value(v)}", {"ClientCertificate": {attr: v}})
                for v in _strings(reader)
            ),
        )
    if kind == "dmarc":
        return _dedupe(
            "DMARC policy",
            reader,
            ((f"with DMARC policy {v}", {"DmarcPolicy": v}) for v in mm.DMARC_POLICIES),
        )
    if kind == "header":
        name = key[1]
        return _dedupe(f"header {name}", reader, _header_values(reader, name, False))
    name = key[1]
    if name in _ADDRESS_HEADERS:
        return _dedupe(name, reader, _header_values(reader, _ADDRESS_HEADERS[name], True))
    if name == "SUBJECT":
        return _dedupe(name, reader, _header_values(reader, "Subject", False))
    if name in ("SPF", "DKIM"):
        member = name.capitalize()
        return _dedupe(name, reader, ((f"with {name} {v}", {"Verdicts": {member: v}}) for v in mm.VERDICTS))
    if name == "MESSAGE_SIZE":
        return _size_dimension(reader)
    if name in ("TLS_WRAPPED", "READ_RECEIPT_REQUESTED"):
        member = "TlsWrapped" if name == "TLS_WRAPPED" else "ReadReceiptRequested"
        return _dedupe(name, reader, ((f"with {name} {str(v).lower()}", {member: v}) for v in (False, True)))
    if name in ("MAIL_FROM", "HELO"):
        member = "MailFrom" if name == "MAIL_FROM" else "Helo"
        return _dedupe(name, reader, ((f"with {name} {quote_value(v)}", {member: v}) for v in _strings(reader)))
    # An attribute the model reads as no value: one class.
    return _dedupe(name, reader, [("", {})])


def _header_values(reader: _Reader, field: str, addresses: bool) -> Iterator[tuple[str, dict[str, Any]]]:
    from email.utils import getaddresses

    yield (f"without a {field} header", {})
    singles = []
    for v in _strings(reader, prefer_addresses=addresses):
        if addresses and [a for _, a in getaddresses([v]) if a] != [v]:
            continue  # (not read back as that one address)
        singles.append(v)
    for v in singles:
        yield (f"with {field} {quote_value(v)}", {"Headers": {field: [v]}})
    firsts = _distinct(reader, field, singles)[:MAX_PAIRED_VALUES]
    for i, a in enumerate(firsts):
        for b in firsts[i + 1 :]:
            yield (f"with {field} {quote_value(a)} and {quote_value(b)}", {"Headers": {field: [a, b]}})


def _distinct(reader: _Reader, field: str, values: list[str]) -> list[str]:
    """The first value of each signature (one header field holding it)."""
    seen: set[tuple] = set()
    out = []
    for v in values:
        mail = build_mail({"Recipients": [DEFAULT_RECIPIENT], "Headers": {field: [v]}})
        sig = reader.signature(mail, DEFAULT_RECIPIENT)
        if sig not in seen:
            seen.add(sig)
            out.append(v)
    return out


def _ip_values(reader: _Reader) -> Iterator[tuple[str, dict[str, Any]]]:
    from netaddr import IPAddress, IPNetwork

    blocks = []
    for p, _ in reader.conds:
        for b in mm._blocks(tuple(p.values)) or ():
            net = IPNetwork(IPAddress(b[1], 4 if b[0] == 4 else 6))
            net.prefixlen = (32 if b[0] == 4 else 128) - (b[2] - b[1] + 1).bit_length() + 1
            blocks.append(net)
    blocks = list(dict.fromkeys(blocks))
    for ip in _ip_points(reader):
        yield (ip_label(IPAddress(ip), blocks, "no condition's range") or f"from {ip}", {"SourceIp": ip})


def _ip_points(reader: _Reader) -> list[str]:
    from netaddr import IPAddress

    points = [DEFAULT_IPV4]
    for p, _ in reader.conds:
        for block in mm._blocks(tuple(p.values)) or ():
            version, first, last = block
            top = 2**32 - 1 if version == 4 else 2**128 - 1
            for v in (first, last, first - 1, last + 1):
                if 0 <= v <= top:
                    points.append(str(IPAddress(v, 4 if version == 4 else 6)))
    points.append(DEFAULT_IPV6)
    return list(dict.fromkeys(points))


def _size_dimension(reader: _Reader) -> Dimension:
    """Sizes: one witness per signature, labelled with the run of sizes around it that shares it
    (the signature changes only at the constants, and every constant's neighbours are sampled)."""
    points = _sizes(reader)
    sigs = [
        reader.signature(build_mail({"Recipients": [DEFAULT_RECIPIENT], "Size": n}), DEFAULT_RECIPIENT) for n in points
    ]
    seen: set[tuple] = set()
    candidates = []
    for i, (n, sig) in enumerate(zip(points, sigs, strict=True)):
        if sig in seen:
            continue
        seen.add(sig)
        j = i
        while j + 1 < len(points) and sigs[j + 1] == sig:
            j += 1
        if len(points) == 1:
            label = ""
        elif j == len(points) - 1:
            label = f"of {n} bytes or more"
        elif i == 0:
            label = f"of at most {points[j]} bytes"
        elif i == j:
            label = f"of {n} bytes"
        else:
            label = f"of {n} to {points[j]} bytes"
        candidates.append(Candidate(label, {"Size": n}, sig))
    return Dimension("MESSAGE_SIZE", candidates, reader.signature, "", frozenset(reader.owners), reader.positions)


def _sizes(reader: _Reader) -> list[int]:
    out = {0}
    consts: list[float] = list(reader.max_sizes)
    for p, _ in reader.conds:
        consts.extend(float(v) for v in p.values if isinstance(v, (int, float)) and not isinstance(v, bool))
    for x in consts:
        if math.isfinite(x):
            for n in (math.floor(x) - 1, math.floor(x), math.ceil(x), math.ceil(x) + 1):
                if n >= 0:
                    out.add(n)
    return sorted(out)


def _meeting(dims: Sequence[Dimension], want: dict[tuple, bool]) -> tuple[int, ...] | None:
    """The first classes that give each condition of ``want`` its wanted truth value (the
    dimensions no condition of ``want`` reads at their first class); None when a dimension has
    no such class (the conditions cannot all hold)."""
    out = []
    for dim in dims:
        need = [(pos, want[key]) for key, pos in dim.positions.items() if key in want]
        if not need:
            out.append(0)
            continue
        for k, c in enumerate(dim.candidates):
            sig = c.signature
            if isinstance(sig, tuple) and all(sig[pos] is value for pos, value in need):
                out.append(k)
                break
        else:
            return None
    return tuple(out)


def _wants(setups: Sequence[ev.MailManagerSetup]) -> Iterator[dict[tuple, bool]]:
    """For each rule: its conditions holding and its Unless conditions not (or each Unless alone
    holding); for each policy statement: its conditions holding."""

    def key(c: Any) -> tuple | None:
        p = c.cond.predicate
        return (p.key, p.operand) if p is not None and p.operand is not None else None

    for s in setups:
        for cr in s.compiled:
            conds = {k: True for k in map(key, cr.conditions) if k is not None}
            unless = [k for k in map(key, cr.unless) if k is not None]
            yield {**conds, **dict.fromkeys(unless, False)}
            for u in unless:
                yield {**conds, u: True}
        for _, statement in s.policy_compiled:
            yield {k: True for k in map(key, statement) if k is not None}


def bounded(dims: Sequence[Dimension], setups: Sequence[ev.MailManagerSetup], budget: int) -> Iterator[tuple[int, ...]]:
    """Fewer combinations than the product, within ``budget``: every class of each dimension with
    the others at their first class; for each rule and policy statement, a mail that meets its
    conditions (and each of its Unless conditions alone), with every class of one dimension
    changed at a time; then every pair of classes of two dimensions one rule (or policy
    statement) reads together (the recipient is paired with every dimension)."""
    seen: set[tuple[int, ...]] = set()

    def around(base: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
        yield base
        for d, dim in enumerate(dims):
            for k in range(len(dim.candidates)):
                if k != base[d]:
                    yield base[:d] + (k,) + base[d + 1 :]

    def fresh(combos: Iterable[tuple[int, ...]]) -> Iterator[tuple[int, ...]]:
        for c in combos:
            if c not in seen:
                seen.add(c)
                yield c

    base = tuple(0 for _ in dims)
    sources: list[Iterable[tuple[int, ...]]] = [around(base)]
    for want in _wants(setups):
        start = _meeting(dims, want)
        if start is not None:
            sources.append(around(start))
    sources.append(_pairs(dims, base))
    for source in sources:
        for combo in fresh(source):
            if len(seen) > budget:
                return
            yield combo


def _pairs(dims: Sequence[Dimension], base: tuple[int, ...]) -> Iterator[tuple[int, ...]]:
    owners = [dim.owners for dim in dims]
    for a in range(len(dims)):
        for b in range(a + 1, len(dims)):
            if a != 0 and not (owners[a] & owners[b]):
                continue
            for i in range(1, len(dims[a].candidates)):
                for j in range(1, len(dims[b].candidates)):
                    cells = list(base)
                    cells[a], cells[b] = i, j
                    yield tuple(cells)
