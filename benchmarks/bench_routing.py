"""``ses-lsp test`` as a whole process: 1,000 routing-test cases against the 200-rule classic set.

    python benchmarks/bench_routing.py [--runs N] [--cases N]

Target (issue #11): ``ses-lsp test`` with 1,000 cases in <= 2 s wall for the whole process.

Workload (benchmarks/workloads.py, deterministic): the 200-rule classic rule set (YAML, the
API maximum) and one routing-test file of ``--cases`` cases, each the mail of
``workloads.classic_scenarios`` (1-3 recipients: a rule's address, its +label form, its
domain, a subdomain, or nothing; 80% over TLS) inline, expecting for every recipient its
``outcome``, ``rules``, ``actions`` (rule and type of each) and ``stopped_by`` (rule and type),
as the model says: every case passes.  Measured as YAML and as JSON, and once more with one case
in ten expecting a wrong rule list (those fail: their traces are explained and printed).

Each figure: the median wall time of ``--runs`` runs of ``python -m ses_lsp test FILE`` after a
warm-up run (with the editable install of the development environment, whose start-up is
slower than a regular install's), and the child process's CPU time.  Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
import workloads  # noqa: E402

from ses_lsp.document.json_parser import parse_json  # noqa: E402
from ses_lsp.semantics import evaluate as ev  # noqa: E402
from ses_lsp.semantics.mail import build_mail  # noqa: E402

TARGET = 2.0


def expectations(rule_set: dict, scenarios: list[dict]) -> list[dict]:
    """Each scenario's recipients' results as the model gives them, as routing-test expectations."""
    setup = ev.ClassicSetup.from_documents(parse_json(json.dumps(rule_set)).root, "rules")
    out = []
    for s in scenarios:
        trace = ev.trace_json(ev.evaluate_classic(setup, build_mail(s), False), lambda r: {}, explain=False)
        expect: dict[str, dict] = {}
        for r in trace["recipients"]:
            stop = r["stopped_by"]
            expect.setdefault(
                r["address"],
                {
                    "outcome": r["outcome"],
                    "rules": r["rules"],
                    "actions": [{"rule": a["rule"], "type": a["type"]} for a in r["actions"]],
                    "stopped_by": {"rule": stop["rule"], "type": stop["type"]} if stop else None,
                },
            )
        out.append(expect)
    return out


def write_workload(directory: Path, cases: int, wrong_every: int = 0) -> dict[str, Path]:
    rule_set = workloads.classic_rule_set()
    (directory / "classic-200.yaml").write_text(yaml.safe_dump(rule_set, sort_keys=False), encoding="utf-8")
    scenarios = workloads.classic_scenarios(cases)
    expects = expectations(rule_set, scenarios)
    items = []
    for i, (s, e) in enumerate(zip(scenarios, expects, strict=True)):
        if wrong_every and i % wrong_every == 0:
            first = next(iter(e.values()))
            first["rules"] = [*first["rules"], "rule-199"] if first["rules"] != ["rule-199"] else []
        items.append({"Name": f"mail {i + 1}", "Mail": s, "Expect": e})
    doc = {"RuleFiles": ["classic-200.yaml"], "Cases": items}
    suffix = "-failing" if wrong_every else ""
    paths = {
        "yaml": directory / f"cases{suffix}.routing.yaml",
        "json": directory / f"cases{suffix}.routing.json",
    }
    paths["yaml"].write_text(yaml.safe_dump(doc, sort_keys=False, width=200), encoding="utf-8")
    paths["json"].write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return paths


def timed_process(args: list[str], cwd: Path, runs: int) -> tuple[float, float, int]:
    """(median wall seconds, median CPU seconds, exit code) of ``python -m ses_lsp ARGS``."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("SES_LSP_CACHE_DIR", None)
    cmd = [sys.executable, "-m", "ses_lsp", *args]
    subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)  # warm-up (file cache)
    walls, cpus, code = [], [], 0
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        p = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, check=False)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        code = p.returncode
    return statistics.median(walls), statistics.median(cpus), code


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--cases", type=int, default=1000)
    args = ap.parse_args(argv)
    print(f"Python {platform.python_version()} on {platform.machine()}; median of {args.runs} runs")
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        passing = write_workload(d, args.cases)
        failing = write_workload(d, args.cases, wrong_every=10)
        size = {k: p.stat().st_size // 1024 for k, p in passing.items()}
        print(
            f"workload: {args.cases} cases against the 200-rule classic set "
            f"(routing test: {size['yaml']} KB YAML, {size['json']} KB JSON)"
        )
        wall, cpu, code = timed_process(["--version"], d, args.runs)
        print(f"  ses-lsp --version (start-up):              {wall:.2f} s wall, {cpu:.2f} s CPU")
        for label, paths in (("all pass", passing), ("1 in 10 fail", failing)):
            for fmt in ("yaml", "json"):
                wall, cpu, code = timed_process(["test", paths[fmt].name], d, args.runs)
                met = "target met" if wall <= TARGET else "TARGET MISSED"
                print(
                    f"  ses-lsp test, {fmt:4}, {label:12}: {wall:.2f} s wall, {cpu:.2f} s CPU, exit {code} "
                    f"(target <= {TARGET:.0f} s: {met})"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
