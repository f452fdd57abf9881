"""Where the in-process lint of one document spends its time: stages and rules.

    python benchmarks/profile_lint.py [FILE] [--runs N] [--top K]

Without FILE it lints the generated 200-rule classic YAML set (benchmarks/workloads.py),
the document of bench_cli.py's in-process figure.  It runs the engine's steps one by one
(the same calls ``lint_text`` makes) and prints the median of each stage: parse, schema
validation, the semantic rules, the final filtering, and freeing the tree; then the
slowest rule checks.  A rule that builds a shared per-document model (``ctx.cache``)
first is charged for building it.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("file", nargs="?")
    ap.add_argument("--runs", type=int, default=31)
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()

    from ses_lsp import schema as schema_mod
    from ses_lsp.document.document import Document
    from ses_lsp.lint import kinds as kinds_mod
    from ses_lsp.lint.config import Config
    from ses_lsp.lint.context import LintContext
    from ses_lsp.lint.engine import LintResult, _finish, _selection, lint_text
    from ses_lsp.lint.rules import checks_for_kind
    from ses_lsp.lint.validator import Validator, schema_set

    if args.file:
        path = Path(args.file)
        text = path.read_text(encoding="utf-8")
    else:
        import workloads

        tmp = tempfile.mkdtemp()
        workloads.main(Path(tmp) / "wl")
        path = Path(tmp) / "wl" / "classic-200.yaml"
        text = path.read_text()
    name = path.name
    lint_text(text, name)  # warm up: imports, compiled schemas and expressions

    stages: dict[str, list[float]] = {}
    rules: dict[str, list[float]] = {}
    totals: list[float] = []
    gc.disable()  # as lint_text does
    for _ in range(args.runs):
        t0 = t = time.perf_counter()

        def mark(stage: str) -> None:
            nonlocal t
            now = time.perf_counter()
            stages.setdefault(stage, []).append(now - t)
            t = now

        doc = Document(text, name)
        parsed = doc.parsed
        mark("parse")
        config = Config()
        kind = kinds_mod.detect_kind(parsed.root)
        if kind is None:
            print(f"{name}: not a recognised document", file=sys.stderr)
            return 2
        info = kinds_mod.kind_info(kind)
        selected = _selection(config.select, config.ignore)
        ctx = LintContext(document=doc, kind=kind, config=config, workspace=None)
        diags = ctx.diagnostics = []
        sset = schema_set(schema_mod.load_service(info["service"]))
        mark("set-up")
        Validator(ctx, sset, partial=not parsed.complete).run(parsed.root, sset.compiled(info["shape"]))
        mark("schema validation")
        for rule in checks_for_kind(kind):
            if rule.code not in selected:
                continue
            ctx.rule = rule
            s = time.perf_counter()
            rule.check(ctx)
            rules.setdefault(f"{rule.code} {rule.name}", []).append(time.perf_counter() - s)
        mark("semantic rules")
        _finish(LintResult(path=name, kind=kind, diagnostics=diags, document=doc), config)
        mark("filter and sort")
        del ctx
        mark("free the rule models")
        totals.append(t - t0)
        del doc, parsed
        mark("free the tree")
    gc.enable()

    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    print(f"{name}: {len(text):,} characters, kind {kind}, {len(diags)} diagnostics; medians of {args.runs} runs")
    for stage, xs in stages.items():
        print(f"  {stage:<22} {ms(xs):7.2f} ms")
    print(f"  {'total (tree freed)':<22} {ms(totals) + ms(stages['free the tree']):7.2f} ms")
    print(f"slowest of {len(rules)} rule checks:")
    for m, rule in sorted(((ms(xs), r) for r, xs in rules.items()), reverse=True)[: args.top]:
        print(f"  {m:6.3f} ms  {rule}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
