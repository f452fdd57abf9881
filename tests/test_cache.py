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
    """The CLI in ``cwd``, whose user cache directory is ``cwd/.xdg`` (see :func:`cache_dir`)."""
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)
    env.pop(cache_mod.ENV_CACHE_DIR, None)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    env["XDG_CACHE_HOME"] = str(Path(cwd) / ".xdg")
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "-m", "ses_lsp", *args], cwd=cwd, env=env, capture_output=True, text=True, **kw
    )


def cache_dir(project: Path) -> Path:
    """The one project directory the runs in ``project`` created in the user cache directory."""
    dirs = list((project / ".xdg" / "ses-lsp").iterdir())
    assert len(dirs) == 1, dirs
    return dirs[0]


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


def _valid_file(tmp_path) -> bytes:
    c = Cache(str(tmp_path), "1.0", "fp").load()
    c.put("k", "d", {"kind": None, "skipped": True, "diagnostics": []})
    c.save()
    return (tmp_path / cache_mod.CACHE_FILE_NAME).read_bytes()


@pytest.mark.parametrize(
    "junk",
    [
        b"",
        b"garbage",
        b"\xe3\x00\x01",
        b"{" * 100,
        b"[" * 100_000,  # nested too deep for the parser
        b"1" * 100_000,  # an integer of too many digits
        b'{"header": [2, "1.0", "fp", "3.12"], "entries": {"k": ["d", "' + b"x" * 1000,  # truncated
        b"\x80\x04\x95 pickle-like bytes",
        b"\xff\xfe{\x00}\x00",  # UTF-16
        b'"just a string"',
        b"[1, 2, 3]",
        b'{"header": "1.0", "entries": {}}',
        b'{"header": null}',
        b'{"header": [2, "1.0", "fp", "3.11"], "entries": {"k": ["d", "v"]}}',  # the format before
        b'{"header": [3, "1.0", "fp", "3.1"' + b" " * 10_000 + b"]}\n",  # a header line too long
    ],
)
def test_corrupt_cache_is_ignored_and_rebuilt(tmp_path, junk):
    (tmp_path / cache_mod.CACHE_FILE_NAME).write_bytes(junk)
    c = Cache(str(tmp_path), "1.0", "fp").load()
    assert len(c) == 0
    c.put("k", "d", "v")
    assert c.save()
    assert Cache(str(tmp_path), "1.0", "fp").load().get("k", "d") == "v"


def test_valid_file_with_damaged_entries_keeps_only_well_formed_ones(tmp_path):
    header = _valid_file(tmp_path).splitlines()[0]
    lines = [
        b'"not an entry"',
        b'["short","d"]',
        b'["number-digest",1,"v"]',
        b'["nested",["d"],"v"]',
        b'[1,"d","v"]',
        b'["truncated","d","v',
        b'["bad-json","d",v]',
        b'["not-utf8","d","\xff"]',
        b'["good","d","v"]',
        b"garbage",
        b"",
    ]
    (tmp_path / cache_mod.CACHE_FILE_NAME).write_bytes(header + b"\n" + b"\n".join(lines) + b"\n")
    c = Cache(str(tmp_path), "1.0", "fp").load()
    assert c.get("good", "d") == "v"
    keys = ["list", "short", "number-digest", "nested", "truncated", "bad-json", "not-utf8"]
    for key in keys:
        assert c.get(key, "d") is None
    for key in keys:
        c.put(key, "d2", "w")
    assert c.save()
    again = Cache(str(tmp_path), "1.0", "fp").load()
    assert [again.get(key, "d2") for key in keys] == ["w"] * len(keys)
    assert again.get("good", "d") == "v"
    for top in (b"[]\n", header + b"\n[]\n", header + b"\n" + b'"x"\n', header):
        (tmp_path / cache_mod.CACHE_FILE_NAME).write_bytes(top)
        assert len(Cache(str(tmp_path), "1.0", "fp").load()) == 0


def test_an_entry_whose_line_changed_after_loading_is_a_miss(tmp_path):
    """Values are read when asked for: a line replaced by something else since the
    file was indexed (another run, a tamperer) is checked then."""
    c = Cache(str(tmp_path), "1.0", "fp")
    c.put("k", "d", {"a": 1})
    c.save()
    loaded = Cache(str(tmp_path), "1.0", "fp").load()
    path = tmp_path / cache_mod.CACHE_FILE_NAME
    data = path.read_bytes()
    path.write_bytes(data.replace(b'"k"', b'"j"'))  # the same length, in the same file
    assert loaded.get("k", "d") is None and "k" not in loaded


def test_saving_keeps_entries_used_first_and_bounds_the_others(tmp_path, monkeypatch):
    c = Cache(str(tmp_path), "1.0", "fp")
    for i in range(5):
        c.put(f"old{i}", "d", i)
    c.save()
    monkeypatch.setattr(cache_mod, "MAX_ENTRIES", 4)
    c = Cache(str(tmp_path), "1.0", "fp").load()
    assert c.get("old4", "d") == 4  # used in this run
    c.put("new", "d", "n")
    c.put("new", "d", "n2")  # the last value put wins
    c.save()
    text = (tmp_path / cache_mod.CACHE_FILE_NAME).read_text().splitlines()
    assert [json.loads(line)[0] for line in text[1:]] == ["new", "old0", "old1", "old4"]
    again = Cache(str(tmp_path), "1.0", "fp").load()
    assert again.get("new", "d") == "n2" and again.get("old4", "d") == 4 and again.get("old2", "d") is None


def test_a_value_json_cannot_hold_is_not_stored(tmp_path):
    c = Cache(str(tmp_path), "1.0", "fp").load()
    c.put("surrogate", "d", "\ud800")
    c.put("object", "d", object())
    assert not c.dirty and c.save() is False and len(c) == 0


def test_a_value_the_check_refuses_is_a_miss_and_is_dropped(tmp_path):
    c = Cache(str(tmp_path), "1.0", "fp").load()
    c.put("k", "d", {"kind": 5})
    assert c.save()
    again = Cache(str(tmp_path), "1.0", "fp").load()
    assert again.get("k", "d", lambda v: isinstance(v, dict) and isinstance(v.get("kind"), str)) is None
    assert again.misses == 1 and "k" not in again and again.dirty


def test_oversized_cache_file_is_not_read(tmp_path):
    path = tmp_path / cache_mod.CACHE_FILE_NAME
    path.write_bytes(_valid_file(tmp_path))
    assert len(Cache(str(tmp_path), "1.0", "fp").load()) == 1
    with open(path, "r+b") as fh:  # a sparse file: no disk space used
        fh.truncate(cache_mod.MAX_FILE_BYTES + 1)
    assert len(Cache(str(tmp_path), "1.0", "fp").load()) == 0


def test_default_directory_is_per_user_and_per_project(tmp_path, monkeypatch):
    from ses_lsp.lint.cache import default_cache_dir, user_cache_root

    monkeypatch.delenv(cache_mod.ENV_CACHE_DIR, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert user_cache_root() == str(tmp_path / "xdg" / "ses-lsp")
    a, b = tmp_path / "one" / "proj", tmp_path / "two" / "proj"
    da, db = default_cache_dir(str(a)), default_cache_dir(str(b))
    assert da is not None and db is not None and da != db  # same name, other project
    assert Path(da).parent == Path(db).parent == tmp_path / "xdg" / "ses-lsp"
    assert Path(da).name.startswith("proj-") and default_cache_dir(str(a)) == da
    assert default_cache_dir(str(tmp_path / "we ird:/")) is not None
    # Without XDG_CACHE_HOME (or with a relative one, which the specification ignores): ~/.cache.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for value in (None, "relative/dir"):
        if value is None:
            monkeypatch.delenv("XDG_CACHE_HOME")
        else:
            monkeypatch.setenv("XDG_CACHE_HOME", value)
        assert user_cache_root() == str(tmp_path / "home" / ".cache" / "ses-lsp")
    monkeypatch.setenv(cache_mod.ENV_CACHE_DIR, str(tmp_path / "mine"))
    assert default_cache_dir(str(a)) == str(tmp_path / "mine")


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
    # In the user's cache directory, under the project's name; nothing in the project.
    assert cache_dir(tmp_path).name.startswith(tmp_path.name + "-")
    assert (cache_dir(tmp_path) / cache_mod.CACHE_FILE_NAME).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [".xdg", "r.json"]
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
    # One cache for the project of the configuration file.
    assert cache_dir(tmp_path).name.startswith(tmp_path.name + "-")


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
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / ".xdg"))
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
    assert not (tmp_path / ".xdg").exists()
    elsewhere = tmp_path / "elsewhere"
    env = {cache_mod.ENV_CACHE_DIR: str(elsewhere)}
    run(["lint", "r.json"], tmp_path, env)
    assert (elsewhere / cache_mod.CACHE_FILE_NAME).is_file()
    assert not (tmp_path / ".xdg").exists()
    r = run(["lint", "-v", "r.json"], tmp_path, env)
    assert counts(r.stderr) == "cached: 1 file, linted: 0"


def test_corrupt_cache_file_is_ignored_by_the_cli(tmp_path):
    (tmp_path / "r.json").write_text(RULE)
    run(["lint", "r.json"], tmp_path)
    (cache_dir(tmp_path) / cache_mod.CACHE_FILE_NAME).write_bytes(b"\x00garbage")
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


def _rewrite(path: Path, change) -> None:
    """Rewrite every entry ``[key, digest, value]`` of a cache file with ``change(entry)``."""
    head, *lines = path.read_text(encoding="utf-8").splitlines()
    entries = [json.loads(line) for line in lines]
    for entry in entries:
        change(entry)
    path.write_text("".join(json.dumps(e) + "\n" for e in [json.loads(head), *entries]), encoding="utf-8")


def _tamper(tmp_path: Path, change) -> None:
    """Rewrite every file record of the project's cache with ``change(record)``."""

    def entry_change(entry):
        if not entry[0].startswith("config:"):
            entry[2] = change(entry[2])

    _rewrite(cache_dir(tmp_path) / cache_mod.CACHE_FILE_NAME, entry_change)


def _set(path: str, value):
    def change(record):
        target = record
        parts = path.split(".")
        for p in parts[:-1]:
            target = target[int(p)] if isinstance(target, list) else target[p]
        last = parts[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
        return record

    return change


@pytest.mark.parametrize(
    "change",
    [
        lambda r: "not a record",
        lambda r: [r],
        _set("diagnostics", "x"),
        _set("diagnostics.0", None),
        _set("diagnostics.0.start", [10**30, 0, 0]),  # a huge offset
        _set("diagnostics.0.start", [0, -1, 0]),
        _set("diagnostics.0.end", [0, 0]),
        _set("diagnostics.0.severity", "fatal"),
        _set("diagnostics.0.message", "\x1b]0;owned\x07\x1b[2J"),  # terminal escape sequences
        _set("diagnostics.0.message", 42),
        _set("diagnostics.0.source", ["x", -5, 2**40]),
        _set("diagnostics.0.related", {"file": "x"}),
        _set("diagnostics.0.fix", {"title": "t", "safe": "yes", "edits": []}),
        _set("diagnostics.0.tags", "unnecessary"),
        _set("skipped", 0),
        _set("kind", ["ses:create-receipt-rule"]),
    ],
)
def test_hostile_cache_entries_are_treated_as_missing(tmp_path, change):
    (tmp_path / "r.json").write_text(RULE.replace('"Bucket"', '"Bukket"'))
    expected = {fmt: run(["lint", "--no-cache", "--format", fmt, "r.json"], tmp_path) for fmt in ("text", "json")}
    for fmt in ("text", "json"):
        run(["lint", "r.json"], tmp_path)
        _tamper(tmp_path, change)
        r = run(["lint", "-v", "--format", fmt, "r.json"], tmp_path)
        assert "Traceback" not in r.stderr
        assert counts(r.stderr) == "cached: 0 files, linted: 1"
        assert (r.returncode, r.stdout) == (expected[fmt].returncode, expected[fmt].stdout)


def test_hostile_config_entry_is_treated_as_missing(tmp_path):
    (tmp_path / "r.json").write_text(RULE)
    (tmp_path / ".ses-lsp.toml").write_text('fail-on = "warning"\n')
    run(["lint", "r.json"], tmp_path)
    path = cache_dir(tmp_path) / cache_mod.CACHE_FILE_NAME
    for bad in (["fp"], ["fp", "never"], "fp", [1, 2], ["fp", "warning", "x"]):
        run(["lint", "r.json"], tmp_path)

        def entry_change(entry, bad=bad):
            if entry[0].startswith("config:"):
                entry[2] = bad

        _rewrite(path, entry_change)
        r = run(["lint", "-v", "r.json"], tmp_path)
        assert "Traceback" not in r.stderr and r.returncode == 1, (bad, r.stderr)


def test_fix_never_writes_edits_taken_from_the_cache(tmp_path):
    """A cached record's safe fix is not applied as it is: --fix re-lints the file first."""
    p = tmp_path / "r.json"
    broken = RULE.replace('"Bucket"', '"BucketName"').replace('"Enabled": true,', "")
    p.write_text(broken)
    run(["lint", "r.json"], tmp_path)

    def forge(record):
        for d in record["diagnostics"]:
            if d["fix"]:
                d["fix"]["edits"] = [{"start": [0, 0, 0], "end": [0, 0, 0], "newText": "PWNED"}]
        return record

    _tamper(tmp_path, forge)
    fixed = run(["lint", "--fix", "r.json"], tmp_path)
    assert fixed.returncode == 0, fixed.stderr
    text = p.read_text()
    assert "PWNED" not in text and '"Enabled": true' in text


def test_an_old_marshal_cache_in_the_project_is_ignored(tmp_path):
    import marshal

    (tmp_path / "r.json").write_text(RULE)
    old = tmp_path / ".ses-lsp-cache"
    old.mkdir()
    (old / "v1.marshal").write_bytes(marshal.dumps({"header": (1,), "entries": {}}))
    env = {cache_mod.ENV_CACHE_DIR: str(old)}
    r = run(["lint", "-v", "r.json"], tmp_path, env)
    assert counts(r.stderr) == "cached: 0 files, linted: 1" and "Traceback" not in r.stderr
