"""Tests for ses_lsp.document.yaml_parser."""

from __future__ import annotations

import math
import sys

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ses_lsp.document import yaml_parser
from ses_lsp.document.json_parser import parse_json
from ses_lsp.document.nodes import (
    ARRAY,
    BOOLEAN,
    INTEGER,
    MAX_DEPTH,
    NULL,
    NUMBER,
    OBJECT,
    STRING,
    TIMESTAMP,
    LineIndex,
    Node,
    node_at_pointer,
    too_deep_message,
)
from ses_lsp.document.yaml_parser import ALIAS_NODE_LIMIT, parse_yaml
from ses_lsp.lint.engine import lint_text


def _cli_load(text: str):
    """What the AWS CLI reads from --cli-input-yaml: ruamel.yaml, safe, YAML 1.2."""
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(text)


# -- helpers -------------------------------------------------------------------


def at(result, pointer: str) -> Node:
    node = node_at_pointer(result.root, pointer)
    assert node is not None, f"no node at {pointer!r}"
    return node


def src(text: str, node: Node) -> str:
    return text[node.start : node.end]


def key_of(result, pointer: str) -> Node:
    node = at(result, pointer)
    assert isinstance(node.key, Node)
    return node.key


def all_nodes(root: Node | None):
    """Every node of the tree, keys included (depth first)."""
    if root is None:
        return
    stack = [root]
    while stack:
        n = stack.pop()
        yield n
        if n.kind == OBJECT:
            for k, v in n.members or ():
                yield k
                stack.append(v)
        elif n.kind == ARRAY:
            stack.extend(n.value)


def check_invariants(text: str, result) -> None:
    """Spans in bounds and nested; structure consistent; nothing internal."""
    size = len(text)
    assert result.format == "yaml"
    for p in result.problems:
        assert "internal error" not in p.message, p.message
        assert 0 <= p.start <= p.end <= size, p
        for rs, re_, _msg in p.related:
            assert 0 <= rs <= re_ <= size, p
    lines = LineIndex(text).line_count
    for line, comment in result.comments.items():
        assert 0 <= line < lines
        assert comment.startswith("#")
        assert "\n" not in comment and "\r" not in comment
    root = result.root
    if root is None:
        return
    assert root.parent is None and root.key is None
    stack = [root]
    while stack:
        n = stack.pop()
        assert 0 <= n.start <= n.end <= size, (n, size)
        if n.kind == OBJECT:
            assert isinstance(n.value, dict)
            members = n.members
            assert members is not None
            prev = n.start
            for k, v in members:
                assert k.parent is n and k.key is None
                assert v.parent is n and v.key is k
                assert k.kind not in (OBJECT, ARRAY)
                for c in (k, v):
                    assert n.start <= c.start <= c.end <= n.end, (n, c)
                assert k.start >= prev
                prev = k.start
                stack.append(v)
            # value: the last member of each key text
            names = {}
            for k, v in members:
                names[k.value if isinstance(k.value, str) else yaml_key_text(k)] = v
            assert names.keys() == n.value.keys()
            for name, v in names.items():
                assert n.value[name] is v
        elif n.kind == ARRAY:
            assert isinstance(n.value, list)
            prev = n.start
            for i, c in enumerate(n.value):
                assert c.parent is n and c.key == i
                assert n.start <= c.start <= c.end <= n.end, (n, c)
                assert c.start >= prev
                prev = c.start
                stack.append(c)
        else:
            assert n.members is None


def yaml_key_text(k: Node) -> str:
    from ses_lsp.document.nodes import key_text

    return key_text(k)


# -- scalar spans ----------------------------------------------------------------


@pytest.mark.parametrize(
    "text, pointer, expected_src, expected_value",
    [
        ("a: plain\n", "/a", "plain", "plain"),
        ("a: 'single'\n", "/a", "'single'", "single"),
        ('a: "double"\n', "/a", '"double"', "double"),
        ("a: 'it''s'\n", "/a", "'it''s'", "it's"),
        ('a: "esc\\t\\u00e9"\n', "/a", '"esc\\t\\u00e9"', "esc\té"),
        ("a: plain\n  multi\n  line\nb: 1\n", "/a", "plain\n  multi\n  line", "plain multi line"),
        ('a: "q\n  m"  \nb: 1\n', "/a", '"q\n  m"', "q m"),
        ("a: 'q\n\n  m'\n", "/a", "'q\n\n  m'", "q\nm"),
        ("a: |\n  x\n  y\n\n\nb: 1\n", "/a", "|\n  x\n  y", "x\ny\n"),
        ("a: |-\n  x\n  y\n\n\nb: 1\n", "/a", "|-\n  x\n  y", "x\ny"),
        ("a: |+\n  x\n\n\nb: 1\n", "/a", "|+\n  x", "x\n\n\n"),
        ("a: >\n  x\n\n  y\n\n", "/a", ">\n  x\n\n  y", "x\ny\n"),
        ("a: >-\n  folded\n  text\nb: 1", "/a", ">-\n  folded\n  text", "folded text"),
        ("a: >+\n  x\n\n", "/a", ">+\n  x", "x\n\n"),
        ("a: |2\n    x\n  y\n", "/a", "|2\n    x\n  y", "  x\ny\n"),
        ("a: | # header comment\n  x\nb: 1\n", "/a", "| # header comment\n  x", "x\n"),
        ("a: |\n  x  \n\nb: 1\n", "/a", "|\n  x  ", "x  \n"),
        ("a: |\n  x\n # less indented comment\nb: 1\n", "/a", "|\n  x", "x\n"),
        ("a: |\n  x\n  y", "/a", "|\n  x\n  y", "x\ny"),
        ("a: |\nb: 1\n", "/a", "|", ""),
        ("a: |-\n\n\nb: 1\n", "/a", "|-", ""),
        ("- |\n  x\n- >-\n  y\n", "/1", ">-\n  y", "y"),
        ("a: &x |\n  t\n", "/a", "&x |\n  t", "t\n"),
        ("a: !!str |\n  t\n", "/a", "!!str |\n  t", "t\n"),
        ("a: x\ty\t\nb: 1\n", "/a", "x\ty", "x\ty"),
        ("a:\tb\n", "/a", "b", "b"),
        ('a: "tab\there"\n', "/a", '"tab\there"', "tab\there"),
        ("a: 𝄞x\nb: é\n", "/a", "𝄞x", "𝄞x"),
        ("a: 𝄞x\nb: é\n", "/b", "é", "é"),
        ('k: "é𝄞"\n', "/k", '"é𝄞"', "é𝄞"),
        ("a: !Ref x\n", "/a", "!Ref x", "x"),
        ("a: &anc value\n", "/a", "&anc value", "value"),
        ("a: !!str\n", "/a", "!!str", ""),
    ],
)
def test_scalar_spans(text, pointer, expected_src, expected_value):
    r = parse_yaml(text)
    assert r.problems == []
    node = at(r, pointer)
    assert src(text, node) == expected_src
    assert node.value == expected_value
    check_invariants(text, r)


def test_block_scalar_crlf():
    text = "a: x\r\nb: |\r\n  z\r\n  w\r\n\r\nc: 1\r\n"
    r = parse_yaml(text)
    assert r.problems == []
    b = at(r, "/b")
    assert src(text, b) == "|\r\n  z\r\n  w"
    assert b.value == "z\nw\n"
    assert src(text, at(r, "/c")) == "1"
    assert src(text, key_of(r, "/c")) == "c"


def test_crlf_multiline_quoted():
    text = 'a: 1\r\nb: "x\r\n  y"\r\n'
    r = parse_yaml(text)
    assert src(text, at(r, "/b")) == '"x\r\n  y"'
    assert at(r, "/b").value == "x y"


def test_plain_flag():
    text = "a: x\nb: 'x'\nc: \"x\"\nd: |\n  x\ne: >\n  x\nf: 550\ng: '550'\nh:\n"
    r = parse_yaml(text)
    assert at(r, "/a").plain is True
    assert at(r, "/b").plain is False
    assert at(r, "/c").plain is False
    assert at(r, "/d").plain is False
    assert at(r, "/e").plain is False
    assert at(r, "/f").plain is True
    assert at(r, "/g").plain is False
    assert key_of(r, "/a").plain is True
    q = parse_yaml("'k': 1\n")
    assert key_of(q, "/k").plain is False


# -- kinds -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "scalar, kind, value",
    [
        ("550", INTEGER, 550),
        ("'550'", STRING, "550"),
        ('"550"', STRING, "550"),
        ("0x1f", INTEGER, 31),
        ("017", INTEGER, 17),  # YAML 1.2 (what the AWS CLI's ruamel.yaml reads): decimal
        ("0o17", INTEGER, 15),
        ("0b101", INTEGER, 5),
        ("1_000", INTEGER, 1000),
        ("+5", INTEGER, 5),
        ("-12", INTEGER, -12),
        ("0", INTEGER, 0),
        ("190:20:30", STRING, "190:20:30"),  # no sexagesimal numbers in YAML 1.2
        ("1.5", NUMBER, 1.5),
        ("1_0.5", NUMBER, 10.5),
        ("1.0e+3", NUMBER, 1000.0),
        ("1e3", NUMBER, 1000.0),
        (".5", NUMBER, 0.5),
        (".inf", NUMBER, math.inf),
        ("-.Inf", NUMBER, -math.inf),
        ("+.INF", NUMBER, math.inf),
        ("yes", STRING, "yes"),  # YAML 1.2: only true/false are booleans
        ("Yes", STRING, "Yes"),
        ("NO", STRING, "NO"),
        ("on", STRING, "on"),
        ("Off", STRING, "Off"),
        ("true", BOOLEAN, True),
        ("False", BOOLEAN, False),
        ("yEs", STRING, "yEs"),
        ("y", STRING, "y"),
        ("~", NULL, None),
        ("null", NULL, None),
        ("Null", NULL, None),
        ("NULL", NULL, None),
        ("", NULL, None),
        ("'null'", STRING, "null"),
        ("2024-01-01", TIMESTAMP, "2024-01-01"),
        ("2001-12-14t21:59:43.10-05:00", TIMESTAMP, "2001-12-14t21:59:43.10-05:00"),
        ("'2024-01-01'", STRING, "2024-01-01"),
        ("!!str 550", STRING, "550"),
        ("!!int '550'", INTEGER, 550),
        ("!!float '1'", NUMBER, 1.0),
        ("!!bool 'true'", BOOLEAN, True),
        ("!!null x", NULL, None),
        ("! 12", INTEGER, 12),  # PyYAML resolves the non-specific '!' tag
        ("!Ref Foo", STRING, "Foo"),
        ("!GetAtt a.b", STRING, "a.b"),
        ("!!binary aGVsbG8=", STRING, "aGVsbG8="),
        ("=", STRING, "="),
        ("<<", STRING, "<<"),
    ],
)
def test_kinds(scalar, kind, value):
    text = f"v: {scalar}\n"
    r = parse_yaml(text)
    assert r.problems == []
    node = at(r, "/v")
    assert node.kind == kind
    assert node.value == value
    assert type(node.value) is type(value)
    if kind in (INTEGER, NUMBER, BOOLEAN, NULL) and not scalar.startswith("!"):
        assert node.value == _cli_load(text)["v"]


def test_nan():
    node = at(parse_yaml("v: .NaN\n"), "/v")
    assert node.kind == NUMBER and math.isnan(node.value)


def test_smtp_reply_code_kinds():
    text = "SmtpReplyCode: 550\nStatusCode: '5.1.1'\nOther: '550'\n"
    r = parse_yaml(text)
    code = at(r, "/SmtpReplyCode")
    assert (code.kind, code.value, code.plain) == (INTEGER, 550, True)
    other = at(r, "/Other")
    assert (other.kind, other.value, other.plain) == (STRING, "550", False)


def test_key_kinds():
    text = "1: a\ntrue: b\n~: c\n1.5: d\n2024-01-01: e\n"
    r = parse_yaml(text)
    assert set(r.root.value) == {"1", "true", "null", "1.5", "2024-01-01"}
    assert key_of(r, "/1").kind == INTEGER
    assert key_of(r, "/true").kind == BOOLEAN
    assert key_of(r, "/null").kind == NULL
    assert key_of(r, "/1.5").kind == NUMBER
    assert key_of(r, "/2024-01-01").kind == TIMESTAMP


def test_failed_explicit_conversion():
    text = "a: !!int abc\nb: !!bool maybe\n"
    r = parse_yaml(text)
    assert at(r, "/a").kind == STRING and at(r, "/a").value == "abc"
    assert at(r, "/b").kind == STRING
    assert [p.rule for p in r.problems] == ["syntax-error", "syntax-error"]
    assert "cannot convert 'abc' to an integer (explicit tag !!int)" in r.problems[0].message
    assert src(text, r.problems[0]) == "!!int abc"


def test_integers_too_long_to_write_in_decimal_are_refused_in_every_base():
    # int() refuses more than sys.get_int_max_str_digits() decimal digits, but not hex, octal
    # or binary ones: such a value then crashed every message that showed it (schema pass, outline).
    limit = sys.get_int_max_str_digits()
    for literal in ("0x" + "f" * 5000, "0o" + "7" * 6000, "0b" + "1" * 20000, "1" * 5000):
        r = parse_yaml(f"a: {literal}\n")
        assert at(r, "/a").kind == STRING and at(r, "/a").value == literal
        (p,) = r.problems
        assert p.message.startswith(f"cannot convert '{literal[:10]}"), p.message[:60]
    assert at(parse_yaml("a: 0x" + "f" * 3000 + "\n"), "/a").kind == INTEGER  # 3,612 digits: fine
    (p,) = parse_yaml("a: 0x" + "f" * 5000 + "\n").problems
    assert p.message.endswith(f"to an integer: it has more than {limit} decimal digits")
    result = lint_text("Rule:\n  Name: a\n  Enabled: 0x" + "f" * 5000 + "\n", "x.yaml")
    assert [d.code for d in result.diagnostics if d.code == "SES008"] == []


def test_sets_and_omaps():
    r = parse_yaml("s: !!set {a, b}\no: !!omap [a: 1, b: 2]\n")
    assert at(r, "/s").kind == OBJECT
    assert set(at(r, "/s").value) == {"a", "b"}
    assert at(r, "/o").kind == ARRAY
    assert at(r, "/o/1/b").value == 2


# -- keys and collections -------------------------------------------------------------


def test_key_spans():
    text = "Name: x\n'q k': 1\n\"d k\": 2\n? explicit\n: 3\n&k anchored: 4\n"
    r = parse_yaml(text)
    assert r.problems == []
    assert src(text, key_of(r, "/Name")) == "Name"
    assert src(text, key_of(r, "/q k")) == "'q k'"
    assert src(text, key_of(r, "/d k")) == '"d k"'
    assert src(text, key_of(r, "/explicit")) == "explicit"
    assert src(text, key_of(r, "/anchored")) == "&k anchored"
    assert key_of(r, "/anchored").anchor == "k"
    k = key_of(r, "/Name")
    assert k.parent is r.root and k.key is None and k.is_key


def test_nested_block_and_flow_spans():
    text = (
        "Rule:\n"
        "  Name: r1\n"
        "  Recipients: [a@example.com, 'b@example.com']\n"
        "  Actions:\n"
        "    - S3Action: {BucketName: bkt, ObjectKeyPrefix: p/}\n"
        "    - StopAction:\n"
        "        Scope: RuleSet\n"
        "\n"
        "# trailing comment\n"
    )
    r = parse_yaml(text)
    assert r.problems == []
    check_invariants(text, r)
    assert src(text, r.root) == text[: text.index("RuleSet") + len("RuleSet")]
    assert src(text, at(r, "/Rule")).startswith("Name: r1")
    assert src(text, at(r, "/Rule")).endswith("Scope: RuleSet")
    assert src(text, at(r, "/Rule/Recipients")) == "[a@example.com, 'b@example.com']"
    assert src(text, at(r, "/Rule/Recipients/1")) == "'b@example.com'"
    actions = at(r, "/Rule/Actions")
    assert src(text, actions).startswith("- S3Action")
    assert src(text, actions).endswith("Scope: RuleSet")
    s3 = at(r, "/Rule/Actions/0/S3Action")
    assert src(text, s3) == "{BucketName: bkt, ObjectKeyPrefix: p/}"
    assert src(text, at(r, "/Rule/Actions/0")) == "S3Action: {BucketName: bkt, ObjectKeyPrefix: p/}"
    assert src(text, at(r, "/Rule/Actions/1/StopAction")) == "Scope: RuleSet"
    assert at(r, "/Rule/Actions/1/StopAction/Scope").pointer == "/Rule/Actions/1/StopAction/Scope"
    assert r.comments == {8: "# trailing comment"}


def test_flow_spans():
    text = "- [a, {b: c}, [d]]\n- {x: 1,\n   y: 2}\n"
    r = parse_yaml(text)
    assert src(text, at(r, "/0")) == "[a, {b: c}, [d]]"
    assert src(text, at(r, "/0/1")) == "{b: c}"
    assert src(text, at(r, "/0/2")) == "[d]"
    assert src(text, at(r, "/1")) == "{x: 1,\n   y: 2}"
    assert src(text, r.root) == text.rstrip("\n")
    j = '{ "a" : 1 , "b": [ 1 , 2 ] }'
    r = parse_yaml(j)
    assert src(j, r.root) == j
    assert src(j, key_of(r, "/a")) == '"a"'
    assert src(j, at(r, "/b")) == "[ 1 , 2 ]"


def test_compact_nested_sequences():
    text = "- - - x\n"
    r = parse_yaml(text)
    assert src(text, at(r, "/0")) == "- - x"
    assert src(text, at(r, "/0/0")) == "- x"
    assert at(r, "/0/0/0").value == "x"


def test_complex_keys():
    text = "? [a, b]\n: v\n? {x: 1}\n: w\n"
    r = parse_yaml(text)
    assert set(r.root.value) == {"[a, b]", "{x: 1}"}
    k = key_of(r, "/[a, b]")
    assert (k.kind, src(text, k)) == (STRING, "[a, b]")
    assert at(r, "/[a, b]").value == "v"
    check_invariants(text, r)


@pytest.mark.parametrize(
    "text, pointer, offset",
    [
        ("a:\nb: 1\n", "/a", 2),  # right after the colon
        ("a:    \nb: 1\n", "/a", 2),
        ("a:   # comment\nb: 1\n", "/a", 2),
        ("a:", "/a", 2),
        ("d: {x: , y}\n", "/d/x", 6),  # right after the colon in flow
        ("d: {x: , y}\n", "/d/y", 10),  # right after the key
        ("d: {x:\n  }\n", "/d/x", 6),
        ("-\n- a\n-\n", "/0", 1),  # right after the dash
        ("-\n- a\n-\n", "/2", 7),
        ("- \n", "/0", 1),
        ("? a\nb: 1\n", "/a", 3),  # explicit key without value: after the key
        ("? a # c\nb: 1\n", "/a", 3),
        ("k: [a, {}, {b: }]\n", "/k/2/b", 14),
    ],
)
def test_empty_values(text, pointer, offset):
    r = parse_yaml(text)
    assert r.problems == []
    node = at(r, pointer)
    assert (node.kind, node.value, node.start, node.end) == (NULL, None, offset, offset)
    check_invariants(text, r)


def test_empty_value_with_properties():
    text = "b: !!str\nc: &a\nd: x\n"
    r = parse_yaml(text)
    assert (at(r, "/b").kind, src(text, at(r, "/b"))) == (STRING, "!!str")
    assert (at(r, "/c").kind, src(text, at(r, "/c"))) == (NULL, "&a")
    assert at(r, "/c").anchor == "a"


def test_bom():
    text = "\ufeffa: 1\nb: [x, y]\n"
    r = parse_yaml(text)
    assert r.problems == []
    assert src(text, key_of(r, "/a")) == "a"
    assert (r.root.start, src(text, at(r, "/a"))) == (1, "1")
    assert src(text, at(r, "/b")) == "[x, y]"
    assert src(text, at(r, "/b/1")) == "y"
    seq = "\ufeff- a\n- b"
    r = parse_yaml(seq)
    assert src(seq, at(r, "/1")) == "b"
    assert src(seq, r.root) == "- a\n- b"


def test_bom_syntax_error_position():
    text = "\ufeffa: 1\nb: c: d\n"
    r = parse_yaml(text)
    (p,) = r.problems
    assert p.start == text.index("c:") + 1  # the second ':'
    assert src(text, p) == ":"


def test_lone_cr_line_breaks():
    text = "a: 1\rb: 2 # c\r"
    r = parse_yaml(text)
    assert r.problems == []
    assert src(text, at(r, "/b")) == "2"
    assert r.comments == {1: "# c"}


def test_non_ascii_offsets_are_code_points():
    text = 'é: 𝄞𝄞\nkey: "𝄞 é"\nlast: ok\n'
    r = parse_yaml(text)
    assert src(text, at(r, "/é")) == "𝄞𝄞"
    assert src(text, at(r, "/key")) == '"𝄞 é"'
    assert src(text, at(r, "/last")) == "ok"
    assert src(text, key_of(r, "/last")) == "last"


# -- duplicates --------------------------------------------------------------------


def test_duplicate_keys():
    text = "Rule:\n  Name: a\n  Enabled: true\n  Name: b\n  Name: c\n"
    r = parse_yaml(text)
    assert at(r, "/Rule/Name").value == "c"
    assert len(at(r, "/Rule").members) == 4
    assert [p.rule for p in r.problems] == ["duplicate-key", "duplicate-key"]
    p = r.problems[0]
    assert p.message == 'duplicate key "Name": the last value wins, the first (line 2) is ignored'
    assert (p.start, p.end) == (text.index("Name: b"), text.index("Name: b") + 4)
    first = text.index("Name: a")
    assert p.related == [(first, first + 4, 'first definition of "Name"')]
    assert r.problems[1].start == text.index("Name: c")
    assert r.problems[1].related[0][0] == first


def test_duplicate_keys_in_flow_and_by_text():
    r = parse_yaml("{a: 1, 'a': 2}")
    assert [p.rule for p in r.problems] == ["duplicate-key"]
    assert at(r, "/a").value == 2


# -- anchors, aliases, merge keys -----------------------------------------------------------


def test_anchor_and_alias_positions():
    text = "a: &anc [1, 2]\nb: [*anc, *anc]\nc: *anc\n"
    r = parse_yaml(text)
    assert r.problems == []
    a = at(r, "/a")
    assert a.anchor == "anc"
    assert src(text, a) == "&anc [1, 2]"
    first = text.index("*anc")
    for pointer, pos in (
        ("/b/0", first),
        ("/b/1", text.index("*anc", first + 1)),
        ("/c", text.rindex("*anc")),
    ):
        node = at(r, pointer)
        assert (node.start, node.end) == (pos, pos + 4)
        assert node.kind == ARRAY and node.anchor is None
        assert [c.value for c in node.value] == [1, 2]
        for c in node.value:
            assert (c.start, c.end) == (pos, pos + 4)
    assert at(r, "/b/1/0").pointer == "/b/1/0"
    assert at(r, "/c").to_python() == [1, 2]
    check_invariants(text, r)


def test_alias_scalar_and_mapping():
    text = "x: &v hello\ny: *v\nm: &m {k: v}\nn: *m\n"
    r = parse_yaml(text)
    y = at(r, "/y")
    assert (y.kind, y.value, src(text, y), y.plain) == (STRING, "hello", "*v", True)
    n = at(r, "/n")
    assert src(text, n) == "*m"
    k = key_of(r, "/n/k")
    assert src(text, k) == "*m" and k.parent is n
    assert at(r, "/n/k").pointer == "/n/k"
    assert at(r, "/m").anchor == "m"


def test_merge_key_single():
    text = "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n"
    r = parse_yaml(text)
    assert r.problems == []
    m = at(r, "/m")
    assert m.to_python() == {"x": 1, "y": 3}
    assert [k.value for k, _ in m.members] == ["x", "y"]
    assert list(m.value) == ["x", "y"]
    x = at(r, "/m/x")
    alias = text.index("*b")
    assert (x.start, x.end) == (alias, alias + 2)
    assert x.parent is m and key_of(r, "/m/x").parent is m
    assert src(text, at(r, "/m/y")) == "3"
    assert "<<" not in m.value
    assert _cli_load(text)["m"] == m.to_python()
    check_invariants(text, r)


def test_merge_key_list_and_priority():
    text = (
        "a: &a {k: a, only_a: 1}\n"
        "b: &b {k: b, only_b: 2}\n"
        "m:\n"
        "  <<: [*a, *b]\n"
        "  own: 3\n"
        "n:\n"
        "  <<: {k: inline, z: 0}\n"
        "  own: 4\n"
    )
    r = parse_yaml(text)
    assert r.problems == []
    assert at(r, "/m").to_python() == _cli_load(text)["m"]
    assert at(r, "/m/k").value == "a"  # the first mapping of the list wins
    assert src(text, at(r, "/m/only_b")) == "*b"
    assert src(text, at(r, "/m/only_a")) == "*a"
    assert at(r, "/n").to_python() == {"k": "inline", "z": 0, "own": 4}
    assert src(text, at(r, "/n/k")) == "inline"
    assert at(r, "/n/k").parent is at(r, "/n")
    check_invariants(text, r)


def test_merge_nested_and_override_not_duplicate():
    text = "g: &g {deep: 1, x: g}\nbase: &base\n  <<: *g\n  x: base\nrule:\n  <<: *base\n  x: own\n  <<: {late: 1}\n"
    r = parse_yaml(text)
    assert r.problems == []
    assert (
        at(r, "/rule").to_python()
        == yaml.safe_load(  # ruamel (the AWS CLI) rejects a repeated "<<" outright
            text
        )["rule"]
    )
    assert at(r, "/rule/deep").value == 1
    assert at(r, "/rule/x").value == "own"
    check_invariants(text, r)


def test_bad_merge_value():
    text = "m:\n  <<: 1\n  a: 2\n"
    r = parse_yaml(text)
    assert at(r, "/m").to_python() == {"a": 2}
    (p,) = r.problems
    assert p.rule == "syntax-error" and "merge" in p.message
    assert src(text, p) == "1"


def test_undefined_alias():
    text = "a: *nope\nb: 1\n"
    r = parse_yaml(text)
    (p,) = r.problems
    assert p.rule == "syntax-error"
    assert p.message == "found undefined alias *nope"
    assert src(text, p) == "*nope"
    assert at(r, "/a").kind == NULL
    assert at(r, "/b").value == 1


def test_recursive_alias():
    text = "x: &a [1, *a]\n"
    r = parse_yaml(text)
    (p,) = r.problems
    assert p.rule == "yaml-alias-limit"
    assert src(text, p) == "*a"
    assert at(r, "/x/1").kind == NULL
    assert r.complete is False


def test_redefined_anchor_uses_latest():
    r = parse_yaml("b: &x 1\nc: &x 2\nd: *x\n")
    assert r.problems == []
    assert at(r, "/d").value == 2


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_billion_laughs():
    # The work is bounded by a node budget (checked below and in the next test), not timed here.
    r = parse_yaml(BILLION_LAUGHS)
    assert [p.rule for p in r.problems] == ["yaml-alias-limit"]
    p = r.problems[0]
    assert p.message == (
        f"alias expansion exceeds {ALIAS_NODE_LIMIT} nodes (a 'billion laughs' document?); "
        "expand it by hand or reduce aliases"
    )
    assert BILLION_LAUGHS[p.start : p.end] in {"*a", "*b", "*c", "*d", "*e", "*f", "*g", "*h"}
    assert r.complete is False
    # The alias that crossed the limit is a null node at the alias.
    crossed = [n for n in all_nodes(r.root) if n.kind == NULL and (n.start, n.end) == (p.start, p.end)]
    assert crossed
    assert sum(1 for _ in all_nodes(r.root)) < 2 * ALIAS_NODE_LIMIT
    check_invariants(BILLION_LAUGHS, r)


def test_alias_limit_is_a_node_budget(monkeypatch):
    monkeypatch.setattr(yaml_parser, "ALIAS_NODE_LIMIT", 10)
    text = "a: &a [1, 2, 3]\nb: *a\nc: *a\nd: *a\n"
    r = parse_yaml(text)
    assert [p.rule for p in r.problems] == ["yaml-alias-limit"]
    # Each copy of [1, 2, 3] is 4 nodes: b and c fit in 10, d does not.
    assert r.problems[0].start == text.index("*a", text.index("d:"))
    assert at(r, "/b").to_python() == [1, 2, 3]
    assert at(r, "/c").to_python() == [1, 2, 3]
    assert at(r, "/d").kind == NULL
    assert src(text, at(r, "/d")) == "*a"


# -- documents -------------------------------------------------------------------------


def test_multiple_documents():
    text = "a: 1\n---\nb: 2\n"
    r = parse_yaml(text)
    assert r.root.to_python() == {"a": 1}
    (p,) = r.problems
    assert p.rule == "syntax-error"
    assert p.message == "the AWS CLI reads one YAML document; found a second one here"
    assert (p.start, p.end) == (5, 8)
    assert r.complete is True


def test_multiple_documents_explicit_start():
    text = "---\na: 1\n---\nb: 2\n"
    r = parse_yaml(text)
    assert r.root.to_python() == {"a": 1}
    assert [p.start for p in r.problems] == [text.index("---", 1)]


@pytest.mark.parametrize("text", ["", "   \n\n", "# only a comment\n", "# a\n\n# b"])
def test_empty_documents(text):
    r = parse_yaml(text)
    assert r.root is None
    assert r.problems == []
    assert r.complete is True
    assert r.format == "yaml"


def test_explicit_empty_document():
    r = parse_yaml("---\n")
    assert r.problems == []
    assert (r.root.kind, r.root.start, r.root.end) == (NULL, 3, 3)
    r = parse_yaml("--- # c\n...\n")
    assert (r.root.kind, r.root.start) == (NULL, 3)


def test_scalar_root():
    text = "just text\n"
    r = parse_yaml(text)
    assert (r.root.kind, src(text, r.root)) == (STRING, "just text")
    assert r.root.pointer == ""


# -- syntax errors & partial trees -------------------------------------------------------


def test_error_eof_in_key():
    text = "Rule:\n  Name: x\n  Ena"
    r = parse_yaml(text)
    assert r.complete is False
    (p,) = r.problems
    assert p.rule == "syntax-error"
    assert (p.start, p.end) == (len(text), len(text))
    assert p.message.startswith("could not find expected ':'")
    assert "line 3, column 3" in p.message
    assert p.related[0][0] == text.index("Ena")
    assert at(r, "/Rule/Name").value == "x"
    check_invariants(text, r)


def test_error_open_quote():
    text = 'Rule:\n  Name: "abc\n  Enabled: true'
    r = parse_yaml(text)
    assert r.complete is False
    (p,) = r.problems
    assert p.message.startswith("found unexpected end of stream")
    assert "quoted scalar" in p.message
    assert (p.start, p.end) == (len(text), len(text))
    assert p.related[0][:2] == (text.index('"'), text.index('"') + 1)
    assert at(r, "/Rule") is not None
    name = at(r, "/Rule/Name")
    assert name.kind == NULL
    assert src(text, name.key) == "Name"
    check_invariants(text, r)


def test_empty_item_is_not_an_error():
    text = "Rule:\n  Actions:\n    - "
    r = parse_yaml(text)
    assert r.problems == [] and r.complete is True
    item = at(r, "/Rule/Actions/0")
    assert item.kind == NULL
    assert item.start == text.index("-") + 1


def test_error_missing_colon():
    text = "Rule:\n  Name x\n  Enabled: true"
    r = parse_yaml(text)
    (p,) = r.problems
    assert p.message == "mapping values are not allowed in this context"
    assert p.start == text.index(": true")
    assert src(text, p) == ":"
    assert r.complete is False
    # The partial tree has Rule; "Name x Enabled" was read as its (plain
    # multi-line) value before the error.
    rule = at(r, "/Rule")
    assert rule.kind == STRING
    assert src(text, rule) == "Name x\n  Enabled"
    check_invariants(text, r)


def test_error_tab_indentation():
    text = "a:\n\tb: 1\n"
    r = parse_yaml(text)
    (p,) = r.problems
    assert p.message == ("found character '\\t' that cannot start any token: YAML does not allow tabs for indentation")
    assert (p.start, p.end) == (3, 4)
    assert "a" in r.root.value


def test_error_reserved_indicator():
    text = "a: @x\n"
    r = parse_yaml(text)
    (p,) = r.problems
    assert p.message == (
        "found character '@' that cannot start any token: '@' is reserved in YAML; quote a value that starts with it"
    )
    assert src(text, p) == "@"


def test_error_mapping_values_here():
    text = "a: b: c\n"
    r = parse_yaml(text)
    (p,) = r.problems
    assert p.message == "mapping values are not allowed in this context"
    assert (p.start, p.end) == (4, 5)


def test_error_unclosed_flow():
    text = "a: [1, 2\nb: 1\n"
    r = parse_yaml(text)
    (p,) = r.problems
    assert "did not find expected ',' or ']'" in p.message
    assert "while parsing a flow sequence" in p.message
    assert at(r, "/a/0").value == 1
    check_invariants(text, r)


def test_error_inside_nested_flow_keeps_ancestors():
    text = "Rules:\n  - Name: a\n    Actions: [{S3Action: {BucketName: b}, ]\n"
    r = parse_yaml(text)
    assert r.complete is False
    assert r.problems and r.problems[0].rule == "syntax-error"
    assert at(r, "/Rules/0/Name").value == "a"
    check_invariants(text, r)


def test_error_on_line_break_is_zero_length():
    text = "a: 'x\n"
    r = parse_yaml(text)
    (p,) = r.problems
    assert (p.start, p.end) == (len(text), len(text))


@pytest.mark.parametrize(
    "text, char, pos",
    [
        ("a: 1\0b", "U+0000", 4),
        ("a: b\x07\n", "U+0007", 4),
        ("k: é\x1bx", "U+001B", 4),
        ("𝄞: \x7f", "U+007F", 3),
        ("a: x\ud800y\n", "U+D800", 4),
        ("\x00", "U+0000", 0),
        ("a: \x9f", "U+009F", 3),
    ],
)
def test_disallowed_characters(text, char, pos):
    r = parse_yaml(text)
    assert r.complete is False
    (p,) = r.problems
    assert p.rule == "syntax-error"
    assert char in p.message
    line, col = LineIndex(text).position(pos)
    assert f"line {line + 1}, column {col + 1}" in p.message
    assert (p.start, p.end) == (pos, pos + 1)
    check_invariants(text, r)


def test_disallowed_character_after_a_real_error():
    text = "a: b: c\nx: 1\n\x00\n"
    r = parse_yaml(text)
    assert [p.start for p in r.problems] == [4, text.index("\x00")]
    assert "U+0000" in r.problems[1].message


def test_disallowed_character_keeps_prefix_tree():
    text = "Rule:\n  Name: x\n  Enabled: true\n  Bad: \x00\n"
    r = parse_yaml(text)
    assert at(r, "/Rule/Name").value == "x"
    assert at(r, "/Rule/Enabled").value is True
    assert len(r.problems) == 1


DEEP_TEXTS = {
    "flow-200k": lambda: "[" * 200_000 + "]" * 200_000,  # libyaml's own limit may fire first (it reads ahead)
    "flow-just-over": lambda: "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1),  # ours fires first
    "flow-lines": lambda: "[\n" * (MAX_DEPTH + 50),
    "block-sequence": lambda: "- " * 5000 + "x",
    "block-mapping": lambda: "".join(" " * i + "a:\n" for i in range(2000)),
    "flow-mapping": lambda: "{a: " * 1100 + "}" * 1100,
}


@pytest.mark.parametrize("name", sorted(DEEP_TEXTS))
def test_deep_nesting_does_not_crash(name):
    text = DEEP_TEXTS[name]()
    # Whichever limit fires, the result is the same: one syntax error with our message,
    # and what tree was read holds no more than MAX_DEPTH nested collections.
    r = parse_yaml(text)
    assert r.complete is False
    (p,) = r.problems
    assert (p.rule, p.message) == ("syntax-error", too_deep_message("the document is not read beyond this point"))
    check_invariants(text, r)
    depth, node = 0, r.root
    while node is not None and node.kind in ("array", "object"):
        depth += 1
        if not node.value:
            break
        node = next(iter(node.value.values())) if node.kind == "object" else node.value[0]
    assert depth <= MAX_DEPTH


def test_nesting_limit_is_the_same_in_json_and_yaml():
    for n, ok in ((MAX_DEPTH, True), (MAX_DEPTH + 1, False)):
        text = "[" * n + "]" * n
        assert (parse_yaml(text).problems == []) is ok
        assert (parse_json(text).problems == []) is ok


def test_moderate_nesting_is_fine():
    depth = MAX_DEPTH
    text = "[" * depth + "1" + "]" * depth
    r = parse_yaml(text)
    assert r.problems == []
    node = r.root
    for _ in range(depth - 1):
        node = node.value[0]
    assert node.value[0].value == 1
    assert node.value[0].pointer == "/0" * depth


# -- comments --------------------------------------------------------------------------


def test_comments():
    text = (
        "# top\n"
        "a: 1 # one\n"
        'b: "x # not a comment" # two\n'
        "c: a#b\n"
        "d: 'it''s # no'\n"
        "e: |  # header\n"
        "  # content, not a comment\n"
        "  x\n"
        "f: [1, 2]# three\n"
        'g: "q"#four\n'
        "h: http://x/#frag\n"
        "  # ses-lsp: disable=SES101\n"
        "i: multi\n"
        "  line # five\n"
    )
    r = parse_yaml(text)
    assert r.problems == []
    assert r.comments == {
        0: "# top",
        1: "# one",
        2: "# two",
        5: "# header",
        8: "# three",
        9: "#four",
        11: "# ses-lsp: disable=SES101",
        13: "# five",
    }
    assert at(r, "/e").value == "# content, not a comment\nx\n"


def test_comments_crlf():
    text = "a: 1 # one\r\n# two\r\nb: 2\r\n"
    r = parse_yaml(text)
    assert r.comments == {0: "# one", 1: "# two"}


def test_comments_after_error():
    text = "a: [1\n# after error\nb: c#d\n"
    r = parse_yaml(text)
    assert r.problems
    assert r.comments == {1: "# after error"}


def test_comment_in_multiline_quoted():
    text = 'a: "line one\n  # still the string"\n# real\n'
    r = parse_yaml(text)
    assert r.comments == {2: "# real"}


# -- pointers ----------------------------------------------------------------------------


def test_pointers():
    text = "Rules:\n  - Name: a/b\n    'x~y': {'a/b': [1]}\n"
    r = parse_yaml(text)
    node = at(r, "/Rules/0/x~0y/a~1b/0")
    assert node.value == 1
    assert node.pointer == "/Rules/0/x~0y/a~1b/0"
    assert node.path == ("Rules", 0, "x~y", "a/b", 0)


# -- the performance path ----------------------------------------------------------------


def _rules_document(n: int) -> str:
    rules = []
    for i in range(n):
        rules.append(
            {
                "Name": f"rule-{i:03d}",
                "Enabled": True,
                "TlsPolicy": "Require",
                "Recipients": [f"user{i}@example.com", f"sub{i}.example.net"],
                "Actions": [
                    {"S3Action": {"BucketName": f"bucket-{i}", "ObjectKeyPrefix": f"in/{i}/"}},
                    {"AddHeaderAction": {"HeaderName": "X-Rule", "HeaderValue": f"r{i}"}},
                ],
                "ScanEnabled": True,
            }
        )
    return yaml.safe_dump({"Rules": rules}, sort_keys=False)


def test_large_document_matches_safe_load():
    text = _rules_document(200)
    r = parse_yaml(text)
    assert r.problems == [] and r.complete
    assert r.root.to_python() == _cli_load(text)
    check_invariants(text, r)


def test_pure_python_loader_gives_the_same_tree():
    docs = [
        _rules_document(3),
        "\ufeffa: 1\nb: [x, y]\n",
        "a: |\n  x\n\nb: >-\n  y\n",
        "base: &b {x: 1}\nm:\n  <<: *b\n  y: 2\n",
        "a:\nd: {x: , y}\n? k\n",
        "Rule:\n  Name: x\n  Ena",
        "a: 1 # c\n# d\n",
    ]

    def flat(res):
        return (
            [
                (n.kind, n.value if n.is_scalar else None, n.start, n.end, n.plain, n.anchor)
                for n in all_nodes(res.root)
            ],
            [(p.rule, p.start, p.end) for p in res.problems],
            res.comments,
            res.complete,
        )

    for text in docs:
        assert flat(parse_yaml(text)) == flat(parse_yaml(text, loader_class=yaml.SafeLoader)), text


# -- properties ----------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=25,
)

HYPOTHESIS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _key_text(key) -> str:
    """A Python mapping key as our model spells it (``None`` -> ``"null"``)."""
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _same(a, b) -> bool:
    """``a`` (our ``to_python()``) equals ``b`` (PyYAML's value)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, dict) and isinstance(b, dict):
        b = {_key_text(k): v for k, v in b.items()}
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


@HYPOTHESIS
@given(
    value=json_values,
    flow=st.booleans(),
    unicode=st.booleans(),
    width=st.sampled_from([80, 20, 10**6]),
)
def test_roundtrip_matches_safe_load(value, flow, unicode, width):
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=unicode, width=width)
    r = parse_yaml(text)
    assert r.problems == [], (text, r.problems)
    assert r.complete
    expected = _cli_load(text)
    got = None if r.root is None else r.root.to_python()
    assert _same(got, expected), (text, got, expected)
    check_invariants(text, r)


yamlish = st.text(
    alphabet=st.sampled_from(list(" \t\n\r-:?,[]{}#&*!|>'\"%@`~=<.0123456789abcxyzTN_/\\\ufeff𝄞é\x00\x85")),
    max_size=60,
)


@HYPOTHESIS
@given(text=st.one_of(yamlish, st.text(max_size=60)))
def test_never_raises_on_arbitrary_text(text):
    r = parse_yaml(text)
    check_invariants(text, r)


@HYPOTHESIS
@given(value=json_values, flow=st.booleans(), data=st.data())
def test_never_raises_on_truncated_yaml(value, flow, data):
    doc = {"Rules": [value, {"Name": "x # y", "Enabled": True}]}
    text = yaml.safe_dump(doc, default_flow_style=flow)
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    truncated = text[:cut]
    r = parse_yaml(truncated)
    check_invariants(truncated, r)
    if r.problems == [] and r.complete:
        expected = _cli_load(truncated)
        got = None if r.root is None else r.root.to_python()
        assert _same(got, expected), (truncated, got, expected)


@HYPOTHESIS
@given(
    value=json_values,
    anchor_at=st.integers(min_value=0, max_value=3),
)
def test_aliases_expand_like_safe_load(value, anchor_at):
    body = yaml.safe_dump({"v": value}, default_flow_style=True).strip()
    text = f"base: &b {body}\nuse: [*b, *b]\nm:\n  <<: *b\n  own: {anchor_at}\n"
    r = parse_yaml(text)
    try:
        expected = _cli_load(text)
    except ValueError:  # a plain scalar the CLI reads as a number and cannot convert (`._`)
        assert [p.rule for p in r.problems] == ["syntax-error"]
        return
    assert r.problems == []
    assert _same(r.root.to_python(), expected)
    check_invariants(text, r)


# The AWS CLI reads --cli-input-yaml with ruamel.yaml (YAML 1.2, safe loader): our
# scalar typing must agree with it on every plain scalar.
_SCALARS = [
    "yes",
    "no",
    "on",
    "off",
    "y",
    "n",
    "true",
    "True",
    "TRUE",
    "tRue",
    "false",
    "FALSE",
    "017",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    "09",
    "0o8",
    "+5",
    "-0",
    "550",
    "5.1.1",
    "1e3",
    "1.5e3",
    ".5",
    "1.",
    "-.inf",
    "+.inf",
    ".NaN",
    ".e3",
    "1_0.5",
    "1:20",
    "12:30:00",
    "~",
    "null",
    "Null",
    "NULL",
    "nULL",
    "2024-01-01",
    "2024-01-01T10:00:00Z",
    "0.0.0.0/0",
    "arn:aws:sns:us-east-1:123456789012:t",
    "X-Header",
    "1-2",
    "0",
    "00",
    "+0x1F",
]


def _ruamel_kind(value):
    import datetime

    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    if isinstance(value, (datetime.date, datetime.datetime)):
        return TIMESTAMP
    return STRING


@pytest.mark.parametrize("scalar", _SCALARS)
def test_scalar_typing_matches_the_aws_cli_reader(scalar):
    from ruamel.yaml import YAML

    loaded = YAML(typ="safe", pure=True).load(f"a: {scalar}\n")["a"]
    node = parse_yaml(f"a: {scalar}\n").root.value["a"]
    assert node.kind == _ruamel_kind(loaded), (scalar, loaded)
    if node.kind in (INTEGER, NUMBER, BOOLEAN) and loaded == loaded:  # NaN != NaN
        assert node.value == loaded


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\nb: [x, {c: d}]\n",
        "x\n",
        "- &a {k: v}\n- *a\n- <<: *a\n  z: 1\n",
        "? [a, b]\n: c\n? {d: e}\n: f\n",
        'a:\n  b: [1, {c: "unclosed\n',
        "a: {b: [c, d\n",
        "k: |\n  block\n  text\n",
        "a: 1\na: 2\n",
    ],
)
def test_every_node_slot_is_set(text):
    # The parser builds nodes in place, bypassing Node.__init__; an unset slot would
    # raise AttributeError on first read.  Every node, key or value, of complete and
    # partial trees must have every slot set.
    from ses_lsp.document.nodes import Node

    slots = [s for s in Node.__slots__ if s != "__weakref__"]
    root = parse_yaml(text).root
    assert root is not None
    seen = 0
    stack = [root]
    while stack:
        n = stack.pop()
        seen += 1
        for s in slots:
            getattr(n, s)  # raises when unset
        for k, v in n.members or ():
            stack.extend((k, v))
        if n.kind == "array":
            stack.extend(n.value)
    assert seen >= 2 or text == "x\n"


def test_local_tags_are_kept_on_the_node():
    """``!Ref x`` is the string ``x`` (as the AWS CLI reads it) on a TaggedNode that keeps the tag:
    CloudFormation's short forms; ``!!str`` and the other YAML tags decide the kind as before."""
    from ses_lsp.document.nodes import TaggedNode, node_tag, tag_span

    text = (
        "a: !GetAtt\n  - Role\n  - Arn\n"
        'b: !If [c, !Ref x, "y"]\n'
        "c: &q !Sub 'abc'\n"
        "d: !Ref &r z\n"
        "e: !Base64\n  Fn::Sub: x\n"
        "f: *q\n"
        "g: !!str 5\n"
        "h: plain\n"
    )
    r = parse_yaml(text)
    assert r.problems == []
    root = r.root
    assert root is not None
    tagged = {n.pointer: (node_tag(n), n.kind, text[slice(*tag_span(n, text))]) for n in root.walk() if node_tag(n)}
    assert tagged == {
        "/a": ("!GetAtt", "array", "!GetAtt"),
        "/b": ("!If", "array", "!If"),
        "/b/1": ("!Ref", "string", "!Ref"),
        "/c": ("!Sub", "string", "!Sub"),
        "/d": ("!Ref", "string", "!Ref"),
        "/e": ("!Base64", "object", "!Base64"),
        # an alias copies the anchored node, tag included; its span (and the tag's) is the alias
        "/f": ("!Sub", "string", "*q"),
    }
    assert root.dict_value["d"].value == "z" and root.dict_value["c"].value == "abc"
    assert isinstance(root.dict_value["d"], TaggedNode)
    assert type(root.dict_value["g"]) is Node and root.dict_value["g"].value == "5"
    assert type(root.dict_value["h"]) is Node


def test_a_plain_scalar_the_cli_reads_as_a_broken_float_is_one_syntax_error():
    # Hypothesis found it: PyYAML dumps the string "._" plain, the AWS CLI's loader (ruamel,
    # YAML 1.2) resolves it as a float and fails; so do we, with advice instead of float()'s text.
    with pytest.raises(ValueError):
        _cli_load("._: 1\n")
    (p,) = parse_yaml("._: 1\n").problems
    assert p.rule == "syntax-error" and "quote it" in p.message and "could not convert" not in p.message
    assert parse_yaml("'._': 1\n").problems == []
