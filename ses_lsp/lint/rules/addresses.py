"""Semantic rules: addresses.  See docs/writing-rules.md."""

from __future__ import annotations

from ses_lsp.lint.registry import Rule

RULES: list[Rule] = []
