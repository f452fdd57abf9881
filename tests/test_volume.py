"""Many files: `ses-lsp lint` keeps nothing per file once it is printed, and what it prints
while streaming is what the whole-list formatters print (issue #10, section 1).

Memory is checked by counts, never by timing: live report objects while the runner
streams, and tracemalloc's peak of whole CLI runs of few and of many files.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ses_lsp.lint import runner as runner_mod
from ses_lsp.lint.files import discover
from ses_lsp.lint.output import format_reports

REPO = Path(__file__).resolve().parents[1]

# A rule with problems on several lines (errors with source excerpts and a fix).
RULE = """{{
  "RuleSetName": "inbound",
  "Rule": {{
    "Name": "store-{i}",
    "Enabled": true,
    "TlsPolicy": "Mandatory",
    "Recipients": ["support{i}@example.com", "support{i}@example.com", "example.com"],
    "Actions": [{{"S3Action": {{"BucketName": "mail-bucket-{i}", "ObjectKeyPrefx": "in/"}}}}]
  }}
}}
"""
YAML_FILTER = """Filter:
  Name: filter-{i}
  IpFilter:
    Policy: block
    Cidr: 198.51.100.{i}/24
"""
NOT_SES = '{{"name": "package-{i}", "version": "1.0.0"}}\n'


def make_files(root: Path, n: int) -> None:
    """``n`` files in a few directories; a file of a directory comes before its subdirectories
    when walked, after them when sorted by name (so the two orders differ)."""
    for i in range(n):
        d = root / f"d{i % 3}"
        if i % 4 == 0:
            d = d / "sub"
        d.mkdir(parents=True, exist_ok=True)
        if i % 5 == 4:
            (d / f"z{i:04d}-package.json").write_text(NOT_SES.format(i=i))
        elif i % 2:
            (d / f"z{i:04d}-filter.yaml").write_text(YAML_FILTER.format(i=i % 250))
        else:
            (d / f"z{i:04d}-rule.json").write_text(RULE.format(i=i))


def cli(args: list[str], cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    full = dict(os.environ)
    for var in ("GITHUB_ACTIONS", "SES_LSP_CACHE_DIR", "NO_COLOR", "SES_LSP_DEBUG"):
        full.pop(var, None)
    full["PYTHONPATH"] = str(REPO) + os.pathsep + full.get("PYTHONPATH", "")
    full.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ses_lsp", *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=300
    )


def live_reports() -> int:
    """The FileReport objects alive (or cyclic garbage) in this process, of those the collector
    tracks: every one made since ``frozen_heap`` began."""
    return sum(1 for o in gc.get_objects() if type(o) is runner_mod.FileReport)


@pytest.fixture
def frozen_heap():
    """``gc.get_objects()`` lists only what the test makes: the objects alive before it (the
    test process's whole heap, other tests' included) are moved to the collector's permanent
    generation, which it does not list. Counting after each of 90 reports took 10-16 s with them."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


@pytest.mark.parametrize("jobs", [1, 2])
def test_the_runner_holds_a_bounded_number_of_reports(tmp_path, monkeypatch, jobs, frozen_heap):
    """However many files, the reports alive while streaming stay within the reorder window."""
    monkeypatch.chdir(tmp_path)
    # A small window and small chunks, so that 90 files go through several of each.
    monkeypatch.setattr(runner_mod, "WINDOW", 6)
    monkeypatch.setattr(runner_mod, "CHUNK_FILES", 3)
    make_files(tmp_path, 90)
    targets, errors = discover(["."])
    assert not errors and len(targets) == 90
    runner = runner_mod.Runner(runner_mod.Options(use_cache=False, jobs=jobs))
    most = 0
    seen = 0
    for rep in runner.reports(targets):
        assert rep.record is not None and rep.index == seen and rep.data is None
        seen += 1
        del rep
        most = max(most, live_reports())
    assert seen == 90 and runner.linted == 90
    # jobs=1: the report being handed out; jobs=2: the window, plus the chunks a worker
    # finished while the oldest was awaited (CHUNKS_PER_WORKER per worker, 3 files each).
    bound = 1 if jobs == 1 else 6 + 1 + jobs * runner_mod.CHUNKS_PER_WORKER * 3
    assert most <= bound, most
    assert live_reports() == 0


PEAK = """
import os, sys, tracemalloc
tracemalloc.start()
from ses_lsp.cli import main
sys.stdout = open(os.devnull, "w", encoding="utf-8")
code = main(sys.argv[1:])
print(code, tracemalloc.get_traced_memory()[1], file=sys.stderr)
"""


def peak_bytes(args: list[str], cwd: Path, env: dict) -> int:
    full = dict(os.environ)
    full.pop("GITHUB_ACTIONS", None)
    full["PYTHONPATH"] = str(REPO) + os.pathsep + full.get("PYTHONPATH", "")
    full.update(env)
    proc = subprocess.run(
        [sys.executable, "-c", PEAK, *args], cwd=cwd, env=full, capture_output=True, text=True, timeout=300
    )
    code, peak = proc.stderr.split()[-2:]
    assert code == "1", proc.stderr  # the files have problems
    return int(peak)


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_cli_memory_does_not_grow_with_the_number_of_files(tmp_path, fmt):
    """tracemalloc's peak of a whole CLI run (one process: --jobs 1) over 160 files exceeds
    that over 40 files by less than 2 KB per extra file, cold and warm: the files' bytes,
    records and output (several KB each) are not kept; the list of paths is."""
    few, many = tmp_path / "few", tmp_path / "many"
    make_files(few, 40)
    make_files(many, 160)
    env = {"SES_LSP_CACHE_DIR": str(tmp_path / "cache")}
    for cold in (True, False):
        peaks = []
        for root in (few, many):
            args = ["lint", "--format", fmt, "--jobs", "1", str(root)]
            if cold:
                args.append("--no-cache")
            else:
                cli(args, tmp_path, env)  # fill the cache
            peaks.append(peak_bytes(args, tmp_path, env))
        assert peaks[1] - peaks[0] < 120 * 2048, (fmt, cold, peaks)


def test_the_cache_holds_no_values_in_memory(tmp_path):
    """A cache of many entries: what it keeps in memory is an index (an int per key)."""
    from ses_lsp.lint.cache import Cache

    c = Cache(str(tmp_path), "1.0", "fp")
    for i in range(200):
        c.put(f"k{i}", "d", {"diagnostics": ["x" * 1000]})
    assert c.save()
    loaded = Cache(str(tmp_path), "1.0", "fp").load()
    assert len(loaded) == 200
    assert all(type(place) is int for place in loaded._index.values())
    assert loaded.get("k7", "d") == {"diagnostics": ["x" * 1000]}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_streamed_output_is_what_the_whole_list_formatters_print(tmp_path, monkeypatch, jobs):
    """The CLI's output of a many-file run, in every format, is byte for byte what the
    formatters print for the same records all at once (json: sorted by file then position;
    the others in the order the files were found)."""
    make_files(tmp_path, 120)
    monkeypatch.chdir(tmp_path)
    targets, _ = discover(["."])
    reports = runner_mod.Runner(runner_mod.Options(use_cache=False, jobs=1)).run(targets)
    pairs = [(r.display, r.record) for r in reports if r.record is not None]
    assert [p for p, _ in pairs] != sorted(p for p, _ in pairs)  # the orders differ
    for fmt in ("json", "sarif", "text", "github"):
        proc = cli(["lint", "--no-cache", "--format", fmt, "--jobs", jobs, "."], tmp_path)
        assert proc.returncode == 1 and proc.stderr == "", proc.stderr
        assert proc.stdout == format_reports(fmt, pairs), fmt
    items = json.loads(cli(["lint", "--no-cache", "--format", "json", "."], tmp_path).stdout)
    assert len({i["file"] for i in items}) == 96  # rules and filters have problems, packages are skipped


def test_cross_file_checks_see_files_that_come_later(tmp_path):
    """Files whose references name rules of rule sets defined by files later in the run (and
    by a clone of a clone) are checked against them, with many files in between; the output
    keeps its order, in process and with workers, cold and warm."""
    (tmp_path / "a-position.yaml").write_text("RuleSetName: main\nRuleName: first\nAfter: frist\n")
    (tmp_path / "b-reorder.yaml").write_text("RuleSetName: copy2\nRuleNames: [first, secnd]\n")
    (tmp_path / "c-reorder.yaml").write_text("RuleSetName: main\nRuleNames: [first]\n")
    (tmp_path / "b-clone.yaml").write_text("RuleSetName: copy1\nOriginalRuleSetName: main\n")
    make_files(tmp_path / "m", 40)
    (tmp_path / "y-clone.yaml").write_text("RuleSetName: copy2\nOriginalRuleSetName: copy1\n")
    (tmp_path / "z-rule-set.json").write_text(
        '{"Metadata": {"Name": "main"}, "Rules": ['
        '{"Name": "first", "Enabled": true, "Recipients": ["a@example.com"], '
        '"Actions": [{"S3Action": {"BucketName": "b"}}]}, '
        '{"Name": "second", "Enabled": true, "Recipients": ["b@example.com"], '
        '"Actions": [{"S3Action": {"BucketName": "b"}}]}]}\n'
    )
    env = {"SES_LSP_CACHE_DIR": str(tmp_path / "cache")}
    outputs = {}
    for jobs in ("1", "2"):
        for fmt in ("json", "text"):
            proc = cli(["lint", "--no-cache", "--format", fmt, "--jobs", jobs, "."], tmp_path, env)
            assert proc.returncode == 1 and proc.stderr == "", proc.stderr
            outputs[jobs, fmt] = proc.stdout
    assert outputs["1", "json"] == outputs["2", "json"] and outputs["1", "text"] == outputs["2", "text"]
    items = json.loads(outputs["1", "json"])
    unknown = [i for i in items if i["code"] == "SES207"]
    assert [i["file"] for i in unknown] == ["a-position.yaml", "b-reorder.yaml"]
    assert 'did you mean "first"' in unknown[0]["message"]
    assert unknown[0]["related"][0]["file"] == "z-rule-set.json"
    assert 'did you mean "second"' in unknown[1]["message"]  # copy2 has the rules of main: two clones
    missing = [i for i in items if i["file"] == "c-reorder.yaml"]
    assert len(missing) == 1 and 'leaves out 1 rule of rule set "main" ("second")' in missing[0]["message"]
    files = [line.split(":", 1)[0] for line in outputs["1", "text"].splitlines() if line.endswith("]")]
    first_m = min(i for i, f in enumerate(files) if f.startswith("m/"))
    assert files[0] == "a-position.yaml" and files.index("c-reorder.yaml") < first_m
    # Warm: the same output; the re-checked files are counted as linted, the others as cached.
    for _ in range(2):
        proc = cli(["lint", "-v", "--format", "json", "--jobs", "2", "."], tmp_path, env)
        assert proc.stdout == outputs["1", "json"]
    assert "cached: 43 files, linted: 3" in proc.stderr, proc.stderr
