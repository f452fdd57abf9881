"""A resource's Properties as the API document CloudFormation sends: the *view* the checks read.

The view is a copy of the Properties subtree (new :class:`~ses_lsp.document.nodes.Node`\\ s
whose spans are the template's, so every diagnostic lands at its exact place), in which

* intrinsic functions whose value the template makes certain are replaced by that value,
  spanning the call: ``!Ref Param`` with a ``Default`` (or one of its ``AllowedValues``, each
  checked in turn: :func:`variants`), ``!Ref``/``!GetAtt`` of another resource (the classic
  resources' ``!Ref`` returns the name their Properties set), ``!Sub`` with pseudo parameters
  and those references, ``!Join``, ``!Select``, ``!Split``, ``!FindInMap`` of certain parts,
  ``!If`` whose branches agree, ``!Ref AWS::NoValue`` (the member is left out);
* a call whose value stays open is a placeholder: a string ``${X}`` (the text ``!Sub`` would
  write: ``!Ref X`` is ``${X}``, ``!GetAtt X.Arn`` is ``${X.Arn}``) where the schema expects a
  string, else a node of kind ``intrinsic`` (:func:`ses_lsp.lint.text.is_placeholder_node`);
* scalars have the type CloudFormation converts them to for the API call: a string where a
  boolean is expected (``"true"``) is a boolean, a number where a string is expected (an
  unquoted ``550``) is its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ses_lsp.cfn.mapping import BY_TYPE
from ses_lsp.cfn.template import PSEUDO_PARAMETERS, Intrinsic, Parameter, Template, intrinsic, string_of
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
    key_text,
)
from ses_lsp.lint.text import has_placeholder, quote
from ses_lsp.lint.validator import Compiled, SchemaSet

#: ``!Ref AWS::NoValue``: the member (or list item) is not there.
NOVALUE = object()

# ${Name}, ${Name.Attr}, ${!Literal} in a !Sub string.
_SUB_VAR = re.compile(r"\$\{([^}]*)\}")

#: At most this many views of one resource (one per AllowedValues entry of a parameter it uses).
MAX_VARIANTS = 16


@dataclass(frozen=True)
class Unknown:
    """A value the template leaves open: the function, and the placeholder text it stands for
    when it is a string (``${X}``), else ``None``."""

    fn: str
    text: str | None


@dataclass
class Use:
    """A parameter value the view uses (for the messages: which value was checked)."""

    param: Parameter
    value: Node  # the Default or the AllowedValues entry
    how: str  # "its Default" / "an AllowedValues entry" / "its only AllowedValues entry"


@dataclass
class Resolution:
    """Where an intrinsic function was replaced by a value the template makes certain."""

    start: int
    end: int
    uses: list[Use] = field(default_factory=list)

    def note(self) -> str:
        return "; ".join(f"with parameter {u.param.name} = {quote(_text(u.value))}, {u.how}" for u in self.uses)


def _text(node: Node) -> str:
    """A scalar as CloudFormation passes it on (parameter values are strings)."""
    v = node.value
    if v is True:
        return "true"
    if v is False:
        return "false"
    return "" if v is None else str(v)


class Resolver:
    """Values of intrinsic functions, as far as the template makes them certain."""

    def __init__(self, template: Template, region: str | None = None, choices: dict[str, Node] | None = None) -> None:
        self.template = template
        self.region = region
        self.choices = choices or {}
        self.uses: list[Use] = []
        self._resolving: set[str] = set()

    # -- parameters --------------------------------------------------------------------

    def parameter_value(self, p: Parameter) -> Node | None:
        """The value checked for a parameter: a chosen AllowedValues entry, else its Default,
        else its only allowed value."""
        chosen = self.choices.get(p.name)
        if chosen is not None:
            self.uses.append(Use(p, chosen, "an AllowedValues entry"))
            return chosen
        if p.default is not None and p.default.is_scalar and p.default.kind != NULL:
            self.uses.append(Use(p, p.default, "its Default"))
            return p.default
        if len(p.allowed) == 1:
            self.uses.append(Use(p, p.allowed[0], "its only AllowedValues entry"))
            return p.allowed[0]
        return None

    # -- values ---------------------------------------------------------------------------

    def value(self, node: Node) -> object:
        """The Python value of ``node`` (intrinsic functions resolved), an :class:`Unknown`,
        or :data:`NOVALUE`."""
        call = intrinsic(node)
        if call is not None:
            return self.call(call)
        kind = node.kind
        if kind == OBJECT:
            out: dict[str, object] = {}
            for k, v in node.member_list:
                val = self.value(v)
                if val is NOVALUE:
                    continue
                if isinstance(val, Unknown):
                    return Unknown("Fn::*", None)
                out[key_text(k)] = val
            return out
        if kind == ARRAY:
            items: list[object] = []
            for item in node.list_value:
                val = self.value(item)
                if val is NOVALUE:
                    continue
                if isinstance(val, Unknown):
                    return Unknown("Fn::*", None)
                items.append(val)
            return items
        return node.value

    def string(self, node: Node) -> str | Unknown:
        """A value that must be a string: its text, placeholders standing for open parts."""
        val = self.value(node)
        if isinstance(val, Unknown):
            return val if val.text is None else val.text
        if isinstance(val, str):
            return val
        if val is True or val is False or isinstance(val, (int, float)):
            return _text(Node(BOOLEAN if isinstance(val, bool) else STRING, val, 0, 0))
        return Unknown("Fn::*", None)

    def call(self, call: Intrinsic) -> object:
        name, arg = call.name, call.arg
        if name == "Ref":
            target = string_of(arg) if not call.short else (arg.str_value if arg.kind == STRING else None)
            return self.ref(target) if target is not None else Unknown(name, None)
        if name == "Fn::GetAtt":
            parts: list[str] | None = None
            if arg.kind == STRING:
                parts = arg.str_value.split(".", 1)
            elif arg.kind == ARRAY and len(arg.list_value) == 2:
                raw = [self.string(n) for n in arg.list_value]
                parts = [p for p in raw if isinstance(p, str)]
            if parts is not None and len(parts) == 2:
                return Unknown(name, "${" + ".".join(parts) + "}")
            return Unknown(name, None)
        if name == "Fn::Sub":
            return self.sub(arg)
        if name == "Fn::Join":
            return self.join(arg)
        if name == "Fn::Select":
            return self.select(arg)
        if name == "Fn::Split":
            return self.split(arg)
        if name == "Fn::FindInMap":
            return self.find_in_map(arg)
        if name == "Fn::If":
            if arg.kind == ARRAY and len(arg.list_value) == 3:
                a, b = self.value(arg.list_value[1]), self.value(arg.list_value[2])
                if not isinstance(a, Unknown) and a is not NOVALUE and a == b:
                    return a
            return Unknown(name, None)
        return Unknown(name, None)

    def ref(self, target: str) -> object:
        if target == "AWS::NoValue":
            return NOVALUE
        if target in PSEUDO_PARAMETERS:
            return self.pseudo(target)
        p = self.template.parameters.get(target)
        if p is not None:
            if p.is_list:
                default = self.parameter_value(p)
                if default is None:
                    return Unknown("Ref", None)
                return [s.strip() for s in _text(default).split(",")]
            chosen = self.parameter_value(p)
            return _text(chosen) if chosen is not None else Unknown("Ref", "${" + target + "}")
        res = self.template.resources.get(target)
        if res is not None:
            name = self.resource_name(target)
            if name is not None:
                return name
        return Unknown("Ref", "${" + target + "}")

    def resource_name(self, logical_id: str) -> str | None:
        """What ``!Ref`` of a classic SES resource returns when its Properties set the name."""
        res = self.template.resources.get(logical_id)
        m = BY_TYPE.get(res.type) if res is not None else None
        if res is None or m is None or not m.ref_returns_name or m.name_path is None or logical_id in self._resolving:
            return None
        node = res.properties
        for part in m.name_path:
            node = node.get(part) if node is not None else None
        if node is None:
            return None
        self._resolving.add(logical_id)
        try:
            name = self.string(node)
        finally:
            self._resolving.discard(logical_id)
        return name if isinstance(name, str) else None

    def pseudo(self, name: str) -> object:
        region = self.region
        if region is not None:
            from ses_lsp.knowledge.arns import partition_of_region

            if name == "AWS::Region":
                return region
            if name == "AWS::Partition":
                return partition_of_region(region)
            if name == "AWS::URLSuffix":
                return "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
        if name == "AWS::NotificationARNs":
            return Unknown("Ref", None)
        return Unknown("Ref", "${" + name + "}")

    def sub(self, arg: Node) -> object:
        variables: dict[str, Node] = {}
        if arg.kind == ARRAY and len(arg.list_value) == 2 and arg.list_value[1].kind == OBJECT:
            source, vars_node = arg.list_value
            variables = {key_text(k): v for k, v in vars_node.member_list}
        else:
            source = arg
        if source.kind != STRING:
            return Unknown("Fn::Sub", None)
        text = source.str_value

        def replace(m: re.Match[str]) -> str:
            inner = m.group(1)
            val: object
            if inner.startswith("!"):
                return "${" + inner[1:] + "}"  # ${!Literal} writes ${Literal}
            if inner in variables:
                val = self.string(variables[inner])
            elif "." in inner and inner.split(".", 1)[0] in self.template.resources:
                return m.group(0)  # ${Resource.Attr}: a GetAtt
            else:
                val = self.ref(inner)
                if isinstance(val, list):
                    return m.group(0)
            if isinstance(val, str):
                return val
            if isinstance(val, Unknown) and val.text is not None:
                return val.text
            return m.group(0)

        return _SUB_VAR.sub(replace, text)

    def join(self, arg: Node) -> object:
        if arg.kind != ARRAY or len(arg.list_value) != 2:
            return Unknown("Fn::Join", None)
        delim, items = arg.list_value
        sep = self.string(delim)
        values = self.items(items)
        if not isinstance(sep, str) or not isinstance(values, list):
            return Unknown("Fn::Join", None)
        parts: list[str] = []
        for v in values:
            if isinstance(v, str):
                parts.append(v)
            elif v is True or v is False or isinstance(v, (int, float)):
                parts.append(_text(Node(STRING, v, 0, 0)))
            else:
                return Unknown("Fn::Join", None)
        return sep.join(parts)

    def items(self, node: Node) -> object:
        """A list whose open items keep their placeholder text (for !Join)."""
        if intrinsic(node) is not None or node.kind != ARRAY:
            return self.value(node)
        out: list[object] = []
        for item in node.list_value:
            v = self.value(item)
            if v is NOVALUE:
                continue
            if isinstance(v, Unknown):
                if v.text is None:
                    return Unknown("Fn::*", None)
                v = v.text
            out.append(v)
        return out

    def select(self, arg: Node) -> object:
        if arg.kind != ARRAY or len(arg.list_value) != 2:
            return Unknown("Fn::Select", None)
        index, values = self.value(arg.list_value[0]), self.value(arg.list_value[1])
        try:
            i = int(index) if isinstance(index, (int, str)) and not isinstance(index, bool) else -1
        except ValueError:
            i = -1
        if isinstance(values, list) and 0 <= i < len(values):
            return values[i]
        return Unknown("Fn::Select", None)

    def split(self, arg: Node) -> object:
        if arg.kind != ARRAY or len(arg.list_value) != 2:
            return Unknown("Fn::Split", None)
        sep, source = self.string(arg.list_value[0]), self.string(arg.list_value[1])
        if isinstance(sep, str) and sep and isinstance(source, str) and not has_placeholder(source):
            return source.split(sep)
        return Unknown("Fn::Split", None)

    def find_in_map(self, arg: Node) -> object:
        mappings = self.template.mappings
        if mappings is None or arg.kind != ARRAY or len(arg.list_value) != 3:
            return Unknown("Fn::FindInMap", None)
        node: Node | None = mappings
        for part in arg.list_value:
            key = self.string(part)
            if not isinstance(key, str) or has_placeholder(key) or node is None:
                return Unknown("Fn::FindInMap", None)
            node = node.get(key)
        return self.value(node) if node is not None else Unknown("Fn::FindInMap", None)


# -- the view --------------------------------------------------------------------------------


class ViewBuilder:
    """Builds the view of one resource's Properties (see the module docstring)."""

    def __init__(self, sset: SchemaSet, resolver: Resolver, text: str) -> None:
        self.sset = sset
        self.resolver = resolver
        self.text = text
        self.resolutions: list[Resolution] = []
        self.replaced: list[tuple[int, int]] = []  # the spans of the intrinsic calls replaced

    def build(self, properties: Node, comp: Compiled, key: Node | None) -> Node:
        """The view of ``properties``; its root hangs from nothing and keeps the ``Properties``
        key (for messages), so pointers inside are relative to the Properties."""
        root = self.node(properties, comp, None, None)
        if root is None:  # Properties: !Ref AWS::NoValue
            root = Node(OBJECT, {}, properties.start, properties.end)
            root.members = []
        root.key = key
        return root

    def node(self, node: Node, comp: Compiled | None, parent: Node | None, key: Node | int | None) -> Node | None:
        call = intrinsic(node)
        if call is not None:
            self.replaced.append((node.start, node.end))
            before = len(self.resolver.uses)
            val = self.resolver.call(call)
            uses = self.resolver.uses[before:]
            if val is NOVALUE:
                return None
            if isinstance(val, Unknown):
                if val.text is not None and comp is not None and comp.expects_string:
                    return self.attach(Node(STRING, val.text, node.start, node.end), parent, key)
                return self.attach(Node(INTRINSIC, val.fn, node.start, node.end), parent, key)
            if uses:
                self.resolutions.append(Resolution(node.start, node.end, list(uses)))
            return self.made(val, comp, node.start, node.end, parent, key)
        kind = node.kind
        if kind == OBJECT:
            out = self.attach(Node(OBJECT, None, node.start, node.end), parent, key)
            members: list[tuple[Node, Node]] = []
            values: dict[str, Node] = {}
            for k, v in node.member_list:
                name = key_text(k)
                sub = self.member(comp, name)
                nk = Node(k.kind, k.value, k.start, k.end, out, None, k.plain)
                nv = self.node(v, sub, out, nk)
                if nv is None:
                    continue
                members.append((nk, nv))
                values[name] = nv
            out.members = members
            out.value = values
            return out
        if kind == ARRAY:
            out = self.attach(Node(ARRAY, None, node.start, node.end), parent, key)
            items: list[Node] = []
            sub = comp.items if comp is not None else None
            for item in node.list_value:
                nv = self.node(item, sub, out, len(items))
                if nv is not None:
                    items.append(nv)
            out.value = items
            return out
        return self.attach(self.scalar(node.kind, node.value, node, comp), parent, key)

    def member(self, comp: Compiled | None, name: str) -> Compiled | None:
        if comp is None:
            return None
        if comp.values is not None:
            return comp.values
        if name in comp.prop_schemas:
            return self.sset.member(comp, name)
        return None

    @staticmethod
    def attach(n: Node, parent: Node | None, key: Node | int | None) -> Node:
        n.parent = parent
        n.key = key
        return n

    def made(self, val: object, comp: Compiled | None, start: int, end: int, parent, key) -> Node:
        """Nodes for a resolved Python value, all spanning the call they replace."""
        if isinstance(val, dict):
            out = self.attach(Node(OBJECT, None, start, end), parent, key)
            members = []
            values = {}
            for name, v in val.items():
                nk = Node(STRING, name, start, end, out, None)
                nv = self.made(v, self.member(comp, name), start, end, out, nk)
                members.append((nk, nv))
                values[name] = nv
            out.members = members
            out.value = values
            return out
        if isinstance(val, list):
            out = self.attach(Node(ARRAY, None, start, end), parent, key)
            sub = comp.items if comp is not None else None
            out.value = [self.made(v, sub, start, end, out, i) for i, v in enumerate(val)]
            return out
        kind = (
            STRING
            if isinstance(val, str)
            else BOOLEAN
            if isinstance(val, bool)
            else INTEGER
            if isinstance(val, int)
            else NUMBER
            if isinstance(val, float)
            else NULL
        )
        return self.attach(self.scalar(kind, val, None, comp, start, end), parent, key)

    def scalar(
        self, kind: str, value: object, src: Node | None, comp: Compiled | None, start: int = 0, end: int = 0
    ) -> Node:
        """A scalar converted as CloudFormation converts property values for the API call."""
        if src is not None:
            start, end = src.start, src.end
        plain = src.plain if src is not None else False
        accepts = comp.accepts if comp is not None else None
        if accepts is not None and kind not in accepts and kind != NULL:
            if comp is not None and comp.expects_string and kind in (INTEGER, NUMBER, BOOLEAN, TIMESTAMP):
                text = self.source_text(src) if src is not None and kind != BOOLEAN else None
                value = text if text is not None else _text(Node(kind, value, 0, 0))
                kind, plain = STRING, False
            elif kind == STRING and isinstance(value, str):
                converted = _convert(value.strip(), accepts)
                if converted is not None:
                    kind, value = converted
                    plain = False
        return Node(kind, value, start, end, None, None, plain)

    def source_text(self, src: Node) -> str | None:
        """What a YAML plain scalar says (``5.10``, ``2010-09-09``), the text CloudFormation keeps."""
        if not src.plain:
            return None
        raw = self.text[src.start : src.end]
        return raw if raw and raw[0] not in "!&*" else None


def _convert(value: str, accepts: frozenset[str]) -> tuple[str, object] | None:
    """A string parameter value CloudFormation converts to the boolean or number expected."""
    low = value.lower()
    if BOOLEAN in accepts and low in ("true", "false"):
        return BOOLEAN, low == "true"
    if INTEGER in accepts and re.fullmatch(r"[-+]?[0-9]+", value):
        return INTEGER, int(value)
    if NUMBER in accepts and re.fullmatch(r"[-+]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?", value):
        return NUMBER, float(value)
    return None


def parameters_used(template: Template, node: Node) -> list[Parameter]:
    """The parameters with several AllowedValues that ``node`` refers to (``!Ref`` or in a ``!Sub``)."""
    out: dict[str, Parameter] = {}
    for n in node.walk():
        call = intrinsic(n)
        names: list[str] = []
        if call is not None and call.name == "Ref" and call.arg.kind == STRING:
            names.append(call.arg.str_value)
        elif call is not None and call.name == "Fn::Sub":
            src = call.arg.list_value[0] if call.arg.kind == ARRAY and call.arg.list_value else call.arg
            if src.kind == STRING:
                names.extend(m.group(1) for m in _SUB_VAR.finditer(src.str_value))
        for name in names:
            p = template.parameters.get(name)
            if p is not None and len(p.allowed) > 1:
                out[name] = p
    return list(out.values())


def variants(template: Template, node: Node) -> list[dict[str, Node]]:
    """The parameter choices to check ``node`` with: first none (Defaults), then each other
    AllowedValues entry of each parameter it uses, one parameter at a time (at most
    :data:`MAX_VARIANTS` in all)."""
    out: list[dict[str, Node]] = [{}]
    for p in parameters_used(template, node):
        base = p.default
        for value in p.allowed:
            if len(out) >= MAX_VARIANTS:
                return out
            if base is not None and _text(value) == _text(base):
                continue
            if base is None and value is p.allowed[0] and len(p.allowed) == 1:
                continue
            out.append({p.name: value})
    return out


def name_generated(rule: Node, logical_id: str, where: Node) -> None:
    """Give a classic rule view without ``Name`` the one the checks call it by: ``${LogicalId}``
    (what ``!Ref`` of the resource returns, a name CloudFormation generates), spanning ``where``."""
    if rule.kind != OBJECT or "Name" in rule.dict_value:
        return
    k = Node(STRING, "Name", where.start, where.end, rule, None)
    v = Node(STRING, "${" + logical_id + "}", where.start, where.end, rule, k)
    rule.member_list.insert(0, (k, v))
    rule.dict_value["Name"] = v
