"""Incremental re-parsing (ses_lsp.document.incremental): differential tests against full parses,
one test per fallback reason, and the language server's edit path end to end."""

from __future__ import annotations

import json
import math
import random
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ses_lsp.document import incremental
from ses_lsp.document.document import Document, parse_text
from ses_lsp.document.incremental import reparse, stats
from ses_lsp.document.nodes import ARRAY, OBJECT, Node, ParseResult, TaggedNode

DEFAULT_MAX_REGION = dict(incremental._MAX_REGION)


@pytest.fixture(autouse=True)
def _small_documents_too(monkeypatch):
    """The documents here are small: let regions be as large as the document.  (The default
    limit, which keeps large re-parses from costing more than a full parse, has its own test.)"""
    monkeypatch.setattr(incremental, "_MAX_REGION", {"json": 1.0, "yaml": 1.0})


# -- structural comparison ---------------------------------------------------------------------


def _same_scalar(a: object, b: object) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)  # type: ignore[arg-type]
    return a == b


def _fields(a: Node, b: Node, where: str) -> None:
    assert type(a) is type(b) and type(a) in (Node, TaggedNode), where
    if type(a) is TaggedNode:
        assert a.tag == b.tag, (where, a.tag, b.tag)  # type: ignore[attr-defined]  # (both TaggedNodes)
    assert (a.kind, a.start, a.end, a.plain, a.anchor) == (b.kind, b.start, b.end, b.plain, b.anchor), (where, a, b)
    if a.kind not in (OBJECT, ARRAY):
        assert _same_scalar(a.value, b.value), (where, a.value, b.value)
        assert a.members is None and b.members is None, where


def assert_same_tree(ra: Node | None, rb: Node | None) -> None:
    """Both trees are alike in every respect: shape, kinds, values, spans, flags, parents, keys,
    members (duplicates included) and the order of ``value`` dicts."""
    if ra is None or rb is None:
        assert ra is None and rb is None
        return
    corr: dict[int, Node] = {id(ra): rb}  # node of a -> its counterpart in b
    stack = [(ra, rb, "")]
    while stack:
        a, b, where = stack.pop()
        _fields(a, b, where)
        if a.parent is None:
            assert b.parent is None, where
        else:
            assert corr[id(a.parent)] is b.parent, where
        if isinstance(a.key, Node):
            assert isinstance(b.key, Node) and corr[id(a.key)] is b.key, where
        else:
            assert a.key == b.key and type(a.key) is type(b.key), where
        if a.kind == OBJECT:
            ma, mb = a.members, b.members
            assert ma is not None and mb is not None and len(ma) == len(mb), where
            for (ka, va), (kb, vb) in zip(ma, mb, strict=True):
                _fields(ka, kb, where + "/<key>")
                assert ka.parent is a and kb.parent is b and ka.key is None and kb.key is None, where
                corr[id(ka)] = kb
                corr[id(va)] = vb
                stack.append((va, vb, f"{where}/{ka.value}"))
            assert list(a.value) == list(b.value), where  # type: ignore[arg-type]
            for name, va in a.value.items():  # type: ignore[union-attr]
                assert corr[id(va)] is b.value[name], where  # type: ignore[index]
        elif a.kind == ARRAY:
            assert len(a.value) == len(b.value), where  # type: ignore[arg-type]
            for i, (va, vb) in enumerate(zip(a.value, b.value, strict=True)):  # type: ignore[call-overload]
                corr[id(va)] = vb
                stack.append((va, vb, f"{where}/{i}"))


def assert_same_result(a: ParseResult, b: ParseResult) -> None:
    assert (a.format, a.complete) == (b.format, b.complete)
    assert [(p.rule, p.message, p.start, p.end, p.related) for p in a.problems] == [
        (p.rule, p.message, p.start, p.end, p.related) for p in b.problems
    ]
    assert list(a.comments.items()) == list(b.comments.items())
    assert_same_tree(a.root, b.root)


def parsed_doc(text: str, fmt: str) -> Document:
    doc = Document(text, None, fmt)
    doc.parsed  # noqa: B018
    return doc


def edited(text: str, start: int, end: int, insert: str) -> tuple[str, int, int, int]:
    return text[:start] + insert + text[end:], start, end, start + len(insert)


def check_edit(doc: Document, start: int, end: int, insert: str, consume: bool = False) -> Document:
    """Re-parse after one edit; it must equal a full parse, and leave the old document valid."""
    old_text = doc.text
    snapshot = parse_text(old_text, doc.format)
    new_text, s, oe, ne = edited(old_text, start, end, insert)
    new = reparse(doc, new_text, s, oe, ne, consume=consume)
    assert new.text == new_text and new.format == doc.format
    assert_same_result(new.parsed, parse_text(new_text, doc.format))
    # The old document is intact (copy), or parses its text again (consumed).
    assert_same_result(doc.parsed, snapshot)
    return new


# -- generated rule documents ------------------------------------------------------------------

NAME_CHARS = "abcxyzABC019-_. éüß漢😀"
words = st.text(alphabet=st.sampled_from(NAME_CHARS), min_size=1, max_size=10)
emails = st.builds(
    lambda a, b: f"{a}@{b}.example.com",
    st.from_regex(r"[a-z0-9.]{1,6}", fullmatch=True),
    st.from_regex(r"[a-z]{1,6}", fullmatch=True),
)
texts_multiline = st.lists(words, min_size=1, max_size=3).map("\n".join)
actions = st.one_of(
    st.builds(lambda b, p: {"S3Action": {"BucketName": b, "ObjectKeyPrefix": p}}, words, words),
    st.builds(lambda n, v: {"AddHeaderAction": {"HeaderName": n, "HeaderValue": v}}, words, words),
    st.builds(
        lambda f: {
            "LambdaAction": {
                "FunctionArn": f"arn:aws:lambda:us-east-1:123456789012:function:{f}",
                "InvocationType": "Event",
            }
        },
        words,
    ),
    st.builds(
        lambda m, c: {"BounceAction": {"Message": m, "SmtpReplyCode": c, "Sender": "a@example.com"}},
        texts_multiline,
        st.sampled_from(["550", "5.1.1"]),
    ),
    st.just({"StopAction": {"Scope": "RuleSet"}}),
    st.builds(lambda n: {"WorkmailAction": {"OrganizationArn": n, "Priority": 3, "Weight": 1.5, "Extra": None}}, words),
)
rules = st.fixed_dictionaries(
    {"Name": words, "Actions": st.lists(actions, min_size=1, max_size=4)},
    optional={
        "Enabled": st.booleans(),
        "TlsPolicy": st.sampled_from(["Require", "Optional"]),
        "Recipients": st.lists(emails, max_size=4),
        "ScanEnabled": st.booleans(),
        "Empty": st.just([]),
    },
)
rule_sets = st.builds(
    lambda name, rs: {"Metadata": {"Name": name, "CreatedTimestamp": "2024-01-01T00:00:00Z"}, "Rules": rs},
    words,
    st.lists(rules, min_size=1, max_size=5),
)


def to_json(data: dict, r: random.Random) -> str:
    indent = r.choice([None, 2, 4, "\t"])
    text = json.dumps(data, indent=indent, ensure_ascii=r.random() < 0.3)
    return text + ("\n" if r.random() < 0.8 else "")


_RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "~", ""}


def _plain_ok(s: str) -> bool:
    return (
        s.lower() not in _RESERVED
        and s[0].isalpha()
        and s[-1] not in " :"
        and ": " not in s
        and " #" not in s
        and "\n" not in s
        and not any(c in s for c in "{}[],&*!|>'\"%@`")
    )


def _y_scalar(v: object, r: random.Random) -> str:
    if v is None:
        return r.choice(["null", "~"])
    if isinstance(v, bool):
        return r.choice(["true", "True"]) if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    s = str(v)
    if _plain_ok(s) and r.random() < 0.7:
        return s
    if "\n" not in s and r.random() < 0.3:
        return "'" + s.replace("'", "''") + "'"
    return json.dumps(s, ensure_ascii=False)


def _y_flow(v: object, r: random.Random) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_y_flow(x, r)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_y_flow(x, r) for x in v) + "]"
    s = _y_scalar(v, r)
    return s if not (isinstance(v, str) and s == v and any(c in v for c in ",{}[]")) else json.dumps(v)


def _y_block(v: object, ind: int, r: random.Random, o: dict) -> list[str]:
    pad = " " * ind
    step = o["step"]
    out: list[str] = []
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, (dict, list)) and (not x or r.random() < o["flow"]):
                out.append(f"{pad}{k}: {_y_flow(x, r)}")
            elif isinstance(x, dict):
                out.append(f"{pad}{k}:")
                out += _y_block(x, ind + step, r, o)
            elif isinstance(x, list):
                out.append(f"{pad}{k}:")
                out += _y_block(x, ind if o["indentless"] else ind + step, r, o)
            elif isinstance(x, str) and "\n" in x and r.random() < 0.7:
                out.append(f"{pad}{k}: {r.choice(['|', '|-', '|+', '>', '>-'])}")
                out += [f"{pad}{' ' * step}{line}" for line in x.split("\n")]
            else:
                out.append(f"{pad}{k}: {_y_scalar(x, r)}")
    else:
        for x in v:  # type: ignore[union-attr]
            if isinstance(x, (dict, list)) and x and r.random() >= o["flow"] / 2:
                inner = _y_block(x, ind + 2, r, o)
                inner[0] = f"{pad}- {inner[0][ind + 2 :]}"
                out += inner
            elif isinstance(x, (dict, list)):
                out.append(f"{pad}- {_y_flow(x, r)}")
            else:
                out.append(f"{pad}- {_y_scalar(x, r)}")
    return out


def to_yaml(data: dict, r: random.Random) -> str:
    o = {"step": r.choice([2, 4]), "indentless": r.random() < 0.5, "flow": r.choice([0.0, 0.0, 0.2])}
    lines = _y_block(data, 0, r, o)
    if r.random() < 0.6:  # comments: trailing ones, and whole comment lines at various indentations
        with_comments = []
        block = -1  # indentation of the block scalar header whose content lines follow
        for line in lines:
            ind = len(line) - len(line.lstrip(" "))
            if block >= 0 and ind > block:  # block scalar content: left alone
                with_comments.append(line)
                continue
            block = -1
            if r.random() < 0.1:
                with_comments.append(" " * r.choice([0, 2, 4, 6]) + "# note é")
            if line.rstrip().endswith(("|", "|-", "|+", ">", ">-")):
                block = ind
            elif r.random() < 0.15:
                line += "  # c#1"
            with_comments.append(line)
        lines = with_comments
    if r.random() < 0.2:
        lines.insert(0, "# ses-lsp: kind=classic-rule-set")
    if r.random() < 0.15:
        lines.insert(r.randrange(len(lines) + 1), "")
    return "\n".join(lines) + ("\n" if r.random() < 0.85 else "")


EDIT_CHARS = list("aaaaaaaaxxxxxxxé😀0000") + [
    ":",
    "-",
    '"',
    "'",
    "#",
    "\n",
    " ",
    " ",
    "\t",
    "{",
    "}",
    "[",
    "]",
    ",",
    "|",
    "&",
    "\r\n",
    "\\",
]
# (where, how many characters to delete, what to insert); ``where`` picks the position with a
# seeded PRNG, so positions spread over the whole text (hypothesis favours the ends).
edits = st.tuples(
    st.integers(0, 2**32), st.integers(0, 5), st.lists(st.sampled_from(EDIT_CHARS), max_size=5).map("".join)
)


def build(fmt: str, data: dict, seed: int) -> str:
    r = random.Random(seed)
    text = to_json(data, r) if fmt == "json" else to_yaml(data, r)
    if r.random() < 0.25:
        text = text.replace("\n", "\r\n")
    return text


def apply_random_edit(text: str, edit: tuple[float, int, str]) -> tuple[int, int, str]:
    where, length, insert = edit
    s = random.Random(where).randrange(len(text) + 1)
    return s, min(len(text), s + length), insert


def _differential(fmt: str, consume: bool) -> None:
    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=rule_sets, seed=st.integers(0, 2**32), edit=edits)
    def run(data, seed, edit):
        text = build(fmt, data, seed)
        doc = parsed_doc(text, fmt)
        check_edit(doc, *apply_random_edit(text, edit), consume=consume)

    stats.reset()
    run()
    assert stats.incremental + stats.full >= 300


def test_random_edits_mostly_stay_incremental() -> None:
    """The optimisation must not silently die: of a fixed, seeded set of one-place edits to
    the bundled example rule sets (formatted many ways), most stay incremental.  (Not
    measured on the hypothesis runs above: what hypothesis generates differs between its
    versions, so a ratio over it moves with the installed version.)"""
    root = Path(__file__).parent.parent / "examples"
    bases = [json.loads((root / "classic/rule-set.json").read_text())]
    bases.append(json.loads((root / "mailmanager/broken-rule-set.json").read_text()))
    ratios = {}
    for fmt in ("json", "yaml"):
        stats.reset()
        for seed in range(20):
            r = random.Random(seed)
            text = build(fmt, bases[seed % len(bases)], seed)
            for _ in range(10):
                edit = (
                    r.randrange(2**32),
                    r.randrange(6),
                    "".join(r.choice(EDIT_CHARS) for _ in range(r.randrange(6))),
                )
                check_edit(parsed_doc(text, fmt), *apply_random_edit(text, edit), consume=True)
        total = stats.incremental + stats.full
        assert total == 200
        ratios[fmt] = stats.incremental / total
    # (measured: json 0.365, yaml 0.465; the same every run, the edits being seeded)
    assert min(ratios.values()) >= 0.33, (ratios, stats.reasons)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_differential_copy(fmt):
    _differential(fmt, consume=False)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
def test_differential_consume(fmt):
    _differential(fmt, consume=True)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    data=rule_sets, seed=st.integers(0, 2**32), seq=st.lists(st.tuples(edits, st.booleans()), min_size=2, max_size=5)
)
def test_edit_sequences(fmt, data, seed, seq):
    """Several edits, each re-parsed from the previous document, parsed or not (edits compose)."""
    text = build(fmt, data, seed)
    doc = parsed_doc(text, fmt)
    consume = bool(seed % 2)
    for edit, look in seq:
        s, e, ins = apply_random_edit(doc.text, edit)
        new_text, s, oe, ne = edited(doc.text, s, e, ins)
        doc = reparse(doc, new_text, s, oe, ne, consume=consume)
        if look:
            assert_same_result(doc.parsed, parse_text(new_text, fmt))
    assert_same_result(doc.parsed, parse_text(doc.text, fmt))


# -- one-place edits that must be incremental ----------------------------------------------------

YAML_RULES = """\
# ses-lsp: kind=classic-rule-set
Metadata:
  Name: main  # the set
Rules:
- Name: first
  Enabled: true
  Recipients:
  - a@example.com
  Actions:
  - S3Action:
      BucketName: bucket-1   # trailing
      ObjectKeyPrefix: "in/"
  - StopAction: {Scope: RuleSet}
# between the rules
- Name: second
  Bounce: |
    line one
    line two
  Actions:
  - AddHeaderAction:
      HeaderName: X-A
      HeaderValue: 'v'
"""

JSON_RULES = json.dumps(
    {
        "Metadata": {"Name": "main"},
        "Rules": [
            {"Name": "first", "Enabled": True, "Actions": [{"S3Action": {"BucketName": "b"}}]},
            {"Name": "second", "Actions": [{"StopAction": {"Scope": "RuleSet"}}]},
        ],
    },
    indent=2,
)


def at(text: str, needle: str, plus: int = 0) -> int:
    return text.index(needle) + plus


@pytest.mark.parametrize(
    "fmt,text",
    [
        ("yaml", YAML_RULES),
        ("json", JSON_RULES),
        ("yaml", YAML_RULES.replace("\n", "\r\n")),
        ("json", JSON_RULES.replace("\n", "\r\n")),
    ],
)
@pytest.mark.parametrize("consume", [False, True])
def test_typical_edits_are_incremental(fmt, text, consume):
    cases = [
        (at(text, "first", 2), 0, "x"),  # typing in a rule's name
        (at(text, "first", 2), 1, ""),  # deleting
        (at(text, "bucket-1" if fmt == "yaml" else '"b"', 1), 0, "zz"),
        (at(text, "second", 1), 3, "é😀"),
        (at(text, "Actions"), 0, "X"),  # a key inside a rule: the rule is re-parsed with it
    ]
    if fmt == "yaml":
        cases += [
            (at(text, "line one", 4), 0, "\n    more"),  # a new line inside a block scalar
            (at(text, "a@example.com", 1), 0, "b"),
            (at(text, "Enabled: true", len("Enabled: true")), 0, "  # now a comment"),
            (at(text, "Name: main", len("Name: ma")), 0, "in"),  # a member of a mapping (not in a list)
        ]
    for s, n, ins in cases:
        doc = parsed_doc(text, fmt)
        stats.reset()
        check_edit(doc, s, s + n, ins, consume=consume)
        assert stats.last == "incremental", (s, n, ins, stats.reasons)


def test_comment_lines_move_with_the_edit():
    doc = parsed_doc(YAML_RULES, "yaml")
    s = at(YAML_RULES, "Enabled: true", len("Enabled: true"))
    new = check_edit(doc, s, s, "\n  ScanEnabled: false  # added")
    assert stats.last == "incremental"
    before = doc.parsed.comments
    after = new.parsed.comments
    line = YAML_RULES[:s].count("\n")
    assert after[line + 1] == "# added"
    assert after[max(before) + 1] == before[max(before)] if max(before) > line else True


def test_region_parse_replaces_the_right_node_and_keeps_parents():
    doc = parsed_doc(JSON_RULES, "json")
    s = at(JSON_RULES, "second", 3)
    new = check_edit(doc, s, s, "Q")
    rules = new.root.get("Rules")
    assert rules.value[1].get("Name").value == "secQond"
    assert rules.value[1].parent is rules and rules.parent is new.root
    # The old tree is untouched without ``consume``.
    assert doc.root.get("Rules").value[1].get("Name").value == "second"


# -- every position of tricky documents ---------------------------------------------------------

TRICKY_YAML = """---
Rules:
  - Name: plain multi
      line scalar
    Note: "quoted
      across lines"
    Single: 'it''s
      two'
    Empty:
    Tagged: !!str 123
    Custom: !Ref thing
    Lit: |-
      keep #this
       indented more

    Fold: >+
      folded

    After: x
  -   Name: wide
      List:
      - - a
        - b
      -
      - c  # tail
# col0 comment
  - ? explicit key
    : explicit value
    ? lonely
    Flow: {a: [1, 2], b: {c: d}}
    MultiFlow: [x,
      y, z]
...
"""

TRICKY_YAML_2 = """\ufeffMetadata:
  Name: m
  Nested:
    Deep:
      List:
        - 0x1F
        - 2024-01-02
        - ~
Rules:
- Name: r1
  Actions:
  - StopAction:
      Scope: RuleSet
- Name: r2

- Name: r3
  Recipients: [a@b.c, d@e.f]"""

TRICKY_JSON = (
    '{"Rules": [{"Name": "a\\"b\\\\c\\u00e9\\ud83d\\ude00", "N": -1.5e3, "I": 0, "T": true, '
    '"Z": null, "E": {}, "L": [], "Deep": [[1, [2]], {"x": {"y": [3]}}]}, {"Name": "two"}],\r\n'
    ' "M": { "k" : "v" }}'
)


@pytest.mark.parametrize(
    "fmt,text,inserts",
    [
        ("yaml", TRICKY_YAML, ["x", "\n", ": ", "- ", "#", "'", "|", "\n  "]),
        ("yaml", TRICKY_YAML.replace("\n", "\r\n"), ["x", "\n", " "]),
        ("yaml", TRICKY_YAML_2, ["x", "\n", ": ", "- ", "#", '"', "  "]),
        ("json", TRICKY_JSON, ["x", " ", ":", ",", '"', "\\", "}", "]", "1", "e", "-"]),
    ],
)
def test_every_position(fmt, text, inserts):
    """Insertions and deletions at every position of documents with unusual constructs."""
    stats.reset()
    n = 0
    for s in range(len(text) + 1):
        for ins in inserts:
            check_edit(parsed_doc(text, fmt), s, s, ins, consume=n % 2 == 0)
            n += 1
        if s < len(text):
            check_edit(parsed_doc(text, fmt), s, min(len(text), s + 1 + n % 3), "", consume=n % 2 == 1)
            n += 1
    assert stats.incremental >= 0.2 * n, (stats.incremental, stats.reasons)


# -- fallbacks, one per reason -------------------------------------------------------------------


def fallback_reason(fmt: str, text: str, s: int, e: int, ins: str, consume: bool = False) -> str:
    doc = parsed_doc(text, fmt)
    stats.reset()
    check_edit(doc, s, e, ins, consume=consume)
    assert stats.full == 1 and stats.incremental == 0, stats.reasons
    return stats.last  # type: ignore[return-value]


def test_fallback_old_problems():
    broken = YAML_RULES.replace("Enabled: true", "Enabled: [true")
    s = at(broken, "second", 2)
    assert fallback_reason("yaml", broken, s, s, "x") == "old-problems"
    dup = JSON_RULES.replace('"Enabled": true', '"Name": "again"')
    s = at(dup, "second", 2)
    assert fallback_reason("json", dup, s, s, "x") == "old-problems"
    assert fallback_reason("yaml", "# nothing\n", 0, 0, "a: 1") == "old-empty"  # no tree


def test_fallback_old_document_not_parsed():
    doc = Document(YAML_RULES, None, "yaml")  # never parsed
    s = at(YAML_RULES, "first", 2)
    new_text, s, oe, ne = edited(YAML_RULES, s, s, "x")
    stats.reset()
    new = reparse(doc, new_text, s, oe, ne)
    assert_same_result(new.parsed, parse_text(new_text, "yaml"))
    assert stats.last == "old-not-parsed"


@pytest.mark.parametrize("extra", ["&anchor x", "'x*y'", "'a << b'"])
def test_fallback_anchors_aliases_merge_keys(extra):
    # Even where they are not anchors, aliases or merge keys (in quoted scalars): the text decides.
    text = YAML_RULES.replace("HeaderValue: 'v'", "HeaderValue: 'v'\n      Note: " + extra)
    s = at(text, "first", 2)
    assert fallback_reason("yaml", text, s, s, "x") == "anchors"
    # Also when the edit brings one in.
    s = at(YAML_RULES, "first", 2)
    assert fallback_reason("yaml", YAML_RULES, s, s, "&") == "anchors"


def test_fallback_directives():
    text = "%YAML 1.1\n---\n" + YAML_RULES
    s = at(text, "first", 2)
    assert fallback_reason("yaml", text, s, s, "x") == "directives"


def test_fallback_region_problems():
    # The edit breaks the syntax inside a rule: the full parse reports it.
    s = at(YAML_RULES, "first", 2)
    assert fallback_reason("yaml", YAML_RULES, s, s, ': "') == "region-problems"
    s = at(JSON_RULES, "first", 2)
    assert fallback_reason("json", JSON_RULES, s, s, '"') == "region-problems"
    # A duplicate key made inside a rule.
    s = at(JSON_RULES, '"Enabled"', 1)
    assert fallback_reason("json", JSON_RULES, s, s + len("Enabled"), "Name") == "region-problems"


def test_fallback_edit_touches_boundaries():
    # A root key.
    s = at(YAML_RULES, "Rules:", 1)
    assert fallback_reason("yaml", YAML_RULES, s, s, "x") == "boundary"
    s = at(JSON_RULES, '"Rules"', 2)
    assert fallback_reason("json", JSON_RULES, s, s, "x") == "boundary"
    # Between root members.
    s = at(JSON_RULES, '"Rules"')
    assert fallback_reason("json", JSON_RULES, s - 1, s, "") == "boundary"
    s = at(YAML_RULES, "Rules:")
    assert fallback_reason("yaml", YAML_RULES, s - 1, s, "") == "boundary"
    # The opening bracket of the second rule: only the whole list holds the edit (and it breaks).
    s = at(JSON_RULES, '{\n      "Name": "second"')
    assert fallback_reason("json", JSON_RULES, s, s + 1, "") == "region-problems"


def test_fallback_dash_line_and_indentation():
    # A new entry line at the item's own indentation: the item would be two items.
    s = at(YAML_RULES, "  Enabled: true")
    reason = fallback_reason("yaml", YAML_RULES, s, s + 2, "- ")
    assert reason in ("indentation", "too-large", "region-problems")
    # Dedenting a line out of its rule.
    s = at(YAML_RULES, "  Recipients:")
    assert fallback_reason("yaml", YAML_RULES, s, s + 2, "") in ("indentation", "too-large", "region-problems")


def test_fallback_flow_collections():
    text = "Metadata: {Name: main}\nRules: [{Name: first, Actions: [{StopAction: {Scope: RuleSet}}]}]\n"
    s = at(text, "first", 2)
    assert fallback_reason("yaml", text, s, s, "x") == "flow"


def test_fallback_line_endings():
    s = at(YAML_RULES, "first", 2)
    assert fallback_reason("yaml", YAML_RULES, s, s, "\r") == "line-endings"
    crlf = YAML_RULES.replace("\n", "\r\n")
    s = at(crlf, "\r\n  Enabled")
    assert fallback_reason("yaml", crlf, s + 1, s + 2, "") == "line-endings"  # splits a CRLF


def test_fallback_block_scalar_followed_by_comment_lines():
    text = "Rules:\n- Name: a\n  Note: x\n    # looks like a comment\n- Name: b\n"
    s = at(text, "Note: x", len("Note: "))
    # "Note: |" makes the comment line the block scalar's content.
    assert fallback_reason("yaml", text, s, s + 1, "|\n    y") == "block-scalar-tail"


def test_fallback_region_too_large(monkeypatch):
    monkeypatch.setattr(incremental, "_MAX_REGION", DEFAULT_MAX_REGION)
    text = json.dumps({"Rules": [{"Name": "only", "Actions": [{"StopAction": {"Scope": "RuleSet"}}]}]})
    s = at(text, '"only"')  # on the string's first character: the region is the whole rule
    assert fallback_reason("json", text, s, s, "x") in ("too-large", "region-problems")
    assert fallback_reason("json", text, s, s + 1, '"x') == "too-large"


def test_fallback_edit_mismatch():
    doc = parsed_doc(JSON_RULES, "json")
    s = at(JSON_RULES, "first", 2)
    new_text = JSON_RULES[:s] + "x" + JSON_RULES[s:]
    stats.reset()
    new = reparse(doc, new_text, s, s, s)  # wrong offsets
    assert_same_result(new.parsed, parse_text(new_text, "json"))
    assert stats.last == "edit-mismatch"


def test_fallback_nesting_depth():
    deep = '{"Rules": [' + "[" * 240 + '"abc"' + "]" * 240 + ", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]}"
    s = at(deep, "abc", 1)
    assert fallback_reason("json", deep, s, s, "x") == "depth"


def test_consumed_document_parses_its_text_again():
    doc = parsed_doc(YAML_RULES, "yaml")
    old_root = doc.root
    s = at(YAML_RULES, "first", 2)
    new = check_edit(doc, s, s, "x", consume=True)
    assert stats.last == "incremental"
    assert new.root is old_root  # the tree was reused in place ...
    assert doc.root is not old_root  # ... and the old document has a fresh one of its own text
    assert doc.root.get("Rules").value[0].get("Name").value == "first"


def test_a_base_is_handed_on_once():
    """Composing edits moves the base to the newest document; an older pending one parses fully."""
    doc = parsed_doc(JSON_RULES, "json")
    s = at(JSON_RULES, "first", 2)
    t1, *e1 = edited(JSON_RULES, s, s, "x")
    d1 = reparse(doc, t1, *e1, consume=True)
    t2, *e2 = edited(t1, s + 1, s + 1, "y")
    d2 = reparse(d1, t2, *e2, consume=True)
    stats.reset()
    assert_same_result(d2.parsed, parse_text(t2, "json"))
    assert stats.last == "incremental"
    assert_same_result(d1.parsed, parse_text(t1, "json"))
    assert stats.last == "old-not-parsed"


def test_leading_bom_is_fine_others_are_not():
    text = "\ufeff" + YAML_RULES
    s = at(text, "first", 2)
    check_edit(parsed_doc(text, "yaml"), s, s, "x")
    assert stats.last == "incremental"
    assert fallback_reason("yaml", text, s, s, "\ufeff") == "bom"


def test_lint_text_uses_a_given_document():
    from ses_lsp.lint.engine import lint_text

    text = YAML_RULES
    s = at(text, "bucket-1", 3)
    base = lint_text(text, "rules.yaml", fmt="yaml").document
    new_text, *edit = edited(text, s, s, "q")
    doc = reparse(base, new_text, *edit, version=7, consume=True)
    res = lint_text(new_text, "rules.yaml", fmt="yaml", version=7, document=doc)
    fresh = lint_text(new_text, "rules.yaml", fmt="yaml", version=7)
    assert res.document is doc and doc.path == "rules.yaml" and doc.version == 7
    assert [d.__dict__ for d in res.diagnostics] == [d.__dict__ for d in fresh.diagnostics]
    assert stats.last == "incremental"
    # A document of another text or format is not used.
    other = Document(text, "rules.yaml", "yaml")
    assert lint_text(new_text, "rules.yaml", fmt="yaml", document=other).document is not other
    assert lint_text(text, "rules.json", document=other).document is not other


def test_node_shape_guard():
    assert incremental._ENABLED, "Node's slots changed: update ses_lsp.document.incremental's copier"


# -- the language server, end to end -------------------------------------------------------------


def _server_with(uri: str, text: str, fmt: str):
    from lsprotocol import types as T

    from ses_lsp.server.server import create_server

    ls = create_server(0)
    ls.pull = True  # lint on demand only (no timers, no publication)
    ls.protocol.fm.features[T.TEXT_DOCUMENT_DID_OPEN](
        T.DidOpenTextDocumentParams(T.TextDocumentItem(uri=uri, language_id=fmt, version=1, text=text))
    )
    return ls


def _position(text: str, off: int):
    from lsprotocol import types as T

    before = text[:off]
    line = before.count("\n")
    col = before[before.rfind("\n") + 1 :]
    return T.Position(line, len(col.encode("utf-16-le")) // 2)


def _lsp_view(ls, uri):
    st_ = ls.docs[uri]
    res = ls.lint(st_)
    diags = ls.lsp_diagnostics(st_, res)
    return st_.kind, [(d.range, d.code, d.message, d.severity, d.related_information, d.data) for d in diags]


def _bench_text(fmt: str, n: int = 25) -> str:
    import yaml

    rules = [
        {
            "Name": f"rule-{i:03d}",
            "Enabled": True,
            "TlsPolicy": "Require",
            "Recipients": [f"user{i}@example.com", f"sub{i}.example.net"],
            "Actions": [
                {"S3Action": {"BucketName": f"bucket-{i}", "ObjectKeyPrefix": f"in/{i}/"}},
                {"AddHeaderAction": {"HeaderName": "X-Rule", "HeaderValue": f"rule-{i}"}},
            ],
            "ScanEnabled": True,
        }
        for i in range(n)
    ]
    doc = {"Metadata": {"Name": "main", "CreatedTimestamp": "2024-01-01T00:00:00Z"}, "Rules": rules}
    return json.dumps(doc, indent=2) + "\n" if fmt == "json" else yaml.safe_dump(doc, sort_keys=False)


@pytest.mark.parametrize("fmt", ["json", "yaml"])
@pytest.mark.parametrize("seed", range(4))
def test_server_edits_match_a_fresh_lint(fmt, seed):
    """After incremental changes the server's text and diagnostics equal those of a server that
    opened the resulting text afresh (so the incrementally built trees lint exactly alike)."""
    from lsprotocol import types as T

    r = random.Random(seed)
    uri = f"file:///tmp/ses-lsp-incremental/rules.{fmt}"
    text = _bench_text(fmt)
    ls = _server_with(uri, text, fmt)
    ls.lint(ls.docs[uri])
    did_change = ls.protocol.fm.features[T.TEXT_DOCUMENT_DID_CHANGE]
    stats.reset()
    version = 1
    lint_every = 1 if seed < 2 else 3  # unlinted versions compose their edits
    undo = None
    pieces = ["x", "é", "😀", "1", ":", '"', "-", " ", "\n", "#", "}", "{", "Require", "- a", "\n  - b"]
    target = 0
    for step in range(60):
        version += 1
        # The values of the rules' names (the same rule for a few steps).
        names = [m.span(1) for m in re.finditer(r'(?m)^[ -]*"?Name"?: "?([^"\n]+)', text)]
        if step % 8 == 0:
            target = r.randrange(25)  # the name being edited, for a few steps
        if undo is not None:  # repair what the previous (random) edit broke
            s, e, ins = undo
            undo = None
        elif r.random() < (0.7 if lint_every == 1 else 0.9) and names:  # typing/deleting in a name
            a, b = names[target % len(names)]
            s = r.randrange(a + 1, b + 1)
            e = min(b, s + r.choice([0, 0, 1]))
            ins = r.choice(["x", "y", "é", "", "7"])
        else:  # anything anywhere, undone next
            s = r.randrange(len(text))
            e = min(len(text), s + r.choice([0, 0, 1, 3]))
            ins = r.choice(pieces)
            undo = (s, s + len(ins), text[s:e])
        new = text[:s] + ins + text[e:]
        did_change(
            T.DidChangeTextDocumentParams(
                T.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [T.TextDocumentContentChangePartial(range=T.Range(_position(text, s), _position(text, e)), text=ins)],
            )
        )
        text = new
        assert ls.docs[uri].text == text
        if step % lint_every == 0 or step == 59:
            fresh = _server_with(uri, text, fmt)
            fresh.docs[uri].version = version
            assert _lsp_view(ls, uri) == _lsp_view(fresh, uri)
    assert stats.incremental >= (10 if lint_every == 1 else 5), (stats.incremental, stats.reasons)
    assert ls.docs[uri].document().parsed is not None
