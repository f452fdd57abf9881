"""The translated botocore patterns mean the same in Python `re`, ECMA-262 ('u') and Java.

* every ``pattern`` in the generated schema files compiles with Python ``re`` and in
  node (``new RegExp(p, 'u')``); node is required: a missing node fails the test;
* a table of sample strings per original botocore pattern gets the expected full-match
  verdict from the translation in Python and in node;
* when a JDK is on the machine, the *original* pattern under ``java.util.regex``
  (``Matcher.matches``) gives the same verdicts, apart from the documented deviation
  (unassigned code points under ``\\P{C}``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from ses_lsp import schema as schema_pkg
from ses_lsp.schema import generate as gen

ROOT = Path(__file__).resolve().parents[1]
NODE_SCRIPT = ROOT / "tests" / "js" / "check_patterns.js"

ANY_ARN_ACCT = "123456789012"
P_C = r"[\P{C}\s]*"

# original botocore pattern -> [(sample, expected full-match verdict), ...]
SAMPLES: dict[str, list[tuple[str, bool]]] = {
    # ---- ses ----
    r"arn:(aws|aws-us-gov):connect:[a-z]{2}-[a-z]+-[0-9-]{1}:[0-9]{1,20}:instance/"
    r"[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}": [
        ("arn:aws:connect:us-east-1:1:instance/12345678-abcd-1234-abcd-123456789012", True),
        ("arn:aws-us-gov:connect:us-gov-1:1:instance/12345678-abcd-1234-abcd-123456789012", True),
        ("arn:aws-cn:connect:cn-north-1:1:instance/12345678-abcd-1234-abcd-123456789012", False),
        ("arn:aws:connect:us-east-1:1:instance/12345678-ABCD-1234-abcd-123456789012", False),
        ("arn:aws:connect:us-east-1:1:instance/12345678-abcd-1234-abcd-123456789012\n", False),
    ],
    r"arn:[\w-]+:iam::[0-9]+:role(\u002F)([\u0021-\u007E]+\u002F)?([\w+=,.@-]+)": [
        (f"arn:aws:iam::{ANY_ARN_ACCT}:role/MyRole", True),
        (f"arn:aws:iam::{ANY_ARN_ACCT}:role/service-role/path/My+Role=,.@-_", True),
        ("arn:aws-us-gov:iam::1:role/r", True),
        (f"arn:aws:iam::{ANY_ARN_ACCT}:role", False),
        (f"arn:aws:iam::{ANY_ARN_ACCT}:role/", False),
        (f"arn:aws:iam::{ANY_ARN_ACCT}:role\\MyRole", False),
        (f"arn:aws:iam::{ANY_ARN_ACCT}:role/Rolé", False),  # Java \w is ASCII
        (f"arn:aws:iam::{ANY_ARN_ACCT}:role/My Role", False),
        (f"arn:äws:iam::{ANY_ARN_ACCT}:role/r", False),
        (f"arn:aws:iam::{ANY_ARN_ACCT}:role/a b/r", False),
    ],
    # ---- mailmanager ----
    "ai-[a-zA-Z0-9]{1,64}": [
        ("ai-abc123", True),
        ("ai-", False),
        ("ai-" + "a" * 64, True),
        ("ai-" + "a" * 65, False),
        ("ai-a_b", False),
    ],
    "as-[a-zA-Z0-9]{1,64}": [("as-Z9", True), ("as-", False), ("as-a-b", False)],
    "[a-zA-Z0-9-]+": [("abc-123", True), ("-", True), ("", False), ("a_b", False), ("a.b", False)],
    "[a-zA-Z0-9_.-]+": [("My.Rule_1-x", True), ("a b", False), ("é", False), ("a\n", False), ("a/b", False)],
    "[a-zA-Z0-9:_/+=,@.#-]+": [
        (f"arn:aws:lambda:us-east-1:{ANY_ARN_ACCT}:function:f", True),
        ("a#b@c=d,e+f/g_h.i-j", True),
        ("a b", False),
        ("a*", False),
        ("", False),
    ],
    r"a-[\w]{1,64}": [("a-abc_1", True), ("a-é", False), ("a-", False), ("a-\u0663", False), ("a-" + "x" * 65, False)],
    "[a-zA-Z0-9][a-zA-Z0-9_-]*[a-zA-Z0-9]": [
        ("ab", True),
        ("a", False),
        ("a-b_c", True),
        ("-ab", False),
        ("ab-", False),
        ("a.b", False),
    ],
    r"[\r\n\x20-\x7e]+": [
        ("Hello\r\nWorld ~", True),
        ("tab\there", False),
        ("é", False),
        ("", False),
        ("\x7f", False),
        ("\x1f", False),
    ],
    P_C: [
        ("", True),
        ("-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJ\r\n\tA==\x0b\x0c-----END-----", True),
        ("emoji \U0001f600 and é and \u4e2d", True),
        ("\u2028 \u2029 \u00a0 \u3000", True),  # Zl, Zp, Zs are not category C
        ("\U0001d172", True),  # So, next to the Cf range U+1D173..1D17A
        ("\x00", False),
        ("\x07", False),
        ("\x1c", False),
        ("\x7f", False),
        ("\x85", False),
        ("\u00ad", False),
        ("\u200b", False),
        ("\u200e", False),
        ("\ufeff", False),
        ("\ue000", False),
        ("\uf8ff", False),  # private use (Co)
        ("\U000f0000", False),
        ("\U0010fffd", False),  # supplementary private use
        ("\U000e0001", False),
        ("\U000e0041", False),  # language tag / tag characters (Cf)
        ("\U0001d173", False),
        ("\U000110bd", False),  # supplementary Cf
        ("ok\x00", False),
        ("ok\u200b", False),
    ],
    r"[\x20-\x7e]+": [("550 5.1.1 user unknown", True), ("\r", False), ("", False), ("caf\u00e9", False)],
    "[a-zA-Z0-9._+-]+@[a-zA-Z0-9.-]+": [
        ("user+tag@example.com", True),
        ("a_b@x", True),
        ("@x", False),
        ("a@b@c", False),
        ("ü@x", False),
        ("a@b_c", False),
        ("a b@c", False),
    ],
    r"[xX]\-[a-zA-Z0-9\-]+": [
        ("X-Foo", True),
        ("x-foo-bar", True),
        ("x--", True),
        ("Y-Foo", False),
        ("X-", False),
        ("X-Foo_Bar", False),
        ("X\\-Foo", False),
    ],
    r"[A-Za-z0-9_\-]+": [("my-ingress_1", True), ("a.b", False), ("\\", False), ("", False)],
    r"((25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)\.){3}(25[0-5]|2[0-4][0-9]|[01]?[0-9][0-9]?)"
    r"/([0-9]|[12][0-9]|3[0-2])": [
        ("10.0.0.0/8", True),
        ("255.255.255.255/32", True),
        ("01.2.3.4/0", True),
        ("256.0.0.0/8", False),
        ("1.2.3.4/33", False),
        ("1.2.3.4", False),
        ("1.2.3/8", False),
        ("1.2.3.4/32\n", False),
        ("1x2.3.4/8", False),
    ],
    r"(([0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,7}:|"
    r"([0-9a-fA-F]{1,4}:){1,6}:[0-9a-fA-F]{1,4}|([0-9a-fA-F]{1,4}:){1,5}(:[0-9a-fA-F]{1,4}){1,2}|"
    r"([0-9a-fA-F]{1,4}:){1,4}(:[0-9a-fA-F]{1,4}){1,3}|([0-9a-fA-F]{1,4}:){1,3}(:[0-9a-fA-F]{1,4}){1,4}|"
    r"([0-9a-fA-F]{1,4}:){1,2}(:[0-9a-fA-F]{1,4}){1,5}|[0-9a-fA-F]{1,4}:((:[0-9a-fA-F]{1,4}){1,6})|"
    r":((:[0-9a-fA-F]{1,4}){1,7}|:))\/(12[0-8]|1[0-1][0-9]|[1-9][0-9]|[0-9])": [
        ("2001:db8::/32", True),
        ("::/0", True),
        ("::1/128", True),
        ("1:2:3:4:5:6:7:8/64", True),
        ("fe80::1/129", False),
        ("2001:db8::1", False),
        ("::ffff:1.2.3.4/128", False),
        ("g::/0", False),
        ("1::2::3/64", False),
        ("2001:db8::\\/32", False),
    ],
    r"arn:aws(|-cn|-us-gov|-eusc):kms:[a-z0-9-]{1,20}:[0-9]{12}:(key|alias)/.+": [
        (f"arn:aws:kms:us-east-1:{ANY_ARN_ACCT}:key/1234abcd-12ab", True),
        (f"arn:aws-cn:kms:cn-north-1:{ANY_ARN_ACCT}:alias/x y\t\x0bé\U0001f600", True),
        (f"arn:aws:kms:us-east-1:{ANY_ARN_ACCT}:key/", False),
        (f"arn:aws:kms:us-east-1:{ANY_ARN_ACCT}:key/a\nb", False),
        (f"arn:aws:kms:us-east-1:{ANY_ARN_ACCT}:key/a\rb", False),
        (f"arn:aws:kms:us-east-1:{ANY_ARN_ACCT}:key/a\u0085b", False),  # Java '.' excludes NEL
        (f"arn:aws:kms:us-east-1:{ANY_ARN_ACCT}:key/a\u2028b", False),
        (f"arn:aws:kms:us-east-1:{ANY_ARN_ACCT}:key/a\u2029", False),
        (f"arn:aws-xx:kms:us-east-1:{ANY_ARN_ACCT}:key/a", False),
    ],
    "[a-zA-Z0-9-:/]+": [
        ("1234abcd-12ab-34cd-56ef-1234567890ab", True),
        (f"arn:aws:kms:us-east-1:{ANY_ARN_ACCT}:key/x", True),
        ("alias.x", False),  # '-' is literal, not a range '-'..':'
        (";", False),
        ("a_b", False),
    ],
    "X-[a-zA-Z0-9-]{1,256}": [
        ("X-Custom-1", True),
        ("x-custom", False),
        ("X-", False),
        ("X-" + "a" * 256, True),
        ("X-" + "a" * 257, False),
    ],
    "[a-z0-9-]+": [("0f1e2d3c-aaaa-bbbb-cccc-0123456789ab", True), ("ABC", False)],
    "[a-zA-Z0-9-_]+": [
        ("relay_1-a", True),
        ("a.b", False),
        ("^", False),
        ("[", False),
        (":", False),
        ("@", False),
        ("\\", False),
    ],
    r"[a-zA-Z0-9-\.]+": [("smtp.example.com", True), ("a-b", True), ("a/b", False), ("a\\b", False), (",", False)],
    r"(addon\.)?[\sa-zA-Z0-9_]+": [
        ("addon.field_1", True),
        ("field name", True),
        ("a\tb\x0bc\x0cd\re\nf", True),
        ("addon.", False),
        ("a\u00a0b", False),
        ("a\x1cb", False),
        ("a-b", False),
        ("addon.addon.x", False),
        ("\u0661", False),
    ],
    "(([0-9]|.|:|/)*)": [
        ("10.0.0.0/24", True),
        ("", True),
        ("anything goes!", True),
        ("2001:db8::/32", True),
        ("a\nb", False),
        ("a\u0085", False),
        ("1\r", False),
        ("\u2028", False),
        ("12345\n", False),
        ("1" * 5000 + "\n", False),
    ],  # catastrophic for the original form
    "[a-zA-Z0-9.-]+": [("my.bucket-1", True), ("my_bucket", False)],
    "s3://[a-zA-Z0-9.-]{3,63}(/[a-zA-Z0-9!_.*'()/-]*)*": [
        ("s3://my-bucket", True),
        ("s3://my-bucket/prefix/key.txt", True),
        ("s3://my-bucket//a//b/", True),
        ("s3://my-bucket/", True),
        ("s3://ab", False),
        ("s3://my-bucket/a b", False),
        ("s3://" + "a" * 64, False),
        ("S3://abc", False),
        ("s3://abc" + "/" * 3000 + "\n", False),  # catastrophic for the original form
    ],
    "[a-zA-Z0-9!_.*'()/-]+": [("emails/2024/(x)*'!_.-", True), ("a b", False), ("", False), ("a\\b", False)],
    r"arn:(aws|aws-cn|aws-us-gov|aws-eusc):secretsmanager:[a-z0-9-]+:\d{12}:secret:"
    r"[a-zA-Z0-9/_+=,.@-]+": [
        (f"arn:aws:secretsmanager:us-east-1:{ANY_ARN_ACCT}:secret:my/secret-AbCdEf", True),
        ("arn:aws:secretsmanager:us-east-1:12345678901:secret:x", False),
        (
            "arn:aws:secretsmanager:us-east-1:\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668"
            "\u0669\u0660\u0661\u0662:secret:x",
            False,
        ),  # Java \d is ASCII
    ],
    r"[A-Za-z0-9!@#$%^&*()_+\-=\[\]{}|.,?]+": [
        ("Passw0rd!@#$%^&*()_+-=[]{}|.,?", True),
        ("pass word", False),
        ("pass~", False),
        ("a\\b", False),
        ("p'q", False),
        ("a:b", False),
        ("a<b", False),
        ("a/b", False),
    ],
    "[45][0-9][0-9]": [("550", True), ("450", True), ("250", False), ("55", False), ("5500", False)],
    r"arn:(aws|aws-cn|aws-us-gov|aws-eusc):sns:[a-z0-9-]+:\d{12}:[\w\-]{1,256}": [
        (f"arn:aws:sns:us-east-1:{ANY_ARN_ACCT}:my-topic_1", True),
        (f"arn:aws-eusc:sns:eusc-de-east-1:{ANY_ARN_ACCT}:t", True),
        (f"arn:aws:sns:us-east-1:{ANY_ARN_ACCT}:tópico", False),
        (f"arn:aws:sns:us-east-1:{ANY_ARN_ACCT}:a.b", False),
        (f"arn:aws:sns:us-east-1:{ANY_ARN_ACCT}:" + "t" * 257, False),
    ],
    r"[45]\.[0-9]{1,3}\.[0-9]{1,3}": [
        ("5.1.1", True),
        ("4.7.0", True),
        ("5.01.100", True),
        ("6.1.1", False),
        ("5.1", False),
        ("5x1.1", False),
    ],
    r"[a-zA-Z0-9/_\+=\.:@\-]+": [
        ("aws:cloudformation/stack-name", True),
        ("a+b=c@d.e", True),
        ("a b", False),
        ("", False),
        ("é", False),
        ("a\\b", False),
    ],
    r"[a-zA-Z0-9/_\+=\.:@\-]*": [("", True), ("x@y.z", True), ("a,b", False)],
    r"arn:aws(|-cn|-us-gov|-eusc):ses:[a-z0-9-]{1,20}:[0-9]{12}:(mailmanager-|addon-).+": [
        (f"arn:aws:ses:us-east-1:{ANY_ARN_ACCT}:mailmanager-rule-set/rs-1", True),
        (f"arn:aws:ses:us-east-1:{ANY_ARN_ACCT}:addon-x", True),
        (f"arn:aws:ses:us-east-1:{ANY_ARN_ACCT}:identity/x", False),
        (f"arn:aws:ses:us-east-1:{ANY_ARN_ACCT}:mailmanager-\u2029", False),
    ],
    "vpce-[a-zA-Z0-9]{17}": [("vpce-0123456789abcdef0", True), ("vpce-0123", False)],
    # ---- CloudFormation resource schemas (cfn-lint's copies) ----
    "[0-9A-Za-z@+.-]+": [("user+tag@example.com", True), ("a b", False), ("", False), ("x_y", False)],
    r"arn:(aws|aws-cn|aws-us-gov|aws-eusc):kms:[a-z0-9-]+:\d{12}:(key|alias)/[a-zA-Z0-9/_-]+": [
        ("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", True),
        ("arn:aws:kms:us-east-1:123456789012:alias/aws/ses", True),
        ("arn:aws:kms:us-east-1:12345678901:key/abc", False),
        ("arn:aws:kms:us-east-1:123456789012:key/a.b", False),
    ],
    r"arn:(aws|aws-cn|aws-us-gov|aws-eusc):sns:[a-z]{2}-([a-z]+-)+\d{1}:\d{12}:[\w\-]{1,256}": [
        ("arn:aws:sns:us-east-1:123456789012:my-topic", True),
        ("arn:aws-us-gov:sns:us-gov-west-1:123456789012:t_1", True),
        ("arn:aws:sns:useast1:123456789012:t", False),
        ("arn:aws:sns:us-east-1:123456789012:caf\u00e9", False),
    ],
}
# (original pattern, sample): the translation intentionally differs from Java here.
# Unassigned code points (Cn) are part of Java's \p{C} but depend on each engine's
# Unicode version, so the translation accepts them; so are surrogates (Cs), which no
# well-formed string holds and which engines such as jsonschema-rs cannot name.
DEVIATIONS: dict[tuple[str, str], bool] = {
    (P_C, "\u0378"): True,  # unassigned in every Unicode version so far
    (P_C, "\U000e0000"): True,  # unassigned
    (P_C, "\U0010ffff"): True,  # noncharacter (Cn)
    (P_C, "\ufffe"): True,  # noncharacter (Cn)
    (P_C, "\ud800"): True,  # lone surrogates (Cs), from a JSON escape without its pair
    (P_C, "a\udfffb"): True,
}

TIMESTAMP_SAMPLES = [
    ("2016-07-15T16:25:59.607Z", True),
    ("2024-01-01", True),
    ("2024-01-01T10:00", True),
    ("2024-01-01 10:00:00+05:30", True),
    ("2024-01-01T10:00:00,5-0800", True),
    ("1700000000", True),
    ("1700000000.25", True),
    ("-1", True),
    ("2024-13-01", False),
    ("2024-01-32", False),
    ("yesterday", False),
    ("", False),
    ("2024-01-01T25:00:00Z", False),
    ("1e9", False),
    # Surrounding JSON white space is ignored (as the AWS CLI does); other text is not.
    ("2024-01-01\n", True),
    (" 1700000000 ", True),
    ("2024-01-01x\n", False),
    ("\u00a02024-01-01", False),
    # Dates that exist: month lengths, leap years, year 0001 to 9999.
    ("2024-02-29", True),
    ("2000-02-29", True),
    ("2023-02-29", False),
    ("1900-02-29", False),
    ("2024-04-31", False),
    ("2024-02-30T10:00:00Z", False),
    ("0000-01-01", False),
    ("0001-01-01", True),
    ("0400-02-29", True),
    ("0000-02-29", False),
    # Seconds 00-59 (no leap second), zones up to 23:59.
    ("2024-01-01T10:00:60Z", False),
    ("2024-01-01T10:00+23:59", True),
    ("2024-01-01T10:00+24:00", False),
    ("2024-01-01T10:00+05:60", False),
    # Basic format with a time; the time is checked too.
    ("20240501T1000Z", True),
    ("20240229T100000.5+0530", True),
    ("20230229T1000", False),
    ("20240501T9999Z", False),
    # Epoch forms float() reads, ASCII digits only.
    ("+5", True),
    (".5", True),
    ("5.", True),
    ("\u0661\u0662\u0663", False),
]


def _all_cases() -> list[tuple[str, str, bool]]:
    """(translated pattern, sample, expected) over SAMPLES, DEVIATIONS and timestamps."""
    cases = []
    for source, samples in SAMPLES.items():
        translated = gen.translate_pattern(source)
        cases.extend((translated, s, expected) for s, expected in samples)
    for (source, s), expected in DEVIATIONS.items():
        cases.append((gen.translate_pattern(source), s, expected))
    cases.extend((gen.TIMESTAMP_PATTERN, s, e) for s, e in TIMESTAMP_SAMPLES)
    return cases


def _walk_patterns(node, out: set[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("pattern"), str):
            out.add(node["pattern"])
        for value in node.values():
            _walk_patterns(value, out)
    elif isinstance(node, list):
        for value in node:
            _walk_patterns(value, out)


def _generated_patterns() -> list[str]:
    found: set[str] = set()
    for service in schema_pkg.SERVICES:
        _walk_patterns(schema_pkg.load_service(service), found)
    return sorted(found)


def _pattern_sources() -> list[tuple[str, str]]:
    """(x-pattern-source, pattern) for every string shape of both files."""
    pairs = []
    for service in schema_pkg.SERVICES:
        for sch in schema_pkg.load_service(service)["$defs"].values():
            if "x-pattern-source" in sch:
                pairs.append((sch["x-pattern-source"], sch["pattern"]))
    return pairs


@pytest.fixture(scope="module")
def node_results():
    """Runs node once for every pattern and every sample."""
    node = shutil.which("node")
    if node is None:
        pytest.fail(
            "node (Node.js >= 18) is required to check the schema patterns in an ECMA-262 "
            "engine but was not found on PATH; install it (it is on the dev machines and CI)"
        )
    table = {gen.translate_pattern(s) for s in gen.PATTERN_RULES}
    patterns = sorted(set(_generated_patterns()) | table)
    cases = _all_cases()
    payload = {"patterns": patterns, "cases": [[p, s] for p, s, _ in cases]}
    proc = subprocess.run(
        [node, str(NODE_SCRIPT)],
        input=json.dumps(payload).encode("utf-8"),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    out = json.loads(proc.stdout.decode("utf-8"))
    return out["errors"], list(zip(cases, out["results"], strict=True))


# ---------------------------------------------------------------------------


def test_there_are_patterns():
    pats = _generated_patterns()
    assert len(pats) >= 20
    assert gen.TIMESTAMP_PATTERN in pats


def test_every_generated_pattern_compiles_in_python():
    for p in _generated_patterns():
        re.compile(p)


def test_every_generated_pattern_is_anchored():
    for p in _generated_patterns():
        assert p.startswith("^(?:") and p.endswith(")$"), p


def test_no_generated_pattern_names_a_surrogate():
    """Engines over well-formed strings (jsonschema-rs, Rust's regex) reject a pattern that
    names a surrogate code point, and with it the whole schema."""
    for p in _generated_patterns():
        assert re.search(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}", p) is None, p
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in p), p


def test_generated_patterns_are_the_table_translations():
    pairs = _pattern_sources()
    assert pairs
    for source, pattern in pairs:
        assert pattern == gen.translate_pattern(source), source


def test_table_and_samples_cover_the_same_patterns():
    assert set(SAMPLES) == set(gen.PATTERN_RULES)
    for source, _pattern in _pattern_sources():
        assert source in SAMPLES, f"no samples for {source!r}"
    for source, samples in SAMPLES.items():
        verdicts = {expected for _, expected in samples}
        assert verdicts == {True, False}, f"{source!r} needs accepted and rejected samples"


def test_every_model_pattern_is_in_the_table():
    """All ~37 patterns of both full models (not only the reachable ones) are reviewed."""
    for spec in gen.SERVICE_SPECS:
        model = gen.load_model(spec.name, spec.api_version)
        for name, shape in model["shapes"].items():
            if "pattern" in shape:
                assert shape["pattern"] in gen.PATTERN_RULES, f"{spec.name}:{name}"


def test_unknown_pattern_is_refused():
    with pytest.raises(gen.UnknownPatternError):
        gen.translate_pattern(r"\p{L}+")


def test_python_verdicts():
    for pattern, sample, expected in _all_cases():
        assert (re.fullmatch(pattern, sample) is not None) == expected, (pattern[:80], sample[:40])


@pytest.mark.parametrize("year", [1, 4, 100, 400, 1900, 1999, 2000, 2023, 2024, 2100, 9999])
def test_timestamp_pattern_dates_are_the_calendar(year):
    """The timestamp pattern accepts exactly the dates that exist (extended and basic form)."""
    import datetime

    pattern = re.compile(gen.TIMESTAMP_PATTERN)
    for month in range(0, 14):
        for day in range(0, 33):
            try:
                datetime.date(year, month, day)
                exists = True
            except ValueError:
                exists = False
            extended = f"{year:04d}-{month:02d}-{day:02d}"
            basic = f"{year:04d}{month:02d}{day:02d}T1000Z"
            assert (pattern.fullmatch(extended) is not None) == exists, extended
            assert (pattern.fullmatch(basic) is not None) == exists, basic
            assert pattern.fullmatch(f"0000-{month:02d}-{day:02d}") is None


def test_every_pattern_compiles_in_node(node_results):
    errors, _ = node_results
    assert errors == {}, "patterns rejected by new RegExp(p, 'u'):\n" + "\n".join(
        f"{p!r}: {msg}" for p, msg in errors.items()
    )


def test_node_verdicts_match_python(node_results):
    _, results = node_results
    bad = []
    for (pattern, sample, expected), got in results:
        py = re.fullmatch(pattern, sample) is not None
        if got is not py or py is not expected:
            bad.append((pattern[:60], sample[:40], expected, py, got))
    assert not bad, "\n".join(map(repr, bad))


def test_not_other_class_matches_unicodedata_per_code_point():
    """Python verdict of the \\P{C} translation for every code point of the BMP and beyond."""
    pattern = re.compile(gen.translate_pattern(P_C))
    excluded = set()
    for a, b in gen.OTHER_CATEGORY_RANGES:
        excluded.update(range(a, b + 1))
    excluded -= {9, 10, 11, 12, 13, *range(0xD800, 0xE000)}
    for cp in range(0x110000):
        assert (pattern.fullmatch(chr(cp)) is not None) == (cp not in excluded), hex(cp)


def test_other_category_table_matches_unicodedata():
    """The pinned Cc/Cf/Cs/Co table is what `unicodedata` gives (exactly, for its version)."""
    table = set()
    for a, b in gen.OTHER_CATEGORY_RANGES:
        table.update(range(a, b + 1))
    if unicodedata.unidata_version == gen.OTHER_CATEGORY_UNICODE_VERSION:
        assert gen.other_category_ranges() == gen.OTHER_CATEGORY_RANGES
        return
    # Another Unicode version: Cc, Cs and Co never change and assigned code points keep
    # their category, but new Cf characters may be assigned (they are Cn in the table's
    # version, hence accepted by the translation, like any unassigned code point).
    for cp in range(0x110000):
        cat = unicodedata.category(chr(cp))
        if cat in ("Cc", "Cs", "Co"):
            assert cp in table, hex(cp)
        if cp in table:
            assert cat in gen.OTHER_CATEGORIES, (hex(cp), cat)


# ---------------------------------------------------------------------------
# Java cross-check of the *original* patterns (runs when a JDK is available)
# ---------------------------------------------------------------------------

JAVA_SOURCE = r"""
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

public class CheckJavaPatterns {
    // stdin: lines "<pattern>\t<sample>", both as hex UTF-16 code units; stdout: one 0/1 each
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(
            new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.split("\t", -1);
            out.append(Pattern.compile(dec(f[0])).matcher(dec(f[1])).matches() ? '1' : '0');
        }
        System.out.println(out);
    }
    static String dec(String h) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < h.length(); i += 4)
            b.append((char) Integer.parseInt(h.substring(i, i + 4), 16));
        return b.toString();
    }
}
"""


def _utf16_hex(s: str) -> str:
    return s.encode("utf-16-be", "surrogatepass").hex()


def test_original_patterns_give_the_same_verdicts_in_java(tmp_path):
    java = shutil.which("java")
    if java is None:
        pytest.skip("no JDK (java) on PATH: the Java cross-check of the originals is optional")
    src = tmp_path / "CheckJavaPatterns.java"
    src.write_text(JAVA_SOURCE, encoding="utf-8")
    cases = []
    for source, samples in SAMPLES.items():
        for sample, expected in samples:
            # long samples exist to catch catastrophic backtracking in the *originals*,
            # which java.util.regex would also suffer from
            if len(sample) <= 300:
                cases.append((source, sample, expected))
    for (source, sample), _ours in DEVIATIONS.items():
        cases.append((source, sample, False))  # Java rejects unassigned code points and surrogates
    lines = "".join(f"{_utf16_hex(p)}\t{_utf16_hex(s)}\n" for p, s, _ in cases)
    proc = subprocess.run(
        [java, str(src)],
        input=lines.encode("ascii"),
        capture_output=True,
        timeout=300,
        check=False,
    )
    if proc.returncode != 0 and b"javac" in proc.stderr.lower() + proc.stdout.lower():
        pytest.skip("java cannot launch source files here (no JDK compiler)")
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    got = proc.stdout.decode().strip()
    assert len(got) == len(cases)
    bad = [
        (p[:60], s[:40], expected) for (p, s, expected), bit in zip(cases, got, strict=True) if (bit == "1") != expected
    ]
    assert not bad, "Java verdicts of the original patterns differ:\n" + "\n".join(map(repr, bad))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__, "-q"]))
