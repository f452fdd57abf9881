"""Timestamps as the AWS CLI reads them, and the clock the date checks compare with.

The CLI accepts a timestamp as ISO 8601 text (extended or basic format, a ``T`` or
white space between date and time, an optional fraction and zone) or as epoch
seconds; a YAML document may also hold a YAML timestamp.  A time without a zone is
read as UTC.

Sources:

* AWS CLI timestamp formats: https://docs.aws.amazon.com/cli/latest/userguide/cli-usage-parameters-types.html#parameter-type-timestamp
* ISO 8601 profile for Internet dates (RFC 3339): https://www.rfc-editor.org/rfc/rfc3339#section-5.6
* YAML timestamps: https://yaml.org/type/timestamp.html

``datetime`` is imported where it is used: a lint that reads no date does not load it.
"""

from __future__ import annotations

import re
from collections.abc import Callable

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:
    from datetime import datetime

# Compiled on first use (the re module's cache): most lints read no timestamp.
_ISO_EXT = (
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:(?:[Tt]|[ \t]+)([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:[.,]([0-9]+))?)?"
    r"[ \t]*(?:([Zz])|([+-])([0-9]{1,2})(?::?([0-9]{2}))?)?)?"
)
_ISO_BASIC = (
    r"([0-9]{4})([0-9]{2})([0-9]{2})"
    r"(?:[Tt]([0-9]{2})([0-9]{2})(?:([0-9]{2})(?:[.,]([0-9]+))?)?"
    r"(?:([Zz])|([+-])([0-9]{2})(?::?([0-9]{2}))?)?)?"
)
# ASCII digits and JSON white space only, as the schema's timestamp pattern
# (ses_lsp.schema.generate.TIMESTAMP_PATTERN; tests/test_schema_patterns.py checks they agree).
_JSON_SPACE = " \t\n\r"
_EPOCH = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)"


class Instant:
    """A parsed timestamp; ``zoned`` is False when no zone was written (the CLI reads it as UTC)."""

    __slots__ = ("when", "zoned")

    def __init__(self, when: datetime, zoned: bool) -> None:
        self.when = when
        self.zoned = zoned

    def __repr__(self) -> str:
        return f"Instant({self.when!r}, {self.zoned!r})"


def is_epoch_text(text: str) -> bool:
    """Is ``text`` a number of epoch seconds (``1714557600``, ``1714557600.5``)?"""
    return re.fullmatch(_EPOCH, text.strip(_JSON_SPACE)) is not None


def parse_timestamp(value: object) -> Instant | None:
    """The instant a timestamp value holds: epoch seconds (a number, or text), ISO 8601
    text, or a YAML timestamp's text; None for anything else."""
    from datetime import datetime, timedelta, timezone

    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return Instant(datetime.fromtimestamp(float(value), timezone.utc), True)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip(_JSON_SPACE)
    if re.fullmatch(_EPOCH, text):
        try:
            return Instant(datetime.fromtimestamp(float(text), timezone.utc), True)
        except (OverflowError, OSError, ValueError):
            return None
    m = re.fullmatch(_ISO_EXT, text) or re.fullmatch(_ISO_BASIC, text)
    if not m:
        return None
    y, mo, d, hh, mm, ss, frac, z, sign, oh, om = m.groups()
    try:
        when = datetime(
            int(y),
            int(mo),
            int(d),
            int(hh or 0),
            int(mm or 0),
            int(ss or 0),
            int(((frac or "0") + "000000")[:6]),
        )
    except ValueError:
        return None
    if z:
        return Instant(when.replace(tzinfo=timezone.utc), True)
    if sign:
        if int(oh) > 23 or int(om or 0) > 59:
            return None  # no such zone (the schema's pattern allows up to 23:59 too)
        offset = timedelta(hours=int(oh), minutes=int(om or 0))
        return Instant(when.replace(tzinfo=timezone(offset if sign == "+" else -offset)), True)
    return Instant(when.replace(tzinfo=timezone.utc), False)


def utc_text(when: datetime) -> str:
    """``when`` in UTC as ``2024-05-01T10:00:00Z``."""
    from datetime import timezone

    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _system_clock() -> datetime:
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)


# The clock every date check reads (an aware UTC datetime); tests replace it, and a lint's
# configuration can fix the time instead (see ses_lsp.lint.rules.common.current_time).
clock: Callable[[], datetime] = _system_clock
