"""Every rule, listed explicitly.  Codes and names are stable: never reuse one."""

from __future__ import annotations

from ses_lsp.lint.registry import Registry, Rule
from ses_lsp.lint.rules import core, schema

ALL_RULES: list[Rule] = [
    *core.RULES,
    *schema.RULES,
]

REGISTRY = Registry(ALL_RULES)
