"""Semantic rules: names (SES2xx).  See docs/writing-rules.md.

Classic names (rules, rule sets, IP filters) have no constraint in the API
model, so their form is checked here; Mail Manager names have patterns and
lengths in the model, which the schema pass checks.  The rules here add what
a schema cannot see: duplicates, and references to rules by name (``After``,
``SetReceiptRulePosition``, ``ReorderReceiptRuleSet``), resolved against the
other documents of the workspace when the editor or CLI provides them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Fix, Related, Severity, TextEdit
from ses_lsp.lint.edits import remove_member, replace_node
from ses_lsp.lint.references import FLOCI_RULE_PROBES, SES_API
from ses_lsp.lint.registry import SOURCE_DOCS, SOURCE_MODEL, SOURCE_TOOL, Example, Rule, RuleDoc

# Values holding a template placeholder (``${Var}``, ``{{var}}``, ``$(cmd)``, ``%s``, ``<name>``...)
# stand for something filled in later and are not checked (one definition for every family).
from ses_lsp.lint.rules.common import (
    CLASSIC_RULE_SET_KINDS,
    MM_RULE_SET_KINDS,
    has_placeholder,
    mm_rule_nodes,
    string_value,
)
from ses_lsp.lint.text import closest, quote, quote_list
from ses_lsp.lint.workspace import other_documents

E, W, I = Severity.ERROR, Severity.WARNING, Severity.INFO

MM_API = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_Operations_MailManager.html"
FLOCI = FLOCI_RULE_PROBES

# -- classic name form --------------------------------------------------------------

MAX_NAME = 64
_NAME_CHAR = r"[A-Za-z0-9_.-]"

# Where each kind of classic name sits: (path, label); "*" is every list item.
_RULE_SET_PATHS = (("RuleSetName",), ("OriginalRuleSetName",), ("Metadata", "Name"), ("RuleSets", "*", "Name"))
_RULE_PATHS = (("Rule", "Name"), ("Rules", "*", "Name"), ("After",), ("RuleName",), ("RuleNames", "*"))
_FILTER_PATHS = (("Filter", "Name"), ("Filters", "*", "Name"), ("FilterName",))

CLASSIC_NAME_KINDS = frozenset(
    {
        "ses:create-receipt-rule-set",
        "ses:clone-receipt-rule-set",
        "ses:delete-receipt-rule-set",
        "ses:set-active-receipt-rule-set",
        "ses:create-receipt-rule",
        "ses:update-receipt-rule",
        "ses:delete-receipt-rule",
        "ses:set-receipt-rule-position",
        "ses:reorder-receipt-rule-set",
        "ses:create-receipt-filter",
        "ses:delete-receipt-filter",
        "ses:describe-receipt-rule",
        "ses:describe-receipt-rule-set",
        "ses:describe-active-receipt-rule-set",
        "ses:list-receipt-rule-sets",
        "ses:list-receipt-filters",
    }
)


def _at(node: Node | None, path: tuple[str, ...]) -> list[Node]:
    """Every node at ``path`` under ``node`` ("*" walks list items), in document order."""
    nodes = [node] if node is not None else []
    for head in path:
        found: list[Node] = []
        if head == "*":
            for n in nodes:
                if n.kind == ARRAY:
                    found.extend(n.list_value)
        else:
            for n in nodes:
                if n.kind == OBJECT:
                    v = n.dict_value.get(head)
                    if v is not None:
                        found.append(v)
        if not found:
            return found
        nodes = found
    return nodes


def classic_names(ctx: LintContext) -> Iterator[tuple[str, Node]]:
    """(what, string node) for every classic rule, rule-set and filter name in the document."""
    root = ctx.root
    for what, paths in (("rule set", _RULE_SET_PATHS), ("rule", _RULE_PATHS), ("filter", _FILTER_PATHS)):
        for path in paths:
            for node in _at(root, path):
                if node.kind == STRING:
                    yield what, node


def _is_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _describe_char(c: str) -> str:
    if c == " ":
        return "a space"
    if c.isspace():
        return "white space " + quote(c)
    return quote(c)


_NAME_OK = r"[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?"


def name_problem(value: str) -> str | None:
    """What is wrong with a classic name (rule, rule set or filter), or None."""
    if len(value) <= MAX_NAME and re.fullmatch(_NAME_OK, value):
        return None  # the common case, in one match
    if value == "":
        return "is empty"
    n = len(value)
    if n > MAX_NAME:
        return f"is {n} characters long; at most {MAX_NAME} allowed"
    bad = next((c for c in value if not re.fullmatch(_NAME_CHAR, c)), None)
    if bad is not None:
        return f"contains {_describe_char(bad)}, which is not allowed"
    if not _is_alnum(value[0]):
        return f"starts with {quote(value[0])}"
    if not _is_alnum(value[-1]):
        return f"ends with {quote(value[-1])}"
    return None


def suggest_name(value: str) -> str | None:
    """A valid name close to ``value``, or None."""
    out = re.sub(r"[^A-Za-z0-9_.-]+", "-", value)
    out = re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", out)
    out = re.sub(r"[^A-Za-z0-9]+$", "", out[:MAX_NAME])
    return out if out and out != value and name_problem(out) is None else None


def _check_name_form(ctx: LintContext) -> None:
    for what, node in classic_names(ctx):
        value = node.str_value
        if has_placeholder(value):
            continue
        if not value.strip() and node.member_name == "After":
            continue  # SES211 (after-empty)
        problem = name_problem(value)
        if problem is None:
            continue
        msg = (
            f"{what} name {quote(value)} {problem}: use up to {MAX_NAME} ASCII letters, digits, '_', '-' "
            f"and '.', starting and ending with a letter or digit"
        )
        hint = suggest_name(value)
        if hint is not None:
            msg += f", e.g. {quote(hint)}"
        ctx.report(node, msg)


# Where rule sets and filters are created (a name that already exists is not advised on).
_DEFINITIONS = {
    "ses:create-receipt-rule-set": ("rule set", ("RuleSetName",)),
    "ses:clone-receipt-rule-set": ("rule set", ("RuleSetName",)),
    "ses:create-receipt-filter": ("filter", ("Filter", "Name")),
}


def _check_name_period(ctx: LintContext) -> None:
    what, path = _DEFINITIONS.get(ctx.kind, ("", ()))
    for node in _at(ctx.root, path) if path else ():
        if node.kind != STRING:
            continue
        value = node.str_value
        if "." not in value or has_placeholder(value) or name_problem(value) is not None:
            continue
        ctx.report(
            node,
            f"{what} name {quote(value)} contains '.': SES accepts it, but the current documentation allows "
            f"only letters, digits, '_' and '-' in {what} names; consider {quote(value.replace('.', '-'))}",
        )


# -- duplicates ---------------------------------------------------------------------


def _duplicates(nodes: list[Node]) -> Iterator[tuple[Node, Node]]:
    """(later node, first node) for each repeated string value."""
    first: dict[str, Node] = {}
    for n in nodes:
        if n.kind != STRING:
            continue
        v = n.str_value
        if v in first:
            yield n, first[v]
        else:
            first[v] = n


def _rule_name_nodes(ctx: LintContext) -> list[Node]:
    return _at(ctx.root, ("Rules", "*", "Name"))


def _check_duplicate_rule_names(ctx: LintContext) -> None:
    for later, first in _duplicates(_rule_name_nodes(ctx)):
        ctx.report(
            later,
            f"rule name {quote(later.str_value)} is already used by an earlier rule of this rule set; "
            f"rule names must be unique within a rule set: rename one of them",
            related=[Related(first.start, first.end, "the first rule with this name")],
        )


def _check_mm_duplicate_rule_names(ctx: LintContext) -> None:
    for later, first in _duplicates(_rule_name_nodes(ctx)):
        ctx.report(
            later,
            f"rule name {quote(later.str_value)} is already used by an earlier rule of this rule set; "
            f"diagnostics, logs and diffs cannot tell them apart: rename one of them",
            related=[Related(first.start, first.end, "the first rule with this name")],
        )


def _check_duplicate_filter_names(ctx: LintContext) -> None:
    for later, first in _duplicates(list(_at(ctx.root, ("Filters", "*", "Name")))):
        ctx.report(
            later,
            f"filter name {quote(later.str_value)} is used by an earlier filter; IP filter names are unique "
            f"per account and Region: rename one of them",
            related=[Related(first.start, first.end, "the first filter with this name")],
        )


# -- Mail Manager rule without a name ---------------------------------------------------

_NAME_LIKE = r"(?i)(rule)?[_-]?name"


def _check_mm_rule_name_missing(ctx: LintContext) -> None:
    for i, rule in enumerate(mm_rule_nodes(ctx)):
        if rule.get("Name") is not None:
            continue
        members = rule.members or []
        # A misspelt name member ("RuleName", "name") is the schema pass's unknown member.
        if not members or any(re.fullmatch(_NAME_LIKE, str(k.value)) for k, _ in members):
            continue
        ctx.report(
            members[0][0],
            f"Rules[{i}] has no Name; it is optional, but diagnostics, logs and diffs then refer to it only by "
            f"position: add a Name (1-32 letters, digits, '_', '.' or '-')",
            pointer=rule.pointer,
        )


# -- references to rules by name (workspace) ------------------------------------------------


@dataclass
class RuleSetInfo:
    """What the workspace says about one classic rule set."""

    name: str
    # rule name -> (file path, where the name is written)
    rules: dict[str, tuple[str | None, Span]] = field(default_factory=dict)
    # True when a describe-receipt-rule-set document lists the whole set.
    complete: bool = False


def _workspace_documents(ctx: LintContext) -> Iterator[tuple[str | None, Node, str]]:
    return other_documents(ctx.workspace, ctx.document, ctx.document.path)


class Span(Protocol):
    """Where a name is written (a node, or an index's occurrence of it)."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...


@dataclass(frozen=True)
class RuleSetContribution:
    """What one document says about one classic rule set: the part of it that
    :func:`workspace_rule_sets` reads (a few name nodes, not the document)."""

    path: str | None
    name: str  # the rule set
    rules: tuple[tuple[str, Span], ...] = ()  # (rule name, where it is written), in document order
    complete: bool = False  # a describe-receipt-rule-set output: the whole set
    copies: str | None = None  # clone-receipt-rule-set: the set whose rules the clone gets


_SINGLE_RULE_DEFINERS = frozenset({"ses:create-receipt-rule", "ses:update-receipt-rule"})
_CLONE = "ses:clone-receipt-rule-set"
# Documents whose members name rules of the rule set their `RuleSetName` names:
# kind -> (members holding one rule name, members holding a list of rule names).
# (Read here by the cross-file checks and by the editor's navigation.)
RULE_REFERENCES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ses:create-receipt-rule": (("After",), ()),
    "ses:set-receipt-rule-position": (("RuleName", "After"), ()),
    "ses:delete-receipt-rule": (("RuleName",), ()),
    "ses:reorder-receipt-rule-set": ((), ("RuleNames",)),
}
# Those whose references the cross-file checks resolve.  A delete-receipt-rule input
# is not among them: it is a one-off command, and the rule it deletes is expected to
# be gone from the rule set files of the repository by the time the file is linted.
_REFERENCING_KINDS = frozenset(RULE_REFERENCES) - {"ses:delete-receipt-rule"}


def rule_references(root: Node, kind: str) -> list[Node]:
    """The nodes of ``root`` (a document of ``kind``) that name rules, in document order."""
    singles, lists = RULE_REFERENCES.get(kind, ((), ()))
    out = [n for n in (root.get(m) for m in singles) if n is not None]
    for member in lists:
        out.extend(_at(root, (member, "*")))
    return out


def rule_set_contribution(path: str | None, root: Node, kind: str) -> RuleSetContribution | None:
    """The classic rule set a document (its object ``root``) defines rules of, if any:
    ``describe-receipt-rule-set`` outputs (complete), ``create``/``update-receipt-rule``
    inputs (one rule each) and ``clone-receipt-rule-set`` inputs (the clone has the
    original's rules)."""
    if kind in CLASSIC_RULE_SET_KINDS:
        set_name = string_value(next(iter(_at(root, ("Metadata", "Name"))), None))
        if set_name is None:
            return None
        names = tuple((n.str_value, n) for n in _at(root, ("Rules", "*", "Name")) if n.kind == STRING)
        return RuleSetContribution(path, set_name, names, complete=True)
    if kind in _SINGLE_RULE_DEFINERS:
        set_name = string_value(root.get("RuleSetName"))
        rule = root.get("Rule")
        name_node = rule.get("Name") if rule is not None else None
        if set_name is None or name_node is None or name_node.kind != STRING:
            return None
        return RuleSetContribution(path, set_name, ((name_node.str_value, name_node),))
    if kind == _CLONE:
        new, orig = string_value(root.get("RuleSetName")), string_value(root.get("OriginalRuleSetName"))
        if new is not None and orig is not None:
            return RuleSetContribution(path, new, copies=orig)
    return None


def rule_set_links(root: Node | None, kind: str | None) -> tuple[list[str], list[str], list[str]]:
    """What a run over many files keeps of a document to check rule references across
    files without keeping the documents: ``(defines, uses, copies)``, the rule sets it
    defines rules of, the rule set its references (After, RuleName, RuleNames) name
    rules of (the rules :func:`workspace_rule_sets` must find in other documents), and
    the rule sets whose rules its set copies (a clone's original)."""
    if root is None or root.kind != OBJECT or kind is None:
        return [], [], []
    own = rule_set_contribution(None, root, kind)
    defines = [own.name] if own is not None else []
    copies = [own.copies] if own is not None and own.copies is not None else []
    uses: list[str] = []
    if kind in _REFERENCING_KINDS and any(m in root.dict_value for group in RULE_REFERENCES[kind] for m in group):
        set_name = string_value(root.get("RuleSetName"))
        if set_name is not None:
            uses.append(set_name)
    return defines, uses, copies


def workspace_rule_sets(ctx: LintContext) -> dict[str, RuleSetInfo] | None:
    """Classic rule sets and their rules as the other workspace documents define them
    (see :func:`rule_set_contribution`).  ``None`` when there is no workspace."""
    ws = ctx.workspace
    if ws is None:
        return None
    # A repository (ses_lsp.lint.repository.Repository) gives the contributions of its files.
    given = getattr(ws, "rule_set_contributions", None)
    if given is not None:
        contributions: Iterable[RuleSetContribution | None] = given(ctx.document.path)
    elif getattr(ws, "documents", None) is None:
        return None
    else:
        contributions = (rule_set_contribution(path, root, kind) for path, root, kind in _workspace_documents(ctx))
    sets: dict[str, RuleSetInfo] = {}
    clones: list[tuple[str, str]] = []

    def get(name: str) -> RuleSetInfo:
        return sets.setdefault(name, RuleSetInfo(name))

    for c in contributions:
        if c is None:
            continue
        if c.copies is not None:
            clones.append((c.name, c.copies))
            continue
        info = get(c.name)
        if c.complete:
            info.complete = True
        for name, node in c.rules:
            info.rules.setdefault(name, (c.path, node))
    for new, orig in clones:
        if orig in sets:
            target = get(new)
            for k, v in sets[orig].rules.items():
                target.rules.setdefault(k, v)
    return sets


def _reference_targets(ctx: LintContext) -> tuple[str | None, list[Node]]:
    """The rule set named by the document and the nodes that name existing rules."""
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return None, []
    if ctx.kind not in _REFERENCING_KINDS:
        return None, []
    refs = rule_references(root, ctx.kind)
    return string_value(root.get("RuleSetName")), [n for n in refs if n.kind == STRING]


def _check_unknown_rule_reference(ctx: LintContext) -> None:
    set_name, refs = _reference_targets(ctx)
    if set_name is None or not refs or has_placeholder(set_name):
        return
    sets = workspace_rule_sets(ctx)
    if not sets or set_name not in sets:
        return
    info = sets[set_name]
    if not info.rules:
        return
    root = ctx.root
    assert root is not None  # the references were read from it
    own_rule = root.get("Rule")
    # Names that after-names-itself reports when After repeats them.
    own_names = {
        string_value(own_rule.get("Name")) if own_rule is not None else None,
        string_value(root.get("RuleName")),
    }
    after = root.get("After")
    for node in refs:
        value = node.str_value
        if value in info.rules or has_placeholder(value) or name_problem(value) is not None:
            continue
        if node is after and value in own_names:
            continue  # after-names-itself
        known = sorted(info.rules)
        best = closest(value, known, cutoff=0.75)
        if not info.complete and best is None:
            # The workspace knows this rule set only from single-rule files (create or
            # update inputs), not from a describe-receipt-rule-set output: other rules
            # may exist.  Only a near miss of a known name (a likely typo) is reported.
            continue
        msg = (
            f"no rule named {quote(value)} in rule set {quote(set_name)} is defined in the workspace "
            f"(it defines {quote_list(known, limit=6)})"
        )
        related = []
        fix = None
        if best is not None:
            msg += f"; did you mean {quote(best)}?"
            path, target = info.rules[best]
            related.append(Related(target.start, target.end, f"rule {quote(best)} is defined here", file=path))
            fix = Fix(f"Replace with {quote(best)}", (_replace_string(ctx, node, best),), safe=False)
        else:
            msg += "; SES rejects a reference to a rule that does not exist (RuleDoesNotExist)"
        ctx.report(node, msg, related=related, fix=fix)


def _replace_string(ctx: LintContext, node: Node, new: str) -> TextEdit:
    src = ctx.text[node.start : node.end]
    old = node.str_value
    if old and src.count(old) == 1 and re.fullmatch(_NAME_CHAR, new[:1] or "a"):
        i = src.index(old)
        return TextEdit(node.start + i, node.start + i + len(old), new)
    return replace_node(ctx.document, node, new)


def _check_after_names_itself(ctx: LintContext) -> None:
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return
    after = root.get("After")
    if after is None or after.kind != STRING:
        return
    if ctx.kind == "ses:create-receipt-rule":
        rule = root.get("Rule")
        target = rule.get("Name") if rule is not None else None
        what = "the rule being created"
    else:
        target = root.get("RuleName")
        what = "the rule being moved"
    if target is None or target.kind != STRING or target.value != after.value:
        return
    ctx.report(
        after,
        f"After names {quote(after.str_value)}, which is {what} itself; name the rule it should follow, "
        f"or remove After to put it first",
        related=[Related(target.start, target.end, "the rule's own name")],
    )


def _check_reorder_duplicates(ctx: LintContext) -> None:
    for later, first in _duplicates(list(_at(ctx.root, ("RuleNames", "*")))):
        ctx.report(
            later,
            f"RuleNames lists {quote(later.str_value)} twice; each rule of the set must appear exactly once: "
            f"remove one",
            related=[Related(first.start, first.end, "the first mention")],
        )


def _check_reorder_missing(ctx: LintContext) -> None:
    root = ctx.root
    if root is None or root.kind != OBJECT:
        return
    set_name = string_value(root.get("RuleSetName"))
    names_node = root.get("RuleNames")
    if set_name is None or names_node is None or names_node.kind != ARRAY:
        return
    sets = workspace_rule_sets(ctx)
    if not sets or set_name not in sets or not sets[set_name].complete:
        return
    listed = {n.str_value for n in names_node.list_value if n.kind == STRING}
    if any(has_placeholder(v) for v in listed):
        return
    info = sets[set_name]
    missing = [n for n in info.rules if n not in listed]
    if not missing:
        return
    path, first = info.rules[missing[0]]
    ctx.report(
        names_node,
        f"RuleNames leaves out {len(missing)} rule{'s' if len(missing) > 1 else ''} of rule set "
        f"{quote(set_name)} ({quote_list(missing, limit=6)}); ReorderReceiptRuleSet must name every rule "
        f"of the set: add {'them' if len(missing) > 1 else 'it'}",
        on_key=True,
        related=[Related(first.start, first.end, f"rule {quote(missing[0])} is defined here", file=path)],
    )


# -- After: "" ------------------------------------------------------------------------------

_AFTER_KINDS = frozenset({"ses:create-receipt-rule", "ses:set-receipt-rule-position"})


def _check_after_empty(ctx: LintContext) -> None:
    root = ctx.root
    after = root.get("After") if root is not None and root.kind == OBJECT else None
    if root is None or after is None or after.kind != STRING or after.str_value.strip() != "":
        return
    assert after.key_node is not None  # a member's value
    where = "insert the new rule at" if ctx.kind == "ses:create-receipt-rule" else "move the rule to"
    ctx.report(
        after,
        f"After is {quote(after.str_value)}, which is not a rule name; to {where} the beginning of the "
        "rule set, omit After",
        fix=Fix("Remove After", (remove_member(ctx.document, root, after.key_node),), safe=False),
    )


# -- rule definitions -------------------------------------------------------------------

_CREATE_RULE = "ses:create-receipt-rule"


CLASSIC_NAME_INVALID = Rule(
    code="SES201",
    name="classic-name-invalid",
    severity=E,
    summary="A classic rule, rule-set or IP filter name that SES rejects.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_NAME_KINDS,
    check=_check_name_form,
    doc=RuleDoc(
        what=(
            "Reports a classic receipt rule, rule-set or IP-filter name (wherever it appears: definitions, "
            "`After`, `RuleName`, `RuleNames`, `FilterName`...) that is empty, longer than 64 characters, "
            "contains characters other than ASCII letters, digits, `_`, `-` and `.`, or does not start and "
            "end with a letter or digit. The message suggests a valid name."
        ),
        why=(
            "The classic API model has no pattern for these names, so neither the AWS CLI nor botocore "
            "checks them; the service rejects the call (`ValidationError` or `InvalidParameterValue`)."
        ),
        bad=Example("SES201-bad.yaml", _CREATE_RULE),
        good=Example("SES201-good.yaml", _CREATE_RULE),
        references=(
            SES_API + "API_ReceiptRule.html",
            SES_API + "API_CreateReceiptRuleSet.html",
            SES_API + "API_ReceiptFilter.html",
            FLOCI,
        ),
        notes="Names holding a template placeholder (`${Var}`, `{{var}}`) are not checked.",
    ),
)

NAME_CONTAINS_PERIOD = Rule(
    code="SES202",
    name="name-contains-period",
    severity=I,
    summary="A new rule-set or IP filter name with a period, which the current docs no longer list.",
    source=SOURCE_DOCS,
    kinds=frozenset(_DEFINITIONS),
    check=_check_name_period,
    doc=RuleDoc(
        what=(
            "Reports a `.` in the name of a classic rule set or IP filter being created "
            "(create-receipt-rule-set, clone-receipt-rule-set, create-receipt-filter) when the name is otherwise valid."
        ),
        why=(
            "The 2015 documentation allowed periods in rule-set and filter names; the current API "
            "reference lists only letters, digits, `_` and `-` (it keeps `.` for rule names). Live SES "
            "still accepts the period, so this is advice: a name without it works under both readings."
        ),
        bad=Example("SES202-bad.yaml", "ses:create-receipt-rule-set"),
        good=Example("SES202-good.yaml", "ses:create-receipt-rule-set"),
        references=(SES_API + "API_CreateReceiptRuleSet.html", SES_API + "API_ReceiptFilter.html", FLOCI),
    ),
)

DUPLICATE_RULE_NAME = Rule(
    code="SES203",
    name="duplicate-rule-name",
    severity=E,
    summary="Two classic rules of one rule set share a name.",
    source=SOURCE_DOCS,
    kinds=CLASSIC_RULE_SET_KINDS,
    check=_check_duplicate_rule_names,
    doc=RuleDoc(
        what=(
            "Reports the second rule of a classic rule set that has the same name as an earlier one, "
            "and points at the first."
        ),
        why=(
            "Rule names identify rules within a rule set (`After`, `DescribeReceiptRule`, `DeleteReceiptRule`); "
            "creating the second one fails with `AlreadyExists`."
        ),
        bad=Example("SES203-bad.yaml", "ses:describe-receipt-rule-set"),
        good=Example("SES203-good.yaml", "ses:describe-receipt-rule-set"),
        references=(SES_API + "API_CreateReceiptRule.html",),
    ),
)

MM_DUPLICATE_RULE_NAME = Rule(
    code="SES204",
    name="mm-duplicate-rule-name",
    severity=W,
    summary="Two Mail Manager rules of one rule set share a name.",
    source=SOURCE_TOOL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_mm_duplicate_rule_names,
    doc=RuleDoc(
        what="Reports a Mail Manager rule whose `Name` repeats an earlier rule's, and points at the first.",
        why=(
            "Mail Manager identifies rules by position, so the API accepts it, but logs, metrics and reviews "
            "refer to rules by name and can no longer tell the two apart; usually one was copied and not renamed."
        ),
        bad=Example("SES204-bad.yaml", "mailmanager:create-rule-set"),
        good=Example("SES204-good.yaml", "mailmanager:create-rule-set"),
        references=(MM_API + " (Rule)",),
    ),
)

MM_RULE_NAME_MISSING = Rule(
    code="SES205",
    name="mm-rule-name-missing",
    severity=W,
    summary="A Mail Manager rule without a Name.",
    source=SOURCE_TOOL,
    kinds=MM_RULE_SET_KINDS,
    check=_check_mm_rule_name_missing,
    doc=RuleDoc(
        what="Reports a Mail Manager rule that has no `Name` member.",
        why=(
            "`Name` is optional in the API, but an unnamed rule is known only by its position: every "
            "diagnostic, log line and diff about it changes when rules are inserted above it."
        ),
        bad=Example("SES205-bad.yaml", "mailmanager:create-rule-set"),
        good=Example("SES205-good.yaml", "mailmanager:create-rule-set"),
        references=(MM_API + " (Rule)",),
    ),
)

DUPLICATE_FILTER_NAME = Rule(
    code="SES206",
    name="duplicate-filter-name",
    severity=E,
    summary="Two IP filters share a name.",
    source=SOURCE_DOCS,
    kinds=frozenset({"ses:list-receipt-filters"}),
    check=_check_duplicate_filter_names,
    doc=RuleDoc(
        what="Reports an IP filter of a `list-receipt-filters` document whose name repeats an earlier filter's.",
        why=(
            "Filter names are unique per account and Region (`DeleteReceiptFilter` takes only the name); "
            "creating the second one fails with `AlreadyExists`."
        ),
        bad=Example("SES206-bad.yaml", "ses:list-receipt-filters"),
        good=Example("SES206-good.yaml", "ses:list-receipt-filters"),
        references=(SES_API + "API_CreateReceiptFilter.html",),
    ),
)

UNKNOWN_RULE_REFERENCE = Rule(
    code="SES207",
    name="unknown-rule-reference",
    severity=W,
    summary="`After`, `RuleName` or `RuleNames` names a rule the workspace does not define.",
    source=SOURCE_MODEL,
    kinds=frozenset({"ses:create-receipt-rule", "ses:set-receipt-rule-position", "ses:reorder-receipt-rule-set"}),
    check=_check_unknown_rule_reference,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Resolves rule names in `After` (create-receipt-rule, set-receipt-rule-position), `RuleName` "
            "(set-receipt-rule-position) and `RuleNames` (reorder-receipt-rule-set) against the rule set as the "
            "other files of the workspace define it (describe-receipt-rule-set outputs, create/update-receipt-rule "
            "inputs, clones), and reports names it does not contain, with the closest one."
        ),
        why=(
            "SES rejects a reference to a missing rule (`RuleDoesNotExist`), usually a typo or a renamed rule. "
            "The workspace may not know every rule (some may be made in the console), hence a warning."
        ),
        bad=None,
        good=None,
        references=(
            SES_API + "API_CreateReceiptRule.html",
            SES_API + "API_SetReceiptRulePosition.html",
            SES_API + "API_ReorderReceiptRuleSet.html",
        ),
        notes=(
            "Needs the workspace (the language server, or the CLI linting several files): silent without it, "
            "and silent when no other file defines the rule set. The quick fix replaces the name with the "
            "closest defined one (offered in editors, not applied by `--fix`)."
        ),
    ),
)

AFTER_EMPTY = Rule(
    code="SES211",
    name="after-empty",
    severity=W,
    summary='`After: ""` instead of leaving `After` out.',
    source=SOURCE_MODEL,
    kinds=_AFTER_KINDS,
    check=_check_after_empty,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports an empty (or blank) `After` in a create-receipt-rule or set-receipt-rule-position "
            "input, and offers to remove it."
        ),
        why=(
            '`After` is "the name of an existing rule after which the new rule is placed. If this parameter '
            'is null, the new rule is inserted at the beginning of the rule list" (API model): an empty '
            "string is not null and names no rule. The AWS CLI's generated skeleton (and botocore's "
            'example) fill it with `""`, which is how it ends up in files; whether SES reads it as '
            "null or rejects the call is undocumented, so say what you mean by omitting it."
        ),
        bad=Example("SES211-bad.yaml", _CREATE_RULE),
        good=Example("SES211-good.yaml", _CREATE_RULE),
        references=(SES_API + "API_CreateReceiptRule.html", SES_API + "API_SetReceiptRulePosition.html"),
        notes="The fix (remove `After`) is a quick fix in editors; `--fix` does not apply it.",
    ),
)

AFTER_NAMES_ITSELF = Rule(
    code="SES208",
    name="after-names-itself",
    severity=E,
    summary="`After` names the rule being created or moved.",
    source=SOURCE_MODEL,
    kinds=frozenset({"ses:create-receipt-rule", "ses:set-receipt-rule-position"}),
    check=_check_after_names_itself,
    doc=RuleDoc(
        what="Reports an `After` equal to the name of the rule the call creates or moves.",
        why=(
            "A rule cannot be placed after itself: when creating it, the rule does not exist yet "
            "(`RuleDoesNotExist`); when moving it, the position is undefined. Name the rule it should follow."
        ),
        bad=Example("SES208-bad.yaml", _CREATE_RULE),
        good=Example("SES208-good.yaml", _CREATE_RULE),
        references=(SES_API + "API_CreateReceiptRule.html", SES_API + "API_SetReceiptRulePosition.html"),
    ),
)

REORDER_DUPLICATE = Rule(
    code="SES209",
    name="reorder-duplicate-rule",
    severity=E,
    summary="ReorderReceiptRuleSet lists a rule twice.",
    source=SOURCE_MODEL,
    kinds=frozenset({"ses:reorder-receipt-rule-set"}),
    check=_check_reorder_duplicates,
    doc=RuleDoc(
        what="Reports a name that appears more than once in `RuleNames`, pointing at the first mention.",
        why=(
            "`RuleNames` is the new order of the whole rule set: each rule must appear exactly once, and a "
            "rule listed twice has no single position; the service rejects the request."
        ),
        bad=Example("SES209-bad.yaml", "ses:reorder-receipt-rule-set"),
        good=Example("SES209-good.yaml", "ses:reorder-receipt-rule-set"),
        references=(SES_API + "API_ReorderReceiptRuleSet.html",),
    ),
)

REORDER_MISSING_RULES = Rule(
    code="SES210",
    name="reorder-missing-rules",
    severity=W,
    summary="ReorderReceiptRuleSet leaves out rules the workspace's rule set has.",
    source=SOURCE_MODEL,
    kinds=frozenset({"ses:reorder-receipt-rule-set"}),
    check=_check_reorder_missing,
    doc=RuleDoc(
        what=(
            "Compares `RuleNames` with the rule set as a describe-receipt-rule-set document of the workspace "
            "lists it, and reports the rules left out."
        ),
        why=(
            '"All of the rules in the rule set must be represented in this request": a reorder that omits '
            "a rule fails. The workspace copy may be stale, hence a warning."
        ),
        bad=None,
        good=None,
        references=(SES_API + "API_ReorderReceiptRuleSet.html",),
        notes="Needs the workspace and a describe-receipt-rule-set document for the same rule set; silent otherwise.",
    ),
)

RULES = [
    CLASSIC_NAME_INVALID,
    NAME_CONTAINS_PERIOD,
    DUPLICATE_RULE_NAME,
    MM_DUPLICATE_RULE_NAME,
    MM_RULE_NAME_MISSING,
    DUPLICATE_FILTER_NAME,
    UNKNOWN_RULE_REFERENCE,
    AFTER_NAMES_ITSELF,
    AFTER_EMPTY,
    REORDER_DUPLICATE,
    REORDER_MISSING_RULES,
]

__all__ = [
    "RULES",
    "RuleSetContribution",
    "has_placeholder",
    "name_problem",
    "rule_set_contribution",
    "rule_set_links",
    "workspace_rule_sets",
]
