"""Email addresses and domain names: the grammar mail systems accept, and what a verified
domain identity covers.

A domain is a non-empty sequence of labels separated by single dots; a label holds
letters and digits of any script (international domains, RFC 6531), ``-`` and ``_``; the
whole name has at most 253 characters.  An address is ``local@domain``: the local part is
an unquoted run of characters without white space and specials, or a quoted string, of
at most 64 octets; the domain is a fully qualified domain or an address literal
(``[192.0.2.1]``, ``[IPv6:2001:db8::1]``); the address has at most 254 characters.  The
checks are conservative: only clear mistakes are reported, since a false positive is
worse than a miss.

``Recipients`` entries of classic receipt rules (:class:`ses_lsp.semantics.classic.Recipient`)
are an address, a domain or ``.domain``: they share this domain grammar.

Sources:

* RFC 5321 section 4.1.2 (Mailbox, Local-part, Domain, address-literal):
  https://www.rfc-editor.org/rfc/rfc5321#section-4.1.2
* RFC 5321 section 4.1.3 (address literals): https://www.rfc-editor.org/rfc/rfc5321#section-4.1.3
* RFC 5321 section 4.5.3.1 (size limits: local part 64 octets, path 256 octets):
  https://www.rfc-editor.org/rfc/rfc5321#section-4.5.3.1
* RFC 1035 section 2.3.4 (a domain name is at most 255 octets: 253 characters as text):
  https://www.rfc-editor.org/rfc/rfc1035#section-2.3.4
* RFC 6531 (SMTPUTF8: non-ASCII local parts and domains): https://www.rfc-editor.org/rfc/rfc6531
* RFC 5322 section 3.4 (a display name before ``<address>``): https://www.rfc-editor.org/rfc/rfc5322#section-3.4
* SES identities (a verified domain covers its subdomains):
  https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ses_lsp.lint.text import quote

MAX_DOMAIN_LENGTH = 253
MAX_ADDRESS_LENGTH = 254
MAX_LOCAL_OCTETS = 64

# A domain as one regular expression, for callers that match it inside a larger pattern
# (its length is checked apart: at most MAX_DOMAIN_LENGTH).
DOMAIN_PATTERN = r"[\w-]+(?:\.[\w-]+)*"

# The patterns below are compiled on first use (by the re module's cache): the classic
# Recipient model imports this module for every classic lint and needs none of them.
_QUOTED_LOCAL = r'"(?:[^"\\\r\n]|\\.)*"'
_DISPLAY = r"[^<>]*<([^<>]*)>"
_IPV4_LIKE = r"[0-9]{1,3}(\.[0-9]{1,3}){3}"


class DomainFault:
    """The first way a text breaks the domain grammar."""

    __slots__ = ("kind", "char")

    def __init__(self, kind: str, char: str = "") -> None:
        self.kind = kind  # "empty", "leading-dot", "trailing-dot", "double-dot", "character" or "too-long"
        self.char = char  # the character that is not allowed ("character")

    def __repr__(self) -> str:
        return f"DomainFault({self.kind!r}, {self.char!r})"

    @property
    def empty_label(self) -> bool:
        """A leading, trailing or double dot: a label is empty."""
        return self.kind in ("leading-dot", "trailing-dot", "double-dot")

    @property
    def reason(self) -> str:
        """What is wrong, to follow the domain in a message ("... starts with a dot")."""
        return {
            "empty": "is empty",
            "leading-dot": "starts with a dot",
            "trailing-dot": "ends with a dot; write it without the trailing dot",
            "double-dot": "has two dots in a row",
            "character": f"contains {quote(self.char)}, which is not allowed in a domain name",
            "too-long": f"is longer than {MAX_DOMAIN_LENGTH} characters",
        }[self.kind]


def domain_fault(d: str) -> DomainFault | None:
    """Why ``d`` is not a domain name, or None when it is one."""
    if re.fullmatch(DOMAIN_PATTERN, d) is not None and len(d) <= MAX_DOMAIN_LENGTH:
        return None  # the common case, in one match
    if not d:
        return DomainFault("empty")
    if d.startswith("."):
        return DomainFault("leading-dot")
    if d.endswith("."):
        return DomainFault("trailing-dot")
    if ".." in d:
        return DomainFault("double-dot")
    bad = next((c for c in d if not (c.isalnum() or c in "-._")), None)
    if bad is not None:
        return DomainFault("character", bad)
    return DomainFault("too-long")


def is_domain(d: str) -> bool:
    """Is ``d`` a domain name (see :func:`domain_fault`)?"""
    return domain_fault(d) is None


# -- addresses ---------------------------------------------------------------------------

_LOCAL_FORBIDDEN = '<>()[],;:\\"'


def without_display_name(text: str) -> str:
    """The address of ``Name <local@domain>``; any other text as it is."""
    m = re.fullmatch(_DISPLAY, text)
    return m.group(1).strip() if m else text


def address_problem(text: str, display_name: bool = False) -> str | None:
    """Why ``text`` is not an email address, else None.

    Accepts ``local@domain`` with a quoted or unquoted local part (any
    non-ASCII characters: SMTPUTF8), a domain with at least one dot (IDN
    accepted) or an address literal (``[192.0.2.1]``, ``[IPv6:2001:db8::1]``).
    With ``display_name``, ``Name <local@domain>`` is accepted too.  Only clear
    mistakes are reported: a false positive is worse than a miss.
    """
    t = text
    if t == "":
        return "it is empty"
    if t != t.strip():
        return "it has white space around the address"
    if display_name:
        t = without_display_name(t)
    if t.lower().startswith("mailto:"):
        return "it has a 'mailto:' prefix"
    if len(t) > MAX_ADDRESS_LENGTH:
        return f"it is {len(t)} characters long; an address has at most {MAX_ADDRESS_LENGTH}"
    surrogate = next((c for c in t if "\ud800" <= c <= "\udfff"), None)
    if surrogate is not None:
        # Only a JSON \uXXXX escape can write one; no encoding (so no mail system) carries it.
        return f"it contains {quote(surrogate)}, half of a UTF-16 surrogate pair, which is not a character"
    if t.startswith('"'):
        m = re.match(_QUOTED_LOCAL, t)
        if not m or t[m.end() : m.end() + 1] != "@":
            return "its quoted local part is not closed before the '@'"
        local, domain = t[: m.end()], t[m.end() + 1 :]
    else:
        if "@" not in t:
            return "it has no '@'"
        local, _, domain = t.rpartition("@")
        if "@" in local:
            return "it has more than one '@'"
        if not local:
            return "nothing comes before the '@'"
        bad = next(
            (c for c in local if c.isspace() or c in _LOCAL_FORBIDDEN or ord(c) < 32 or ord(c) == 127),
            None,
        )
        if bad is not None:
            shown = "white space" if bad.isspace() else quote(bad)
            return f"its local part contains {shown}, which needs quoting (or is a typo)"
        if len(local.encode("utf-8")) > MAX_LOCAL_OCTETS:
            return f"its local part is longer than {MAX_LOCAL_OCTETS} octets"
    if not domain:
        return "nothing comes after the '@'"
    if domain.startswith("[") and domain.endswith("]"):
        return _literal_problem(domain[1:-1])
    fault = domain_fault(domain)
    if fault is not None:
        if fault.kind == "character":
            shown = "white space" if fault.char.isspace() else quote(fault.char)
            return f"its domain {quote(domain)} contains {shown}"
        if fault.empty_label:
            return f"its domain {quote(domain)} has an empty label (a leading, trailing or double '.')"
        return f"its domain {quote(domain)} {fault.reason}"
    if "." not in domain:
        return f"its domain {quote(domain)} has no '.'; use a fully qualified domain such as 'example.com'"
    if re.fullmatch(_IPV4_LIKE, domain):
        return f"its domain {quote(domain)} is an IP address; write an address literal such as [{domain}]"
    return None


def _literal_problem(inner: str) -> str | None:
    import netaddr

    if inner[:5].lower() == "ipv6:":
        if netaddr.valid_ipv6(inner[5:]):
            return None
        return f"its address literal [{inner}] is not a valid IPv6 address"
    if netaddr.valid_ipv4(inner, flags=netaddr.INET_PTON):
        return None
    return f"its address literal [{inner}] is not a valid IPv4 address (IPv6 literals start with 'IPv6:')"


def is_email_address(text: str, display_name: bool = False) -> bool:
    """True for an email address (see :func:`address_problem`)."""
    return address_problem(text, display_name) is None


# -- verified identities -------------------------------------------------------------------


def verified_domains(identities: Iterable[str]) -> frozenset[str]:
    """The domain identities among verified ``identities``, as compared: lower case, without
    surrounding white space or dots (address identities, with an ``@``, are left out)."""
    out = set()
    for entry in identities:
        e = entry.strip()
        if e and "@" not in e:
            e = e.lower().strip(".")
            if e:
                out.add(e)
    return frozenset(out)


def domain_is_verified(domain: str, domains: Iterable[str]) -> bool:
    """Is ``domain`` one of the verified ``domains`` (see :func:`verified_domains`) or a
    subdomain of one?  A verified domain covers every subdomain."""
    d = domain.lower().rstrip(".")
    return any(d == e or d.endswith("." + e) for e in domains)


def address_is_verified(address: str, identities: Iterable[str]) -> bool:
    """Is ``address`` (``Name <...>`` allowed) a verified address identity, or on a verified
    domain or a subdomain of one?  Local parts compare exactly, domains without regard to case."""
    local, _, domain = without_display_name(address).rpartition("@")
    for entry in identities:
        e = entry.strip()
        if "@" in e:
            el, _, ed = e.rpartition("@")
            if el == local and ed.lower() == domain.lower().rstrip("."):
                return True
    return domain_is_verified(domain, verified_domains(identities))
