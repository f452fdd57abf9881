"""Tests for the position-exact, error-tolerant JSON parser."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ses_lsp.document import json_parser
from ses_lsp.document.json_parser import MAX_SYNTAX_ERRORS, parse_json
from ses_lsp.document.nodes import (
    MAX_DEPTH,
    LineIndex,
    Node,
    ParseResult,
    node_at_offset,
    node_at_pointer,
    too_deep_message,
)

# -- helpers -------------------------------------------------------------------


def syntax(result: ParseResult) -> list[tuple[int, int, str]]:
    return [(p.start, p.end, p.message) for p in result.problems if p.rule == "syntax-error"]


def all_nodes(root: Node | None):
    """Every value node and key node of the tree."""
    if root is None:
        return
    for node in root.walk():
        yield node
        if node.kind == "object":
            for k, _ in node.members:
                yield k


def check_invariants(text: str, result: ParseResult) -> None:
    """Spans in bounds, children nested in (and ordered within) their parents,
    parent/key links consistent, ``value`` consistent with ``members``."""
    n = len(text)
    assert result.format == "json"
    for p in result.problems:
        assert p.rule in ("syntax-error", "duplicate-key")
        assert 0 <= p.start <= p.end <= n, p
        assert "internal" not in p.message, p
        for rs, re_, msg in p.related:
            assert 0 <= rs <= re_ <= n and msg
    if any(p.rule == "syntax-error" for p in result.problems):
        assert result.complete is False
    else:
        assert result.complete is True
    assert sum(p.rule == "syntax-error" for p in result.problems) <= MAX_SYNTAX_ERRORS + 1
    root = result.root
    if root is None:
        return
    assert root.parent is None and root.key is None
    assert 0 <= root.start <= root.end <= n
    stack = [root]
    while stack:
        node = stack.pop()
        assert 0 <= node.start <= node.end <= n
        if node.kind == "object":
            assert isinstance(node.value, dict) and node.members is not None
            last: dict[str, Node] = {}
            prev_end = node.start
            for k, v in node.members:
                assert k.kind == "string" and isinstance(k.value, str)
                assert k.parent is node and k.key is None and k.is_key
                assert v.parent is node and v.key is k
                assert prev_end <= k.start <= k.end <= v.start <= v.end <= node.end
                assert node.start < k.start
                prev_end = v.end
                last[k.value] = v
            assert list(node.value) == list(dict.fromkeys(k.value for k, _ in node.members))
            assert all(node.value[name] is v for name, v in last.items())
            stack.extend(v for _, v in node.members)
        elif node.kind == "array":
            assert isinstance(node.value, list) and node.members is None
            prev_end = node.start
            for i, v in enumerate(node.value):
                assert v.parent is node and v.key == i
                assert prev_end <= v.start <= v.end <= node.end
                assert node.start < v.start or v.start == v.end
                prev_end = v.end
            stack.extend(node.value)
        else:
            assert node.kind in ("string", "integer", "number", "boolean", "null")
    assert json_parser._guard_trips == 0


def parse(text: str) -> ParseResult:
    result = parse_json(text)
    check_invariants(text, result)
    return result


# -- spans, pointers, lookups --------------------------------------------------

DOC = (
    "\ufeff{\r\n"
    '  "Namé": "€uro 𝄞",\r\n'
    '  "a/b~c": [1, -2.5e3, true, null],\r\n'
    '  "nested": {"x~1": false, "": "\\u00e9\\ud834\\udd1e"}\r\n'
    "}\r\n"
)


def test_spans_bom_crlf_non_ascii():
    r = parse(DOC)
    assert r.problems == [] and r.complete and r.format == "json"
    root = r.root
    assert root.to_python() == {
        "Namé": "€uro 𝄞",
        "a/b~c": [1, -2500.0, True, None],
        "nested": {"x~1": False, "": "é𝄞"},
    }
    # The root starts after the BOM; offsets index the original text.
    assert (root.kind, root.start, root.end) == ("object", 1, 117)
    assert DOC[root.end - 1] == "}" and DOC[root.end :] == "\r\n"

    (k1, v1), (k2, v2), (k3, v3) = root.members
    assert (k1.start, k1.end, k1.value) == (6, 12, "Namé")
    assert (v1.kind, v1.start, v1.end, v1.value) == ("string", 14, 22, "€uro 𝄞")
    assert DOC[v1.start : v1.end] == '"€uro 𝄞"'  # the astral character is one index
    assert (k2.start, k2.end) == (27, 34)
    assert (v2.kind, v2.start, v2.end) == ("array", 36, 59)
    assert [(i.kind, i.start, i.end, i.value) for i in v2.value] == [
        ("integer", 37, 38, 1),
        ("number", 40, 46, -2500.0),
        ("boolean", 48, 52, True),
        ("null", 54, 58, None),
    ]
    assert (k3.start, k3.end) == (64, 72)
    assert (v3.kind, v3.start, v3.end) == ("object", 74, 114)
    (kx, vx), (ke, ve) = v3.members
    assert (kx.start, kx.end, kx.value, vx.start, vx.end) == (75, 80, "x~1", 82, 87)
    assert (ke.start, ke.end, ke.value) == (89, 91, "")
    assert (ve.start, ve.end, ve.value) == (93, 113, "é\U0001d11e")  # surrogate pair decoded

    # Every span is exactly the token: the slice re-parses to the node's value.
    for node in all_nodes(root):
        assert json.loads(DOC[node.start : node.end]) == node.to_python()

    # Line/column through the shared LineIndex (CRLF line breaks).
    idx = LineIndex(DOC)
    assert idx.position(k2.start) == (2, 2)
    assert idx.position(v1.end) == (1, 18)
    assert idx.position(root.end - 1) == (4, 0)


def test_pointers_escape_slash_and_tilde():
    root = parse(DOC).root
    arr = root.value["a/b~c"]
    assert arr.pointer == "/a~1b~0c"
    assert arr.value[1].pointer == "/a~1b~0c/1"
    assert arr.value[1].path == ("a/b~c", 1)
    nested = root.value["nested"]
    assert nested.value["x~1"].pointer == "/nested/x~01"
    assert nested.value[""].pointer == "/nested/"
    assert root.pointer == ""
    assert node_at_pointer(root, "/a~1b~0c/3") is arr.value[3]
    assert node_at_pointer(root, "/nested/x~01") is nested.value["x~1"]
    assert node_at_pointer(root, "/nested/") is nested.value[""]
    assert node_at_pointer(root, "/a~1b~0c/9") is None


def test_node_at_offset_and_pointer_round_trip():
    root = parse(DOC).root
    for node in root.walk():
        assert node_at_pointer(root, node.pointer) is node
        assert node_at_offset(root, node.start, include_keys=False) is node
        if node.is_scalar:
            assert node_at_offset(root, node.end - 1, include_keys=False) is node
        k = node.key_node
        if k is not None:
            assert node_at_offset(root, k.start + 1) is k
            assert k.is_key and node.member_name == k.value
    # Inside a string value, on a key, between tokens.
    assert node_at_offset(root, 16).value == "€uro 𝄞"
    assert node_at_offset(root, 8).value == "Namé" and node_at_offset(root, 8).is_key
    assert node_at_offset(root, 4) is root


def test_scalar_and_empty_documents():
    for text, value in [("0", 0), ('"x"', "x"), ("-1.5E+2", -150.0), ("[]", []), ("{}", {})]:
        r = parse(text)
        assert r.problems == [] and r.root.to_python() == value
        assert (r.root.start, r.root.end) == (0, len(text))
    for text in ["", "   \r\n\t", "\ufeff", "\ufeff \n"]:
        r = parse(text)
        assert r.root is None and r.problems == [] and r.complete
    r = parse(' \n [ 1 ,\t"a" ] \n')
    assert (r.root.start, r.root.end) == (3, 14)
    assert r.root.value[0].kind == "integer" and isinstance(r.root.value[0].value, int)
    assert r.root.value[0].value == 1
    big = "1" + "0" * 30
    assert parse(big).root.value == 10**30


def test_string_decoding():
    text = r'["a\"b\\c\/d\b\f\n\r\t", "\u0041\u00e9\ud83d\ude00", "\ud800", "€\u20ac"]'
    r = parse(text)
    assert r.problems == []
    assert r.root.to_python() == json.loads(text)
    assert r.root.value[1].value == "Aé😀"
    assert r.root.value[2].value == "\ud800"  # lone surrogate escape, as json.loads


# -- duplicate keys ------------------------------------------------------------


def test_duplicate_keys():
    text = '{\n  "Name": "a",\n  "Enabled": true,\n  "Name": "b"\n}'
    r = parse(text)
    assert r.complete  # not a syntax error
    assert r.root.to_python() == {"Name": "b", "Enabled": True}
    assert list(r.root.value) == ["Name", "Enabled"]  # as json.loads: first position, last value
    assert [k.value for k, _ in r.root.members] == ["Name", "Enabled", "Name"]
    (p,) = r.problems
    second = text.rindex('"Name"')
    first = text.index('"Name"')
    assert (p.rule, p.start, p.end) == ("duplicate-key", second, second + 6)
    assert p.message == 'duplicate key "Name": the last value wins, the first (line 2) is ignored'
    assert p.related == [(first, first + 6, 'first definition of "Name"')]


def test_duplicate_keys_three_times_and_nested():
    text = '{"a": 1,\r\n"a": 2,\r\n"a": {"b": 1, "b": 2}}'
    r = parse(text)
    assert r.root.to_python() == {"a": {"b": 2}}
    dups = [p for p in r.problems if p.rule == "duplicate-key"]
    assert len(dups) == 3
    assert dups[0].message.endswith("the first (line 1) is ignored")
    assert "the first on line 1, the previous on line 2" in dups[1].message
    assert [r_[0] for r_ in dups[1].related] == [1, 10]
    assert dups[2].start == text.rindex('"b"')


def test_many_duplicates_are_linear():
    text = "{" + '"a": 1, ' * 20000 + '"a": 2}'
    r = parse_json(text)
    assert r.root.value["a"].value == 2
    assert sum(p.rule == "duplicate-key" for p in r.problems) == 20000


# -- syntax errors and recovery ------------------------------------------------


def test_missing_comma_between_members():
    text = '{"a": 1 "b": 2}'
    r = parse(text)
    assert r.root.to_python() == {"a": 1, "b": 2}
    assert [k.value for k, _ in r.root.members] == ["a", "b"]
    assert syntax(r) == [(8, 11, """expected ',' or '}' after member "a", found '"b"'""")]
    assert not r.complete
    b = r.root.value["b"]
    assert (b.start, b.end, b.key_node.start) == (13, 14, 8)


def test_missing_comma_multiline_and_in_array():
    text = '{\n  "Name": "x"\n  "Enabled": true\n}'
    r = parse(text)
    assert r.root.to_python() == {"Name": "x", "Enabled": True}
    s = text.index('"Enabled"')
    assert syntax(r) == [(s, s + 9, """expected ',' or '}' after member "Name", found '"Enabled"'""")]
    r = parse("[1 2, 3]")
    assert r.root.to_python() == [1, 2, 3]
    assert syntax(r) == [(3, 4, "expected ',' or ']' after item 0, found '2'")]


def test_missing_colon():
    r = parse('{"a" 1}')
    assert r.root.to_python() == {"a": 1}
    assert syntax(r) == [(5, 6, """expected ':' after key "a", found '1'""")]
    r = parse('{"a" "b", "c": 2}')
    assert r.root.to_python() == {"a": "b", "c": 2}
    assert syntax(r) == [(5, 8, """expected ':' after key "a", found '"b"'""")]


def test_key_without_value_at_eof():
    text = '{"Rule": {"Name": '
    r = parse(text)
    assert not r.complete
    rule = r.root.value["Rule"]
    assert [k.value for k, _ in rule.members] == ["Name"]
    name_key, placeholder = rule.members[0]
    assert (name_key.start, name_key.end) == (10, 16)
    # A placeholder: kind null, zero-length span where the value should be.
    assert placeholder.kind == "null" and placeholder.start == placeholder.end == 18
    assert rule.value["Name"] is placeholder and placeholder.key is name_key
    assert (rule.start, rule.end) == (9, 18) and (r.root.start, r.root.end) == (0, 18)
    assert syntax(r) == [(18, 18, 'expected a value for "Name", found end of file')]
    assert r.problems[0].related == [(9, 10, "the '{' opened here is not closed")]
    # Completion asks "what is at the cursor": the innermost container.
    assert node_at_offset(r.root, 18, include_keys=False) is rule
    assert placeholder.pointer == "/Rule/Name"


def test_key_without_value_before_closer():
    r = parse('{"a": , "b": 1}')
    assert [k.value for k, _ in r.root.members] == ["a", "b"]
    a = r.root.value["a"]
    assert a.kind == "null" and a.start == a.end == 6
    assert syntax(r) == [(6, 7, """expected a value for "a", found ','""")]
    r = parse('{"a":\n}')
    a = r.root.value["a"]
    assert a.start == a.end == 5  # right after the colon
    assert syntax(r) == [(6, 7, """expected a value for "a", found '}'""")]
    r = parse('{"a"}')
    a = r.root.value["a"]
    assert a.start == a.end == 4
    assert syntax(r) == [(4, 5, """expected ':' after key "a", found '}'""")]


def test_open_string_ends_at_line_end():
    text = '{"a": "abc\n, "b": 1}'
    r = parse(text)
    assert r.root.to_python() == {"a": "abc", "b": 1}
    a = r.root.value["a"]
    assert (a.start, a.end) == (6, 10)
    assert syntax(r) == [(6, 10, "unterminated string: missing closing '\"' at the end of the line")]
    r = parse('{"a": "abc\r\n}')
    assert r.root.value["a"].end == 10 and len(syntax(r)) == 1
    assert (r.root.start, r.root.end) == (0, 13)


def test_trailing_commas():
    r = parse('{"a": 1,}')
    assert r.root.to_python() == {"a": 1}
    assert syntax(r) == [(7, 8, "trailing comma before '}'")]
    r = parse("[1, 2,\n]")
    assert r.root.to_python() == [1, 2]
    assert syntax(r) == [(5, 6, "trailing comma before ']'")]
    r = parse('{"a": [1,], "b": {"c": 2,},}')
    assert r.root.to_python() == {"a": [1], "b": {"c": 2}}
    assert [s for s, _, _ in syntax(r)] == [8, 24, 26]


def test_unclosed_containers_at_eof():
    text = '{"a": [1, {"b": 2'
    r = parse(text)
    assert r.root.to_python() == {"a": [1, {"b": 2}]}
    n = len(text)
    assert r.root.end == n and r.root.value["a"].end == n and r.root.value["a"].value[1].end == n
    assert syntax(r) == [(n, n, """expected ',' or '}' after member "b", found end of file""")]
    assert r.problems[0].related == [(10, 11, "the '{' opened here is not closed")]
    r = parse("[")
    assert r.root.to_python() == [] and r.root.end == 1
    assert syntax(r) == [(1, 1, "expected a value or ']', found end of file")]
    r = parse("[1,")
    assert syntax(r) == [(3, 3, "expected a value, found end of file")]
    r = parse("{")
    assert syntax(r) == [(1, 1, "expected a key or '}', found end of file")]


def test_half_typed_key():
    r = parse('{"Na')
    assert [k.value for k, _ in r.root.members] == ["Na"]
    key, value = r.root.members[0]
    assert (key.start, key.end) == (1, 4)
    assert value.kind == "null" and value.start == value.end == 4
    # One error only, although the colon, the value and the '}' are missing.
    assert syntax(r) == [(1, 4, "unterminated string: missing closing '\"' before the end of the file")]
    r = parse('{"Rule": {"Name": "x",\n  "Ena')
    rule = r.root.value["Rule"]
    assert [k.value for k, _ in rule.members] == ["Name", "Ena"]
    assert len(syntax(r)) == 1


def test_half_typed_value():
    r = parse('{"Enabled": tr')
    assert r.root.value["Enabled"].kind == "string"  # a bare word
    assert syntax(r)[0] == (
        12,
        14,
        "expected a value, found 'tr': strings must be enclosed in double quotes",
    )
    r = parse('{"Name": "ru')
    assert r.root.value["Name"].value == "ru" and len(syntax(r)) == 1


def test_mismatched_closers():
    r = parse('{"a": [1, 2}')
    assert r.root.to_python() == {"a": [1, 2]}
    assert syntax(r) == [(11, 12, "expected ',' or ']' after item 1, found '}'")]
    assert r.problems[0].related == [(6, 7, "the '[' opened here is not closed")]
    arr = r.root.value["a"]
    assert (arr.start, arr.end, r.root.end) == (6, 11, 12)
    r = parse("[1}, 2]")
    assert r.root.to_python() == [1, 2]
    assert syntax(r)[0][:2] == (2, 3)


@pytest.mark.parametrize(
    "text, start, end, message",
    [
        ('{"a": 1} // note', 9, 16, "comments are not allowed in JSON"),
        ('{"a": /* x */ 1}', 6, 13, "comments are not allowed in JSON"),
        (
            "[1] /* open",
            4,
            6,
            "unterminated comment: '/*' is never closed (comments are not allowed in JSON)",
        ),
        (
            '{"a": "x\\qy"}',
            8,
            10,
            "invalid escape '\\q': valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX",
        ),
        ('{"a": "\\u12"}', 7, 11, "invalid escape '\\u12': '\\u' must be followed by 4 hex digits"),
        ('{"a": "x\ty"}', 8, 9, "control character U+0009 in string: escape it as \\t"),
        ('["\x01"]', 2, 3, "control character U+0001 in string: escape it as \\u0001"),
        ('{"a": 1}}', 8, 9, "unexpected text after the document: found '}'"),
        ('{"a": 1} {"b": 2}', 9, 10, "unexpected text after the document: found '{'"),
        ("1 2", 2, 3, "unexpected text after the document: found '2'"),
        ('{"a": 1 ]', 8, 9, """expected ',' or '}' after member "a", found ']'"""),
        (
            "[01]",
            1,
            3,
            "invalid number '01': leading zeros are not allowed in JSON numbers: write 1",
        ),
        (
            "[-007.5]",
            1,
            7,
            "invalid number '-007.5': leading zeros are not allowed in JSON numbers: write -7.5",
        ),
        ("[+1]", 1, 3, "invalid number '+1': a number cannot start with '+': write 1"),
        (
            "[.5]",
            1,
            3,
            "invalid number '.5': a JSON number needs a digit before the decimal point: write 0.5",
        ),
        (
            "[1.]",
            1,
            3,
            "invalid number '1.': a JSON number needs a digit after the decimal point: write 1.0",
        ),
        (
            "[True]",
            1,
            5,
            "expected a value, found 'True': JSON literals are lowercase true, false and null; write true",
        ),
        (
            "[None]",
            1,
            5,
            "expected a value, found 'None': JSON literals are lowercase true, false and null; write null",
        ),
        ("[abc]", 1, 4, "expected a value, found 'abc': strings must be enclosed in double quotes"),
        (
            "['abc']",
            1,
            6,
            'strings must be enclosed in double quotes, not single quotes: write "abc"',
        ),
        ("{'a': 1}", 1, 4, 'keys must be enclosed in double quotes, not single quotes: write "a"'),
        ("{Name: 1}", 1, 5, "keys must be double-quoted strings: found 'Name', write \"Name\""),
        ('{"a": 1, [2]}', 9, 10, "expected a key, found '[' (a value without a key)"),
        ('{"a" = 1}', 5, 6, """expected ':' after key "a", found '='"""),
        ("[1,,2]", 3, 4, "expected a value, found ','"),
        ("}", 0, 1, "expected a value, found '}'"),
        (
            '{"a":\u00a01}',
            5,
            6,
            "unexpected whitespace character U+00A0 (NO-BREAK SPACE): JSON allows "
            "only space, tab, line feed and carriage return",
        ),
        ("\x00", 0, 1, "expected a value, found U+0000: strings must be enclosed in double quotes"),
    ],
)
def test_syntax_error_messages(text, start, end, message):
    r = parse(text)
    assert syntax(r)[0] == (start, end, message)
    assert not r.complete


def test_recovered_values_keep_their_meaning():
    r = parse("[01, +1, .5, 1., True, None, FALSE, abc, 'q']")
    assert r.root.to_python() == [1, 1, 0.5, 1.0, True, None, False, "abc", "q"]
    assert [v.kind for v in r.root.value] == [
        "integer",
        "integer",
        "number",
        "number",
        "boolean",
        "null",
        "boolean",
        "string",
        "string",
    ]
    assert len(syntax(r)) == 9  # one per bad token, nothing cascades
    r = parse("{'a': 'b', c: 1}")
    assert r.root.to_python() == {"a": "b", "c": 1}
    r = parse('{"a": "x\\qy\tz"}')
    assert r.root.value["a"].value == "xqy\tz" and len(syntax(r)) == 2
    r = parse('// lead\n{"a": 1, /* mid */ "b": 2} // tail')
    assert r.root.to_python() == {"a": 1, "b": 2} and len(syntax(r)) == 3


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_errors(word):
    text = '{"x": ' + word + "}"
    r = parse(text)
    assert json.loads(text)  # Python's json accepts them...
    v = r.root.value["x"]
    assert v.kind == "number" and (math.isnan(v.value) or math.isinf(v.value))
    ((start, end, message),) = syntax(r)  # ...we do not
    assert (start, end) == (6, 6 + len(word))
    assert message.startswith(f"{word} is not allowed in JSON")


def test_integer_too_long_for_python():
    text = "[" + "1" * 5000 + "]"
    r = parse(text)
    assert r.root.value[0].kind == "number"
    assert syntax(r) == [(1, 5001, "integer with 5000 digits: too long for the AWS CLI's JSON reader")]


def test_too_many_syntax_errors():
    text = "[" + "a b " * 200 + "]"
    r = parse(text)
    errs = syntax(r)
    assert len(errs) == MAX_SYNTAX_ERRORS + 1
    assert errs[-1][2].startswith("too many syntax errors")
    assert r.root.kind == "array" and r.root.end == len(text)


def test_no_cascade_one_error_per_position():
    for text in ["{,}", "[,]", '{"a":: 1}', "{: 1}", '{"a": ]', "[}"]:
        r = parse(text)
        starts = [s for s, _, _ in syntax(r)]
        assert len(starts) == len(set(starts)) >= 1, (text, syntax(r))
        assert len(starts) <= 2, (text, syntax(r))


# -- robustness ----------------------------------------------------------------


def test_deep_nesting_does_not_recurse():
    for text in ["[" * 100_000 + "]" * 100_000, "[" * 100_000, '{"a":' * 100_000, "{" * 100_000]:
        r = parse(text)
        assert not r.complete
        depth = 0
        node = r.root
        while node is not None and node.kind in ("array", "object") and node.value:
            node = next(iter(node.value.values())) if node.kind == "object" else node.value[0]
            depth += 1
        assert depth <= MAX_DEPTH
    r = parse("[" * 300 + "]" * 300)
    assert syntax(r) == [(MAX_DEPTH, MAX_DEPTH + 1, too_deep_message("the deeper value is skipped"))]
    deepest = node_at_offset(r.root, MAX_DEPTH + 1, include_keys=False)
    assert (deepest.start, deepest.end) == (MAX_DEPTH, 600 - MAX_DEPTH)
    r = parse("[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert r.problems == []


def test_junk_and_large_inputs():
    import random

    rnd = random.Random(5)
    junk = "".join(chr(rnd.randrange(0, 0x110000)) for _ in range(5000))
    parse(junk)
    parse(bytes(range(256)).decode("latin-1") * 10)
    parse("\ud800\udfff\x00\ufeff" * 100)
    parse('"' + "x" * 1_000_000)
    r = parse("[" + ",".join(['{"k": "v", "n": 1.5}'] * 50_000) + "]")
    assert r.problems == [] and len(r.root.value) == 50_000


def test_rule_set_document():
    rules = []
    for i in range(20):
        rules.append(
            {
                "Name": f"rule-{i:03d}",
                "Enabled": True,
                "TlsPolicy": "Require",
                "Recipients": [f"user{i}@example.com"],
                "Actions": [{"S3Action": {"BucketName": f"b-{i}", "ObjectKeyPrefix": "in/"}}],
                "ScanEnabled": True,
            }
        )
    doc = {"Metadata": {"Name": "main"}, "Rules": rules}
    text = json.dumps(doc, indent=2)
    r = parse(text)
    assert r.problems == [] and r.root.to_python() == doc
    node = node_at_pointer(r.root, "/Rules/7/Actions/0/S3Action/BucketName")
    assert node.value == "b-7" and text[node.start : node.end] == '"b-7"'


# -- property tests ------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5),
    max_leaves=25,
)

PROPS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(json_values, st.sampled_from([None, 0, 2, "\t"]), st.booleans())
def test_valid_json_round_trips(value, indent, ensure_ascii):
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
    r = parse(text)
    assert r.problems == [] and r.complete
    assert r.root.to_python() == value
    for node in all_nodes(r.root):
        assert json.loads(text[node.start : node.end]) == node.to_python()
    for node in r.root.walk():
        assert node_at_pointer(r.root, node.pointer) is node


def _reject_constant(name: str):
    raise ValueError(name)


def agrees_with_json_loads(text: str, result: ParseResult) -> None:
    """No syntax error exactly when json.loads (without NaN/Infinity) accepts."""
    if text.strip(" \t\n\r") == "" or text.startswith("\ufeff"):
        return  # empty document / BOM: deliberately different from json.loads
    try:
        expected = json.loads(text, parse_constant=_reject_constant)
        ok = True
    except (ValueError, RecursionError):
        ok = False
    has_syntax_error = any(p.rule == "syntax-error" for p in result.problems)
    assert ok != has_syntax_error, (text, result.problems)
    if ok:
        assert result.root.to_python() == expected


@PROPS
@given(st.text())
def test_arbitrary_text_never_raises(text):
    r = parse(text)
    agrees_with_json_loads(text, r)


JSONISH = list("{}[],:\"\\ \n\r\t0123456789-+.eEtruefalsnNI/*'x\x00é")


@st.composite
def mutated_json(draw):
    value = draw(json_values)
    text = json.dumps(value, indent=draw(st.sampled_from([None, 2])))
    ops = draw(
        st.lists(
            st.tuples(
                st.sampled_from(["insert", "delete", "replace", "truncate"]),
                st.integers(min_value=0, max_value=10**6),
                st.sampled_from(JSONISH),
            ),
            min_size=1,
            max_size=4,
        )
    )
    for op, i, ch in ops:
        i %= len(text) + 1
        if op == "insert":
            text = text[:i] + ch + text[i:]
        elif op == "delete":
            text = text[:i] + text[i + 1 :]
        elif op == "replace":
            text = text[:i] + ch + text[i + 1 :]
        else:
            text = text[:i]
    return text


@PROPS
@given(mutated_json())
def test_mutated_json_never_raises(text):
    r = parse(text)
    agrees_with_json_loads(text, r)


@PROPS
@given(json_values, st.data())
def test_truncated_json_keeps_a_prefix_tree(value, data):
    text = json.dumps(value, indent=2)
    cut = data.draw(st.integers(min_value=0, max_value=len(text)))
    prefix = text[:cut]
    r = parse(prefix)
    agrees_with_json_loads(prefix, r)
    if r.root is not None:
        # Every complete scalar node of the prefix tree is a real token.
        for node in all_nodes(r.root):
            if node.is_scalar and node.end > node.start and not node.is_key:
                token = prefix[node.start : node.end]
                try:
                    assert json.loads(token) == node.value
                except json.JSONDecodeError:
                    assert cut == node.end  # only the token cut by the truncation
