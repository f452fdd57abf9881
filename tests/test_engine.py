"""The lint engine end to end (in process): never raises, kinds, selection, suppressions."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ses_lsp.lint import engine
from ses_lsp.lint.config import Config, config_from_mapping
from ses_lsp.lint.diagnostics import Severity
from ses_lsp.lint.engine import lint_bytes, lint_text
from ses_lsp.lint.registry import Rule, RuleDoc
from ses_lsp.lint.rules import REGISTRY
from ses_lsp.lint.secrets import find_secrets

RULE_YAML = """RuleSetName: inbound
Rule:
  Name: store
  Enabled: true
  TlsPolicy: required
  Recipients: [support@example.com]
  Actions:
    - S3Action:
        BucketName: mail-bucket
"""


def codes(result):
    return [d.code for d in result.diagnostics]


def test_binary_and_undecodable_input_is_one_diagnostic():
    r = lint_bytes(b"\x00\x01\x02binary", "x.json")
    assert codes(r) == ["SES006"] and "NUL" in r.diagnostics[0].message
    r = lint_bytes(b'{"Rule": "caf\xe9"}', "x.json")
    assert codes(r) == ["SES006"] and "UTF-8" in r.diagnostics[0].message
    assert r.diagnostics[0].start == len('{"Rule": "caf')


_NOT_UTF8 = (
    "the AWS CLI reads parameter files in the locale's encoding (UTF-8 on Linux and macOS) unless "
    "AWS_CLI_FILE_ENCODING says otherwise, and ses-lsp checks them as UTF-8: save it as UTF-8"
)


@pytest.mark.parametrize(
    ("codec", "what"),
    [
        ("utf-16", "UTF-16 text (little-endian, with a byte order mark)"),  # Python writes little-endian
        ("utf-16-be", "UTF-16 text (big-endian, without a byte order mark: every other byte is NUL)"),
        ("utf-16-le", "UTF-16 text (little-endian, without a byte order mark: every other byte is NUL)"),
        ("utf-32", "UTF-32 text (little-endian, with a byte order mark)"),
    ],
)
def test_utf16_and_utf32_files_are_named_not_called_binary(codec, what):
    # They were reported as "binary: it contains a NUL byte".
    r = lint_bytes(RULE_YAML.encode(codec), "x.yaml")
    assert [(d.code, d.message, d.start) for d in r.diagnostics] == [("SES006", f"the file is {what}; " + _NOT_UTF8, 0)]
    r = lint_bytes(b"\xfe\xff" + RULE_YAML.encode("utf-16-be"), "x.yaml")
    assert r.diagnostics[0].message.startswith("the file is UTF-16 text (big-endian, with a byte order mark);")
    r = lint_bytes(b"\x00\x00\xfe\xff" + RULE_YAML.encode("utf-32-be"), "x.yaml")
    assert r.diagnostics[0].message.startswith("the file is UTF-32 text (big-endian, with a byte order mark);")


def test_binary_files_are_still_binary():
    # Only text whose every other byte, and only those, are NUL is taken for BOM-less UTF-16.
    for data in (b"\x00\x01\x02binary", b"ab\x00\x00cd", b"a\x00b\x00c\x00\x00\x00"):
        (d,) = lint_bytes(data, "x.json").diagnostics
        assert d.message.startswith("the file contains a NUL byte at byte"), data


def test_a_utf8_byte_order_mark_is_read_and_counted_in_positions():
    r = lint_bytes(b"\xef\xbb\xbf" + RULE_YAML.replace("TlsPolicy: required", "TlsPolicy: Bogus").encode(), "x.yaml")
    (d,) = [d for d in r.diagnostics if d.code == "SES104"]
    assert r.document.text[d.start : d.end] == "Bogus"  # offsets index the text, mark included
    assert r.document.lines.position(d.start) == (4, 13)


def test_files_over_the_size_cap_are_one_diagnostic_and_not_parsed():
    size = engine.MAX_BYTES + 1
    r = lint_bytes(b" " * size, "x.yaml")
    assert [(d.code, d.message, d.start) for d in r.diagnostics] == [
        (
            "SES006",
            f"the file is {size:,} bytes; files over {engine.MAX_BYTES:,} bytes (4 MiB) are not checked: the "
            "largest documents the SES APIs take are under 2 MB, so this one is far over a limit (split it) or "
            "not an SES document",
            0,
        )
    ]
    assert r.document is None  # not parsed


def _small_rules(n: int) -> str:
    """A classic rule set of ``n`` small rules: 12 values each, 4 for the set."""
    rule = (
        '{{"Name": "r{0}", "Enabled": true, "Recipients": ["u{0}@example.com"], '
        '"Actions": [{{"S3Action": {{"BucketName": "mail-bucket"}}}}, {{"StopAction": {{"Scope": "RuleSet"}}}}]}}'
    )
    return '{"Metadata": {"Name": "big"},\n "Rules": [' + ",\n".join(rule.format(i) for i in range(n)) + "]}"


def test_documents_with_too_many_values_are_one_diagnostic_not_checked():
    # 42,000 rules just under the old 8 MiB cap took 5 s and 400 MB to check, for diagnostics
    # on a document SES rejects (it takes 200 rules).  Over MAX_VALUES values: one SES006, on
    # the longest list, and nothing else runs.
    n = (engine.MAX_VALUES - 4) // 12 + 1
    text = _small_rules(n)
    r = lint_text(text, "big.json")
    assert r.kind == "ses:describe-receipt-rule-set"
    (d,) = r.diagnostics
    values = 4 + 12 * n
    assert values > engine.MAX_VALUES
    assert (d.code, text[d.start : d.end]) == ("SES006", '"Rules"')
    assert d.message == (
        f"the document holds {values:,} values (its longest list, /Rules, has {n:,} items); documents of more "
        f"than {engine.MAX_VALUES:,} values are not checked: one at every SES quota holds under 40,000 (a classic "
        "rule set of 200 rules, each with 100 recipients and 10 actions), so this one is far over a limit; split "
        "it into documents the API accepts"
    )
    # One value fewer than the cap: checked in full (the rule count is over SES's limit of 200).
    r = lint_text(_small_rules(n - 1), "big.json")
    assert 4 + 12 * (n - 1) <= engine.MAX_VALUES
    assert [d.code for d in r.diagnostics] == ["SES801"]


def test_values_from_yaml_aliases_count_too():
    # The short-text shortcut (two characters per value at least) must allow for aliases.
    half = engine.MAX_VALUES // 2
    text = "Rules: &a [" + ", ".join(["0"] * half) + "]\nOther: *a\n"
    assert (len(text) + 2) // 2 < engine.MAX_VALUES
    r = lint_text(text, "x.yaml", kind="ses:describe-receipt-rule-set")
    assert [d.code for d in r.diagnostics] == ["SES006"]
    assert r.diagnostics[0].message.startswith(f"the document holds {2 * half + 3:,} values")


def test_the_size_cap_counts_utf8_bytes_for_text_as_for_files():
    # Fewer characters than the cap, more bytes: text (the language server's documents) is
    # judged by its UTF-8 size, with the message a file of the same content gets.
    text = "# " + "é" * (engine.MAX_BYTES // 2)
    assert len(text) < engine.MAX_BYTES < len(text.encode())
    from_text = lint_text(text, "x.yaml", explicit=False)
    from_file = lint_bytes(text.encode(), "x.yaml", explicit=False)
    assert codes(from_text) == codes(from_file) == ["SES006"]
    assert from_text.diagnostics[0].message == from_file.diagnostics[0].message
    assert f"{len(text.encode()):,} bytes" in from_text.diagnostics[0].message
    assert not from_text.skipped and from_text.kind is None
    assert engine.oversize("é" * (engine.MAX_BYTES // 2)) is None


def test_empty_and_unrecognised_files():
    assert codes(lint_text("", "x.yaml")) == ["SES003"]
    assert "empty" in lint_text("", "x.yaml").diagnostics[0].message
    r = lint_text("Name: x\n", "x.yaml", explicit=False)
    assert r.skipped and r.diagnostics == []
    r = lint_text("Name: x\n", "x.yaml")
    assert codes(r) == ["SES003"] and "--kind" in r.diagnostics[0].message
    assert codes(lint_text("[1, 2]", "x.json")) == ["SES003"]
    # What the file holds is named as it is.
    for text, held in (("{}", "an empty object"), ("[1, 2]", "a list, not an object"), ("7", "a single value")):
        (d,) = lint_text(text, "x.json").diagnostics
        assert f"it holds {held}" in d.message, d.message


def test_no_cascade_from_a_value_cut_off_by_a_syntax_error():
    # A tab-indented block: the tab is the problem, not an empty "Rule".
    r = lint_text("Rule:\n\tName: x\n", "x.yaml", kind="ses:create-receipt-rule")
    assert codes(r) == ["SES001"]
    # A value left empty before a later syntax error is still reported.
    r = lint_text("Rule:\n  Name:\n  Enabled: true\n  Actions: [\n", "x.yaml", kind="ses:create-receipt-rule")
    assert codes(r) == ["SES103", "SES001"]


def test_kind_precedence_option_config_modeline_content(tmp_path):
    text = "# ses-lsp: kind=mailmanager:create-rule-set\n" + RULE_YAML
    # modeline beats content
    assert lint_text(text, "x.yaml").kind == "mailmanager:create-rule-set"
    # config glob beats modeline
    cfg = config_from_mapping({"kinds": {"*.yaml": "ses:update-receipt-rule"}}, root=str(tmp_path))
    r = lint_text(text, str(tmp_path / "x.yaml"), config=cfg)
    assert r.kind == "ses:update-receipt-rule" and r.kind_source == "config"
    # --kind beats everything (short names resolve when unambiguous)
    r = lint_text(text, str(tmp_path / "x.yaml"), config=cfg, kind="create-receipt-rule")
    assert r.kind == "ses:create-receipt-rule" and r.kind_source == "option"
    assert lint_text(RULE_YAML, "x.yaml").kind_source == "content"


def test_previous_kind_is_kept_while_the_text_does_not_parse():
    """An editor's half-typed edit: the document keeps the kind its last version had while its
    syntax is broken, and only then."""
    kind = "ses:create-receipt-rule"
    broken = '{"RuleSetName": "inbound", "Ru'  # a string cut short: no member tells the kind
    assert lint_text(broken, "x.yaml", explicit=False).skipped  # its content tells no kind
    r = lint_text(broken, "x.yaml", explicit=False, previous_kind=kind)
    assert (r.kind, r.kind_source, r.skipped) == (kind, "previous", False)
    assert "SES001" in codes(r)
    # a text that parses is judged by itself: content that is no SES document is not one
    r = lint_text("Name: store\n", "x.yaml", explicit=False, previous_kind=kind)
    assert (r.kind, r.skipped) == (None, True)
    # and the content, a modeline, the config or the option win over the previous kind
    r = lint_text(RULE_YAML + "  Extra: [\n", "x.yaml", previous_kind="ses:update-receipt-rule")
    assert (r.kind, r.kind_source) == (kind, "content")
    r = lint_text(broken, "x.yaml", kind="ses:update-receipt-rule", previous_kind=kind)
    assert (r.kind, r.kind_source) == ("ses:update-receipt-rule", "option")


def test_select_ignore_and_severity_overrides():
    assert "SES104" in codes(lint_text(RULE_YAML, "x.yaml"))
    r = lint_text(RULE_YAML, "x.yaml", config=Config(ignore=("SES104",)))
    assert "SES104" not in codes(r)
    r = lint_text(RULE_YAML, "x.yaml", config=Config(select=("SES5",)))
    assert all(c.startswith("SES5") for c in codes(r))
    r = lint_text(RULE_YAML, "x.yaml", config=Config(severity=(("invalid-enum-value", "info"),)))
    assert [d.severity for d in r.diagnostics if d.code == "SES104"] == [Severity.INFO]


def test_per_file_ignores(tmp_path):
    cfg = config_from_mapping({"per-file-ignores": {"legacy/*.yaml": ["SES104"]}}, root=str(tmp_path))
    assert "SES104" not in codes(lint_text(RULE_YAML, str(tmp_path / "legacy/a.yaml"), config=cfg))
    assert "SES104" in codes(lint_text(RULE_YAML, str(tmp_path / "new/a.yaml"), config=cfg))


def test_suppressions_same_line_next_line_file_and_unused():
    text = RULE_YAML.replace("TlsPolicy: required", "TlsPolicy: required  # ses-lsp: disable=SES104")
    assert codes(lint_text(text, "x.yaml")) == []
    text = RULE_YAML.replace("  TlsPolicy: required", "  # ses-lsp: disable=invalid-enum-value\n  TlsPolicy: required")
    assert codes(lint_text(text, "x.yaml")) == []
    text = "# ses-lsp: disable-file=SES104\n" + RULE_YAML
    assert codes(lint_text(text, "x.yaml")) == []
    text = RULE_YAML.replace("Name: store", "Name: store  # ses-lsp: disable=SES104")
    assert sorted(codes(lint_text(text, "x.yaml"))) == ["SES009", "SES104"]
    text = RULE_YAML.replace("Name: store", "Name: store  # ses-lsp: disable=SES1O4")
    r = lint_text(text, "x.yaml")
    assert "SES010" in codes(r)


def test_a_syntax_error_cannot_be_suppressed():
    """SES001 is not suppressible: the comment suppresses nothing (SES009), the others work."""
    text = "# ses-lsp: disable-file=SES001,SES104\n" + RULE_YAML + "  Extra: [\n"
    r = lint_text(text, "x.yaml")
    assert sorted(codes(r)) == ["SES001", "SES009", "SES101"]
    assert "SES001 (syntax-error) suppresses nothing" in next(d.message for d in r.diagnostics if d.code == "SES009")


def test_a_crashing_rule_becomes_one_internal_error(monkeypatch):
    def boom(ctx):
        raise RuntimeError("kaboom")

    bad = Rule(
        code="SES599",
        name="always-crashes",
        severity=Severity.WARNING,
        summary="x",
        source="test",
        doc=RuleDoc(what="x", why="x", bad=None, good=None),
        check=boom,
    )
    real = engine.checks_for_kind
    monkeypatch.setattr(engine, "checks_for_kind", lambda kind: [*real(kind), bad])
    monkeypatch.setattr(engine, "_selection", lambda s, i: frozenset([*REGISTRY.by_code, "SES599"]))
    r = lint_text(RULE_YAML, "x.yaml")
    internal = [d for d in r.diagnostics if d.code == "SES008"]
    assert len(internal) == 1 and "SES599" in internal[0].message and "kaboom" in internal[0].message
    assert "SES104" in codes(r)  # the other rules still ran


def test_credentials_are_never_echoed():
    text = (
        "IngressPointName: inbound-smtp\nType: AUTH\nRuleSetId: rs-1\nTrafficPolicyId: tp-1\n"
        "TlsPolicy: REQUIRED\nIngressPointConfiguration:\n  SmtpPassword: 'hunter2 with spaces'\n"
    )
    r = lint_text(text, "x.yaml")
    assert r.diagnostics  # the pattern and the plain-text password are reported
    for d in r.diagnostics:
        assert "hunter2" not in d.message
        assert all("hunter2" not in rel.message for rel in d.related)
        assert d.fix is None or all("hunter2" not in e.new_text for e in d.fix.edits)
    masked = find_secrets(r.document).redact(text)
    assert "hunter2" not in masked and masked.count("*") == len("'hunter2 with spaces'")


def test_positions_are_exact_with_non_ascii_tabs_and_crlf():
    text = '{\r\n\t"RuleSetName": "in",\r\n\t"Rule": {"Name": "café-€-𝄞", "Enabled": "yes"}\r\n}'
    r = lint_text(text, "x.json")
    d = next(d for d in r.diagnostics if d.code == "SES103")
    assert text[d.start : d.end] == '"yes"'
    assert r.document.lines.position(d.start) == (2, text.split("\r\n")[2].index('"yes"'))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=20,
)
keys = st.sampled_from(
    [
        "Rule",
        "Rules",
        "RuleSetName",
        "Filter",
        "Actions",
        "Recipients",
        "Name",
        "Enabled",
        "Conditions",
        "IngressPointName",
        "Type",
        "BouncedRecipientInfoList",
        "Metadata",
    ]
)
ses_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=5),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300), st.sampled_from(["x.json", "x.yaml", None]))
def test_never_raises_on_arbitrary_text(text, path):
    r = lint_text(text, path)
    for d in r.diagnostics:
        assert 0 <= d.start <= d.end <= len(text)
        assert d.code != "SES008", d.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_values, ses_like), st.sampled_from(["json", "yaml"]))
def test_never_raises_on_arbitrary_values(value, fmt):
    text = json.dumps(value) if fmt == "json" else yaml.safe_dump(value)
    for kind in (
        None,
        "ses:create-receipt-rule",
        "mailmanager:create-rule-set",
        "ses:send-bounce",
        "mailmanager:create-ingress-point",
        "ses:list-receipt-filters",
    ):
        r = lint_text(text, f"x.{fmt}", kind=kind)
        for d in r.diagnostics:
            assert d.code != "SES008", d.message
            assert 0 <= d.start <= d.end <= len(text)
