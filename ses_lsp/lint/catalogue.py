"""The rule catalogue: every rule's identity without its docs and check.

:data:`CATALOGUE` holds a :class:`RuleInfo` per rule (code, name, default severity, family,
whether it has a check, the kinds it checks, whether a suppression comment can silence it),
read from the generated ``_rule_index.py`` (``python -m ses_lsp.lint.rules`` writes it from
the rule modules) without importing any family.  It is what selections, severities,
configuration checks and suppressions need; the full rules (with docs and checks, see
:mod:`ses_lsp.lint.registry`) are built on first use in :mod:`ses_lsp.lint.rules`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

from ses_lsp.lint._rule_index import RULES as _INDEX
from ses_lsp.lint._rule_index import UNSUPPRESSIBLE as _UNSUPPRESSIBLE
from ses_lsp.lint.diagnostics import RuleIdentity, Severity


class RuleInfo:
    """A rule's identity without its docs and check."""

    __slots__ = ("code", "name", "severity", "family", "has_check", "kinds", "suppressible")

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        family: str,
        has_check: bool,
        kinds: frozenset[str] | None,
        suppressible: bool = True,
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.family = family
        self.has_check = has_check
        self.kinds = kinds
        self.suppressible = suppressible  # Rule.suppressible

    def __repr__(self) -> str:
        return f"RuleInfo({self.code!r}, {self.name!r})"


R = TypeVar("R", bound=RuleIdentity)


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

    def __iter__(self) -> Iterator[R]:
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


_SEVERITIES = {s.label: s for s in Severity}

#: Every rule's identity, severity, family and kinds; lookups and selector expansion.
CATALOGUE = Registry(
    [
        RuleInfo(
            code,
            name,
            _SEVERITIES[sev],
            family,
            check,
            None if kinds is None else frozenset(kinds),
            suppressible=code not in _UNSUPPRESSIBLE,
        )
        for code, name, sev, family, check, kinds in _INDEX
    ]
)
