"""Speed and memory of `ses-lsp lint` against the issue's targets.

    python benchmarks/bench_cli.py [--runs N]

Targets (issue #2):
  1. one small file, whole CLI process  <= 1.6x  `python -c "import yaml, json"`
  2. 300 mixed files (~3 MB), cold      >= 3x faster than a plain jsonschema loop
     (Draft202012Validator + our generated schemas), warm (cache) >= 20x faster
  3. in-process lint of the 200-rule YAML rule set <= 2x libyaml's C composer
  4. peak RSS of the 300-file run <= 60 MB
  5. (issue #10) 300 files of ~29 diagnostics each, cold: >= 3x faster than the jsonschema loop

Every figure is a median over several runs on this machine; the script prints them
and whether each target is met.  Start-up (target 1) is measured on a regular,
non-editable install that the script builds in a temporary venv (see
``regular_install``): an editable install slows every interpreter start-up and
flatters the ratio.  It generates its workloads into a temporary
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

BASELINE = r"""
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
"""


# What the standard tools the project chose cost before any of its own work: the
# floor's imports, `dataclasses` (which imports inspect, ast, dis, tokenize) and the
# CLI's own argparse parser parsing the same command line (argparse builds a help
# formatter per argument, and gettext looks up translations).  The "small file"
# ratio cannot be lower than this row's.
STANDARD_TOOLS = (
    "import yaml, json, dataclasses; from ses_lsp.cli import _parser; "
    "_parser().parse_args(['lint', '--no-cache', '{small}'])"
)


def regular_install(tmp: Path) -> tuple[str, str]:
    """(python, ses-lsp launcher) of a regular, non-editable install of this checkout.

    Development environments are usually editable installs (`pip install -e`), whose
    import hook (a `.pth` finder that imports pathlib, urllib and more) slows *every*
    Python start-up, the floor `python -c "import yaml, json"` included: start-up
    ratios measured there are flattered.  Users run what `pip install .` gives: the
    package's files in site-packages, byte-compiled, and a console script.  That is
    built here without pip: a fresh venv, the package copied into its site-packages
    and byte-compiled (as pip does), the launcher pip writes, and the dependencies
    found through a `.pth` line naming this interpreter's site-packages (added as a
    plain path, so the `.pth` hooks inside it do not run).
    """
    import shutil
    import site
    import sysconfig

    venv = tmp / "venv"
    subprocess.run([PY, "-m", "venv", "--without-pip", str(venv)], check=True)
    vpy = venv / "bin" / "python"
    purelib = Path(
        subprocess.check_output(
            [str(vpy), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], text=True
        ).strip()
    )
    shutil.copytree(HERE.parent / "ses_lsp", purelib / "ses_lsp", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    subprocess.run([str(vpy), "-m", "compileall", "-q", str(purelib / "ses_lsp")], check=True)
    deps = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib"), *site.getsitepackages()}
    (purelib / "bench-deps.pth").write_text("".join(f"{d}\n" for d in sorted(deps) if Path(d).is_dir()))
    import tomllib

    target = tomllib.loads((HERE.parent / "pyproject.toml").read_text())["project"]["scripts"]["ses-lsp"]
    module, func = target.split(":")
    launcher = venv / "bin" / "ses-lsp"
    launcher.write_text(  # what pip writes for the console_scripts entry point
        f"#!{vpy}\n"
        f"import re\nimport sys\nfrom {module} import {func}\n"
        "if __name__ == '__main__':\n"
        "    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n"
        f"    sys.exit({func}())\n"
    )
    launcher.chmod(0o755)
    out = subprocess.run([str(launcher), "--version"], capture_output=True, text=True, cwd=tmp)
    if out.returncode != 0 or not out.stdout.startswith("ses-lsp"):
        raise SystemExit(f"the regular install does not run: {out.stderr.strip()}")
    # (run from tmp: `python -c` and `-m` put the working directory first on sys.path)
    where = subprocess.check_output([str(vpy), "-c", "import ses_lsp; print(ses_lsp.__file__)"], text=True, cwd=tmp)
    if not where.startswith(str(purelib)):
        raise SystemExit(f"the regular install imports ses_lsp from {where.strip()}, not from {purelib}")
    return str(vpy), str(launcher)


def timed(cmd: list[str], runs: int, env=None, cwd=None) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
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

        # The whole CLI process as users run it: the `ses-lsp` command of a regular
        # install, against the floor run by that same installed interpreter.
        # Interleaved, so that load drifting on the machine hits both sides alike.
        vpy, launcher = regular_install(Path(tmp))
        floor_t, one_t, mod_t, std_t = [], [], [], []
        for _ in range(max(runs, 21)):
            floor_t.append(timed([vpy, "-c", "import yaml, json"], 1, cwd=tmp))
            one_t.append(timed([launcher, "lint", "--no-cache", str(small)], 1, env, cwd=tmp))
            mod_t.append(timed([vpy, "-m", "ses_lsp", "lint", "--no-cache", str(small)], 1, env, cwd=tmp))
            std_t.append(timed([vpy, "-c", STANDARD_TOOLS.format(small=str(small))], 1, cwd=tmp))
        floor, one, mod, std = (statistics.median(x) for x in (floor_t, one_t, mod_t, std_t))
        results.append(
            (
                "small file, whole process",
                f"{one * 1000:.0f} ms vs floor {floor * 1000:.0f} ms",
                one / floor,
                "<= 1.6x",
                one / floor <= 1.6,
            )
        )
        results.append(("  same, as python -m ses_lsp", f"{mod * 1000:.0f} ms", mod / floor, "(info)", True))
        results.append(
            ("  the standard tools alone (see STANDARD_TOOLS)", f"{std * 1000:.0f} ms", std / floor, "(info)", True)
        )
        # Every bundled example, one file per run: what each kind costs to start (a JSON
        # file never imports PyYAML; IP filters import netaddr, MTLS trust stores cryptography).
        examples = sorted((HERE.parent / "examples").glob("*/*.*"))
        per: dict[Path, list[float]] = {p: [] for p in examples}
        for _ in range(max(5, runs // 2)):
            for p in examples:
                per[p].append(timed([launcher, "lint", "--no-cache", str(p)], 1, env, cwd=tmp))
        for p in examples:
            t = statistics.median(per[p])
            results.append((f"  examples/{p.parent.name}/{p.name}", f"{t * 1000:.0f} ms", t / floor, "(info)", True))

        # The many-file figures run on that regular install too (both sides), interleaved
        # (a jsonschema run, then a lint run, ...: load drifting on the machine hits both sides
        # alike) and each side's median taken.
        mixed = str(wl / "mixed")
        lint = [launcher, "lint", "--format", "json"]

        def paired(base_cmd: list[str], lint_cmd: list[str]) -> tuple[float, float]:
            base_t, lint_t = [], []
            for _ in range(runs):
                base_t.append(timed(base_cmd, 1, cwd=tmp))
                lint_t.append(timed(lint_cmd, 1, env, cwd=tmp))
            return statistics.median(base_t), statistics.median(lint_t)

        base, cold = paired([vpy, "-c", BASELINE, mixed], [*lint, "--no-cache", mixed])
        results.append(
            (
                "300 files cold",
                f"{cold * 1000:.0f} ms vs jsonschema loop {base * 1000:.0f} ms",
                base / cold,
                ">= 3x faster",
                base / cold >= 3,
            )
        )
        # 300 files that each carry about 29 diagnostics: the cost per diagnostic shows.
        noisy = str(wl / "noisy")
        nbase, ncold = paired([vpy, "-c", BASELINE, noisy], [*lint, "--no-cache", noisy])
        results.append(
            (
                "300 noisy files cold",
                f"{ncold * 1000:.0f} ms vs jsonschema loop {nbase * 1000:.0f} ms",
                nbase / ncold,
                ">= 3x faster",
                nbase / ncold >= 3,
            )
        )
        subprocess.run([*lint, mixed], env=env, cwd=tmp, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        warm = timed([*lint, mixed], runs, env, cwd=tmp)
        results.append(
            (
                "300 files warm (cache)",
                f"{warm * 1000:.0f} ms vs jsonschema loop {base * 1000:.0f} ms",
                base / warm,
                ">= 20x faster",
                base / warm >= 20,
            )
        )

        rss, _ = peak_rss_mb([*lint, "--no-cache", mixed], env)
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
        results.append(
            (
                "200-rule YAML in process",
                f"{lint * 1000:.1f} ms vs C compose {compose * 1000:.1f} ms",
                lint / compose,
                "<= 2x",
                lint / compose <= 2,
            )
        )
        jtext = (wl / "classic-200.json").read_text()
        jlint = best(lambda: lint_text(jtext, "x.json"))
        results.append(("200-rule JSON in process", f"{jlint * 1000:.1f} ms", jlint / compose, "(info)", True))

    width = max(len(r[0]) for r in results)
    ok_all = True
    for name, detail, ratio, target, ok in results:
        ok_all &= ok
        print(f"{name:<{width}}  {detail:<48} ratio {ratio:6.2f}  target {target:<14} {'OK' if ok else 'MISSED'}")
    return 0 if ok_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
