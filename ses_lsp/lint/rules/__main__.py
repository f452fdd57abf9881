"""`python -m ses_lsp.lint.rules`: regenerate ``ses_lsp/lint/_rule_index.py`` from the rule modules."""

from __future__ import annotations

from pathlib import Path

from ses_lsp.lint.rules import index_source

path = Path(__file__).parent.parent / "_rule_index.py"
path.write_text(index_source())
print(f"wrote {path}")
