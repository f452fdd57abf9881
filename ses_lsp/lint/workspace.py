"""The other documents a lint can see: what the engine's ``workspace=`` receives.

Cross-file rules (a reference to a classic rule another document defines, see
:mod:`ses_lsp.lint.rules.names`; a reference to a Mail Manager pipeline resource, see
:mod:`ses_lsp.lint.rules.pipeline`) read :meth:`Workspace.documents`, through
:func:`other_documents`.  The CLI builds one from the files of a run; the language server's (an
:class:`ses_lsp.editor.navigation.Workspace`, which adds the rule-name index its navigation uses)
holds the open documents.

The Mail Manager pipeline's references are modelled here, for the lint rule, the editor's
go-to-definition and any index of a repository alike: :func:`pipeline_definitions` (what one
document defines), :func:`pipeline_references` (what it names), :func:`resolve` (which
definitions a reference names), :func:`complete_for` (may an unmatched reference be judged), and
:func:`workspace_resources` (the definitions of a lint's other documents).
"""

from __future__ import annotations

from dataclasses import dataclass

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (the CLI imports this module)
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator
    from typing import TypeAlias

    from ses_lsp.document.document import Document
    from ses_lsp.document.nodes import Node

    Entry: TypeAlias = tuple[str, Document, str | None]  # (path or URI, document, kind)


class Workspace:
    """Documents with their names and kinds.

    ``documents()`` yields ``(path or URI, Document, kind)`` for each document.  Build one
    from a list (``Workspace([(uri, doc, kind), ...])``) or a callable returning such an
    iterable (read again on each call).
    """

    def __init__(self, entries: Iterable[Entry] | Callable[[], Iterable[Entry]] | None = None) -> None:
        self._source: Callable[[], Iterable[Entry]] | None = None
        self._entries: dict[str, tuple[Document, str | None]] = {}
        if callable(entries):
            self._source = entries
        elif entries is not None:
            for uri, doc, kind in entries:
                self._entries[uri] = (doc, kind)

    def add(self, uri: str, document: Document, kind: str | None) -> None:
        self._entries[uri] = (document, kind)

    def remove(self, uri: str) -> None:
        self._entries.pop(uri, None)

    def documents(self) -> Iterator[Entry]:
        if self._source is not None:
            yield from self._source()
            return
        for uri, (doc, kind) in list(self._entries.items()):
            yield uri, doc, kind


# -- the other documents of a lint ------------------------------------------------------------


def other_documents(
    workspace: object | None, own: Document, own_path: str | None
) -> Iterator[tuple[str | None, Node, str]]:
    """``(path or URI, root object, kind)`` of every document of ``workspace`` but ``own`` (the
    document being linted, also when the workspace holds it under ``own_path``)."""
    docs = getattr(workspace, "documents", None) if workspace is not None else None
    if docs is None:
        return
    for entry in docs():
        try:
            path, doc, kind = entry
        except (TypeError, ValueError):
            continue
        if doc is None or doc is own or same_path(path, own_path) or not kind:
            continue
        root = getattr(doc, "root", None)
        if root is None or root.kind != "object":
            continue
        yield path, root, kind


def _norm_path(p: str) -> str:
    """A comparable form of a file path or ``file:`` URI (the server names documents by URI)."""
    import os

    from ses_lsp.lint.related import fs_path

    return os.path.normcase(os.path.abspath(fs_path(p)))


def same_path(a: str | None, b: str | None) -> bool:
    if a is None or b is None:
        return False
    if a == b:
        return True
    try:
        return _norm_path(a) == _norm_path(b)
    except (TypeError, ValueError, OSError):  # pragma: no cover - odd paths
        return False


def norm_key(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        return _norm_path(path)
    except (TypeError, ValueError, OSError):  # pragma: no cover - odd paths
        return path


# -- the Mail Manager pipeline: resources and the references between them ----------------------
#
# Ingress point -> traffic policy (TrafficPolicyId) and rule set (RuleSetId); rule actions ->
# relays (Relay.Relay, an ID or ARN) and archives (Archive.TargetArchive, a name, ID or ARN);
# IsInAddressList conditions of rules and traffic policy statements -> address lists (AddressLists,
# an ID or ARN).  How a reference matches a definition (README, "The Mail Manager pipeline"):
#
# * a get-* output defines a resource with its ID, ARN and name; an update-* input with its ID
#   (and name); a create-* input and a CloudFormation resource only with a name (AWS assigns the
#   ID), so a reference by ID can never match them;
# * a reference matches a resource when it equals its ID or its ARN, or is an ARN whose resource
#   part ends in "/<ID>" (the same resource named from another Region's or account's point of view
#   is not told apart), or, where the member takes a name (TargetArchive), equals its name;
# * a reference no definition matches is unknown only when every definition of its type carries an
#   ID: one created by a create-* input or a template may be the one it names.

# The prefix of a resource type among the rule set names a CLI run's records keep (see
# ses_lsp.lint.runner): "@relay"; no rule set name starts with "@".
PIPELINE_MARK = "@"

RULE_SET = "rule set"
TRAFFIC_POLICY = "traffic policy"
ADDRESS_LIST = "address list"
RELAY = "relay"
ARCHIVE = "archive"

# Document kinds that define a resource: kind -> (type, ID member, ARN member, name member).
_DEFINERS: dict[str, tuple[str, str | None, str | None, str]] = {}
for _type, _stem, _kinds in (
    (RULE_SET, "RuleSet", ("create", "update", "get")),
    (TRAFFIC_POLICY, "TrafficPolicy", ("create", "update", "get")),
    (ADDRESS_LIST, "AddressList", ("create", "get")),
    (RELAY, "Relay", ("create", "update", "get")),
    (ARCHIVE, "Archive", ("create", "update", "get")),
):
    _slug = _type.replace(" ", "-")
    for _op in _kinds:
        _DEFINERS[f"mailmanager:{_op}-{_slug}"] = (
            _type,
            None if _op == "create" else f"{_stem}Id",
            f"{_stem}Arn" if _op == "get" else None,
            f"{_stem}Name",
        )
# CloudFormation resource types of those resources: type -> (resource type, name property).
_CFN_DEFINERS = {
    "AWS::SES::MailManagerRuleSet": (RULE_SET, "RuleSetName"),
    "AWS::SES::MailManagerTrafficPolicy": (TRAFFIC_POLICY, "TrafficPolicyName"),
    "AWS::SES::MailManagerAddressList": (ADDRESS_LIST, "AddressListName"),
    "AWS::SES::MailManagerRelay": (RELAY, "RelayName"),
    "AWS::SES::MailManagerArchive": (ARCHIVE, "ArchiveName"),
}
_TEMPLATE_KIND = "cloudformation:template"  # (ses_lsp.cfn.TEMPLATE_KIND)
_INGRESS_KINDS = (
    "mailmanager:create-ingress-point",
    "mailmanager:update-ingress-point",
    "mailmanager:get-ingress-point",
)
_RULE_SET_KINDS = ("mailmanager:create-rule-set", "mailmanager:update-rule-set", "mailmanager:get-rule-set")
_POLICY_KINDS = (
    "mailmanager:create-traffic-policy",
    "mailmanager:update-traffic-policy",
    "mailmanager:get-traffic-policy",
)


@dataclass(frozen=True)
class Resource:
    """A pipeline resource one document defines."""

    type: str  # RULE_SET, TRAFFIC_POLICY, ADDRESS_LIST, RELAY or ARCHIVE
    path: str | None  # the document (path or URI)
    node: Node  # where go-to-definition lands: the ID's value, else the name's, else the document
    id: str | None
    arn: str | None
    name: str | None


@dataclass(frozen=True)
class Reference:
    """A document's reference to a pipeline resource: a string value naming one."""

    type: str
    member: str  # the member holding it: "RuleSetId", "Relay", "TargetArchive", "AddressLists"
    node: Node
    value: str
    by_name: bool = False  # the member also takes the resource's name (TargetArchive)

    def matches(self, res: Resource) -> bool:
        if res.type != self.type:
            return False
        v = self.value
        if res.id is not None and (v == res.id or (v.startswith("arn:") and v.endswith("/" + res.id))):
            return True
        if res.arn is not None and v == res.arn:
            return True
        return self.by_name and res.name is not None and v == res.name


def _text(node: Node | None) -> str | None:
    return node.str_value if node is not None and node.kind == "string" else None


def pipeline_definitions(path: str | None, root: Node | None, kind: str | None) -> list[Resource]:
    """The pipeline resources a document (its root object) defines."""
    if root is None or root.kind != "object" or kind is None:
        return []
    spec = _DEFINERS.get(kind)
    if spec is not None:
        rtype, id_member, arn_member, name_member = spec
        id_node = root.get(id_member) if id_member else None
        name_node = root.get(name_member)
        node = id_node if _text(id_node) is not None else name_node if _text(name_node) is not None else root
        assert node is not None
        return [
            Resource(
                rtype,
                path,
                node,
                _text(id_node),
                _text(root.get(arn_member)) if arn_member else None,
                _text(name_node),
            )
        ]
    if kind != _TEMPLATE_KIND:
        return []
    out = []
    resources = root.get("Resources")
    for _logical, res in resources.member_list if resources is not None and resources.kind == "object" else ():
        if res.kind != "object":
            continue
        cfn = _CFN_DEFINERS.get(_text(res.get("Type")) or "")
        if cfn is None:
            continue
        props = res.get("Properties")
        name_node = props.get(cfn[1]) if props is not None and props.kind == "object" else None
        # the ID is AWS's (Ref returns it): unknown here
        out.append(Resource(cfn[0], path, name_node or res, None, None, _text(name_node)))
    return out


def _strings(node: Node | None, *path: str) -> Iterator[Node]:
    """The string nodes at ``path`` under ``node`` (``*``: every item of an array)."""
    if node is None:
        return
    if not path:
        if node.kind == "string":
            yield node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if node.kind == "array":
            for item in node.list_value:
                yield from _strings(item, *rest)
    elif node.kind == "object":
        yield from _strings(node.get(head), *rest)


_ADDRESS_LISTS = ("*", "BooleanExpression", "Evaluate", "IsInAddressList", "AddressLists", "*")


def pipeline_references(root: Node | None, kind: str | None) -> list[Reference]:
    """The references to pipeline resources a document (its root object) makes, in document order."""
    if root is None or root.kind != "object" or kind is None:
        return []
    out: list[Reference] = []
    if kind in _INGRESS_KINDS:
        for member, rtype in (("RuleSetId", RULE_SET), ("TrafficPolicyId", TRAFFIC_POLICY)):
            out += [Reference(rtype, member, n, n.str_value) for n in _strings(root, member)]
    elif kind in _RULE_SET_KINDS:
        rules = root.get("Rules")
        for rule in rules.list_value if rules is not None and rules.kind == "array" else ():
            for member in ("Conditions", "Unless"):
                out += [
                    Reference(ADDRESS_LIST, "AddressLists", n, n.str_value)
                    for n in _strings(rule, member, *_ADDRESS_LISTS)
                ]
            out += [Reference(RELAY, "Relay", n, n.str_value) for n in _strings(rule, "Actions", "*", "Relay", "Relay")]
            out += [
                Reference(ARCHIVE, "TargetArchive", n, n.str_value, by_name=True)
                for n in _strings(rule, "Actions", "*", "Archive", "TargetArchive")
            ]
    elif kind in _POLICY_KINDS:
        out += [
            Reference(ADDRESS_LIST, "AddressLists", n, n.str_value)
            for n in _strings(root, "PolicyStatements", "*", "Conditions", *_ADDRESS_LISTS)
        ]
    out.sort(key=lambda r: r.node.start)
    return out


def pipeline_links(root: Node | None, kind: str | None) -> tuple[list[str], list[str]]:
    """What a run over many files keeps of a document to resolve pipeline references across
    files: ``(types it defines, types it references)``."""
    defined = sorted({r.type for r in pipeline_definitions(None, root, kind)})
    used = sorted({r.type for r in pipeline_references(root, kind)})
    return defined, used


def resolve(ref: Reference, resources: Iterable[Resource]) -> list[Resource]:
    """The definitions a reference names (several when a resource is defined twice)."""
    return [r for r in resources if ref.matches(r)]


def complete_for(rtype: str, resources: Iterable[Resource]) -> bool:
    """Do the definitions know the ID of every resource of ``rtype`` they define, and is there
    at least one?  Only then is a reference none of them matches unknown."""
    found = [r for r in resources if r.type == rtype]
    return bool(found) and all(r.id is not None for r in found)


def workspace_resources(workspace: object | None, own: Document, own_path: str | None) -> list[Resource] | None:
    """The pipeline resources the other documents of a lint's workspace define, or None without a
    workspace.  A workspace that keeps no documents (the CLI's index of a run) answers
    ``pipeline_resources(own_path)`` itself."""
    if workspace is None:
        return None
    given = getattr(workspace, "pipeline_resources", None)
    if given is not None:
        return list(given(own_path))
    if getattr(workspace, "documents", None) is None:
        return None
    return [
        r
        for path, root, kind in other_documents(workspace, own, own_path)
        for r in pipeline_definitions(path, root, kind)
    ]
