"""Speed and memory of `ses-lsp lint` against the issue's targets.

    python benchmarks/bench_cli.py [--runs N]

Targets (issue #2):
  1. one small file, whole CLI process  <= 1.6x  `python -c "import yaml, json"`
  2. 300 mixed files (~3 MB), cold      >= 3x faster than a plain jsonschema loop
     (Draft202012Validator + our generated schemas), warm (cache) >= 20x faster
  3. in-process lint of the 200-rule YAML rule set <= 2x libyaml's C composer
  4. peak RSS of the 300-file run <= 60 MB

Every figure is a median over several runs on this machine; the script prints them
and whether each target is met.  It generates its workloads into a temporary
directory first (benchmarks/workloads.py).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import workloads  # noqa: E402

PY = sys.executable

BASELINE = r'''
import json, sys, pathlib, yaml
from jsonschema import Draft202012Validator
from ses_lsp import schema as S
from ses_lsp.document.document import Document
from ses_lsp.lint.kinds import detect_kind
validators = {}
def validator(kind):
    v = validators.get(kind)
    if v is None:
        info = S.kinds()[kind]
        doc = S.load_service(info["service"])
        root = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": "#/$defs/" + info["shape"], "$defs": doc["$defs"]}
        v = validators[kind] = Draft202012Validator(root)
    return v
n = 0
for p in sorted(pathlib.Path(sys.argv[1]).iterdir()):
    text = p.read_text()
    data = json.loads(text) if p.suffix == ".json" else yaml.load(text, Loader=yaml.CSafeLoader)
    kind = detect_kind(Document(text, str(p)).root)
    if kind is None:
        continue
    n += sum(1 for _ in validator(kind).iter_errors(data))
print(n)
'''


def timed(cmd: list[str], runs: int, env=None) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def peak_rss_mb(cmd: list[str], env=None) -> tuple[float, float]:
    """(peak RSS of the CLI process tree's largest process, in MB) via a fresh child."""
    code = (
        "import resource, subprocess, sys;"
        "subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
    )
    out = subprocess.run([PY, "-c", code, *cmd], capture_output=True, text=True, env=env).stdout.strip()
    return int(out) / 1024, 0.0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    runs = args.runs
    results = []
    # What `pip install` does at install time: byte-compile the package.  (This
    # environment sets PYTHONDONTWRITEBYTECODE, so an editable checkout would
    # otherwise recompile every module from source in every run.)
    subprocess.run([PY, "-m", "compileall", "-q", str(HERE.parent / "ses_lsp")], check=True)

    with tempfile.TemporaryDirectory() as tmp:
        wl = Path(tmp) / "wl"
        workloads.main(wl)
        cache_dir = Path(tmp) / "cache"
        env = dict(os.environ, SES_LSP_CACHE_DIR=str(cache_dir), NO_COLOR="1")
        env.pop("GITHUB_ACTIONS", None)
        small = Path(tmp) / "small.yaml"
        small.write_text((HERE.parent / "examples/classic/create-rule.yaml").read_text())

        # Interleaved, so that load drifting on the machine hits both sides alike.
        floor_t, one_t = [], []
        for _ in range(max(runs, 15)):
            floor_t.append(timed([PY, "-c", "import yaml, json"], 1))
            one_t.append(timed([PY, "-m", "ses_lsp", "lint", "--no-cache", str(small)], 1, env))
        floor, one = statistics.median(floor_t), statistics.median(one_t)
        results.append(("small file, whole process", f"{one*1000:.0f} ms vs floor {floor*1000:.0f} ms",
                        one / floor, "<= 1.6x", one / floor <= 1.6))

        mixed = str(wl / "mixed")
        base = timed([PY, "-c", BASELINE, mixed], max(3, runs // 2))
        cold = timed([PY, "-m", "ses_lsp", "lint", "--no-cache", "--format", "json", mixed], runs, env)
        results.append(("300 files cold", f"{cold*1000:.0f} ms vs jsonschema loop {base*1000:.0f} ms",
                        base / cold, ">= 3x faster", base / cold >= 3))
        subprocess.run([PY, "-m", "ses_lsp", "lint", "--format", "json", mixed], env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        warm = timed([PY, "-m", "ses_lsp", "lint", "--format", "json", mixed], runs, env)
        results.append(("300 files warm (cache)", f"{warm*1000:.0f} ms vs jsonschema loop {base*1000:.0f} ms",
                        base / warm, ">= 20x faster", base / warm >= 20))

        rss, _ = peak_rss_mb([PY, "-m", "ses_lsp", "lint", "--no-cache", "--format", "json", mixed], env)
        results.append(("300 files peak RSS", f"{rss:.1f} MB (largest process)", rss, "<= 60 MB", rss <= 60))

        import yaml

        from ses_lsp.lint.engine import lint_text

        text = (wl / "classic-200.yaml").read_text()
        lint_text(text, "x.yaml")  # warm up imports and compiled schemas

        def best(f, n=15):
            ts = []
            for _ in range(n):
                t = time.perf_counter()
                f()
                ts.append(time.perf_counter() - t)
            return statistics.median(ts)

        # Interleaved pairs (compose, lint), medians of each side.
        comp_t, lint_t = [], []
        for _ in range(31):
            comp_t.append(best(lambda: yaml.compose(text, Loader=yaml.CSafeLoader), 1))
            lint_t.append(best(lambda: lint_text(text, "x.yaml"), 1))
        compose, lint = statistics.median(comp_t), statistics.median(lint_t)
        results.append(("200-rule YAML in process", f"{lint*1000:.1f} ms vs C compose {compose*1000:.1f} ms",
                        lint / compose, "<= 2x", lint / compose <= 2))
        jtext = (wl / "classic-200.json").read_text()
        jlint = best(lambda: lint_text(jtext, "x.json"))
        results.append(("200-rule JSON in process", f"{jlint*1000:.1f} ms", jlint / compose, "(info)", True))

    width = max(len(r[0]) for r in results)
    ok_all = True
    for name, detail, ratio, target, ok in results:
        ok_all &= ok
        print(f"{name:<{width}}  {detail:<48} ratio {ratio:6.2f}  target {target:<14} {'OK' if ok else 'MISSED'}")
    return 0 if ok_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
