"""The VS Code extension end to end: scripts/vscode-e2e.sh in a real VS Code (code-server).

The script installs what it needs (Debian's chromium, Node 24 from PyPI, code-server and
playwright-core from npm, into ~/.cache/ses-lsp-tests/vscode), builds the .vsix for this
platform with the server inside, installs only that into code-server, with no ses-lsp on the
PATH and a python3 that cannot import ses_lsp, and checks in headless Chromium that ses-lsp's
problems and hover reach VS Code, that code lenses count routing-test mails per rule and the
"SES: Simulate mail against this rule set" command shows the server's trace, that the extension
says which server it runs on which Python, and that the README's image shows on the extension's
details page. It is never skipped: when a
prerequisite cannot be installed the test fails and says which. It takes a few minutes (most of
it is installing code-server the first time).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from editor_tools import NODE_DIR

import ses_lsp

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "vscode-e2e.sh"
ARTIFACTS = REPO / "editors" / "vscode" / "e2e" / "artifacts"
PLATFORM_REQUIREMENTS = REPO / "editors" / "vscode" / "bundled" / "requirements-platform.txt"
TIME_LIMIT = 1500  # seconds: the whole run, installs included (measured: well under this)
# The script's cache (code-server, Node 24, the extension's build): the user's, taken before the
# test session points XDG_CACHE_HOME at a temporary directory (tests/conftest.py).
CACHE = NODE_DIR.parent / "vscode"


def _run_script() -> tuple[int, str, Path]:
    # The README's screenshot is refreshed only on request, so that a test run never
    # changes a tracked file: SES_E2E_UPDATE_SCREENSHOT=1 pytest tests/editors/test_vscode_e2e.py
    if os.environ.get("SES_E2E_UPDATE_SCREENSHOT") == "1":
        screenshot = REPO / "editors" / "vscode" / "images" / "vscode-diagnostics.png"
    else:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        screenshot = ARTIFACTS / "vscode-diagnostics.png"
    env = dict(os.environ, PYTHON=sys.executable, SES_E2E_SCREENSHOT=str(screenshot), SES_E2E_CACHE=str(CACHE))
    proc = subprocess.Popen(
        ["bash", str(SCRIPT)],
        cwd=REPO,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        out, _ = proc.communicate(timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        # SIGTERM first: the script's trap stops code-server and Chromium by their ids.
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=120)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, _ = proc.communicate()
        raise AssertionError(
            f"scripts/vscode-e2e.sh did not finish within {TIME_LIMIT}s:\n{(out or '')[-4000:]}"
        ) from None
    return proc.returncode, out, screenshot


@pytest.mark.editor_e2e
def test_vscode_extension_end_to_end():
    assert shutil.which("bash"), "bash is required to run scripts/vscode-e2e.sh"
    rc, out, screenshot = _run_script()
    summary = [line for line in out.splitlines() if line.startswith("vscode-e2e: ")]
    if rc == 3:
        raise AssertionError(
            "a prerequisite of the VS Code end-to-end test could not be installed:\n"
            + "\n".join(summary or out.splitlines()[-20:])
        )
    assert rc == 0 and summary and summary[-1].startswith("vscode-e2e: PASS"), (
        f"scripts/vscode-e2e.sh failed (exit code {rc}); artifacts in {ARTIFACTS}:\n{out[-6000:]}"
    )

    result = json.loads((ARTIFACTS / "result.json").read_text())
    assert result["ok"] is True
    # ses-lsp's own problems, with its codes and messages, in VS Code's Problems panel.
    assert {"SES101", "SES104"} <= set(result["codes"]), result["problems"]
    assert any('"TlsPolicy" is "required"' in p and "SES104" in p for p in result["problems"])
    assert all("ses-lsp" in p for p in result["problems"] if "SES" in p)
    # The extension's settings reach the server: at start-up (SES411 is an info by default) ...
    assert result["severity"]["SES411"] == "warning" and result["severity"]["SES104"] == "error"
    # ... and when they change (sesLsp.ignore set while the file is open).
    assert result["ignoredBySettings"] == "SES411"
    # The hover is the server's documentation of the key.
    assert "TlsPolicy" in result["hover"] and "Transport Layer Security" in result["hover"]
    assert "Allowed values" in result["hover"]
    # Completion and a quick fix from the server, in the editor.
    assert any(label.startswith("StatusCode") for label in result["completion"]), result["completion"]
    assert result["quickFix"] == 'Rename "Bucket" to "BucketName"'
    # Code lenses above the worked example's rules (the two in view): how many of its routing
    # test's 5 mails reach each.
    assert result["codeLenses"][:2] == [
        "3 of 5 routing-test mails reach this rule",
        "2 of 5 routing-test mails reach this rule",
    ], result["codeLenses"]
    # "SES: Simulate mail against this rule set" with the example's scenario: the server's trace,
    # in the "SES Simulation" output (the rule set alone: no IP filter decides the connection).
    simulation = "\n".join(result["simulation"])
    assert "SES classic: simulate/rule-set.yaml (3 rules); mail simulate/mail.yaml" in simulation, simulation
    assert "recipient billing@example.com: delivered" in simulation
    assert "recipient ceo@example.com: delivered" in simulation
    assert "action 1: LambdaAction (returned STOP_RULE_SET)" in simulation
    # The server is the one in the .vsix, on the python3 of VS Code's PATH (which has no ses_lsp),
    # and the extension's output says so.
    environment = json.loads((ARTIFACTS / "environment.json").read_text())
    extension = environment["extension"]
    output = "\n".join(result["output"])
    assert f"Server: the ses-lsp bundled with the extension ({extension}/bundled) on Python " in output, output
    assert f"at {environment['python']} (python3 on PATH)" in output, output
    assert "Not using the Python extension's interpreter: the Python extension is not installed" in output
    version = ses_lsp.__version__
    assert f"ses-lsp {version} bundled with the extension ({extension}/bundled/libs/ses_lsp) on Python" in output
    # The .vsix for this platform decodes certificates and parses YAML with libyaml (a system
    # python3's own cryptography in its dist-packages is not used: -I -S).
    pinned = re.search(r"^cryptography==(\S+)", PLATFORM_REQUIREMENTS.read_text(), re.M).group(1)
    assert f"YAML parsed with the libyaml C speedups; certificates decoded with cryptography {pinned}" in output
    assert f"Server started: ses-lsp {version}" in output
    # The README's image is shown on the extension's details page: an https link to the
    # repository's file (the only kind VS Code shows there), answered from this checkout.
    image = result["readmeImage"]
    assert image["src"] == "https://github.com/ses-lsp/ses-lsp/raw/HEAD/editors/vscode/images/vscode-diagnostics.png"
    png = (REPO / "editors" / "vscode" / "images" / "vscode-diagnostics.png").read_bytes()
    assert image["complete"] is True
    assert (image["width"], image["height"]) == struct.unpack(">II", png[16:24]), image
    # A server command that does not exist gets a message with the fix, not silence.
    assert "ses-lsp was not found (at /nonexistent/bin/ses-lsp)" in result["notFoundMessage"]
    assert "clear sesLsp.server.command to use the ses-lsp bundled with the extension" in result["notFoundMessage"]
    assert 'pip install "git+https://' in result["notFoundMessage"]
    # The screenshot is a real PNG of the workbench.
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
