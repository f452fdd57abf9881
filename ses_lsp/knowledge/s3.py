"""Amazon S3 general purpose bucket names, as S3's naming rules define them.

Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html

* 3 to 63 characters: lower-case letters, digits, '.' and '-'; a letter or digit first
  and last; no two adjacent periods; not in the form of an IPv4 address;
* not starting with ``xn--``, ``sthree-`` or ``amzn-s3-demo-``; not ending with
  ``-s3alias``, ``--ol-s3``, ``.mrap``, ``--x-s3`` or ``--table-s3`` (names S3 keeps for
  access point aliases, Object Lambda, Multi-Region Access Points, directory and table
  buckets);
* legacy buckets created in us-east-1 before 1 March 2018 may have up to 255 characters,
  upper-case letters and '_': a name breaking only those rules may exist.
"""

from __future__ import annotations

import re

from ses_lsp.lint.text import quote

MIN_LENGTH = 3
MAX_LENGTH = 63
LEGACY_MAX_LENGTH = 255
RESERVED_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
RESERVED_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")
_IPV4_FORM = re.compile(r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}")
_NOT_LEGACY_CHAR = re.compile(r"[^A-Za-z0-9._-]")  # (legacy names allow upper case and '_' too)


def bucket_name_problem(name: str) -> tuple[str, bool] | None:
    """``(what is wrong, whether a legacy us-east-1 bucket may still have the name)``, or None."""
    n = len(name)
    if n < MIN_LENGTH:
        return f"is {n} character{'s' if n != 1 else ''} long; bucket names have at least {MIN_LENGTH}", False
    if n > LEGACY_MAX_LENGTH:
        return f"is {n} characters long; bucket names have at most {MAX_LENGTH}", False
    found = _NOT_LEGACY_CHAR.search(name)
    if found is not None:
        bad = found.group()
        what = "a space" if bad == " " else quote(bad)
        return f"contains {what}; bucket names hold only lower-case letters, digits, '.' and '-'", False
    if not name[0].isalnum():
        return f"starts with {quote(name[0])}; bucket names start and end with a letter or digit", False
    if not name[-1].isalnum():
        return f"ends with {quote(name[-1])}; bucket names start and end with a letter or digit", False
    if ".." in name:
        return "has two adjacent periods", False
    if _IPV4_FORM.fullmatch(name):
        return "is in the form of an IP address", False
    lower = name.lower()
    for p in RESERVED_PREFIXES:
        if lower.startswith(p):
            return f"starts with {quote(p)}, a prefix S3 reserves", False
    for s in RESERVED_SUFFIXES:
        if lower.endswith(s):
            return f"ends with {quote(s)}, a suffix S3 reserves", False
    if lower != name:
        return "contains upper-case letters; bucket names are lower case", True
    if "_" in name:
        return "contains '_'; bucket names hold only lower-case letters, digits, '.' and '-'", True
    if n > MAX_LENGTH:
        return f"is {n} characters long; bucket names have at most {MAX_LENGTH}", True
    return None
