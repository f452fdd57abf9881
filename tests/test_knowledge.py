"""The SES and standards knowledge the rule families share (ses_lsp.knowledge): each grammar
tested once, where it lives, and the families shown to agree on it."""

from __future__ import annotations

import ast
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from ses_lsp import knowledge
from ses_lsp.knowledge import addresses, arns, s3, smtp, timestamps
from ses_lsp.lint.config import ConfigError, config_from_mapping
from ses_lsp.lint.rules.addresses import recipient_problem
from ses_lsp.semantics.classic import Recipient

# -- the package ----------------------------------------------------------------------------


def test_modules_import_no_heavy_library_at_module_level():
    """Start-up: a family importing a knowledge module does not pay for netaddr or datetime,
    and nothing uses the stdlib ipaddress module (netaddr answers every IP question)."""
    for path in Path(knowledge.__file__).parent.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top_level = set()
        for node in tree.body:
            if isinstance(node, ast.Import):
                top_level.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                top_level.add(node.module or "")
        assert not top_level & {"netaddr", "datetime", "cryptography"}, path.name
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            module = node.module if isinstance(node, ast.ImportFrom) else None
            assert "ipaddress" not in names and module != "ipaddress", path.name


# -- enhanced status codes (RFC 3463) -----------------------------------------------------------


@pytest.mark.parametrize("code", ["2.0.0", "4.2.2", "5.1.1", "5.7.26", "5.999.999", "4.10.0"])
def test_parse_status_valid(code):
    assert smtp.parse_status(code) is not None
    assert smtp.status_problem(code) is None


@pytest.mark.parametrize(
    "code,reason,fix",
    [
        ("5.01.1", "leading zeros", "5.1.1"),
        ("5.1.00", "leading zeros", "5.1.0"),
        (" 5.1.1", "white space", "5.1.1"),
        ("3.1.1", 'class "3"', None),
        ("5.1000.1", "1 to 3 digits", None),
        ("550", "SMTP reply code", None),
        ("5.1", "three numbers", None),
        ("5.1.1.1", "three numbers", None),
        ("", "empty", None),
    ],
)
def test_status_problem(code, reason, fix):
    got = smtp.status_problem(code)
    assert got is not None and reason in got[0] and got[1] == fix


# -- addresses and domains ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "addr",
    [
        "user@example.com",
        "first.last+tag@sub.example.co.uk",
        '"odd local"@example.com',
        "user@[192.0.2.1]",
        "user@[IPv6:2001:db8::1]",
        "josé@bücher.example",
        "用户@例子.广告",
        "user@xn--bcher-kva.example",
        "o'brien@example.com",
        "a_b-c@my_host.example.com",
    ],
)
def test_addresses_accepted(addr):
    assert addresses.is_email_address(addr), addresses.address_problem(addr)


@pytest.mark.parametrize(
    "addr,reason",
    [
        ("postmaster", "no '@'"),
        ("a@b@example.com", "more than one '@'"),
        ("@example.com", "before the '@'"),
        ("user@", "after the '@'"),
        ("us er@example.com", "white space"),
        ("user@localhost", "no '.'"),
        ("user@example.com.", "empty label"),
        ("user@example..com", "empty label"),
        ("user@exa mple.com", "white space"),
        ("user@192.0.2.1", "address literal"),
        ("user@[192.0.2.300]", "not a valid IPv4"),
        ("user@[IPv6:2001:db8::zz]", "not a valid IPv6"),
        ("mailto:user@example.com", "mailto"),
        (" user@example.com", "white space around"),
        ("x" * 65 + "@example.com", "64 octets"),
        ("Postmaster <postmaster@example.com>", "needs quoting"),
        ("a,b@example.com", "needs quoting"),
    ],
)
def test_addresses_rejected(addr, reason):
    problem = addresses.address_problem(addr)
    assert problem is not None and reason in problem, problem


def test_display_name_only_where_allowed():
    assert addresses.is_email_address("Postmaster <postmaster@example.com>", display_name=True)
    assert addresses.is_email_address('"Mail Delivery" <mailer-daemon@example.com>', display_name=True)
    assert not addresses.is_email_address("Postmaster <postmaster>", display_name=True)


@pytest.mark.parametrize(
    "domain",
    [
        "example.com",
        "mail.example.co.uk",
        "bücher.example",
        "my_host.example.com",
        "xn--bcher-kva.example",
        ".example.com",
        "example.com.",
        "example..com",
        "exa!mple.com",
        "exa mple.com",
        "a." * 126 + "com",
    ],
)
def test_recipients_and_bounce_addresses_share_one_domain_grammar(domain):
    """A domain a Recipients entry may not name is one a bounce address may not use either,
    and the reasons come from the same place."""
    fault = addresses.domain_fault(domain)
    assert Recipient.parse(f"user@{domain}").form == ("invalid" if fault else "address")
    problem = addresses.address_problem(f"user@{domain}")
    assert (problem is not None) is (fault is not None), problem
    entry = recipient_problem(f"user@{domain}")
    if fault is None:
        assert entry is None
    else:
        assert entry is not None
        if fault.kind != "character" or not fault.char.isspace():  # white space: the entry's own reason
            assert fault.reason in entry[0]


@pytest.mark.parametrize(
    "domain,kind",
    [
        ("", "empty"),
        (".a.com", "leading-dot"),
        ("a.com.", "trailing-dot"),
        ("a..com", "double-dot"),
        ("a!.com", "character"),
        ("a" * 254, "too-long"),
        ("a.b!..com", "double-dot"),
    ],
)
def test_domain_fault(domain, kind):
    fault = addresses.domain_fault(domain)
    assert fault is not None and fault.kind == kind


def test_verified_identities():
    identities = ["Example.com", " .corp.example ", "ops@other.example", "", "  "]
    assert addresses.verified_domains(identities) == {"example.com", "corp.example"}
    assert addresses.address_is_verified("postmaster@example.com", identities)
    assert addresses.address_is_verified("Mail <bounce@mail.EXAMPLE.com>", identities)
    assert addresses.address_is_verified("x@eu.corp.example", identities)
    assert addresses.address_is_verified("ops@OTHER.example", identities)
    assert not addresses.address_is_verified("dev@other.example", identities)
    assert not addresses.address_is_verified("a@notexample.com", identities)
    assert addresses.domain_is_verified("Sub.Example.com", {"example.com"})
    assert not addresses.domain_is_verified("other.example", addresses.verified_domains(identities))


# -- timestamps -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected,zoned",
    [
        ("2024-05-01T10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=timezone.utc), True),
        ("2024-05-01T12:00:00+02:00", datetime(2024, 5, 1, 10, tzinfo=timezone.utc), True),
        (
            "2024-05-01T10:00:00.250Z",
            datetime(2024, 5, 1, 10, 0, 0, 250000, tzinfo=timezone.utc),
            True,
        ),
        ("2024-05-01", datetime(2024, 5, 1, tzinfo=timezone.utc), False),
        ("20240501T100000Z", datetime(2024, 5, 1, 10, tzinfo=timezone.utc), True),
        ("1714557600", datetime(2024, 5, 1, 10, tzinfo=timezone.utc), True),
        (1714557600.0, datetime(2024, 5, 1, 10, tzinfo=timezone.utc), True),
        ("2024-05-01 05:00:00 -5", datetime(2024, 5, 1, 10, tzinfo=timezone.utc), True),
        ("2024-5-1t10:00:00Z", datetime(2024, 5, 1, 10, tzinfo=timezone.utc), True),
    ],
)
def test_parse_timestamp(value, expected, zoned):
    got = timestamps.parse_timestamp(value)
    assert got is not None and got.when == expected and got.zoned is zoned


@pytest.mark.parametrize("value", ["2024-13-01", "yesterday", "2024-02-30T00:00:00Z", "", True, None, [1]])
def test_parse_timestamp_rejects(value):
    assert timestamps.parse_timestamp(value) is None


def test_epoch_text_and_utc_text():
    assert timestamps.is_epoch_text(" 1714557600.5 ") and not timestamps.is_epoch_text("2024-05-01")
    when = datetime(2024, 5, 1, 14, tzinfo=timezone(timedelta(hours=2)))
    assert timestamps.utc_text(when) == "2024-05-01T12:00:00Z"


# -- Regions ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "region,ok",
    [
        ("us-east-1", True),
        ("us-gov-west-1", True),
        ("eusc-de-east-1", True),
        ("ap-southeast-5", True),
        ("us-east", False),
        ("US-EAST-1", False),
        ("useast1", False),
    ],
)
def test_config_region_uses_the_region_grammar(region, ok):
    """The configuration and the ARN checks agree on what a Region name is."""
    assert arns.is_region(region) is ok
    if ok:
        assert config_from_mapping({"region": region}).region == region
    else:
        with pytest.raises(ConfigError, match="'region' must be an AWS Region name"):
            config_from_mapping({"region": region})


def test_timestamp_parser_and_schema_pattern_agree():
    """The two forms of the timestamp grammar: the schema's pattern (what SES104 checks)
    and the parser the semantic checks read instants with.  They accept the same texts,
    except epoch seconds beyond what a datetime holds (a valid form, no instant)."""
    import random
    import re

    from test_schema_patterns import TIMESTAMP_SAMPLES

    from ses_lsp.schema import generate as gen

    pattern = re.compile(gen.TIMESTAMP_PATTERN)
    rng = random.Random(7)
    pieces = ["2024", "-", "01", "1", "02", "29", "T", "t", " ", "10", ":", "00", "59", "60", ".", ",", "5"]
    pieces += ["Z", "z", "+", "0530", "05:30", "24", "\n", "\xa0", "x", "0000", "9999", "1700000000", "13", "31"]
    pieces += ["\u0661", "30", "23:59", "24:00"]
    samples = [s for s, _ in TIMESTAMP_SAMPLES]
    samples += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 9))) for _ in range(20000)]
    disagree = []
    for s in samples:
        by_pattern = pattern.fullmatch(s) is not None
        parsed = timestamps.parse_timestamp(s) is not None
        if by_pattern != parsed and not (by_pattern and timestamps.is_epoch_text(s)):
            disagree.append(s)
    assert disagree == []
    assert timestamps.parse_timestamp("2024-01-01T10:00+24:00") is None  # crashed (no such zone)
    assert timestamps.parse_timestamp("\u0661\u0662\u0663") is None  # Arabic-Indic digits: not epoch seconds


@pytest.mark.parametrize(
    ("name", "words", "legacy"),
    [
        ("ab", "at least 3", False),
        ("a" * 64, "at most 63", True),
        ("a" * 256, "at most 63", False),
        ("mail bucket", "a space", False),
        ("mail/bucket", '"/"', False),
        ("-mail", 'starts with "-"', False),
        ("mail.", 'ends with "."', False),
        ("mail..bucket", "two adjacent periods", False),
        ("10.0.0.1", "IP address", False),
        ("sthree-mail", '"sthree-"', False),
        ("amzn-s3-demo-bucket", '"amzn-s3-demo-"', False),
        ("mail-s3alias", '"-s3alias"', False),
        ("mail.mrap", '".mrap"', False),
        ("mail--table-s3", '"--table-s3"', False),
        ("MyBucket", "upper-case", True),
        ("my_bucket", "'_'", True),
    ],
)
def test_bucket_name_problems(name, words, legacy):
    problem = s3.bucket_name_problem(name)
    assert problem is not None and words in problem[0] and problem[1] is legacy


@pytest.mark.parametrize("name", ["abc", "a" * 63, "mail-archive.example.com", "1mail", "mail-2026", "x.y.z"])
def test_bucket_names_accepted(name):
    assert s3.bucket_name_problem(name) is None
