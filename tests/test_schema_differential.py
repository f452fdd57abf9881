"""Differential test: our schema pass agrees with jsonschema's Draft 2020-12 validator.

The lint engine interprets the generated JSON Schemas itself (``ses_lsp.lint.validator``,
far faster than a general validator); this file proves it means what the exported
schemas (``ses-lsp schema export``, ``ses_lsp.cli.kind_schema_document``) say to any JSON
Schema tool.  For every document kind, hypothesis builds valid documents from the
schema itself, applies up to three mutations (drop a required member, add or misspell a
member, change a type, leave an enum, break a pattern, a length, a count or a range,
empty or double a union, write a bad timestamp, ...), writes the JSON text, and both
validators judge it:

* ours: ``lint_text`` with the kind forced and only the core and schema rules selected,
  keeping the schema codes SES101-SES112 as ``(JSON pointer, code)``;
* the reference: :data:`Reference` (jsonschema's ``Draft202012Validator`` with the two
  adjustments documented there) on the exported schema; each error's ``validator``
  keyword and ``absolute_path`` are mapped onto our codes and our documented
  no-cascade policy is applied by :func:`expected_findings` (never its message text).

Both must agree on valid vs invalid and on the set of ``(pointer, code)``.  The real
example and golden JSON files are compared the same way, and each disagreement found
while building this test is pinned as a regression case at the end.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, ValidationError, validators

from ses_lsp.cli import kind_schema_document
from ses_lsp.lint.config import Config
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.text import closest, has_placeholder
from ses_lsp.schema import kinds

ROOT = Path(__file__).resolve().parents[1]
# The API document kinds. A CloudFormation template (cloudformation:template) is checked resource
# by resource, each SES resource's Properties against its own schema: tests/test_cfn.py compares
# those findings with cfn-lint's on the same templates.
KINDS = [k for k in kinds() if not k.startswith("cloudformation:")]
SCHEMA_CODES = frozenset(f"SES1{n:02d}" for n in range(1, 13))  # SES101-SES112
# The schema pass alone: semantic rules (SES2xx-SES9xx) may replace a schema finding
# with a more specific one (SES306 supersedes SES105), which is not what is compared.
SCHEMA_PASS = Config(select=("SES0", "SES1"))

Finding = tuple[str, str]  # (JSON pointer, code)

BOUNCE = "ses:send-bounce"
MM = "mailmanager:create-rule-set"
INGRESS = "mailmanager:create-ingress-point"


# ---------------------------------------------------------------------------
# The reference validator and the policy
# ---------------------------------------------------------------------------


def _cli_integer(checker: object, instance: object) -> bool:
    return isinstance(instance, int) and not isinstance(instance, bool)


def _ecma_pattern(validator: Any, pattern: str, instance: object, schema: dict) -> Any:
    # Every generated pattern is anchored '^(?:...)$' (tests/test_schema_patterns.py).
    end_anchored = pattern[:-1] + r"\Z" if pattern.endswith(")$") else pattern
    if isinstance(instance, str) and re.search(end_anchored, instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


Reference = validators.extend(
    Draft202012Validator,
    validators={"pattern": _ecma_pattern},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _cli_integer),
)
"""jsonschema's Draft 2020-12 validator with two adjustments, each a place where
jsonschema's Python reading differs from what the document's real consumers do:

* ``integer`` is a JSON number written without fraction or exponent (a Python ``int``).
  JSON Schema's data model makes ``1.0`` an integer, but the AWS CLI reads the file with
  ``json.loads`` (``1.0`` is a float) and botocore then refuses it ("Invalid type for
  parameter ..., valid types: <class 'int'>"); we report SES103, as the CLI would fail.
  No JSON Schema keyword can say this, so the schemas cannot.
* ``pattern`` ends at the end of the string.  JSON Schema patterns are ECMA-262, where
  ``$`` matches only there; jsonschema runs them with Python's ``re.search``, whose ``$``
  also matches before a final newline, so it accepts ``"inbound\\n"`` for
  ``^(?:[a-zA-Z0-9_.-]+)$`` (python-jsonschema/jsonschema#576, closed as Python's
  behaviour).  ECMA-262 engines (ajv, jsonschema-rs), Java's ``matches()`` on the service
  side and our ``fullmatch`` reject it.
"""

KEYWORD_CODES = {
    "additionalProperties": "SES101",
    "required": "SES102",
    "type": "SES103",
    "enum": "SES104",
    "pattern": "SES105",  # SES112 on a timestamp (x-timestamp)
    "minLength": "SES106",
    "maxLength": "SES107",
    "minItems": "SES108",
    "maxItems": "SES109",
    "minimum": "SES110",
    "maximum": "SES110",
    "minProperties": "SES111",  # only unions (x-union) use them
    "maxProperties": "SES111",
}
# Keywords that never fail validation (annotations, structure, our x- extensions).
NON_ASSERTIONS = frozenset(
    {"$ref", "$defs", "$schema", "title", "description", "deprecated", "properties", "items", "contentEncoding"}
)
# The checks our walk makes on one value, in order: it stops at the first that fails.
ONE_PER_VALUE = ("SES103", "SES104", "SES106", "SES107", "SES105", "SES112")


def _escape(token: object) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def _pointer(path: Any) -> str:
    return "".join("/" + _escape(p) for p in path)


def expected_findings(errors: list[ValidationError]) -> set[Finding]:
    """The findings our schema pass must report, given the reference validator's errors.

    Mapping (not policy): ``additionalProperties`` names each unknown member at the
    member's own pointer (SES101); a union's ``minProperties``/``maxProperties`` is SES111;
    ``pattern`` on a timestamp schema is SES112; every other keyword as in
    :data:`KEYWORD_CODES`.

    Policy (documented no-cascade behaviour of ``ses_lsp.lint.validator``), each of which
    only removes a reference finding:

    1. Placeholders: a string holding a template placeholder (``${Var}``, ``{{var}}``,
       ``%s``..., ``ses_lsp.lint.text.has_placeholder``) is filled in later; its enum,
       length and pattern are not judged.  The only policy that can turn "invalid" into
       "valid".
    2. One finding per value: a value of the wrong type is not also out of its enum; a
       string gets the first of enum, too short, too long, pattern (jsonschema reports
       them all).
    3. A misspelt required member is one mistake: when every missing required member is
       the suggestion for an unknown member of the same object ("Value" for "Values"),
       only the unknown member (SES101) is reported, not also SES102.
    4. A union counts its known members: with unknown members and at most one known
       member, only the unknown members (SES101) are reported; ``maxProperties`` counts
       the unknown ones too.
    """
    found: set[Finding] = set()
    for e in errors:
        pointer, kw, schema, instance = _pointer(e.absolute_path), e.validator, e.schema, e.instance
        assert isinstance(schema, dict) and isinstance(kw, str)
        if kw in ("enum", "minLength", "maxLength", "pattern") and not schema.get("x-timestamp"):
            if isinstance(instance, str) and has_placeholder(instance):
                continue  # policy 1
        props: dict = schema.get("properties") or {}
        if kw == "additionalProperties":
            found.update((f"{pointer}/{_escape(m)}", "SES101") for m in instance if m not in props)
        elif kw == "required":
            missing = [r for r in schema["required"] if r not in instance]
            candidates = [p for p in props if p not in instance] or list(props)
            meant = {closest(m, candidates) for m in instance if m not in props}
            if not set(missing) <= meant:  # policy 3
                found.add((pointer, "SES102"))
        elif kw in ("minProperties", "maxProperties") and not schema.get("x-union"):
            # a map's number of entries (a routing test's Expect), counted as a list's items are
            found.add((pointer, "SES108" if kw == "minProperties" else "SES109"))
        elif kw in ("minProperties", "maxProperties"):
            known = [m for m in instance if m in props]
            if not (len(known) < len(instance) and len(known) <= 1):  # policy 4
                found.add((pointer, "SES111"))
        elif kw == "pattern" and schema.get("x-timestamp"):
            found.add((pointer, "SES112"))
        else:
            found.add((pointer, KEYWORD_CODES[kw]))
    # policy 2
    for pointer in {p for p, _ in found}:
        here = [code for code in ONE_PER_VALUE if (pointer, code) in found]
        for code in here[1:]:
            found.discard((pointer, code))
    return found


_REFERENCES: dict[str, Any] = {}


def reference(kind: str) -> Any:
    if kind not in _REFERENCES:
        schema = kind_schema_document(kind)
        Reference.check_schema(schema)
        _REFERENCES[kind] = Reference(schema)
    return _REFERENCES[kind]


def ours(kind: str, text: str) -> set[Finding]:
    result = lint_text(text, kind=kind, fmt="json", config=SCHEMA_PASS)
    # SES002 (a duplicate key: the last value counts, as for json.loads) and SES113
    # (deprecated member, a warning) may appear; anything else would be a crash or a
    # parse problem.
    others = [(d.code, d.message) for d in result.diagnostics if d.code not in SCHEMA_CODES | {"SES002", "SES113"}]
    assert not others, f"unexpected diagnostics (a crash or a parse problem?): {others}"
    return {(d.pointer, d.code) for d in result.diagnostics if d.code in SCHEMA_CODES}


def assert_agree(kind: str, doc: Any, text: str | None = None) -> set[Finding]:
    text = json.dumps(doc, indent=1, ensure_ascii=False) if text is None else text
    want = expected_findings(list(reference(kind).iter_errors(doc)))
    got = ours(kind, text)
    assert bool(got) == bool(want), f"valid/invalid verdicts differ for {kind}:\n{text}\nours: {got}\nref:  {want}"
    assert got == want, (
        f"{kind}: findings differ\n{text}\nonly ours:      {sorted(got - want)}\nonly reference: {sorted(want - got)}"
    )
    return got


# ---------------------------------------------------------------------------
# Documents from the schema
# ---------------------------------------------------------------------------

DEPTH = 5  # below this depth, objects get their required members only

VALID_TIMESTAMPS = [
    "2026-11-20T10:00:00Z",
    "2016-07-15T16:25:59.607Z",
    "2024-02-29",
    "2026-01-31 23:59:59+05:30",
    "20260501T1000Z",
    "1700000000",
    "-1.5",
    " 2026-11-20\n",
]
BAD_TIMESTAMPS = [
    "last tuesday",
    "",
    "2026-02-29",
    "2026-04-31T10:00:00Z",
    "1900-02-29",
    "0000-01-01",
    "2026-11-20T24:00",
    "2026-11-20T10:00:60Z",
    "2026-11-20T10:00+24:00",
    "20260501T9999Z",
    "1e9",
    "\u0661\u0662\u0663",
    "2026-11-20x",
    "2026-1-20",
]
# Characters no generated pattern accepts everywhere: a pattern mutation inserts one.
PATTERN_BREAKERS = [" ", "\n", "\t", "é", "!", "_", "/", "\u200b", "\x00", "~", "@", "X"]
OTHER_VALUES: list[Any] = [None, True, False, 0, 7, -3, 1.5, 3.0, "", "text", "5", [], [1], {}, {"a": 1}]
PLACEHOLDERS = ["${Var}", "{{name}}", "%s", "<account-id>", "#{AWS::Region}"]


class Kind:
    """The exported schema of one kind, with helpers to walk it."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.doc = kind_schema_document(kind)
        self.defs: dict[str, dict] = self.doc["$defs"]

    def resolve(self, schema: dict) -> dict:
        while "$ref" in schema:
            schema = self.defs[schema["$ref"].rsplit("/", 1)[1]]
        return schema

    @property
    def root(self) -> dict:
        return self.resolve(self.doc)

    def nodes(self, value: Any, schema: dict, path: tuple = ()) -> list[tuple[tuple, dict]]:
        """Every (path, schema) of ``value`` that the schema describes (not inside unknown
        members or values of the wrong type)."""
        schema = _narrowed(self.resolve(schema), value)
        out = [(path, schema)]
        if isinstance(value, dict) and schema.get("type") == "object":
            props = schema.get("properties") or {}
            for k, v in value.items():
                if k in props:
                    out.extend(self.nodes(v, props[k], (*path, k)))
        elif isinstance(value, list) and schema.get("type") == "array":
            for i, v in enumerate(value):
                out.extend(self.nodes(v, schema["items"], (*path, i)))
        return out


_KINDS: dict[str, Kind] = {}

_PYTHON_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool, "null": type(None)}


def _narrowed(schema: dict, value: Any) -> dict:
    """A schema with several types (``["string", "object"]``: a path or an inline scenario) as
    the one of them ``value`` has."""
    types = schema.get("type")
    if not isinstance(types, list):
        return schema
    for t in types:
        py = _PYTHON_TYPES.get(t)
        if (py is not None and isinstance(value, py) and not (py is not bool and isinstance(value, bool))) or (
            t in ("integer", "number") and isinstance(value, int) and not isinstance(value, bool)
        ):
            return {**schema, "type": t}
    return schema


def kind_model(kind: str) -> Kind:
    if kind not in _KINDS:
        _KINDS[kind] = Kind(kind)
    return _KINDS[kind]


def _simple_repeat(body: str) -> str | None:
    """``[class]`` when ``body`` is ``[class]+`` or ``[class]*`` (one character class repeated)."""
    if body.startswith("[") and body[-2:] in ("]+", "]*"):
        inner = body[1:-2]
        if "[" not in inner.replace("\\[", "") and "]" not in inner.replace("\\]", ""):
            return body[:-1]
    return None


@st.composite
def strings_for(draw: Any, schema: dict) -> str:
    """A string the schema accepts."""
    if "enum" in schema:
        return draw(st.sampled_from(schema["enum"]))
    lo = schema.get("minLength", 0)
    hi = min(schema.get("maxLength", lo + 24), lo + 24)
    pattern = schema.get("pattern")
    if pattern is None:
        return draw(st.text(min_size=lo, max_size=hi))
    body = pattern[len("^(?:") : -len(")$")]
    repeated = _simple_repeat(body)
    if repeated is not None:  # '[a-z0-9-]+' with a length: generate the length directly
        lo = max(lo, 1 if body.endswith("+") else 0)
        return draw(st.from_regex(f"{repeated}{{{lo},{hi}}}", fullmatch=True))
    maximum = schema.get("maxLength", 10**9)
    return draw(st.from_regex(body, fullmatch=True).filter(lambda s: lo <= len(s) <= maximum))


@st.composite
def values_for(draw: Any, model: Kind, schema: dict, depth: int = 0) -> Any:
    """A value the schema accepts (small: optional members and list items are drawn)."""
    schema = model.resolve(schema)
    if schema.get("x-timestamp"):
        return draw(
            st.one_of(
                st.sampled_from(VALID_TIMESTAMPS),
                st.integers(0, 2**33),
                st.floats(0, 4e9, allow_nan=False),
                st.from_regex(schema["pattern"][len("^(?:") : -len(")$")], fullmatch=True),
            )
        )
    t = schema["type"]
    if isinstance(t, list):  # several types: one of them
        t = draw(st.sampled_from(t))
        schema = {**schema, "type": t}
    if t == "null":
        return None
    if t == "object":
        props: dict = schema.get("properties") or {}
        if schema.get("x-union"):
            name = draw(st.sampled_from(sorted(props)))
            return {name: draw(values_for(model, props[name], depth + 1))}
        required = schema.get("required", [])
        out = {}
        for name in schema.get("x-member-order", sorted(props)):
            if name in required or (depth < DEPTH and draw(st.booleans())):
                out[name] = draw(values_for(model, props[name], depth + 1))
        return out
    if t == "array":
        lo = schema.get("minItems", 0)
        hi = min(schema.get("maxItems", lo + 2), lo + 2 if depth < DEPTH else lo)
        n = draw(st.integers(min(max(lo, 1), hi), hi))  # empty lists come from mutations
        return [draw(values_for(model, schema["items"], depth + 1)) for _ in range(n)]
    if t == "string":
        return draw(strings_for(schema))
    if t == "integer":
        return draw(st.integers(schema.get("minimum", -(10**6)), schema.get("maximum", 10**6)))
    if t == "number":
        return draw(st.floats(allow_nan=False, allow_infinity=False))
    if t == "boolean":
        return draw(st.booleans())
    raise AssertionError(f"no generator for {schema}")


# ---------------------------------------------------------------------------
# Mutations
# ---------------------------------------------------------------------------


def _accepts(schema: dict, value: Any) -> bool:
    types = schema.get("type")
    types = [types] if isinstance(types, str) else list(types or [])
    checker = Reference.TYPE_CHECKER
    return any(checker.is_type(value, t) for t in types)


def _near_miss(name: str, draw: Any) -> str:
    how = draw(st.integers(0, 3))
    if how == 0:
        return name.lower() if name != name.lower() else name.upper()
    if how == 1:
        return name + "s"
    if how == 2 and len(name) > 1:
        i = draw(st.integers(0, len(name) - 1))
        return name[:i] + name[i + 1 :]
    return draw(st.text(min_size=0, max_size=12))


def _mutations(model: Kind, schema: dict, value: Any) -> list[str]:
    """The mutations that apply to ``value`` under ``schema``."""
    out = ["wrong-type"]
    if schema.get("x-timestamp"):
        return [*out, "bad-timestamp"]
    t = _narrowed(schema, value).get("type")
    if t == "object" and isinstance(value, dict):
        out += ["unknown-member", "misspelt-member"]
        if schema.get("x-union"):
            out += ["union-empty", "union-second-member"]
        elif any(r in value for r in schema.get("required", [])):
            out.append("drop-required")
        elif any(p not in value for p in schema.get("properties", {})):
            out.append("add-member")
    elif t == "array" and isinstance(value, list):
        if schema.get("minItems", 0) > 0:
            out.append("too-few-items")
        if schema.get("maxItems", 10**9) <= 200:
            out.append("too-many-items")
    elif t == "string" and isinstance(value, str):
        if {"enum", "pattern", "minLength", "maxLength"} & set(schema):
            out.append("placeholder")
        if "enum" in schema:
            out.append("out-of-enum")
        if "pattern" in schema:
            out += ["break-pattern", "trailing-newline"]
        if schema.get("minLength", 0) > 0:
            out.append("too-short")
        if schema.get("maxLength", 10**9) <= 5000:
            out.append("too-long")
    elif t in ("integer", "number") and isinstance(value, (int, float)):
        out += [how for how, key in (("below-minimum", "minimum"), ("above-maximum", "maximum")) if key in schema]
        if t == "integer":
            out.append("integral-float")
    return out


def _mutate(draw: Any, model: Kind, schema: dict, value: Any, how: str) -> Any:
    """The mutated value (``value`` itself is not changed)."""
    if how == "wrong-type":
        return draw(st.sampled_from([v for v in OTHER_VALUES if not _accepts(schema, v)] or [None]))
    if how == "bad-timestamp":
        return draw(st.one_of(st.sampled_from(BAD_TIMESTAMPS), st.text(max_size=20)))
    if how in ("unknown-member", "misspelt-member"):
        props = sorted(schema.get("properties") or {})
        if how == "misspelt-member" and value:
            old = draw(st.sampled_from(sorted(value)))
            new = {k: v for k, v in value.items() if k != old}
            new[_near_miss(old, draw)] = value[old]
            return new
        name = _near_miss(draw(st.sampled_from(props)), draw) if props else draw(st.text(max_size=12))
        return {**value, name: draw(st.sampled_from(OTHER_VALUES))}
    if how == "union-empty":
        return {}
    if how in ("union-second-member", "add-member"):
        props = schema["properties"]
        free = sorted(p for p in props if p not in value)
        if not free:
            return value
        name = draw(st.sampled_from(free))
        return {**value, name: draw(values_for(model, props[name], DEPTH))}
    if how == "drop-required":
        name = draw(st.sampled_from([r for r in schema["required"] if r in value]))
        return {k: v for k, v in value.items() if k != name}
    if how == "too-few-items":
        return value[: schema["minItems"] - 1]
    if how == "too-many-items":
        extra = value[-1:] or [draw(values_for(model, schema["items"], DEPTH))]
        return value + extra * (schema["maxItems"] + 1 - len(value))
    if how == "placeholder":
        p = draw(st.sampled_from(PLACEHOLDERS))
        return draw(st.sampled_from([p, value + p, p + value]))
    if how == "out-of-enum":
        option = draw(st.sampled_from(schema["enum"]))
        return draw(st.sampled_from([option.lower(), option + " ", option[:-1], "x" + option]))
    if how == "break-pattern":
        i = draw(st.integers(0, len(value)))
        return value[:i] + draw(st.sampled_from(PATTERN_BREAKERS)) + value[i:]
    if how == "trailing-newline":
        return value + "\n"
    if how == "too-short":
        return value[: schema["minLength"] - 1]
    if how == "too-long":
        pad = value[-1:] or "a"
        return value + pad * (schema["maxLength"] + 1 - len(value))
    if how == "below-minimum":
        return schema["minimum"] - draw(st.integers(1, 10**30))
    if how == "above-maximum":
        return schema["maximum"] + draw(st.integers(1, 10**30))
    if how == "integral-float":
        return float(value)
    raise AssertionError(how)


def _replace(doc: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(doc, dict):
        return {**doc, head: _replace(doc[head], rest, new)}
    copy = list(doc)
    copy[head] = _replace(doc[head], rest, new)
    return copy


def _at(doc: Any, path: tuple) -> Any:
    for p in path:
        doc = doc[p]
    return doc


@st.composite
def documents(draw: Any, kind: str) -> tuple[Any, list[str]]:
    """A document of ``kind``: a valid one, then mutations (listed for the report)."""
    model = kind_model(kind)
    doc = draw(values_for(model, model.root))
    applied = []
    # One document in eight stays valid (no false positives); the others get 1 to 3 mutations.
    for _ in range(draw(st.sampled_from([1, 2, 3, 1, 2, 3, 1, 0]))):
        # Each kind of mutation the document offers is equally likely (not each node:
        # most nodes are strings that only offer a wrong type).
        offers: dict[str, list[tuple[tuple, dict]]] = {}
        for path, schema in model.nodes(doc, model.root):
            for how in _mutations(model, schema, _at(doc, path)):
                offers.setdefault(how, []).append((path, schema))
        how = draw(st.sampled_from(sorted(offers)))
        path, schema = draw(st.sampled_from(offers[how]))
        value = _at(doc, path)
        doc = _replace(doc, path, _mutate(draw, model, schema, value, how))
        applied.append(f"{how} at {_pointer(path) or '(root)'}")
    return doc, applied


# ---------------------------------------------------------------------------
# The tests
# ---------------------------------------------------------------------------


def examples_for(kind: str) -> int:
    """Documents per kind: more for larger schemas (562 shapes over 24 kinds: ~660 in all)."""
    return 10 + len(kind_model(kind).defs) * 3 // 4


@pytest.mark.parametrize("kind", KINDS)
def test_generated_documents_agree(kind: str) -> None:
    @settings(
        max_examples=examples_for(kind),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def check(data: Any) -> None:
        doc, applied = data.draw(documents(kind), label="document")
        compact = data.draw(st.booleans(), label="compact")
        text = json.dumps(doc, ensure_ascii=compact, indent=None if compact else 2)
        try:
            found = assert_agree(kind, doc, text)
        except AssertionError as exc:
            raise AssertionError(f"mutations: {applied}\n{exc}") from None
        # What was exercised: `pytest --hypothesis-show-statistics`.
        for how in applied:
            event(how.split(" at ")[0])
        for code in sorted({code for _, code in found}) or ["valid"]:
            event(code)

    check()


def _json_documents() -> list[tuple[Path, str]]:
    """(file, kind) of the example and golden ``.json`` files that are JSON documents of a
    kind (not the syntax-error or unrecognised-document cases)."""
    out = []
    for path in sorted(p for base in ("examples", "tests/golden") for p in (ROOT / base).rglob("*.json")):
        text = path.read_text(encoding="utf-8")
        try:
            json.loads(text)
        except ValueError:
            continue
        side = path.with_name(path.name + ".kind")
        kind = side.read_text().strip() if side.exists() else lint_text(text, str(path), config=SCHEMA_PASS).kind
        if kind is not None and kind in KINDS:
            out.append((path, kind))
    return out


JSON_DOCUMENTS = _json_documents()


def test_there_are_example_and_golden_documents() -> None:
    assert len(JSON_DOCUMENTS) >= 100
    assert {kind for _, kind in JSON_DOCUMENTS} >= {"ses:create-receipt-rule", MM, INGRESS, BOUNCE}


@pytest.mark.parametrize("path,kind", JSON_DOCUMENTS, ids=[str(p.relative_to(ROOT)) for p, _ in JSON_DOCUMENTS])
def test_example_and_golden_files_agree(path: Path, kind: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert_agree(kind, json.loads(text), text)


def test_every_schema_keyword_is_mapped() -> None:
    """A keyword the generator starts to emit must be mapped here before this test passes."""
    used: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            used.update(k for k in node if not k.startswith("x-"))
            for k, v in node.items():
                if k in ("properties", "$defs"):
                    for sub in v.values():
                        walk(sub)
                elif isinstance(v, dict):
                    walk(v)

    for kind in KINDS:
        walk(kind_schema_document(kind))
    assert used - NON_ASSERTIONS == set(KEYWORD_CODES)


# ---------------------------------------------------------------------------
# Regression cases: every disagreement found while building this test, and one case
# per policy above showing that jsonschema alone differs and the policy reconciles it.
# ---------------------------------------------------------------------------


def _bounce(arrival: Any) -> dict:
    return {
        "OriginalMessageId": "0000014a-aaaa",
        "BounceSender": "mailer@example.com",
        "MessageDsn": {"ReportingMta": "dns; mx.example.com", "ArrivalDate": arrival},
        "BouncedRecipientInfoList": [{"Recipient": "user@example.com", "BounceType": "DoesNotExist"}],
    }


def _rule_set(action: dict, name: str = "inbound") -> dict:
    return {"RuleSetName": name, "Rules": [{"Name": "r1", "Actions": [action]}]}


def _lambda(minutes: Any) -> dict:
    return {
        "InvokeLambda": {
            "FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
            "InvocationType": "EVENT",
            "RoleArn": "arn:aws:iam::123456789012:role/r",
            "RetryTimeMinutes": minutes,
        }
    }


@pytest.mark.parametrize(
    "value,valid",
    [
        # The exported pattern accepted dates that do not exist; the engine rejected them.
        ("2026-02-30T10:00:00Z", False),
        ("1900-02-29", False),
        ("0000-01-01", False),
        # The engine accepted these (the AWS CLI rejects them); the pattern did not.
        ("2026-11-20T10:00:60Z", False),
        ("2026-11-20T10:00+24:00", False),
        ("20260501T9999Z", False),
        ("\u0661\u0662\u0663", False),
        # The engine (and the CLI) accepted these; the exported pattern rejected them.
        ("+5", True),
        (".5", True),
        ("20260501T1000Z", True),
        (" 2026-11-20T10:00:00Z\n", True),
        ("2024-02-29", True),
    ],
)
def test_regression_timestamps(value: str, valid: bool) -> None:
    got = assert_agree(BOUNCE, _bounce(value))
    assert got == (set() if valid else {("/MessageDsn/ArrivalDate", "SES112")})


def _raw(kind: str, doc: Any) -> set[Finding]:
    """The reference errors mapped onto our codes without the policy (one code per keyword)."""
    out = set()
    for e in Draft202012Validator(kind_schema_document(kind)).iter_errors(doc):
        out.add((_pointer(e.absolute_path), KEYWORD_CODES.get(str(e.validator), str(e.validator))))
    return out


def test_policy_integer_written_with_a_fraction() -> None:
    doc = _rule_set(_lambda(5.0))
    assert _raw(MM, doc) == set()  # plain jsonschema: 5.0 is an integer
    assert assert_agree(MM, doc) == {("/Rules/0/Actions/0/InvokeLambda/RetryTimeMinutes", "SES103")}
    assert assert_agree(MM, _rule_set(_lambda(5))) == set()


def test_policy_pattern_end_is_the_end_of_the_string() -> None:
    doc = {"RuleSetName": "inbound\n", "Rules": []}
    assert _raw(MM, doc) == set()  # plain jsonschema: Python's '$' matches before the '\n'
    assert assert_agree(MM, doc) == {("/RuleSetName", "SES105")}


def test_policy_placeholders() -> None:
    doc = {"RuleSetName": "rules-${Stage}", "Rules": []}
    assert _raw(MM, doc) == {("/RuleSetName", "SES105")}
    assert assert_agree(MM, doc) == set()


def test_policy_one_finding_per_value() -> None:
    doc: dict[str, Any] = {"IngressPointName": "gate", "Type": "AUTH", "RuleSetId": "rs-1", "TrafficPolicyId": "tp-1"}
    doc["IngressPointConfiguration"] = {"SmtpPassword": ""}
    assert _raw(INGRESS, doc) == {
        ("/IngressPointConfiguration/SmtpPassword", "SES106"),
        ("/IngressPointConfiguration/SmtpPassword", "SES105"),
    }
    assert assert_agree(INGRESS, doc) == {("/IngressPointConfiguration/SmtpPassword", "SES106")}
    doc = {**doc, "Type": 3, "IngressPointConfiguration": {"SmtpPassword": "s3cret-passw0rd"}}
    assert _raw(INGRESS, doc) == {("/Type", "SES103"), ("/Type", "SES104")}
    assert assert_agree(INGRESS, doc) == {("/Type", "SES103")}


def test_policy_misspelt_required_member() -> None:
    condition = {"StringExpression": {"Evaluate": {"Attribute": "MAIL_FROM"}, "Operator": "CONTAINS", "Value": ["@x"]}}
    doc = _rule_set({"Drop": {}})
    doc["Rules"][0]["Conditions"] = [condition]
    where = "/Rules/0/Conditions/0/StringExpression"
    assert _raw(MM, doc) == {(where, "SES101"), (where, "SES102")}
    assert assert_agree(MM, doc) == {(f"{where}/Value", "SES101")}


def test_policy_union_counts_known_members() -> None:
    doc = _rule_set({"Drop": {}, "Dorp": {}})
    assert _raw(MM, doc) == {("/Rules/0/Actions/0", "SES111"), ("/Rules/0/Actions/0", "SES101")}
    assert assert_agree(MM, doc) == {("/Rules/0/Actions/0/Dorp", "SES101")}
    # Two known members are still two.
    both = _rule_set({"Drop": {}, "Archive": {"TargetArchive": "a-1234567890abcdef"}, "Dorp": {}})
    assert assert_agree(MM, both) == {("/Rules/0/Actions/0", "SES111"), ("/Rules/0/Actions/0/Dorp", "SES101")}
