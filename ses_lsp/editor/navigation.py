"""Rule names across documents: the workspace, definitions, references, renames.

A classic receipt rule is *defined* by its ``Name`` (``Rules[i].Name`` of a
rule set, ``Rule.Name`` of a create/update/describe-receipt-rule document)
and *referenced* by ``After`` (create-receipt-rule, set-receipt-rule-position),
``RuleName`` (set-receipt-rule-position, delete-receipt-rule) and the items
of ``RuleNames`` (reorder-receipt-rule-set).  Mail Manager rule names are
definitions only (they matter for duplicates).  Names of the two services
never match each other; two occurrences in different rule sets (when both
name theirs) do not match either.

Everything is offset based; :class:`Workspace` (the lint's
:class:`ses_lsp.lint.workspace.Workspace` with a rule-name index) is also what
the engine's ``workspace=`` parameter receives from the language server.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from ses_lsp.cfn import TEMPLATE_KIND
from ses_lsp.cfn.editor import definition_of, reference_at
from ses_lsp.document.nodes import Node, node_at_offset
from ses_lsp.lint.edits import json_text
from ses_lsp.lint.repository import (
    ARN,
    DEFINITION,
    ID,
    REFERENCE,
    RESOURCE,
    RULE,
    UNNAMED,
    Occurrence,
    occurrences_of,
)
from ses_lsp.lint.rules.names import name_problem
from ses_lsp.lint.workspace import Workspace as LintWorkspace

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document
    from ses_lsp.lint.workspace import Entry

__all__ = [
    "DEFINITION",
    "REFERENCE",
    "Occurrence",
    "Workspace",
    "definitions",
    "occurrence_at",
    "occurrences",
    "references",
    "rename",
    "rule_names",
    "yaml_scalar",
]

# (The names, their sites and occurrences are the repository model's: ses_lsp.lint.repository.)


def occurrences(document: Document, kind: str | None, uri: str | None = None) -> list[Occurrence]:
    """Every name definition and reference in one document (rule names, rule-set and filter
    names, a template's logical ids: :data:`ses_lsp.lint.repository.NAME_SITES`)."""
    return occurrences_of(document.root, kind, uri, document.text)


class Workspace(LintWorkspace):
    """The documents a lint or a navigation request can see: the lint's workspace plus the
    index of their rule-name occurrences.

    The cheap queries (:meth:`uris`, :meth:`all_occurrences`, :meth:`text_of`) are what
    navigation and completion use; a subclass (the language server's) can answer them from
    its caches without parsing every document.
    """

    def __init__(self, entries: Iterable[Entry] | Callable[[], Iterable[Entry]] | None = None) -> None:
        super().__init__(entries)
        self._index: dict[str, tuple[int, str | None, list[Occurrence]]] = {}

    def remove(self, uri: str) -> None:
        super().remove(uri)
        self._index.pop(uri, None)

    def uris(self) -> list[str]:
        return [u for u, _d, _k in self.documents()]

    def text_of(self, uri: str) -> tuple[str, str] | None:
        for u, d, _k in self.documents():
            if u == uri:
                return d.text, d.format
        return None

    def occurrences(self, uri: str, document: Document, kind: str | None) -> list[Occurrence]:
        cached = self._index.get(uri)
        if cached is not None and cached[0] == id(document) and cached[1] == kind:
            return cached[2]
        occ = occurrences(document, kind, uri)
        self._index[uri] = (id(document), kind, occ)
        return occ

    def all_occurrences(self) -> Iterator[Occurrence]:
        for uri, doc, kind in self.documents():
            yield from self.occurrences(uri, doc, kind)

    def rule_names(self, service: str = "ses") -> dict[str, list[Occurrence]]:
        """Rule names defined in the workspace: name -> its definitions."""
        out: dict[str, list[Occurrence]] = {}
        for occ in self.all_occurrences():
            if occ.role == DEFINITION and occ.service == service and occ.symbol == RULE:
                out.setdefault(occ.name, []).append(occ)
        return out


class _Plus(Workspace):
    """A workspace plus one document."""

    def __init__(self, base: Workspace, uri: str, document: Document, kind: str | None) -> None:
        super().__init__()
        self.base, self.uri, self.document, self.kind = base, uri, document, kind

    def documents(self):
        yield from self.base.documents()
        yield self.uri, self.document, self.kind

    def uris(self) -> list[str]:
        return [*self.base.uris(), self.uri]

    def text_of(self, uri: str):
        if uri == self.uri:
            return self.document.text, self.document.format
        return self.base.text_of(uri)

    def all_occurrences(self):
        yield from self.base.all_occurrences()
        yield from occurrences(self.document, self.kind, self.uri)


def rule_names(workspace: Workspace | None, service: str = "ses") -> dict[str, list[Occurrence]]:
    return workspace.rule_names(service) if workspace is not None else {}


def occurrence_at(
    document: Document, kind: str | None, offset: int, uri: str | None = None, workspace: Workspace | None = None
) -> Occurrence | None:
    """The rule-name occurrence under ``offset`` (span end inclusive), if any."""
    for occ in occurrences(document, kind, uri):
        if occ.start <= offset <= occ.end and occ.facet != UNNAMED:
            return occ
    return None


def _with_self(workspace: Workspace | None, uri: str | None, document: Document, kind: str | None) -> Workspace:
    """The workspace, making sure the current document is part of it."""
    if workspace is None:
        return Workspace([(uri or "", document, kind)])
    if (uri or "") in workspace.uris():
        return workspace
    return _Plus(workspace, uri or "", document, kind)


def definitions(
    document: Document, kind: str | None, offset: int, uri: str | None = None, workspace: Workspace | None = None
) -> list[Occurrence]:
    """Where the rule name (or rule set, filter, Mail Manager pipeline resource) under ``offset``
    is defined (several when it is defined twice); in a template, where the logical ID under
    ``offset`` (``!Ref``, ``!GetAtt``, ``${X}``...) is declared."""
    if kind == TEMPLATE_KIND:
        found = _template_definition(document, offset, uri)
        if found is not None:
            return found
    occ = occurrence_at(document, kind, offset, uri, workspace)
    if occ is None:
        return []
    ws = _with_self(workspace, uri, document, kind)
    found = [o for o in ws.all_occurrences() if o.role == DEFINITION and o.matches(occ)]
    if occ.facet is not None and occ.role == REFERENCE:
        found = _one_per_resource(found)
    return found


def _one_per_resource(found: list[Occurrence]) -> list[Occurrence]:
    """A pipeline reference's definitions, one per API file: its ID where the file gives it, else
    its ARN (a reference by ARN matches both).  Names (a template's, by ``TargetArchive``) stay."""
    rank = {ID: 0, ARN: 1}
    best: dict[str | None, Occurrence] = {}
    for o in found:
        if o.facet in rank:
            kept = best.get(o.uri)
            if kept is None or rank[o.facet] < rank[kept.facet or ""]:
                best[o.uri] = o
    return [o for o in found if o.facet not in rank or best.get(o.uri) is o]


def _template_definition(document: Document, offset: int, uri: str | None) -> list[Occurrence] | None:
    """The declaration of the logical ID under ``offset`` in a template (None: no logical ID there)."""
    ref = reference_at(document.root, document.text, offset)
    if ref is None:
        return None
    key = definition_of(document.root, ref)
    if key is None:
        return []
    return [Occurrence(uri, ref.name, key.start, key.end, DEFINITION, "cloudformation", None)]


def references(
    document: Document,
    kind: str | None,
    offset: int,
    uri: str | None = None,
    workspace: Workspace | None = None,
    include_declaration: bool = True,
) -> list[Occurrence]:
    """Every place the rule name under ``offset`` is written (definitions first unless excluded)."""
    occ = occurrence_at(document, kind, offset, uri, workspace)
    if occ is None:
        return []
    ws = _with_self(workspace, uri, document, kind)
    found = [o for o in ws.all_occurrences() if o.matches(occ)]
    if not include_declaration:
        found = [o for o in found if o.role != DEFINITION]
    found.sort(key=lambda o: (o.role != DEFINITION, o.uri or "", o.start))
    return found


class RenameError(ValueError):
    """The new name cannot be used; the message says why."""


def rename(
    document: Document,
    kind: str | None,
    offset: int,
    new_name: str,
    uri: str | None = None,
    workspace: Workspace | None = None,
) -> dict[str, list[tuple[int, int, str]]] | None:
    """Edits ``{uri: [(start, end, new text)]}`` renaming the rule under ``offset``; None if none there."""
    occ = occurrence_at(document, kind, offset, uri, workspace)
    if occ is None:
        return None
    problem = name_problem(new_name) if occ.service == "ses" else None
    if problem is not None:
        what = {"rule": "receipt rule", "rule-set": "receipt rule set", "filter": "IP filter"}.get(occ.symbol, "")
        raise RenameError(
            f"{new_name!r} is not a valid {what} name: it {problem}; use ASCII letters, digits, '_', '-' "
            "and '.', start and end with a letter or digit, at most 64 characters"
        )
    if occ.symbol == RESOURCE and not re.fullmatch(r"[A-Za-z0-9]{1,255}", new_name):
        raise RenameError(f"{new_name!r} is not a valid logical id: use ASCII letters and digits only")
    if not new_name:
        raise RenameError("the new name is empty")
    ids = (ID, ARN)
    if occ.facet in ids:  # (a pipeline resource's ID or ARN, or a reference by one)
        raise RenameError(f"{occ.name!r} is an ID or ARN AWS assigns: only a resource's name can be renamed")
    ws = _with_self(workspace, uri, document, kind)
    edits: dict[str, list[tuple[int, int, str]]] = {}
    for o in ws.all_occurrences():
        if not o.matches(occ) or (occ.facet is not None and (o.facet in ids or o.name != occ.name)):
            continue
        found = (document.text, document.format) if o.uri == uri else ws.text_of(o.uri or "")
        text, fmt = found if found is not None else (document.text, document.format)
        source = text[o.start : o.end]
        edits.setdefault(o.uri or "", []).append((o.start, o.end, requote(source, new_name, fmt)))
    return edits


# -- quoting -------------------------------------------------------------------

_YAML_SPECIAL_START = set("!&*-?:,[]{}#|>@`\"'%")
_YAML_NON_STRING = (
    r"(?ix)"
    r"(?:y|yes|n|no|true|false|on|off|null|~|)"
    r"|[-+]?(?:\d[\d_]*)?(?:\.[\d_]*)?(?:e[-+]?\d+)?"  # numbers (YAML 1.1 is generous)
    r"|[-+]?0b[01_]+|[-+]?0x[0-9a-f_]+|[-+]?0o?[0-7_]+"
    r"|[-+]?\d[\d_]*(?::[0-5]?\d)+(?:\.[\d_]*)?"  # sexagesimal
    r"|[-+]?\.(?:inf|nan)"
    r"|\d{4}-\d\d?-\d\d?(?:[Tt ].*)?"  # timestamps
    r"|=|<<"
)


def yaml_scalar(value: str) -> str:
    """``value`` as a YAML scalar that PyYAML reads back as the same string."""
    if (
        value
        and value == value.strip()
        and value[0] not in _YAML_SPECIAL_START
        and not re.fullmatch(_YAML_NON_STRING, value)
        and ": " not in value
        and " #" not in value
        and not value.endswith(":")
        and all(c.isprintable() for c in value)
        and "\t" not in value
    ):
        return value
    if all(c.isprintable() for c in value):
        return "'" + value.replace("'", "''") + "'"
    import json

    return json.dumps(value)


def requote(source: str, new: str, fmt: str) -> str:
    """``new`` written the way ``source`` (a scalar's source text) was quoted."""
    if fmt == "json":
        return json_text(new)
    if source.startswith('"'):
        return json_text(new)
    if source.startswith("'"):
        return "'" + new.replace("'", "''") + "'"
    return yaml_scalar(new)


def node_at(document: Document, offset: int) -> Node | None:
    return node_at_offset(document.root, offset)
