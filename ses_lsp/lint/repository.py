"""The repository model: every SES document under a root, indexed once, for the CLI and the server.

A *repository* is the SES documents (API files and CloudFormation templates) under a root
directory.  It holds, per file, only a small :class:`Summary`: the file's kind and the names it
defines and references, with their positions (:class:`Occurrence`), and the classic rule sets it
contributes rules to.  Never a parsed tree: 10,000 files fit in a few MB.

What is a name, and where: one table, :data:`NAME_SITES` (document kind -> :class:`Site` rows),
built from :data:`ses_lsp.lint.rules.names.RULE_REFERENCES` for the classic rule references;
templates (``cloudformation:template``) add their resources' names (:func:`_template_occurrences`).
A new reference kind is one more row: definitions, references, rename, ``workspace/symbol`` and
the index all follow it.

The Mail Manager pipeline (issue 12 section 2) is such rows: its resources (rule sets, traffic
policies, address lists, relays, archives) are defined by their ID, ARN and name, and referenced
by ID or ARN (an ingress point's ``RuleSetId`` and ``TrafficPolicyId``, a rule's ``Relay.Relay``,
``IsInAddressList``'s ``AddressLists``) or also by name (``Archive.TargetArchive``).  Those
occurrences carry a *facet* (:data:`ID`, :data:`ARN`, :data:`NAME`, :data:`NEW`...) and match
as :func:`pipeline_match` says; SES708 (:mod:`ses_lsp.lint.rules.pipeline`) and go-to-definition
read them from the repository like every other name.

* :func:`scan` lists the candidate files under a root: ``git ls-files --cached --others
  --exclude-standard`` when the root is in a git work tree (so ``.gitignore`` is honoured as git
  honours it), else a walk that reads each directory's ``.gitignore`` (pathspec, already a
  dependency); then the configuration's ``include`` / ``exclude`` globs.
* :func:`summarize` reads one document (kind detection as the engine does it: the config's
  ``kinds`` globs, a modeline, the content) and returns its summary as plain JSON data, which
  the content-hash cache (:mod:`ses_lsp.lint.cache`) stores under ``index:<path>`` with a
  digest of the file's bytes and the configuration: a warm index parses nothing.
* :func:`build` indexes a root (cache first; the misses in worker processes when there are
  many) into a :class:`Repository`.
* :class:`Repository` answers the lint's cross-file questions (``rule_set_contributions``:
  the workspace interface of :func:`ses_lsp.lint.rules.names.workspace_rule_sets`) and the
  editor's (occurrences by name, symbols); :meth:`Repository.update` re-indexes one file.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from ses_lsp.document.document import Document
from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.lint import kinds
from ses_lsp.lint.cache import digest
from ses_lsp.lint.config import Config
from ses_lsp.lint.files import SKIP_DIRS, SUFFIXES
from ses_lsp.lint.related import fs_path
from ses_lsp.lint.rules.names import RULE_REFERENCES, RuleSetContribution, rule_set_contribution

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from ses_lsp.lint.cache import Cache

__all__ = [
    "ADDRESS_LIST",
    "ARCHIVE",
    "ARN",
    "DEFINITION",
    "FILTER",
    "ID",
    "ID_OR_NAME",
    "NAME",
    "NEW",
    "PIPELINE_MARK",
    "RELAY",
    "TRAFFIC_POLICY",
    "UNNAMED",
    "NAME_SITES",
    "REFERENCE",
    "RESOURCE",
    "RULE",
    "RULE_SET",
    "Occurrence",
    "Repository",
    "Site",
    "Summary",
    "build",
    "normalise",
    "occurrences_of",
    "pipeline_links",
    "pipeline_match",
    "scan",
    "summarize",
]

DEFINITION = "definition"
REFERENCE = "reference"

# Symbol kinds.
RULE = "rule"
RULE_SET = "rule-set"
FILTER = "filter"
RESOURCE = "resource"  # a template's logical id: local to its template
# The Mail Manager pipeline's resources besides rule sets (RULE_SET, service "mailmanager").
TRAFFIC_POLICY = "traffic-policy"
ADDRESS_LIST = "address-list"
RELAY = "relay"
ARCHIVE = "archive"

# Facets of the pipeline's occurrences (None: every other name, matched by its text).
# Definitions: the resource's ID, its ARN, its name beside an ID (update-* inputs, get-* outputs),
# a name only (NEW: create-* inputs and templates, whose ID AWS assigns), or no literal name at all
# (UNNAMED: a template resource; the occurrence spans its logical id and matches nothing).
ID = "id"  # (also a reference that takes an ID or ARN)
ARN = "arn"
NAME = "name"
NEW = "new"
UNNAMED = "unnamed"
ID_OR_NAME = "id-or-name"  # a reference that also takes the resource's name (TargetArchive)
_FACETS = frozenset({ID, ARN, NAME, NEW, UNNAMED, ID_OR_NAME})

# Files larger than this are not indexed (the engine's own size cap is 4 MiB: such a file gets
# SES006 when linted, and holds no usable names).
MAX_INDEX_BYTES = 4 * 1024 * 1024
# The cache entries of the index: "index:" + absolute path.
CACHE_PREFIX = "index:"
SUMMARY_FORMAT = 2  # 2: occurrences carry a facet (the Mail Manager pipeline)
# Below this many files to parse, the index is built in process (worker start-up costs more).
MIN_PARALLEL = 200
CHUNK = 100


@dataclass(frozen=True, slots=True)
class Occurrence:
    """One place a name is written: a definition or a reference.

    ``rule_set`` is the name's scope: the rule set of a rule (None when the document does not
    say), the template of a resource's logical id.  Two occurrences name the same thing when
    :meth:`matches` says so."""

    uri: str | None
    name: str
    start: int  # character offsets into the file's text
    end: int
    role: str  # DEFINITION or REFERENCE
    service: str  # "ses", "mailmanager", "cloudformation"
    rule_set: str | None
    symbol: str = RULE
    facet: str | None = None  # a pipeline resource's: ID, ARN, NAME, NEW, UNNAMED, ID_OR_NAME

    def matches(self, other: Occurrence) -> bool:
        if self.symbol != other.symbol or self.service != other.service:
            return False
        if self.facet is not None or other.facet is not None:  # the Mail Manager pipeline
            if UNNAMED in (self.facet, other.facet):
                return False
            if self.role == other.role:
                return self.name == other.name
            return pipeline_match(self, other) if self.role == REFERENCE else pipeline_match(other, self)
        if self.name != other.name:
            return False
        if self.symbol == RESOURCE:  # logical ids are local to their template
            return self.uri == other.uri
        return self.rule_set is None or other.rule_set is None or self.rule_set == other.rule_set


@dataclass(frozen=True)
class Site:
    """Where a document kind writes a name: ``path`` from the root ("*": every list item);
    ``scope``: where the name of its container (a rule's rule set) is, from the root."""

    symbol: str
    role: str
    service: str
    path: tuple[str, ...]
    scope: tuple[str, ...] | None = None
    facet: str | None = None


def pipeline_match(ref: Occurrence, definition: Occurrence) -> bool:
    """Does the pipeline reference ``ref`` name the resource ``definition`` is an occurrence of?

    By its ID, by an ARN whose resource part ends in ``/<ID>`` (the same resource named from
    another Region's or account's point of view is not told apart), by its ARN, and where the
    member takes a name (``TargetArchive``: :data:`ID_OR_NAME`) by its name.  A create-* input or
    a template defines a resource by name only (AWS assigns the ID): a reference by ID never
    matches it."""
    if ref.symbol != definition.symbol or ref.service != definition.service:
        return False
    v, facet = ref.name, definition.facet
    if facet == ID:
        return v == definition.name or (v.startswith("arn:") and v.endswith("/" + definition.name))
    if facet == ARN:
        return v == definition.name
    if facet in (NAME, NEW):
        return ref.facet == ID_OR_NAME and v == definition.name
    return False


_MM = "mailmanager"
# The pipeline's resource symbols, with the stem of their members (RuleSetId, RuleSetArn,
# RuleSetName...) and the operations whose documents define one.
_PIPELINE_RESOURCES = (
    (RULE_SET, "RuleSet", ("create", "update", "get")),
    (TRAFFIC_POLICY, "TrafficPolicy", ("create", "update", "get")),
    (ADDRESS_LIST, "AddressList", ("create", "get")),
    (RELAY, "Relay", ("create", "update", "get")),
    (ARCHIVE, "Archive", ("create", "update", "get")),
)
# CloudFormation resource types of those resources: type -> (symbol, name property).
CFN_PIPELINE = {
    "AWS::SES::MailManagerRuleSet": (RULE_SET, "RuleSetName"),
    "AWS::SES::MailManagerTrafficPolicy": (TRAFFIC_POLICY, "TrafficPolicyName"),
    "AWS::SES::MailManagerAddressList": (ADDRESS_LIST, "AddressListName"),
    "AWS::SES::MailManagerRelay": (RELAY, "RelayName"),
    "AWS::SES::MailManagerArchive": (ARCHIVE, "ArchiveName"),
}
_IN_ADDRESS_LIST = ("BooleanExpression", "Evaluate", "IsInAddressList", "AddressLists", "*")


def _pipeline_sites() -> Iterator[tuple[tuple[str, ...], Site]]:
    """The pipeline's rows: ``(kinds, site)``."""
    D, R = DEFINITION, REFERENCE
    for symbol, stem, ops in _PIPELINE_RESOURCES:
        for op in ops:
            kind = (f"mailmanager:{op}-{symbol}",)
            if op == "create":
                yield kind, Site(symbol, D, _MM, (f"{stem}Name",), facet=NEW)
                continue
            yield kind, Site(symbol, D, _MM, (f"{stem}Id",), facet=ID)
            if op == "get":
                yield kind, Site(symbol, D, _MM, (f"{stem}Arn",), facet=ARN)
            yield kind, Site(symbol, D, _MM, (f"{stem}Name",), facet=NAME)
    ingress = tuple(f"mailmanager:{op}-ingress-point" for op in ("create", "update", "get"))
    yield ingress, Site(RULE_SET, R, _MM, ("RuleSetId",), facet=ID)
    yield ingress, Site(TRAFFIC_POLICY, R, _MM, ("TrafficPolicyId",), facet=ID)
    rule_sets = tuple(f"mailmanager:{op}-rule-set" for op in ("create", "update", "get"))
    for member in ("Conditions", "Unless"):
        yield rule_sets, Site(ADDRESS_LIST, R, _MM, ("Rules", "*", member, "*", *_IN_ADDRESS_LIST), facet=ID)
    yield rule_sets, Site(RELAY, R, _MM, ("Rules", "*", "Actions", "*", "Relay", "Relay"), facet=ID)
    archive = ("Rules", "*", "Actions", "*", "Archive", "TargetArchive")
    yield rule_sets, Site(ARCHIVE, R, _MM, archive, facet=ID_OR_NAME)
    policies = tuple(f"mailmanager:{op}-traffic-policy" for op in ("create", "update", "get"))
    statements = ("PolicyStatements", "*", "Conditions", "*", *_IN_ADDRESS_LIST)
    yield policies, Site(ADDRESS_LIST, R, _MM, statements, facet=ID)


def _name_sites() -> dict[str, tuple[Site, ...]]:
    D, R = DEFINITION, REFERENCE
    sites: dict[str, list[Site]] = {}

    def add(kinds: Iterable[str], *rows: Site) -> None:
        for k in kinds:
            sites.setdefault(k, []).extend(rows)

    meta = ("Metadata", "Name")
    add(
        ("ses:describe-receipt-rule-set", "ses:describe-active-receipt-rule-set"),
        Site(RULE_SET, D, "ses", meta),
        Site(RULE, D, "ses", ("Rules", "*", "Name"), meta),
    )
    add(
        ("mailmanager:create-rule-set", "mailmanager:update-rule-set", "mailmanager:get-rule-set"),
        Site(RULE, D, "mailmanager", ("Rules", "*", "Name"), ("RuleSetName",)),
    )
    # The Mail Manager pipeline's resources and the references between them.
    for pipeline_kinds, site in _pipeline_sites():
        add(pipeline_kinds, site)
    add(
        ("ses:create-receipt-rule", "ses:update-receipt-rule"),
        Site(RULE, D, "ses", ("Rule", "Name"), ("RuleSetName",)),
    )
    add(("ses:describe-receipt-rule",), Site(RULE, D, "ses", ("Rule", "Name")))
    # The classic rule references (After, RuleName, RuleNames): one table, names.RULE_REFERENCES.
    for kind, (singles, lists) in RULE_REFERENCES.items():
        add((kind,), *(Site(RULE, R, "ses", (m,), ("RuleSetName",)) for m in singles))
        add((kind,), *(Site(RULE, R, "ses", (m, "*"), ("RuleSetName",)) for m in lists))
    add(
        (
            "ses:create-receipt-rule",
            "ses:update-receipt-rule",
            "ses:describe-receipt-rule",
            "ses:delete-receipt-rule-set",
            "ses:set-active-receipt-rule-set",
            *RULE_REFERENCES,
        ),
        Site(RULE_SET, R, "ses", ("RuleSetName",)),
    )
    add(("ses:create-receipt-rule-set",), Site(RULE_SET, D, "ses", ("RuleSetName",)))
    add(
        ("ses:clone-receipt-rule-set",),
        Site(RULE_SET, D, "ses", ("RuleSetName",)),
        Site(RULE_SET, R, "ses", ("OriginalRuleSetName",)),
    )
    add(("ses:create-receipt-filter",), Site(FILTER, D, "ses", ("Filter", "Name")))
    add(("ses:list-receipt-filters",), Site(FILTER, D, "ses", ("Filters", "*", "Name")))
    add(("ses:delete-receipt-filter",), Site(FILTER, R, "ses", ("FilterName",)))
    return {k: tuple(v) for k, v in sites.items()}


#: Document kind -> where it defines and references names.  (Add rows here for a new kind of
#: reference; templates are read by :func:`_template_occurrences`.)
NAME_SITES: dict[str, tuple[Site, ...]] = _name_sites()

TEMPLATE_KIND = "cloudformation:template"  # (ses_lsp.cfn.TEMPLATE_KIND)

#: The kinds whose lint reads other files (ses_lsp.lint.rules.names: SES207, SES210; the
#: pipeline's references, ses_lsp.lint.rules.pipeline: SES708): their results change with the
#: repository.
CROSS_FILE_KINDS = frozenset(RULE_REFERENCES) | frozenset(
    k for k, sites in NAME_SITES.items() if any(s.facet is not None and s.role == REFERENCE for s in sites)
)

# The prefix of a pipeline resource symbol among the rule set names a CLI run's records keep
# ("@relay": the file defines or references relays; see ses_lsp.lint.runner).  No rule set name
# starts with "@".
PIPELINE_MARK = "@"

# The members a document must have for the index to keep anything of it: the first member of
# every site of NAME_SITES, and what makes a template.  A file whose text holds none of them
# (nor a modeline) is not parsed at all: most JSON/YAML files of a repository are not SES
# documents, and parsing is nearly all of an index's cost.
_MARKERS = tuple(
    sorted(
        {site.path[0] for sites in NAME_SITES.values() for site in sites}
        | {site.scope[0] for sites in NAME_SITES.values() for site in sites if site.scope}
        | {"AWSTemplateFormatVersion", "Resources"}
    )
) + ("ses-lsp:",)


_MARKER_KEY = re.compile(r"""(?:^|[\s{,"'-])(?:""" + "|".join(_MARKERS[:-1]) + r""")["']?[ \t]*:|ses-lsp:""", re.M)


def may_name_things(text: str) -> bool:
    """Can this text be a document the index keeps (a cheap test before parsing it): does it
    have one of those members as a key, or a modeline?  A member name written with escapes in
    JSON (``"\\u0052ules"``) is not seen: such a file is not indexed."""
    return _MARKER_KEY.search(text) is not None


def _at(node: Node | None, path: tuple[str, ...]) -> list[Node]:
    nodes = [node] if node is not None else []
    for head in path:
        found: list[Node] = []
        for n in nodes:
            if head == "*":
                if n.kind == ARRAY:
                    found.extend(n.list_value)
            elif n.kind == OBJECT:
                child = n.get(head)
                if child is not None:
                    found.append(child)
        nodes = found
    return nodes


def _string(node: Node | None) -> str | None:
    return node.str_value if node is not None and node.kind == STRING else None


def site_nodes(root: Node | None, kind: str | None) -> Iterator[tuple[Site, Node, str | None]]:
    """``(site, string node, scope)`` of every name an API document (not a template) writes at
    the sites of :data:`NAME_SITES`."""
    if root is None or root.kind != OBJECT or kind is None:
        return
    for site in NAME_SITES.get(kind, ()):
        scope = _string(next(iter(_at(root, site.scope)), None)) if site.scope else None
        for node in _at(root, site.path):
            if node.kind == STRING:
                yield site, node, scope


def occurrences_of(
    root: Node | None, kind: str | None, uri: str | None = None, text: str | None = None
) -> list[Occurrence]:
    """Every name definition and reference of one document (its parsed ``root``; ``text``, its
    text, places the names of a template's short-form ``!Ref``s), in order."""
    if root is None or root.kind != OBJECT or kind is None:
        return []
    if kind == TEMPLATE_KIND:
        out = _template_occurrences(root, uri, text)
    else:
        out = [
            Occurrence(
                uri, node.str_value, node.start, node.end, site.role, site.service, scope, site.symbol, site.facet
            )
            for site, node, scope in site_nodes(root, kind)
        ]
    out.sort(key=lambda o: (o.start, o.role))
    return out


def pipeline_links(root: Node | None, kind: str | None) -> tuple[list[str], list[str]]:
    """What a run over many files keeps of a document to resolve pipeline references across
    files: the resource symbols it defines and those it references (the sites of
    :data:`NAME_SITES`; a template's resources by their types), each marked
    (:data:`PIPELINE_MARK` + symbol)."""
    if root is None or root.kind != OBJECT or kind is None:
        return [], []
    defined: set[str] = set()
    used: set[str] = set()
    if kind == TEMPLATE_KIND:
        for res in _at(root, ("Resources",)):
            for _key, value in res.member_list if res.kind == OBJECT else ():
                found = CFN_PIPELINE.get(_string(value.get("Type")) or "") if value.kind == OBJECT else None
                if found is not None:
                    defined.add(PIPELINE_MARK + found[0])
    else:
        for site, _node, _scope in site_nodes(root, kind):
            if site.facet is not None:
                (defined if site.role == DEFINITION else used).add(PIPELINE_MARK + site.symbol)
    return sorted(defined), sorted(used)


_CFN = "cloudformation"


def _template_occurrences(root: Node, uri: str | None, text: str | None) -> list[Occurrence]:
    """A template's names: its resources' logical ids (``!Ref`` / ``!GetAtt`` references), and the
    SES names its resources define: rule sets, rules (in the set their ``RuleSetName`` gives,
    resolved as far as the template makes it certain), their ``After``, IP filters, Mail Manager
    rule sets and rules."""
    from ses_lsp.cfn.ruleset import RULE_SET_TYPE, RULE_TYPE, rule_sets
    from ses_lsp.cfn.template import Template, intrinsic

    template = Template.read(root)
    scope = uri or ""
    out: list[Occurrence] = []
    for rid, res in template.resources.items():
        out.append(Occurrence(uri, rid, res.key.start, res.key.end, DEFINITION, _CFN, scope, RESOURCE))
    for n in root.walk():
        call = intrinsic(n)
        if call is None:
            continue
        arg = call.arg
        if call.name == "Fn::GetAtt" and not call.short and arg.kind == ARRAY and arg.list_value:
            arg = arg.list_value[0]  # {"Fn::GetAtt": ["Id", "Attr"]}
            whole = True
        else:
            whole = not call.short
        if arg.kind != STRING or call.name not in ("Ref", "Fn::GetAtt"):
            continue
        value = arg.str_value
        target = value.split(".", 1)[0] if call.name == "Fn::GetAtt" and not whole else value
        if target not in template.resources:
            continue
        if whole:  # the whole scalar (quotes included, as every occurrence's span)
            start, end = arg.start, arg.end
        else:  # a short form's span holds its tag ("!Ref Id", "!GetAtt Id.Attr"): the name only
            src = text[arg.start : arg.end] if text is not None else ""
            k = src.find(target, src.find(" ") + 1 if src.startswith("!") else 0)
            if k < 0:
                continue
            start, end = arg.start + k, arg.start + k + len(target)
        out.append(Occurrence(uri, target, start, end, REFERENCE, _CFN, scope, RESOURCE))

    def add(node: Node | None, symbol: str, role: str, service: str, set_name: str | None) -> None:
        name = _string(node)
        if name is not None and node is not None and "${" not in name:
            out.append(Occurrence(uri, name, node.start, node.end, role, service, set_name, symbol))

    for res in template.resources_of(RULE_SET_TYPE):
        node = res.properties.get("RuleSetName") if res.properties is not None else None
        add(node, RULE_SET, DEFINITION, "ses", None)
    for group in rule_sets(template):
        set_name = None if "${" in group.key else group.key
        for entry in group.rules:
            props = entry.resource.properties
            add(next(iter(_at(props, ("Rule", "Name"))), None), RULE, DEFINITION, "ses", set_name)
            if entry.after_node is not None and entry.after_ref is None:
                add(entry.after_node, RULE, REFERENCE, "ses", set_name)
    for res in template.resources_of(RULE_TYPE):
        props = res.properties
        node = props.get("RuleSetName") if props is not None else None
        add(node, RULE_SET, REFERENCE, "ses", None)
    for res in template.resources_of("AWS::SES::ReceiptFilter"):
        add(next(iter(_at(res.properties, ("Filter", "Name"))), None), FILTER, DEFINITION, "ses", None)
    for res in template.resources_of("AWS::SES::MailManagerRuleSet"):
        set_node = res.properties.get("RuleSetName") if res.properties is not None else None
        for node in _at(res.properties, ("Rules", "*", "Name")):
            add(node, RULE, DEFINITION, "mailmanager", _string(set_node))
    # The pipeline's resources: by name only (AWS assigns the ID, which Ref returns), or unnamed.
    for rtype, (symbol, member) in CFN_PIPELINE.items():
        for res in template.resources_of(rtype):
            node = res.properties.get(member) if res.properties is not None else None
            name = _string(node)
            if node is not None and name is not None and "${" not in name:
                out.append(Occurrence(uri, name, node.start, node.end, DEFINITION, _MM, None, symbol, NEW))
            else:  # its ID and name are AWS's (or the stack's): it may be the one any reference names
                key = res.key
                out.append(Occurrence(uri, res.logical_id, key.start, key.end, DEFINITION, _MM, None, symbol, UNNAMED))
    return out


# -- summaries -----------------------------------------------------------------


@dataclass(slots=True)
class Summary:
    """What the index keeps of one file: its kind, its names, the classic rule sets it
    contributes to (``(set name, complete, copies)``: see
    :class:`ses_lsp.lint.rules.names.RuleSetContribution`)."""

    kind: str
    occurrences: tuple[Occurrence, ...]
    sets: tuple[tuple[str, bool, str | None], ...] = ()


def summary_data(root: Node | None, kind: str | None, text: str | None = None) -> dict | None:
    """The summary of a parsed document as plain JSON data (what the cache and worker processes
    carry); None when the document names nothing the index keeps."""
    if root is None or root.kind != OBJECT or kind is None:
        return None
    if kind != TEMPLATE_KIND and kind not in NAME_SITES:
        return None
    occ = occurrences_of(root, kind, None, text)
    sets: list[list] = []
    if kind == TEMPLATE_KIND:
        seen: set[str] = set()
        for o in occ:
            if o.symbol == RULE and o.role == DEFINITION and o.service == "ses" and o.rule_set is not None:
                if o.rule_set not in seen:
                    seen.add(o.rule_set)
                    sets.append([o.rule_set, False, None])
    else:
        c = rule_set_contribution(None, root, kind)
        if c is not None:
            sets.append([c.name, c.complete, c.copies])
    return {
        "v": SUMMARY_FORMAT,
        "kind": kind,
        "occ": [[o.symbol, o.role, o.service, o.name, o.rule_set, o.start, o.end, o.facet] for o in occ],
        "sets": sets,
    }


# Every symbol kind the table (and templates) can produce.
_SYMBOLS = frozenset({site.symbol for sites in NAME_SITES.values() for site in sites} | {RESOURCE})


def valid_summary(value: object) -> bool:
    """Is ``value`` summary data as :func:`summary_data` makes it (or None)?  The cache file is
    not trusted: anything else is treated as missing."""
    if value is None:
        return True
    if value.__class__ is not dict or value.get("v") != SUMMARY_FORMAT or value.get("kind").__class__ is not str:
        return False
    occ, sets = value.get("occ"), value.get("sets")
    if occ.__class__ is not list or sets.__class__ is not list:
        return False
    for o in occ:
        if not (
            o.__class__ is list
            and len(o) == 8
            and o[0] in _SYMBOLS
            and o[1] in (DEFINITION, REFERENCE)
            and all(x.__class__ is str for x in o[2:4])
            and (o[4] is None or o[4].__class__ is str)
            and o[5].__class__ is int
            and o[6].__class__ is int
            and 0 <= o[5] <= o[6]
            and (o[7] is None or o[7] in _FACETS)
        ):
            return False
    for s in sets:
        if not (
            s.__class__ is list
            and len(s) == 3
            and s[0].__class__ is str
            and s[1].__class__ is bool
            and (s[2] is None or s[2].__class__ is str)
        ):
            return False
    return True


def _summary(data: dict, uri: str | None) -> Summary:
    intern = sys.intern
    occ = tuple(
        Occurrence(uri, intern(name), start, end, intern(role), intern(service), scope, intern(symbol), facet)
        for symbol, role, service, name, scope, start, end, facet in data["occ"]
    )
    sets = tuple((name, complete, copies) for name, complete, copies in data["sets"])
    return Summary(intern(data["kind"]), occ, sets)


def document_kind(root: Node | None, comments: dict[int, str] | None, path: str | None, config: Config) -> str | None:
    """A document's kind as the engine decides it for a file found by a walk: the config's
    ``kinds`` globs, a modeline, the content."""
    kind = config.kind_for(path)
    if kind is None and comments:
        found = kinds.modeline_kind(comments)
        if found is not None:
            kind = kinds.resolve_kind_name(found[0])
    if kind is None:
        kind = kinds.detect_kind(root)
    return kind


def summarize(data: bytes, path: str | None, config: Config, kind: str | None = None) -> dict | None:
    """The summary data of a file's bytes (None: not an SES document with names); ``kind``: the
    kind it has (else detected as the engine does).  Never raises."""
    try:
        if len(data) > MAX_INDEX_BYTES or b"\x00" in data:
            return None
        text = data.decode("utf-8")
        if text.startswith("\ufeff"):
            text = text[1:]
        return summarize_text(text, path, config, kind=kind)
    except Exception:  # an index never fails on a file: it just knows nothing of it
        return None


def summarize_text(
    text: str, path: str | None, config: Config, fmt: str | None = None, kind: str | None = None
) -> dict | None:
    try:
        if kind is None and config.kind_for(path) is None and not may_name_things(text):
            return None
        doc = Document(text, path, fmt)
        parsed = doc.parsed
        if kind is None:
            kind = document_kind(parsed.root, parsed.comments, path, config)
        return summary_data(parsed.root, kind, text)
    except Exception:
        return None


# -- the files under a root ------------------------------------------------------


def _git_files(root: str) -> list[str] | None:
    """The files git lists under ``root`` (tracked, and untracked but not ignored), or None
    when ``root`` is not in a git work tree (or git is missing)."""
    import subprocess

    try:
        proc = subprocess.run(
            ["git", "-C", root, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    out: list[str] = []
    seen: set[str] = set()
    for raw in proc.stdout.split(b"\0"):
        if not raw:
            continue
        rel = os.fsdecode(raw)
        if not rel.lower().endswith(SUFFIXES) or rel in seen:
            continue
        seen.add(rel)  # (a file with merge conflicts is listed once per stage)
        parts = rel.split("/")
        if any(p in SKIP_DIRS for p in parts[:-1]):
            continue
        path = os.path.join(root, *parts)
        if os.path.isfile(path):  # (a tracked file deleted from the work tree is listed too)
            out.append(path)
    out.sort()
    return out


def _ignored(specs: tuple[tuple[str, object], ...], path: str, is_dir: bool) -> bool:
    """Does a ``.gitignore`` of ``specs`` (``(its directory, its spec)``) ignore ``path``?"""
    for base, spec in specs:
        rel = os.path.relpath(path, base).replace(os.sep, "/") + ("/" if is_dir else "")
        if spec.match_file(rel):  # type: ignore[attr-defined]
            return True
    return False


def _walk_files(root: str) -> list[str]:
    """The files under ``root`` with a JSON/YAML suffix, skipping what each directory's
    ``.gitignore`` ignores (and hidden directories, ``node_modules``, ``.venv``...)."""
    import pathspec

    out: list[str] = []
    stack: list[tuple[str, tuple[tuple[str, object], ...]]] = [(root, ())]
    while stack:
        d, specs = stack.pop()
        ignore_file = os.path.join(d, ".gitignore")
        if os.path.isfile(ignore_file):
            try:
                with open(ignore_file, encoding="utf-8", errors="replace") as fh:
                    spec = pathspec.GitIgnoreSpec.from_lines(fh.read().splitlines())
                specs = (*specs, (d, spec))
            except OSError:
                pass

        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for e in entries:
            try:
                if e.is_dir(follow_symlinks=False):
                    if e.name[0] != "." and e.name not in SKIP_DIRS and not _ignored(specs, e.path, True):
                        subdirs.append(e.path)
                elif e.name.lower().endswith(SUFFIXES) and e.is_file() and not _ignored(specs, e.path, False):
                    out.append(e.path)
            except OSError:
                continue
        stack.extend((s, specs) for s in reversed(subdirs))
    return out


def scan(root: str, config: Config | None = None) -> list[str]:
    """The absolute paths of the candidate files under ``root`` (JSON and YAML files that
    ``.gitignore`` does not ignore, within the configuration's ``include`` and outside its
    ``exclude``), sorted."""
    root = os.path.abspath(root)
    files = _git_files(root)
    if files is None:
        files = _walk_files(root)
    if config is not None and (config.include or config.exclude):
        files = [f for f in files if config.in_repository(f)]
    return files


# -- the repository -------------------------------------------------------------


def normalise(path: str) -> str:
    """The key of a file in a repository: its absolute path, normalised (a ``file:`` URI too)."""
    return os.path.normcase(os.path.abspath(fs_path(path)))


def summary_contributions(
    name: str, occurrences: Iterable[Occurrence], sets: Iterable[tuple[str, bool, str | None] | list]
) -> Iterator[RuleSetContribution]:
    """The rule-set contributions of a file (``name``) whose summary has these occurrences and sets."""
    occ = list(occurrences)
    for set_name, complete, copies in sets:
        rules = tuple(
            (o.name, o)
            for o in occ
            if o.symbol == RULE and o.role == DEFINITION and o.service == "ses" and o.rule_set == set_name
        )
        yield RuleSetContribution(name, set_name, rules, complete=complete, copies=copies)


class Repository:
    """The summaries of the files of a root, by absolute path.

    ``name_of`` gives the name occurrences and diagnostics use for a file (the CLI: its
    display path; the server: its URI).  Also a lint workspace: the engine's cross-file
    checks read :meth:`rule_set_contributions`.
    """

    def __init__(self, root: str | None = None, name_of: Callable[[str], str] | None = None) -> None:
        self.root = os.path.abspath(root) if root is not None else None
        self.name_of = name_of or (lambda p: p)
        self.files: dict[str, Summary] = {}  # normalised absolute path -> summary
        self._names: dict[str, str] = {}  # normalised path -> its name (name_of)
        self._by_name: dict[tuple[str, str], list[Occurrence]] | None = None
        self.generation = 0  # bumped by every change

    def __len__(self) -> int:
        return len(self.files)

    # -- changes --

    def set_summary(self, path: str, data: dict | None) -> None:
        """Record a file's summary data (None: it names nothing; it is forgotten)."""
        key = normalise(path)
        if data is None:
            if self.files.pop(key, None) is not None:
                self._names.pop(key, None)
                self._changed()
            return
        name = self.name_of(path)
        self.files[key] = _summary(data, name)
        self._names[key] = name
        self._changed()

    def remove(self, path: str) -> None:
        self.set_summary(path, None)

    def update(self, path: str, config: Config, data: bytes | None = None, cache: Cache | None = None) -> None:
        """Re-index one file from disk (or ``data``); a file that cannot be read is forgotten."""
        if data is None:
            try:
                with open(path, "rb") as fh:
                    data = fh.read(MAX_INDEX_BYTES + 1)
            except OSError:
                self.remove(path)
                return
        self.set_summary(path, _cached_summary(path, data, config, cache))

    def _changed(self) -> None:
        self._by_name = None
        self.generation += 1

    def contains(self, path: str) -> bool:
        return normalise(path) in self.files

    def under_root(self, path: str) -> bool:
        if self.root is None:
            return True
        p = normalise(path)
        r = os.path.normcase(self.root)
        return p == r or p.startswith(r.rstrip(os.sep) + os.sep)

    # -- queries --

    def summaries(self, skip: set[str] | frozenset[str] = frozenset()) -> Iterator[tuple[str, Summary]]:
        """``(name, summary)`` of every file but those whose keys (:func:`normalise`) are in ``skip``."""
        for key, s in list(self.files.items()):
            if key not in skip:
                yield self._names[key], s

    def occurrences(self, skip: set[str] | frozenset[str] = frozenset()) -> Iterator[Occurrence]:
        for _name, s in self.summaries(skip):
            yield from s.occurrences

    def named(self, symbol: str, name: str) -> list[Occurrence]:
        """Every occurrence of ``name`` as a ``symbol`` (an index built on first use after a change)."""
        if self._by_name is None:
            index: dict[tuple[str, str], list[Occurrence]] = {}
            for s in self.files.values():
                for o in s.occurrences:
                    index.setdefault((o.symbol, o.name), []).append(o)
            self._by_name = index
        return self._by_name.get((symbol, name), [])

    def definitions(self) -> Iterator[Occurrence]:
        for s in self.files.values():
            for o in s.occurrences:
                if o.role == DEFINITION:
                    yield o

    # -- the lint workspace interface (ses_lsp.lint.rules.names.workspace_rule_sets) --

    def documents(self) -> Iterator[tuple[str, object, str | None]]:
        return iter(())  # no documents are kept

    def rule_set_contributions(
        self, own: str | None, skip: set[str] | frozenset[str] = frozenset()
    ) -> Iterator[RuleSetContribution]:
        """What every file but ``own`` (and those whose keys are in ``skip``) says about classic rule sets."""
        mine = normalise(own) if own is not None else None
        for key, s in list(self.files.items()):
            if key == mine or not s.sets or key in skip:
                continue
            yield from summary_contributions(self._names[key], s.occurrences, s.sets)

    def pipeline_definitions(
        self, own: str | None = None, skip: set[str] | frozenset[str] = frozenset()
    ) -> Iterator[Occurrence]:
        """The Mail Manager pipeline resources every file but ``own`` (and those whose keys are
        in ``skip``) defines: their definition occurrences (the interface SES708 reads)."""
        mine = normalise(own) if own is not None else None
        for key, s in list(self.files.items()):
            if key == mine or key in skip:
                continue
            for o in s.occurrences:
                if o.facet is not None and o.role == DEFINITION:
                    yield o

    def defines_pipeline(self, marked: Iterable[str], own: str | None = None) -> bool:
        """Does a file other than ``own`` define a pipeline resource of one of the ``marked``
        symbols (``"@relay"``: see :func:`pipeline_links`)?"""
        wanted = {m[len(PIPELINE_MARK) :] for m in marked if m.startswith(PIPELINE_MARK)}
        return bool(wanted) and any(o.symbol in wanted for o in self.pipeline_definitions(own))

    def defines_rule_set(self, names: Iterable[str], own: str | None = None) -> bool:
        """Does a file other than ``own`` contribute rules to one of the rule sets ``names``?"""
        wanted = set(names)
        mine = normalise(own) if own is not None else None
        return any(key != mine and any(n in wanted for n, _c, _o in s.sets) for key, s in self.files.items() if s.sets)


# -- building ----------------------------------------------------------------------


def _keys(path: str, data: bytes, config: Config) -> tuple[str, str]:
    return CACHE_PREFIX + os.path.abspath(path), digest(str(SUMMARY_FORMAT), config.fingerprint(), data)


def _valid_entry(value: object) -> bool:
    return isinstance(value, list) and len(value) == 1 and valid_summary(value[0])


def _cached_summary(path: str, data: bytes, config: Config, cache: Cache | None) -> dict | None:
    keys = _keys(path, data, config) if cache is not None else None
    if cache is not None and keys is not None:
        hit = cache.get(*keys, check=_valid_entry)
        if hit is not None:
            return hit[0]
    value = summarize(data, path, config)
    if cache is not None and keys is not None:
        cache.put(*keys, [value])
    return value


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read(MAX_INDEX_BYTES + 1)
    except OSError:
        return None


def _summarize_paths(configs: list[Config], items: list[tuple[str, int]]) -> list[dict | None]:
    """The summary data of each ``(path, index of its config in configs)`` (in worker processes).

    The cyclic collector is paused meanwhile: a parse builds thousands of objects, none garbage
    until the summary is made, and trees link their parents weakly (what is dropped goes by
    reference counting); its collections cost 15-20% of an index (measured on the mixed workload)."""
    import gc

    was = gc.isenabled()
    gc.disable()
    try:
        out = []
        for path, i in items:
            data = _read(path)
            out.append(summarize(data, path, configs[i]) if data is not None else None)
        return out
    finally:
        if was:
            gc.enable()


def _payload(chunk: list[_Miss]) -> tuple[list[Config], list[tuple[str, int]]]:
    """A chunk's arguments for :func:`_summarize_paths` (each configuration sent once)."""
    configs: list[Config] = []
    index: dict[int, int] = {}
    items = []
    for path, config, _k in chunk:
        i = index.get(id(config))
        if i is None:
            i = index[id(config)] = len(configs)
            configs.append(config)
        items.append((path, i))
    return configs, items


# A file to summarise: (path, its config, its cache keys or None).
_Miss = tuple[str, Config, "tuple[str, str] | None"]


def build(
    root: str,
    *,
    config_for: Callable[[str], Config],
    cache: Cache | None = None,
    jobs: int = 1,
    name_of: Callable[[str], str] | None = None,
    files: list[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    repository: Repository | None = None,
) -> Repository:
    """Index the files under ``root`` (``files``: those, instead of :func:`scan`'s).

    ``config_for(path)`` gives a file's configuration.  Summaries come from ``cache`` when the
    file's bytes and configuration are unchanged; the others are computed, in ``jobs`` worker
    processes when there are at least :data:`MIN_PARALLEL` of them.  ``progress(done, total)``
    is called as files are indexed.
    """
    repo = repository if repository is not None else Repository(root, name_of)
    if files is None:
        files = scan(root, config_for(os.path.join(root, "-")))
    total = len(files)
    misses: list[_Miss] = []
    done = 0
    check = _valid_entry
    for path in files:
        config = config_for(path)
        if cache is not None:
            data = _read(path)
            if data is None:
                continue
            keys = _keys(path, data, config)
            hit = cache.get(*keys, check=check)
            if hit is not None:
                repo.set_summary(path, hit[0])
                done += 1
                if progress is not None and done % CHUNK == 0:
                    progress(done, total)
                continue
            misses.append((path, config, keys))
        else:
            misses.append((path, config, None))

    def store(batch: list[_Miss], values: list[dict | None]) -> None:
        nonlocal done
        for (path, _c, keys), value in zip(batch, values, strict=True):
            repo.set_summary(path, value)
            if cache is not None and keys is not None:
                cache.put(*keys, [value])
        done += len(batch)
        if progress is not None:
            progress(done, total)

    chunks = [misses[i : i + CHUNK] for i in range(0, len(misses), CHUNK)]
    if jobs > 1 and len(misses) >= MIN_PARALLEL:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        # "spawn": the language server calls this from a process with threads, where forking is unsafe.
        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(_summarize_paths, *_payload(c)) for c in chunks]
            for c, f in zip(chunks, futures, strict=True):
                store(c, f.result())
    else:
        for c in chunks:
            store(c, _summarize_paths(*_payload(c)))
    return repo
