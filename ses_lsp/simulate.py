"""``ses-lsp simulate RULES... --mail FILE``: where one mail goes through your rules.

The command's input and output; the semantics are :mod:`ses_lsp.semantics.evaluate`'s.

* RULES: files and directories holding one rule set (a classic receipt rule set, or a single
  receipt rule; or a Mail Manager rule set) and what stands in front of it (classic IP filters;
  a Mail Manager traffic policy and ingress point).  Every document is linted first: one that
  does not parse stops the simulation (exit 2, with the linter's diagnostics); other problems
  are counted in a note, and the document is read as written.  A file named explicitly must
  be one of those kinds; files found in a directory that are not are skipped.
* ``--mail``: a scenario document (``ses-lsp:scenario``), or a message file (``.eml``).  A
  scenario with error diagnostics stops the simulation (exit 2).
* Output: a trace to read top to bottom (``text``), or the documented JSON contract (``json``).

Exit codes: 0 the simulation ran (whatever happened to the mail); 2 usage or input errors.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ses_lsp.lint.config import config_for
from ses_lsp.lint.engine import LintResult, lint_bytes
from ses_lsp.lint.files import STDIN, discover, display_path, read_file
from ses_lsp.lint.output import format_text
from ses_lsp.lint.rules.common import (
    CLASSIC_FILTER_KINDS,
    CLASSIC_RULE_KINDS,
    MM_INGRESS_KINDS,
    MM_RULE_SET_KINDS,
    MM_TRAFFIC_POLICY_KINDS,
    SCENARIO_KINDS,
)
from ses_lsp.lint.runner import make_record
from ses_lsp.lint.text import quote
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics.mail import Mail, build_mail, read_eml, read_scenario

USABLE = CLASSIC_RULE_KINDS | CLASSIC_FILTER_KINDS | MM_RULE_SET_KINDS | MM_TRAFFIC_POLICY_KINDS | MM_INGRESS_KINDS
# Codes that mean a document could not be read as a tree.
FATAL = frozenset({"SES001", "SES006"})


class InputError(Exception):
    """Input the simulation cannot use: the message goes to stderr, exit code 2."""


@dataclass
class Loaded:
    """One input document, linted."""

    display: str  # the name shown (relative to the current directory when inside it)
    result: LintResult

    @property
    def kind(self) -> str | None:
        return self.result.kind

    def errors(self) -> int:
        return sum(1 for d in self.result.diagnostics if d.severity.label == "error")

    def position(self, offset: int) -> tuple[int, int]:
        doc = self.result.document
        if doc is None:
            return 1, 1
        line, col = doc.lines.position(offset)
        return line + 1, col + 1


def _diagnostics_text(loaded: Loaded, errors_only: bool = False) -> str:
    record = make_record(loaded.result)
    if errors_only:
        record = {**record, "diagnostics": [d for d in record["diagnostics"] if d["severity"] == "error"]}
    return format_text([(loaded.display, record)], summary=False)


def _lint(path: str, display: str, explicit: bool, kind: str | None = None) -> Loaded:
    try:
        data = read_file(path)
    except OSError as exc:
        raise InputError(f"cannot read {display!r}: {exc.strerror or exc}") from None
    result = lint_bytes(data, path, config_for(os.path.dirname(os.path.abspath(path))), explicit=explicit, kind=kind)
    return Loaded(display, result)


@dataclass
class Inputs:
    """The documents of one simulation, sorted by role."""

    rules: Loaded
    filters: list[Loaded]
    policy: Loaded | None
    ingress: Loaded | None
    notes: list[str]

    @property
    def service(self) -> str:
        return "mailmanager" if self.rules.kind in MM_RULE_SET_KINDS else "ses"


def load_rules(paths: list[str], what_rules: str = "RULES") -> Inputs:
    """Lint and sort the RULES arguments (InputError when they do not make one pipeline)."""
    if STDIN in paths:
        raise InputError(f"{what_rules}: the standard input ('-') is not supported; name the files")
    targets, problems = discover(paths)
    if problems:
        raise InputError("; ".join(p.message() for p in problems))
    items = []
    for t in targets:
        assert t.path is not None  # (no standard input here)
        items.append((_lint(t.path, t.display, t.explicit), t.explicit))
    return assemble(items, what_rules)


def assemble(items: list[tuple[Loaded, bool]], what_rules: str = "RULES") -> Inputs:
    """Sort linted documents (each with whether the user named it) into one pipeline
    (InputError when they do not make one).  ``what_rules`` names the argument in messages."""
    found: dict[str, list[Loaded]] = {"rules": [], "filters": [], "policy": [], "ingress": []}
    notes: list[str] = []
    for loaded, explicit in items:
        res = loaded.result
        kind = res.kind
        if kind is not None and kind not in USABLE and not explicit:
            continue  # found by a walk, and of another kind (even if broken): not the simulation's
        if any(d.code in FATAL for d in res.diagnostics) or res.document is None or res.document.root is None:
            sys.stderr.write(_diagnostics_text(loaded, errors_only=True))
            raise InputError(f"{loaded.display} cannot be read as a document (see above); fix it, or leave it out")
        if kind is None or kind not in USABLE:
            if not explicit:
                continue  # found by a walk: not a document the simulation reads
            if kind in SCENARIO_KINDS:
                raise InputError(f"{loaded.display} is a scenario (a mail): pass it with --mail, not as {what_rules}")
            what = f"a {kind} document" if kind else "not an SES document"
            raise InputError(
                f"{loaded.display} is {what}; {what_rules} are rule sets (or a single receipt rule), IP filters, "
                "traffic policies and ingress points"
            )
        role = (
            "rules"
            if kind in CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS
            else "filters"
            if kind in CLASSIC_FILTER_KINDS
            else "policy"
            if kind in MM_TRAFFIC_POLICY_KINDS
            else "ingress"
        )
        found[role].append(loaded)
        errors = loaded.errors()
        if errors:
            notes.append(
                f"note: {loaded.display} has {errors} error{'s' if errors != 1 else ''} (`ses-lsp lint "
                f"{loaded.display}` shows them); it is simulated as written"
            )
    hold = f"{what_rules} {'hold' if what_rules == 'RULES' else 'holds'}"
    rules = found["rules"]
    if not rules:
        raise InputError(f"{hold} no rule set: name a receipt rule set, a receipt rule or a Mail Manager rule set")
    if len(rules) > 1:
        names = ", ".join(r.display for r in rules)
        why = "a simulation runs one" if what_rules == "RULES" else "each side of a diff is one"
        raise InputError(f"{hold} {len(rules)} rule sets ({names}); {why}: name one of them")
    inputs = Inputs(rules[0], found["filters"], None, None, notes)
    if inputs.service == "mailmanager":
        if inputs.filters:
            raise InputError(
                f"{inputs.filters[0].display} is a classic IP filter, but {inputs.rules.display} is a Mail Manager "
                "rule set (Mail Manager uses a traffic policy); leave one of them out"
            )
        for role in ("policy", "ingress"):
            docs = found[role]
            if len(docs) > 1:
                what = "traffic policies" if role == "policy" else "ingress points"
                raise InputError(f"{hold} {len(docs)} {what} ({', '.join(d.display for d in docs)}); name one")
        inputs.policy = found["policy"][0] if found["policy"] else None
        inputs.ingress = found["ingress"][0] if found["ingress"] else None
    else:
        extra = found["policy"] + found["ingress"]
        if extra:
            raise InputError(
                f"{extra[0].display} is a Mail Manager document, but {inputs.rules.display} is a classic rule "
                "set; leave one of them out"
            )
    return inputs


def load_mail(
    path: str, verified: list[str] | None, label: str = "--mail", report: Callable[[str], None] | None = None
) -> Mail:
    """The mail of ``--mail``: a scenario, or a message file (``.eml``).  ``label`` starts the
    messages (what named the file); ``report`` gets a scenario's error diagnostics as text
    (default: the standard error)."""
    display = display_path(path)
    if path.lower().endswith(".eml"):
        try:
            data = read_file(path)
        except OSError as exc:
            raise InputError(f"{label}: cannot read {display!r}: {exc.strerror or exc}") from None
        return _with_recipients(build_mail({}, read_eml(data), verified), display, label)
    if not os.path.lexists(path):
        raise InputError(f"{label}: cannot read {display!r}: No such file or directory")
    loaded = _lint(path, display, True)
    if loaded.kind not in SCENARIO_KINDS:
        what = f"a {loaded.kind} document" if loaded.kind else "not a scenario"
        raise InputError(f"{label}: {display} is {what}; give a scenario (YAML/JSON) or a message file (.eml)")
    if loaded.errors():
        (report or sys.stderr.write)(_diagnostics_text(loaded, errors_only=True))
        raise InputError(f"{label}: {display} has errors (see above)")
    doc = loaded.result.document
    scenario = read_scenario(doc.root if doc is not None else None)
    message = None
    eml = scenario.values.get("Message")
    if eml is not None:
        eml_path = eml if os.path.isabs(eml) else os.path.join(os.path.dirname(path), eml)
        try:
            data = read_file(eml_path)
        except OSError as exc:
            line, col = loaded.position(scenario.nodes["Message"].start)
            raise InputError(
                f"{display}:{line}:{col}: Message {quote(eml)}: cannot read {display_path(eml_path)!r}: "
                f"{exc.strerror or exc}"
            ) from None
        message = read_eml(data)
    return _with_recipients(build_mail(scenario.values, message, verified), display, label)


def _with_recipients(mail: Mail, display: str, label: str = "--mail") -> Mail:
    if not mail.recipients:
        raise InputError(
            f"{label}: {display} gives no recipient: list them in the scenario's Recipients, or in the "
            "message's To/Cc headers"
        )
    return mail


Setup = ev.ClassicSetup | ev.MailManagerSetup


def build_setup(inputs: Inputs) -> Setup:
    """The evaluation model's view of loaded inputs: build once, evaluate many mails."""
    rules_root = inputs.rules.result.document.root if inputs.rules.result.document is not None else None
    if inputs.service == "mailmanager":

        def root(d: Loaded | None):
            return d.result.document.root if d is not None and d.result.document is not None else None

        return ev.MailManagerSetup.from_documents(
            rules_root, inputs.rules, root(inputs.policy), inputs.policy, root(inputs.ingress), inputs.ingress
        )
    return ev.ClassicSetup.from_documents(
        rules_root,
        inputs.rules,
        [(f.result.document.root if f.result.document is not None else None, f) for f in inputs.filters],
    )


def simulate(inputs: Inputs, mail: Mail, setup: Setup | None = None, explain: bool = True) -> ev.Trace:
    """Run the evaluation model on loaded inputs (``setup``: :func:`build_setup`'s, when it is built already)."""
    if setup is None:
        setup = build_setup(inputs)
    if isinstance(setup, ev.MailManagerSetup):
        return ev.evaluate_mailmanager(setup, mail, explain)
    return ev.evaluate_classic(setup, mail, explain)


def locate(ref: ev.Ref) -> dict[str, Any]:
    """``{"file", "pointer", "line", "column"}`` of a place in an input document."""
    src = ref.source
    if not isinstance(src, Loaded):
        return {"file": None, "pointer": ref.node.pointer}
    line, col = src.position(ref.node.start)
    return {"file": src.display, "pointer": ref.node.pointer, "line": line, "column": col}


def _at(ref: ev.Ref | None) -> str:
    if ref is None:
        return ""
    where = locate(ref)
    return f"{where['file']}:{where.get('line', 1)}:{where.get('column', 1)}"


# -- text ----------------------------------------------------------------------------------


def _origin(mail: Mail, member: str) -> str:
    o = mail.origin.get(member, "default")
    return "" if o == "scenario" else f" ({o})"


def render_text(trace: ev.Trace, inputs: Inputs, mail_name: str) -> str:
    mail = trace.mail
    out: list[str] = []
    add = out.append
    service = "SES classic" if trace.service == "ses" else "SES Mail Manager"
    front = [f.display for f in inputs.filters] + [d.display for d in (inputs.policy, inputs.ingress) if d]
    add(
        f"{service}: {inputs.rules.display} ({trace.rule_count} rule{'s' if trace.rule_count != 1 else ''})"
        + (f" behind {', '.join(front)}" if front else "")
        + f"; mail {mail_name}"
    )
    add("")
    add("mail")
    tls = f"TLS ({mail.tls_protocol})" if mail.tls else "no TLS"
    source = f"{mail.source_ip}{_origin(mail, 'SourceIp')}"
    add(f"  from {source}, {tls}{_origin(mail, 'Tls')}, HELO {mail.helo}{_origin(mail, 'Helo')}")
    add(f"  MAIL FROM <{mail.mail_from}>{_origin(mail, 'MailFrom')}")
    add(f"  RCPT TO {', '.join(f'<{r}>' for r in mail.recipients)}{_origin(mail, 'Recipients')}")
    subject = mail.header_values("Subject")
    if subject:
        add(f"  Subject: {subject[0]}")
    add("")
    conn = trace.connection
    add(f"connection: {'accepted' if conn.accepted else 'refused'}")
    add(f"  {_at(conn.decided_by) + ': ' if conn.decided_by else ''}{conn.reason}")
    for r in trace.recipients:
        add("")
        add(f"recipient {r.address}: {r.outcome}")
        if not r.accepted:
            at = r.admission.decided_by if r.admission is not None else None
            add(f"  {_at(at) + ': ' if at else ''}{r.reason}")
            continue
        if r.admission is not None and conn.decided_by is None and inputs.policy is not None:
            adm = r.admission
            add(f"  traffic policy: {_at(adm.decided_by) + ': ' if adm.decided_by else ''}{adm.reason}")
        if not r.steps:
            add("  no rule to evaluate")
        for s in r.steps:
            label = ev.rule_label_from_name(s.rule)
            add(f"  {_at(s.ref)}: {label}: {s.why}")
            for a in s.actions:
                extra = f" ({a.note})" if a.note else ""
                if a.recipients is not None and trace.service == "mailmanager" and a.recipients != [r.address]:
                    extra += f" for {', '.join(a.recipients) or 'no recipient'}"
                add(f"    {_at(a.ref)}: action {a.index + 1}: {a.type}{extra}")
            for note in s.notes:
                add(f"    {note}")
        stop = r.stopped_by
        if stop is not None:
            if stop.type == "TlsPolicy":
                add(f"    {_at(stop.ref)}: TlsPolicy: Require")
            elif stop.type != "LambdaAction":  # (a Lambda action is listed with the actions that ran)
                add(f"    {_at(stop.ref)}: action {(stop.index or 0) + 1}: {stop.type}")
            add(f"  evaluation stops here for this recipient: {stop.reason}")
        if r.skipped is not None:
            first, last = r.skipped
            rng = f"rule {first + 1}" if first == last else f"rules {first + 1} to {last + 1}"
            add(f"  {rng} not evaluated")
        add(f"  result: {r.outcome}: {r.reason}")
    return "\n".join(out) + "\n"


def run(
    rule_paths: list[str], mail_path: str, fmt: str, note: Callable[[str], None], write: Callable[[str], None]
) -> int:
    """The command: 0 when the simulation ran; InputError for input it cannot use."""
    inputs = load_rules(rule_paths)
    for n in inputs.notes:
        note(n)
    verified = None
    if inputs.rules.result.document is not None:
        cfg = config_for(os.path.dirname(os.path.abspath(inputs.rules.result.path or ".")))
        verified = list(cfg.verified_domains) or None
    mail = load_mail(mail_path, verified)
    trace = simulate(inputs, mail)
    if fmt == "json":
        import json

        write(json.dumps(ev.trace_json(trace, locate), indent=2, ensure_ascii=False) + "\n")
    elif fmt == "mermaid":
        from ses_lsp.mermaid import trace_chart

        write(trace_chart(trace))
    else:
        write(render_text(trace, inputs, display_path(mail_path)))
    return 0


def run_graph(rule_paths: list[str], fmt: str, note: Callable[[str], None], write: Callable[[str], None]) -> int:
    """``ses-lsp graph``: the rule set's flow as a Mermaid flowchart (``markdown``: in a code block)."""
    from ses_lsp.mermaid import fenced, graph

    inputs = load_rules(rule_paths)
    for n in inputs.notes:
        note(n)
    chart = graph(build_setup(inputs), f"{inputs.rules.display}")
    write(fenced(chart) if fmt == "markdown" else chart)
    return 0
