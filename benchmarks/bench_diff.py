"""``ses-lsp diff`` of two 200-rule classic rule sets, in process and as a whole process.

    python benchmarks/bench_diff.py [--runs N]

Target (issue #11): ``diff`` of two 200-rule sets in <= 2 s.

Workloads (benchmarks/workloads.py, deterministic):

* classic, changed: the 200-rule classic set (3 Recipients entries and a StopAction per rule,
  TlsPolicy Require on every other rule) against a copy in which a pull request's worth of
  changes were made: 20 rules lose their StopAction, 20 switch TlsPolicy, 10 get a
  RequestResponse Lambda action first, 10 are disabled, two pairs of rules swap places;
* classic, identical: the set against itself (every class is checked, none differs);
* classic at every quota: 200 rules of 100 Recipients entries (99 addresses and the domain),
  against a copy whose rule 50 loses its StopAction (about 30,000 classes);
* Mail Manager: the 40-rule set at the model's maximums (10 Conditions and 10 Unless of every
  expression type per rule) against a copy whose every fourth rule drops its first Unless: the
  product of its classes exceeds the budget, so this also times the bounded enumeration.

Timed in process: building both setups from parsed documents and ``diff_classic`` /
``diff_mailmanager`` (the parse is outside, reported apart); and as a whole process: ``python -m
ses_lsp diff OLD NEW --format json`` on JSON files (lint of both files included).  Median of
``--runs`` runs after a warm-up.  Nothing is asserted: the figures are for the notes.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import workloads  # noqa: E402

from ses_lsp.document.json_parser import parse_json  # noqa: E402
from ses_lsp.semantics import evaluate as ev  # noqa: E402
from ses_lsp.semantics.diff import diff_classic, diff_mailmanager  # noqa: E402

LAMBDA = "arn:aws:lambda:us-east-1:123456789012:function:screen"


def changed_classic(doc: dict) -> dict:
    new = copy.deepcopy(doc)
    rules = new["Rules"]
    for i in range(0, 200, 10):
        rules[i]["Actions"] = [a for a in rules[i]["Actions"] if "StopAction" not in a]
    for i in range(3, 200, 10):
        rules[i]["TlsPolicy"] = "Optional" if rules[i]["TlsPolicy"] == "Require" else "Require"
    for i in range(5, 200, 20):
        rules[i]["Actions"].insert(0, {"LambdaAction": {"FunctionArn": LAMBDA, "InvocationType": "RequestResponse"}})
    for i in range(7, 200, 20):
        rules[i]["Enabled"] = False
    rules[40], rules[41] = rules[41], rules[40]
    rules[150], rules[120] = rules[120], rules[150]
    return new


def changed_mm(doc: dict) -> dict:
    new = copy.deepcopy(doc)
    for i, rule in enumerate(new["Rules"]):
        if i % 4 == 0 and rule.get("Unless"):
            rule["Unless"] = rule["Unless"][1:]
    return new


def timed(fn, runs: int) -> tuple[float, object]:
    result = fn()  # warm-up
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)
    print(f"Python {platform.python_version()} on {platform.machine()}; median of {args.runs}")
    old = workloads.classic_rule_set()
    full = copy.deepcopy(old)
    for i, rule in enumerate(full["Rules"]):
        rule["Recipients"] = [f"u{j}@d{i}.example.com" for j in range(99)] + [f"d{i}.example.com"]
    full_new = copy.deepcopy(full)
    full_new["Rules"][50]["Actions"] = [a for a in full_new["Rules"][50]["Actions"] if "StopAction" not in a]
    cases = {
        "classic, changed": (old, changed_classic(old)),
        "classic, identical": (old, old),
        "classic at every quota": (full, full_new),
    }
    for name, (a, b) in cases.items():
        ta, tb = json.dumps(a), json.dumps(b)
        t = time.perf_counter()
        pa, pb = parse_json(ta), parse_json(tb)
        parse = time.perf_counter() - t

        def run(pa=pa, pb=pb):
            return diff_classic(ev.ClassicSetup.from_documents(pa.root), ev.ClassicSetup.from_documents(pb.root))

        seconds, result = timed(run, args.runs)
        print(
            f"{name}: {seconds * 1000:.0f} ms in process ({result.classes} classes, {result.mails} mails, "
            f"{len(result.differences)} differences, exhaustive {result.exhaustive}); parse {parse * 1000:.0f} ms"
        )
    mm_old = workloads.mm_rule_set_max()
    mm_new = changed_mm(mm_old)
    pa, pb = parse_json(json.dumps(mm_old)), parse_json(json.dumps(mm_new))

    def run_mm():
        return diff_mailmanager(
            ev.MailManagerSetup.from_documents(pa.root), ev.MailManagerSetup.from_documents(pb.root)
        )

    seconds, result = timed(run_mm, max(1, args.runs // 2))
    print(
        f"Mail Manager 40 rules at the maximums: {seconds * 1000:.0f} ms in process ({result.classes} classes, "
        f"{result.mails} mails, {len(result.differences)} differences, exhaustive {result.exhaustive})"
    )
    with tempfile.TemporaryDirectory() as tmp:
        a_path, b_path = Path(tmp, "old.json"), Path(tmp, "new.json")
        a_path.write_text(json.dumps(old, indent=2))
        b_path.write_text(json.dumps(changed_classic(old), indent=2))
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        cmd = [sys.executable, "-m", "ses_lsp", "diff", str(a_path), str(b_path), "--format", "json"]

        def process():
            p = subprocess.run(cmd, capture_output=True, env=env, cwd=tmp, check=False)
            assert p.returncode == 1, p.stderr
            return p

        seconds, _ = timed(process, args.runs)
        print(f"classic, changed, whole process (`ses-lsp diff old.json new.json --format json`): {seconds:.2f} s wall")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
