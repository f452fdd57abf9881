"""The schema pass: one walk of the document tree against the generated schemas.

Each JSON Schema keyword maps to one rule (``ses_lsp.lint.rules.schema``).
Checks stop at the first failing keyword of a node (a wrong type is not also
a bad pattern), unknown members are not descended into, and a union with the
wrong number of members is reported once on the entry: no cascades.

The generated schemas use a small, known subset of JSON Schema (see
``ses_lsp/schema/generate.py``); this module interprets exactly that subset,
compiled lazily per ``$defs`` entry.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ses_lsp import schema as schema_mod
from ses_lsp.document.nodes import (
    ARRAY,
    BOOLEAN,
    INTEGER,
    INTRINSIC,
    NULL,
    NUMBER,
    OBJECT,
    STRING,
    TIMESTAMP,
    Node,
)
from ses_lsp.lint.diagnostics import Fix, TextEdit
from ses_lsp.lint.edits import quote_plain_scalar, yaml_properties_end
from ses_lsp.lint.rules import core as core_rules
from ses_lsp.lint.rules import schema as R
from ses_lsp.lint.secrets import is_sensitive_shape
from ses_lsp.lint.text import closest, describe_pattern, has_placeholder, quote, quote_list

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.lint.context import LintContext

_KIND_WORDS = {
    OBJECT: "an object",
    ARRAY: "a list",
    STRING: "a string",
    INTEGER: "an integer",
    NUMBER: "a number",
    BOOLEAN: "a boolean",
    NULL: "null",
    TIMESTAMP: "a date/time",
}

_TYPE_ACCEPTS = {
    "object": frozenset({OBJECT}),
    "array": frozenset({ARRAY}),
    "string": frozenset({STRING}),
    "integer": frozenset({INTEGER}),
    "number": frozenset({INTEGER, NUMBER}),
    "boolean": frozenset({BOOLEAN}),
    "null": frozenset({NULL}),
}


_UNSET = object()


class Compiled:
    """A schema, compiled for fast repeated checks."""

    __slots__ = (
        "name",
        "schema",
        "accepts",
        "type_words",
        "expects_string",
        "properties",
        "prop_schemas",
        "required",
        "required_set",
        "closed",
        "values",
        "keys",
        "union",
        "enum",
        "enum_list",
        "pattern",
        "pattern_source",
        "min_length",
        "max_length",
        "min_items",
        "max_items",
        "minimum",
        "maximum",
        "timestamp",
        "sensitive",
        "items",
        "deprecated",
        "deprecated_members",
        "plain_string",
    )

    def __init__(self, name: str, schema: dict) -> None:
        self.name = name
        self.schema = schema
        self.timestamp = bool(schema.get("x-timestamp"))
        t = schema.get("type")
        types = [t] if isinstance(t, str) else list(t or [])
        accepts: set[str] = set()
        for ty in types:
            accepts |= _TYPE_ACCEPTS.get(ty, frozenset())
        if self.timestamp:
            accepts = {STRING, INTEGER, NUMBER, TIMESTAMP}
        self.accepts = frozenset(accepts) if types else None
        if self.timestamp:
            self.type_words = "a date/time (ISO 8601 text or epoch seconds)"
        else:
            self.type_words = " or ".join(_KIND_WORDS.get("number" if x == "number" else x, x) for x in types)
        self.expects_string = "string" in types and not self.timestamp
        self.properties: dict[str, Compiled | None] = {}
        self.prop_schemas: dict[str, dict] = schema.get("properties") or {}
        self.required: tuple[str, ...] = tuple(schema.get("required") or ())
        self.required_set = frozenset(self.required)
        self.closed = schema.get("additionalProperties") is False
        self.values: Compiled | None = None
        self.keys: Compiled | None = None
        self.union = bool(schema.get("x-union"))
        enum = schema.get("enum")
        self.enum = frozenset(enum) if enum else None
        self.enum_list = list(enum) if enum else None
        pat = schema.get("pattern")
        # A timestamp's pattern is the one definition of the timestamp forms (see
        # ses_lsp.schema.generate.TIMESTAMP_PATTERN); check_timestamp applies it.
        self.pattern = re.compile(pat) if pat else None
        self.pattern_source = schema.get("x-pattern-source") or pat
        self.min_length = schema.get("minLength")
        self.max_length = schema.get("maxLength")
        self.min_items = schema.get("minItems", schema.get("minProperties"))
        self.max_items = schema.get("maxItems", schema.get("maxProperties"))
        if self.union:  # minProperties/maxProperties are the union rule, not a count
            self.min_items = self.max_items = None
        self.minimum = schema.get("minimum")
        self.maximum = schema.get("maximum")
        # Credentials are never echoed (e-mail addresses and message texts, which the
        # model marks sensitive too, may be quoted): ses_lsp.lint.secrets decides.
        self.sensitive = is_sensitive_shape(name, schema)
        self.items: Compiled | None = None
        self.deprecated = bool(schema.get("deprecated"))
        # A string schema without a timestamp: the walk can go straight to check_string.
        self.plain_string = self.accepts is not None and STRING in self.accepts and not self.timestamp
        self.deprecated_members = frozenset(
            n for n, sub in self.prop_schemas.items() if isinstance(sub, dict) and sub.get("deprecated")
        )


def member_order(c: Compiled) -> list[str]:
    """An object schema's member names in the API model's order (``x-member-order``),
    then any others: the order completion offers and hover lists them in."""
    order = c.schema.get("x-member-order") if isinstance(c.schema, dict) else None
    names = list(c.prop_schemas)
    if order:
        return [n for n in order if n in c.prop_schemas] + [n for n in names if n not in order]
    return names


class SchemaSet:
    """The compiled ``$defs`` of one service document."""

    def __init__(self, service_doc: dict) -> None:
        self.doc = service_doc
        self.defs: dict[str, dict] = service_doc.get("$defs", {})
        self.cache: dict[str, Compiled] = {}

    def ref_name(self, schema: dict) -> str | None:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return ref[len("#/$defs/") :]
        return None

    def compiled(self, name: str) -> Compiled:
        c = self.cache.get(name)
        if c is None:
            c = self._compile(name, self.defs[name])
        return c

    def _compile(self, name: str, schema: dict) -> Compiled:
        c = Compiled(name, schema)
        self.cache[name] = c
        for key, sub in (("items", schema.get("items")),):
            if isinstance(sub, dict):
                setattr(c, key, self.of(sub))
        add = schema.get("additionalProperties")
        if isinstance(add, dict):
            c.values = self.of(add)
            names = schema.get("propertyNames")
            if isinstance(names, dict):
                c.keys = self.of(names)
        return c

    def of(self, schema: dict) -> Compiled:
        name = self.ref_name(schema)
        if name is not None:
            return self.compiled(name)
        # An inline schema (the CloudFormation resource schemas have them; the API's are all
        # references): compiled like a definition, items and map values included.
        key = f"<inline {id(schema)}>"
        c = self.cache.get(key)
        if c is None:
            c = self._compile(key, schema)
        return c

    def member(self, parent: Compiled, prop: str) -> Compiled | None:
        if prop in parent.properties:
            return parent.properties[prop]
        sub = parent.prop_schemas.get(prop)
        c = self.of(sub) if isinstance(sub, dict) else None
        if prop in parent.prop_schemas:
            # Only members of the schema are remembered: the validator takes a name found in
            # ``properties`` for a known member (hover and completion ask about any name).
            parent.properties[prop] = c
        return c


_SETS: dict[int, SchemaSet] = {}


def schema_set(service_doc: dict) -> SchemaSet:
    s = _SETS.get(id(service_doc))
    if s is None:
        s = SchemaSet(service_doc)
        _SETS[id(service_doc)] = s
    return s


def _shown(node: Node, sensitive: bool) -> str:
    if sensitive:
        return "a value that is not shown (a credential)"
    if node.kind == STRING or node.kind == TIMESTAMP:
        return quote(str(node.value))
    if node.kind in (OBJECT, ARRAY):
        return _KIND_WORDS[node.kind]
    return node_source(node)


def node_source(node: Node) -> str:
    v = node.value
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    return str(v)


def _label(node: Node) -> str:
    """How to name a node in a message: its member name or list position."""
    name = node.member_name
    if name is not None:
        return quote(name)
    parent = node.parent
    if isinstance(node.key, int) and parent is not None:
        pname = parent.member_name
        if pname is not None:
            return f"{pname}[{node.key}]"
        return f"item {node.key}"
    return "the document"


class Validator:
    def __init__(self, ctx: LintContext, sset: SchemaSet, partial: bool = False) -> None:
        self.ctx = ctx
        self.sset = sset
        # On a partial tree (syntax errors) members may be missing only because the
        # parser stopped: do not report them.
        self.partial = partial
        self.is_yaml = ctx.document.format == "yaml"
        # Where the parser stopped: an empty value right before it was cut off by the
        # syntax error (``Rule:`` followed by a tab-indented line), not left empty.
        self.cut = min((p.start for p in ctx.document.parsed.problems if p.rule == "syntax-error"), default=None)

    def hidden(self, node: Node, sensitive: bool) -> bool:
        """Must ``node``'s value stay out of the message?  (Asked only when reporting: the
        document's secrets are found once, on the first report that needs them.)"""
        return sensitive or node in self.ctx.secrets

    def report(self, rule, target, message, **kw) -> None:
        if "pointer" not in kw and not isinstance(target, Node):
            kw["pointer"] = ""
        self.ctx.report(target, message, rule=rule, **kw)

    def run(self, root: Node, root_schema: Compiled) -> None:
        # Iterative walk: (node, compiled schema, sensitive-from-parent)
        stack: list[tuple[Node, Compiled, bool]] = [(root, root_schema, False)]
        check = self.check
        check_string = self.check_string
        check_object = self.check_object
        pop = stack.pop
        while stack:
            node, comp, sens = pop()
            kind = node.kind
            # Fast paths for the most common nodes: a string that needs only the string
            # checks, and an object where an object is expected (what check() would do).
            if kind == STRING and comp.plain_string:
                check_string(node, comp, sens or comp.sensitive)
            elif kind == OBJECT and (comp.accepts is None or OBJECT in comp.accepts):
                check_object(node, comp, sens or comp.sensitive, stack)
            else:
                check(node, comp, sens, stack)

    # -- one node --------------------------------------------------------------

    def check(self, node: Node, c: Compiled, sens: bool, stack: list) -> None:
        kind = node.kind
        if kind == INTRINSIC:
            return  # a template's intrinsic function the template leaves open: a placeholder
        sensitive = sens or c.sensitive
        accepts = c.accepts
        if accepts is not None and kind not in accepts:
            self.type_problem(node, c, sensitive)
            return
        if kind == OBJECT:
            self.check_object(node, c, sensitive, stack)
        elif kind == ARRAY:
            items = node.list_value
            n = len(items)
            if c.min_items is not None and n < c.min_items:
                self.count_problem(node, c, n, too_few=True)
            elif c.max_items is not None and n > c.max_items:
                self.count_problem(node, c, n, too_few=False)
            sub = c.items
            if sub is not None:
                for item in reversed(items):
                    stack.append((item, sub, sensitive))
        elif kind == STRING:
            if c.timestamp:
                self.check_timestamp(node, c, str(node.value))
            else:
                self.check_string(node, c, sensitive)
        elif kind in (INTEGER, NUMBER):
            if c.timestamp:
                return
            v = node.value
            if (c.minimum is not None and v < c.minimum) or (c.maximum is not None and v > c.maximum):
                sensitive = self.hidden(node, sensitive)
                lo = "" if c.minimum is None else f"at least {c.minimum}"
                hi = "" if c.maximum is None else f"at most {c.maximum}"
                allowed = " and ".join(x for x in (lo, hi) if x)
                self.report(
                    R.NUMBER_OUT_OF_RANGE, node, f"{_label(node)} is {_shown(node, sensitive)}; it must be {allowed}"
                )

    def type_problem(self, node: Node, c: Compiled, sensitive: bool) -> None:
        if node.kind == NULL and node.start == node.end and self.cut_off(node):
            return  # the syntax error is the problem to report
        sensitive = self.hidden(node, sensitive)
        if (
            c.expects_string
            and self.is_yaml
            and node.plain
            and node.kind in (INTEGER, NUMBER, BOOLEAN, NULL, TIMESTAMP)
        ):
            self.unquoted_problem(node, c, sensitive)
            return
        target = node
        if node.kind == NULL and node.start == node.end and node.key_node is not None:
            target = node.key_node
            msg = f"{_label(node)} has no value; expected {c.type_words}"
        else:
            msg = f"{_label(node)} is {_KIND_WORDS.get(node.kind, node.kind)}"
            if node.kind not in (OBJECT, ARRAY):
                msg += f" ({_shown(node, sensitive)})"
            msg += f"; expected {c.type_words}"
            if c.accepts == frozenset({ARRAY}) and node.kind in (STRING, OBJECT):
                msg += "; wrap it in a list"
        self.report(R.WRONG_TYPE, target, msg)

    def cut_off(self, node: Node) -> bool:
        """Whether only white space and comments stand between ``node`` and the first syntax error."""
        if self.cut is None or self.cut < node.end:
            return False
        between = self.ctx.text[node.end : self.cut].lstrip(":")  # an empty value may sit at its ':'
        return all(not line.strip() or line.lstrip().startswith("#") for line in between.splitlines())

    def unquoted_problem(self, node: Node, c: Compiled, sensitive: bool) -> None:
        """A plain YAML scalar that YAML types as something other than the string expected."""
        raw = self.ctx.text[node.start : node.end]
        reads = _KIND_WORDS[node.kind]
        if raw.startswith("*"):  # an alias: the value is written where its anchor is
            anchor = raw[1:]
            self.report(
                core_rules.YAML_UNQUOTED_SCALAR,
                node,
                f"{_label(node)}: YAML reads the value of alias *{anchor} as {reads} (it is unquoted where "
                f"&{anchor} is defined), but the API expects a string; quote it there",
            )
            return
        # The content comes after any properties (``&anchor``, ``!tag``).
        content = raw[yaml_properties_end(raw) :]
        if node.kind == NULL and content == "":
            self.report(R.WRONG_TYPE, node.key_node or node, f"{_label(node)} has no value; expected {c.type_words}")
            return
        shown = "the value" if sensitive else quote(content)
        edits = quote_plain_scalar(self.ctx.document, node)
        fix = Fix(f"Quote {shown}", edits) if edits else None
        self.report(
            core_rules.YAML_UNQUOTED_SCALAR,
            node,
            f"{_label(node)}: YAML reads unquoted {shown} as {reads}, but the API expects a string; "
            f"quote it: {_yaml_quote(content) if not sensitive else 'put it in quotes'}"
            + ("" if fix is not None else " (and remove the tag)"),
            fix=fix,
        )

    def check_object(self, node: Node, c: Compiled, sensitive: bool, stack: list) -> None:
        members = node.members or ()
        props = c.prop_schemas
        sset = self.sset
        if c.values is not None:  # a map
            n = len(node.dict_value)
            if c.min_items is not None and n < c.min_items:
                self.count_problem(node, c, n, too_few=True)
            elif c.max_items is not None and n > c.max_items:
                self.count_problem(node, c, n, too_few=False)
            for k, v in reversed(members):
                if c.keys is not None and k.kind == STRING:
                    self.check_string(k, c.keys, sensitive, is_key=True)
                stack.append((v, c.values, sensitive))
            return
        # Diagnostics are sorted at the end, so the walk order does not matter:
        # children go straight onto the stack.
        values = node.dict_value
        dup = len(members) != len(values)  # duplicate keys: check the last value once
        seen: set[str] | None = set() if dup else None
        cprops = c.properties
        deprecated = c.deprecated_members
        present = 0
        unknown: list[tuple[Node, str]] | None = None
        for k, v in members:
            name = k.value
            if name.__class__ is not str:
                name = node_source(k)
            if seen is not None:
                if name in seen:
                    continue
                seen.add(name)
                v = values[name]
            sub = cprops.get(name, _UNSET)
            if sub is _UNSET:
                if name in props:
                    sub = sset.member(c, name)
                elif c.closed:
                    if unknown is None:
                        unknown = []
                    unknown.append((k, name))
                    continue
                else:
                    continue
            present += 1
            if sub is not None:
                stack.append((v, sub, sensitive))
            if deprecated and name in deprecated:
                self.report(
                    R.DEPRECATED_MEMBER,
                    k,
                    f"{quote(name)} is deprecated in the API model; see its documentation for the replacement",
                )
        if c.union:
            if present > 1 or (not present and not unknown and not self.partial):
                self.union_problem(node, c, [name for name in values if name in props])
            if unknown:
                for k, name in unknown:
                    self.unknown_member(node, k, name, props)
            return
        missing = [r for r in c.required if r not in values] if not values.keys() >= c.required_set else []
        if unknown:
            for k, name in unknown:
                # A misspelt required member is one mistake: report the unknown key (with
                # the suggestion) and not also the missing member.
                meant = self.unknown_member(node, k, name, props)
                if meant in missing:
                    missing.remove(meant)
        if missing and not self.partial:
            self.missing_problem(node, c, missing)

    def unknown_member(self, node: Node, key: Node, name: str, props: dict) -> str | None:
        allowed = list(props)
        present = set(node.dict_value)
        candidates = [p for p in allowed if p not in present] or allowed
        best = closest(name, candidates)
        where = _label(node)  # "the document" for a root (a template resource's Properties: "Properties")
        msg = f"unknown member {quote(name)} in {where}"
        fix = None
        if best is not None:
            msg += f"; did you mean {quote(best)}?"
            if key.kind == STRING:
                src = self.ctx.text[key.start : key.end]
                new = src.replace(name, best) if name in src else best
                fix = Fix(
                    f"Rename {quote(name)} to {quote(best)}",
                    (TextEdit(key.start, key.end, new),),
                    safe=best.lower() == name.lower(),
                )
        else:
            msg += f"; expected one of {quote_list(sorted(allowed))}"
        self.report(R.UNKNOWN_MEMBER, key, msg, fix=fix)
        return best

    def missing_problem(self, node: Node, c: Compiled, missing: list[str]) -> None:
        target = node.key_node or _opening(node)
        where = _label(node)
        if len(missing) == 1:
            msg = f"{where} is missing the required member {quote(missing[0])}"
        else:
            msg = f"{where} is missing the required members {quote_list(missing)}"
        self.report(R.MISSING_REQUIRED, target, msg, pointer=node.pointer)

    def union_problem(self, node: Node, c: Compiled, present: list[str]) -> None:
        target = _entry_target(node)
        choices = list(c.prop_schemas)
        if not present:
            msg = f"{_label(node)} sets none of its members; set exactly one of {quote_list(choices)}"
        else:
            advice = "split them into separate entries" if isinstance(node.key, int) else "keep only one"
            msg = f"{_label(node)} sets {len(present)} members ({quote_list(present)}) but takes exactly one; {advice}"
        self.report(R.UNION_MEMBER_COUNT, target, msg, pointer=node.pointer)

    def count_problem(self, node: Node, c: Compiled, n: int, too_few: bool) -> None:
        what = "items" if node.kind == ARRAY else "entries"
        if too_few:
            rule = R.TOO_FEW_ITEMS
            msg = f"{_label(node)} has {n} {what}; at least {c.min_items} required"
            target = node.key_node or node
        else:
            rule = R.TOO_MANY_ITEMS
            msg = f"{_label(node)} has {n} {what}; at most {c.max_items} allowed"
            target = node.key_node or node
        self.report(rule, target, msg)

    def check_string(self, node: Node, c: Compiled, sensitive: bool, is_key: bool = False) -> None:
        value = node.str_value
        if c.enum is not None:
            if value in c.enum:
                return
            label = "key" if is_key else _label(node)
            if value not in c.enum and not has_placeholder(value):
                sensitive = self.hidden(node, sensitive)
                best = closest(value, c.enum_list or [], cutoff=0.4)
                msg = f"{label} is {_shown(node, sensitive)}; expected one of {quote_list(c.enum_list or [])}"
                fix = None
                if best is not None:
                    msg += f"; did you mean {quote(best)}?"
                    src = self.ctx.text[node.start : node.end]
                    new = src.replace(value, best) if value and value in src else _requote(src, best)
                    fix = Fix(
                        f"Replace with {quote(best)}",
                        (TextEdit(node.start, node.end, new),),
                        safe=best.lower() == value.lower(),
                    )
                self.report(R.INVALID_ENUM, node, msg, fix=fix)
            return
        n = len(value)
        if not (
            (c.min_length is not None and n < c.min_length)
            or (c.max_length is not None and n > c.max_length)
            or (c.pattern is not None and c.pattern.fullmatch(value) is None)
        ):
            return
        if has_placeholder(value):
            return  # a template placeholder (${Var}, {{var}}) is filled in later
        label = "key" if is_key else _label(node)
        sensitive = self.hidden(node, sensitive)
        if c.min_length is not None and n < c.min_length:
            if n == 0:
                msg = (
                    f"{label} is empty; it must have at least {c.min_length} character{'s' if c.min_length > 1 else ''}"
                )
            elif sensitive:
                msg = f"{label} has {n} characters (the value is not shown); it must have at least {c.min_length}"
            else:
                msg = f"{label} is {_shown(node, sensitive)} ({n} characters); it must have at least {c.min_length}"
            self.report(R.STRING_TOO_SHORT, node, msg)
            return
        if c.max_length is not None and n > c.max_length:
            shown = "the value is not shown" if sensitive else quote(_ellipsis(value))
            self.report(
                R.STRING_TOO_LONG, node, f"{label} is {n} characters long ({shown}); at most {c.max_length} allowed"
            )
            return
        if c.pattern is not None and c.pattern.fullmatch(value) is None:
            words = describe_pattern(c.pattern_source or "", None if sensitive else value)
            self.report(R.PATTERN_MISMATCH, node, f"{label} is {_shown(node, sensitive)}; {words}")

    def check_timestamp(self, node: Node, c: Compiled, value: str) -> None:
        if c.pattern is not None and c.pattern.fullmatch(value) is None:
            self.report(
                R.INVALID_TIMESTAMP,
                node,
                f"{_label(node)} is {_shown(node, self.hidden(node, False))}, which is not a timestamp; use ISO 8601 "
                f"(e.g. '2026-11-20T10:00:00Z') or epoch seconds",
            )


def _opening(node: Node) -> tuple[int, int]:
    """A small span for an object with no key: its first character."""
    return (node.start, min(node.start + 1, node.end))


def _entry_target(node: Node) -> Node | tuple[int, int]:
    """The span to underline for a list entry: its first key, or the entry itself."""
    if node.key_node is not None:
        return node.key_node
    members = node.members or ()
    if members:
        return (members[0][0].start, members[-1][0].end) if len(members) > 1 else members[0][0]
    return node


def _ellipsis(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _yaml_quote(raw: str) -> str:
    if "'" not in raw:
        return f"'{raw}'"
    return '"' + raw.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _requote(src: str, new: str) -> str:
    if src[:1] in ("'", '"'):
        q = src[0]
        return q + new + q
    return new


def schema_for_kind(kind: str) -> tuple[SchemaSet, Compiled]:
    """The compiled root schema of a document kind, or of a template resource type's Properties
    (``cloudformation:template#AWS::SES::ReceiptRule``: ses_lsp.cfn.editor.schema_key)."""
    kind, sep, resource_type = kind.partition("#")
    info = schema_mod.kind_info(kind)
    doc = schema_mod.load_service(info["service"])
    sset = schema_set(doc)
    if sep:
        return sset, sset.compiled(doc["x-resource-types"][resource_type]["shape"])
    return sset, sset.compiled(info["shape"])


def schema_at_path(kind: str, path: tuple | list) -> Compiled | None:
    """The compiled schema that applies at a path (keys and indexes) of a document.

    The same walk the validator does, for hover and completion: what the
    editor suggests can never disagree with what the linter reports.
    """
    sset, c = schema_for_kind(kind)
    cur: Compiled | None = c
    for part in path:
        if cur is None:
            return None
        if isinstance(part, int) or (isinstance(part, str) and part.isdigit() and cur.items is not None):
            cur = cur.items
        elif cur.values is not None:
            cur = cur.values
        elif cur.prop_schemas:
            cur = sset.member(cur, str(part))
        else:
            return None
    return cur


def member_schema(kind: str, path: tuple | list, member: str) -> dict | None:
    """The raw schema (with its member-level description) of ``member`` of the object at ``path``."""
    parent = schema_at_path(kind, path)
    if parent is None:
        return None
    sub = parent.prop_schemas.get(member)
    return sub if isinstance(sub, dict) else None
