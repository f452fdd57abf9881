"""The editor's "simulate a mail against this rule set" command: the open rule set's current
(possibly unsaved) text, a mail file (a scenario or an ``.eml``), and the trace of
``ses-lsp simulate`` as text and as its JSON contract.

Editor independent: the server passes the rule set's lint result (its document is the editor's
text) and the mail file's path.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ses_lsp.lint.files import display_path
from ses_lsp.lint.rules.common import CLASSIC_RULE_KINDS, MM_RULE_SET_KINDS
from ses_lsp.semantics import evaluate as ev
from ses_lsp.simulate import InputError, Inputs, Loaded, load_mail, locate, render_text, simulate

if TYPE_CHECKING:  # pragma: no cover
    from ses_lsp.document.document import Document
    from ses_lsp.lint.engine import LintResult

__all__ = ["simulate_document"]


def simulate_document(
    result: LintResult, document: Document, mail_path: str, verified: list[str] | None, cwd: str | None = None
) -> dict[str, Any]:
    """``{"text": trace text, "json": the JSON contract}`` of the mail at ``mail_path`` run
    through the rule set of ``document`` (``result``: its lint), or ``{"error": why}`` when the
    document is not a rule set or the mail cannot be used.  Names are shown relative to ``cwd``."""
    if result.kind not in CLASSIC_RULE_KINDS | MM_RULE_SET_KINDS or document.root is None:
        what = f"a {result.kind} document" if result.kind else "not an SES document"
        return {
            "error": f"this document is {what}; simulate runs a mail through a rule set (a receipt rule set or "
            "receipt rule, or a Mail Manager rule set)"
        }
    path = document.path or result.path or "untitled"
    inputs = Inputs(Loaded(display_path(path, cwd), replace(result, document=document)), [], None, None, [])
    reported: list[str] = []
    try:
        mail = load_mail(mail_path, verified, label="mail", report=reported.append)
    except InputError as exc:
        message = str(exc)
        if reported:
            message = message.replace(" (see above)", "") + ":\n" + "".join(reported).rstrip("\n")
        return {"error": message}
    trace = simulate(inputs, mail)
    shown = display_path(mail_path, cwd)
    text = render_text(trace, inputs, shown)
    errors = sum(1 for d in result.diagnostics if d.severity.label == "error")
    if errors:
        text = (
            f"note: {inputs.rules.display} has {errors} error{'s' if errors != 1 else ''}; it is simulated as written\n"
            + text
        )
    return {"text": text, "json": ev.trace_json(trace, locate), "mail": os.path.abspath(mail_path)}
