"""``ses-lsp test [PATHS]``: run routing tests (``ses-lsp:routing-test`` documents).

* ``PATHS``: routing-test files, or directories walked for them (default: the current
  directory).  A walk takes the files the configuration's ``routing-tests`` globs match
  (default ``*.routing.yaml``, ``*.routing.yml``, ``*.routing.json``; a ``!pattern`` leaves
  files out) or that its ``kinds`` table makes routing tests; a file named explicitly must be
  one (by those globs or by its content: ``RuleFiles`` and ``Cases``).
* Each file is linted first: error diagnostics (it does not parse, a rule file is missing, an
  expectation names a rule the rule set does not define, ...) make it an input error, and its
  cases do not run.  Its ``RuleFiles`` are loaded as ``ses-lsp simulate`` loads RULES, once per
  file; then every case's mail runs through the one evaluation model
  (:mod:`ses_lsp.semantics.evaluate`) and the expected keys are compared
  (:func:`ses_lsp.semantics.routing.compare`).
* Output: ``text`` (like pytest: a line per file with ``.`` for a case that passed, ``F`` one
  that failed, ``E`` one that could not run; then each failure with the expected and actual
  results side by side and the simulate trace; a summary line), ``json`` (the contract in
  :func:`json_report`) or ``junit`` (JUnit XML, :func:`junit_report`).

Exit codes: 0 every case passed; 1 a case failed; 2 usage or input errors (no routing test
found, a file that does not parse or has errors, a rule file or mail that cannot be used).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ses_lsp.document.nodes import Node
from ses_lsp.lint.config import config_for
from ses_lsp.lint.engine import LintResult, lint_bytes
from ses_lsp.lint.files import STDIN, Target, discover, display_path, read_file
from ses_lsp.lint.output import format_text
from ses_lsp.lint.runner import make_record
from ses_lsp.lint.text import quote
from ses_lsp.routing_files import base_directory, entry_path
from ses_lsp.schema import ROUTING_TEST_KIND
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics.mail import Mail, build_mail, read_eml, read_scenario
from ses_lsp.semantics.routing import EXPECTATION, Case, Expectation, Mismatch, compare, project, read_routing
from ses_lsp.simulate import (
    FATAL,
    InputError,
    Inputs,
    Setup,
    build_setup,
    load_mail,
    load_rules,
    locate,
    render_text,
    simulate,
)

PASSED, FAILED, ERROR = "passed", "failed", "error"
MARK = {PASSED: ".", FAILED: "F", ERROR: "E"}
WIDTH = 80  # the width of the text output's rules (fixed: the output does not depend on the terminal)


@dataclass
class CaseResult:
    case: Case
    line: int  # 1-based line of the case in its file
    status: str
    seconds: float = 0.0
    error: str | None = None
    mismatches: list[Mismatch] = field(default_factory=list)
    trace: ev.Trace | None = None  # the explained trace of a failed case
    mail_name: str = ""


@dataclass
class FileResult:
    display: str
    path: str
    error: str | None = None  # why its cases did not run
    cases: list[CaseResult] = field(default_factory=list)
    seconds: float = 0.0
    inputs: Inputs | None = None

    def count(self, status: str) -> int:
        return sum(1 for c in self.cases if c.status == status)


@dataclass
class Run:
    files: list[FileResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # path and usage errors (no file to put them on)
    seconds: float = 0.0

    def totals(self) -> dict[str, int]:
        cases = [c for f in self.files for c in f.cases]
        return {
            "files": len(self.files),
            "cases": len(cases),
            PASSED: sum(1 for c in cases if c.status == PASSED),
            FAILED: sum(1 for c in cases if c.status == FAILED),
            "errors": sum(1 for c in cases if c.status == ERROR) + sum(1 for f in self.files if f.error),
        }

    def exit_code(self) -> int:
        t = self.totals()
        if self.problems or t["errors"]:
            return 2
        return 1 if t[FAILED] else 0


# -- finding the files ---------------------------------------------------------------------


def find(paths: list[str]) -> tuple[list[Target], list[str]]:
    """The routing-test files under ``paths`` (see the module docs), and the paths that failed."""
    if STDIN in paths:
        return [], ["PATHS: the standard input ('-') is not supported; name the routing-test files"]
    targets, errors = discover(paths or ["."])
    problems = [p.message() for p in errors]
    found = []
    for t in targets:
        assert t.path is not None  # (no standard input here)
        if t.explicit or config_for(os.path.dirname(os.path.abspath(t.path))).kind_for(t.path) == ROUTING_TEST_KIND:
            found.append(t)
    return found, problems


# -- running -------------------------------------------------------------------------------


class _Loader:
    """Rule files and mail files, each loaded once per run."""

    def __init__(self) -> None:
        self.rules: dict[tuple[str, ...], tuple[Inputs, Setup, list[str] | None] | InputError] = {}
        self.mails: dict[str, Mail | InputError] = {}

    def load_rules(self, paths: list[str]) -> tuple[Inputs, Setup, list[str] | None]:
        def load() -> tuple[Inputs, Setup, list[str] | None]:
            inputs = load_rules(paths)
            for n in inputs.notes:
                _note(n)
            cfg = config_for(os.path.dirname(os.path.abspath(inputs.rules.result.path or ".")))
            return inputs, build_setup(inputs), list(cfg.verified_domains) or None

        return _once(self.rules, tuple(os.path.normcase(p) for p in paths), load)

    def load_mail(self, path: str, verified: list[str] | None, label: str) -> Mail:
        return _once(
            self.mails, (os.path.normcase(path), tuple(verified or ())), lambda: load_mail(path, verified, label)
        )


def _once(store: dict, key: object, load: Callable[[], Any]) -> Any:
    """``load()``'s value (or its InputError, raised again) the first time ``key`` is asked for."""
    got = store.get(key)
    if got is None:
        try:
            got = load()
        except InputError as exc:
            got = exc
        store[key] = got
    if isinstance(got, InputError):
        raise got
    return got


def _note(message: str) -> None:
    try:
        sys.stderr.write(message + "\n")
    except (OSError, ValueError):
        pass


def _lint(t: Target) -> LintResult | str:
    assert t.path is not None
    try:
        data = read_file(t.path)
    except OSError as exc:
        return f"cannot read {t.display!r}: {exc.strerror or exc}"
    return lint_bytes(data, t.path, config_for(os.path.dirname(os.path.abspath(t.path))), explicit=True)


def _errors_text(display: str, result: LintResult) -> str:
    record = make_record(result)
    record = {**record, "diagnostics": [d for d in record["diagnostics"] if d["severity"] == "error"]}
    return format_text([(display, record)], summary=False).rstrip("\n")


def run_file(t: Target, loader: _Loader) -> FileResult:
    assert t.path is not None
    start = time.perf_counter()
    out = FileResult(t.display, t.path)
    try:
        _run_file(t, out, loader)
    finally:
        out.seconds = time.perf_counter() - start
    return out


def _run_file(t: Target, out: FileResult, loader: _Loader) -> None:
    result = _lint(t)
    if isinstance(result, str):
        out.error = result
        return
    doc = result.document
    if result.kind != ROUTING_TEST_KIND:
        what = f"a {result.kind} document" if result.kind else "not a routing test"
        out.error = (
            f"{t.display} is {what}; a routing test has RuleFiles and Cases (files named *.routing.yaml, or as the "
            "configuration's routing-tests globs say)"
        )
        return
    errors = [d for d in result.diagnostics if d.severity.label == "error"]
    if any(d.code in FATAL for d in errors) or doc is None or doc.root is None:
        out.error = f"{t.display} cannot be read as a document:\n{_errors_text(t.display, result)}"
        return
    if errors:
        n = len(errors)
        out.error = (
            f"{t.display} has {n} error{'s' if n != 1 else ''}; its cases did not run:\n"
            f"{_errors_text(t.display, result)}"
        )
        return
    routing = read_routing(doc.root)
    base = base_directory(t.path)
    try:
        inputs, setup, verified = loader.load_rules([entry_path(base, e) for e, _ in routing.rule_files])
    except InputError as exc:
        out.error = f"{t.display}: RuleFiles: {exc}"
        return
    out.inputs = inputs
    lines = doc.lines
    for case in routing.cases:
        line = lines.position(case.node.start)[0] + 1
        out.cases.append(_run_case(t, base, case, line, inputs, setup, verified, loader))


def _mail_of(
    t: Target, base: str, case: Case, line: int, verified: list[str] | None, loader: _Loader
) -> tuple[Mail, str]:
    """The case's mail and the name the trace gives it."""
    return case_mail(f"{t.display}:{line}", base, case, verified, loader.load_mail)


def case_mail(
    where: str, base: str, case: Case, verified: list[str] | None, load: Callable[[str, list[str] | None, str], Mail]
) -> tuple[Mail, str]:
    """A routing-test case's mail (InputError when it cannot be used) and the name a trace gives
    it: ``where`` names the case (``file:line``), ``base`` is the directory its paths are relative
    to, ``load(path, verified, label)`` loads a mail file (:func:`ses_lsp.simulate.load_mail`)."""
    label = f"{where}: Mail"
    mail = case.mail
    if isinstance(mail, str):
        path = os.path.normpath(os.path.join(base, mail))
        return load(path, verified, label), display_path(path)
    if not isinstance(mail, Node):
        raise InputError(f"{label}: missing")  # (the schema pass reports it first)
    scenario = read_scenario(mail)
    message = None
    eml = scenario.values.get("Message")
    if eml is not None:
        path = os.path.normpath(os.path.join(base, eml))
        try:
            message = read_eml(read_file(path))
        except OSError as exc:
            raise InputError(
                f"{label}: Message {quote(eml)}: cannot read {display_path(path)!r}: {exc.strerror or exc}"
            ) from None
    built = build_mail(scenario.values, message, verified)
    if not built.recipients:
        raise InputError(f"{label}: no recipient: list them in Recipients, or in the message's To/Cc headers")
    return built, f"{where} (inline)"


def _run_case(
    t: Target,
    base: str,
    case: Case,
    line: int,
    inputs: Inputs,
    setup: Setup,
    verified: list[str] | None,
    loader: _Loader,
) -> CaseResult:
    start = time.perf_counter()
    res = CaseResult(case, line, PASSED)
    try:
        mail, res.mail_name = _mail_of(t, base, case, line, verified, loader)
    except InputError as exc:
        res.status, res.error = ERROR, str(exc)
        res.seconds = time.perf_counter() - start
        return res
    trace = simulate(inputs, mail, setup, explain=False)
    actual = _by_address(ev.trace_json(trace, locate, explain=False))
    for e in case.expectations:
        res.mismatches += compare(e.values, e.address, actual.get(e.address))
    if res.mismatches:
        res.status = FAILED
        res.trace = simulate(inputs, mail, setup, explain=True)
    res.seconds = time.perf_counter() - start
    return res


def _by_address(trace: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for r in trace["recipients"]:
        out.setdefault(r["address"], r)
    return out


def run_all(paths: list[str], progress: Callable[[FileResult], None] | None = None) -> Run:
    start = time.perf_counter()
    found, problems = find(paths)
    run = Run(problems=problems)
    if not found and not problems:
        where = ", ".join(paths) if paths else "the current directory"
        run.problems.append(
            f"no routing tests found in {where}: name them *.routing.yaml (or .yml, .json), or set the "
            "configuration's routing-tests globs"
        )
    loader = _Loader()
    for t in found:
        fr = run_file(t, loader)
        run.files.append(fr)
        if progress is not None:
            progress(fr)
    run.seconds = time.perf_counter() - start
    return run


# -- text ----------------------------------------------------------------------------------


def progress_line(fr: FileResult) -> str:
    marks = "".join(MARK[c.status] for c in fr.cases) if fr.error is None else "E"
    return f"{fr.display} {marks}\n"


def _heading(title: str, fill: str) -> str:
    title = f" {title} "
    if len(title) >= WIDTH - 2:
        return fill * 2 + title + fill * 2
    left = (WIDTH - len(title)) // 2
    return fill * left + title + fill * (WIDTH - len(title) - left)


def _scalar(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return v if v and v.strip() == v and not any(c in v for c in ",:{}[]#\"'") else quote(v)
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k}: {_scalar(x)}" for k, x in v.items()) + "}"
    return str(v)


def _value_lines(key: str, value: Any) -> list[str]:
    """One expected key's value as the side-by-side view shows it."""
    if key == "actions" and isinstance(value, list):
        return [f"{key}:"] + [f"  - {_scalar(a)}" for a in value] if value else [f"{key}: []"]
    if key == "recipient":
        return ["recipient: " + ("a recipient of the mail" if value else "not a recipient of the mail")]
    return [f"{key}: {_scalar(value)}"]


def _side_by_side(mismatches: list[Mismatch], expectation: Expectation, actual: dict[str, Any] | None) -> list[str]:
    """Every expected key of one recipient: expected on the left, the model's on the right; rows
    that differ are marked with ``!``."""
    left: list[str] = []
    right: list[str] = []
    differ: list[bool] = []
    wrong = {m.key for m in mismatches}
    if actual is None:
        rows = [(["recipient: a recipient of the mail"], ["recipient: not a recipient of the mail"], True)]
    else:
        rows = []
        for m in EXPECTATION:
            if m.name not in expectation.values:
                continue
            want = expectation.values[m.name]
            got = project(m.name, want, actual.get(m.name))
            rows.append((_value_lines(m.name, want), _value_lines(m.name, got), m.name in wrong))
    for lv, rv, bad in rows:
        n = max(len(lv), len(rv))
        lv = lv + [""] * (n - len(lv))
        rv = rv + [""] * (n - len(rv))
        for a, b in zip(lv, rv, strict=True):
            left.append(a)
            right.append(b)
            differ.append(bad and a != b)
    width = max([len("expected")] + [len(x) for x in left])
    out = [f"    {'expected'.ljust(width)}   actual"]
    for a, b, bad in zip(left, right, differ, strict=True):
        out.append(f"    {a.ljust(width)} {'!' if bad else '|'} {b}".rstrip())
    return out


def _trimmed(trace: ev.Trace, case: CaseResult) -> ev.Trace:
    """The trace of a failed case cut to what explains it: the recipients whose expectations
    failed, and for each the rules that matched it or that the expectation names."""
    failing = {m.recipient for m in case.mismatches}
    named: dict[str, set[str]] = {}
    for e in case.case.expectations:
        names = set(e.values.get("rules") or []) if isinstance(e.values.get("rules"), list) else set()
        for a in e.values.get("actions") or []:
            if isinstance(a, dict) and isinstance(a.get("rule"), str):
                names.add(a["rule"])
        stop = e.values.get("stopped_by")
        if isinstance(stop, dict) and isinstance(stop.get("rule"), str):
            names.add(stop["rule"])
        named[e.address] = names
    recipients = []
    for r in trace.recipients:
        if r.address not in failing:
            continue
        keep = named.get(r.address, set())
        recipients.append(replace(r, steps=[s for s in r.steps if s.matched or s.rule in keep]))
    return replace(trace, recipients=recipients)


def failure_message(c: CaseResult) -> str:
    """One line: which recipients' keys differ."""
    by: dict[str, list[str]] = {}
    for m in c.mismatches:
        by.setdefault(m.recipient, []).append(m.key)
    parts = []
    for r, keys in by.items():
        if keys == ["recipient"]:
            parts.append(f"{r}: not a recipient of the mail")
        else:
            parts.append(f"{r}: {', '.join(keys)} not as expected")
    return "; ".join(parts)


def failure_text(fr: FileResult, c: CaseResult, heading: bool = True) -> str:
    out = [_heading(f"{fr.display}:{c.line}: {c.case.name}", "_"), ""] if heading else []
    actual_items: dict[str, dict[str, Any]] = {}
    if c.trace is not None:
        actual_items = _by_address(ev.trace_json(c.trace, locate, explain=False))
    for e in c.case.expectations:
        ms = [m for m in c.mismatches if m.recipient == e.address]
        if not ms:
            continue
        actual = actual_items.get(e.address)
        if actual is None:
            present = ", ".join(actual_items) or "none"
            out.append(f"recipient {e.address}: not a recipient of the mail (its recipients: {present})")
            out.append("")
            continue
        keys = ", ".join(m.key for m in ms)
        out.append(f"recipient {e.address}: {keys} not as expected")
        out += _side_by_side(ms, e, actual)
        out.append("")
    if c.trace is not None and fr.inputs is not None and any(m.key != "recipient" for m in c.mismatches):
        out.append("trace (ses-lsp simulate; rules that do not match are left out unless the case names them):")
        text = render_text(_trimmed(c.trace, c), fr.inputs, c.mail_name)
        out += ["    " + ln if ln else "" for ln in text.rstrip("\n").split("\n")]
        out.append("")
    return "\n".join(out) + "\n"


def summary_line(run: Run) -> str:
    t = run.totals()
    parts = []
    if t[FAILED]:
        parts.append(f"{t[FAILED]} failed")
    if t[PASSED]:
        parts.append(f"{t[PASSED]} passed")
    if t["errors"]:
        parts.append(f"{t['errors']} error{'s' if t['errors'] != 1 else ''}")
    if not parts:
        parts.append("no cases ran")
    return _heading(f"{', '.join(parts)} in {run.seconds:.2f}s", "=") + "\n"


def text_report(run: Run) -> str:
    """Everything after the progress lines: the failures, the errors, the summary."""
    out: list[str] = []
    failures = [(f, c) for f in run.files for c in f.cases if c.status == FAILED]
    if failures:
        out.append("\n" + _heading("FAILURES", "=") + "\n")
        out += [failure_text(f, c) for f, c in failures]
    errors: list[str] = []
    for f in run.files:
        if f.error is not None:
            errors.append(_heading(f.display, "_") + "\n" + f.error + "\n")
        for c in f.cases:
            if c.status == ERROR:
                errors.append(_heading(f"{f.display}:{c.line}: {c.case.name}", "_") + "\n" + (c.error or "") + "\n")
    errors += [p + "\n" for p in run.problems]
    if errors:
        out.append("\n" + _heading("ERRORS", "=") + "\n")
        out += errors
    out.append(("\n" if out else "") + summary_line(run))
    return "".join(out)


# -- JSON ----------------------------------------------------------------------------------


def json_report(run: Run) -> dict[str, Any]:
    """The documented contract of ``ses-lsp test --format json`` (README, "Routing tests")::

        {"summary": {"files", "cases", "passed", "failed", "errors"},
         "errors": [str, ...],                  # path and usage errors
         "files": [{"file", "error": str | null, "seconds",
                    "cases": [{"name", "index", "line", "status": "passed" | "failed" | "error",
                               "seconds", "error": str | null,
                               "mismatches": [{"recipient", "key", "expected", "actual"}],
                               "trace": <ses-lsp simulate --format json> | null}]}]}

    ``trace`` is the failed case's full trace; ``key`` is an expected key, or ``recipient``
    when the mail has no such recipient (``actual`` null)."""
    files = []
    for f in run.files:
        cases = []
        for c in f.cases:
            cases.append(
                {
                    "name": c.case.name,
                    "index": c.case.index,
                    "line": c.line,
                    "status": c.status,
                    "seconds": round(c.seconds, 6),
                    "error": c.error,
                    "mismatches": [
                        {"recipient": m.recipient, "key": m.key, "expected": m.expected, "actual": m.actual}
                        for m in c.mismatches
                    ],
                    "trace": ev.trace_json(c.trace, locate) if c.trace is not None else None,
                }
            )
        files.append({"file": f.display, "error": f.error, "seconds": round(f.seconds, 6), "cases": cases})
    return {"summary": run.totals(), "errors": list(run.problems), "files": files}


# -- JUnit XML -----------------------------------------------------------------------------


def junit_report(run: Run) -> str:
    """JUnit XML as CI systems read it (Jenkins, GitLab, GitHub test reporters): a
    ``testsuites`` root, one ``testsuite`` per routing-test file, one ``testcase`` per case with
    a ``failure`` (the failure text) or an ``error``; a file whose cases did not run is a suite
    with one ``error`` test case."""
    import xml.etree.ElementTree as ET

    t = run.totals()
    root = ET.Element(
        "testsuites",
        {
            "name": "ses-lsp test",
            "tests": str(t["cases"] + sum(1 for f in run.files if f.error) + len(run.problems)),
            "failures": str(t[FAILED]),
            "errors": str(t["errors"] + len(run.problems)),
            "time": f"{run.seconds:.3f}",
        },
    )
    for f in run.files:
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": f.display,
                "tests": str(len(f.cases) or 1),
                "failures": str(f.count(FAILED)),
                "errors": str(f.count(ERROR) + (1 if f.error else 0)),
                "skipped": "0",
                "time": f"{f.seconds:.3f}",
            },
        )
        if f.error is not None:
            case = ET.SubElement(suite, "testcase", {"classname": f.display, "name": f.display, "time": "0.000"})
            err = ET.SubElement(case, "error", {"message": _first_line(f.error), "type": "InputError"})
            err.text = _xml_text(f.error)
            continue
        for c in f.cases:
            case = ET.SubElement(
                suite,
                "testcase",
                {
                    "classname": f.display,
                    "name": c.case.name,
                    "file": f.display,
                    "line": str(c.line),
                    "time": f"{c.seconds:.3f}",
                },
            )
            if c.status == FAILED:
                fail = ET.SubElement(
                    case, "failure", {"message": _xml_text(failure_message(c)), "type": "RoutingMismatch"}
                )
                fail.text = _xml_text(failure_text(f, c, heading=False))
            elif c.status == ERROR:
                err = ET.SubElement(case, "error", {"message": _first_line(c.error or ""), "type": "InputError"})
                err.text = _xml_text(c.error or "")
    for p in run.problems:
        suite = ET.SubElement(
            root, "testsuite", {"name": "ses-lsp test", "tests": "1", "failures": "0", "errors": "1", "skipped": "0"}
        )
        case = ET.SubElement(suite, "testcase", {"classname": "ses-lsp test", "name": "PATHS", "time": "0.000"})
        err = ET.SubElement(case, "error", {"message": _first_line(p), "type": "UsageError"})
        err.text = _xml_text(p)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _first_line(text: str) -> str:
    return _xml_text(text.split("\n", 1)[0])


def _xml_text(text: str) -> str:
    """Text XML 1.0 can carry (it has no escape for most control characters)."""
    return "".join(c if c in "\t\n\r" or (" " <= c and c not in "\ufffe\uffff") else "\ufffd" for c in text)


# -- the command ---------------------------------------------------------------------------


def run(paths: list[str], fmt: str, write: Callable[[str], None]) -> int:
    """The command; returns the exit code."""
    if fmt == "text":
        result = run_all(paths, progress=lambda fr: write(progress_line(fr)))
        write(text_report(result))
    else:
        result = run_all(paths)
        if fmt == "json":
            import json

            write(json.dumps(json_report(result), indent=2, ensure_ascii=False) + "\n")
        else:
            write(junit_report(result))
    return result.exit_code()
