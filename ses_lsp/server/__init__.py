"""The ses-lsp language server (``ses-lsp serve``).

``main(argv)`` is what the CLI calls; the pygls adapter lives in
:mod:`ses_lsp.server.server` and is imported only when the server starts.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    from ses_lsp.server.server import main as _main

    return _main(argv)


__all__ = ["main"]
