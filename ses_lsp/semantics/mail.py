"""The mail a simulation runs on: envelope, connection, headers, verdicts and what outside
systems answer (Lambda dispositions, address lists, add-ons).

A :class:`Mail` is built from a scenario document (kind ``ses-lsp:scenario``, read by
:func:`read_scenario`), a message file (``.eml``, read by :func:`read_eml` with the standard
library's :mod:`email` package), or both: the scenario's members win over what the message
says, and every value neither gives takes the default in :data:`FIELDS`.  Each value keeps
where it came from (:attr:`Mail.origin`), so a trace can say "TLS: true (default)".

:data:`FIELDS` is the one definition of the scenario format: the JSON Schema of the kind
(``ses_lsp/schema/ses-lsp.json``, written by ``python -m ses_lsp.schema.generate``), its
hover texts and ``docs/evaluation.md`` are made from it.

Pure: no file is read here (the caller passes the message's bytes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ses_lsp.document.nodes import ARRAY, BOOLEAN, INTEGER, NUMBER, OBJECT, STRING, Node
from ses_lsp.schema import SCENARIO_KIND

__all__ = ["FIELDS", "SCENARIO_KIND", "Field", "Mail", "MessageFacts", "build_mail", "read_eml", "read_scenario"]

VERDICT_VALUES = ("PASS", "FAIL", "GRAY", "PROCESSING_FAILED")
DMARC_POLICIES = ("NONE", "QUARANTINE", "REJECT")
TLS_PROTOCOLS = ("TLS1_2", "TLS1_3")
DISPOSITIONS = ("CONTINUE", "STOP_RULE", "STOP_RULE_SET")
VERDICT_NAMES = ("Spf", "Dkim", "Dmarc", "Spam", "Virus")
CERTIFICATE_ATTRIBUTES = (
    "CN",
    "SAN_RFC822_NAME",
    "SAN_DNS_NAME",
    "SAN_DIRECTORY_NAME",
    "SAN_UNIFORM_RESOURCE_IDENTIFIER",
    "SAN_IP_ADDRESS",
    "SAN_REGISTERED_ID",
    "SERIAL_NUMBER",
)
DEFAULT_SOURCE_IP = "192.0.2.1"  # TEST-NET-1 (RFC 5737): an address no real sender has

_STR: dict[str, Any] = {"type": "string"}
_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
_BOOL: dict[str, Any] = {"type": "boolean"}


@dataclass(frozen=True)
class Field:
    """One member of a scenario document."""

    member: str  # the member name in the document
    doc: str  # what it is (hover, schema description, docs)
    default: str  # what applies when neither the scenario nor the message gives it
    schema: dict[str, Any]  # its JSON Schema (the subset ses_lsp.lint.validator reads)
    eml: str = ""  # what a message file supplies, if anything


FIELDS: tuple[Field, ...] = (
    Field(
        "Message",
        "A message file (`.eml`, RFC 5322) whose headers and size the mail takes; a relative path is "
        "relative to the scenario file. The other members override what it says.",
        "no message file: headers come from `Headers` only",
        {"type": "string", "minLength": 1},
    ),
    Field(
        "SourceIp",
        "The IP address of the client that connects to SES (IPv4 or IPv6): what IP filters, traffic policy "
        "`SENDER_IP`/`SENDER_IPV6` and rule `SOURCE_IP` conditions test.",
        f"`{DEFAULT_SOURCE_IP}` (a documentation address, RFC 5737)",
        {"type": "string", "minLength": 1},
        "the `[address]` of the topmost `Received:` header's `from` clause",
    ),
    Field(
        "OnSesBlockList",
        "Whether the source IP is on the block list SES keeps itself (for example Spamhaus listings, or "
        "Amazon EC2 addresses); only an IP filter with `Allow` lets such a client in.",
        "`false`",
        _BOOL,
    ),
    Field(
        "Tls",
        "Whether the message arrives over TLS (STARTTLS or implicit TLS).",
        "`true`",
        _BOOL,
        "`true` when the topmost `Received:` header says `with ESMTPS` or `ESMTPSA` (RFC 3848), `false` for "
        "`with SMTP`/`ESMTP`",
    ),
    Field(
        "TlsProtocol",
        "The TLS version of the connection (traffic policy `TLS_PROTOCOL` conditions); ignored without TLS.",
        "`TLS1_3`",
        {"type": "string", "enum": list(TLS_PROTOCOLS)},
    ),
    Field(
        "TlsWrapped",
        "Whether the connection used implicit TLS (port 465) rather than STARTTLS: rule `TLS_WRAPPED` conditions.",
        "`false`",
        _BOOL,
    ),
    Field(
        "Helo",
        "The name the client gives in `HELO`/`EHLO`: rule `HELO` conditions.",
        "the domain of `MailFrom`, else `localhost`",
        {"type": "string"},
        "the `from` name of the topmost `Received:` header",
    ),
    Field(
        "MailFrom",
        "The envelope sender (`MAIL FROM`): rule `MAIL_FROM` conditions.",
        "empty (a null reverse path, as for bounces)",
        {"type": "string"},
        "the `Return-Path:` address, else the `Sender:` address, else the first `From:` address",
    ),
    Field(
        "Recipients",
        "The envelope recipients (`RCPT TO`), one address each: what receipt rules and `RECIPIENT` conditions "
        "match. Each gets its own trace.",
        "none: a simulation needs at least one recipient (here or from the message)",
        {"type": "array", "items": {"type": "string", "minLength": 1}, "minItems": 1},
        "the `To:`, `Cc:` and `Bcc:` addresses",
    ),
    Field(
        "Headers",
        "Header fields, by name (a list for a field that appears several times): rule `FROM`, `SENDER`, `TO`, "
        "`CC`, `SUBJECT` and `X-...` header conditions. They replace the message file's fields of the same name.",
        "none besides the message file's",
        {"type": "object", "additionalProperties": {"type": ["string", "array"], "items": {"type": "string"}}},
        "every header field",
    ),
    Field(
        "Size",
        "The message size in bytes: rule `MESSAGE_SIZE` conditions and the traffic policy's `MaxMessageSizeBytes`.",
        "`0`",
        {"type": "integer", "minimum": 0},
        "the file's size in bytes",
    ),
    Field(
        "ReadReceiptRequested",
        "Whether the message asks for a read receipt: rule `READ_RECEIPT_REQUESTED` conditions.",
        "`false`",
        _BOOL,
        "`true` when it has a `Disposition-Notification-To:` header (RFC 8098)",
    ),
    Field(
        "Verdicts",
        "The authentication and scanning verdicts: `Spf`, `Dkim` (rule `SPF`/`DKIM` verdict conditions), "
        "`Dmarc`, `Spam`, `Virus` (classic rules take no action on them; a Lambda function might), each "
        "`PASS`, `FAIL`, `GRAY` or `PROCESSING_FAILED`.",
        "`PASS` for each",
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {n: {"type": "string", "enum": list(VERDICT_VALUES)} for n in VERDICT_NAMES},
        },
        "`Authentication-Results:` (`spf=`, `dkim=`, `dmarc=`, RFC 8601), `X-SES-Spam-Verdict:` and "
        "`X-SES-Virus-Verdict:`",
    ),
    Field(
        "DmarcPolicy",
        "The DMARC policy the sender's domain publishes: rule `DmarcExpression` conditions.",
        "`NONE`",
        {"type": "string", "enum": list(DMARC_POLICIES)},
    ),
    Field(
        "LambdaDispositions",
        "What each Lambda function returns when a classic rule invokes it with `RequestResponse`, by function "
        "ARN: `CONTINUE`, `STOP_RULE` (skip the rest of the rule) or `STOP_RULE_SET` (stop evaluation).",
        "`CONTINUE` for every function",
        {"type": "object", "additionalProperties": {"type": "string", "enum": list(DISPOSITIONS)}},
    ),
    Field(
        "AddressLists",
        "The members of Mail Manager address lists, by address list ARN (or ID): `IsInAddressList` conditions. "
        "A member may hold `*` wildcards (`user*@example.com`).",
        "every address list is empty",
        {"type": "object", "additionalProperties": _STRINGS},
    ),
    Field(
        "AddOns",
        "Mail Manager Email Add On results, by analyzer ARN, then by result field: a string, a verdict or a "
        "boolean (`Analysis` conditions).",
        "a missing result is the empty string (string conditions), `false` (boolean conditions) or `PASS` "
        "(verdict conditions)",
        {
            "type": "object",
            "additionalProperties": {
                "type": "object",
                "additionalProperties": {"type": ["string", "boolean"]},
            },
        },
    ),
    Field(
        "ClientCertificate",
        "The client certificate of an MTLS connection, by attribute (`CN`, `SAN_DNS_NAME`, ...): rule "
        "`ClientCertificateAttribute` conditions.",
        "no certificate: every attribute is the empty string",
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {n: _STR for n in CERTIFICATE_ATTRIBUTES},
        },
    ),
    Field(
        "VerifiedDomains",
        "Your verified domain identities (each covers its subdomains): SES classic receives mail only for them, "
        "and a rule without `Recipients` matches every address on them.",
        "the configuration's `verified-domains`, else every recipient's domain counts as verified",
        {"type": "array", "items": {"type": "string", "minLength": 1}},
    ),
)
FIELD_BY_MEMBER = {f.member: f for f in FIELDS}


def fields_markdown() -> str:
    """The scenario members as a Markdown table (docs/evaluation.md, written by ``python -m ses_lsp.lint.docs``)."""
    rows = ["| Member | What it is | Default | From a message file |", "|---|---|---|---|"]
    for f in FIELDS:
        cells = [f"`{f.member}`", f.doc, f.default, f.eml or "—"]
        rows.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(rows) + "\n"


@dataclass
class Mail:
    """One message as SES sees it.  Header names are compared without regard to case."""

    source_ip: str = DEFAULT_SOURCE_IP
    on_ses_block_list: bool = False
    tls: bool = True
    tls_protocol: str = "TLS1_3"
    tls_wrapped: bool = False
    helo: str = ""
    mail_from: str = ""
    recipients: list[str] = field(default_factory=list)
    headers: list[tuple[str, str]] = field(default_factory=list)
    size: int = 0
    read_receipt_requested: bool = False
    verdicts: dict[str, str] = field(default_factory=lambda: dict.fromkeys(VERDICT_NAMES, "PASS"))
    dmarc_policy: str = "NONE"
    lambda_dispositions: dict[str, str] = field(default_factory=dict)
    address_lists: dict[str, list[str]] = field(default_factory=dict)
    addons: dict[str, dict[str, str | bool]] = field(default_factory=dict)
    client_certificate: dict[str, str] = field(default_factory=dict)
    verified_domains: list[str] | None = None
    # member name -> "scenario", "message" or "default"
    origin: dict[str, str] = field(default_factory=dict)

    def header_values(self, name: str) -> list[str]:
        """Every value of the header field ``name``, in order."""
        low = name.lower()
        return [v for n, v in self.headers if n.lower() == low]

    def header_addresses(self, name: str) -> list[str]:
        """The addresses in the header fields ``name`` (``To``, ``Cc``, ``From``, ...)."""
        from email.utils import getaddresses

        return [a for _, a in getaddresses(self.header_values(name)) if a]

    def disposition(self, function_arn: str) -> str:
        """What a ``RequestResponse`` invocation of the function returns (``CONTINUE`` if not given).

        Compared without regard to case: AWS's own example function returns ``stop_rule_set``;
        any value other than ``STOP_RULE`` and ``STOP_RULE_SET`` means continue.
        """
        d = self.lambda_dispositions.get(function_arn, "CONTINUE").upper()
        return d if d in DISPOSITIONS else "CONTINUE"


# -- the message file ---------------------------------------------------------------------

_RECEIVED_FROM = re.compile(r"\bfrom\s+(\S+)", re.IGNORECASE)
_RECEIVED_IP = re.compile(r"\[(?:IPv6:)?([0-9A-Fa-f:.]+)\]")
_RECEIVED_WITH = re.compile(r"\bwith\s+([A-Za-z0-9]+)", re.IGNORECASE)
_AUTH_RESULT = re.compile(r"\b(spf|dkim|dmarc)\s*=\s*([A-Za-z]+)", re.IGNORECASE)
# RFC 8601 results -> the verdict values SES and Mail Manager use.
_RESULT_VERDICT = {
    "pass": "PASS",
    "fail": "FAIL",
    "softfail": "FAIL",
    "hardfail": "FAIL",
    "neutral": "GRAY",
    "none": "GRAY",
    "policy": "FAIL",
    "temperror": "PROCESSING_FAILED",
    "permerror": "PROCESSING_FAILED",
}


@dataclass
class MessageFacts:
    """What a message file says about the mail (member name -> value), and its header fields."""

    values: dict[str, Any]
    headers: list[tuple[str, str]]


def read_eml(data: bytes) -> MessageFacts:
    """Read a message file (RFC 5322) with the standard library's :mod:`email` parser.

    Never raises on malformed input: the parser is lenient, and what it cannot read is left
    to the defaults.  Header values are decoded (RFC 2047) and unfolded.
    """
    from email import policy
    from email.parser import BytesParser
    from email.utils import getaddresses

    msg = BytesParser(policy=policy.default).parsebytes(data, headersonly=True)
    headers: list[tuple[str, str]] = []
    for name, value in msg.raw_items():
        headers.append((name, _decoded(value)))

    def values(name: str) -> list[str]:
        low = name.lower()
        return [v for n, v in headers if n.lower() == low]

    def addresses(name: str) -> list[str]:
        return [a for _, a in getaddresses(values(name)) if a]

    out: dict[str, Any] = {"Size": len(data)}
    received = values("Received")
    if received:
        top = received[0]
        m = _RECEIVED_FROM.search(top)
        if m:
            out["Helo"] = m.group(1).strip("()[];")
        m = _RECEIVED_IP.search(top)
        if m:
            out["SourceIp"] = m.group(1)
        m = _RECEIVED_WITH.search(top)
        if m:
            proto = m.group(1).upper()
            if proto in ("SMTP", "ESMTP", "ESMTPA", "LMTP", "LMTPA"):
                out["Tls"] = False
            elif proto.startswith(("ESMTPS", "LMTPS", "UTF8SMTPS")):
                out["Tls"] = True
    return_path = addresses("Return-Path")
    sender = addresses("Sender")
    from_ = addresses("From")
    if return_path or sender or from_:
        out["MailFrom"] = (return_path or sender or from_)[0]
    rcpts = addresses("To") + addresses("Cc") + addresses("Bcc")
    if rcpts:
        out["Recipients"] = rcpts
    if values("Disposition-Notification-To"):
        out["ReadReceiptRequested"] = True
    verdicts: dict[str, str] = {}
    for ar in values("Authentication-Results"):
        for method, result in _AUTH_RESULT.findall(ar):
            v = _RESULT_VERDICT.get(result.lower())
            if v is not None:
                verdicts.setdefault(method.capitalize(), v)
    for name, key in (("X-SES-Spam-Verdict", "Spam"), ("X-SES-Virus-Verdict", "Virus")):
        vs = values(name)
        if vs and vs[0].strip().upper() in VERDICT_VALUES:
            verdicts[key] = vs[0].strip().upper()
    if verdicts:
        out["Verdicts"] = verdicts
    return MessageFacts(out, headers)


def _decoded(value: Any) -> str:
    from email.header import decode_header, make_header

    text = str(value)
    try:
        text = str(make_header(decode_header(text)))
    except (ValueError, LookupError, UnicodeError):
        pass
    return " ".join(text.split())


# -- the scenario document ----------------------------------------------------------------


@dataclass
class ScenarioValues:
    """The members of a scenario document that have the right shape (member -> plain value),
    and the node each came from.  Wrong shapes are the schema pass's to report: skipped here."""

    values: dict[str, Any]
    nodes: dict[str, Node]


def read_scenario(root: Node | None) -> ScenarioValues:
    """The usable members of a scenario document (see :data:`FIELDS`)."""
    values: dict[str, Any] = {}
    nodes: dict[str, Node] = {}
    if root is None or root.kind != OBJECT:
        return ScenarioValues(values, nodes)
    for name, node in root.dict_value.items():
        f = FIELD_BY_MEMBER.get(name)
        if f is None:
            continue
        v = _plain_value(node, f.schema)
        if v is not None:
            values[name] = v
            nodes[name] = node
    return ScenarioValues(values, nodes)


def _plain_value(node: Node, schema: dict[str, Any]) -> Any:
    """The node's value when it has the shape ``schema`` says (None otherwise)."""
    t = schema.get("type")
    types = [t] if isinstance(t, str) else list(t or [])
    kind = node.kind
    if kind == STRING and "string" in types:
        enum = schema.get("enum")
        return node.value if enum is None or node.value in enum else None
    if kind == BOOLEAN and "boolean" in types:
        return node.value
    if kind == INTEGER and ("integer" in types or "number" in types):
        return node.value
    if kind == NUMBER and "number" in types:
        return node.value
    if kind == ARRAY and "array" in types:
        item = schema.get("items") or {}
        out = [_plain_value(n, item) for n in node.list_value]
        return [x for x in out if x is not None]
    if kind == OBJECT and "object" in types:
        props = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        obj: dict[str, Any] = {}
        for k, n in node.dict_value.items():
            sub = props.get(k, extra if isinstance(extra, dict) else None)
            if sub is None:
                continue
            v = _plain_value(n, sub)
            if v is not None:
                obj[k] = v
        return obj
    return None


# -- putting it together -----------------------------------------------------------------

# Members whose value the mail takes as it is (scenario member -> Mail attribute).
_SCALARS = (
    ("SourceIp", "source_ip"),
    ("OnSesBlockList", "on_ses_block_list"),
    ("Tls", "tls"),
    ("TlsProtocol", "tls_protocol"),
    ("TlsWrapped", "tls_wrapped"),
    ("MailFrom", "mail_from"),
    ("Helo", "helo"),
    ("Size", "size"),
    ("ReadReceiptRequested", "read_receipt_requested"),
    ("DmarcPolicy", "dmarc_policy"),
)


def build_mail(
    scenario: dict[str, Any] | None = None,
    message: MessageFacts | None = None,
    verified_domains: list[str] | None = None,
) -> Mail:
    """The mail: the scenario's values, else the message file's, else the defaults.

    ``verified_domains``: the configuration's, used when the scenario names none.
    """
    scenario = scenario or {}
    given = message.values if message is not None else {}
    mail = Mail()
    origin = mail.origin

    def pick(member: str) -> Any:
        if member in scenario:
            origin[member] = "scenario"
            return scenario[member]
        if member in given:
            origin[member] = "message"
            return given[member]
        origin[member] = "default"
        return None

    for member, attr in _SCALARS:
        v = pick(member)
        if v is not None:
            setattr(mail, attr, v)
    if mail.origin["Helo"] == "default":
        domain = mail.mail_from.rpartition("@")[2]
        mail.helo = domain or "localhost"
    v = pick("Recipients")
    if v is not None:
        mail.recipients = list(v)
    headers = list(message.headers) if message is not None else []
    own = scenario.get("Headers") or {}
    if own:
        replaced = {n.lower() for n in own}
        headers = [(n, val) for n, val in headers if n.lower() not in replaced]
        for n, val in own.items():
            for one in val if isinstance(val, list) else [val]:
                headers.append((n, one))
    mail.headers = headers
    origin["Headers"] = "scenario" if own else ("message" if message is not None else "default")
    verdicts = dict.fromkeys(VERDICT_NAMES, "PASS")
    verdicts.update(given.get("Verdicts") or {})
    verdicts.update(scenario.get("Verdicts") or {})
    mail.verdicts = verdicts
    origin["Verdicts"] = "scenario" if "Verdicts" in scenario else ("message" if "Verdicts" in given else "default")
    mail.lambda_dispositions = dict(pick("LambdaDispositions") or {})
    mail.address_lists = {k: list(vs) for k, vs in (pick("AddressLists") or {}).items()}
    mail.addons = {k: dict(vs) for k, vs in (pick("AddOns") or {}).items()}
    mail.client_certificate = dict(pick("ClientCertificate") or {})
    v = pick("VerifiedDomains")
    if v is not None:
        mail.verified_domains = list(v)
    elif verified_domains is not None:
        mail.verified_domains = list(verified_domains)
        origin["VerifiedDomains"] = "configuration"
    return mail
