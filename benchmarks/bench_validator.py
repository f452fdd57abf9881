"""Our schema pass against general JSON Schema validators on the same documents.

    python benchmarks/bench_validator.py [--runs N]

Workloads (benchmarks/workloads.py): the 200-rule classic rule set
(``ses:describe-receipt-rule-set``, the API maximum) as generated, and the same set
with a realistic mistake in every tenth rule (an enum in the wrong case, a misspelt
member, a string where a list belongs); the 40-rule Mail Manager rule set for
comparison.  Every validator gets the exported schema of the kind
(``ses_lsp.cli.kind_schema_document``), i.e. what ``ses-lsp schema export`` writes.

Measured, in process, median of N runs after one warm-up (compiled validators are
built once, outside the timing, and reported separately):

* ours, schema pass: ``Validator.run`` on an already parsed tree (what the lint
  spends on the schema), then the parse alone, ``lint_text`` with only the schema
  rules, and the whole default lint (schema pass + every semantic rule);
* jsonschema ``Draft202012Validator(schema).iter_errors(doc)`` consumed to the end,
  on the ``json.loads`` result (``json.loads`` timed on its own);
* jsonschema-rs ``validator_for(schema).iter_errors(doc)``, when the package is
  installed (``pip install jsonschema-rs``; not a dependency of ses-lsp).

Nothing is asserted: the figures are printed for the notes.
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import workloads  # noqa: E402

from ses_lsp import schema as schema_mod  # noqa: E402
from ses_lsp.cli import kind_schema_document  # noqa: E402
from ses_lsp.document.document import Document  # noqa: E402
from ses_lsp.lint.config import Config  # noqa: E402
from ses_lsp.lint.context import LintContext  # noqa: E402
from ses_lsp.lint.engine import lint_text  # noqa: E402
from ses_lsp.lint.validator import Validator, schema_set  # noqa: E402

SCHEMA_PASS = Config(select=("SES0", "SES1"))


def broken_classic(doc: dict) -> dict:
    """Every tenth rule gets one of three common mistakes (60 schema findings in all)."""
    doc = json.loads(json.dumps(doc))
    for i, rule in enumerate(doc["Rules"]):
        if i % 10 == 0:
            rule["TlsPolicy"] = "required"  # SES104
        elif i % 10 == 3:
            action = next(a for a in rule["Actions"] if "S3Action" in a)["S3Action"]
            action["Bucket"] = action.pop("BucketName")  # SES101 (the SES102 it implies is folded in)
        elif i % 10 == 6:
            rule["Recipients"] = rule["Recipients"][0]  # SES103
    return doc


Row = tuple[str, tuple[float, float], str]  # label, (median, fastest) in ms, note


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, float]:
    """(median, fastest) wall time of ``fn`` in ms, with the garbage collector paused during each call
    (as ``lint_text`` does for itself) and a collection between calls, for every contender."""
    fn()  # warm-up (lazy compilation, caches)
    times = []
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
        finally:
            gc.enable()
    return statistics.median(times) * 1000, min(times) * 1000


def external(label: str, build: Callable[[dict], Any], schema: dict, data: Any, runs: int) -> Row:
    """A general validator: built once (timed apart), then ``iter_errors`` consumed to the end."""
    t0 = time.perf_counter()
    validator = build(schema)
    built = (time.perf_counter() - t0) * 1000
    errors = sum(1 for _ in validator.iter_errors(data))
    ms = timed(lambda: sum(1 for _ in validator.iter_errors(data)), runs)
    return (label, ms, f"{errors} errors (validator built in {built:.1f} ms)")


def bench(name: str, kind: str, doc: dict, runs: int) -> list[Row]:
    text = json.dumps(doc, indent=2) + "\n"
    data = json.loads(text)
    schema = kind_schema_document(kind)
    info = schema_mod.kind_info(kind)
    rows: list[Row] = []

    parsed = Document(text, None, "json")
    root = parsed.parsed.root
    assert root is not None
    sset = schema_set(schema_mod.load_service(info["service"]))
    compiled = sset.compiled(info["shape"])
    found: list[int] = []

    def ours_pass() -> None:
        ctx = LintContext(document=parsed, kind=kind, config=SCHEMA_PASS)
        ctx.diagnostics = []
        Validator(ctx, sset).run(root, compiled)
        found[:] = [len(ctx.diagnostics)]

    rows.append(("ours: schema pass (parsed tree)", timed(ours_pass, runs), f"{found[0]} findings"))
    rows.append(("ours: JSON parse", timed(lambda: Document(text, None, "json").parsed, runs), ""))
    n_schema = len(lint_text(text, kind=kind, fmt="json", config=SCHEMA_PASS).diagnostics)
    rows.append(
        (
            "ours: lint_text, schema rules only",
            timed(lambda: lint_text(text, kind=kind, fmt="json", config=SCHEMA_PASS), runs),
            f"{n_schema} diagnostics",
        )
    )
    n_all = len(lint_text(text, kind=kind, fmt="json").diagnostics)
    rows.append(
        (
            "ours: lint_text, all rules",
            timed(lambda: lint_text(text, kind=kind, fmt="json"), runs),
            f"{n_all} diagnostics",
        )
    )
    rows.append(("json.loads", timed(lambda: json.loads(text), runs), ""))

    from jsonschema import Draft202012Validator

    rows.append(external("jsonschema Draft202012Validator.iter_errors", Draft202012Validator, schema, data, runs))
    try:
        import jsonschema_rs
    except ImportError:
        rows.append(("jsonschema-rs", (float("nan"), float("nan")), "not installed (pip install jsonschema-rs)"))
    else:
        rows.append(
            external("jsonschema-rs validator_for().iter_errors", jsonschema_rs.validator_for, schema, data, runs)
        )
    print(f"\n{name} ({kind}, {len(text.encode()) / 1000:.0f} KB JSON), median of {runs} runs:")
    print(f"  {'':<46} {'median':>9}    {'fastest':>9}")
    for label, (median, fastest), note in rows:
        print(f"  {label:<46} {median:9.3f} ms {fastest:9.3f} ms  {note}")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    from importlib.metadata import PackageNotFoundError, version

    try:
        rs_version = version("jsonschema-rs")
    except PackageNotFoundError:
        rs_version = "not installed"
    print(f"Python {platform.python_version()}, jsonschema {version('jsonschema')}, jsonschema-rs {rs_version}")
    classic = workloads.classic_rule_set()
    bench("classic-200, valid", "ses:describe-receipt-rule-set", classic, args.runs)
    bench("classic-200, 20 broken rules", "ses:describe-receipt-rule-set", broken_classic(classic), args.runs)
    bench("mm-40, valid", "mailmanager:create-rule-set", workloads.mm_rule_set(), args.runs)


if __name__ == "__main__":
    main()
