"""SMTP reply codes, enhanced status codes and delivery status notifications.

* A reply code (RFC 5321) is three digits: the first says success (2), intermediate (3),
  transient (4) or permanent (5) failure, the second the category (0-5).
* An enhanced status code (RFC 3463) is ``class.subject.detail``: class 2, 4 or 5,
  subject and detail numbers of 1 to 3 digits without leading zeros.  Sent with a reply
  code (RFC 2034), its class matches the reply code's first digit.  RFC 3463 section 3
  restricts some details to one class.
* A delivery status notification (RFC 3464) names MTAs as ``mta-name-type; name`` and
  diagnostics as ``diagnostic-type; text``; the types are registered with IANA.

Sources:

* RFC 5321 section 4.2 (reply codes) and 4.2.3 (in numeric order):
  https://www.rfc-editor.org/rfc/rfc5321#section-4.2
* RFC 3463 section 2 (status code structure) and 3 (the enumerated codes):
  https://www.rfc-editor.org/rfc/rfc3463#section-2
* RFC 2034 section 4 (enhanced codes sent with reply codes): https://www.rfc-editor.org/rfc/rfc2034#section-4
* RFC 3464 section 2.2-2.3 (the DSN fields): https://www.rfc-editor.org/rfc/rfc3464#section-2.2
* IANA Delivery Status Notification types: https://www.iana.org/assignments/dsn-types/dsn-types.xhtml
"""

from __future__ import annotations

import re

from ses_lsp.lint.text import quote

# -- reply codes (RFC 5321) ---------------------------------------------------------------

# Reply-code = %x32-35 %x30-35 %x30-39 (section 4.2).
REPLY_RE = r"[2-5][0-5][0-9]"
# A failure reply of any second digit: 4yz or 5yz (also the Mail Manager model's pattern).
FAILURE_REPLY_RE = r"[45][0-9][0-9]"
# Text that starts with a reply code ("550 5.1.1 user unknown").
REPLY_TEXT_RE = r"[245][0-9][0-9](?:[ -]|$)"

# Replies to a command the server could not parse or does not implement (section 4.2.3).
COMMAND_SYNTAX_REPLIES = {
    "500": "syntax error, command unrecognized",
    "501": "syntax error in parameters or arguments",
    "502": "command not implemented",
    "503": "bad sequence of commands",
    "504": "command parameter not implemented",
}

# -- enhanced status codes (RFC 3463) -------------------------------------------------------

# class "." subject "." detail; class 2/4/5; 1-3 digits, no leading zeros (section 2).
STATUS_RE = r"([245])\.(0|[1-9][0-9]{0,2})\.(0|[1-9][0-9]{0,2})"
# The same shape with leading zeros allowed.
_LOOSE_STATUS_RE = r"([245])\.([0-9]{1,3})\.([0-9]{1,3})"
# Three numbers separated by dots, whatever they are.
DOTTED_RE = r"([0-9]+)\.([0-9]+)\.([0-9]+)"

CLASS_WORDS = {"2": "success", "4": "persistent transient failure", "5": "permanent failure"}

# Section 3: details the RFC restricts to one class (only the ones it states).
PERMANENT_ONLY = {
    (1, 1): "only useful for permanent failures",
    (1, 2): "only useful for permanent failures",
    (1, 3): "only useful for permanent failures",
    (1, 6): "only useful for permanent failures",
    (2, 3): "to be used as a permanent failure",
    (3, 4): "useful only as a permanent error",
    (5, 1): "useful only as a permanent error",
    (5, 2): "useful only as a permanent error",
    (5, 4): "useful only as a permanent error",
    (6, 1): "useful only as a permanent error",
    (7, 1): "useful only as a permanent error",
    (7, 2): "useful only as a permanent error",
    (7, 3): "useful only as a permanent error",
    (7, 4): "useful only as a permanent error",
}
TRANSIENT_ONLY = {
    (2, 2): "to be used as a persistent transient failure",
    (3, 1): "useful only as a persistent transient error",
    (4, 1): "useful only as a persistent transient error",
    (4, 2): "useful only as a persistent transient error",
    (4, 3): "useful only as a persistent transient error",
    (4, 5): "useful only as a persistent transient error",
    (4, 6): "useful only as a persistent transient error",
}
POSITIVE_ONLY = {(1, 5): "to be used for positive delivery reports"}
DETAIL_NAMES = {
    (1, 1): "bad destination mailbox address",
    (1, 2): "bad destination system address",
    (1, 3): "bad destination mailbox address syntax",
    (1, 5): "destination address valid",
    (1, 6): "destination mailbox has moved",
    (2, 2): "mailbox full",
    (2, 3): "message length exceeds administrative limit",
    (3, 1): "mail system full",
    (3, 4): "message too big for system",
    (4, 1): "no answer from host",
    (4, 2): "bad connection",
    (4, 3): "directory server failure",
    (4, 5): "mail system congestion",
    (4, 6): "routing loop detected",
    (5, 1): "invalid command",
    (5, 2): "syntax error",
    (5, 4): "invalid command arguments",
    (6, 1): "media not supported",
    (7, 1): "delivery not authorized, message refused",
    (7, 2): "mailing list expansion prohibited",
    (7, 3): "security conversion required but not possible",
    (7, 4): "security features not supported",
}


def parse_status(text: str) -> tuple[int, int, int] | None:
    """(class, subject, detail) of a strictly valid RFC 3463 status code, else None."""
    m = re.fullmatch(STATUS_RE, text)
    return (int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def status_class(text: str) -> str | None:
    """The class digit of a status code of the form c.d{1,3}.d{1,3} (leading zeros tolerated)."""
    m = re.fullmatch(_LOOSE_STATUS_RE, text)
    return m.group(1) if m else None


def strip_leading_zeros(text: str) -> str | None:
    """``5.01.1`` as ``5.1.1``; None when ``text`` is not three dotted numbers."""
    m = re.fullmatch(DOTTED_RE, text)
    if not m:
        return None
    return ".".join(str(int(g)) for g in m.groups())


def status_problem(text: str) -> tuple[str, str | None] | None:
    """Why ``text`` is not an RFC 3463 status code: (reason, corrected value or None).

    None when ``text`` is valid.
    """
    if re.fullmatch(STATUS_RE, text):
        return None
    if text == "":
        return "it is empty", None
    stripped = text.strip()
    if stripped != text and re.fullmatch(STATUS_RE, stripped):
        return "it has white space around the code", stripped
    m = re.fullmatch(DOTTED_RE, stripped)
    if m:
        cls, subject, detail = m.groups()
        if cls not in ("2", "4", "5"):
            return (
                f"its class {quote(cls)} is not one of 2 (success), 4 (persistent transient "
                "failure) or 5 (permanent failure)"
            ), None
        if len(subject.lstrip("0") or "0") > 3 or len(detail.lstrip("0") or "0") > 3:
            return "its subject and detail must be numbers of 1 to 3 digits", None
        fixed = strip_leading_zeros(stripped)
        if fixed is not None and re.fullmatch(STATUS_RE, fixed):
            return "RFC 3463 forbids leading zeros in its numbers", fixed
    if re.fullmatch(r"[2-5][0-9][0-9]", stripped):
        return "that is an SMTP reply code, not an enhanced status code", None
    return "it is not three numbers separated by dots", None


def detail_advice(parsed: tuple[int, int, int]) -> tuple[str, str] | None:
    """(what RFC 3463 says about the detail, the class it wants) when ``parsed`` has another class."""
    cls, subject, detail = parsed
    key = (subject, detail)
    if key in PERMANENT_ONLY and cls != 5:
        return PERMANENT_ONLY[key], "5"
    if key in TRANSIENT_ONLY and cls != 4:
        return TRANSIENT_ONLY[key], "4"
    if key in POSITIVE_ONLY and cls != 2:
        return POSITIVE_ONLY[key], "2"
    return None


# -- delivery status notifications (RFC 3464) -------------------------------------------------

ACTIONS_FAILED = ("failed", "delayed")  # section 2.3.3: the Actions of a non-delivery report
ACTIONS_SUCCESS = ("delivered", "relayed", "expanded")  # section 2.3.3: the Actions of a success
MTA_TYPES = ("dns", "x400")  # IANA DSN types registry: MTA-name types
DIAGNOSTIC_TYPES = ("smtp",)  # IANA DSN types registry: diagnostic types

# A parenthesised comment may follow the Status code (section 2.3.4).
_DSN_STATUS_RE = r"(\S+?)(?:\s*\([^()]*\))?"
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
# ``type; value``: Reporting-MTA, Remote-MTA, Diagnostic-Code, Final-Recipient (sections 2.2-2.3).
TYPED_RE = "(?s)" rf"\s*({_ATOM})\s*;\s*(.*)"
# An MTA name written with ':' for ';' ("dns: mx.example.com").
COLON_TYPED_RE = "(?is)" r"\s*(dns|x400)\s*:\s*(\S.*)"
# A host name (an MTA name of type dns).
HOSTNAME_RE = (
    r"(?=.{1,253}$)([A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
    r"[A-Za-z][A-Za-z0-9-]*[A-Za-z0-9]\.?"
)
# The address-type prefix of a Final-Recipient, and the diagnostic-type prefix "smtp;".
RFC822_PREFIX_RE = "(?i)" r"\s*rfc\s*822\s*;\s*"
SMTP_PREFIX_RE = "(?i)" r"\s*smtp\s*;\s*"


def diagnostic_reply_code(text: str) -> str | None:
    """The SMTP reply code a DSN Diagnostic-Code of type smtp starts with (``smtp; 550 5.1.1
    user unknown`` -> ``550``), or None."""
    m = re.match(SMTP_PREFIX_RE, text)
    if m is None or not re.match(REPLY_TEXT_RE, text[m.end() :]):
        return None
    return text[m.end() : m.end() + 3]


def dsn_status_code(text: str) -> str:
    """A DSN Status without its trailing parenthesised comment (RFC 3464 section 2.3.4)."""
    m = re.fullmatch(_DSN_STATUS_RE, text)
    return m.group(1) if m else text
