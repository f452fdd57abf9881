"""The ``ses-lsp`` command line, run as a real process (``python -m ses_lsp``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# A rule with two problems, on lines 6 and 8: TlsPolicy is not one of the enum's
# values (SES104, columns 18-29) and the S3Action has an unknown member
# "ObjectKeyPrefx" (SES101, columns 60-76), with an (unsafe) rename fix.
BROKEN = """{
  "RuleSetName": "inbound",
  "Rule": {
    "Name": "store",
    "Enabled": true,
    "TlsPolicy": "Mandatory",
    "Recipients": ["support@example.com"],
    "Actions": [{"S3Action": {"BucketName": "mail-bucket", "ObjectKeyPrefx": "in/"}}]
  }
}
"""
LINE_6 = '    "TlsPolicy": "Mandatory",'
LINE_8 = '    "Actions": [{"S3Action": {"BucketName": "mail-bucket", "ObjectKeyPrefx": "in/"}}]'
VALID = BROKEN.replace('"Mandatory"', '"Require"').replace('"ObjectKeyPrefx"', '"ObjectKeyPrefix"')
# Only a warning: Enabled is not set (SES505, on the "Name" key of line 4, columns 5-11).
WARNING_ONLY = VALID.replace('    "Enabled": true,\n', "")
UNRECOGNISED = '{"name": "my-package", "version": "1.0.0"}\n'


def run(args, cwd, *, env=None, input=None, text=True, timeout=None):
    full_env = dict(os.environ)
    for var in ("GITHUB_ACTIONS", "SES_LSP_CACHE_DIR", "NO_COLOR", "SES_LSP_DEBUG"):
        full_env.pop(var, None)
    full_env["PYTHONPATH"] = str(REPO) + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "ses_lsp", *args],
        cwd=cwd,
        env=full_env,
        input=input,
        capture_output=True,
        text=text,
        timeout=timeout,
    )


def write(root: Path, name: str, text: str | bytes) -> Path:
    p = root / name
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def engine_messages(text: str, name: str = "x.json") -> dict[str, str]:
    """The engine's messages by code (the CLI tests check the format, not the wording)."""
    from ses_lsp.lint.engine import lint_text

    return {d.code: d.message for d in lint_text(text, name).diagnostics}


def no_traceback(r) -> None:
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, r.stderr


# -- basics ----------------------------------------------------------------------------


def test_version(tmp_path):
    import ses_lsp

    r = run(["--version"], tmp_path)
    assert r.returncode == 0
    assert r.stdout == f"ses-lsp {ses_lsp.__version__}\n"


def test_no_command_prints_help(tmp_path):
    r = run([], tmp_path)
    assert r.returncode == 2
    assert "lint" in r.stderr and "rules" in r.stderr


def test_unknown_option_is_a_usage_error(tmp_path):
    r = run(["lint", "--bogus"], tmp_path)
    assert r.returncode == 2
    assert "unrecognized arguments: --bogus" in r.stderr
    no_traceback(r)


def test_exit_codes(tmp_path):
    write(tmp_path, "ok.json", VALID)
    write(tmp_path, "bad.json", BROKEN)
    r = run(["lint", "ok.json"], tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (0, "All checked: 1 file, no problems.\n", "")
    assert run(["lint", "bad.json"], tmp_path).returncode == 1
    r = run(["lint", "missing.json"], tmp_path)
    assert r.returncode == 2
    assert r.stderr == "ses-lsp: error: cannot read 'missing.json': No such file or directory\n"
    assert r.stdout == ""
    # The other files are still checked, and reported.
    r = run(["lint", "bad.json", "missing.json"], tmp_path)
    assert r.returncode == 2
    assert "bad.json:8:60:" in r.stdout
    assert "cannot read 'missing.json'" in r.stderr


NOT_A_FILE = (
    "ses-lsp: error: cannot read {path!r}: it is {what}, not a regular file; ses-lsp reads only files "
    "(to lint what it gives, redirect it to the standard input and name '-')\n"
)


def test_named_paths_that_are_not_regular_files_are_errors_never_read(tmp_path):
    # A FIFO named on the command line made `ses-lsp lint` wait for a writer for ever, and
    # /dev/zero would have been read until memory ran out.  (The timeout only keeps a
    # regression from hanging the suite: a correct run does not wait on anything.)
    import socket

    write(tmp_path, "ok.json", VALID)
    os.mkfifo(tmp_path / "pipe.json")
    os.symlink("pipe.json", tmp_path / "link.json")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp_path / "sock.json"))
    try:
        r = run(["lint", "pipe.json", "/dev/zero", "link.json", "sock.json", "ok.json"], tmp_path, timeout=120)
    finally:
        sock.close()
    assert r.returncode == 2
    assert r.stderr == "".join(
        NOT_A_FILE.format(path=path, what=what)
        for path, what in (
            ("pipe.json", "a named pipe (FIFO)"),
            ("/dev/zero", "a character device"),
            ("link.json", "a named pipe (FIFO)"),
            ("sock.json", "a socket"),
        )
    )
    assert r.stdout == "All checked: 1 file, no problems.\n"  # the regular file is still checked
    # A glob that matches one is the same; a directory walk skips it silently.
    r = run(["lint", "pipe*"], tmp_path, timeout=120)
    assert (r.returncode, r.stderr) == (2, NOT_A_FILE.format(path="pipe.json", what="a named pipe (FIFO)"))
    r = run(["lint", "."], tmp_path, timeout=120)
    assert (r.returncode, r.stderr) == (0, "")
    assert r.stdout == "All checked: 1 file, no problems.\n"
    # So is a configuration file.
    r = run(["lint", "--config", "pipe.json", "ok.json"], tmp_path, timeout=120)
    assert (r.returncode, r.stderr) == (2, NOT_A_FILE.format(path="pipe.json", what="a named pipe (FIFO)"))


def test_a_file_replaced_by_a_fifo_after_discovery_is_not_read(tmp_path):
    from ses_lsp.lint.files import NotRegularFile, read_file

    os.mkfifo(tmp_path / "pipe.json")
    with pytest.raises(NotRegularFile) as caught:
        read_file(str(tmp_path / "pipe.json"))  # opened without blocking, refused on fstat
    assert caught.value.strerror.startswith("it is a named pipe (FIFO), not a regular file")
    write(tmp_path, "ok.json", VALID)
    assert read_file(str(tmp_path / "ok.json")) == VALID.encode()


def test_byte_order_marks_in_the_text_format(tmp_path):
    # A UTF-8 mark was shown as U+FFFD in the first line's excerpt; a UTF-16 file was called binary.
    one_line = json.dumps(
        json.loads(VALID.replace('"Require"', '"Mandatory"').replace(', "ObjectKeyPrefix": "in/"', ""))
    )
    assert len(one_line) < 200  # shown whole
    write(tmp_path, "bom.json", b"\xef\xbb\xbf" + one_line.encode())
    write(tmp_path, "wide.json", "\ufeff".encode("utf-16-le") + VALID.encode("utf-16-le"))
    r = run(["lint", "--no-cache", "bom.json", "wide.json"], tmp_path)
    assert r.returncode == 1
    column = one_line.index('"Mandatory"')
    # The column counts the mark (as every position does); the excerpt does not show it.
    assert r.stdout.splitlines()[:4] == [
        f'bom.json:1:{column + 2}: error: "TlsPolicy" is "Mandatory"; expected one of "Require", "Optional" '
        "[SES104 invalid-enum-value]",
        "  1 | " + one_line,
        "    | " + " " * column + "^" + "~" * (len('"Mandatory"') - 1),
        "wide.json:1:1: error: the file is UTF-16 text (little-endian, with a byte order mark); the AWS CLI reads "
        "parameter files in the locale's encoding (UTF-8 on Linux and macOS) unless AWS_CLI_FILE_ENCODING says "
        "otherwise, and ses-lsp checks them as UTF-8: save it as UTF-8 [SES006 unreadable-content]",
    ]
    assert "\ufffd" not in r.stdout


def test_fail_on(tmp_path):
    write(tmp_path, "w.json", WARNING_ONLY)
    assert run(["lint", "w.json"], tmp_path).returncode == 0
    assert run(["lint", "--fail-on", "warning", "w.json"], tmp_path).returncode == 1
    assert run(["lint", "--fail-on", "info", "w.json"], tmp_path).returncode == 1
    write(tmp_path, ".ses-lsp.toml", 'fail-on = "warning"\n')
    assert run(["lint", "w.json"], tmp_path).returncode == 1
    assert run(["lint", "--fail-on", "error", "w.json"], tmp_path).returncode == 0
    assert run(["lint", "--fail-on", "fatal", "w.json"], tmp_path).returncode == 2


# -- formats ---------------------------------------------------------------------------


def test_text_format_exact(tmp_path):
    write(tmp_path, "bad.json", BROKEN)
    msg = engine_messages(BROKEN)
    r = run(["lint", "bad.json"], tmp_path)
    assert r.returncode == 1
    assert r.stdout == (
        f"bad.json:6:18: error: {msg['SES104']} [SES104 invalid-enum-value]\n"
        f"  6 | {LINE_6}\n"
        f"    | {' ' * 17}^{'~' * 10}\n"
        f"bad.json:8:60: error: {msg['SES101']} [SES101 unknown-member]\n"
        f"  8 | {LINE_8}\n"
        f"    | {' ' * 59}^{'~' * 15}\n"
        "\n"
        "Found 2 errors, 0 warnings and 0 infos in 1 of 1 file.\n"
    )
    assert r.stderr == ""


def test_json_format_exact(tmp_path):
    write(tmp_path, "bad.json", BROKEN)
    msg = engine_messages(BROKEN)
    r = run(["lint", "--format", "json", "bad.json"], tmp_path)
    assert r.returncode == 1
    items = json.loads(r.stdout)
    assert [{k: v for k, v in it.items() if k not in ("fix", "pointer")} for it in items] == [
        {
            "file": "bad.json",
            "code": "SES104",
            "name": "invalid-enum-value",
            "severity": "error",
            "message": msg["SES104"],
            "start": {"line": 6, "column": 18},
            "end": {"line": 6, "column": 29},
            "related": [],
        },
        {
            "file": "bad.json",
            "code": "SES101",
            "name": "unknown-member",
            "severity": "error",
            "message": msg["SES101"],
            "start": {"line": 8, "column": 60},
            "end": {"line": 8, "column": 76},
            "related": [],
        },
    ]
    assert items[1]["pointer"].startswith("/Rule/Actions/0/S3Action")
    fix = items[1]["fix"]
    assert fix["safe"] is False
    assert fix["edits"] == [
        {"start": {"line": 8, "column": 60}, "end": {"line": 8, "column": 76}, "newText": '"ObjectKeyPrefix"'}
    ]
    assert list(items[0]) == [
        "file",
        "code",
        "name",
        "severity",
        "message",
        "pointer",
        "start",
        "end",
        "related",
        "fix",
    ]


def test_json_format_when_nothing_is_wrong(tmp_path):
    write(tmp_path, "ok.json", VALID)
    r = run(["lint", "--format", "json", "ok.json"], tmp_path)
    assert (r.returncode, r.stdout) == (0, "[]\n")


def test_sarif_format(tmp_path):
    from ses_lsp.lint.rules import REGISTRY

    write(tmp_path, "sub/bad.json", BROKEN)
    r = run(["lint", "--format", "sarif", "sub"], tmp_path)
    assert r.returncode == 1
    log = json.loads(r.stdout)
    assert log["version"] == "2.1.0"
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    run_ = log["runs"][0]
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    rules = run_["tool"]["driver"]["rules"]
    assert {r_["id"] for r_ in rules} == {rule.code for rule in REGISTRY.rules}
    results = run_["results"]
    assert [res["ruleId"] for res in results] == ["SES104", "SES101"]
    for res in results:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] == "error"
        loc = res["locations"][0]["physicalLocation"]
        assert loc["artifactLocation"] == {"uri": "sub/bad.json", "uriBaseId": "%SRCROOT%"}
    assert results[1]["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 8,
        "startColumn": 60,
        "endLine": 8,
        "endColumn": 76,
        "charOffset": BROKEN.index('"ObjectKeyPrefx"'),
        "charLength": 16,
    }
    replacement = results[1]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement == {
        "deletedRegion": {"charOffset": BROKEN.index('"ObjectKeyPrefx"'), "charLength": 16},
        "insertedContent": {"text": '"ObjectKeyPrefix"'},
    }
    # The lead validates against the official SARIF schema; no schema is downloaded here.


def test_github_format_and_auto_selection(tmp_path):
    write(tmp_path, "bad.json", BROKEN)
    msg = engine_messages(BROKEN)
    expected = (
        "::error file=bad.json,line=6,col=18,endLine=6,endColumn=29,title=SES104 invalid-enum-value::"
        f"{msg['SES104']}\n"
        "::error file=bad.json,line=8,col=60,endLine=8,endColumn=76,title=SES101 unknown-member::"
        f"{msg['SES101']}\n"
    )
    r = run(["lint", "--format", "github", "bad.json"], tmp_path)
    assert (r.returncode, r.stdout) == (1, expected)
    auto = run(["lint", "bad.json"], tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert (auto.returncode, auto.stdout) == (1, expected)
    explicit = run(["lint", "--format", "text", "bad.json"], tmp_path, env={"GITHUB_ACTIONS": "true"})
    assert explicit.stdout.startswith("bad.json:6:18: error:")


def test_colour(tmp_path):
    write(tmp_path, "bad.json", BROKEN)
    assert "\x1b[" not in run(["lint", "bad.json"], tmp_path).stdout
    coloured = run(["lint", "--color", "bad.json"], tmp_path).stdout
    assert "\x1b[" in coloured
    assert "\x1b[" not in run(["lint", "--no-color", "bad.json"], tmp_path, env={"NO_COLOR": ""}).stdout


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
@pytest.mark.parametrize("no_color, expect_colour", [(None, True), ("1", False)])
def test_colour_on_a_terminal(tmp_path, no_color, expect_colour):
    import pty

    write(tmp_path, "bad.json", BROKEN)
    env = dict(os.environ)
    for var in ("GITHUB_ACTIONS", "NO_COLOR", "TERM"):
        env.pop(var, None)
    env["PYTHONPATH"] = str(REPO)
    if no_color is not None:
        env["NO_COLOR"] = no_color
    primary, secondary = pty.openpty()
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ses_lsp", "lint", "bad.json"],
            cwd=tmp_path,
            env=env,
            stdout=secondary,
            stderr=subprocess.PIPE,
            timeout=60,
        )
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(primary)
    out = b"".join(chunks).decode()
    assert proc.returncode == 1
    assert ("\x1b[" in out) is expect_colour


# -- inputs ----------------------------------------------------------------------------


def test_stdin(tmp_path):
    r = run(["lint", "-"], tmp_path, input=BROKEN)
    assert r.returncode == 1
    assert r.stdout.startswith("<stdin>:6:18: error:")
    r = run(["lint", "--stdin-filename", "rules/in.json", "-"], tmp_path, input=BROKEN)
    assert r.stdout.startswith("rules/in.json:6:18: error:")
    # --stdin-filename alone reads the standard input too.
    r = run(["lint", "--stdin-filename", "rules/in.json"], tmp_path, input=VALID)
    assert (r.returncode, r.stdout) == (0, "All checked: 1 file, no problems.\n")


def test_stdin_filename_picks_config_globs(tmp_path):
    write(
        tmp_path,
        ".ses-lsp.toml",
        '[per-file-ignores]\n"legacy/*.json" = ["SES101", "SES104"]\n'
        '[kinds]\n"special/*.json" = "ses:create-receipt-rule"\n',
    )
    r = run(["lint", "--stdin-filename", "legacy/old.json", "-"], tmp_path, input=BROKEN)
    assert r.returncode == 0, r.stdout
    r = run(["lint", "--stdin-filename", "other/old.json", "-"], tmp_path, input=BROKEN)
    assert r.returncode == 1
    # The kinds glob makes an otherwise unrecognisable document a receipt rule.
    doc = '{"RuleSetName": "inbound"}\n'
    r = run(["lint", "--format", "json", "--stdin-filename", "special/x.json", "-"], tmp_path, input=doc)
    codes = [d["code"] for d in json.loads(r.stdout)]
    assert "SES102" in codes and "SES003" not in codes


def test_directory_walk(tmp_path):
    write(tmp_path, "rules/a.json", BROKEN)
    write(tmp_path, "rules/nested/b.json", VALID)
    write(tmp_path, "rules/package.json", UNRECOGNISED)
    write(tmp_path, "rules/notes.txt", BROKEN)
    write(tmp_path, "rules/.hidden/c.json", BROKEN)
    write(tmp_path, "rules/node_modules/d.json", BROKEN)
    write(tmp_path, "rules/__pycache__/e.json", BROKEN)
    write(tmp_path, "rules/UPPER.YML", "# just a comment\n")
    r = run(["lint", "--format", "json", "rules"], tmp_path)
    assert r.returncode == 1
    assert {d["file"] for d in json.loads(r.stdout)} == {"rules/a.json"}
    r = run(["lint", "-v", "--no-cache", "rules"], tmp_path)
    assert "skipped rules/package.json: not an SES document" in r.stderr.splitlines()
    assert "skipped rules/UPPER.YML: not an SES document" in r.stderr.splitlines()
    assert "Found 2 errors, 0 warnings and 0 infos in 1 of 2 files." in r.stdout
    assert "c.json" not in r.stderr + r.stdout and "d.json" not in r.stderr + r.stdout
    # Without a path: the current directory.
    r = run(["lint", "--format", "json"], tmp_path / "rules")
    assert {d["file"] for d in json.loads(r.stdout)} == {"a.json"}
    # An unrecognised file named explicitly is a diagnostic.
    r = run(["lint", "--format", "json", "rules/package.json"], tmp_path)
    assert r.returncode == 1
    assert [d["code"] for d in json.loads(r.stdout)] == ["SES003"]
    # ... even when a walk met it first.
    r = run(["lint", "--format", "json", "rules", "rules/package.json"], tmp_path)
    assert ("rules/package.json", "SES003") in {(d["file"], d["code"]) for d in json.loads(r.stdout)}


def test_walk_order_is_deterministic(tmp_path):
    for name in ("b.json", "a.json", "c/a.json", "a-b.json", "B/z.json"):
        write(tmp_path, f"d/{name}", BROKEN)
    r = run(["lint", "--format", "json", "d"], tmp_path)
    files = []
    for item in json.loads(r.stdout):
        if item["file"] not in files:
            files.append(item["file"])
    assert files == sorted(files)
    r = run(["lint", "--no-cache", "d"], tmp_path)
    text_files = []
    for line in r.stdout.splitlines():
        if line.startswith("d/"):
            f = line.split(":")[0]
            if f not in text_files:
                text_files.append(f)
    assert text_files == ["d/a-b.json", "d/a.json", "d/b.json", "d/B/z.json", "d/c/a.json"]


def test_globs(tmp_path):
    write(tmp_path, "rules/a.json", BROKEN)
    write(tmp_path, "rules/deep/er/b.json", BROKEN)
    write(tmp_path, "rules/c.yaml", "foo: bar\n")
    write(tmp_path, "rules/x.txt", BROKEN)
    r = run(["lint", "--format", "json", "rules/**/*.json"], tmp_path)
    assert {d["file"] for d in json.loads(r.stdout)} == {"rules/a.json", "rules/deep/er/b.json"}
    # Files matched by a glob are explicit: an unrecognised one is reported.
    r = run(["lint", "--format", "json", "rules/*.yaml"], tmp_path)
    assert [d["code"] for d in json.loads(r.stdout)] == ["SES003"]
    r = run(["lint", "nothing/*.json"], tmp_path)
    assert r.returncode == 2
    assert "ses-lsp: error: cannot read 'nothing/*.json': no file matches this pattern" in r.stderr


def test_paths_are_shown_relative_to_the_current_directory(tmp_path):
    write(tmp_path, "sub/bad.json", BROKEN)
    r = run(["lint", "--format", "json", str(tmp_path / "sub" / "bad.json"), "./sub/../sub/bad.json"], tmp_path)
    assert {d["file"] for d in json.loads(r.stdout)} == {"sub/bad.json"}
    assert len(json.loads(r.stdout)) == 2  # the same file, linted once


# -- configuration ---------------------------------------------------------------------


def test_pyproject_and_nearest_config(tmp_path):
    write(tmp_path, "pyproject.toml", '[project]\nname = "x"\n\n[tool.ses-lsp]\nignore = ["SES101"]\n')
    write(tmp_path, "a.json", BROKEN)
    write(tmp_path, "sub/b.json", BROKEN)
    write(tmp_path, "sub/.ses-lsp.toml", 'ignore = ["SES104"]\n')
    r = run(["lint", "--format", "json", "--no-cache", "."], tmp_path)
    codes = {(d["file"], d["code"]) for d in json.loads(r.stdout)}
    assert codes == {("a.json", "SES104"), ("sub/b.json", "SES101")}
    # --config: one file for everything.
    write(tmp_path, "elsewhere/cfg.toml", 'ignore = ["SES101", "SES104"]\n')
    r = run(["lint", "--config", "elsewhere/cfg.toml", "."], tmp_path)
    assert (r.returncode, r.stdout) == (0, "All checked: 2 files, no problems.\n")
    r = run(["lint", "--config", "nope.toml", "."], tmp_path)
    assert r.returncode == 2 and "nope.toml" in r.stderr


def test_pyproject_without_section_is_not_a_config(tmp_path):
    write(tmp_path, ".ses-lsp.toml", 'ignore = ["SES101", "SES104"]\n')
    write(tmp_path, "sub/pyproject.toml", '[project]\nname = "x"\n')
    write(tmp_path, "sub/a.json", BROKEN)
    assert run(["lint", "sub"], tmp_path).returncode == 0


@pytest.mark.parametrize(
    "config, needle",
    [
        ('selekt = ["SES1"]\n', "unknown key 'selekt'"),
        ('ignore = ["SES9999"]\n', "SES9999"),
        ("ignore = [\n", "invalid TOML"),
        ('fail-on = "fatal"\n', "fail-on"),
    ],
)
def test_bad_config_is_exit_2_with_a_message(tmp_path, config, needle):
    write(tmp_path, ".ses-lsp.toml", config)
    write(tmp_path, "a.json", BROKEN)
    for args in (["lint", "a.json"], ["lint", "a.json"], ["lint", "--no-cache", "a.json"]):
        r = run(args, tmp_path)
        assert r.returncode == 2
        assert needle in r.stderr and ".ses-lsp.toml" in r.stderr
        assert r.stderr.startswith("ses-lsp: error: ")
        assert len(r.stderr.splitlines()) == 1
        no_traceback(r)


def test_per_file_ignores(tmp_path):
    write(tmp_path, ".ses-lsp.toml", '[per-file-ignores]\n"legacy/**" = ["unknown-member"]\n')
    write(tmp_path, "legacy/old/a.json", BROKEN)
    write(tmp_path, "new/a.json", BROKEN)
    r = run(["lint", "--format", "json", "."], tmp_path)
    codes = sorted((d["file"], d["code"]) for d in json.loads(r.stdout))
    assert codes == [("legacy/old/a.json", "SES104"), ("new/a.json", "SES101"), ("new/a.json", "SES104")]


@pytest.mark.parametrize(
    "pattern,matched",
    [
        ("./.ses/*.yaml", [".ses/a.yaml"]),  # a leading ./ is the config's directory
        (".ses/*.yaml", [".ses/a.yaml"]),
        ("*.yaml", [".ses/a.yaml", "mail/b.yaml", "mail/deep/c.yaml"]),  # no "/": any directory
        ("mail/*.yaml", ["mail/b.yaml"]),  # a "/": anchored, "*" stays in one directory
        ("mail/**/*.yaml", ["mail/b.yaml", "mail/deep/c.yaml"]),
        ("mail/", ["mail/b.yaml", "mail/deep/c.yaml"]),
        ("deep/*.yaml", []),
        ("**/deep/*.yaml", ["mail/deep/c.yaml"]),
        ("mail/[!b].yaml", []),
    ],
)
def test_kind_globs_follow_gitignore_rules(tmp_path, pattern, matched):
    # Content that names no kind: only a matching glob gives it one (else SES003).
    names = [".ses/a.yaml", "mail/b.yaml", "mail/deep/c.yaml"]
    write(tmp_path, ".ses-lsp.toml", f'[kinds]\n"{pattern}" = "ses:create-receipt-rule"\n')
    for name in names:
        write(tmp_path, name, "Name: store\n")
    r = run(["lint", "--format", "json", "--no-cache", *names], tmp_path)
    assert r.returncode == 1, r.stderr
    unrecognised = {d["file"] for d in json.loads(r.stdout) if d["code"] == "SES003"}
    assert sorted(set(names) - unrecognised) == matched, pattern


def test_select_and_ignore(tmp_path):
    write(tmp_path, "a.json", BROKEN)

    def codes(*args):
        r = run(["lint", "--format", "json", *args, "a.json"], tmp_path)
        return sorted(d["code"] for d in json.loads(r.stdout))

    assert codes() == ["SES101", "SES104"]
    assert codes("--select", "SES101") == ["SES101"]
    assert codes("--select", "unknown-member,SES104") == ["SES101", "SES104"]
    assert codes("--ignore", "SES10") == []
    assert codes("--select", "SES1", "--ignore", "invalid-enum-value") == ["SES101"]
    # The options override the configuration.
    write(tmp_path, ".ses-lsp.toml", 'select = ["SES104"]\n')
    assert codes() == ["SES104"]
    assert codes("--select", "ALL") == ["SES101", "SES104"]
    r = run(["lint", "--select", "SES9999", "a.json"], tmp_path)
    assert r.returncode == 2
    assert r.stderr.startswith("ses-lsp: error: --select: unknown rule 'SES9999'")


def test_kind_option(tmp_path):
    write(tmp_path, "a.json", '{"RuleSetName": "inbound"}\n')
    r = run(["lint", "--format", "json", "--kind", "ses:create-receipt-rule", "a.json"], tmp_path)
    assert "SES102" in {d["code"] for d in json.loads(r.stdout)}
    r = run(["lint", "--format", "json", "--kind", "create-receipt-rule", "a.json"], tmp_path)
    assert "SES102" in {d["code"] for d in json.loads(r.stdout)}
    r = run(["lint", "--kind", "ses:create-receipt-rul", "a.json"], tmp_path)
    assert r.returncode == 2
    assert "unknown kind 'ses:create-receipt-rul'; did you mean 'ses:create-receipt-rule'?" in r.stderr


# -- fixes -----------------------------------------------------------------------------

# Only one problem, with a safe fix: the enum value in the wrong case.
CASE_ONLY = """{
  "RuleSetName" :  "inbound",
  "Rule": {
    "Name": "store",   "Enabled": true,
    "TlsPolicy": "require",
    "Recipients": [ "support@example.com" ],
    "Actions": [{"S3Action": {"BucketName": "mail-bucket"}}]
  }
}
"""


def test_fix_changes_exactly_the_span(tmp_path):
    p = write(tmp_path, "a.json", CASE_ONLY)
    r = run(["lint", "--fix", "a.json"], tmp_path)
    assert r.returncode == 0
    assert p.read_text() == CASE_ONLY.replace('"require"', '"Require"')
    assert r.stderr == "Fixed 1 problem in 1 file.\n"
    assert r.stdout == "All checked: 1 file, no problems.\n"


def test_diff(tmp_path):
    p = write(tmp_path, "a.json", CASE_ONLY)
    r = run(["lint", "--diff", "a.json"], tmp_path)
    assert r.returncode == 1
    assert r.stdout == (
        "--- a/a.json\n"
        "+++ b/a.json\n"
        "@@ -2,7 +2,7 @@\n"
        '   "RuleSetName" :  "inbound",\n'
        '   "Rule": {\n'
        '     "Name": "store",   "Enabled": true,\n'
        '-    "TlsPolicy": "require",\n'
        '+    "TlsPolicy": "Require",\n'
        '     "Recipients": [ "support@example.com" ],\n'
        '     "Actions": [{"S3Action": {"BucketName": "mail-bucket"}}]\n'
        "   }\n"
    )
    assert r.stderr == "Would fix 1 problem in 1 file.\n"
    assert p.read_text() == CASE_ONLY  # not written
    write(tmp_path, "b.json", VALID)
    r = run(["lint", "--diff", "b.json"], tmp_path)
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "No fixes available.\n")


def test_fix_stdin_prints_the_fixed_text(tmp_path):
    r = run(["lint", "--fix", "--stdin-filename", "a.json", "-"], tmp_path, input=CASE_ONLY)
    assert r.returncode == 0
    assert r.stdout == CASE_ONLY.replace('"require"', '"Require"')
    assert "Fixed 1 problem in 1 file." in r.stderr
    assert not (tmp_path / "a.json").exists()
    # What cannot be fixed is reported on stderr; the text is still printed.
    r = run(["lint", "--fix", "--stdin-filename", "a.json", "-"], tmp_path, input=BROKEN)
    assert r.returncode == 1
    assert r.stdout == BROKEN
    assert "a.json:8:60: error:" in r.stderr


def test_fix_yaml_keeps_comments_and_formatting(tmp_path):
    pytest.importorskip("ses_lsp.document.yaml_parser")
    text = (
        "# inbound mail  -- keep this comment\n"
        "RuleSetName: inbound   # and this one\n"
        "Rule:\n"
        "  Name: store\n"
        "  Enabled: true\n"
        "  TlsPolicy: require      # wrong case\n"
        "  Recipients: [ support@example.com ]\n"
        "  Actions:\n"
        "    - S3Action: {BucketName: mail-bucket}\n"
    )
    p = write(tmp_path, "a.yaml", text)
    r = run(["lint", "--fix", "a.yaml"], tmp_path)
    assert p.read_text() == text.replace("TlsPolicy: require ", "TlsPolicy: Require ")
    assert r.returncode == 0, r.stdout


YAML_RULE = (
    "# receiving rules for support@\n"
    "RuleSetName: inbound\n"
    "Rule:\n"
    "  Name: reject-old   # ses-lsp: disable=SES101\n"
    "  Enabled: true\n"
    "  Recipients: [old@example.com]   # only this one\n"
    "  Actions:\n"
    "    - BounceAction:\n"
    "        SmtpReplyCode: 550\n"
    "        StatusCode: 5.1.1\n"
    "        Message: Mailbox does not exist\n"
    "        Sender: postmaster@example.com\n"
)


def test_yaml_text_and_fix(tmp_path):
    pytest.importorskip("ses_lsp.document.yaml_parser")
    p = write(tmp_path, "rule.yaml", YAML_RULE)
    r = run(["lint", "--format", "json", "rule.yaml"], tmp_path)
    items = json.loads(r.stdout)
    assert [(d["code"], d["start"]["line"], d["start"]["column"]) for d in items] == [
        ("SES009", 4, 22),
        ("SES004", 9, 24),
    ]
    r = run(["lint", "rule.yaml"], tmp_path)
    assert "rule.yaml:9:24: error:" in r.stdout
    assert "  9 |         SmtpReplyCode: 550\n    |                        ^~~\n" in r.stdout
    diff = run(["lint", "--diff", "rule.yaml"], tmp_path)
    assert diff.returncode == 1
    assert "-        SmtpReplyCode: 550\n+        SmtpReplyCode: '550'\n" in diff.stdout
    assert p.read_text() == YAML_RULE
    fixed = run(["lint", "--fix", "rule.yaml"], tmp_path)
    assert fixed.returncode == 0, fixed.stdout
    assert fixed.stderr == "Fixed 2 problems in 1 file.\n"
    assert p.read_text() == YAML_RULE.replace("   # ses-lsp: disable=SES101", "").replace(
        "SmtpReplyCode: 550", "SmtpReplyCode: '550'"
    )


def test_yaml_from_stdin_without_a_name(tmp_path):
    pytest.importorskip("ses_lsp.document.yaml_parser")
    r = run(["lint", "--format", "json", "-"], tmp_path, input=YAML_RULE)
    assert [d["file"] for d in json.loads(r.stdout)] == ["<stdin>", "<stdin>"]


# -- other commands --------------------------------------------------------------------


def test_rules(tmp_path):
    from ses_lsp.lint.rules import REGISTRY

    r = run(["rules"], tmp_path)
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["CODE", "NAME", "SEVERITY", "FIX", "SUMMARY"]
    for rule in REGISTRY.rules:
        row = next(line for line in lines if line.startswith(rule.code + " "))
        assert rule.name in row and rule.severity.label in row and rule.summary in row
    # Columns are aligned: every summary starts at the same column.
    first = REGISTRY.rules[0]
    col = next(line for line in lines if line.startswith(first.code)).index(first.summary)
    assert all(
        line.index(rule.summary) == col for rule in REGISTRY.rules for line in lines if line.startswith(rule.code + " ")
    )
    r = run(["rules", "--format", "json"], tmp_path)
    items = json.loads(r.stdout)
    assert [i["code"] for i in items] == [rule.code for rule in REGISTRY.rules]
    assert {"code", "name", "severity", "fixable", "summary"} <= set(items[0])


def test_rule_docs(tmp_path):
    from ses_lsp.lint.rules import REGISTRY

    rule = REGISTRY.get("SES101")
    r = run(["rule", "SES101"], tmp_path)
    assert r.returncode == 0
    out = r.stdout
    assert out.startswith("SES101 unknown-member\n")
    for heading in ("## What it does", "## Why it matters", "## Example", "## Use instead", "## References"):
        assert heading in out
    assert rule.summary in out and "Severity: error" in out
    assert "- Code: ses_lsp/lint/rules/schema.py:" in out  # one hop from the code to its definition
    assert "- Code: ses_lsp/lint/rules/flow.py:" in run(["rule", "SES501"], tmp_path).stdout
    assert "(check _check_stop_not_last)" in run(["rule", "SES501"], tmp_path).stdout
    # The example is run through the engine and its diagnostics shown.
    assert "[SES101 unknown-member]" in out.split("## Example", 1)[1]
    assert run(["rule", "unknown-member"], tmp_path).stdout == out
    assert run(["rule", "ses101"], tmp_path).stdout == out
    r = run(["rule", "SES1O1"], tmp_path)
    assert r.returncode == 2
    assert "unknown rule 'SES1O1'; did you mean 'SES101'?" in r.stderr
    r = run(["rule", "unknwn-member"], tmp_path)
    assert r.returncode == 2 and "did you mean 'unknown-member'?" in r.stderr


def test_every_rule_doc_renders(tmp_path, monkeypatch, capsys):
    from ses_lsp import cli
    from ses_lsp.lint.rules import REGISTRY

    for rule in REGISTRY.rules:
        assert cli.main(["rule", rule.code]) == 0
        out = capsys.readouterr().out
        assert out.startswith(f"{rule.code} {rule.name}\n")
        assert "Traceback" not in out


def test_kinds(tmp_path):
    from ses_lsp.schema import kinds

    r = run(["kinds"], tmp_path)
    assert r.returncode == 0
    for name, info in kinds().items():
        row = next(line for line in r.stdout.splitlines() if line.split()[0] == name)
        assert info["operation"] in row and info["direction"] in row
    items = json.loads(run(["kinds", "--format", "json"], tmp_path).stdout)
    assert [i["kind"] for i in items] == list(kinds())


def _refs(node, out):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref":
                out.add(v)
            else:
                _refs(v, out)
    elif isinstance(node, list):
        for v in node:
            _refs(v, out)
    return out


def test_schema_export(tmp_path):
    from ses_lsp.schema import kinds

    r = run(["schema", "export", "out"], tmp_path)
    assert r.returncode == 0, r.stderr
    out = tmp_path / "out"
    index = json.loads((out / "index.json").read_text())
    assert [e["kind"] for e in index["schemas"]] == list(kinds())
    assert (out / "ses.create-receipt-rule.schema.json").is_file()
    for entry in index["schemas"]:
        schema = json.loads((out / entry["file"]).read_text())
        assert schema["$schema"].startswith("https://json-schema.org/")
        refs = _refs(schema, set())
        assert schema["$ref"] in refs
        for ref in refs:
            assert ref.startswith("#/$defs/") and ref[len("#/$defs/") :] in schema["$defs"], (entry["file"], ref)
        # Pruned: every definition is reachable from the root.
        reached, todo = set(), [schema["$ref"][len("#/$defs/") :]]
        while todo:
            name = todo.pop()
            if name not in reached:
                reached.add(name)
                todo.extend(x[len("#/$defs/") :] for x in _refs(schema["$defs"][name], set()))
        assert reached == set(schema["$defs"]), entry["file"]
    assert sorted(p.name for p in out.iterdir()) == sorted([e["file"] for e in index["schemas"]] + ["index.json"])


def test_exported_schema_validates_documents(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    run(["schema", "export", "out"], tmp_path)
    schema = json.loads((tmp_path / "out" / "ses.create-receipt-rule.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    assert list(validator.iter_errors(json.loads(VALID))) == []
    assert list(validator.iter_errors(json.loads(BROKEN)))


def test_schema_without_action(tmp_path):
    r = run(["schema"], tmp_path)
    assert r.returncode == 2 and "schema export DIR" in r.stderr


def test_serve_dispatch(monkeypatch, capsys):
    from ses_lsp import cli

    calls = []
    fake = types.ModuleType("ses_lsp.server")
    fake.main = lambda argv: calls.append(argv) or 0  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "ses_lsp.server", fake)
    assert cli.main(["serve", "--tcp", "127.0.0.1:2087"]) == 0
    assert calls == [["--tcp", "127.0.0.1:2087"]]
    monkeypatch.setitem(sys.modules, "ses_lsp.server", types.ModuleType("ses_lsp.server"))
    assert cli.main(["serve"]) == 2
    assert "language server is not available" in capsys.readouterr().err


# -- robustness ------------------------------------------------------------------------


def test_bad_files_are_diagnostics_not_crashes(tmp_path):
    write(tmp_path, "binary.json", b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    write(tmp_path, "latin1.json", '{"RuleSetName": "caf\xe9"}\n'.encode("latin-1"))
    write(tmp_path, "empty.json", b"")
    r = run(["lint", "--format", "json", "binary.json", "latin1.json", "empty.json"], tmp_path)
    no_traceback(r)
    assert r.returncode == 1
    items = json.loads(r.stdout)
    by_file = {}
    for d in items:
        by_file.setdefault(d["file"], []).append(d)
    assert [d["code"] for d in by_file["binary.json"]] == ["SES006"]
    assert [d["code"] for d in by_file["latin1.json"]] == ["SES006"]
    assert by_file["latin1.json"][0]["start"] == {"line": 1, "column": 21}
    assert [d["code"] for d in by_file["empty.json"]] == ["SES003"]
    r = run(["lint", "binary.json", "latin1.json", "empty.json"], tmp_path)
    no_traceback(r)
    assert "latin1.json:1:21: error:" in r.stdout


def test_huge_file(tmp_path):
    big = '{"RuleSetName": "' + "x" * (9 * 1024 * 1024) + '"}\n'
    write(tmp_path, "big.json", big)
    r = run(["lint", "big.json"], tmp_path)
    no_traceback(r)
    assert r.returncode == 1
    assert "[SES006 unreadable-content]" in r.stdout
    assert len(r.stdout) < 2000


def test_long_single_line_file(tmp_path):
    doc = json.loads(BROKEN)
    doc["Rule"]["Recipients"] = [f"user{i}@example.com" for i in range(2000)]
    write(tmp_path, "long.json", json.dumps(doc))
    r = run(["lint", "long.json"], tmp_path)
    no_traceback(r)
    assert r.returncode == 1
    assert max(len(line) for line in r.stdout.splitlines()) < 400


def test_unreadable_directory(tmp_path):
    locked = tmp_path / "rules" / "locked"
    write(tmp_path, "rules/locked/a.json", BROKEN)
    write(tmp_path, "rules/b.json", BROKEN)
    os.chmod(locked, 0)
    try:
        r = run(["lint", "rules"], tmp_path)
        no_traceback(r)
        if os.access(locked, os.R_OK):  # root reads anything
            assert r.returncode == 1
        else:
            assert r.returncode == 2
            assert "ses-lsp: error: cannot read 'rules/locked': Permission denied" in r.stderr
            assert "rules/b.json:8:60" in r.stdout
    finally:
        os.chmod(locked, 0o755)


def test_unreadable_file(tmp_path):
    p = write(tmp_path, "a.json", BROKEN)
    os.chmod(p, 0)
    try:
        r = run(["lint", "a.json"], tmp_path)
        no_traceback(r)
        if not os.access(p, os.R_OK):
            assert r.returncode == 2
            assert "ses-lsp: error: cannot read 'a.json': Permission denied" in r.stderr
    finally:
        os.chmod(p, 0o644)


def test_a_directory_named_like_a_file(tmp_path):
    (tmp_path / "dir.json").mkdir()
    r = run(["lint", "dir.json"], tmp_path)
    no_traceback(r)
    assert r.returncode == 0


def test_internal_errors_and_interrupts(tmp_path, monkeypatch, capsys):
    from ses_lsp import cli
    from ses_lsp.lint import runner

    monkeypatch.chdir(tmp_path)
    write(tmp_path, "a.json", BROKEN)

    def boom(self, targets, **kw):
        raise RuntimeError("something broke")

    monkeypatch.setattr(runner.Runner, "reports", boom)
    assert cli.main(["lint", "a.json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ses-lsp: internal error: RuntimeError: something broke")
    assert len(err.splitlines()) == 1

    def interrupted(self, targets, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner.Runner, "reports", interrupted)
    assert cli.main(["lint", "a.json"]) == 130
    assert capsys.readouterr().err == ""


def test_broken_pipe_is_quiet(tmp_path):
    for i in range(60):
        write(tmp_path, f"d/r{i:02d}.json", BROKEN)
    env = dict(os.environ)
    env.pop("GITHUB_ACTIONS", None)
    env["PYTHONPATH"] = str(REPO)
    cmd = f"{sys.executable} -m ses_lsp lint --no-cache d | head -n 1"
    r = subprocess.run(cmd, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True)
    assert r.stdout.startswith("d/r00.json:6:18:")
    assert r.stderr == ""


def test_parallel_output_matches_serial(tmp_path):
    for i in range(20):
        write(tmp_path, f"d/r{i:02d}.json", BROKEN if i % 3 else VALID)
    write(tmp_path, "d/pkg/package.json", UNRECOGNISED)
    serial = run(["lint", "--no-cache", "-j", "1", "d"], tmp_path)
    parallel = run(["lint", "--no-cache", "-j", "4", "d"], tmp_path)
    assert serial.returncode == parallel.returncode == 1
    assert serial.stdout == parallel.stdout
    assert "Found 26 errors, 0 warnings and 0 infos in 13 of 20 files." in serial.stdout
    assert run(["lint", "-j", "0", "d"], tmp_path).returncode == 2


def test_secrets_are_not_echoed(tmp_path):
    pytest.importorskip("ses_lsp.document.yaml_parser")
    write(
        tmp_path,
        "ingress.yaml",
        (
            "IngressPointName: inbound-smtp\n"
            "Type: AUTH\n"
            "RuleSetId: rs-12345678\n"
            "TrafficPolicyId: tp-12345678\n"
            "IngressPointConfiguration:\n"
            "  SmtpPassword: hunter2\n"
        ),
    )
    r = run(["lint", "ingress.yaml"], tmp_path)
    assert r.returncode == 1
    assert "ingress.yaml:6:" in r.stdout
    assert "hunter2" not in r.stdout


def test_credentials_never_appear_in_text_output_or_diffs(tmp_path):
    """SmtpPassword values are masked in source excerpts and --diff output."""
    bad = tmp_path / "ingress.yaml"
    bad.write_text(
        "IngressPointName: inbound-smtp\nType: AUTH\nRuleSetId: rs-1\nTrafficPolicyId: tp-1\n"
        "TlsPolicy: required\nIngressPointConfiguration:\n  SmtpPassword: sw0rdf1sh\n"
    )
    for args in (["--no-color"], ["--format", "json"], ["--format", "sarif"], ["--format", "github"], ["--diff"]):
        proc = subprocess.run(
            [sys.executable, "-m", "ses_lsp", "lint", "--no-cache", *args, str(bad)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "sw0rdf1sh" not in proc.stdout + proc.stderr, args
    proc = subprocess.run(
        [sys.executable, "-m", "ses_lsp", "lint", "--no-cache", "--diff", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "+TlsPolicy: REQUIRED" in proc.stdout  # the diff itself is still shown


def test_rule_references_are_checked_against_rule_sets_linted_together(tmp_path):
    """`After`/`RuleNames` naming rules that the rule set file in the same run does not define."""
    (tmp_path / "rule-set.json").write_text(
        '{"Metadata": {"Name": "inbound"}, "Rules": ['
        '{"Name": "first", "Enabled": true, "Recipients": ["a@example.com"], '
        '"Actions": [{"S3Action": {"BucketName": "b"}}]}]}\n'
    )
    (tmp_path / "position.yaml").write_text("RuleSetName: inbound\nRuleName: first\nAfter: frist\n")
    run = [sys.executable, "-m", "ses_lsp", "lint", "--format", "json"]
    together = subprocess.run([*run, str(tmp_path)], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    items = json.loads(together.stdout)
    refs = [d for d in items if d["code"] == "SES207"]
    assert len(refs) == 1 and '"frist"' in refs[0]["message"] and 'did you mean "first"' in refs[0]["message"]
    assert refs[0]["related"] and refs[0]["related"][0]["file"].endswith("rule-set.json")
    # The same run again (results cached) still sees the other file.
    again = json.loads(
        subprocess.run([*run, str(tmp_path)], capture_output=True, text=True, timeout=60, cwd=tmp_path).stdout
    )
    assert [d["code"] for d in again if d["code"] == "SES207"] == ["SES207"]
    # Alone, the file's references cannot be checked: no diagnostic (no false positive).
    alone = json.loads(
        subprocess.run(
            [*run, "--no-cache", str(tmp_path / "position.yaml")], capture_output=True, text=True, timeout=60
        ).stdout
    )
    assert alone == []


def test_fix_keeps_the_findings_against_other_files(tmp_path):
    """A file fixed in a run over several files is re-linted against the same rule sets
    of the other files: its cross-file findings stay in the output after the fix."""
    (tmp_path / "rule-set.json").write_text(
        '{"Metadata": {"Name": "inbound"}, "Rules": ['
        '{"Name": "first", "Enabled": true, "Recipients": ["a@example.com"], '
        '"Actions": [{"S3Action": {"BucketName": "mail-bucket"}}]}]}\n'
    )
    create = tmp_path / "create.yaml"
    create.write_text(
        "RuleSetName: inbound\nAfter: frist\nRule:\n  Name: second\n  Enabled: true\n  TlsPolicy: require\n"
        "  Actions:\n    - S3Action:\n        BucketName: mail-bucket\n"
    )
    env = {"SES_LSP_CACHE_DIR": str(tmp_path / "cache")}
    r = run(["lint", "--fix", "--format", "json", "."], tmp_path, env=env)
    assert "TlsPolicy: Require\n" in create.read_text()
    assert r.stderr == "Fixed 1 problem in 1 file.\n"
    assert [(d["file"], d["code"]) for d in json.loads(r.stdout)] == [("create.yaml", "SES207")]
    # The next run (nothing to fix, the cache written) says the same.
    r = run(["lint", "--format", "json", "."], tmp_path, env=env)
    assert [(d["file"], d["code"]) for d in json.loads(r.stdout)] == [("create.yaml", "SES207")]


def test_parallel_run_delivers_all_output_and_writes_the_cache(tmp_path):
    """A run with worker processes: all output arrives through a pipe, the cache is on disk."""
    for i in range(40):
        write(tmp_path, f"d/r{i:02d}.json", BROKEN)
    cache = tmp_path / "cache"
    env = {"SES_LSP_CACHE_DIR": str(cache)}
    r = run(["lint", "--format", "json", "-j", "2", "d"], tmp_path, env=env)
    assert r.returncode == 1
    items = json.loads(r.stdout)  # complete, valid JSON (stdout is a pipe here)
    assert len({i["file"] for i in items}) == 40
    assert any(cache.rglob("*")) and not list(cache.rglob("*.tmp"))
    again = run(["lint", "--format", "json", "-v", "d"], tmp_path, env=env)
    assert json.loads(again.stdout) == items and again.returncode == 1
    assert "cached: 40 files, linted: 0" in again.stderr


DEEP_DOCUMENTS = {
    "flow.yaml": lambda: "Rule: " + "[" * 200_000 + "]" * 200_000 + "\n",
    "block.yaml": lambda: "Rule:\n" + "".join(" " * (i + 1) + "- \n" for i in range(400)) + "\n",
    "deep.json": lambda: '{"Rule": ' + "[" * 10_000 + "]" * 10_000 + "}\n",
}


@pytest.mark.parametrize("name", sorted(DEEP_DOCUMENTS))
def test_deep_nesting_is_one_syntax_error(tmp_path, name):
    """However deep, and whichever parser's limit fires first: one clear SES001, no crash."""
    path = write(tmp_path, name, DEEP_DOCUMENTS[name]())
    proc = run(["lint", "--no-cache", "--format", "json", "--kind", "ses:create-receipt-rule", str(path)], tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == ""
    syntax = [d for d in json.loads(proc.stdout) if d["code"] == "SES001"]
    assert len(syntax) == 1
    assert "256 levels" in syntax[0]["message"]
    assert not [d for d in json.loads(proc.stdout) if d["code"] == "SES008"]


def test_verbose_counts_files_not_lint_runs(tmp_path):
    """A file re-checked against the rule sets of the run (cross-file) or re-linted after a fix
    is still one file."""
    examples = REPO / "examples"
    files = sorted(p for p in examples.rglob("*") if p.suffix in (".json", ".yaml", ".yml"))
    env = {"SES_LSP_CACHE_DIR": str(tmp_path / "cache")}
    proc = run(["lint", "--verbose", "--format", "json", str(examples)], tmp_path, env=env)
    assert f"cached: 0 files, linted: {len(files)}" in proc.stderr
    again = run(["lint", "--verbose", "--format", "json", str(examples)], tmp_path, env=env)
    cached = again.stderr.split("cached: ", 1)[1].split(" file", 1)[0]
    linted = again.stderr.split("linted: ", 1)[1].split()[0]
    assert int(cached) + int(linted) == len(files), again.stderr


def test_readme_json_contract_example_is_real_output(tmp_path):
    """The README's example item of `--format json` is what the CLI prints for that file."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### The JSON output contract", 1)[1]
    example = json.loads(section.split("```json", 1)[1].split("```", 1)[0])
    proc = run(["lint", "--no-cache", "--format", "json", example["file"]], REPO)
    items = [d for d in json.loads(proc.stdout) if d["code"] == example["code"]]
    assert items == [example]


def test_serve_takes_the_server_options(tmp_path):
    """`ses-lsp serve` hands its options to the server's own parser (one definition of them):
    `--stdio` and `--debounce`, which editors and benchmarks pass, are accepted."""
    r = run(["serve", "--help"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert "--debounce" in r.stdout and "--tcp" in r.stdout
    # The input ends at once: the server starts and leaves (1: no `shutdown`), no usage error (2).
    r = run(["serve", "--stdio", "--debounce", "0"], tmp_path, input="")
    assert r.returncode == 1 and "unrecognized arguments" not in r.stderr, r.stderr
