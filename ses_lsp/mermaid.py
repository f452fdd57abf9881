"""Mermaid flowcharts of a rule set (``ses-lsp graph``), of a trace (``ses-lsp simulate
--format mermaid``) and of a semantic diff (``ses-lsp diff --format mermaid``).  GitHub renders
Mermaid in Markdown and in job summaries.

The chart of a rule set reads top to bottom, one diamond per rule (what it matches), the box of
its actions beside it (where each delivers), and the edges SES follows: to the actions when the
rule matches, on to the next rule when it does not, and from the actions either to the next rule
(every matching rule runs) or to the end of evaluation (``StopAction``, ``Drop``).  Pure: the
evaluation model's setups and traces in, text out.
"""

from __future__ import annotations

from ses_lsp.document.nodes import ARRAY, OBJECT, STRING, Node
from ses_lsp.knowledge.actions import ACTION_DESTINATION, CLASSIC_DELIVERY_ACTIONS, MM_DELIVERY_ACTIONS
from ses_lsp.lint.text import quote_list
from ses_lsp.semantics import classic as cm
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics import mailmanager as mm

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ses_lsp.semantics.diff import DiffResult

MAX_LABEL = 80  # characters of one label line
MAX_LINES = 6  # label lines of one node (conditions, actions)


def label(*lines: str) -> str:
    """A quoted Mermaid label: lines joined with ``<br/>``, each cut to :data:`MAX_LABEL`, the
    characters Mermaid reads (quotes, angle brackets, ``#``) written as entity codes."""
    shown = [ln if len(ln) <= MAX_LABEL else ln[: MAX_LABEL - 3] + "..." for ln in lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        shown.append(f"... ({len(lines) - MAX_LINES} more)")
    text = "<br/>".join(_escape(ln) for ln in shown)
    return f'"{text}"'


def _escape(text: str) -> str:
    return (
        text.replace("#", "#35;")
        .replace('"', "#quot;")
        .replace("<", "#lt;")
        .replace(">", "#gt;")
        .replace("`", "#96;")
        .replace("\n", " ")
    )


def _body_text(body: Node | None, member: str) -> str:
    if body is None or body.kind != OBJECT:
        return ""
    node = body.get(member)
    if node is None:
        return ""
    if node.kind == STRING:
        return node.str_value
    if node.kind == ARRAY:
        return ", ".join(n.str_value for n in node.list_value if n.kind == STRING)
    return ""


def _short(value: str) -> str:
    """An ARN's resource name (``...:function:f`` -> ``f``), else the value."""
    if value.startswith("arn:"):
        tail = value.split(":", 5)[-1]
        return tail.rsplit("/", 1)[-1].rsplit(":", 1)[-1] or value
    return value


def action_line(action_type: str, body: Node | None, delivery: frozenset[str]) -> str:
    """``S3Action → my-bucket`` (an arrow for a delivering action), ``AddHeaderAction X-Tag``, ``Drop``."""
    if not action_type:
        return "(not exactly one action)"
    if action_type == "Send":
        return "Send → the internet"
    member = ACTION_DESTINATION.get(action_type)
    where = _short(_body_text(body, member)) if member else ""
    if action_type in ("BounceAction", "Bounce") and where:
        where = f"SMTP {where}"
    if not where:
        return action_type
    return f"{action_type} → {where}" if action_type in delivery else f"{action_type} {where}"


class _Chart:
    def __init__(self) -> None:
        self.lines = ["flowchart TD"]

    def node(self, ident: str, text: str, shape: str = "box") -> None:
        open_, close = {"box": ("[", "]"), "decision": ("{", "}"), "terminal": ("([", "])")}[shape]
        self.lines.append(f"  {ident}{open_}{text}{close}")

    def edge(self, a: str, b: str, text: str = "", dashed: bool = False) -> None:
        arrow = "-.->" if dashed else "-->"
        self.lines.append(f"  {a} {arrow}|{label(text)}| {b}" if text else f"  {a} {arrow} {b}")

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


# -- a rule set ----------------------------------------------------------------------------------


def graph(setup: ev.ClassicSetup | ev.MailManagerSetup, title: str = "") -> str:
    """The flowchart of a rule set."""
    if isinstance(setup, ev.MailManagerSetup):
        return _graph_mm(setup, title)
    return _graph_classic(setup, title)


def _begin(title: str, count: int) -> _Chart:
    """A rule set's chart with its ``START`` and ``DONE`` nodes, and the edge to the first rule."""
    chart = _Chart()
    chart.node("START", label(title or "mail arrives", "each envelope recipient, rules in order"), "terminal")
    chart.node("DONE", label("end of the rule set"), "terminal")
    chart.edge("START", "R1" if count else "DONE")
    return chart


def _next(i: int, count: int) -> str:
    """The node mail goes on to after rule ``i`` (0-based): the next rule's, or ``DONE``."""
    return f"R{i + 2}" if i + 1 < count else "DONE"


def _graph_classic(setup: ev.ClassicSetup, title: str) -> str:
    rules = setup.rules
    chart = _begin(title, len(rules))
    for i, rule in enumerate(rules):
        rid, nxt = f"R{i + 1}", _next(i, len(rules))
        name = ev.rule_name(rule.name, rule.index)
        if rule.recipients is None:
            matches = "every recipient (no Recipients)"
        else:
            shown = quote_list([e.text for e in rule.recipients], limit=4)
            matches = f"Recipients {shown}" if shown else "no recipient (empty Recipients)"
        if not rule.is_enabled:
            chart.node(rid, label(f"{i + 1}. {name} (disabled)", matches))
            chart.edge(rid, nxt, "skipped", dashed=True)
            continue
        tls = ["TlsPolicy Require: mail without TLS is bounced"] if rule.requires_tls else []
        chart.node(rid, label(f"{i + 1}. {name}", matches, *tls), "decision")
        aid = f"A{i + 1}"
        lines = [action_line(a.type, a.body, CLASSIC_DELIVERY_ACTIONS) for a in rule.actions] or ["no actions"]
        chart.node(aid, label(*lines))
        chart.edge(rid, aid, "matches")
        if not rule.catch_all:  # (a rule without Recipients matches every recipient)
            chart.edge(rid, nxt, "no match")
        sid = f"S{i + 1}"
        synchronous = any(cm.is_request_response(a) for a in rule.actions)
        if rule.stops or synchronous:
            chart.node(sid, label("evaluation stops"), "terminal")
        if rule.stops:
            chart.edge(aid, sid, "StopAction")
            if not rule.always_stops:
                chart.edge(aid, nxt, "a RequestResponse Lambda returns STOP_RULE", dashed=True)
        else:
            chart.edge(aid, nxt, "next rule")
        if synchronous:
            chart.edge(aid, sid, "a RequestResponse Lambda returns STOP_RULE_SET", dashed=True)
    return chart.text()


def _graph_mm(setup: ev.MailManagerSetup, title: str) -> str:
    rules = setup.rules
    chart = _begin(title, len(rules))
    for i, rule in enumerate(rules):
        rid, nxt = f"R{i + 1}", _next(i, len(rules))
        name = ev.rule_name(rule.name, rule.index)
        conds = [ev.describe_condition(c) for c in mm.read_condition_list(rule.node.get("Conditions"))]
        unless = [ev.describe_condition(c) for c in mm.read_condition_list(rule.node.get("Unless"))]
        what = [f"if {c}" for c in conds] or ["every message (no Conditions)"]
        what += [f"unless {u}" for u in unless]
        chart.node(rid, label(f"{i + 1}. {name}", *what), "decision")
        aid = f"A{i + 1}"
        drop = rule.drop_index
        shown = rule.actions if drop is None else rule.actions[: drop + 1]
        lines = [action_line(a.type, a.body, MM_DELIVERY_ACTIONS) for a in shown] or ["no actions"]
        chart.node(aid, label(*lines))
        chart.edge(rid, aid, "applies")
        if not rule.unconditional:
            chart.edge(rid, nxt, "does not apply")
        if drop is not None:
            chart.node(f"D{i + 1}", label("dropped: processing stops"), "terminal")
            chart.edge(aid, f"D{i + 1}", "Drop")
        else:
            chart.edge(aid, nxt, "next rule (every applying rule runs)")
    return chart.text()


# -- a trace -------------------------------------------------------------------------------------


def trace_chart(trace: ev.Trace) -> str:
    """The flowchart of one simulation: the connection, then per recipient the rules that matched,
    the actions that ran, where evaluation stopped and the outcome."""
    chart = _Chart()
    mail = trace.mail
    chart.node("MAIL", label(f"mail from {mail.source_ip}", f"MAIL FROM <{mail.mail_from}>"), "terminal")
    conn = trace.connection
    chart.node("CONN", label(f"connection {'accepted' if conn.accepted else 'refused'}", conn.reason), "decision")
    chart.edge("MAIL", "CONN")
    delivery = MM_DELIVERY_ACTIONS if trace.service == "mailmanager" else CLASSIC_DELIVERY_ACTIONS
    for n, r in enumerate(trace.recipients, 1):
        pid = f"P{n}"
        chart.node(pid, label(f"recipient {r.address}"))
        chart.edge("CONN", pid)
        prev = pid
        if r.accepted:
            for s in r.steps:
                if not s.matched:
                    continue
                sid = f"P{n}R{s.rule_index + 1}"
                lines = [f"{s.rule_index + 1}. {s.rule}", s.why]
                lines += [action_line(a.type, _action_body(a), delivery) for a in s.actions]
                chart.node(sid, label(*lines))
                chart.edge(prev, sid)
                prev = sid
            if r.stopped_by is not None:
                xid = f"P{n}X"
                chart.node(xid, label(f"stopped by {r.stopped_by.type}", r.stopped_by.reason), "box")
                chart.edge(prev, xid)
                prev = xid
        oid = f"P{n}O"
        chart.node(oid, label(r.outcome, r.reason), "terminal")
        chart.edge(prev, oid)
    return chart.text()


def _action_body(run: ev.ActionRun) -> Node | None:
    """The action's own object (``{"S3Action": {...}}`` -> ``{...}``) of an action that ran."""
    entry = run.ref.node
    if entry.kind == OBJECT and len(entry.member_list) == 1:
        return entry.member_list[0][1]
    return None


# -- a semantic diff ------------------------------------------------------------------------------


def diff_chart(result: DiffResult) -> str:
    """The flowchart of a semantic diff (``ses-lsp diff --format mermaid``): one node per class of
    mail whose outcome changes, its outcome before and after beside it; or one node saying no mail
    changes outcome."""
    from ses_lsp.semantics.diff import describe_outcome

    chart = _Chart()
    checked = f"{result.classes} class{'es' if result.classes != 1 else ''} of mail checked"
    if not result.differences:
        chart.node("SAME", label("No mail changes outcome", checked), "terminal")
        return chart.text()
    n = len(result.differences)
    chart.node("DIFF", label(f"{n} class{'es' if n != 1 else ''} of mail change outcome", checked), "terminal")
    for i, d in enumerate(result.differences, 1):
        before, after = d.before.recipients[0], d.after.recipients[0]
        chart.node(f"C{i}", label(d.description), "decision")
        for side, r, trace in (("B", before, d.before), ("A", after, d.after)):
            # one label line per step of the outcome ("S3Action in rule ...", "stopped by ...")
            chart.node(f"C{i}{side}", label(r.outcome, *describe_outcome(r, trace.connection).split(", ")))
        chart.edge("DIFF", f"C{i}")
        chart.edge(f"C{i}", f"C{i}B", "before")
        chart.edge(f"C{i}", f"C{i}A", "after")
    return chart.text()


def fenced(text: str) -> str:
    """The chart as a Markdown code block that GitHub renders."""
    return f"```mermaid\n{text}```\n"


__all__ = ["action_line", "diff_chart", "fenced", "graph", "label", "trace_chart"]
