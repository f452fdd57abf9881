"""Public sources the rule docs cite: one home for each, every one with a public URL.

Rule docs reference AWS documentation pages directly (their family modules hold those URL
constants); what several families cite - RFC sections, the botocore service models, the
recorded probes of live SES - is built here so that each source is written once.
"""

from __future__ import annotations

# The SES API reference: rule docs cite its pages as SES_API + "API_SendBounce.html".
SES_API = "https://docs.aws.amazon.com/ses/latest/APIReference/"

# Cited by both bounce families (bounces.py: the bounce actions; dsn.py: SendBounce's DSN fields).
API_SEND_BOUNCE = SES_API + "API_SendBounce.html"
API_RECIPIENT_INFO = SES_API + "API_BouncedRecipientInfo.html"

BOTOCORE = "https://github.com/boto/botocore/blob/develop/botocore/data"
BOTOCORE_SES = f"botocore service model ses 2010-12-01: {BOTOCORE}/ses/2010-12-01/service-2.json"
BOTOCORE_MAILMANAGER = (
    f"botocore service model mailmanager 2023-10-17: {BOTOCORE}/mailmanager/2023-10-17/service-2.json"
)

# An open-source SES emulator whose tests record what live SES answered (2026).
FLOCI_RULE_PROBES = (
    "floci-io/floci PR #3119, receipt-rule probes of live SES (2026): https://github.com/floci-io/floci/pull/3119"
)
FLOCI_FILTER_PROBES = (
    "floci-io/floci PR #3163, receipt-filter probes of live SES (2026): https://github.com/floci-io/floci/pull/3163"
)


def rfc(number: int, section: str = "", title: str = "") -> str:
    """``RFC 5321 section 4.2 (reply codes): https://www.rfc-editor.org/rfc/rfc5321#section-4.2``."""
    text = f"RFC {number}"
    url = f"https://www.rfc-editor.org/rfc/rfc{number}"
    if section:
        text += f" section {section}"
        url += f"#section-{section}"
    if title:
        text += f" ({title})"
    return f"{text}: {url}"


# RFC sections both bounce families cite.
RFC3463_2 = rfc(3463, "2", "status code structure")
RFC3464_236 = rfc(3464, "2.3.6", "Diagnostic-Code")
