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

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
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


# The example documents of the rule docs, one file a rule and verdict (``SES401-bad.yaml``).
EXAMPLES_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "rules", "examples")


@dataclass(frozen=True)
class Example:
    """A document used in a rule's docs: ``file``, under :data:`EXAMPLES_DIR` (its extension
    gives the format), linted as ``kind`` (``""``: the engine detects the kind).

    The text is read on first use, so defining a rule costs no file access."""

    file: str
    kind: str

    @property
    def format(self) -> str:
        return "json" if self.file.endswith(".json") else "yaml"

    @property
    def text(self) -> str:
        return _example_text(self.file)

    @property
    def path(self) -> str:
        """Where the file is: an example is linted at its own path, so it can name a file beside it
        (a routing test's ``RuleFiles``)."""
        return os.path.join(EXAMPLES_DIR, self.file)


@cache
def _example_text(file: str) -> str:
    with open(os.path.join(EXAMPLES_DIR, file), encoding="utf-8", newline="") as fh:
        return fh.read()


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
    # What it reports about one rule of a rule set depends on that rule alone, and lies inside
    # it: the engine may reuse its diagnostics of the rules an edit did not touch (the contract:
    # ses_lsp.lint.reuse).
    per_rule: bool = False

    @property
    def url(self) -> str:
        return f"https://github.com/ses-lsp/ses-lsp/blob/main/docs/rules.md#{self.code.lower()}"
