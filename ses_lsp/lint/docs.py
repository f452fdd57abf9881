"""Rule documentation, rendered from the rules themselves.

``python -m ses_lsp.lint.docs`` writes ``docs/rules.md`` (and the scenario table of
``docs/evaluation.md``, from :mod:`ses_lsp.semantics.mail`); ``--check`` fails when one
is stale (a test runs it).  ``ses-lsp rule CODE`` prints the same text for one rule.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.registry import Example, Rule
from ses_lsp.lint.rules import ALL_RULES
from ses_lsp.semantics.mail import fields_markdown

FAMILIES = [
    ("SES0", "The file: syntax, YAML typing, kinds, suppressions"),
    ("SES1", "API shapes (generated from the botocore service models)"),
    ("SES2", "Names"),
    ("SES3", "Headers"),
    ("SES4", "Bounces and DSNs"),
    ("SES5", "Flow and reachability"),
    ("SES6", "Addresses and networks"),
    ("SES7", "ARNs and references"),
    ("SES8", "Limits"),
    ("SES9", "Ingress points"),
]


def _example_output(example: Example) -> list[str]:
    result = lint_text(example.text, example.path, kind=example.kind or None)
    out = []
    doc = result.document
    for d in result.diagnostics:
        line, col = doc.lines.position(d.start) if doc else (0, 0)
        out.append(
            f"example.{example.format}:{line + 1}:{col + 1}: {d.severity.label}: {d.message} [{d.code} {d.name}]"
        )
    return out


def render_rule(rule: Rule, heading: str = "###") -> str:
    d = rule.doc
    lines = [f"{heading} {rule.code} {rule.name}", "", rule.summary, ""]
    facts = [f"severity: **{rule.severity.label}**", f"source: {rule.source}"]
    if rule.fixable:
        facts.append("fix available")
    if not rule.suppressible:
        facts.append("a suppression comment cannot silence it")
    if rule.kinds:
        facts.append("kinds: " + ", ".join(f"`{k}`" for k in sorted(rule.kinds)))
    lines += ["- " + f for f in facts] + [""]
    lines += ["**What it does.** " + d.what, "", "**Why it matters.** " + d.why, ""]
    if d.notes:
        lines += [d.notes, ""]
    if d.bad is not None:
        fence = "json" if d.bad.format == "json" else "yaml"
        kind = f" (kind `{d.bad.kind}`)" if d.bad.kind else ""
        lines += [f"**Example**{kind}:", "", f"```{fence}", d.bad.text.rstrip("\n"), "```", ""]
        out = _example_output(d.bad)
        if out:
            lines += ["gives", "", "```text", *out, "```", ""]
    if d.good is not None:
        fence = "json" if d.good.format == "json" else "yaml"
        lines += ["**Use instead:**", "", f"```{fence}", d.good.text.rstrip("\n"), "```", ""]
    if d.references:
        lines += ["**References:**", ""] + [f"- {r}" for r in d.references] + [""]
    return "\n".join(lines)


def render_all() -> str:
    parts = [
        "# ses-lsp rules",
        "",
        "Generated from the rules themselves by `python -m ses_lsp.lint.docs`; do not edit by hand.",
        "`ses-lsp rule CODE` prints one section. Codes and names are stable.",
        "",
        "| code | name | severity | fix | summary |",
        "|---|---|---|---|---|",
    ]
    for r in ALL_RULES:
        parts.append(
            f"| [{r.code}](#{r.code.lower()}-{r.name}) | {r.name} | {r.severity.label} | "
            f"{'yes' if r.fixable else ''} | {r.summary} |"
        )
    parts.append("")
    for prefix, title in FAMILIES:
        rules = [r for r in ALL_RULES if r.code.startswith(prefix)]
        if not rules:
            continue
        parts += [f"## {title}", ""]
        parts += [render_rule(r) for r in rules]
    return "\n".join(parts).rstrip("\n") + "\n"


FIELDS_START, FIELDS_END = "<!-- scenario-fields:start -->\n", "<!-- scenario-fields:end -->"


def render_evaluation(current: str) -> str:
    """docs/evaluation.md with its scenario table (between the markers) made from the mail model."""
    head, start, rest = current.partition(FIELDS_START)
    _, end, tail = rest.partition(FIELDS_END)
    if not start or not end:
        raise ValueError("docs/evaluation.md lost its scenario-fields markers")
    return head + start + fields_markdown() + end + tail


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    docs = Path(__file__).resolve().parents[2] / "docs"
    rules_md, evaluation_md = docs / "rules.md", docs / "evaluation.md"
    current_eval = evaluation_md.read_text(encoding="utf-8")
    outputs = {rules_md: render_all(), evaluation_md: render_evaluation(current_eval)}
    if "--check" in argv:
        stale = 0
        for target, text in outputs.items():
            current = target.read_text(encoding="utf-8") if target.exists() else ""
            if current != text:
                print(f"{target} is stale: run `python -m ses_lsp.lint.docs`", file=sys.stderr)
                stale = 1
        return stale
    for target, text in outputs.items():
        target.write_text(text, encoding="utf-8")
        print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
