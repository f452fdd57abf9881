"""The editor's simulation features, in process: code lenses and witness hovers.

    python benchmarks/bench_editor_simulation.py [--cases N] [--runs N]

Workload (benchmarks/workloads.py, deterministic): the 200-rule classic rule set and a routing
test of ``--cases`` inline cases (``workloads.classic_scenarios``) naming it, in a temporary
workspace on disk (the test is never opened); the 40-rule Mail Manager set with conditions and
unless at their maximums.

Figures (median of ``--runs``):

* code lenses, cold: the walk of the workspace, reading the routing test, every case's mail
  through the rule set (what the first ``textDocument/codeLens`` costs);
* code lenses, cached: the same request again, nothing changed (stat of the files read);
* code lenses after an edit of the rule set (a new version: every mail again);
* witness hover: ``find_witness`` for every rule of each set (the slowest rule, and the mean).

Nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import workloads  # noqa: E402

from ses_lsp.document.document import Document  # noqa: E402
from ses_lsp.editor.routing_lens import RoutingLenses  # noqa: E402
from ses_lsp.lint.config import config_for  # noqa: E402
from ses_lsp.semantics import evaluate as ev  # noqa: E402
from ses_lsp.semantics.witness import find_witness  # noqa: E402


class _NoneOpen:
    def version(self, path: str) -> object | None:
        return None

    def document(self, path: str):
        return None

    def routing_tests(self):
        return []


def _median(fn, runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        rules_path = os.path.join(tmp, "rule-set.json")
        text = json.dumps(workloads.classic_rule_set(200), indent=2)
        Path(rules_path).write_text(text, encoding="utf-8")
        cases = [
            {"Name": f"case {i}", "Mail": s, "Expect": {s["Recipients"][0]: {"accepted": True}}}
            for i, s in enumerate(workloads.classic_scenarios(args.cases))
        ]
        Path(tmp, "inbound.routing.json").write_text(
            json.dumps({"RuleFiles": ["rule-set.json"], "Cases": cases}), encoding="utf-8"
        )
        doc = Document(text, rules_path)
        kind = "ses:describe-receipt-rule-set"

        def cold() -> None:
            RoutingLenses(config_for).lenses(rules_path, doc, kind, 1, [tmp], _NoneOpen())

        lenses = RoutingLenses(config_for)
        got = lenses.lenses(rules_path, doc, kind, 1, [tmp], _NoneOpen())
        version = [1]

        def cached() -> None:
            lenses.lenses(rules_path, doc, kind, version[0], [tmp], _NoneOpen())

        def edited() -> None:
            version[0] += 1
            lenses.lenses(rules_path, doc, kind, version[0], [tmp], _NoneOpen())

        print(f"code lenses: 200-rule classic set, a routing test of {args.cases} cases on disk ({len(got)} lenses)")
        print(f"  cold:    {_median(cold, args.runs) * 1000:8.1f} ms")
        print(f"  cached:  {_median(cached, args.runs) * 1000:8.1f} ms")
        print(f"  edited:  {_median(edited, args.runs) * 1000:8.1f} ms")

        setup = ev.ClassicSetup.from_documents(doc.root, rules_path)
        per_rule = []
        for r in setup.rules:
            t = time.perf_counter()
            find_witness(setup, r.index)
            per_rule.append(time.perf_counter() - t)
        print(
            f"witness hover, classic 200 rules: mean {statistics.mean(per_rule) * 1000:.2f} ms, "
            f"max {max(per_rule) * 1000:.2f} ms"
        )
        mm_doc = Document(json.dumps(workloads.mm_rule_set_max(40)), "mm.json")
        mm_setup = ev.MailManagerSetup.from_documents(mm_doc.root, "mm.json")
        per_rule = []
        for r in mm_setup.rules:
            t = time.perf_counter()
            find_witness(mm_setup, r.index)
            per_rule.append(time.perf_counter() - t)
        print(
            f"witness hover, Mail Manager 40 rules at their maximums: mean {statistics.mean(per_rule) * 1000:.2f} ms, "
            f"max {max(per_rule) * 1000:.2f} ms"
        )


if __name__ == "__main__":
    main()
