"""What the semantic diff enumerates: dimensions of mail, and the classes (witness values) of each.

Shared by :mod:`ses_lsp.semantics.diff` (SES classic) and :mod:`ses_lsp.semantics.mm_classes`
(Mail Manager).  Pure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ses_lsp.lint.text import quote
from ses_lsp.semantics.mail import Mail

DEFAULT_IPV4 = "192.0.2.1"  # the scenario's default (TEST-NET-1)
DEFAULT_IPV6 = "2001:db8::1"  # a documentation address (RFC 3849)


@dataclass
class Candidate:
    """One class of a dimension: a witness value (as scenario members) and the class's label."""

    label: str
    scenario: dict[str, Any]
    signature: object = None


@dataclass
class Dimension:
    """One thing a mail varies in: its classes, and how to find the class of any mail's value."""

    name: str
    candidates: list[Candidate]
    classify: Callable[[Mail, str], object]  # (mail, recipient) -> signature
    any_label: str = ""  # how a class that does not restrict this dimension reads ("" = say nothing)
    owners: frozenset[int] = frozenset()  # Mail Manager: the rules and statements whose conditions read it
    # Mail Manager: a condition's (predicate key, operand) -> its place in this dimension's signatures
    positions: dict[tuple, int] = field(default_factory=dict)

    def index_of(self, mail: Mail, recipient: str) -> int | None:
        sig = self.classify(mail, recipient)
        for i, c in enumerate(self.candidates):
            if c.signature == sig:
                return i
        return None


def ip_label(p: Any, blocks: Sequence[Any], nowhere: str) -> str:
    """The class of source addresses of ``p`` (a netaddr IPAddress) among ``blocks`` (IPNetworks):
    "from 10.0.0.0/8 (outside 10.1.0.0/16)", or "from a source address in {nowhere}"."""
    inside = [b for b in blocks if p.version == b.version and p in b]
    if not inside:
        return f"from a source address in {nowhere}" if blocks else ""
    inner = max(inside, key=lambda b: b.prefixlen)
    holes = [str(b) for b in blocks if b.version == inner.version and b != inner and b in inner and p not in b]
    return f"from {_cidr_text(inner)}" + (f" (outside {', '.join(holes)})" if holes else "")


def _cidr_text(net: Any) -> str:
    full = 32 if net.version == 4 else 128
    return str(net.ip) if net.prefixlen == full else str(net)


def describe_value(v: object) -> str:
    return quote(v) if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)
