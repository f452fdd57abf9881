"""Golden tests: every case file under tests/golden/ is linted and its output compared.

Layout: ``tests/golden/<family>/<name>.{json,yaml}`` with ``<name>.<ext>.expected``
beside it (one line per diagnostic, then indented related notes and fix
titles), and ``<name>.<ext>.fixed`` when safe fixes apply (the text after
applying every safe fix once).  ``tests/golden/ok/`` holds valid documents
that must produce no diagnostic at all.

Regenerate after an intended change: ``SES_LSP_UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ses_lsp.lint.config import Config, load_config_file
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.rules import ALL_RULES

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("SES_LSP_UPDATE_GOLDEN") == "1"
SUFFIXES = (".json", ".yaml", ".yml")

CASES = sorted(
    p for p in GOLDEN.rglob("*") if p.suffix in SUFFIXES and p.parent.name != "ok" and ".config" not in p.name
)
OK = sorted(p for p in (GOLDEN / "ok").rglob("*") if p.suffix in SUFFIXES)

# Rules that cannot have a golden case in a given format, and why.
NO_JSON_CASE = {
    "SES004": "YAML typing only",
    "SES005": "YAML aliases only",
    "SES007": "modelines are YAML comments",
    "SES009": "suppression comments are YAML only",
    "SES010": "suppression comments are YAML only",
}
NO_CASE = {
    "SES006": "binary/undecodable input is tested in tests/test_engine.py",
    "SES008": "a crashing rule is tested in tests/test_engine.py",
    "SES110": "no receiving operation has a numeric range in the model",
    "SES113": "no receiving operation has a deprecated member in the model",
    "SES207": "needs other workspace files; tested in tests/test_rules_names.py",
    "SES210": "needs other workspace files; tested in tests/test_rules_names.py",
    "SES708": "needs other files; tests/test_pipeline_references.py lints examples/mailmanager/pipeline/ "
    "and a broken copy with the CLI and compares the output with an expected file",
}


def kind_for(path: Path) -> str | None:
    side = path.with_name(path.name + ".kind")
    return side.read_text().strip() if side.exists() else None


def config_for(path: Path) -> Config:
    """A ``<case>.<ext>.config.toml`` sidecar gives the case its settings (e.g. a Region)."""
    side = path.with_name(path.name + ".config.toml")
    if not side.exists():
        return Config()
    return load_config_file(str(side))


def render(path: Path) -> tuple[str, str | None]:
    text = path.read_text(encoding="utf-8")
    result = lint_text(text, str(path), kind=kind_for(path), config=config_for(path))
    doc = result.document
    lines = []
    safe_edits = []
    for d in result.diagnostics:
        line, col = doc.lines.position(d.start) if doc else (0, 0)
        eline, ecol = doc.lines.position(d.end) if doc else (0, 0)
        lines.append(
            f"{line + 1}:{col + 1}-{eline + 1}:{ecol + 1}: {d.severity.label}: {d.message} [{d.code} {d.name}]"
        )
        for r in d.related:
            rl, rc = doc.lines.position(r.start)
            lines.append(f"    note {rl + 1}:{rc + 1}: {r.message}")
        if d.fix is not None:
            lines.append(f"    fix{'' if d.fix.safe else ' (unsafe)'}: {d.fix.title}")
            if d.fix.safe:
                safe_edits.append(d.fix.edits)
    fixed = None
    if safe_edits:
        from ses_lsp.lint.fixes import apply_edit_groups

        fixed = apply_edit_groups(text, safe_edits)
    return "\n".join(lines) + "\n", fixed


@pytest.mark.parametrize("path", CASES, ids=[str(p.relative_to(GOLDEN)) for p in CASES])
def test_golden(path: Path):
    out, fixed = render(path)
    expected = path.with_name(path.name + ".expected")
    fixed_file = path.with_name(path.name + ".fixed")
    if UPDATE:
        expected.write_text(out, encoding="utf-8")
        if fixed is not None:
            fixed_file.write_text(fixed, encoding="utf-8")
        elif fixed_file.exists():
            fixed_file.unlink()
    assert expected.exists(), f"no {expected.name}: run with SES_LSP_UPDATE_GOLDEN=1 and review it"
    assert out == expected.read_text(encoding="utf-8")
    if fixed is not None or fixed_file.exists():
        assert fixed_file.exists() and fixed == fixed_file.read_text(encoding="utf-8")
    assert out.strip(), "a golden case must produce at least one diagnostic (valid files go in ok/)"


@pytest.mark.parametrize("path", OK, ids=[str(p.relative_to(GOLDEN)) for p in OK])
def test_ok_corpus_is_clean(path: Path):
    result = lint_text(path.read_text(encoding="utf-8"), str(path), kind=kind_for(path), config=config_for(path))
    assert result.kind is not None
    assert [(d.code, d.message) for d in result.diagnostics] == []


def test_every_rule_has_golden_cases_in_json_and_yaml():
    seen: dict[str, set[str]] = {}
    for path in CASES:
        exp = path.with_name(path.name + ".expected")
        if not exp.exists():
            continue
        fmt = "json" if path.suffix == ".json" else "yaml"
        for line in exp.read_text(encoding="utf-8").splitlines():
            if line.endswith("]") and " [SES" in line:
                code = line.rsplit(" [", 1)[1].split()[0]
                seen.setdefault(code, set()).add(fmt)
    missing = []
    for rule in ALL_RULES:
        if rule.code in NO_CASE:
            continue
        want = {"yaml"} if rule.code in NO_JSON_CASE else {"json", "yaml"}
        have = seen.get(rule.code, set())
        if not want <= have:
            missing.append(f"{rule.code} {rule.name}: missing {sorted(want - have)}")
    assert not missing, "rules without golden cases:\n" + "\n".join(missing)
