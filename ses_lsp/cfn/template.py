"""Which document is a CloudFormation template, and what a template holds.

A template is recognised by its content: an ``AWSTemplateFormatVersion``, or a ``Resources``
object whose entries have an ``AWS::`` ``Type`` (SAM templates, whose ``Transform`` is
``AWS::Serverless-2016-10-31``, and ``cdk synth`` output, ``cdk.out/*.template.json``, are
templates too).  :class:`Template` reads the sections the SES checks need, from the parsed tree
of either format: intrinsic functions are recognised in their long form (an object with one
``Ref`` / ``Fn::...`` / ``Condition`` member) and, in YAML, in their short form (a node written
with the tag: ``!Ref x``; see :class:`~ses_lsp.document.nodes.TaggedNode`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ses_lsp.cfn import TEMPLATE_KIND, looks_like_template
from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node, node_tag
from ses_lsp.lint.text import INTRINSIC_FUNCTIONS, INTRINSIC_SHORT_FORMS

__all__ = ["TEMPLATE_KIND", "looks_like_template"]  # (re-exported: recognition lives in ses_lsp.cfn)

#: The SAM transform; a template declaring it is a SAM template.
SAM_TRANSFORM = "AWS::Serverless-2016-10-31"

#: CloudFormation's pseudo parameters (``!Ref AWS::Region``).
PSEUDO_PARAMETERS = frozenset(
    {
        "AWS::AccountId",
        "AWS::NotificationARNs",
        "AWS::NoValue",
        "AWS::Partition",
        "AWS::Region",
        "AWS::StackId",
        "AWS::StackName",
        "AWS::URLSuffix",
    }
)


@dataclass(frozen=True)
class Intrinsic:
    """An intrinsic function call: ``name`` (``Ref``, ``Fn::Sub``...), the node written (the
    whole call) and ``arg``, the node holding its argument (for the short form, the tagged
    node itself: ``!Ref x`` is the string ``x``)."""

    name: str
    node: Node
    arg: Node
    short: bool


def intrinsic(node: Node) -> Intrinsic | None:
    """The intrinsic function ``node`` is a call of, in either form, else ``None``."""
    tag = node_tag(node)
    if tag is not None:
        name = INTRINSIC_SHORT_FORMS.get(tag)
        return Intrinsic(name, node, node, True) if name is not None else None
    if node.kind == OBJECT:
        members = node.members
        if members is not None and len(members) == 1:
            key, value = members[0]
            if key.value in INTRINSIC_FUNCTIONS:
                return Intrinsic(str(key.value), node, value, False)
    return None


def string_of(node: Node | None) -> str | None:
    """A plain string value (no intrinsic function), else ``None``."""
    if node is None or node.kind != STRING or node_tag(node) is not None:
        return None
    return node.str_value


@dataclass
class Parameter:
    name: str
    key: Node  # the parameter's name in Parameters
    node: Node  # its declaration
    type: str  # "String", "Number", "CommaDelimitedList", "List<...>", "AWS::SSM::Parameter::Value<...>"...
    default: Node | None = None
    allowed: list[Node] = field(default_factory=list)  # AllowedValues entries (scalars)
    no_echo: bool = False

    @property
    def is_list(self) -> bool:
        t = self.type
        return t == "CommaDelimitedList" or t.startswith("List<") or "<List<" in t


@dataclass
class Resource:
    logical_id: str
    key: Node  # the logical ID in Resources
    node: Node  # the resource declaration
    type: str
    properties: Node | None
    condition: str | None = None
    condition_node: Node | None = None
    depends_on: tuple[str, ...] = ()


@dataclass
class Template:
    """The sections of a template the SES checks read."""

    root: Node
    parameters: dict[str, Parameter] = field(default_factory=dict)
    conditions: dict[str, Node] = field(default_factory=dict)  # name -> its key node
    mappings: Node | None = None
    resources: dict[str, Resource] = field(default_factory=dict)
    sam: bool = False

    @classmethod
    def read(cls, root: Node) -> Template:
        t = cls(root)
        sections = root.dict_value
        transform = sections.get("Transform")
        if transform is not None:
            names = transform.list_value if transform.kind == ARRAY else [transform]
            t.sam = any(string_of(n) == SAM_TRANSFORM for n in names)
        params = sections.get("Parameters")
        if params is not None and params.kind == OBJECT:
            for key, decl in params.member_list:
                if decl.kind != OBJECT or not isinstance(key.value, str):
                    continue
                d = decl.dict_value
                allowed = d.get("AllowedValues")
                no_echo = d.get("NoEcho")
                t.parameters[key.value] = Parameter(
                    key.value,
                    key,
                    decl,
                    string_of(d.get("Type")) or "String",
                    d.get("Default"),
                    [n for n in allowed.list_value if n.is_scalar]
                    if allowed is not None and allowed.kind == ARRAY
                    else [],
                    no_echo is not None and (no_echo.value is True or string_of(no_echo) in ("true", "True")),
                )
        conditions = sections.get("Conditions")
        if conditions is not None and conditions.kind == OBJECT:
            t.conditions = {k.value: k for k, _v in conditions.member_list if isinstance(k.value, str)}
        mappings = sections.get("Mappings")
        if mappings is not None and mappings.kind == OBJECT:
            t.mappings = mappings
        resources = sections.get("Resources")
        if resources is not None and resources.kind == OBJECT:
            for key, decl in resources.member_list:
                if decl.kind != OBJECT or not isinstance(key.value, str):
                    continue
                d = decl.dict_value
                type_name = string_of(d.get("Type"))
                if type_name is None:
                    continue
                cond = d.get("Condition")
                deps = d.get("DependsOn")
                dep_nodes = deps.list_value if deps is not None and deps.kind == ARRAY else [deps] if deps else []
                t.resources[key.value] = Resource(
                    key.value,
                    key,
                    decl,
                    type_name,
                    d.get("Properties"),
                    string_of(cond),
                    cond,
                    tuple(v for v in (string_of(n) for n in dep_nodes) if v is not None),
                )
        return t

    def resources_of(self, type_name: str) -> list[Resource]:
        return [r for r in self.resources.values() if r.type == type_name]
