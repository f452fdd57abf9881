"""The repository index at 10,000 files (issue #12, section 3): cold and warm indexing, an edit
re-indexing one file, and the language server's memory holding that index.

    python benchmarks/bench_index.py [--files 10000] [--jobs 2] [--runs 3] [--git]

The 300-file mixed workload (benchmarks/workloads.py: rule sets, rules, filters, bounces,
ingress points, Mail Manager rule sets; valid and broken) is copied into directories until
there are ``--files`` files (``--git``: the folder is a git work tree, so the index lists its
files with ``git ls-files``; else it walks the folder and reads .gitignore files).  Measured:

* index, cold: ``ses_lsp.lint.repository.build`` in a fresh process, no cache, ``--jobs``
  worker processes: wall time (target <= 10 s on 2 cores) and CPU time of the process tree;
* index, warm: the same with the content-hash cache filled by the cold run;
* one edit: a file changed on disk, then ``ses_lsp.editor.project.apply_file_events`` (what
  the server runs on ``workspace/didChangeWatchedFiles``): how many files it summarised
  (target: 1) and how long it took;
* the server: ``python -m ses_lsp.server.server`` over stdio with that folder as its workspace,
  from ``initialized`` to the end of its ``$/progress`` (cold: an empty cache; warm: again),
  and its own RSS (``VmRSS``, and the peak ``VmHWM``) once the index is built (target <= 250 MB);
* ``ses-lsp lint FILE --root DIR``: one file checked against the whole repository, wall time
  and the peak RSS of the process tree, cold and warm.

Figures are medians over ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import workloads  # noqa: E402

PY = sys.executable
COLD_TARGET_S = 10.0
RSS_TARGET_MB = 250.0

INDEX = """
import os, resource, sys, time
from ses_lsp.lint.cache import Cache
from ses_lsp.lint.config import Config
from ses_lsp.lint.repository import build

def main():
    root, jobs, cache_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    cfg = Config(root=root)
    cache = Cache(cache_dir, "bench", "bench").load() if cache_dir != "-" else None
    t = time.perf_counter()
    repo = build(root, config_for=lambda p: cfg, cache=cache, jobs=jobs)
    wall = time.perf_counter() - t
    if cache is not None:
        cache.save()
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime
    print(len(repo), sum(len(s.occurrences) for s in repo.files.values()), wall, cpu)

if __name__ == "__main__":
    main()
"""

EDIT = """
import sys, time
from ses_lsp.editor import project
from ses_lsp.lint import repository
from ses_lsp.lint.cache import Cache
from ses_lsp.lint.config import Config

def main():
    root, cache_dir, edited = sys.argv[1], sys.argv[2], sys.argv[3]
    cfg = Config(root=root)
    cache = Cache(cache_dir, "bench", "bench").load()
    repo = repository.build(root, config_for=lambda p: cfg, cache=cache)
    calls = []
    real = repository.summarize
    def counting(data, path, config, kind=None):
        calls.append(path)
        return real(data, path, config, kind)
    warm_up = edited.replace("005-ruleset", "011-ruleset")  # (the parser's first use: imports)
    project.apply_file_events(repo, [(warm_up, project.CHANGED)], lambda p: cfg, [root])
    repository.summarize = counting
    with open(edited, "a") as fh:
        fh.write("\\n")
    t = time.perf_counter()
    changed = project.apply_file_events(repo, [(edited, project.CHANGED)], lambda p: cfg, [root])
    ms = (time.perf_counter() - t) * 1000
    print(len(calls), ms, changed)

if __name__ == "__main__":
    main()
"""

TIMED = (
    "import resource, subprocess, sys, time\n"
    "t = time.perf_counter()\n"
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
    "t = time.perf_counter() - t\n"
    "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
    "print(r.returncode, t, u.ru_maxrss)\n"
)


def make_folder(base: Path, files: int, git: bool) -> Path:
    src = base / "workloads"
    workloads.main(src)
    mixed = sorted((src / "mixed").iterdir())
    folder = base / "repo"
    n = 0
    d = 0
    while n < files:
        target = folder / f"part{d:03d}"
        target.mkdir(parents=True)
        for f in mixed:
            if n >= files:
                break
            shutil.copyfile(f, target / f.name)
            n += 1
        d += 1
    if git:
        subprocess.run(["git", "init", "-q", str(folder)], check=True)
    return folder


def env_with(cache: Path | None) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("SES_LSP_CACHE_DIR",)}
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)
    return env


def index_run(folder: Path, jobs: int, cache_dir: str) -> tuple[int, int, float, float]:
    out = subprocess.run(
        [PY, "-c", INDEX, str(folder), str(jobs), cache_dir], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    return int(out[0]), int(out[1]), float(out[2]), float(out[3])


async def server_run(folder: Path, xdg: Path) -> tuple[float, float, float, int]:
    """(seconds from initialized to the end of the indexing progress, VmRSS MB, VmHWM MB, documents)."""
    from lsprotocol import types as T
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("bench-index", "1")
    done = asyncio.get_running_loop().create_future()
    message = []

    @client.feature(T.WINDOW_WORK_DONE_PROGRESS_CREATE)
    def create(params):
        return None

    @client.feature(T.PROGRESS)
    def progress(params):
        value = params.value
        kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
        if kind == "end" and not done.done():
            message.append(value.get("message") if isinstance(value, dict) else value.message)
            done.set_result(time.perf_counter())

    await client.start_io(PY, "-m", "ses_lsp.server.server", env=env_with(xdg), cwd=str(ROOT))
    pid = client._server.pid  # type: ignore[union-attr]
    await client.initialize_async(
        T.InitializeParams(
            capabilities=T.ClientCapabilities(window=T.WindowClientCapabilities(work_done_progress=True)),
            root_uri=folder.as_uri(),
        )
    )
    t = time.perf_counter()
    client.initialized(T.InitializedParams())
    end = await asyncio.wait_for(done, 300)
    await asyncio.sleep(0.5)  # (the swap and a collection after the index is built)
    rss, hwm = 0.0, 0.0
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS"):
                rss = int(line.split()[1]) / 1024
            elif line.startswith("VmHWM"):
                hwm = int(line.split()[1]) / 1024
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    docs = int(message[0].split()[0]) if message and message[0] else 0
    return end - t, rss, hwm, docs


def cli_run(folder: Path, xdg: Path, no_cache: bool) -> tuple[int, float, float]:
    args = [PY, "-m", "ses_lsp", "lint", "part000/000-rule.json", "--root", ".", "--format", "json"]
    if no_cache:
        args.append("--no-cache")
    out = subprocess.run(
        [PY, "-c", TIMED, *args], capture_output=True, text=True, check=True, cwd=folder, env=env_with(xdg)
    ).stdout.split()
    return int(out[0]), float(out[1]), int(out[2]) / 1024


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=10_000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--git", action="store_true", help="make the folder a git work tree")
    args = ap.parse_args()
    med = statistics.median
    with tempfile.TemporaryDirectory(prefix="ses-lsp-bench-index-") as tmp:
        base = Path(tmp)
        folder = make_folder(base, args.files, args.git)
        print(f"{args.files:,} files in {folder} ({'git work tree' if args.git else 'plain folder'}); jobs={args.jobs}")

        cold, warm = [], []
        docs = occ = 0
        for i in range(args.runs):
            cache = base / f"index-cache-{i}"
            docs, occ, wall, cpu = index_run(folder, args.jobs, str(cache))
            cold.append((wall, cpu))
            warm.append(index_run(folder, args.jobs, str(cache))[2:])
        w = med(c[0] for c in cold)
        print(
            f"index cold : {w:6.2f} s wall, {med(c[1] for c in cold):6.2f} s CPU  "
            f"({docs:,} SES documents with names, {occ:,} names)  "
            f"{'OK' if w <= COLD_TARGET_S else 'OVER'} (target <= {COLD_TARGET_S:.0f} s)"
        )
        print(f"index warm : {med(c[0] for c in warm):6.2f} s wall, {med(c[1] for c in warm):6.2f} s CPU (cache)")

        edited = folder / "part000" / "005-ruleset.yaml"
        out = subprocess.run(
            [PY, "-c", EDIT, str(folder), str(base / "index-cache-0"), str(edited)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        ).stdout.split()
        print(f"one edit   : {out[0]} file summarised, {float(out[1]):.1f} ms (repository changed: {out[2]})")

        srv_cold, srv_warm = [], []
        for i in range(args.runs):
            xdg = base / f"xdg-server-{i}"
            srv_cold.append(asyncio.run(server_run(folder, xdg)))
            srv_warm.append(asyncio.run(server_run(folder, xdg)))
        for name, runs in (("server cold", srv_cold), ("server warm", srv_warm)):
            rss = med(r[1] for r in runs)
            print(
                f"{name}: indexed {runs[0][3]:,} documents in {med(r[0] for r in runs):6.2f} s; "
                f"RSS {rss:6.1f} MB (peak {med(r[2] for r in runs):6.1f} MB)  "
                f"{'OK' if rss <= RSS_TARGET_MB else 'OVER'} (target <= {RSS_TARGET_MB:.0f} MB)"
            )

        xdg = base / "xdg-cli"
        for label, no_cache in (("lint --root, no cache", True), ("lint --root, cold cache", False)):
            rc, t, rss = cli_run(folder, xdg, no_cache)
            print(f"{label:<24}: {t:6.2f} s, peak RSS {rss:6.1f} MB (exit {rc})")
        rc, t, rss = cli_run(folder, xdg, False)
        print(f"{'lint --root, warm cache':<24}: {t:6.2f} s, peak RSS {rss:6.1f} MB (exit {rc})")


if __name__ == "__main__":
    main()
