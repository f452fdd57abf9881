"""Rules: every rule's identity, severity, documentation and check.

Rules come in two sorts:

* engine rules (parsing, document kind, schema keywords), whose diagnostics
  the engine itself produces in one pass; they have ``check = None``;
* semantic rules, small functions ``check(ctx)`` that report through the
  :class:`~ses_lsp.lint.context.LintContext`.

Both are listed explicitly (``ses_lsp.lint.rules.ALL_RULES``); codes and
names are unique (a test checks it) and never reused.  What selections and
suppressions need of them (no docs, no check) is :mod:`ses_lsp.lint.catalogue`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ses_lsp.lint.diagnostics import Severity

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.lint.context import LintContext

# Where a constraint comes from.
SOURCE_MODEL = "API model"
SOURCE_DOCS = "AWS documentation"
SOURCE_RFC = "RFC"
SOURCE_OBSERVED = "observed service behaviour"
SOURCE_FORMAT = "file format"
SOURCE_TOOL = "ses-lsp"


@dataclass(frozen=True)
class Example:
    """A document used in a rule's docs.  ``kind`` is the document kind."""

    text: str
    kind: str
    format: str = "yaml"


@dataclass(frozen=True)
class RuleDoc:
    what: str
    why: str
    bad: Example | None
    good: Example | None
    references: tuple[str, ...] = ()
    notes: str = ""


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    summary: str
    doc: RuleDoc
    source: str
    check: Callable[[LintContext], None] | None = None
    # Document kinds the rule looks at (``None``: every kind / engine rule).
    kinds: frozenset[str] | None = None
    fixable: bool = False
    tags: tuple[str, ...] = field(default=())
    # Whether a ``# ses-lsp: disable`` comment can silence its diagnostics: not the engine's own
    # failures (a syntax error, a crashed rule), which always show, nor what the suppression
    # comments themselves get (unused or unknown codes: reported after suppressions apply).
    suppressible: bool = True

    @property
    def url(self) -> str:
        return f"https://github.com/ses-lsp/ses-lsp/blob/main/docs/rules.md#{self.code.lower()}"
