"""What the package imports: `ses-lsp lint` stays cheap to start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_linting_one_file_imports_no_server_editor_or_heavy_library(tmp_path):
    """`ses-lsp lint` of one small file (a fresh interpreter, the real CLI) loads neither the
    language server nor the editor features, nor jsonschema, pygls or lsprotocol."""
    (tmp_path / "rule.yaml").write_text("RuleSetName: inbound\nRule: {Name: r, Enabled: true, Actions: []}\n")
    code = (
        "import contextlib, io, json, sys\n"
        "from ses_lsp.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    status = main(['lint', '--no-cache', 'rule.yaml'])\n"
        "print(json.dumps({'status': status, 'out': out.getvalue(), 'modules': sorted(sys.modules)}))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["status"] == 0 and "SES508" in result["out"]  # it did lint the file
    heavy = ("ses_lsp.server", "ses_lsp.editor", "jsonschema", "pygls", "lsprotocol")
    loaded = [m for m in result["modules"] if any(m == h or m.startswith(h + ".") for h in heavy)]
    assert loaded == []
