"""PEM-encoded certificates and CRLs, as a Mail Manager trust store holds them.

A PEM value is a bundle of blocks, each ``-----BEGIN LABEL-----``, base64 lines and
``-----END LABEL-----`` on lines of their own; text around the blocks is ignored.  A
trust store's ``CAContent`` holds ``CERTIFICATE`` blocks and its ``CrlContent``
``X509 CRL`` blocks.  :func:`scan_pem` checks the structure without any dependency and
names the first problem of each block (a private key, a CRL among the certificates,
``\n`` written as two characters, lines joined by a YAML folded scalar, ...);
:func:`parse_pem` decodes the blocks as X.509 with the ``cryptography`` package, imported
on first use and optional (without it only the structure is checked).

Sources:

* RFC 7468 (textual encodings: PEM): https://www.rfc-editor.org/rfc/rfc7468
* RFC 5280 (X.509 certificates and CRLs): https://www.rfc-editor.org/rfc/rfc5280
* RFC 4514 (distinguished names as text): https://www.rfc-editor.org/rfc/rfc4514
* Mail Manager trust stores:
  https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_TrustStore.html
"""

from __future__ import annotations

import binascii
import re
from dataclasses import dataclass
from functools import lru_cache

from ses_lsp.lint.text import quote

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:
    from datetime import datetime

    from cryptography.x509 import Certificate, CertificateRevocationList

CERT_LABEL = "CERTIFICATE"
CRL_LABEL = "X509 CRL"

# Markers, loosely (to explain malformed ones); the strict form is checked after.
_MARKER = "(?i)" r"-{3,}[ \t]*(BEGIN|END)[ \t]+([A-Za-z0-9][A-Za-z0-9 ]*?)[ \t]*-{3,}"
_B64_LINE = r"[A-Za-z0-9+/=]*"


@dataclass(frozen=True)
class PemBlock:
    """One BEGIN/END block of a PEM value (offsets are indexes into the value)."""

    index: int  # 1-based among the blocks of the value
    label: str
    start: int
    end: int
    line: int  # 1-based line of the value where the block starts
    problem: str | None = None  # why it is not a usable block of the expected label
    der: bytes | None = None


@dataclass(frozen=True)
class Parsed:
    """A block with its certificate or its CRL, by the label asked for (both ``None``: the
    cryptography package is not installed)."""

    block: PemBlock
    cert: Certificate | None = None
    crl: CertificateRevocationList | None = None


def _line_of(value: str, pos: int) -> int:
    return value.count("\n", 0, pos) + 1


def _label_advice(label: str, want: str) -> str:
    up = label.upper()
    if "PRIVATE KEY" in up:
        return "a private key: a trust store holds only public certificates and CRLs; remove it from the file"
    if want == CERT_LABEL:
        if up == "TRUSTED CERTIFICATE":
            return (
                'an OpenSSL "TRUSTED CERTIFICATE" block; convert it to a plain "CERTIFICATE" block '
                "(openssl x509 -in ca.pem -out ca-plain.pem)"
            )
        if up == CRL_LABEL:
            return "a CRL: CRLs go in CrlContent"
    if want == CRL_LABEL and up == CERT_LABEL:
        return "a certificate: CA certificates go in CAContent"
    if "REQUEST" in up:
        return "a certificate signing request, not a " + ("certificate" if want == CERT_LABEL else "CRL")
    if up == "PUBLIC KEY":
        return "a bare public key, not a " + ("certificate" if want == CERT_LABEL else "CRL")
    return f"a {quote(label)} block, not a {quote(want)} block"


@lru_cache(maxsize=64)
def scan_pem(value: str, want: str) -> tuple[PemBlock, ...]:
    """The blocks of a PEM value, each with the first structural problem found (if any).

    Text outside the blocks is ignored (RFC 7468 section 2 lets explanatory text
    surround them).  A value with no block at all gives an empty tuple.
    """
    markers = list(re.finditer(_MARKER, value))
    blocks: list[PemBlock] = []
    i = 0
    n = 0
    seen, line = 0, 1  # lines are counted incrementally: bundles can hold hundreds of blocks
    while i < len(markers):
        m = markers[i]
        n += 1
        line += value.count("\n", seen, m.start())
        seen = m.start()
        what = f"block {n} (line {line})"
        if m.group(1).upper() == "END":
            blocks.append(
                PemBlock(
                    n, m.group(2), m.start(), m.end(), line, f"{what} is an END line without a BEGIN line before it"
                )
            )
            i += 1
            continue
        label = m.group(2)
        nxt = markers[i + 1] if i + 1 < len(markers) else None
        if nxt is None or nxt.group(1).upper() != "END":
            stop = nxt.start() if nxt is not None else len(value)
            end = m.start() + len(value[m.start() : stop].rstrip())
            blocks.append(PemBlock(n, label, m.start(), end, line, f'{what} has no "-----END {label}-----" line'))
            i += 1
            continue
        i += 2
        problem = _block_problem(value, m, nxt, want, what)
        der = None
        if problem is None:
            body = value[m.end() : nxt.start()]
            try:
                import base64

                der = base64.b64decode("".join(body.split()), validate=True)
            except (binascii.Error, ValueError):
                problem = f"{what}: its base64 text is not valid (wrong length or padding)"
            else:
                if not der:
                    problem = f"{what} is empty"
        blocks.append(PemBlock(n, label, m.start(), nxt.end(), line, problem, der))
    return tuple(blocks)


def _block_problem(value: str, begin: re.Match, end: re.Match, want: str, what: str) -> str | None:
    label = begin.group(2)
    if begin.group(0) != f"-----BEGIN {label}-----" or label != label.upper():
        return f'{what}: its first line must be exactly "-----BEGIN {label.upper()}-----"'
    if end.group(2) != label:
        return f"{what} begins as {quote(label)} but ends as {quote(end.group(2))}"
    if end.group(0) != f"-----END {label}-----":
        return f'{what}: its last line must be exactly "-----END {label}-----"'
    if label != want:
        return f"{what} is {_label_advice(label, want)}"
    body = value[begin.end() : end.start()]
    if "\\n" in body and "\n" not in body.strip(" \t"):
        return (
            f"{what} contains the two characters \\n instead of line breaks: in YAML write the PEM "
            "as a block scalar (|) or a double-quoted string; in JSON write \\n inside the string"
        )
    head = body.split("\n", 1)[0]
    if head.strip(" \t\r") or "\n" not in body:
        return (
            f"{what} has no line break after its BEGIN line: PEM needs the BEGIN line, the base64 "
            "lines and the END line each on their own line (in YAML, '>' and plain multi-line "
            "scalars join lines with spaces: use a literal block scalar '|')"
        )
    tail = body.rsplit("\n", 1)[1]
    if tail.strip(" \t\r"):
        return f"{what} has no line break before its END line: the END line must be on its own line"
    for offset, text in enumerate(body.split("\n")):
        s = text.strip()
        if not re.fullmatch(_B64_LINE, s):
            bad = next(c for c in s if not (c.isalnum() and c.isascii()) and c not in "+/=")
            if ":" in s:
                return f"{what} has a header line ({quote(s.split(':', 1)[0])}:); a {want} block has none"
            return (
                f"{what}: line {_line_of(value, begin.end()) + offset} has "
                f"{'a space' if bad == ' ' else quote(bad)}, which is not base64"
            )
    return None


def x509_module():
    """The ``cryptography.x509`` module, or ``None`` when it is not installed."""
    try:
        from cryptography import x509
    except ImportError:
        return None
    return x509


@lru_cache(maxsize=64)
def parse_pem(value: str, want: str) -> tuple[tuple[Parsed, ...], tuple[PemBlock, ...]]:
    """(usable blocks with their objects, blocks with a problem)."""
    x509 = x509_module()
    good: list[Parsed] = []
    bad: list[PemBlock] = []
    for b in scan_pem(value, want):
        if b.problem is not None:
            bad.append(b)
            continue
        obj = None
        if x509 is not None:
            try:
                if want == CERT_LABEL:
                    obj = x509.load_der_x509_certificate(b.der)
                    obj.subject  # noqa: B018 - forces decoding of the lazily read fields
                    obj.extensions  # noqa: B018
                else:
                    obj = x509.load_der_x509_crl(b.der)
                    obj.issuer  # noqa: B018
            except Exception:  # noqa: BLE001 - any decoding failure means "not a certificate"
                what = f"block {b.index} (line {b.line})"
                kind = "an X.509 certificate" if want == CERT_LABEL else "an X.509 CRL"
                bad.append(
                    PemBlock(
                        b.index,
                        b.label,
                        b.start,
                        b.end,
                        b.line,
                        f"{what} does not decode as {kind} (the base64 text is damaged or is something else)",
                        b.der,
                    )
                )
                continue
        good.append(Parsed(b, cert=obj) if want == CERT_LABEL else Parsed(b, crl=obj))
    return tuple(good), tuple(bad)


def name_text(name) -> str:
    """An X.509 name as RFC 4514 text (``CN=Example CA,O=Example``); ``?`` when it cannot be read."""
    try:
        return name.rfc4514_string()
    except Exception:  # noqa: BLE001
        return "?"


def utc_date(obj, attr: str) -> datetime | None:
    """A validity date of a certificate or CRL (``not_valid_after``, ``next_update``, ...) as an
    aware UTC datetime (cryptography >= 42 names it ``*_utc``)."""
    from datetime import timezone

    v = getattr(obj, attr + "_utc", None)
    if v is None:
        old = getattr(obj, attr, None)
        if old is None:
            return None
        v = old.replace(tzinfo=timezone.utc) if old.tzinfo is None else old
    return v
