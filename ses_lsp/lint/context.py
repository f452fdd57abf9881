"""What a rule sees: the document, its kind, the settings, and a reporter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ses_lsp.document.nodes import Node, node_at_pointer
from ses_lsp.lint.diagnostics import Diagnostic, Fix, Related, RuleIdentity, Severity
from ses_lsp.lint.secrets import Secrets, find_secrets

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document
    from ses_lsp.lint.config import Config


@dataclass
class LintContext:
    document: Document
    kind: str
    config: Config
    # The rule being run (a ``Rule``); set by the engine before each check.
    rule: RuleIdentity | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # Other documents of the workspace, for cross-file checks (None: unknown).
    workspace: object | None = None
    # Values computed once per lint run and shared by the checks of a family
    # (see ``rules.common.ctx_cache``); never outlives this document's lint.
    cache: dict = field(default_factory=dict)
    # The document's credentials, found on first use (``secrets``).
    found_secrets: Secrets | None = None
    # The rules of a rule set the checks look at (their indexes in ``Rules``); None: every one.
    # Set by the engine when it reuses what per-rule checks said about the others
    # (ses_lsp.lint.reuse); the readers of ses_lsp.lint.rules.common honour it.
    rule_items: frozenset[int] | None = None

    @property
    def root(self) -> Node | None:
        return self.document.root

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def secrets(self) -> Secrets:
        """The document's credentials (:mod:`ses_lsp.lint.secrets`): never quote a node in them."""
        if self.found_secrets is None:
            self.found_secrets = find_secrets(self.document)
        return self.found_secrets

    def node(self, pointer: str | tuple) -> Node | None:
        return node_at_pointer(self.document.root, pointer)

    def report(
        self,
        target: Node | tuple[int, int],
        message: str,
        *,
        related: list[Related] | None = None,
        fix: Fix | None = None,
        tags: tuple[str, ...] = (),
        rule: RuleIdentity | None = None,
        on_key: bool = False,
        severity: Severity | None = None,
        pointer: str | None = None,
    ) -> Diagnostic:
        """Report a diagnostic for the current rule on a node or an offset span.

        With ``on_key`` and a member value node, the range is the member's key.
        """
        rule = rule or self.rule
        assert rule is not None, "report() outside a rule"
        if isinstance(target, Node):
            node = target
            if on_key and node.key_node is not None:
                start, end = node.key_node.start, node.key_node.end
            else:
                start, end = node.start, node.end
            if pointer is None:
                pointer = _subject_pointer(node)
        else:
            start, end = target
            if pointer is None:
                pointer = ""
        diag = Diagnostic(
            code=rule.code,
            name=rule.name,
            severity=rule.severity if severity is None else severity,
            message=message,
            start=start,
            end=end,
            pointer=pointer,
            related=list(related) if related else [],
            fix=fix,
            tags=tags,
        )
        self.diagnostics.append(diag)
        return diag


def _subject_pointer(node: Node) -> str:
    """The pointer of the value a node stands for (a key stands for its value)."""
    if node.is_key and node.parent is not None:
        for k, v in node.parent.members or ():
            if k is node:
                return v.pointer
    return node.pointer
