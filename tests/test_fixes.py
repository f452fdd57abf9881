"""Applying fixes: choosing non-overlapping ones, line breaks, atomic writes, diffs, the fix loop."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from ses_lsp.lint.fixes import apply_edits, choose_fixes, newline_of, unified_diff, write_atomic

REPO = Path(__file__).resolve().parents[1]


def fix(*edits, safe=True, title="fix"):
    return {
        "title": title,
        "safe": safe,
        "edits": [{"start": [s, 0, s], "end": [e, 0, e], "newText": t} for s, e, t in edits],
    }


def test_newline_of():
    assert newline_of("a\nb\r\n") == "\n"
    assert newline_of("a\r\nb\n") == "\r\n"
    assert newline_of("a\rb") == "\r"
    assert newline_of("abc") == "\n"


def test_apply_edits_in_any_order():
    text = "0123456789"
    assert apply_edits(text, [(8, 9, "X"), (0, 1, "AB"), (4, 4, "-")]) == "AB123-4567X9"
    assert apply_edits(text, []) == text


def test_apply_edits_follows_crlf():
    text = "a: 1\r\nb: 2\r\n"
    assert apply_edits(text, [(6, 6, "c: 3\n")]) == "a: 1\r\nc: 3\r\nb: 2\r\n"
    assert apply_edits("a\nb\n", [(2, 2, "x\n")]) == "a\nx\nb\n"


def test_choose_fixes_skips_overlaps_and_keeps_fixes_whole():
    f1 = fix((0, 4, "x"))
    f2 = fix((2, 6, "y"))  # overlaps f1
    f3 = fix((6, 8, "z"), (10, 12, "w"))
    f4 = fix((11, 11, "v"))  # inside f3's second edit
    f5 = fix((20, 20, "a"))
    f6 = fix((20, 20, "b"))  # same insertion point as f5: order undefined, next round
    chosen, edits = choose_fixes([f1, f2, f3, f4, f5, f6], 100)
    assert chosen == [f1, f3, f5]
    assert sorted(edits) == [(0, 4, "x"), (6, 8, "z"), (10, 12, "w"), (20, 20, "a")]


def test_choose_fixes_rejects_bad_edits():
    assert choose_fixes([fix((5, 3, "x"))], 10)[0] == []
    assert choose_fixes([fix((5, 30, "x"))], 10)[0] == []
    assert choose_fixes([fix((0, 2, "x"), (1, 3, "y"))], 10)[0] == []  # overlapping inside one fix
    assert choose_fixes([{"title": "t", "safe": True, "edits": []}], 10)[0] == []
    assert choose_fixes([{"broken": True}], 10)[0] == []


GOLDEN_FIXED = sorted(p.with_suffix("") for p in (REPO / "tests" / "golden").rglob("*.fixed"))


@pytest.mark.parametrize("path", GOLDEN_FIXED, ids=[p.name for p in GOLDEN_FIXED])
def test_an_editors_fix_all_chooses_what_lint_fix_chooses(path):
    """The editor's "fix all" (engine diagnostics) and `ses-lsp lint --fix` (records) go
    through one chooser: the same fixes, the same edits, for every golden case with fixes."""
    from ses_lsp.lint.engine import lint_text
    from ses_lsp.lint.fixes import choose_safe_fixes
    from ses_lsp.lint.runner import make_record

    text = path.read_text(encoding="utf-8")
    kind_file = path.with_name(path.name + ".kind")
    result = lint_text(text, str(path), kind=kind_file.read_text().strip() if kind_file.exists() else None)
    record = make_record(result)
    safe = [d["fix"] for d in record["diagnostics"] if d["fix"] and d["fix"]["safe"]]
    chosen, edits = choose_fixes(safe, len(text))
    editor = choose_safe_fixes(result.diagnostics, len(text))
    assert editor, "a case with a .fixed file has safe fixes"
    assert [f.title for _d, f in editor] == [f["title"] for f in chosen]
    assert [(e.start, e.end, e.new_text) for _d, f in editor for e in f.edits] == edits
    assert all(f.safe for _d, f in editor)


def test_choose_safe_fixes_skips_unsafe_and_overlapping_fixes():
    from ses_lsp.lint.diagnostics import Diagnostic, Fix, Severity, TextEdit
    from ses_lsp.lint.fixes import choose_safe_fixes

    def diag(start: int, *edits: tuple[int, int, str], safe: bool = True) -> Diagnostic:
        fx = Fix("t", tuple(TextEdit(*e) for e in edits), safe=safe)
        return Diagnostic("SES104", "invalid-enum-value", Severity.ERROR, "m", start, start + 1, fix=fx)

    a, b, c, d = diag(0, (0, 4, "x")), diag(1, (2, 6, "y")), diag(6, (6, 8, "z"), safe=False), diag(9, (9, 9, "w"))
    assert [x for x, _f in choose_safe_fixes([a, b, c, d], 20)] == [a, d]
    assert choose_safe_fixes([diag(0, (5, 30, "x"))], 10) == []  # out of the text


def test_touching_edits_are_both_applied():
    chosen, edits = choose_fixes([fix((0, 2, "x")), fix((2, 4, "y"))], 10)
    assert len(chosen) == 2
    assert apply_edits("abcdef", edits) == "xyef"


def test_write_atomic_keeps_mode_and_leaves_no_temp_file(tmp_path):
    p = tmp_path / "a.json"
    p.write_bytes(b"old")
    os.chmod(p, 0o640)
    write_atomic(str(p), b"new")
    assert p.read_bytes() == b"new"
    assert stat.S_IMODE(os.stat(p).st_mode) == 0o640
    assert sorted(os.listdir(tmp_path)) == ["a.json"]


def test_write_atomic_through_a_symlink(tmp_path):
    target = tmp_path / "real.json"
    target.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    write_atomic(str(link), b"new")
    assert link.is_symlink()
    assert target.read_bytes() == b"new"


def test_unified_diff():
    assert unified_diff("a\nb\n", "a\nc\n", "x.yaml") == ("--- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n")
    assert unified_diff("a", "b", "x.yaml") == (
        "--- a/x.yaml\n+++ b/x.yaml\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n\\ No newline at end of file\n"
    )
    assert unified_diff("same\n", "same\n", "x") == ""


# -- the fix loop, through the command line -------------------------------------------

BROKEN = """{
  "RuleSetName":   "inbound",
  "Rule": {
    "Name": "store",
    "TlsPolicy": "require",
    "Recipients": [ "support@example.com" ],
    "Actions": [
      {"StopAction": {"Scope": "RuleSet"}},
      {"S3Action": {"BucketName": "mail-bucket",   "ObjectKeyPrefix": "in/"}}
    ]
  }
}
"""


def run(args, cwd, **kw):
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("SES_LSP_CACHE_DIR", str(Path(cwd) / ".cache-for-tests"))
    return subprocess.run([sys.executable, "-m", "ses_lsp", *args], cwd=cwd, env=env, capture_output=True, **kw)


def test_fix_applies_every_safe_fix_in_one_run(tmp_path):
    p = tmp_path / "rule.json"
    p.write_text(BROKEN)
    r = run(["lint", "--fix", "rule.json"], tmp_path)
    fixed = p.read_text()
    assert '"TlsPolicy": "Require"' in fixed
    assert fixed.index("S3Action") < fixed.index("StopAction")
    assert '"Enabled": true' in fixed
    # Formatting elsewhere is untouched.
    assert '"RuleSetName":   "inbound"' in fixed and '[ "support@example.com" ]' in fixed
    assert '"mail-bucket",   "ObjectKeyPrefix"' in fixed
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    assert b"Fixed 3 problems in 1 file." in r.stderr
    assert r.stdout == b"All checked: 1 file, no problems.\n"


def test_fix_crlf_file_keeps_crlf(tmp_path):
    p = tmp_path / "rule.json"
    p.write_bytes(BROKEN.replace("\n", "\r\n").encode())
    r = run(["lint", "--fix", "rule.json"], tmp_path)
    assert r.returncode == 0, r.stdout.decode() + r.stderr.decode()
    data = p.read_bytes()
    assert b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    assert b'"Enabled": true' in data


def test_unsafe_fixes_are_not_applied(tmp_path):
    text = BROKEN.replace('"BucketName"', '"Bucket"')
    p = tmp_path / "rule.json"
    p.write_text(text)
    r = run(["lint", "--fix", "rule.json"], tmp_path)
    assert r.returncode == 1
    assert '"Bucket"' in p.read_text()  # the rename is offered, not applied


def test_file_without_fixes_is_not_touched(tmp_path):
    text = BROKEN.replace('"BucketName"', '"Bucket"')
    p = tmp_path / "rule.json"
    p.write_text(
        text.replace('"require"', '"Require"')
        .replace('{"StopAction": {"Scope": "RuleSet"}},\n      ', "")
        .replace('"Name": "store",', '"Name": "store", "Enabled": true,')
    )
    before = os.stat(p)
    r = run(["lint", "--fix", "rule.json"], tmp_path)
    assert r.returncode == 1
    assert b"Fixed 0 problems in 0 files." in r.stderr
    after = os.stat(p)
    assert (before.st_ino, before.st_mtime_ns) == (after.st_ino, after.st_mtime_ns)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_fix_many_files(tmp_path, jobs):
    for i in range(10):
        (tmp_path / f"r{i}.json").write_text(BROKEN.replace("store", f"store{i}"))
    r = run(["lint", "--fix", "-j", jobs, "."], tmp_path)
    assert r.returncode == 0, r.stderr.decode()
    assert b"Fixed 30 problems in 10 files." in r.stderr


# -- the fix loop, with a scripted engine ------------------------------------------------


def _record(*fixes):
    return {
        "kind": "ses:create-receipt-rule",
        "skipped": False,
        "diagnostics": [
            {
                "code": "SES999",
                "name": "x",
                "severity": "error",
                "message": "m",
                "pointer": "",
                "start": [0, 0, 0],
                "end": [0, 0, 0],
                "source": None,
                "related": [],
                "fix": f,
                "tags": [],
            }
            for f in fixes
        ],
    }


def _runner_with(monkeypatch, tmp_path, text, script):
    """A runner whose engine answers from ``script(text) -> record``."""
    from ses_lsp.lint import runner as runner_mod
    from ses_lsp.lint.files import Target

    monkeypatch.setattr(
        runner_mod, "lint_one", lambda data, name, config, kind, explicit, workspace=None: script(data.decode())
    )
    p = tmp_path / "a.yaml"
    p.write_text(text)
    r = runner_mod.Runner(runner_mod.Options(use_cache=False, jobs=1, keep_data=True))
    rep = runner_mod.FileReport(Target("a.yaml", str(p), str(p), True))
    rep.data = text.encode()
    rep.record = script(text)
    rep.config = runner_mod.ConfigRef(None, r.options)
    return r, rep, p


def test_a_fix_that_enables_another_is_applied_next_round(monkeypatch, tmp_path):
    def script(text):
        if text == "a b c\n":  # two overlapping fixes: the second waits for round 2
            return _record(fix((0, 3, "A B")), fix((2, 5, "X")))
        if text == "A B c\n":
            return _record(fix((4, 5, "C")))
        return _record()

    runner, rep, p = _runner_with(monkeypatch, tmp_path, "a b c\n", script)
    changed = runner.fix([rep], write=True)
    assert p.read_text() == "A B C\n"
    assert [(r.fixed, old, new) for r, old, new in changed] == [(2, "a b c\n", "A B C\n")]
    assert rep.record["diagnostics"] == []


def test_fix_rounds_are_bounded(monkeypatch, tmp_path):
    from ses_lsp.lint import runner as runner_mod

    runner, rep, p = _runner_with(monkeypatch, tmp_path, "x", lambda text: _record(fix((0, 0, "+"))))
    runner.fix([rep], write=True)
    assert p.read_text() == "+" * runner_mod.MAX_FIX_ROUNDS + "x"


def test_fix_without_write_leaves_the_file(monkeypatch, tmp_path):
    runner, rep, p = _runner_with(
        monkeypatch, tmp_path, "abc", lambda text: _record(fix((0, 1, "A"))) if text == "abc" else _record()
    )
    changed = runner.fix([rep], write=False)
    assert p.read_text() == "abc"
    assert [(old, new) for _, old, new in changed] == [("abc", "Abc")]
