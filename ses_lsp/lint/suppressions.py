"""Suppression comments (YAML): ``# ses-lsp: disable=CODES``.

Which diagnostics a comment can silence is a property of the rule (``Rule.suppressible``):
the engine's own failures (syntax errors, crashed rules) always show.
"""

from __future__ import annotations

from ses_lsp.lint.rules import CATALOGUE


def suppressible(code: str) -> bool:
    """Whether a suppression comment can silence diagnostics of ``code``."""
    info = CATALOGUE.by_code.get(code)
    return info is not None and info.suppressible
