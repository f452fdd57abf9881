"""CPU cost of ``ses-lsp lint --format json --no-cache`` on the 300-file workloads of
``workloads.py`` (``noisy/``: about 29 diagnostics a file; ``mixed/``), against the jsonschema
loop of ``bench_cli.py``: the figure of issue 10, section 2 (noisy cold >= 3x faster than the
loop) measured without the machine's load in it.

``bench_cli.py`` times wall clock, which on a shared 2-core machine depends on what else runs.
This script measures what a run costs:

* default: the CPU time (user + system) of the whole process tree (the CLI and its worker
  processes) and the wall time, runs interleaved (loop, lint with ``--jobs 1``, lint with the
  default workers, ...), medians;
* ``--instructions``: instructions counted by valgrind's cachegrind (``--cache-sim=no``), one
  run of each command; with workers, those of the parent process only (a forked worker's counts
  start with a copy of its parent's: they cannot be summed).

``--also CHECKOUT`` runs the lint commands of another checkout too, interleaved (before/after:
``git worktree add /tmp/before main``, then ``--also /tmp/before``).

With one process, CPU time is the wall time of an idle machine; the ratio of CPU times is the
ratio of speeds.  With workers, the tree's CPU time is the work done: on 2 idle cores the
wall time is about the parent's share plus the rest split over the cores.

Usage: ``python benchmarks/bench_cli_cpu.py [--runs 7] [--instructions] [--workload noisy] [--also DIR]``
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import bench_cli  # noqa: E402
import workloads  # noqa: E402

PY = sys.executable


def commands(tmp: Path, workload: str, also: str | None) -> dict[str, list[str]]:
    base = tmp / "baseline.py"
    base.write_text(bench_cli.BASELINE)
    files = str(tmp / "wl" / workload)
    lint = [PY, "-m", "ses_lsp", "lint", "--format", "json", "--no-cache"]
    cmds = {
        "jsonschema loop": [PY, str(base), files],
        "lint --jobs 1": [*lint, "--jobs", "1", files],
        "lint --jobs 2": [*lint, "--jobs", "2", files],
    }
    if also:  # the same lint commands on another checkout (its ses_lsp first on the path)
        other = ["env", f"PYTHONPATH={also}", *lint]
        cmds["(other) --jobs 1"] = [*other, "--jobs", "1", files]
        cmds["(other) --jobs 2"] = [*other, "--jobs", "2", files]
    return cmds


def run(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(CPU seconds of the process tree, wall seconds) of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, wall


def timed(cmds: dict[str, list[str]], runs: int, cwd: Path) -> None:
    cpu: dict[str, list[float]] = {name: [] for name in cmds}
    wall: dict[str, list[float]] = {name: [] for name in cmds}
    for cmd in cmds.values():  # once each first: the file system cache
        run(cmd, cwd)
    for _ in range(runs):
        for name, cmd in cmds.items():
            c, w = run(cmd, cwd)
            cpu[name].append(c)
            wall[name].append(w)
    base = statistics.median(cpu["jsonschema loop"])
    for name in cmds:
        c, w = statistics.median(cpu[name]), statistics.median(wall[name])
        print(f"{name:<16} CPU {c * 1000:6.0f} ms  (loop / this: {base / c:4.2f})   wall {w * 1000:6.0f} ms")


def instructions(cmd: list[str], cwd: Path) -> tuple[int, int]:
    """(instructions of every process of the tree, of the first process) of one run.

    A forked process starts with a copy of its parent's counts (cachegrind counts in the
    process's memory): the sum is meaningful for a single process only."""
    with tempfile.TemporaryDirectory() as out:
        vg = [  # (children traced: ``env`` runs the other checkout's command; the pid stays)
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            "--trace-children=yes",
            f"--cachegrind-out-file={out}/cg.%p",
        ]
        # (ses-lsp lint exits 1 when it finds problems, as on the mixed files; 2 is a failure)
        proc = subprocess.run([*vg, *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=cwd)
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
        counts: dict[int, int] = {}
        for path in glob.glob(f"{out}/cg.*"):
            text = Path(path).read_text()
            m = re.search(r"^summary:\s+(\d+)", text, re.M)
            assert m is not None, path
            counts[int(path.rsplit(".", 1)[1])] = int(m.group(1))
        return sum(counts.values()), counts[min(counts)]


def counted(cmds: dict[str, list[str]], cwd: Path) -> None:
    base = None
    for name, cmd in cmds.items():
        total, parent = instructions(cmd, cwd)
        base = base or total
        if total == parent:
            print(f"{name:<16} {total / 1e9:6.2f} G instructions (loop / this: {base / total:4.2f})")
        else:  # (the workers' counts start with the parent's at the fork: not summed)
            print(f"{name:<16} {parent / 1e9:6.2f} G instructions in the parent process (workers not counted)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--workload", default="noisy", choices=("noisy", "mixed"))
    ap.add_argument("--instructions", action="store_true", help="count instructions with cachegrind")
    ap.add_argument("--also", metavar="CHECKOUT", help="also run the lint of another checkout (e.g. main's)")
    args = ap.parse_args()
    # As bench_cli.py: byte-compile the package (PYTHONDONTWRITEBYTECODE would otherwise
    # make every run compile every module).
    subprocess.run([PY, "-m", "compileall", "-q", str(HERE.parent / "ses_lsp")], check=True)
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        workloads.main(tmp / "wl")
        env_cwd = tmp  # (run from tmp: no project configuration file applies)
        os.environ["NO_COLOR"] = "1"
        cmds = commands(tmp, args.workload, args.also)
        print(f"300 {args.workload} files; load average {os.getloadavg()[0]:.1f}")
        if args.instructions:
            counted(cmds, env_cwd)
        else:
            timed(cmds, args.runs, env_cwd)


if __name__ == "__main__":
    main()
