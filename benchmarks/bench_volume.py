"""Memory and time of `ses-lsp lint` as the number of files grows (issue #10, section 1).

    python benchmarks/bench_volume.py [--sizes 300,3000,10000] [--formats text,json,sarif,github]
                                      [--jobs default,1] [--runs N]

The 300-file mixed workload (benchmarks/workloads.py) is replicated into directories
of 300, 3,000 and 10,000 files.  For each size, output format and --jobs setting the
script runs `ses-lsp lint` cold (--no-cache) and warm (a cache filled by an earlier
run) and measures:

* peak RSS: the largest process of the run's process tree (the CLI or one of its
  workers: ``ru_maxrss`` of a wrapper's RUSAGE_CHILDREN), and the peak of the whole
  tree's PSS sampled from /proc every 20 ms (PSS divides the pages that forked workers
  share with the CLI between them, so the sum is what the tree really takes);
* time per file: wall time / files, and the marginal CPU time per file: user + system
  time of the whole tree, less that of the same run on the first 30 files (start-up,
  and the first use of each kind of document: imports, compiled schemas), divided by
  the files beyond those 30.  That is the cost of each further file, the figure that
  must stay flat as files grow; CPU time, unlike wall time, hardly moves with what else
  the machine runs (wall time is shown too).

Targets (issue #10): peak RSS <= 80 MB at 10,000 files in every format, with and
without --jobs, cold and warm; marginal CPU time per file constant within 20% from the
smallest to the largest size, cold and warm.  Figures are medians over --runs runs
(cold runs of the largest size: --largest-cold-runs), the sizes interleaved run after
run.  Output goes to /dev/null.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import workloads  # noqa: E402

PY = sys.executable
RSS_TARGET_MB = 80.0
FLAT_TARGET = 1.2
BASE_FILES = 30

# Runs the CLI, then prints its exit code, wall time, CPU time and the largest process's
# peak RSS (KB), all of the CLI's process tree.
WRAPPER = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "t = time.perf_counter() - t\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(r.returncode, t, u.ru_utime + u.ru_stime, u.ru_maxrss)\n"
)


def make_tree(mixed: Path, out: Path, n: int) -> Path:
    """``n`` files: copies c000, c001... of the mixed workload (the last one partial)."""
    files = sorted(p for p in mixed.iterdir() if p.is_file())
    out.mkdir(parents=True)
    copy = 0
    made = 0
    while made < n:
        d = out / f"c{copy:03d}"
        d.mkdir()
        for p in files[: n - made]:
            shutil.copyfile(p, d / p.name)
            made += 1
        copy += 1
    return out


def _descendants(pid: int) -> list[int]:
    out = []
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/task/{p}/children") as fh:
                kids = [int(x) for x in fh.read().split()]
        except (OSError, ValueError):
            continue
        out.extend(kids)
        todo.extend(kids)
    return out


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class Sampler(threading.Thread):
    """The peak of the summed PSS of ``pid``'s descendants (not ``pid`` itself: the wrapper)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            total = sum(_pss_kb(p) for p in _descendants(self.pid))
            self.peak_kb = max(self.peak_kb, total)
            self.stop.wait(0.02)


def measure(cmd: list[str], env: dict, cwd: str) -> tuple[float, float, float, float]:
    """(wall seconds, CPU seconds, peak RSS of the largest process in MB, peak PSS of the tree in MB)."""
    proc = subprocess.Popen([PY, "-c", WRAPPER, *cmd], stdout=subprocess.PIPE, text=True, env=env, cwd=cwd)
    sampler = Sampler(proc.pid)
    sampler.start()
    out, _ = proc.communicate()
    sampler.stop.set()
    sampler.join()
    rc, secs, cpu, maxrss = out.split()
    if int(rc) not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited with {rc}")
    return float(secs), float(cpu), int(maxrss) / 1024, sampler.peak_kb / 1024


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="300,3000,10000")
    ap.add_argument("--formats", default="text,json,sarif,github")
    ap.add_argument("--jobs", default="default,1", help="comma-separated: default (no --jobs) or a number")
    ap.add_argument("--runs", type=int, default=3, help="runs per figure (medians; at least 5 up to 300 files)")
    ap.add_argument("--largest-cold-runs", type=int, default=1, help="cold runs of the largest size")
    ap.add_argument("--no-compile", action="store_true", help="do not byte-compile the package first")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    formats = args.formats.split(",")
    jobs_settings = args.jobs.split(",")
    # What `pip install` does: byte-compile the package (PYTHONDONTWRITEBYTECODE may be set).
    if not args.no_compile:
        subprocess.run([PY, "-m", "compileall", "-q", str(HERE.parent / "ses_lsp")], check=True)

    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-volume-") as tmp_name:
        tmp = Path(tmp_name)
        workloads.main(tmp / "wl")
        mixed = tmp / "wl" / "mixed"
        env = dict(os.environ, NO_COLOR="1")
        env.pop("GITHUB_ACTIONS", None)

        def lint(path: Path, fmt: str, jobs: str, cold: bool) -> list[str]:
            cmd = [PY, "-m", "ses_lsp", "lint", "--format", fmt]
            if jobs != "default":
                cmd += ["--jobs", jobs]
            if cold:
                cmd.append("--no-cache")
            return [*cmd, str(path)]

        # Every size's tree, and its cache filled (format-independent) for the warm runs.
        counts = [BASE_FILES, *sizes]
        trees = {n: make_tree(mixed, tmp / f"v{n}", n) for n in counts}
        envs = {n: dict(env, SES_LSP_CACHE_DIR=str(tmp / f"cache-{n}")) for n in counts}
        for n in counts:
            subprocess.run(lint(trees[n], "text", "default", False), env=envs[n], cwd=tmp_name, capture_output=True)

        def runs_of(n: int, mode: str) -> int:
            if n == max(sizes) and mode == "cold":
                return args.largest_cold_runs
            return max(args.runs, 5) if n <= 300 else args.runs

        # The sizes interleaved, run after run: load drifting on the machine hits them alike.
        for jobs in jobs_settings:
            for fmt in formats:
                for mode in ("cold", "warm"):
                    got: dict[int, list[tuple[float, float, float, float]]] = {n: [] for n in counts}
                    for r in range(max(runs_of(n, mode) for n in counts)):
                        for n in counts:
                            if r < runs_of(n, mode):
                                got[n].append(measure(lint(trees[n], fmt, jobs, mode == "cold"), envs[n], tmp_name))
                    base = statistics.median(g[1] for g in got[BASE_FILES])
                    for n in sizes:
                        secs = statistics.median(g[0] for g in got[n])
                        cpu = statistics.median(g[1] for g in got[n])
                        rss = max(g[2] for g in got[n])
                        pss = max(g[3] for g in got[n])
                        marginal = (cpu - base) / (n - BASE_FILES)
                        rows.append((n, fmt, jobs, mode, rss, pss, secs, secs / n * 1000, marginal * 1000))
                        print(
                            f"  {n:>6} {fmt:<6} jobs={jobs:<7} {mode}: {secs:7.2f} s, cpu {cpu:7.2f} s, "
                            f"{rss:6.1f} MB largest, {pss:6.1f} MB tree",
                            file=sys.stderr,
                            flush=True,
                        )

    print(
        f"{'files':>6}  {'format':<6}  {'jobs':<7}  {'cache':<5}  {'peak MB':>8}  {'tree PSS MB':>11}  "
        f"{'wall s':>7}  {'wall ms/file':>12}  {'marginal CPU ms/file':>20}"
    )
    for n, fmt, jobs, mode, rss, pss, secs, per, marginal in rows:
        print(
            f"{n:>6}  {fmt:<6}  {jobs:<7}  {mode:<5}  {rss:>8.1f}  {pss:>11.1f}  {secs:>7.2f}  {per:>12.3f}  "
            f"{marginal:>20.3f}"
        )
    print()
    ok_all = True
    worst = max(rows, key=lambda r: r[4])
    ok = worst[4] <= RSS_TARGET_MB
    ok_all &= ok
    print(
        f"peak RSS (largest process) at most {worst[4]:.1f} MB ({worst[0]} files, {worst[1]}, jobs={worst[2]}, "
        f"{worst[3]}): target <= {RSS_TARGET_MB:.0f} MB {'OK' if ok else 'MISSED'}"
    )
    worst_pss = max(rows, key=lambda r: r[5])
    print(f"peak PSS of the process tree at most {worst_pss[5]:.1f} MB (info)")
    if len(sizes) > 1:
        for mode in ("cold", "warm"):
            ratios = []
            for jobs in jobs_settings:
                for fmt in formats:
                    per = [r[8] for r in rows if r[1] == fmt and r[2] == jobs and r[3] == mode]
                    ratios.append((max(per) / min(per), fmt, jobs))
            ratio, fmt, jobs = max(ratios)
            ok = ratio <= FLAT_TARGET
            ok_all &= ok
            print(
                f"{mode} marginal CPU time per file, largest/smallest over {sizes}: at most {ratio:.2f} "
                f"({fmt}, jobs={jobs}): target <= {FLAT_TARGET} {'OK' if ok else 'MISSED'}"
            )
            walls = []
            for jobs in jobs_settings:
                for fmt in formats:
                    per = [r[7] for r in rows if r[1] == fmt and r[2] == jobs and r[3] == mode]
                    walls.append((per[-1] / per[0], fmt, jobs))
            ratio, fmt, jobs = max(walls)
            print(
                f"  {mode} wall time per file, largest size / smallest: at most {ratio:.2f} ({fmt}, jobs={jobs}) (info)"
            )
    return 0 if ok_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
