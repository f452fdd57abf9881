"""The hover of a rule's name in a rule set: a witness mail that reaches the rule, or why no mail can.

The witness comes from :func:`ses_lsp.semantics.witness.find_witness`, which only returns a
mail the evaluation model's trace shows reaching the rule.  The rule set is evaluated alone
(the IP filters and traffic policy of the account are other documents), with the verified
domains of the configuration.  Works on offsets and returns Markdown; the server converts.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.editor.hover import HoverInfo
from ses_lsp.lint.rules.common import CLASSIC_RULE_KINDS, MM_RULE_SET_KINDS
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics.evaluate import rule_label_from_name
from ses_lsp.semantics.witness import Unreachable, Witness, find_witness

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document

__all__ = ["rule_at_name", "witness_hover", "witness_markdown"]

RULE_SET_KINDS = CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS


def rule_at_name(doc: Document, kind: str | None, offset: int) -> tuple[int, Node] | None:
    """``(the rule's index in Rules, its Name value)`` when ``offset`` is on the ``Name`` value of
    a rule of a rule set document (a single receipt rule document's rule: index 0)."""
    if kind not in RULE_SET_KINDS:
        return None
    root = doc.root
    if root is None or root.kind != OBJECT:
        return None
    single = root.get("Rule") if kind in CLASSIC_RULE_KINDS else None
    rules = root.get("Rules")
    candidates: list[tuple[int, Node]] = []
    if single is not None:
        candidates = [(0, single)]
    elif rules is not None and rules.kind == ARRAY:
        candidates = list(enumerate(rules.list_value))
    for i, rule in candidates:
        if rule.kind != OBJECT or not (rule.start <= offset <= rule.end):
            continue
        name = rule.get("Name")
        if name is not None and name.kind == STRING and name.start <= offset <= name.end:
            return i, name
        return None
    return None


_SETUPS: dict[tuple[int, str], tuple[str, Any]] = {}


def _setup(doc: Document, kind: str) -> ev.ClassicSetup | ev.MailManagerSetup:
    """The evaluation model's rule set of the document (remembered for its current text)."""
    key = (id(doc), kind)
    hit = _SETUPS.get(key)
    if hit is not None and hit[0] is doc.text:
        return hit[1]
    setup: ev.ClassicSetup | ev.MailManagerSetup
    if kind in MM_RULE_SET_KINDS:
        setup = ev.MailManagerSetup.from_documents(doc.root, doc.path)
    else:
        setup = ev.ClassicSetup.from_documents(doc.root, doc.path)
    if len(_SETUPS) > 8:
        _SETUPS.clear()
    _SETUPS[key] = (doc.text, setup)
    return setup


def witness_hover(
    doc: Document, kind: str | None, offset: int, verified_domains: list[str] | None = None
) -> HoverInfo | None:
    """The witness hover at ``offset``, when it is on a rule's name (else None)."""
    found = rule_at_name(doc, kind, offset)
    if found is None or kind is None:
        return None
    index, name = found
    setup = _setup(doc, kind)
    if not any(r.index == index for r in setup.rules):
        return None
    result = find_witness(setup, index, verified_domains)
    return HoverInfo(witness_markdown(result, doc, verified_domains), name.start, name.end)


def _yaml(scenario: dict[str, Any]) -> str:
    """A scenario as YAML (JSON flow values, which YAML reads as written)."""
    return "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in scenario.items())


def _line(doc: Document, node: Node) -> int:
    return doc.lines.position(node.start)[0] + 1


def witness_markdown(result: Witness | Unreachable, doc: Document, verified_domains: list[str] | None = None) -> str:
    """The hover text of :func:`ses_lsp.semantics.witness.find_witness`'s answer."""
    label = rule_label_from_name(result.rule)
    scope = "this rule set alone (IP filters and traffic policies are other documents)"
    if verified_domains:
        scope += ", verified domains " + ", ".join(f"`{d}`" for d in verified_domains)
    if isinstance(result, Witness):
        r = result.recipient_trace()
        rules = ", ".join(f"`{n}`" for n in r.rules) or "none"
        stop = ""
        if r.stopped_by is not None:
            stop = f"; evaluation stops in {rule_label_from_name(r.stopped_by.rule)} ({r.stopped_by.type})"
        return (
            f"**Reached by** {_md(result.summary())}: the evaluation model runs it through {label} "
            f"(checked against {scope}).\n\n"
            f"```yaml\n# a ses-lsp:scenario\n{_yaml(result.scenario)}\n```\n\n"
            f"For `{result.recipient}`: {r.outcome}; rules whose actions run: {rules}{stop}."
        )
    cites = []
    for ref in result.refs:
        cites.append(f"line {_line(doc, ref.node)} (`{ref.node.pointer}`)")
    head = "**No mail reaches this rule**" if result.proven else "**No witness mail found**"
    text = f"{head}: {_md(result.reason)}."
    if cites:
        text += "\n\nSee " + ", ".join(cites) + "."
    return text + f"\n\n(Evaluated against {scope}.)"


def _md(text: str) -> str:
    """Plain text safe in Markdown (no emphasis or links from rule names and addresses)."""
    out = []
    for c in text:
        out.append("\\" + c if c in "\\`*_[]<>#|" else c)
    return "".join(out)
