"""What the editor features need to know of a template: where a resource's Properties are, and
what a logical ID written in an intrinsic function refers to.

* :func:`properties_scope`: for a path inside the ``Properties`` of an SES resource, the schema
  of that resource type's Properties (a *schema key*, :func:`schema_key`, which
  :func:`ses_lsp.lint.validator.schema_for_kind` resolves like a document kind) and the path
  relative to ``Properties``: completion and hover then work inside a resource exactly as in an
  API document, from the same generated schema the lint validates against.
* :func:`reference_at` / :func:`definition_of`: the logical ID under the cursor in ``Ref``,
  ``Fn::GetAtt``, ``Fn::Sub`` (``${X}``, ``${X.Attr}``), ``DependsOn`` and a resource's
  ``Condition`` / ``Fn::If``, and where the template declares it (its key in ``Resources``,
  ``Parameters`` or ``Conditions``).

Only templates load this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ses_lsp import schema
from ses_lsp.cfn import TEMPLATE_KIND
from ses_lsp.cfn.template import PSEUDO_PARAMETERS, intrinsic
from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node, node_at_offset, node_tag, tag_span

#: ``cloudformation:template#AWS::SES::ReceiptRule``: the schema of a resource type's Properties.
SCHEMA_KEY_SEPARATOR = "#"

# ${Name} and ${Name.Attr} in a Fn::Sub string (``${!Literal}`` is text).
_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


def schema_key(resource_type: str) -> str:
    """The schema key of the Properties of ``resource_type`` (see the module's docstring)."""
    return f"{TEMPLATE_KIND}{SCHEMA_KEY_SEPARATOR}{resource_type}"


def resource_types() -> dict[str, dict]:
    """The resource types whose Properties ses-lsp checks: type -> its ``x-resource-types`` entry
    (``shape``, ``description``) in ses_lsp/schema/cloudformation.json."""
    return schema.load_service("cloudformation")["x-resource-types"]


def resource_type_of(root: Node | None, logical_id: object) -> str | None:
    """The ``Type`` of the resource ``logical_id`` of the template whose tree is ``root``."""
    if root is None or root.kind != OBJECT or not isinstance(logical_id, str):
        return None
    resources = root.get("Resources")
    if resources is None or resources.kind != OBJECT:
        return None
    decl = resources.get(logical_id)
    if decl is None or decl.kind != OBJECT:
        return None
    type_node = decl.get("Type")
    if type_node is None or type_node.kind != STRING:
        return None
    return type_node.str_value


def properties_scope(root: Node | None, path: tuple | list) -> tuple[str, tuple] | None:
    """``(schema key, path inside Properties)`` when ``path`` lies inside the ``Properties`` of
    an SES resource of the template (``("Resources", id, "Properties", ...)``), else ``None``."""
    if len(path) < 3 or path[0] != "Resources" or path[2] != "Properties":
        return None
    rtype = resource_type_of(root, path[1])
    if rtype is None or rtype not in resource_types():
        return None
    return schema_key(rtype), tuple(path[3:])


def is_type_value(path: tuple | list) -> bool:
    """Is ``path`` the ``Type`` of a resource (``("Resources", id, "Type")``)?"""
    return len(path) == 3 and path[0] == "Resources" and path[2] == "Type"


# -- logical IDs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogicalReference:
    """A logical ID written at ``start:end`` (the name only: ``X`` of ``${X.Arn}``)."""

    name: str
    start: int
    end: int
    section: str  # where it is declared: "Resources" (or "Parameters"), or "Conditions"


def _value_start(node: Node, text: str) -> int:
    """Where a scalar's own text starts (after its tag, ``!Ref x``)."""
    return tag_span(node, text)[1] if node_tag(node) is not None else node.start


def _text_span(node: Node, text: str, name: str) -> tuple[int, int]:
    """The span of ``name`` inside the scalar ``node`` (its source may be quoted or tagged)."""
    begin = _value_start(node, text)
    at = text.find(name, begin, node.end)
    if at < 0:
        return node.start, node.end
    return at, at + len(name)


def _references_in(node: Node, text: str, out: list[LogicalReference]) -> None:
    """The logical IDs ``node`` (an intrinsic function call, or a DependsOn/Condition value) names."""
    call = intrinsic(node)
    if call is None:
        return
    arg = call.arg
    if call.name == "Ref" and arg.kind == STRING:
        name = arg.str_value
        if name not in PSEUDO_PARAMETERS:
            out.append(LogicalReference(name, *_text_span(arg, text, name), "Resources"))
    elif call.name == "Fn::GetAtt":
        if arg.kind == STRING:
            name = arg.str_value.split(".", 1)[0]
            if name:
                out.append(LogicalReference(name, *_text_span(arg, text, name), "Resources"))
        elif arg.kind == ARRAY and arg.list_value and arg.list_value[0].kind == STRING:
            first = arg.list_value[0]
            out.append(LogicalReference(first.str_value, *_text_span(first, text, first.str_value), "Resources"))
    elif call.name == "Fn::Sub":
        template = arg if arg.kind == STRING else None
        local: set[str] = set()  # the list form's own variables are not logical IDs
        if arg.kind == ARRAY and arg.list_value and arg.list_value[0].kind == STRING:
            template = arg.list_value[0]
            if len(arg.list_value) > 1 and arg.list_value[1].kind == OBJECT:
                local = {str(k.value) for k, _v in arg.list_value[1].member_list}
        if template is not None:
            value = template.str_value
            src_begin = _value_start(template, text)
            src = text[src_begin : template.end]
            for m in _SUB_VAR.finditer(value):
                name = m.group(1).split(".", 1)[0].strip()
                if not name or name in PSEUDO_PARAMETERS or name in local:
                    continue
                # Where the variable is in the source (the same text, unless escapes change it).
                at = src.find("${" + m.group(1) + "}")
                if at >= 0:
                    out.append(LogicalReference(name, src_begin + at + 2, src_begin + at + 2 + len(name), "Resources"))
    elif call.name in ("Fn::If", "Condition") and arg.kind in (STRING, ARRAY):
        cond: Node | None = arg
        if arg.kind == ARRAY:
            cond = arg.list_value[0] if arg.list_value else None
        if cond is not None and cond.kind == STRING:
            out.append(LogicalReference(cond.str_value, *_text_span(cond, text, cond.str_value), "Conditions"))


def reference_at(root: Node | None, text: str, offset: int) -> LogicalReference | None:
    """The logical ID written under ``offset`` (span end inclusive), if any."""
    node = node_at_offset(root, offset)
    found: list[LogicalReference] = []
    steps = 0
    while node is not None and steps < 4:
        if node.is_key:
            break
        _references_in(node, text, found)
        parent = node.parent
        path = node.path
        if parent is not None and len(path) >= 3 and path[0] == "Resources":
            member = path[2]
            if member == "DependsOn" and node.kind == STRING and len(path) in (3, 4):
                found.append(LogicalReference(node.str_value, *_text_span(node, text, node.str_value), "Resources"))
            elif member == "Condition" and len(path) == 3 and node.kind == STRING:
                found.append(LogicalReference(node.str_value, *_text_span(node, text, node.str_value), "Conditions"))
        if found:
            break
        node = parent
        steps += 1
    for ref in found:
        if ref.start <= offset <= ref.end:
            return ref
    return None


def definition_of(root: Node | None, ref: LogicalReference) -> Node | None:
    """The key declaring ``ref`` in the template (a resource or parameter, or a condition)."""
    if root is None or root.kind != OBJECT:
        return None
    sections = ("Resources", "Parameters") if ref.section == "Resources" else ("Conditions",)
    for section in sections:
        body = root.get(section)
        if body is None or body.kind != OBJECT:
            continue
        for key, _value in body.member_list:
            if key.value == ref.name:
                return key
    return None
