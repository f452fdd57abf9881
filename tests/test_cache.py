"""The result cache: storage, validation, and invalidation through the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ses_lsp.lint import cache as cache_mod
from ses_lsp.lint.cache import Cache, digest, package_fingerprint
from ses_lsp.lint.files import find_config_path

REPO = Path(__file__).resolve().parents[1]

RULE = """{
  "RuleSetName": "inbound",
  "Rule": {
    "Name": "store",
    "Enabled": true,
    "Recipients": ["support@example.com"],
    "Actions": [{"S3Action": {"Bucket": "mail-bucket"}}]
  }
}
"""


def run(args, cwd, env_extra=None, **kw):
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)
    env.pop(cache_mod.ENV_CACHE_DIR, None)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "ses_lsp", *args], cwd=cwd, env=env, capture_output=True, text=True, **kw
    )


def counts(stderr: str) -> str:
    return [line for line in stderr.splitlines() if line.startswith("cached:")][-1]


# -- unit ------------------------------------------------------------------------


def test_digest_separates_parts():
    assert digest("ab", "c") != digest("a", "bc")
    assert digest("a", b"b") == digest(b"a", "b")
    assert len(digest("x")) == 40


def test_roundtrip_and_gitignore(tmp_path):
    d = tmp_path / "c"
    c = Cache(str(d), "1.0", "fp").load()
    assert c.get("k", "d1") is None
    c.put("k", "d1", {"kind": None, "skipped": True, "diagnostics": []})
    assert c.save() is True
    assert (d / ".gitignore").read_text().splitlines()[-1] == "*"
    again = Cache(str(d), "1.0", "fp").load()
    assert again.get("k", "d1") == {"kind": None, "skipped": True, "diagnostics": []}
    assert again.get("k", "other digest") is None
    assert again.save() is False  # nothing changed: nothing written


def test_version_or_fingerprint_change_empties_the_cache(tmp_path):
    c = Cache(str(tmp_path), "1.0", "fp").load()
    c.put("k", "d", [1])
    c.save()
    assert Cache(str(tmp_path), "1.0", "fp").load().get("k", "d") == [1]
    assert Cache(str(tmp_path), "1.1", "fp").load().get("k", "d") is None
    assert Cache(str(tmp_path), "1.0", "fp2").load().get("k", "d") is None


@pytest.mark.parametrize("junk", [b"", b"garbage", b"\xe3\x00\x01", b"{" * 100])
def test_corrupt_cache_is_ignored_and_rebuilt(tmp_path, junk):
    (tmp_path / cache_mod.CACHE_FILE_NAME).write_bytes(junk)
    c = Cache(str(tmp_path), "1.0", "fp").load()
    assert c.entries == {}
    c.put("k", "d", "v")
    assert c.save()
    assert Cache(str(tmp_path), "1.0", "fp").load().get("k", "d") == "v"


def test_unwritable_cache_is_skipped_silently(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    c = Cache(str(blocker / "sub"), "1.0", "fp").load()
    c.put("k", "d", "v")
    assert c.save() is False


def test_package_fingerprint_is_stable():
    assert package_fingerprint() == package_fingerprint()


@pytest.mark.parametrize(
    "layout",
    [
        {},
        {"pyproject.toml": "[project]\nname = 'x'\n"},
        {"pyproject.toml": "[tool.ses-lsp]\nignore = ['SES101']\n"},
        {"pyproject.toml": "[tool.ses-lsp]\n", "a/.ses-lsp.toml": "ignore = []\n"},
        {".ses-lsp.toml": "", "pyproject.toml": "[tool.ses-lsp]\n"},
        {"a/pyproject.toml": "[tool.other]\n", ".ses-lsp.toml": ""},
    ],
)
def test_config_search_agrees_with_the_config_module(tmp_path, layout):
    from ses_lsp.lint.config import find_config_file

    for name, text in layout.items():
        p = tmp_path / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    (tmp_path / "a" / "b").mkdir(parents=True, exist_ok=True)
    memo: dict = {}
    for d in (tmp_path, tmp_path / "a", tmp_path / "a" / "b"):
        expected = find_config_file(str(d))
        if expected is not None and not str(expected).startswith(str(tmp_path)):
            pytest.skip("a configuration file above the temporary directory")
        assert find_config_path(str(d)) == expected
        assert find_config_path(str(d), memo) == expected


# -- through the command line ------------------------------------------------------


def test_second_run_is_served_from_the_cache(tmp_path):
    (tmp_path / "r.json").write_text(RULE)
    first = run(["lint", "-v", "r.json"], tmp_path)
    assert counts(first.stderr) == "cached: 0 files, linted: 1"
    assert (tmp_path / ".ses-lsp-cache" / cache_mod.CACHE_FILE_NAME).is_file()
    assert (tmp_path / ".ses-lsp-cache" / ".gitignore").is_file()
    second = run(["lint", "-v", "r.json"], tmp_path)
    assert counts(second.stderr) == "cached: 1 file, linted: 0"
    assert second.stdout == first.stdout and second.returncode == first.returncode == 1
    for fmt in ("json", "sarif", "github"):
        cold = run(["lint", "--no-cache", "--format", fmt, "r.json"], tmp_path)
        warm = run(["lint", "--format", fmt, "r.json"], tmp_path)
        assert warm.stdout == cold.stdout, fmt


def test_cache_invalidated_by_content(tmp_path):
    p = tmp_path / "r.json"
    p.write_text(RULE)
    run(["lint", "r.json"], tmp_path)
    p.write_text(RULE.replace('"Bucket"', '"BucketName"'))
    r = run(["lint", "-v", "r.json"], tmp_path)
    assert counts(r.stderr) == "cached: 0 files, linted: 1"
    assert r.returncode == 0
    assert r.stdout == "All checked: 1 file, no problems.\n"


def test_cache_invalidated_by_config(tmp_path):
    (tmp_path / "r.json").write_text(RULE)
    run(["lint", "r.json"], tmp_path)
    (tmp_path / ".ses-lsp.toml").write_text('ignore = ["SES101", "SES102"]\n')
    r = run(["lint", "-v", "r.json"], tmp_path)
    assert counts(r.stderr) == "cached: 0 files, linted: 1"
    assert r.returncode == 0
    # The configuration is remembered too: a third run lints nothing.
    r = run(["lint", "-v", "r.json"], tmp_path)
    assert counts(r.stderr) == "cached: 1 file, linted: 0" and r.returncode == 0
    (tmp_path / ".ses-lsp.toml").write_text("ignore = []\n")
    r = run(["lint", "-v", "r.json"], tmp_path)
    assert counts(r.stderr) == "cached: 0 files, linted: 1" and r.returncode == 1
    # The cache lives next to the configuration file.
    assert (tmp_path / ".ses-lsp-cache").is_dir()


def test_cache_invalidated_by_options(tmp_path):
    (tmp_path / "r.json").write_text(RULE)
    run(["lint", "r.json"], tmp_path)
    r = run(["lint", "-v", "--ignore", "SES101,missing-required-member", "r.json"], tmp_path)
    assert counts(r.stderr) == "cached: 0 files, linted: 1" and r.returncode == 0
    r = run(["lint", "-v", "--kind", "ses:create-receipt-rule", "r.json"], tmp_path)
    assert counts(r.stderr) == "cached: 0 files, linted: 1" and r.returncode == 1


def test_cache_invalidated_by_version(tmp_path, monkeypatch, capsys):
    import ses_lsp
    from ses_lsp import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(cache_mod.ENV_CACHE_DIR, raising=False)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    (tmp_path / "r.json").write_text(RULE)
    assert cli.main(["lint", "-v", "r.json"]) == 1
    assert cli.main(["lint", "-v", "r.json"]) == 1
    assert counts(capsys.readouterr().err) == "cached: 1 file, linted: 0"
    monkeypatch.setattr(ses_lsp, "__version__", ses_lsp.__version__ + ".post1")
    assert cli.main(["lint", "-v", "r.json"]) == 1
    assert counts(capsys.readouterr().err) == "cached: 0 files, linted: 1"


def test_no_cache_and_cache_dir_variable(tmp_path):
    (tmp_path / "r.json").write_text(RULE)
    r = run(["lint", "-v", "--no-cache", "r.json"], tmp_path)
    assert counts(r.stderr) == "cached: 0 files, linted: 1"
    assert not (tmp_path / ".ses-lsp-cache").exists()
    elsewhere = tmp_path / "elsewhere"
    env = {cache_mod.ENV_CACHE_DIR: str(elsewhere)}
    run(["lint", "r.json"], tmp_path, env)
    assert (elsewhere / cache_mod.CACHE_FILE_NAME).is_file()
    assert not (tmp_path / ".ses-lsp-cache").exists()
    r = run(["lint", "-v", "r.json"], tmp_path, env)
    assert counts(r.stderr) == "cached: 1 file, linted: 0"


def test_corrupt_cache_file_is_ignored_by_the_cli(tmp_path):
    (tmp_path / "r.json").write_text(RULE)
    run(["lint", "r.json"], tmp_path)
    (tmp_path / ".ses-lsp-cache" / cache_mod.CACHE_FILE_NAME).write_bytes(b"\x00garbage")
    r = run(["lint", "-v", "r.json"], tmp_path)
    assert counts(r.stderr) == "cached: 0 files, linted: 1"
    assert r.returncode == 1 and "Traceback" not in r.stderr
    r = run(["lint", "-v", "r.json"], tmp_path)
    assert counts(r.stderr) == "cached: 1 file, linted: 0"


def test_fix_does_not_trust_the_cache_for_changed_files(tmp_path):
    p = tmp_path / "r.json"
    p.write_text(RULE.replace('"Bucket"', '"BucketName"').replace('"Enabled": true,', ""))
    first = run(["lint", "--format", "json", "r.json"], tmp_path)
    assert [d["code"] for d in json.loads(first.stdout)] == ["SES505"]
    fixed = run(["lint", "-v", "--fix", "r.json"], tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    assert "Fixed 1 problem in 1 file." in fixed.stderr
    assert fixed.stdout == "All checked: 1 file, no problems.\n"
    again = run(["lint", "-v", "r.json"], tmp_path)
    assert counts(again.stderr) == "cached: 1 file, linted: 0"
    assert again.stdout == "All checked: 1 file, no problems.\n"
