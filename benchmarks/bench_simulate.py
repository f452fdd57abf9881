"""The evaluation model (``ses-lsp simulate``'s engine), in process.

    python benchmarks/bench_simulate.py [--runs N] [--count N]

Workloads (benchmarks/workloads.py, deterministic):

* classic: the 200-rule classic rule set (the API maximum; 3 Recipients entries and a
  StopAction per rule, TlsPolicy Require on every other rule) and ``--count`` scenarios of 1-3
  recipients each (a rule's address, its +label form, its domain, a subdomain, or nothing),
  80% over TLS;
* Mail Manager, typical: 40 rules (the API maximum) each at the model's maximums, 10
  Conditions and 10 Unless of every expression type, and ``--count`` mails that fail the
  conditions at every depth;
* Mail Manager, worst case: the same 40 rules made to apply to every ``@*.example.com`` mail,
  and mails that meet all 10 conditions and no Unless of every rule (800 conditions a mail).

Timed: evaluating every mail (``evaluate_classic`` / ``evaluate_mailmanager``) without the
per-rule explanation (what a batch of routing tests needs) and with it (what the trace prints);
the rule set is read and indexed once, outside the timing (reported), and so are the mails.
Median of ``--runs`` runs after a warm-up.  Nothing is asserted: the figures are for the notes.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import workloads  # noqa: E402

from ses_lsp.document.json_parser import parse_json  # noqa: E402
from ses_lsp.semantics import evaluate as ev  # noqa: E402
from ses_lsp.semantics.mail import build_mail  # noqa: E402

CPU: list[float] = []  # the process time of the last timed() call (the machine may be shared)


def timed(fn, runs: int) -> float:
    fn()  # warm-up
    times, cpu = [], []
    for _ in range(runs):
        gc.collect()
        t, c = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
    CPU[:] = [statistics.median(cpu)]
    return statistics.median(times)


def figures(seconds: float, count: int) -> str:
    return f"{seconds * 1000:.0f} ms wall ({seconds / count * 1e6:.1f} us a mail), {CPU[0] * 1000:.0f} ms CPU"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--count", type=int, default=10_000)
    args = ap.parse_args(argv)
    print(f"Python {platform.python_version()} on {platform.machine()}; {args.count} mails; median of {args.runs}")

    keep = []

    def root(doc: dict):
        parsed = parse_json(json.dumps(doc))
        keep.append(parsed)
        return parsed.root

    t = time.perf_counter()
    classic = ev.ClassicSetup.from_documents(root(workloads.classic_rule_set()), "classic-200")
    classic.index  # noqa: B018 (built once)
    setup_classic = time.perf_counter() - t
    t = time.perf_counter()
    classic_mails = [build_mail(s) for s in workloads.classic_scenarios(args.count)]
    build = time.perf_counter() - t
    rcpts = sum(len(m.recipients) for m in classic_mails)

    def run_classic(explain: bool):
        return lambda: [ev.evaluate_classic(classic, m, explain) for m in classic_mails]

    fast = timed(run_classic(False), args.runs)
    fast_text = figures(fast, args.count)
    full = timed(run_classic(True), args.runs)
    full_text = figures(full, args.count)
    print(
        f"classic, 200 rules: read+index {setup_classic * 1000:.1f} ms; {args.count} mails ({rcpts} recipients) "
        f"built in {build * 1000:.0f} ms"
    )
    print(f"  evaluate: {fast_text}; with explanation: {full_text}")

    for label, every, passing in (("typical", False, False), ("worst case", True, True)):
        t = time.perf_counter()
        setup = ev.MailManagerSetup.from_documents(root(workloads.mm_rule_set_max(40, every)), "mm-40")
        setup.compiled  # noqa: B018
        setup_mm = time.perf_counter() - t
        mails = [build_mail(s) for s in workloads.mm_scenarios(args.count, passing=passing)]

        def run_mm(explain: bool, setup=setup, mails=mails):
            return lambda: [ev.evaluate_mailmanager(setup, m, explain) for m in mails]

        fast = timed(run_mm(False), args.runs)
        fast_text = figures(fast, args.count)
        full = timed(run_mm(True), args.runs)
        full_text = figures(full, args.count)
        applied = sum(len(r.rules) for m in mails for r in ev.evaluate_mailmanager(setup, m, False).recipients)
        print(
            f"Mail Manager, 40 rules x (10 Conditions + 10 Unless), {label}: read+compile {setup_mm * 1000:.1f} ms; "
            f"{applied / len(mails):.2f} rules applied a mail"
        )
        print(f"  evaluate: {fast_text}; with explanation: {full_text}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
