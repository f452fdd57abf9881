"""Routing tests: the format of a ``ses-lsp:routing-test`` document, and how an expectation is
compared with what the evaluation model says.

A routing-test file names the rule files (``RuleFiles``: what ``ses-lsp simulate`` takes as
RULES, relative to the test file) and lists ``Cases``; each case is a mail (``Mail``: an inline
scenario, or the path of a scenario or ``.eml`` file) and the expected result per envelope
recipient (``Expect``), in the terms of ``ses-lsp simulate --format json``'s contract: any
subset of ``accepted``, ``outcome``, ``rules``, ``actions``, ``stopped_by`` and ``reason``.
Only what is given is compared.

The member tables here (:data:`DOCUMENT`, :data:`CASE`, :data:`EXPECTATION`, :data:`ACTION`,
:data:`STOP`) are the one definition of the format: the kind's JSON Schema (written into
``ses_lsp/schema/ses-lsp.json`` by ``python -m ses_lsp.schema.generate``), its hover texts and
the README's description are made from them.

Pure: no file is read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.schema import ROUTING_TEST_KIND
from ses_lsp.semantics.evaluate import OUTCOMES

__all__ = [
    "ACTION",
    "CASE",
    "DOCUMENT",
    "EXPECTATION",
    "ROUTING_TEST_KIND",
    "STOP",
    "Case",
    "Member",
    "Mismatch",
    "RoutingDoc",
    "compare",
    "project",
    "read_routing",
]


@dataclass(frozen=True)
class Member:
    """One member of an object of the format."""

    name: str
    doc: str  # what it is (hover, schema description)
    schema: dict[str, Any]  # its JSON Schema (the subset ses_lsp.lint.validator reads); "$ref"s name defs here
    required: bool = False


_STRINGS: dict[str, Any] = {"type": "array", "items": {"type": "string", "minLength": 1}}

# The top level of a routing-test document.
DOCUMENT: tuple[Member, ...] = (
    Member(
        "RuleFiles",
        "The rule set to test and what stands in front of it: the files `ses-lsp simulate` takes as RULES (a "
        "classic rule set and its IP filters, or a Mail Manager rule set, traffic policy and ingress point). "
        "Paths are relative to this file; a directory stands for the documents in it.",
        {**_STRINGS, "minItems": 1},
        required=True,
    ),
    Member(
        "Cases",
        "The mails to run through the rules, each with the result expected for its recipients.",
        {"type": "array", "items": {"$ref": "RoutingTestCase"}, "minItems": 1},
        required=True,
    ),
)

# One case.
CASE: tuple[Member, ...] = (
    Member(
        "Name",
        "What the case checks, in words: the test's name in the output (default: `case N`).",
        {"type": "string", "minLength": 1},
    ),
    Member(
        "Mail",
        "The mail: a scenario written here (the members of a `ses-lsp:scenario` document), or the path of a "
        "scenario file or a message file (`.eml`), relative to this file.",
        {"$ref": "RoutingTestMail"},
        required=True,
    ),
    Member(
        "Expect",
        "The expected result, by envelope recipient address: any of `accepted`, `outcome`, `rules`, `actions`, "
        "`stopped_by` and `reason`, as `ses-lsp simulate --format json` prints them. Only what is given is "
        "compared.",
        {"type": "object", "minProperties": 1, "additionalProperties": {"$ref": "RoutingTestExpectation"}},
        required=True,
    ),
)

# What is expected for one recipient: a subset of the simulate JSON contract's recipient keys.
EXPECTATION: tuple[Member, ...] = (
    Member(
        "outcome",
        "What became of the mail for this recipient: `blocked` (connection refused), `rejected` (recipient not "
        "accepted), `delivered`, `bounced`, `delivered-and-bounced`, `dropped` (Mail Manager `Drop`) or "
        "`no-delivery` (accepted, nothing delivered it).",
        {"type": "string", "enum": list(OUTCOMES)},
    ),
    Member(
        "accepted",
        "Whether the recipient was accepted (the connection, and the recipient by the rule set).",
        {"type": "boolean"},
    ),
    Member(
        "rules",
        "The rules whose actions ran for this recipient, in order (a rule without a name is `#N`, 1-based). "
        "The whole list is compared: `[]` expects that no rule ran.",
        {"type": "array", "items": {"type": "string", "minLength": 1}},
    ),
    Member(
        "actions",
        "The actions that ran for this recipient, in order; each lists what is compared of it (`rule`, `index`, "
        "`type`, `note`, `recipients`). The list is compared item by item: as many items as actions ran.",
        {"type": "array", "items": {"$ref": "RoutingTestAction"}},
    ),
    Member(
        "stopped_by",
        "Where evaluation stopped for this recipient (`rule`, `index`, `type`, `reason`), or `null` for a "
        "recipient whose evaluation ran to the end of the rule set.",
        {"$ref": "RoutingTestStop"},
    ),
    Member(
        "reason",
        "The result's explanation, exactly as `ses-lsp simulate --format json` words it.",
        {"type": "string"},
    ),
)

# One expected action (the contract's ``actions`` items).
ACTION: tuple[Member, ...] = (
    Member("rule", "The rule the action belongs to (its `Name`, or `#N`).", {"type": "string", "minLength": 1}),
    Member("index", "The action's place in its rule's `Actions`, from 0.", {"type": "integer", "minimum": 0}),
    Member(
        "type",
        "The action's API member name: `S3Action`, `LambdaAction`, ... (SES classic); `WriteToS3`, `Relay`, ... "
        "(Mail Manager).",
        {"type": "string", "minLength": 1},
    ),
    Member("note", "What the trace says of it, e.g. `returned STOP_RULE`.", {"type": "string"}),
    Member(
        "recipients",
        "Mail Manager: the recipients the action acts for (`ReplaceRecipient` changes them).",
        _STRINGS,
    ),
)

# Where evaluation stopped (the contract's ``stopped_by``).
STOP: tuple[Member, ...] = (
    Member("rule", "The rule that stopped evaluation (its `Name`, or `#N`).", {"type": "string", "minLength": 1}),
    Member(
        "index",
        "The stopping action's place in its rule's `Actions`, from 0 (`null` for `TlsPolicy`).",
        {"type": ["integer", "null"], "minimum": 0},
    ),
    Member(
        "type",
        "What stopped it: `StopAction`, `LambdaAction` (a `STOP_RULE_SET` disposition) or `TlsPolicy` (SES "
        "classic); `Drop` (Mail Manager).",
        {"type": "string", "minLength": 1},
    ),
    Member("reason", "Why, exactly as `ses-lsp simulate --format json` words it.", {"type": "string"}),
)

# The types that can stop evaluation, per service (the evaluation model's Stop types).
STOP_TYPES = {"ses": ("StopAction", "LambdaAction", "TlsPolicy"), "mailmanager": ("Drop",)}

_EXPECTATION_KEYS = tuple(m.name for m in EXPECTATION)


# -- reading a document ------------------------------------------------------------------


@dataclass
class Expectation:
    """What one case expects for one recipient: the given keys, as plain values."""

    address: str
    key_node: Node  # the address (the member's key)
    node: Node  # the expectation object
    values: dict[str, Any]


@dataclass
class Case:
    index: int  # 0-based place in Cases
    node: Node
    name: str  # the Name, else "case N"
    mail: str | Node | None  # a path, an inline scenario (its object node), or None (missing or wrong type)
    mail_node: Node | None
    expectations: list[Expectation] = field(default_factory=list)


@dataclass
class RoutingDoc:
    rule_files: list[tuple[str, Node]]  # (the path as written, its node)
    cases: list[Case]


def read_routing(root: Node | None) -> RoutingDoc:
    """The usable parts of a routing-test document.  Values of the wrong shape are the schema
    pass's to report: skipped here."""
    out = RoutingDoc([], [])
    if root is None or root.kind != OBJECT:
        return out
    files = root.get("RuleFiles")
    if files is not None and files.kind == ARRAY:
        out.rule_files = [(n.str_value, n) for n in files.list_value if n.kind == STRING and n.str_value]
    cases = root.get("Cases")
    if cases is None or cases.kind != ARRAY:
        return out
    for i, node in enumerate(cases.list_value):
        if node.kind != OBJECT:
            continue
        name_node = node.get("Name")
        name = name_node.str_value if name_node is not None and name_node.kind == STRING else ""
        mail_node = node.get("Mail")
        mail: str | Node | None = None
        if mail_node is not None:
            if mail_node.kind == STRING and mail_node.str_value:
                mail = mail_node.str_value
            elif mail_node.kind == OBJECT:
                mail = mail_node
        case = Case(i, node, name or f"case {i + 1}", mail, mail_node)
        expect = node.get("Expect")
        if expect is not None and expect.kind == OBJECT:
            for key, value in expect.member_list:
                if value.kind != OBJECT or not isinstance(key.value, str):
                    continue
                values = {k: v.to_python() for k, v in value.dict_value.items() if k in _EXPECTATION_KEYS}
                case.expectations.append(Expectation(key.value, key, value, values))
        out.cases.append(case)
    return out


def expected_rule_names(e: Expectation) -> list[tuple[str, Node]]:
    """(rule name, its node) of every rule an expectation names (``rules``, ``actions[].rule``,
    ``stopped_by.rule``)."""
    out: list[tuple[str, Node]] = []
    node = e.node
    rules = node.get("rules")
    if rules is not None and rules.kind == ARRAY:
        out += [(n.str_value, n) for n in rules.list_value if n.kind == STRING]
    for obj in _action_objects(node):
        r = obj.get("rule")
        if r is not None and r.kind == STRING:
            out.append((r.str_value, r))
    stop = node.get("stopped_by")
    if stop is not None and stop.kind == OBJECT:
        r = stop.get("rule")
        if r is not None and r.kind == STRING:
            out.append((r.str_value, r))
    return out


def expected_types(e: Expectation) -> list[tuple[str, Node, bool]]:
    """(action type, its node, whether it is ``stopped_by``'s) of every type an expectation names."""
    out: list[tuple[str, Node, bool]] = []
    for obj in _action_objects(e.node):
        t = obj.get("type")
        if t is not None and t.kind == STRING:
            out.append((t.str_value, t, False))
    stop = e.node.get("stopped_by")
    if stop is not None and stop.kind == OBJECT:
        t = stop.get("type")
        if t is not None and t.kind == STRING:
            out.append((t.str_value, t, True))
    return out


def _action_objects(node: Node) -> list[Node]:
    actions = node.get("actions")
    if actions is None or actions.kind != ARRAY:
        return []
    return [a for a in actions.list_value if a.kind == OBJECT]


# -- comparing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """One expected key whose value differs from the model's."""

    recipient: str
    key: str  # an EXPECTATION member, or "recipient" when the mail has no such recipient
    expected: Any
    actual: Any


def _subset_equal(expected: Any, actual: Any) -> bool:
    """Does ``actual`` have every member ``expected`` gives, with equal values?"""
    if not isinstance(expected, dict):
        return bool(expected == actual)
    if not isinstance(actual, dict):
        return False
    return all(k in actual and actual[k] == v for k, v in expected.items())


def _key_equal(key: str, expected: Any, actual: Any) -> bool:
    if key == "actions":
        if not isinstance(expected, list) or not isinstance(actual, list) or len(expected) != len(actual):
            return False
        return all(_subset_equal(e, a) for e, a in zip(expected, actual, strict=True))
    if key == "stopped_by":
        if expected is None or actual is None:
            return expected is None and actual is None
        return _subset_equal(expected, actual)
    return bool(expected == actual) and type(expected) is type(actual)


def project(key: str, expected: Any, actual: Any) -> Any:
    """``actual`` cut down to what ``expected`` compares (the members each object gives), for
    showing the two side by side."""
    if key == "actions" and isinstance(expected, list) and isinstance(actual, list):
        out = []
        for i, a in enumerate(actual):
            e = expected[i] if i < len(expected) else None
            keys = list(e) if isinstance(e, dict) else (list(expected[0]) if expected else list(a))
            out.append({k: a.get(k) for k in keys if k in a} if isinstance(a, dict) else a)
        return out
    if key == "stopped_by" and isinstance(expected, dict) and isinstance(actual, dict):
        return {k: actual.get(k) for k in expected if k in actual}
    return actual


def compare(expectation: dict[str, Any], recipient: str, actual: dict[str, Any] | None) -> list[Mismatch]:
    """The keys of ``expectation`` (one recipient's) whose value differs from ``actual`` (that
    recipient's item of the simulate JSON contract, None when the mail has no such recipient)."""
    if actual is None:
        return [Mismatch(recipient, "recipient", "a recipient of the mail", None)]
    out = []
    for key in _EXPECTATION_KEYS:
        if key not in expectation:
            continue
        want, got = expectation[key], actual.get(key)
        if not _key_equal(key, want, got):
            out.append(Mismatch(recipient, key, want, project(key, want, got)))
    return out
