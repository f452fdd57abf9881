"""Addresses and networks (SES6xx): CIDR parsing, recipient classification, fixes, context."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from ses_lsp.knowledge.networks import parse_cidr
from ses_lsp.lint.config import Config
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.fixes import apply_edit_groups
from ses_lsp.lint.rules import addresses
from ses_lsp.lint.rules.addresses import recipient_problem


def lint(doc: dict | str, path: str = "x.json", kind: str | None = None, **cfg):
    text = doc if isinstance(doc, str) else json.dumps(doc, indent=2)
    return text, lint_text(text, path, kind=kind, config=Config(**cfg))


def codes(result, prefix: str = "SES6") -> list[str]:
    return [d.code for d in result.diagnostics if d.code.startswith(prefix)]


def fix_all(text: str, result, code: str) -> str:
    return apply_edit_groups(text, [d.fix.edits for d in result.diagnostics if d.code == code and d.fix])


def rule(recipients: list, name: str = "store") -> dict:
    return {
        "RuleSetName": "inbound",
        "Rule": {
            "Name": name,
            "Enabled": True,
            "Recipients": recipients,
            "Actions": [{"S3Action": {"BucketName": "mail-bucket"}}],
        },
    }


def filters(*entries: tuple[str, str]) -> dict:
    return {"Filters": [{"Name": f"f{i}", "IpFilter": {"Policy": p, "Cidr": c}} for i, (p, c) in enumerate(entries)]}


def mm_ip(values: list[str], op: str = "CIDR_MATCHES") -> dict:
    return {
        "RuleSetName": "rs",
        "Rules": [
            {
                "Name": "r",
                "Conditions": [
                    {"IpExpression": {"Evaluate": {"Attribute": "SOURCE_IP"}, "Operator": op, "Values": values}}
                ],
                "Actions": [{"Archive": {"TargetArchive": "a-1234567890abcdef"}}],
            }
        ],
    }


# -- the module itself ------------------------------------------------------------------------


def test_no_stdlib_ipaddress_and_netaddr_imported_lazily():
    tree = ast.parse(Path(addresses.__file__).read_text(encoding="utf-8"))
    top_level = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top_level.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            top_level.add(node.module or "")
    assert "netaddr" not in top_level
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            assert all(a.name != "ipaddress" for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            assert node.module != "ipaddress"


# -- CIDR parsing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,canonical,host_bits",
    [
        ("10.0.0.1", "10.0.0.1/32", False),
        ("10.0.0.0/8", "10.0.0.0/8", False),
        ("10.0.0.1/24", "10.0.0.0/24", True),
        ("0.0.0.0/0", "0.0.0.0/0", False),
        ("2001:db8::/32", "2001:db8::/32", False),
        ("2001:DB8::1/64", "2001:db8::/64", True),
        ("::/0", "::/0", False),
        ("::1", "::1/128", False),
        ("fe80::1/10", "fe80::/10", True),
    ],
)
def test_parse_cidr_valid(text, canonical, host_bits):
    parsed, problem = parse_cidr(text, classic=True)
    assert problem is None
    assert parsed is not None and parsed.canonical == canonical and parsed.host_bits is host_bits


@pytest.mark.parametrize(
    "text,why",
    [
        ("", "empty"),
        (" 10.0.0.1", "white space"),
        ("256.0.0.1", "octet 256 is out of range"),
        ("10.0.0", "has 3 parts"),
        ("010.0.0.1", "leading zero"),
        ("10.0.0.0/33", "/33 is out of range for IPv4 (0-32)"),
        ("2001:db8::/129", "/129 is out of range for IPv6 (0-128)"),
        ("10.0.0.0/255.255.0.0", "write the prefix length /16"),
        ("10.0.0.0/", "missing"),
        ("10.0.0.0/08", "leading zero; write /8"),
        ("10.0.0.0/8/8", "more than one '/'"),
        ("[2001:db8::1]", "without brackets"),
        ("fe80::1%eth0", "zone IDs"),
        ("2001:db8:::1", "not a valid IPv6 address"),
        ("１０.0.0.1", "non-ASCII"),
        ("10.0.0.1-10.0.0.9", "ranges"),
        ("mail.example.com", "host name"),
        ("192.0.2.1:25", "port"),
        ("::ffff:192.0.2.1", "IPv4-mapped"),
    ],
)
def test_parse_cidr_invalid_says_why(text, why):
    parsed, problem = parse_cidr(text, classic=True)
    assert parsed is None
    assert problem is not None and why in problem


def test_ipv4_mapped_only_rejected_for_classic_filters():
    assert parse_cidr("::ffff:192.0.2.1", classic=False)[1] is None
    _, res = lint(mm_ip(["::ffff:192.0.2.1"]))
    assert codes(res) == []


def test_invalid_cidr_reported_on_the_value_with_reason():
    text, res = lint({"Filter": {"Name": "f", "IpFilter": {"Policy": "Block", "Cidr": "10.0.0.0/40"}}})
    [d] = [d for d in res.diagnostics if d.code == "SES601"]
    assert text[d.start : d.end] == '"10.0.0.0/40"'
    assert d.pointer == "/Filter/IpFilter/Cidr"
    assert "out of range for IPv4" in d.message


def test_ipv6_everywhere_is_clean():
    _, res = lint(filters(("Allow", "2001:db8::/32"), ("Block", "2001:db8:ffff::/48")))
    assert codes(res) == ["SES603"] or codes(res) == []  # Block inside Allow only
    _, res = lint(mm_ip(["2001:db8::/32", "2001:db8:1::1", "::/0", "198.51.100.0/24"]))
    assert codes(res) == []
    _, res = lint({"Filter": {"Name": "f", "IpFilter": {"Policy": "Allow", "Cidr": "2001:db8:abcd::/48"}}})
    assert codes(res) == []


def test_placeholder_cidrs_are_not_reported():
    _, res = lint(filters(("Block", "${BlockedCidr}"), ("Allow", "{{ partner_cidr }}")))
    assert codes(res) == []


def test_host_bits_fix_writes_the_network_json_and_ipv6():
    text, res = lint(filters(("Allow", "10.0.0.1/24"), ("Allow", "2001:DB8:0:1::1/64")))
    assert codes(res) == ["SES602", "SES602"]
    fixed = fix_all(text, res, "SES602")
    assert '"10.0.0.0/24"' in fixed and '"2001:db8:0:1::/64"' in fixed
    _, again = lint(fixed)
    assert codes(again) == []


# -- IP filter relations ------------------------------------------------------------------------


def test_block_equal_or_inside_allow_is_reported_on_the_block_with_the_allow_related():
    text, res = lint(filters(("Allow", "198.51.100.0/24"), ("Block", "198.51.100.0/24"), ("Block", "198.51.100.16/28")))
    ds = [d for d in res.diagnostics if d.code == "SES603"]
    assert [text[d.start : d.end] for d in ds] == ['"198.51.100.0/24"', '"198.51.100.16/28"']
    assert all(len(d.related) == 1 and "allows" in d.related[0].message for d in ds)
    # the Block with no effect is not also called redundant
    assert "SES605" not in codes(res)


def test_block_all_without_allow_per_family_and_only_for_lists():
    _, res = lint(filters(("Block", "0.0.0.0/0"), ("Allow", "2001:db8::/32")))
    assert codes(res) == ["SES604"]
    _, res = lint(filters(("Block", "0.0.0.0/0"), ("Allow", "198.51.100.0/24")))
    assert codes(res) == []  # AWS's recipe: no SES604, no SES606
    _, res = lint({"Filter": {"Name": "all", "IpFilter": {"Policy": "Block", "Cidr": "0.0.0.0/0"}}})
    assert codes(res) == []


def test_redundant_filter_same_or_narrower_same_policy():
    text, res = lint(
        filters(
            ("Allow", "198.51.100.0/24"),
            ("Allow", "198.51.100.25"),
            ("Allow", "198.51.100.0/24"),
            ("Block", "203.0.113.0/24"),
            ("Allow", "203.0.113.0/25"),
        )
    )
    ds = [d for d in res.diagnostics if d.code == "SES605"]
    assert [text[d.start : d.end] for d in ds] == ['"198.51.100.25"', '"198.51.100.0/24"']
    assert ds[1].start > ds[0].start  # the later copy of the identical range
    assert "SES606" in codes(res)


def test_allow_inside_block_reported_once_per_block():
    _, res = lint(filters(("Block", "203.0.113.0/24"), ("Allow", "203.0.113.25"), ("Allow", "203.0.113.26")))
    ds = [d for d in res.diagnostics if d.code == "SES606"]
    assert len(ds) == 1 and len(ds[0].related) == 2


# -- recipients -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,why,replacement",
    [
        ("", "empty", None),
        ("   ", "white space", None),
        ("Support <support@example.com>", "display-name form", "support@example.com"),
        ("<support@example.com>", "angle brackets", "support@example.com"),
        ("mailto:support@example.com", "mailto", "support@example.com"),
        ("https://www.example.com/contact", "URL", "www.example.com"),
        ("@example.com", "nothing before '@'", "example.com"),
        ("user@", "nothing after '@'", None),
        ("a@b@example.com", "more than one '@'", None),
        ("first last@example.com", "white space", None),
        (" user@example.com ", "white space around", "user@example.com"),
        ("a@example.com,b@example.com", 'contains ","', None),
        ("a@example.com; b@example.com", 'contains ";"', None),
        ("user@example..com", "two dots", None),
        ("user@example.com.", "ends with a dot", None),
        ("user@exa mple.com", "white space", None),
        ("user@example!.com", "not allowed in a domain", None),
        ("..example.com", "starts with a dot", None),
    ],
)
def test_recipient_problem(text, why, replacement):
    found = recipient_problem(text)
    assert found is not None
    assert why in found[0]
    assert found[1] == replacement


@pytest.mark.parametrize(
    "text",
    [
        "user@example.com",
        "user+label@example.com",
        "example.com",
        ".example.com",
        "first.last@mail.example.co.uk",
        "o'brien@example.com",
        "user_name@example.com",
        "*@example.com",
        "xn--bcher-kva.example",
        "bücher.example",
    ],
)
def test_recipient_problem_accepts_valid_entries_and_leaves_wildcards_alone(text):
    assert recipient_problem(text) is None


def test_invalid_recipient_fixes_are_safe_only_when_the_meaning_is_kept():
    text, res = lint(rule(["Support <support@example.com>", "@example.org", "https://example.net/"]))
    ds = [d for d in res.diagnostics if d.code == "SES607"]
    assert [d.fix.safe for d in ds] == [True, False, False]
    fixed = apply_edit_groups(text, [d.fix.edits for d in ds if d.fix.safe])
    assert json.loads(fixed)["Rule"]["Recipients"] == ["support@example.com", "@example.org", "https://example.net/"]


def test_placeholder_recipients_are_not_reported():
    _, res = lint(rule(["${Domain}", "{{ user }}@example.com", "ops@${Domain}", "<string>", "%s@example.com"]))
    assert codes(res) == []


def test_wildcard_suggestions():
    _, res = lint(rule(["*@example.com", "*.example.org", "*@*.example.net", "us*r@example.com", "*"]))
    ds = [d for d in res.diagnostics if d.code == "SES608"]
    assert [d.fix.title if d.fix else None for d in ds] == [
        'Replace with "example.com"',
        'Replace with ".example.org"',
        'Replace with ".example.net"',
        None,
        None,
    ]
    assert all(d.fix is None or not d.fix.safe for d in ds)
    assert "SES607" not in codes(res)


def test_duplicate_recipient_fix_removes_the_later_entry_json():
    text, res = lint(rule(["support@example.com", "sales@example.com", "support@EXAMPLE.com"]))
    [d] = [d for d in res.diagnostics if d.code == "SES609"]
    assert text[d.start : d.end] == '"support@EXAMPLE.com"'
    assert d.related and "first listed" in d.related[0].message
    fixed = fix_all(text, res, "SES609")
    assert json.loads(fixed)["Rule"]["Recipients"] == ["support@example.com", "sales@example.com"]
    assert "SES612" not in codes(res)  # the duplicate is not also an upper-case hint


def test_duplicate_recipient_local_part_case_is_unsafe():
    _, res = lint(rule(["sales@example.com", "Sales@example.com"]))
    [d] = [d for d in res.diagnostics if d.code == "SES609"]
    assert d.fix is not None and not d.fix.safe


def test_duplicate_recipient_fix_in_yaml_block_list():
    pytest.importorskip("ses_lsp.document.yaml_parser")
    text = (
        "RuleSetName: inbound\n"
        "Rule:\n"
        "  Name: store\n"
        "  Enabled: true\n"
        "  Recipients:\n"
        "    - support@example.com  # main\n"
        "    - sales@example.com\n"
        "    - support@example.com\n"
        "  Actions:\n"
        "    - S3Action:\n"
        "        BucketName: mail-bucket\n"
    )
    res = lint_text(text, "x.yaml")
    assert codes(res) == ["SES609"]
    fixed = fix_all(text, res, "SES609")
    assert fixed == text.replace("    - support@example.com\n  Actions", "  Actions")


def test_redundant_recipient_plus_label_and_domain():
    text, res = lint(rule(["support@example.com", "support+billing@example.com", "example.org", "ops@example.org"]))
    ds = [d for d in res.diagnostics if d.code == "SES610"]
    assert [text[d.start : d.end] for d in ds] == ['"support+billing@example.com"', '"ops@example.org"']
    assert "+label" in ds[0].message
    # a labelled address does not cover the plain one
    _, res = lint(rule(["support+billing@example.com", "support@example.org"]))
    assert "SES610" not in codes(res)


def test_unverified_domain_needs_config_and_accepts_subdomains():
    doc = rule(["support@example.com", "ops@mail.example.com", ".example.com", "x@other.org", "Other.ORG"])
    _, res = lint(doc)
    assert "SES611" not in codes(res)
    text, res = lint(doc, verified_domains=("Example.com",))
    ds = [d for d in res.diagnostics if d.code == "SES611"]
    assert [text[d.start : d.end] for d in ds] == ['"x@other.org"', '"Other.ORG"']
    # the entries are read as bounce senders read them: white space, case and dots around ignored
    text, res = lint(doc, verified_domains=(" .example.com. ", "x@other.org"))
    ds = [d for d in res.diagnostics if d.code == "SES611"]
    assert [text[d.start : d.end] for d in ds] == ['"x@other.org"', '"Other.ORG"']
    assert "(example.com)" in ds[0].message


def test_upper_case_fix_lowercases_only_the_domain():
    text, res = lint(rule(["Ops@Example.COM", "Sales@example.com"]))
    ds = [d for d in res.diagnostics if d.code == "SES612"]
    assert [d.fix.safe for d in ds] == [True, False]
    fixed = apply_edit_groups(text, [d.fix.edits for d in ds if d.fix.safe])
    assert json.loads(fixed)["Rule"]["Recipients"] == ["Ops@example.com", "Sales@example.com"]


def test_invalid_recipients_get_no_other_recipient_hints():
    _, res = lint(rule(["Support <SUPPORT@example.com>", "Support <SUPPORT@example.com>"]))
    assert codes(res) == ["SES607", "SES607"]


# -- Mail Manager ---------------------------------------------------------------------------------


def test_duplicate_expression_value_compares_ranges_and_fixes():
    text, res = lint(mm_ip(["198.51.100.0/24", "198.51.100.0/24", "2001:db8::/32", "10.0.0.0/8", "2001:DB8::/32"]))
    ds = [d for d in res.diagnostics if d.code == "SES613"]
    assert len(ds) == 2
    assert "the same range" in ds[1].message
    fixed = fix_all(text, res, "SES613")
    assert json.loads(fixed)["Rules"][0]["Conditions"][0]["IpExpression"]["Values"] == [
        "198.51.100.0/24",
        "2001:db8::/32",
        "10.0.0.0/8",
    ]


def test_duplicate_expression_value_strings_are_case_sensitive():
    doc = mm_ip(["x"])
    doc["Rules"][0]["Conditions"] = [
        {
            "StringExpression": {
                "Evaluate": {"Attribute": "SUBJECT"},
                "Operator": "CONTAINS",
                "Values": ["Invoice", "invoice", "Invoice"],
            }
        }
    ]
    _, res = lint(doc)
    assert codes(res) == ["SES613"]


def test_replace_with_duplicates():
    doc = mm_ip(["198.51.100.0/24"])
    doc["Rules"][0]["Actions"].insert(0, {"ReplaceRecipient": {"ReplaceWith": ["a@example.com", "a@Example.com"]}})
    text, res = lint(doc)
    assert codes(res) == ["SES609"]
    assert "ReplaceWith" in res.diagnostics[0].message


def test_leading_zeros_are_a_warning_not_an_error():
    from ses_lsp.lint.diagnostics import Severity

    _, res = lint(filters(("Block", "010.0.0.0/8"), ("Block", "10.0.0.0/08"), ("Block", "10.0.0.0/33")))
    assert [(d.code, d.severity) for d in res.diagnostics] == [
        ("SES601", Severity.WARNING),
        ("SES601", Severity.WARNING),
        ("SES601", Severity.ERROR),
    ]
