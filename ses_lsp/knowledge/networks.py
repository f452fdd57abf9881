"""IP addresses and CIDR blocks as SES writes them: ``203.0.113.0/24``, ``2001:db8::/32``,
or a single address.

The notation is strict: dotted-quad IPv4 with four decimal octets (no leading zeros,
which some parsers read as octal), IPv6 without brackets or a zone ID, a decimal prefix
length within the family's range.  What a lenient parser would also accept but SES
rejects (a dotted netmask, an address range, a port, a host name) is named in the
reason.  The classic receipt filters also reject IPv4-mapped IPv6 addresses (observed).

Parsing uses netaddr (never the stdlib ``ipaddress`` module), imported on first use.

Sources:

* RFC 4632 section 3.1 (CIDR prefix notation): https://www.rfc-editor.org/rfc/rfc4632#section-3.1
* RFC 4291 section 2.3 (IPv6 prefix notation): https://www.rfc-editor.org/rfc/rfc4291#section-2.3
* receipt IP filters: https://docs.aws.amazon.com/ses/latest/APIReference/API_ReceiptIpFilter.html
* Mail Manager IP expressions:
  https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_RuleIpExpression.html
* the IPv4-mapped rejection: floci-io/floci PR #3163, receipt-filter probes of live SES (2026):
  https://github.com/floci-io/floci/pull/3163
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ses_lsp.lint.text import quote

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:
    from netaddr import IPNetwork


@dataclass
class ParsedCidr:
    """A parsed address or CIDR block (``network`` is a netaddr IPNetwork)."""

    network: IPNetwork
    version: int
    host_bits: bool  # the address has bits set beyond the prefix

    @property
    def canonical(self) -> str:
        return str(self.network.cidr)

    @property
    def prefixlen(self) -> int:
        return self.network.prefixlen


_DIGITS = r"[0-9]+"
_HOST_LABEL = r"(?:^|\.)[A-Za-z][A-Za-z0-9-]*(?:\.|$)"
_WITH_PORT = r"[0-9.]+:[0-9]+"


@lru_cache(maxsize=4096)  # pure; several checks read the same values (do not mutate the result)
def parse_cidr(text: str, classic: bool) -> tuple[ParsedCidr | None, str | None]:
    """(parsed block, None) or (None, why it is not a valid IP address or CIDR block).

    ``classic``: the SES classic receipt-filter rules, which also reject
    IPv4-mapped IPv6 addresses (observed).
    """
    from netaddr import AddrFormatError, IPAddress, IPNetwork

    if text == "":
        return None, "it is empty"
    if text.strip() != text or any(c.isspace() for c in text):
        return None, "it contains white space"
    if not text.isascii():
        bad = next(c for c in text if not c.isascii())
        return None, f"it contains the non-ASCII character {quote(bad)}; write ASCII digits"
    if text.startswith("[") or "]" in text:
        return None, "IPv6 addresses are written without brackets here"
    if "%" in text:
        return None, "zone IDs ('%' and an interface name) are not allowed"
    if "-" in text:
        return None, "address ranges (A-B) are not supported; write one or more CIDR blocks"
    addr_text, slash, prefix_text = text.partition("/")
    if slash and "/" in prefix_text:
        return None, "it has more than one '/'"
    if re.fullmatch(_WITH_PORT, addr_text):
        return None, "a port number (':PORT') is not allowed"
    if ":" in addr_text:
        version = 6
        try:
            addr = IPAddress(addr_text, 6)
        except (AddrFormatError, ValueError):
            return None, f"{quote(addr_text)} is not a valid IPv6 address"
        if classic and addr.is_ipv4_mapped():
            return None, (f"IPv4-mapped IPv6 addresses are rejected; write the IPv4 address {quote(str(addr.ipv4()))}")
    else:
        version = 4
        parts = addr_text.split(".")
        if re.search(_HOST_LABEL, addr_text):
            return None, "it is a host name, not an IP address"
        if len(parts) != 4:
            plural = "s" if len(parts) != 1 else ""
            return None, f"{quote(addr_text)} has {len(parts)} part{plural}; an IPv4 address has 4"
        for p in parts:
            if not re.fullmatch(_DIGITS, p):
                return None, f"{quote(p)} is not a number from 0 to 255"
            if int(p) > 255:
                return None, f"the octet {p} is out of range (0-255)"
            if len(p) > 1 and p[0] == "0":
                return None, f"the octet {quote(p)} has a leading zero (it could be read as octal); write {int(p)}"
        addr = IPAddress(addr_text, 4)
    limit = 32 if version == 4 else 128
    if slash:
        if prefix_text == "":
            return None, "the prefix length after '/' is missing"
        if not re.fullmatch(_DIGITS, prefix_text):
            if version == 4 and prefix_text.count(".") == 3:
                try:
                    n = IPNetwork(f"{addr_text}/{prefix_text}")
                    return None, f"the netmask form is not CIDR notation; write the prefix length /{n.prefixlen}"
                except (AddrFormatError, ValueError):
                    pass
            return None, f"the prefix length {quote(prefix_text)} is not a number"
        if len(prefix_text) > 1 and prefix_text[0] == "0":
            return None, f"the prefix length {quote(prefix_text)} has a leading zero; write /{int(prefix_text)}"
        prefix = int(prefix_text)
        if prefix > limit:
            return None, f"the prefix length /{prefix} is out of range for IPv{version} (0-{limit})"
    else:
        prefix = limit
    network = IPNetwork(f"{addr}/{prefix}")
    return ParsedCidr(network, version, network.ip != network.network), None
