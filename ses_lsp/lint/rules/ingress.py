"""Semantic rules: Mail Manager ingress points (SES9xx).

What they check (facts in ``shared/design/ses-semantics.md`` section 3.5, ideas in
section 7):

* the endpoint ``Type`` against its ``IngressPointConfiguration`` (AUTH needs a
  password or a secret, MTLS a trust store, OPEN nothing);
* ``TlsPolicy`` against the type, the Region and the operation;
* a plain-text ``SmtpPassword`` (never echoed anywhere);
* the PEM contents of the mTLS trust store (``CAContent``, ``CrlContent``), read
  by :mod:`ses_lsp.knowledge.pem`: structure without any dependency, certificate
  and CRL contents with the ``cryptography`` package when it is installed
  (silently skipped otherwise).

Schema problems (enums, unions, required members, lengths, patterns) are the
schema pass's; these rules skip values of the wrong type.  Time-dependent checks
read the time with :func:`ses_lsp.lint.rules.common.current_time` (the clock every
date check shares).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ses_lsp.document.nodes import OBJECT, STRING, Node
from ses_lsp.knowledge.pem import (
    CERT_LABEL,
    CRL_LABEL,
    PemBlock,
    name_text,
    parse_pem,
    utc_date,
    x509_module,
)
from ses_lsp.knowledge.timestamps import utc_text
from ses_lsp.lint import edits
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Fix, Related, Severity
from ses_lsp.lint.references import BOTOCORE_MAILMANAGER, rfc
from ses_lsp.lint.registry import (
    SOURCE_DOCS,
    SOURCE_MODEL,
    SOURCE_RFC,
    SOURCE_TOOL,
    Example,
    Rule,
    RuleDoc,
)
from ses_lsp.lint.rules.common import current_time
from ses_lsp.lint.text import has_placeholder, is_template_value, quote

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:
    from cryptography.x509 import Certificate, CertificateRevocationList, Name

E, W, INFO = Severity.ERROR, Severity.WARNING, Severity.INFO

CREATE = "mailmanager:create-ingress-point"
UPDATE = "mailmanager:update-ingress-point"
GET = "mailmanager:get-ingress-point"
ALL_KINDS = frozenset({CREATE, UPDATE, GET})
INPUT_KINDS = frozenset({CREATE, UPDATE})

TYPES = ("OPEN", "AUTH", "MTLS")
# The configuration members and the endpoint type each one belongs to.  Output
# documents (get-ingress-point) say IngressPointPasswordConfiguration for a password.
MEMBER_TYPE = {
    "SmtpPassword": "AUTH",
    "SecretArn": "AUTH",
    "TlsAuthConfiguration": "MTLS",
    "IngressPointPasswordConfiguration": "AUTH",
}
INPUT_MEMBERS = ("SmtpPassword", "SecretArn", "TlsAuthConfiguration")
OUTPUT_MEMBERS = ("IngressPointPasswordConfiguration", "SecretArn", "TlsAuthConfiguration")
FITS = {
    "OPEN": frozenset(),
    "AUTH": frozenset({"SmtpPassword", "SecretArn"}),
    "MTLS": frozenset({"TlsAuthConfiguration"}),
}


# -- reading an ingress point ---------------------------------------------------


@dataclass
class Member:
    name: str
    key: Node
    value: Node


@dataclass
class Ingress:
    kind: str
    root: Node
    type_node: Node | None  # the Type value node
    declared: str | None  # Type, when it is one of TYPES
    config_node: Node | None  # IngressPointConfiguration (IngressPointAuthConfiguration in output), any kind
    members: list[Member]  # its known members, in source order
    tls_node: Node | None
    tls: str | None

    @property
    def config(self) -> Node | None:
        c = self.config_node
        return c if c is not None and c.kind == OBJECT else None

    def member(self, name: str) -> Member | None:
        return next((m for m in self.members if m.name == name), None)

    def names(self) -> set[str]:
        return {m.name for m in self.members}

    def effective_type(self) -> tuple[str | None, Node | None]:
        """The endpoint type and the node that tells it: Type, else the configuration's members."""
        if self.declared is not None:
            return self.declared, self.type_node
        types = {MEMBER_TYPE[m.name] for m in self.members}
        if len(types) == 1:
            return types.pop(), self.members[0].key
        return None, None

    def trust_store(self) -> Node | None:
        tac = self.member("TlsAuthConfiguration")
        if tac is None or tac.value.kind != OBJECT:
            return None
        ts = tac.value.get("TrustStore")
        return ts if ts is not None and ts.kind == OBJECT else None


def read_ingress(ctx: LintContext) -> Ingress | None:
    root = ctx.root
    if root is None or root.kind != OBJECT or ctx.kind not in ALL_KINDS:
        return None
    type_node = root.get("Type") if ctx.kind != UPDATE else None
    declared = type_node.str_value if type_node is not None and type_node.kind == STRING else None
    if declared not in TYPES:
        declared = None
    config_node = root.get("IngressPointAuthConfiguration" if ctx.kind == GET else "IngressPointConfiguration")
    members: list[Member] = []
    if config_node is not None and config_node.kind == OBJECT:
        for name in OUTPUT_MEMBERS if ctx.kind == GET else INPUT_MEMBERS:
            v = config_node.get(name)
            if v is not None and v.key_node is not None:
                members.append(Member(name, v.key_node, v))
        members.sort(key=lambda m: m.key.start)
    tls_node = root.get("TlsPolicy")
    tls = tls_node.str_value if tls_node is not None and tls_node.kind == STRING else None
    return Ingress(ctx.kind, root, type_node, declared, config_node, members, tls_node, tls)


def _config_path(ing: Ingress) -> str:
    return "IngressPointAuthConfiguration" if ing.kind == GET else "IngressPointConfiguration"


# The trust store's PEM members.
CA_FIELD = "CAContent"
CRL_FIELD = "CrlContent"


# -- positions inside a string value ---------------------------------------------------


class Locator:
    """Source offsets of indexes into a string node's value, when they can be known exactly.

    Handled: JSON strings (escapes), one-line YAML quoted or plain scalars, and
    YAML literal block scalars (``|``), checked line by line against the text.
    Anything else answers ``None`` and the caller uses the whole value.
    """

    def __init__(self, ctx: LintContext, node: Node) -> None:
        self.ctx = ctx
        self.node = node
        self._map: list[int] | None | bool = False  # False: not computed yet
        self._starts: list[int] | None = None  # line starts of the value (literal block scalars)

    def span(self, i: int, j: int) -> tuple[int, int]:
        a, b = self.offset(i), self.offset(j)
        if a is None or b is None or b < a:
            return self.node.start, self.node.end
        return a, b

    def offset(self, i: int) -> int | None:
        start, end = self.node.start, self.node.end
        if self.ctx.text[start : start + 1] == "|":
            return self._literal(i)
        if self._map is False:
            self._map = self._flat(self.ctx.text[start:end], self.node.str_value)
        m = self._map
        return m[i] if isinstance(m, list) and 0 <= i < len(m) else None

    def _flat(self, src: str, value: str) -> list[int] | None:
        start = self.node.start
        fmt = self.ctx.document.format
        if "\n" in src or "\r" in src:
            return None
        out: list[int] = []
        if src[:1] == '"':
            k, n = 1, len(src) - 1
            while k < n:
                out.append(start + k)
                if src[k] != "\\":
                    k += 1
                    continue
                e = src[k + 1 : k + 2]
                if e == "u":
                    try:
                        cp = int(src[k + 2 : k + 6], 16)
                        low = int(src[k + 8 : k + 12], 16) if src[k + 6 : k + 8] == "\\u" else -1
                    except ValueError:
                        return None
                    k += 12 if 0xD800 <= cp < 0xDC00 and 0xDC00 <= low < 0xE000 else 6
                elif fmt == "yaml" and e in ("x", "U"):
                    k += 4 if e == "x" else 10
                else:
                    k += 2
            out.append(start + n)
        elif src[:1] == "'":
            k, n = 1, len(src) - 1
            while k < n:
                out.append(start + k)
                k += 2 if src[k : k + 2] == "''" else 1
            out.append(start + n)
        else:
            if src != value:
                return None
            out = list(range(start, start + len(src) + 1))
        return out if len(out) == len(value) + 1 else None

    def _literal(self, i: int) -> int | None:
        value = self.node.str_value
        lines = self.ctx.document.lines
        header_line, _ = lines.position(self.node.start)
        if not 0 <= i <= len(value):
            return None
        if self._starts is None:
            starts = [0]
            k = value.find("\n")
            while k != -1:
                starts.append(k + 1)
                k = value.find("\n", k + 1)
            self._starts = starts
        starts = self._starts
        k = bisect.bisect_right(starts, i) - 1
        col = i - starts[k]
        vline_end = value.find("\n", starts[k])
        vline = value[starts[k] : vline_end if vline_end != -1 else len(value)]
        src_line = header_line + 1 + k
        t = lines.line_text(src_line)
        if not vline:
            return lines.starts[src_line] if src_line < len(lines.starts) else None
        if not t.endswith(vline) or t[: len(t) - len(vline)].strip(" ") != "":
            return None
        return lines.starts[src_line] + len(t) - len(vline) + col


# -- checks: type and configuration ------------------------------------------------------


def _only_member_hint(ing: Ingress) -> tuple[str, list[Related]]:
    """For a one-member configuration: a message tail naming the member's type, and a note on it."""
    if len(ing.members) != 1:
        return "", []
    m = ing.members[0]
    return (
        f"; IngressPointConfiguration has only {m.name}, which is for Type {quote(MEMBER_TYPE[m.name])} endpoints",
        [Related(m.key.start, m.key.end, f"{m.name} is for Type {quote(MEMBER_TYPE[m.name])} endpoints")],
    )


def _check_auth_credentials(ctx: LintContext) -> None:
    ing = read_ingress(ctx)
    if ing is None or ing.kind != CREATE or ing.declared != "AUTH" or ing.type_node is None:
        return
    if ing.config_node is not None and (ing.config is None or not ing.members):
        return  # wrong type or no known member: the schema pass reports it
    if ing.names() & FITS["AUTH"]:
        return
    hint, related = _only_member_hint(ing)
    ctx.report(
        ing.type_node,
        f'Type "AUTH" needs IngressPointConfiguration with SmtpPassword or SecretArn{hint}: add SecretArn '
        "(the ARN of a Secrets Manager secret holding the SMTP password), or change Type",
        related=related,
    )


def _check_mtls_trust_store(ctx: LintContext) -> None:
    ing = read_ingress(ctx)
    if ing is None or ing.kind not in INPUT_KINDS:
        return
    tac = ing.member("TlsAuthConfiguration")
    if ing.kind == CREATE and ing.declared == "MTLS" and ing.type_node is not None and tac is None:
        if ing.config_node is not None and (ing.config is None or not ing.members):
            return  # the schema pass reports it
        hint, related = _only_member_hint(ing)
        ctx.report(
            ing.type_node,
            'Type "MTLS" needs IngressPointConfiguration.TlsAuthConfiguration.TrustStore with the PEM CA '
            f"certificates (CAContent) that client certificates are checked against{hint}",
            related=related,
        )
        return
    if tac is None or tac.value.kind != OBJECT or tac.value.get("TrustStore") is not None:
        return
    if ing.kind == CREATE and ing.declared not in (None, "MTLS"):
        return  # the member does not fit the type: SES903 / SES901 say so
    ctx.report(
        tac.value,
        "TlsAuthConfiguration has no TrustStore: mutual TLS needs TrustStore.CAContent with the PEM CA "
        "certificates that client certificates are checked against",
        on_key=True,
    )


def _check_member_fits_type(ctx: LintContext) -> None:
    ing = read_ingress(ctx)
    if ing is None or ing.kind != CREATE or ing.declared is None or ing.type_node is None:
        return
    fits = FITS[ing.declared]
    wrong = [m for m in ing.members if m.name not in fits]
    if not wrong:
        return
    if fits and not (ing.names() & fits):
        return  # nothing that fits: SES901 / SES902 report it, naming this member
    t = ing.type_node
    related = [Related(t.start, t.end, f"the endpoint is Type {quote(ing.declared)}")]
    for m in wrong:
        belongs = quote(MEMBER_TYPE[m.name])
        if ing.declared == "OPEN":
            cfg = ing.config_node
            fix = None
            if cfg is not None and cfg.key_node is not None:
                fix = Fix(
                    "remove IngressPointConfiguration",
                    (edits.remove_member(ctx.document, ing.root, cfg.key_node),),
                    safe=False,
                )
            ctx.report(
                m.value,
                f'Type "OPEN" endpoints take no IngressPointConfiguration, and {m.name} is for Type {belongs} '
                f"endpoints: remove the configuration, or set Type to {belongs}",
                related=related,
                fix=fix,
                on_key=True,
            )
        else:
            config = ing.config
            assert config is not None  # the members are read from it
            fix = Fix(f"remove {m.name}", (edits.remove_member(ctx.document, config, m.key),))
            ctx.report(
                m.value,
                f"{m.name} is for Type {belongs} endpoints and this one is Type {quote(ing.declared)}: "
                "remove it (IngressPointConfiguration takes exactly one member)",
                related=related,
                fix=fix,
                on_key=True,
            )


def _check_plaintext_password(ctx: LintContext) -> None:
    ing = read_ingress(ctx)
    if ing is None or ing.kind not in INPUT_KINDS:
        return
    m = ing.member("SmtpPassword")
    if m is None or m.value.kind != STRING or not m.value.str_value or is_template_value(m.value.str_value):
        return
    # Never put the value in the message, the related notes or a fix title.
    ctx.report(
        m.value,
        "SmtpPassword is written in plain text in this file (the value is not shown here): keep the "
        "password in AWS Secrets Manager and give the secret's ARN as SecretArn instead",
        on_key=True,
    )


# -- checks: TLS policy ----------------------------------------------------------------


def _required_fix(ctx: LintContext, ing: Ingress) -> Fix | None:
    if ing.kind == GET or ing.tls_node is None:
        return None
    return Fix('use TlsPolicy "REQUIRED"', (edits.replace_node(ctx.document, ing.tls_node, "REQUIRED"),), safe=False)


def _type_reason(ing: Ingress, evidence: Node | None, t: str) -> tuple[str, list[Related]]:
    if evidence is None:
        return "", []
    if ing.declared is not None:
        return f"this Type {quote(t)} endpoint", [Related(evidence.start, evidence.end, f"Type {quote(t)}")]
    name = ing.members[0].name
    return (
        f"this endpoint ({_config_path(ing)} has {name}, so it is Type {quote(t)})",
        [Related(evidence.start, evidence.end, f"{name} makes it a Type {quote(t)} endpoint")],
    )


def _check_optional_tls_auth(ctx: LintContext) -> None:
    ing = read_ingress(ctx)
    if ing is None or ing.tls_node is None or ing.tls != "OPTIONAL":
        return
    t, evidence = ing.effective_type()
    if t != "AUTH":
        return
    who, related = _type_reason(ing, evidence, t)
    ctx.report(
        ing.tls_node,
        f'TlsPolicy "OPTIONAL" accepts unencrypted connections, so clients of {who} could send their SMTP '
        'AUTH credentials in cleartext: use "REQUIRED"',
        related=related,
        fix=_required_fix(ctx, ing),
    )


def _check_optional_tls_mtls(ctx: LintContext) -> None:
    ing = read_ingress(ctx)
    if ing is None or ing.tls_node is None or ing.tls != "OPTIONAL":
        return
    t, evidence = ing.effective_type()
    if t != "MTLS":
        return
    who, related = _type_reason(ing, evidence, t)
    ctx.report(
        ing.tls_node,
        f'TlsPolicy "OPTIONAL" accepts unencrypted connections, but {who} authenticates clients by the '
        'certificate they present in the TLS handshake, which needs TLS: use "REQUIRED"',
        related=related,
        fix=_required_fix(ctx, ing),
    )


FIPS_REGION_PREFIXES = ("us-", "ca-")


def _check_fips_region(ctx: LintContext) -> None:
    region = (ctx.config.region or "").strip().lower()
    if not region:
        return
    ing = read_ingress(ctx)
    if ing is None or ing.tls_node is None or ing.kind != CREATE or ing.tls != "FIPS":
        return
    if region.startswith(FIPS_REGION_PREFIXES):
        return
    ctx.report(
        ing.tls_node,
        f'TlsPolicy "FIPS" is only valid in US and Canada Regions, and the configured Region is {quote(region)}: '
        'use "REQUIRED", or create the ingress point in a US or Canada Region',
        fix=_required_fix(ctx, ing),
    )


def _check_fips_update(ctx: LintContext) -> None:
    ing = read_ingress(ctx)
    if ing is None or ing.tls_node is None or ing.kind != UPDATE or ing.tls != "FIPS":
        return
    ctx.report(
        ing.tls_node,
        'UpdateIngressPoint accepts TlsPolicy "REQUIRED" or "OPTIONAL" only: "FIPS" can be chosen only '
        'when the ingress point is created (and an ingress point created with "FIPS" cannot change it)',
    )


def _check_tls_unset(ctx: LintContext) -> None:
    ing = read_ingress(ctx)
    if ing is None or ing.kind != CREATE or ing.tls_node is not None:
        return
    root = ing.root
    target = next((v for name in ("Type", "IngressPointName") if (v := root.get(name)) is not None), None)
    if target is None:
        if not root.members:
            return
        target = root.members[0][1]
    fix = Fix(
        'set TlsPolicy to "REQUIRED"', (edits.insert_member(ctx.document, root, "TlsPolicy", "REQUIRED"),), safe=False
    )
    ctx.report(
        target,
        'TlsPolicy is not set and its default is not documented: set it explicitly, "REQUIRED" to refuse '
        'unencrypted connections or "OPTIONAL" to accept them',
        fix=fix,
        on_key=True,
    )


# -- checks: trust store contents ---------------------------------------------------------


@dataclass
class Store:
    ca: Node | None  # CAContent string node (not a placeholder)
    crl: Node | None  # CrlContent string node (not a placeholder)


def _store(ctx: LintContext) -> Store | None:
    ing = read_ingress(ctx)
    ts = ing.trust_store() if ing is not None else None
    if ts is None:
        return None

    def usable(name: str) -> Node | None:
        n = ts.get(name)
        if n is None or n.kind != STRING or not n.str_value or has_placeholder(n.str_value):
            return None
        return n

    return Store(usable(CA_FIELD), usable(CRL_FIELD))


_FILE_NAME = "(?i)" r"(?:file://|fileb://)?\S*\.(?:pem|crt|cer|der|crl)|(?:file|fileb)://\S*"


def _no_block_message(field: str, value: str, label: str) -> str:
    v = value.strip()
    begin, end = f'"-----BEGIN {label}-----"', f'"-----END {label}-----"'
    if not v:
        return f"{field} is blank: it must hold one or more PEM {quote(label)} blocks"
    if len(v) < 200 and re.fullmatch(_FILE_NAME, v):
        return (
            f"{field} is {quote(v)}, a file name: the API takes the PEM text itself, not a file; paste the "
            f"contents of the file ({begin} ... {end})"
        )
    compact = "".join(v.split())
    if len(compact) >= 64 and re.fullmatch(r"[A-Za-z0-9+/]+=*", compact):
        return f"{field} looks like base64 without the {begin} and {end} lines around it: add them"
    what = (
        "the CA certificates that client certificates are checked against"
        if label == CERT_LABEL
        else "the certificate revocation lists of the CAs in CAContent"
    )
    return f"{field} holds no PEM block: it must be one or more {begin} ... {end} blocks with {what}"


def _report_pem_problems(ctx: LintContext, node: Node, field: str, label: str) -> None:
    value = node.str_value
    good, bad = parse_pem(value, label)
    if not good and not bad:
        ctx.report(node, _no_block_message(field, value, label))
        return
    loc = Locator(ctx, node)
    for b in bad:
        ctx.report(loc.span(b.start, b.end), f"{field} {b.problem}", pointer=node.pointer)


def _check_ca_pem(ctx: LintContext) -> None:
    store = _store(ctx)
    if store is not None and store.ca is not None:
        _report_pem_problems(ctx, store.ca, CA_FIELD, CERT_LABEL)


def _check_crl_pem(ctx: LintContext) -> None:
    store = _store(ctx)
    if store is not None and store.crl is not None:
        _report_pem_problems(ctx, store.crl, CRL_FIELD, CRL_LABEL)


def _certificates(node: Node) -> list[tuple[PemBlock, Certificate]]:
    """The blocks of a CAContent value that decode, with their certificates."""
    good, _ = parse_pem(node.str_value, CERT_LABEL)
    return [(p.block, p.cert) for p in good if p.cert is not None]


def _crls(node: Node) -> list[tuple[PemBlock, CertificateRevocationList]]:
    """The blocks of a CrlContent value that decode, with their CRLs."""
    good, _ = parse_pem(node.str_value, CRL_LABEL)
    return [(p.block, p.crl) for p in good if p.crl is not None]


def _check_cert_expired(ctx: LintContext) -> None:
    store = _store(ctx)
    if store is None or store.ca is None:
        return
    now = current_time(ctx)
    loc = Locator(ctx, store.ca)
    for block, cert in _certificates(store.ca):
        after = utc_date(cert, "not_valid_after")
        if after is not None and after < now:
            ctx.report(
                loc.span(block.start, block.end),
                f"certificate {block.index} in CAContent ({quote(name_text(cert.subject))}) expired on "
                f"{utc_text(after)} (notAfter): client certificates that chain to it are rejected; replace it with "
                "the CA's renewed certificate or remove it",
                pointer=store.ca.pointer,
            )


def _check_cert_not_yet_valid(ctx: LintContext) -> None:
    store = _store(ctx)
    if store is None or store.ca is None:
        return
    now = current_time(ctx)
    loc = Locator(ctx, store.ca)
    for block, cert in _certificates(store.ca):
        before = utc_date(cert, "not_valid_before")
        if before is not None and before > now:
            ctx.report(
                loc.span(block.start, block.end),
                f"certificate {block.index} in CAContent ({quote(name_text(cert.subject))}) is not valid before "
                f"{utc_text(before)} (notBefore): until then client certificates that chain to it are rejected; "
                "check the dates it was issued with",
                pointer=store.ca.pointer,
            )


def _check_cert_not_ca(ctx: LintContext) -> None:
    store = _store(ctx)
    if store is None or store.ca is None:
        return
    x509 = x509_module()
    if x509 is None:
        return
    loc = Locator(ctx, store.ca)
    for block, cert in _certificates(store.ca):
        try:
            bc = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
        except x509.ExtensionNotFound:
            bc = None
        except Exception:  # noqa: BLE001 - malformed extensions: not this rule's business
            continue
        if bc is not None and bc.ca:
            continue
        who = f"certificate {block.index} in CAContent ({quote(name_text(cert.subject))})"
        if bc is None:
            msg = (
                f"{who} has no basicConstraints extension, so it is not marked as a CA (CA:TRUE) and verifiers "
                "may refuse it as the issuer of client certificates: use the CA certificate that issues them"
            )
        else:
            msg = (
                f"{who} is not a CA certificate (basicConstraints CA:FALSE): it cannot issue client "
                "certificates, so it does not belong in the trust store; put the CA that issued it there instead"
            )
        ctx.report(loc.span(block.start, block.end), msg, pointer=store.ca.pointer)


def _ca_subjects(store: Store) -> list[tuple[PemBlock, Certificate]] | None:
    """The parsed CA certificates, or ``None`` when they cannot all be read."""
    if store.ca is None:
        return None
    good, bad = parse_pem(store.ca.str_value, CERT_LABEL)
    cas = [(p.block, p.cert) for p in good if p.cert is not None]
    if bad or not good or len(cas) != len(good):
        return None
    return cas


def _signed_by(crl, cert) -> bool | None:
    try:
        return bool(crl.is_signature_valid(cert.public_key()))
    except Exception:  # noqa: BLE001 - unsupported key types
        return None


def _check_crl_issuer(ctx: LintContext) -> None:
    store = _store(ctx)
    if store is None or store.crl is None or store.ca is None:
        return
    cas = _ca_subjects(store)
    if cas is None:
        return
    loc = Locator(ctx, store.crl)
    ca_note = [Related(store.ca.start, store.ca.end, "the CA certificates of the trust store")]
    for block, crl in _crls(store.crl):
        issuer = crl.issuer
        same = [(cblock, cert) for cblock, cert in cas if cert.subject == issuer]
        span = loc.span(block.start, block.end)
        if not same:
            ctx.report(
                span,
                f"CRL {block.index} in CrlContent is issued by {quote(name_text(issuer))}, which is none of the CA "
                "certificates in CAContent: the trust store takes one CRL per CA in it; add that CA to CAContent "
                "or remove the CRL",
                related=ca_note,
                pointer=store.crl.pointer,
            )
            continue
        verdicts = [_signed_by(crl, cert) for _, cert in same]
        if any(v is True for v in verdicts) or any(v is None for v in verdicts):
            continue
        cblock, cert = same[0]
        cstart, cend = Locator(ctx, store.ca).span(cblock.start, cblock.end)
        ctx.report(
            span,
            f"CRL {block.index} in CrlContent names {quote(name_text(issuer))} as its issuer, but its signature does "
            f"not verify with the key of that CA certificate (certificate {cblock.index} in CAContent): it was "
            "signed by another key of the same name; use the CRL that this CA issued",
            related=[Related(cstart, cend, f"certificate {cblock.index}: {name_text(cert.subject)}")],
            pointer=store.crl.pointer,
        )


def _check_crl_count(ctx: LintContext) -> None:
    store = _store(ctx)
    if store is None or store.crl is None or store.ca is None:
        return
    crl_good, crl_bad = parse_pem(store.crl.str_value, CRL_LABEL)
    ca_good, ca_bad = parse_pem(store.ca.str_value, CERT_LABEL)
    if crl_bad or ca_bad or not crl_good or not ca_good:
        return
    loc = Locator(ctx, store.crl)
    crls = [(p.block, p.crl) for p in crl_good if p.crl is not None]
    if len(crls) == len(crl_good):
        first: dict[Name, PemBlock] = {}
        for block, crl in crls:
            issuer = crl.issuer
            prev = first.get(issuer)
            if prev is None:
                first[issuer] = block
                continue
            ps, pe = loc.span(prev.start, prev.end)
            ctx.report(
                loc.span(block.start, block.end),
                f"CRL {block.index} in CrlContent is for the same CA ({quote(name_text(issuer))}) as CRL "
                f"{prev.index}: there can be one CRL per CA in the trust store; keep only the newest",
                related=[Related(ps, pe, f"CRL {prev.index}, from the same issuer")],
                pointer=store.crl.pointer,
            )
        return
    # Without the cryptography package only the numbers can be compared.
    if len(crl_good) > len(ca_good):
        ctx.report(
            store.crl,
            f"CrlContent has {len(crl_good)} CRLs for {len(ca_good)} CA certificate"
            f"{'s' if len(ca_good) != 1 else ''} in CAContent: there can be one CRL per CA in the trust store",
            related=[Related(store.ca.start, store.ca.end, "the CA certificates of the trust store")],
        )


def _check_crl_expired(ctx: LintContext) -> None:
    store = _store(ctx)
    if store is None or store.crl is None:
        return
    now = current_time(ctx)
    loc = Locator(ctx, store.crl)
    for block, crl in _crls(store.crl):
        nxt = utc_date(crl, "next_update")
        if nxt is not None and nxt < now:
            ctx.report(
                loc.span(block.start, block.end),
                f"CRL {block.index} in CrlContent (issuer {quote(name_text(crl.issuer))}) is out of date: its "
                f"next update was due {utc_text(nxt)} (nextUpdate); verifiers may reject every client certificate "
                "of that CA until a current CRL is uploaded",
                pointer=store.crl.pointer,
            )


# -- documentation --------------------------------------------------------------------

MM_REF = "https://docs.aws.amazon.com/sesmailmanager/latest/APIReference/"
EB_INGRESS = "https://docs.aws.amazon.com/ses/latest/dg/eb-ingress.html"
CFN_TLS_AUTH = (
    "https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/"
    "aws-properties-ses-mailmanageringresspoint-tlsauthconfiguration.html"
)
SECRETS_MANAGER = "https://docs.aws.amazon.com/secretsmanager/latest/userguide/intro.html"
BOTOCORE = BOTOCORE_MAILMANAGER


AUTH_WITHOUT_CREDENTIALS = Rule(
    code="SES901",
    name="ingress-auth-without-credentials",
    severity=E,
    summary="An AUTH ingress point without SmtpPassword or SecretArn.",
    source=SOURCE_MODEL,
    kinds=frozenset({CREATE}),
    check=_check_auth_credentials,
    doc=RuleDoc(
        what=(
            "Reports, on `Type`, a `create-ingress-point` input of Type `AUTH` whose `IngressPointConfiguration` "
            "has neither `SmtpPassword` nor `SecretArn` (or is missing). When the configuration holds only a "
            "member of another type (`TlsAuthConfiguration`), the message names it."
        ),
        why=(
            "An authenticated endpoint checks SMTP AUTH credentials against that password or secret: "
            '"If you choose an Authenticated ingress endpoint, you must configure either an SMTP password or '
            'a secret ARN" (API model). Neither botocore nor cfn-lint checks this link between two members.'
        ),
        bad=Example("SES901-bad.yaml", CREATE),
        good=Example("SES901-good.yaml", CREATE),
        references=(MM_REF + "API_CreateIngressPoint.html", MM_REF + "API_IngressPointConfiguration.html", EB_INGRESS),
        notes="`update-ingress-point` carries no Type, so the rule looks at create inputs only.",
    ),
)

MTLS_WITHOUT_TRUST_STORE = Rule(
    code="SES902",
    name="ingress-mtls-without-trust-store",
    severity=E,
    summary="An MTLS ingress point without TlsAuthConfiguration.TrustStore.",
    source=SOURCE_DOCS,
    kinds=INPUT_KINDS,
    check=_check_mtls_trust_store,
    doc=RuleDoc(
        what=(
            "Reports a `create-ingress-point` input of Type `MTLS` without "
            "`IngressPointConfiguration.TlsAuthConfiguration` (on `Type`), and a `TlsAuthConfiguration` without "
            "`TrustStore` in a create or update input (on its key)."
        ),
        why=(
            "Mutual TLS checks each client certificate against the CA certificates of the trust store "
            "(`TrustStore.CAContent`); without one no client can authenticate. CloudFormation marks "
            "`TlsAuthConfiguration.TrustStore` as required, although the API model leaves it optional."
        ),
        bad=Example("SES902-bad.yaml", CREATE),
        good=Example("SES902-good.yaml", CREATE),
        references=(MM_REF + "API_TlsAuthConfiguration.html", MM_REF + "API_TrustStore.html", CFN_TLS_AUTH),
    ),
)

CONFIG_DOES_NOT_FIT_TYPE = Rule(
    code="SES903",
    name="ingress-config-does-not-fit-type",
    severity=W,
    summary="A configuration member that does not belong to the ingress point's Type.",
    source=SOURCE_MODEL,
    kinds=frozenset({CREATE}),
    check=_check_member_fits_type,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports, on its key, an `IngressPointConfiguration` member that does not fit `Type`: `SmtpPassword` "
            "or `SecretArn` on an `OPEN` or `MTLS` endpoint, `TlsAuthConfiguration` on an `OPEN` or `AUTH` one. "
            "When nothing in the configuration fits an AUTH or MTLS endpoint, SES901 or SES902 reports it "
            "instead, naming the member."
        ),
        why=(
            "Each member configures one kind of authentication: a password or secret for `AUTH`, a trust store "
            "for `MTLS`, nothing for `OPEN`. A member of another kind is either ignored or rejected, and usually "
            "means that `Type` is not what the author meant."
        ),
        bad=Example("SES903-bad.yaml", CREATE),
        good=Example("SES903-good.yaml", CREATE),
        references=(MM_REF + "API_IngressPointConfiguration.html", MM_REF + "API_CreateIngressPoint.html", EB_INGRESS),
        notes=(
            "A warning rather than an error: no public source says that the service rejects it. "
            "The fix removes the member when another member fits the type "
            "(safe); on an OPEN endpoint it offers to remove the whole configuration (not applied by --fix, "
            "since Type may be the mistake)."
        ),
    ),
)

OPTIONAL_TLS_WITH_AUTH = Rule(
    code="SES904",
    name="ingress-optional-tls-with-auth",
    severity=W,
    summary="TlsPolicy OPTIONAL on an AUTH ingress point: credentials could travel in cleartext.",
    source=SOURCE_RFC,
    kinds=ALL_KINDS,
    check=_check_optional_tls_auth,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports `TlsPolicy: OPTIONAL` on an `AUTH` endpoint. In an update (which has no Type) the type is "
            "read from the configuration: `SmtpPassword` or `SecretArn` means AUTH."
        ),
        why=(
            "`OPTIONAL` accepts connections without STARTTLS, and SMTP AUTH mechanisms such as PLAIN and LOGIN "
            "send the password merely base64-encoded: anyone on the path can read it. Offers the fix "
            "`REQUIRED` (not applied by --fix: it refuses clients that do not use TLS)."
        ),
        bad=Example("SES904-bad.yaml", CREATE),
        good=Example("SES904-good.yaml", CREATE),
        references=(
            MM_REF + "API_CreateIngressPoint.html",
            rfc(4954, "7", "SMTP AUTH, Security Considerations"),
            rfc(4616, "4", "PLAIN, Security Considerations"),
            rfc(3207, "6", "SMTP STARTTLS, Security Considerations"),
        ),
    ),
)

OPTIONAL_TLS_WITH_MTLS = Rule(
    code="SES905",
    name="ingress-optional-tls-with-mtls",
    severity=W,
    summary="TlsPolicy OPTIONAL on an MTLS ingress point: a client certificate needs TLS.",
    source=SOURCE_RFC,
    kinds=ALL_KINDS,
    check=_check_optional_tls_mtls,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports `TlsPolicy: OPTIONAL` on an `MTLS` endpoint (in an update: a configuration with "
            "`TlsAuthConfiguration`)."
        ),
        why=(
            "A client certificate is presented in the TLS handshake (RFC 8446 section 4.4.2, RFC 5246 "
            "section 7.4.6), so mutual TLS authentication needs TLS; accepting unencrypted connections "
            "contradicts it. Offers the fix `REQUIRED` (not applied by --fix)."
        ),
        bad=Example("SES905-bad.yaml", CREATE),
        good=Example("SES905-good.yaml", CREATE),
        references=(
            MM_REF + "API_CreateIngressPoint.html",
            MM_REF + "API_TlsAuthConfiguration.html",
            rfc(8446, "4.4.2", "Certificate"),
            rfc(3207, "", "SMTP STARTTLS"),
        ),
        notes=(
            "A warning: the service's behaviour for MTLS with OPTIONAL is not documented; the contradiction is an "
            "inference from the TLS and STARTTLS specifications."
        ),
    ),
)

FIPS_OUTSIDE_US_CANADA = Rule(
    code="SES906",
    name="ingress-fips-outside-us-canada",
    severity=E,
    summary="TlsPolicy FIPS in a Region outside the US and Canada.",
    source=SOURCE_MODEL,
    kinds=frozenset({CREATE}),
    check=_check_fips_region,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports `TlsPolicy: FIPS` in a create input when the configured Region (`region` in the "
            "configuration) is not a US (`us-*`, GovCloud included) or Canada (`ca-*`) Region. Silent without "
            "a configured Region."
        ),
        why='"The FIPS value is only valid in US and Canada regions" (API model, CreateIngressPoint TlsPolicy).',
        bad=None,
        good=Example("SES906-good.yaml", CREATE),
        references=(MM_REF + "API_CreateIngressPoint.html", "https://aws.amazon.com/compliance/fips/"),
        notes=(
            'Needs `region` in the configuration, so its bad example is not run: with `region = "eu-west-1"`, '
            "`TlsPolicy: FIPS` in a create-ingress-point input is reported. The offered fix (`REQUIRED`) is not "
            "applied by --fix."
        ),
    ),
)

FIPS_ON_UPDATE = Rule(
    code="SES907",
    name="ingress-fips-on-update",
    severity=E,
    summary="TlsPolicy FIPS in an update: it can only be chosen at creation.",
    source=SOURCE_MODEL,
    kinds=frozenset({UPDATE}),
    check=_check_fips_update,
    doc=RuleDoc(
        what="Reports `TlsPolicy: FIPS` in an `update-ingress-point` input.",
        why=(
            "UpdateIngressPoint's TlsPolicy: \"Valid values are REQUIRED, OPTIONAL. Only ingress endpoints using "
            'REQUIRED or OPTIONAL as TlsPolicy can be updated" (API model). The shared enum lets FIPS through '
            "the schema check."
        ),
        bad=Example("SES907-bad.yaml", UPDATE),
        good=Example("SES907-good.yaml", UPDATE),
        references=(MM_REF + "API_UpdateIngressPoint.html", BOTOCORE),
    ),
)

TLS_POLICY_UNSET = Rule(
    code="SES908",
    name="ingress-tls-policy-unset",
    severity=INFO,
    summary="A new ingress point without TlsPolicy: the default is not documented.",
    source=SOURCE_TOOL,
    kinds=frozenset({CREATE}),
    check=_check_tls_unset,
    fixable=True,
    doc=RuleDoc(
        what="Reports a `create-ingress-point` input without `TlsPolicy`, on the `Type` key.",
        why=(
            "Neither the API reference nor the model states the default TLS policy, and since `OPTIONAL` "
            "exists, whether unencrypted SMTP is accepted is worth writing down. Offers to add "
            "`TlsPolicy: REQUIRED` (not applied by --fix)."
        ),
        bad=Example("SES908-bad.yaml", CREATE),
        good=Example("SES908-good.yaml", CREATE),
        references=(MM_REF + "API_CreateIngressPoint.html", EB_INGRESS),
    ),
)

SMTP_PASSWORD_IN_FILE = Rule(
    code="SES909",
    name="ingress-smtp-password-in-file",
    severity=W,
    summary="An SMTP password written in plain text in the file.",
    source=SOURCE_TOOL,
    kinds=INPUT_KINDS,
    check=_check_plaintext_password,
    doc=RuleDoc(
        what=(
            "Reports, on its key, an `IngressPointConfiguration.SmtpPassword` written out in the file. "
            "Template placeholders (`${Var}`, `{{var}}`, `$VAR`) are not reported. The password never appears "
            "in the message."
        ),
        why=(
            "Files like these end up in version control, CI logs and review tools. A Secrets Manager secret "
            "(`SecretArn`) keeps the password out of them and can be rotated without editing the file."
        ),
        bad=Example("SES909-bad.yaml", CREATE),
        good=Example("SES909-good.yaml", CREATE),
        references=(MM_REF + "API_IngressPointConfiguration.html", SECRETS_MANAGER, EB_INGRESS),
    ),
)

CA_NOT_PEM = Rule(
    code="SES910",
    name="trust-store-ca-not-pem",
    severity=E,
    summary="CAContent is not one or more PEM CERTIFICATE blocks.",
    source=SOURCE_MODEL,
    kinds=ALL_KINDS,
    check=_check_ca_pem,
    doc=RuleDoc(
        what=(
            "Reports a trust store `CAContent` that holds no PEM block (a file name, bare base64), and each block "
            "that is not a well-formed `CERTIFICATE` block: another label (a CRL, a private key, an OpenSSL "
            "`TRUSTED CERTIFICATE`), no END line, BEGIN and END on one line or the two characters `\\n` instead "
            "of line breaks, characters that are not base64, or (with the `cryptography` package) content that "
            "is not an X.509 certificate. Points at the block when its position in the file can be computed."
        ),
        why='`CAContent` is "the PEM-encoded certificate authority (CA) certificates bundle" (API model).',
        bad=Example("SES910-bad.yaml", CREATE),
        good=Example("SES910-good.yaml", CREATE),
        references=(
            MM_REF + "API_TrustStore.html",
            rfc(7468, "2", "textual encodings of PKIX structures"),
            rfc(7468, "5", "textual encoding of certificates"),
            BOTOCORE,
        ),
    ),
)

CERT_EXPIRED = Rule(
    code="SES911",
    name="trust-store-certificate-expired",
    severity=W,
    summary="A CA certificate in the trust store has expired.",
    source=SOURCE_RFC,
    kinds=ALL_KINDS,
    check=_check_cert_expired,
    doc=RuleDoc(
        what="Reports a `CAContent` certificate whose notAfter date has passed, with the date.",
        why=(
            "Path validation rejects a chain through an expired certificate (RFC 5280 section 6.1.3), so "
            "clients whose certificates chain to it cannot authenticate. Needs the `cryptography` package."
        ),
        bad=Example("SES911-bad.yaml", CREATE),
        good=Example("SES911-good.yaml", CREATE),
        references=(
            rfc(5280, "4.1.2.5", "X.509 certificates and CRLs: validity"),
            rfc(5280, "6.1.3", "X.509 certificates and CRLs: path validation"),
            MM_REF + "API_TrustStore.html",
        ),
    ),
)

CERT_NOT_YET_VALID = Rule(
    code="SES912",
    name="trust-store-certificate-not-yet-valid",
    severity=W,
    summary="A CA certificate in the trust store is not valid yet.",
    source=SOURCE_RFC,
    kinds=ALL_KINDS,
    check=_check_cert_not_yet_valid,
    doc=RuleDoc(
        what="Reports a `CAContent` certificate whose notBefore date is in the future, with the date.",
        why=(
            "Until then path validation rejects chains through it (RFC 5280 section 6.1.3); a start date in the "
            "future is usually a clock or issuing mistake. Needs the `cryptography` package."
        ),
        bad=Example("SES912-bad.yaml", CREATE),
        good=Example("SES912-good.yaml", CREATE),
        references=(rfc(5280, "4.1.2.5", "X.509 certificates and CRLs: validity"), MM_REF + "API_TrustStore.html"),
    ),
)

CERT_NOT_CA = Rule(
    code="SES913",
    name="trust-store-certificate-not-ca",
    severity=W,
    summary="A certificate in the trust store is not a CA certificate.",
    source=SOURCE_RFC,
    kinds=ALL_KINDS,
    check=_check_cert_not_ca,
    doc=RuleDoc(
        what=(
            "Reports a `CAContent` certificate whose basicConstraints extension says `CA:FALSE`, or that has no "
            "basicConstraints extension (typically a server or client certificate pasted instead of its CA)."
        ),
        why=(
            "Only a CA certificate can issue the client certificates the trust store checks: RFC 5280 requires "
            "`cA` TRUE in an issuer's basicConstraints. Needs the `cryptography` package."
        ),
        bad=Example("SES913-bad.yaml", CREATE),
        good=Example("SES913-good.yaml", CREATE),
        references=(
            rfc(5280, "4.2.1.9", "X.509 certificates and CRLs: basic constraints"),
            MM_REF + "API_TrustStore.html",
        ),
    ),
)

CRL_NOT_PEM = Rule(
    code="SES914",
    name="trust-store-crl-not-pem",
    severity=E,
    summary="CrlContent is not one or more PEM X509 CRL blocks.",
    source=SOURCE_MODEL,
    kinds=ALL_KINDS,
    check=_check_crl_pem,
    doc=RuleDoc(
        what=(
            "Reports a trust store `CrlContent` that holds no PEM block, and each block that is not a well-formed "
            "`X509 CRL` block (the same checks as SES910)."
        ),
        why='`CrlContent` is "the PEM-encoded certificate revocation lists (CRLs) for the trust store" (API model).',
        bad=Example("SES914-bad.yaml", CREATE),
        good=Example("SES914-good.yaml", CREATE),
        references=(
            MM_REF + "API_TrustStore.html",
            rfc(7468, "6", "textual encoding of certificate revocation lists"),
            BOTOCORE,
        ),
    ),
)

CRL_ISSUER_UNKNOWN = Rule(
    code="SES915",
    name="trust-store-crl-issuer-unknown",
    severity=W,
    summary="A CRL whose issuer is not one of the trust store's CAs.",
    source=SOURCE_MODEL,
    kinds=ALL_KINDS,
    check=_check_crl_issuer,
    doc=RuleDoc(
        what=(
            "Reports a `CrlContent` CRL whose issuer name matches no certificate in `CAContent`, or whose "
            "signature does not verify with the key of the CA of that name."
        ),
        why=(
            '"There can be one CRL per certificate authority (CA) in the trust store" (API model): a CRL of '
            "another CA revokes nothing here, and usually means a CA is missing from CAContent. Needs the "
            "`cryptography` package."
        ),
        bad=Example("SES915-bad.yaml", CREATE),
        good=Example("SES915-good.yaml", CREATE),
        references=(MM_REF + "API_TrustStore.html", rfc(5280, "5.1.2.3", "X.509 certificates and CRLs: issuer")),
    ),
)

EXTRA_CRL = Rule(
    code="SES916",
    name="trust-store-extra-crl",
    severity=W,
    summary="Two CRLs for one CA, or more CRLs than CAs, in the trust store.",
    source=SOURCE_MODEL,
    kinds=ALL_KINDS,
    check=_check_crl_count,
    doc=RuleDoc(
        what=(
            "Reports a `CrlContent` CRL from the same issuer as an earlier one. Without the `cryptography` "
            "package, which reads issuers, it compares the numbers instead: more CRL blocks than CA certificates."
        ),
        why='"There can be one CRL per certificate authority (CA) in the trust store" (API model).',
        bad=Example("SES916-bad.yaml", CREATE),
        good=Example("SES916-good.yaml", CREATE),
        references=(MM_REF + "API_TrustStore.html",),
    ),
)

CRL_EXPIRED = Rule(
    code="SES917",
    name="trust-store-crl-expired",
    severity=W,
    summary="A CRL in the trust store is past its nextUpdate date.",
    source=SOURCE_RFC,
    kinds=ALL_KINDS,
    check=_check_crl_expired,
    doc=RuleDoc(
        what="Reports a `CrlContent` CRL whose nextUpdate date has passed, with the date.",
        why=(
            "A CRL is current only until nextUpdate (RFC 5280 section 5.1.2.5); verifiers that check revocation "
            "treat an out-of-date CRL as an error, so clients of that CA may be rejected. Needs the "
            "`cryptography` package."
        ),
        bad=Example("SES917-bad.yaml", CREATE),
        good=Example("SES917-good.yaml", CREATE),
        references=(rfc(5280, "5.1.2.5", "X.509 certificates and CRLs: nextUpdate"), MM_REF + "API_TrustStore.html"),
    ),
)

RULES: list[Rule] = [
    AUTH_WITHOUT_CREDENTIALS,
    MTLS_WITHOUT_TRUST_STORE,
    CONFIG_DOES_NOT_FIT_TYPE,
    OPTIONAL_TLS_WITH_AUTH,
    OPTIONAL_TLS_WITH_MTLS,
    FIPS_OUTSIDE_US_CANADA,
    FIPS_ON_UPDATE,
    TLS_POLICY_UNSET,
    SMTP_PASSWORD_IN_FILE,
    CA_NOT_PEM,
    CERT_EXPIRED,
    CERT_NOT_YET_VALID,
    CERT_NOT_CA,
    CRL_NOT_PEM,
    CRL_ISSUER_UNKNOWN,
    EXTRA_CRL,
    CRL_EXPIRED,
]
