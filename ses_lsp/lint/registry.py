"""The rule registry: every rule's identity, severity and documentation.

Rules come in two sorts:

* engine rules (parsing, document kind, schema keywords), whose diagnostics
  the engine itself produces in one pass; they have ``check = None``;
* semantic rules, small functions ``check(ctx)`` that report through the
  :class:`~ses_lsp.lint.context.LintContext`.

Both are listed explicitly (``ses_lsp.lint.rules.ALL_RULES``); codes and
names are unique (a test checks it) and never reused.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Generic, TypeVar

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

    @property
    def url(self) -> str:
        return f"https://github.com/ses-lsp/ses-lsp/blob/main/docs/rules.md#{self.code.lower()}"


class RuleInfo:
    """A rule's identity without its docs and check: what selection, severities and
    suppressions need (``ses_lsp.lint.rules.CATALOGUE``, read from the generated index)."""

    __slots__ = ("code", "name", "severity", "family", "has_check", "kinds")

    def __init__(
        self, code: str, name: str, severity: Severity, family: str, has_check: bool, kinds: frozenset[str] | None
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.family = family
        self.has_check = has_check
        self.kinds = kinds

    def __repr__(self) -> str:
        return f"RuleInfo({self.code!r}, {self.name!r})"


R = TypeVar("R", Rule, RuleInfo)


class Registry(Generic[R]):
    """Rules (or :class:`RuleInfo`) by code and by name; built from an explicit list."""

    def __init__(self, rules: list[R]) -> None:
        self.rules: list[R] = list(rules)
        self.by_code: dict[str, R] = {}
        self.by_name: dict[str, R] = {}
        for rule in self.rules:
            if rule.code in self.by_code:
                raise ValueError(f"duplicate rule code {rule.code}")
            if rule.name in self.by_name:
                raise ValueError(f"duplicate rule name {rule.name}")
            self.by_code[rule.code] = rule
            self.by_name[rule.name] = rule

    def get(self, code_or_name: str) -> R | None:
        key = code_or_name.strip()
        return self.by_code.get(key.upper()) or self.by_name.get(key.lower())

    def __iter__(self):
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def expand(self, selectors: list[str]) -> set[str]:
        """Codes matched by selectors: a code, a name, a code prefix (``SES1``) or ``ALL``."""
        codes: set[str] = set()
        for sel in selectors:
            s = sel.strip()
            if not s:
                continue
            if s.upper() == "ALL":
                codes.update(self.by_code)
                continue
            rule = self.get(s)
            if rule is not None:
                codes.add(rule.code)
                continue
            matched = [c for c in self.by_code if c.startswith(s.upper())]
            if not matched:
                raise ValueError(f"unknown rule {s!r}: give a code (e.g. SES101), a code prefix or a rule name")
            codes.update(matched)
        return codes
