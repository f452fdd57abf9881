"""Semantic rules: routing tests (``ses-lsp:routing-test``, run by ``ses-lsp test``), SES541-SES549.

In the flow range (SES5xx): a routing test states where mail goes.  The checks follow the
test's ``RuleFiles`` to the rule set it names (:mod:`ses_lsp.routing_files`: the editor's copy of
an open document, else the file on disk) and hold the expectations against it: a rule file that
does not exist, a rule name the rule set does not define, an action type that is not an API
member name of the rule set's service.  The test could never pass; ``ses-lsp test`` stops
with exit code 2 on these errors rather than report a failing case.
"""

from __future__ import annotations

import functools
import os

from ses_lsp import schema
from ses_lsp.document.nodes import Node
from ses_lsp.knowledge.actions import CLASSIC_ACTION_TYPES
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Fix, Severity
from ses_lsp.lint.edits import replace_node
from ses_lsp.lint.registry import SOURCE_MODEL, SOURCE_TOOL, Example, Rule, RuleDoc
from ses_lsp.lint.rules.common import ctx_cache
from ses_lsp.lint.text import closest, quote, quote_list
from ses_lsp.routing_files import Referenced, RuleSetFile, resolve
from ses_lsp.schema import ROUTING_TEST_KIND

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing
if TYPE_CHECKING:
    from ses_lsp.semantics.routing import RoutingDoc
# The routing-test format imports the evaluation model (its outcomes): loaded by the checks, so
# that listing the rules (`ses-lsp rules`, which imports every family) does not load it.

E = Severity.ERROR
KINDS = frozenset({ROUTING_TEST_KIND})

API_CLASSIC_ACTION = "https://docs.aws.amazon.com/ses/latest/APIReference/API_ReceiptAction.html"
API_MM_ACTION = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_RuleAction.html"
API_RULE = "https://docs.aws.amazon.com/ses/latest/APIReference/API_ReceiptRule.html"
API_MM_RULE = "https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_mailmanager_Rule.html"
SERVICE_WORDS = {"ses": "an SES classic rule set", "mailmanager": "a Mail Manager rule set"}
SERVICE_ACTIONS = {"ses": "an SES classic action", "mailmanager": "a Mail Manager action"}


def _doc(ctx: LintContext) -> RoutingDoc:
    from ses_lsp.semantics.routing import read_routing

    return ctx_cache(ctx, "routing:doc", lambda: read_routing(ctx.root))


def _referenced(ctx: LintContext) -> Referenced:
    return ctx_cache(ctx, "routing:referenced", lambda: resolve(ctx.document.path, _doc(ctx).rule_files, ctx.workspace))


def shown_path(path: str, base: str) -> str:
    """A rule file's path as a message shows it: relative to the routing test's directory."""
    try:
        rel = os.path.relpath(path, base)
    except ValueError:  # another drive (Windows)
        return path
    return rel.replace(os.sep, "/")


@functools.cache
def action_types(service: str) -> tuple[str, ...]:
    """The action types (API member names) of a service's rules, in the API model's order:
    ``ReceiptAction``'s members (SES classic), ``RuleAction``'s (Mail Manager)."""
    if service == "ses":
        return CLASSIC_ACTION_TYPES
    members = schema.load_service("mailmanager")["$defs"]["RuleAction"]["x-member-order"]
    return tuple(members)


# -- SES541 ------------------------------------------------------------------------------------


def _check_rule_file_missing(ctx: LintContext) -> None:
    ref = _referenced(ctx)
    for entry, node in ref.missing:
        path = os.path.normpath(os.path.join(ref.base, entry))
        directory = os.path.dirname(path)
        msg = f"rule file {quote(entry)} does not exist (paths are relative to this file's directory)"
        fix = None
        try:
            names = sorted(n for n in os.listdir(directory) if n.lower().endswith((".json", ".yaml", ".yml")))
        except (OSError, ValueError):  # (ValueError: a name no file system takes: NUL, a lone surrogate)
            names = []
            msg += f"; no directory {quote(shown_path(directory, ref.base))} either"
        hint = _closest_file(os.path.basename(path), names)
        if hint is not None:
            better = shown_path(os.path.join(directory, hint), ref.base)
            msg += f"; did you mean {quote(better)}?"
            fix = Fix(f"Replace with {quote(better)}", (replace_node(ctx.document, node, better),), safe=False)
        ctx.report(node, msg, fix=fix)


def _closest_file(name: str, names: list[str]) -> str | None:
    """The file ``name`` most likely meant: the one with the same name but its extension, else the
    closest name."""
    stem = name.rsplit(".", 1)[0]
    same = [n for n in names if n.rsplit(".", 1)[0] == stem]
    if len(same) == 1:
        return same[0]
    return closest(name, names) if names else None


RULE_FILE_MISSING = Rule(
    code="SES541",
    name="rule-file-not-found",
    severity=E,
    summary="A routing test's `RuleFiles` names a file or directory that does not exist.",
    source=SOURCE_TOOL,
    kinds=KINDS,
    check=_check_rule_file_missing,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports a `RuleFiles` entry of a routing test (`ses-lsp test`) that names no file or directory; paths "
            "are relative to the routing test's directory. The closest file name in that directory is suggested."
        ),
        why=(
            "Without its rule set the test cannot run: `ses-lsp test` stops with exit code 2. A renamed or moved "
            "rule file is the usual cause."
        ),
        bad=Example("SES541-bad.yaml", ROUTING_TEST_KIND),
        good=Example("SES541-good.yaml", ROUTING_TEST_KIND),
        references=(API_RULE, API_MM_RULE),
        notes=(
            "The example names `SES502-good.yaml`, another example's rule set beside it. The quick fix replaces "
            "the path with the closest existing one (offered in editors, not applied by `--fix`)."
        ),
    ),
)


# -- SES542 ------------------------------------------------------------------------------------


def _check_unknown_rule(ctx: LintContext) -> None:
    from ses_lsp.semantics.routing import expected_rule_names

    ref = _referenced(ctx)
    rs = ref.rule_set
    if rs is None:
        return  # missing files (SES541), or no single rule set to hold the names against
    names = set(rs.names)
    where = shown_path(rs.path, ref.base)
    for case in _doc(ctx).cases:
        for e in case.expectations:
            for name, node in expected_rule_names(e):
                if name in names:
                    continue
                msg = (
                    f"rule {quote(name)} is not a rule of {quote(where)} ({_rules_words(rs)}), so this case can "
                    "never pass"
                )
                hint = closest(name, rs.names)
                fix = None
                if hint is not None:
                    msg += f"; did you mean {quote(hint)}?"
                    fix = Fix(f"Replace with {quote(hint)}", (replace_node(ctx.document, node, hint),), safe=False)
                ctx.report(node, msg, fix=fix)


def _rules_words(rs: RuleSetFile) -> str:
    if not rs.names:
        return "it has no rules"
    return f"its rules: {quote_list(rs.names, limit=6)}"


UNKNOWN_RULE = Rule(
    code="SES542",
    name="unknown-expected-rule",
    severity=E,
    summary="A routing test expects a rule its rule set does not define.",
    source=SOURCE_TOOL,
    kinds=KINDS,
    check=_check_unknown_rule,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports a rule name in a routing test's expectations (`rules`, an action's `rule`, `stopped_by.rule`) "
            "that the rule set of its `RuleFiles` does not define, with the closest name it does. A rule without "
            "a `Name` is `#N` (1-based), as `ses-lsp simulate` names it."
        ),
        why=(
            "The evaluation model only reports rules of the rule set: the case would fail whatever the mail, and "
            "usually a rule was renamed without its tests."
        ),
        bad=Example("SES542-bad.yaml", ROUTING_TEST_KIND),
        good=Example("SES542-good.yaml", ROUTING_TEST_KIND),
        references=(API_RULE, API_MM_RULE),
        notes=(
            "Silent unless `RuleFiles` lead to exactly one rule set. The example's rule set is `SES502-good.yaml`, "
            "another example beside it (rules `support` and `everything`). The quick fix replaces the name with "
            "the closest defined one (offered in editors, not applied by `--fix`)."
        ),
    ),
)


# -- SES543 ------------------------------------------------------------------------------------


def _check_unknown_action_type(ctx: LintContext) -> None:
    from ses_lsp.semantics.routing import expected_types

    rs = _referenced(ctx).rule_set
    service = rs.service if rs is not None else None
    services = (service,) if service is not None else ("ses", "mailmanager")
    for case in _doc(ctx).cases:
        for e in case.expectations:
            for t, node, is_stop in expected_types(e):
                _check_type(ctx, t, node, is_stop, service, services)


def _check_type(
    ctx: LintContext, t: str, node: Node, is_stop: bool, service: str | None, services: tuple[str, ...]
) -> None:
    from ses_lsp.semantics.routing import STOP_TYPES

    known = [x for s in services for x in action_types(s)]
    stops = [x for s in services for x in STOP_TYPES[s]]
    allowed = stops if is_stop else known
    if t in allowed:
        return
    what = "stopped_by.type" if is_stop else "an action's type"
    hint = None
    if is_stop and t in known:
        msg = f"{quote(t)} never stops evaluation; {what} is one of {quote_list(stops)}"
    elif service is not None and any(t in action_types(s) for s in ("ses", "mailmanager") if s != service):
        other = "mailmanager" if service == "ses" else "ses"
        msg = (
            f"{quote(t)} is {SERVICE_ACTIONS[other]}, but the rule set is {SERVICE_WORDS[service]}: "
            f"{what} is one of {quote_list(allowed)}"
        )
    else:
        hint = closest(t, allowed)
        msg = f"unknown action type {quote(t)}; {what} is an API member name: one of {quote_list(allowed)}"
        if hint is not None:
            msg += f"; did you mean {quote(hint)}?"
    fix = Fix(f"Replace with {quote(hint)}", (replace_node(ctx.document, node, hint),), safe=False) if hint else None
    ctx.report(node, msg, fix=fix)


UNKNOWN_ACTION_TYPE = Rule(
    code="SES543",
    name="unknown-expected-action-type",
    severity=E,
    summary="A routing test expects an action type that is not an API member name of its rule set's service.",
    source=SOURCE_MODEL,
    kinds=KINDS,
    check=_check_unknown_action_type,
    fixable=True,
    doc=RuleDoc(
        what=(
            "Reports an action `type` in a routing test's expectations that is not a member of `ReceiptAction` "
            "(`S3Action`, `LambdaAction`, ...: SES classic) or `RuleAction` (`WriteToS3`, `Relay`, ...: Mail "
            "Manager), whichever service the rule set of its `RuleFiles` belongs to, and a `stopped_by.type` that "
            "cannot stop evaluation (`StopAction`, `LambdaAction` or `TlsPolicy` in SES classic; `Drop` in Mail "
            "Manager)."
        ),
        why=(
            "`ses-lsp simulate` names actions by their API member names: a case expecting `S3` or `Lambda`, or a "
            "Mail Manager action of a classic rule set, would fail whatever the mail."
        ),
        bad=Example("SES543-bad.yaml", ROUTING_TEST_KIND),
        good=Example("SES543-good.yaml", ROUTING_TEST_KIND),
        references=(API_CLASSIC_ACTION, API_MM_ACTION),
        notes=(
            "Without a single rule set to go by, the types of both services are allowed. The quick fix replaces "
            "a misspelt type with the closest one (offered in editors, not applied by `--fix`)."
        ),
    ),
)


RULES = [RULE_FILE_MISSING, UNKNOWN_RULE, UNKNOWN_ACTION_TYPE]
