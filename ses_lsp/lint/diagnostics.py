"""Diagnostics, fixes and severities: what every rule produces.

Positions inside the engine are character offsets into the document text;
formatters and the language server convert them at the edge.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Protocol


class Severity(enum.IntEnum):
    """Ordered so that ``a >= b`` means "a is at least as severe as b"."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            allowed = ", ".join(s.label for s in cls)
            raise ValueError(f"unknown severity {text!r}: expected one of {allowed}") from None


class RuleIdentity(Protocol):
    """What a diagnostic takes from its rule (a ``Rule`` or a ``RuleInfo``)."""

    @property
    def code(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def severity(self) -> Severity: ...


@dataclass(frozen=True)
class TextEdit:
    """Replace ``text[start:end]`` with ``new_text``."""

    start: int
    end: int
    new_text: str


@dataclass(frozen=True)
class Fix:
    """A change that resolves a diagnostic.

    ``safe`` fixes are applied by ``ses-lsp lint --fix``; all fixes are
    offered as quick fixes in editors.
    """

    title: str
    edits: tuple[TextEdit, ...]
    safe: bool = True


@dataclass(frozen=True)
class Related:
    """Another place that explains a diagnostic (e.g. the first of two duplicates)."""

    start: int
    end: int
    message: str
    file: str | None = None  # None: the same document


@dataclass
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    start: int
    end: int
    pointer: str = ""
    related: list[Related] = field(default_factory=list)
    fix: Fix | None = None
    # "unnecessary" marks dead code (rules/actions that can never run).
    tags: tuple[str, ...] = ()

    @classmethod
    def of(cls, rule: RuleIdentity, message: str, start: int, end: int, **kw: Any) -> Diagnostic:
        """A diagnostic of ``rule`` at its default severity."""
        return cls(code=rule.code, name=rule.name, severity=rule.severity, message=message, start=start, end=end, **kw)

    def sort_key(self) -> tuple:
        return (self.start, self.end, self.code, self.message)
