"""The repository model (ses_lsp.lint.repository): which files, what is kept of each, the cache,
and `ses-lsp lint --root` as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ses_lsp.document.document import Document
from ses_lsp.lint.cache import Cache
from ses_lsp.lint.config import Config, load_config_file
from ses_lsp.lint.repository import (
    DEFINITION,
    REFERENCE,
    RESOURCE,
    RULE,
    RULE_SET,
    Repository,
    build,
    occurrences_of,
    scan,
    summary_data,
    valid_summary,
)

REPO = Path(__file__).resolve().parents[1]
SAM = REPO / "examples" / "cloudformation" / "receipt-rules.sam.yaml"

RULE_SET_YAML = """Metadata:
  Name: inbound
Rules:
  - Name: support-to-s3
    Enabled: true
    Actions:
      - S3Action: {BucketName: mail-bucket}
  - Name: catch-all
    Enabled: true
    Actions:
      - S3Action: {BucketName: mail-bucket}
"""
NEW_RULE = """RuleSetName: inbound
After: catch-al
Rule:
  Name: late-rule
  Enabled: true
  Actions:
    - S3Action: {BucketName: mail-bucket}
"""


def _tree(root: Path) -> None:
    (root / "sets").mkdir(parents=True)
    (root / "rules").mkdir()
    (root / "old" / "deep").mkdir(parents=True)
    (root / "sets" / "inbound.yaml").write_text(RULE_SET_YAML)
    (root / "rules" / "new.yaml").write_text(NEW_RULE)
    (root / "old" / "deep" / "inbound.yaml").write_text(RULE_SET_YAML)
    (root / "rules" / "draft.json").write_text("{}")
    (root / ".gitignore").write_text("old/\n")
    (root / "rules" / ".gitignore").write_text("draft.json\n")


def _rel(root: Path, files: list[str]) -> list[str]:
    return [os.path.relpath(f, root).replace(os.sep, "/") for f in files]


def test_scan_honours_gitignore_with_and_without_git(tmp_path):
    plain, work = tmp_path / "plain", tmp_path / "work"
    _tree(plain)
    _tree(work)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run(["git", "-C", str(work), "add", "sets"], check=True)  # tracked and untracked alike
    expected = ["rules/new.yaml", "sets/inbound.yaml"]
    assert _rel(plain, scan(str(plain))) == expected
    assert _rel(work, scan(str(work))) == expected


def test_scan_takes_the_configuration_include_and_exclude(tmp_path):
    _tree(tmp_path)
    (tmp_path / "sets" / "scratch.yaml").write_text(RULE_SET_YAML)
    (tmp_path / ".ses-lsp.toml").write_text('include = ["sets/**", "rules/**"]\nexclude = ["scratch.yaml"]\n')
    cfg = load_config_file(str(tmp_path / ".ses-lsp.toml"))
    assert _rel(tmp_path, scan(str(tmp_path), cfg)) == ["rules/new.yaml", "sets/inbound.yaml"]
    (tmp_path / ".ses-lsp.toml").write_text('include = ["sets/**"]\n')
    cfg = load_config_file(str(tmp_path / ".ses-lsp.toml"))
    assert _rel(tmp_path, scan(str(tmp_path), cfg)) == ["sets/inbound.yaml", "sets/scratch.yaml"]


def test_summary_of_a_template_resolves_rule_sets_and_logical_ids():
    text = SAM.read_text()
    doc = Document(text, str(SAM))
    occ = occurrences_of(doc.root, "cloudformation:template", "t", text)
    rules = [(o.name, o.rule_set) for o in occ if o.symbol == RULE and o.role == DEFINITION]
    assert ("reject-retired-addresses", "inbound-mail") in rules  # RuleSetName: !Ref RuleSet
    assert ("inbound-mail", None) in [(o.name, o.rule_set) for o in occ if o.symbol == RULE_SET]
    # `!Ref RuleSet`: the logical id's own characters, not the tag.
    ref = next(o for o in occ if o.symbol == RESOURCE and o.role == REFERENCE and o.name == "RuleSet")
    assert text[ref.start : ref.end] == "RuleSet" and text[ref.start - 5 : ref.start] == "!Ref "
    data = summary_data(doc.root, "cloudformation:template", text)
    assert valid_summary(data) and data["sets"] == [["inbound-mail", False, None]]


def test_damaged_summaries_are_refused():
    good = summary_data(Document(RULE_SET_YAML, "x.yaml").root, "ses:describe-receipt-rule-set")
    assert valid_summary(good)
    assert good["sets"] == [["inbound", True, None]]
    for bad in (
        {**good, "v": 0},
        {**good, "occ": [["rule", "definition", "ses", "x", None, 5, 1, None]]},
        {**good, "occ": [["rule", "definition", "ses", "x", None, 0, 1]]},  # (format 1)
        {**good, "occ": [["relay", "definition", "mailmanager", "x", None, 0, 1, "nonsense"]]},
        {**good, "occ": [["nonsense", "definition", "ses", "x", None, 0, 1, None]]},
        {**good, "sets": [["inbound", "yes", None]]},
        [],
    ):
        assert not valid_summary(bad)


def test_index_reuses_the_cache_and_updates_one_file(tmp_path):
    _tree(tmp_path)
    cfg = Config(root=str(tmp_path))
    cache = Cache(str(tmp_path / "cache"), "test", "fp").load()
    repo = build(str(tmp_path), config_for=lambda p: cfg, cache=cache)
    assert len(repo) == 2 and cache.misses == 2 and cache.hits == 0
    cache.save()
    cache = Cache(str(tmp_path / "cache"), "test", "fp").load()
    again = build(str(tmp_path), config_for=lambda p: cfg, cache=cache)
    assert cache.hits == 2 and cache.misses == 0
    assert sorted(o.name for o in again.occurrences()) == sorted(o.name for o in repo.occurrences())
    (tmp_path / "sets" / "inbound.yaml").write_text(RULE_SET_YAML.replace("catch-all", "fallback"))
    gen = again.generation
    again.update(str(tmp_path / "sets" / "inbound.yaml"), cfg)
    assert again.generation == gen + 1
    assert [o.name for o in again.named(RULE, "fallback")] == ["fallback"]
    assert again.named(RULE, "catch-all") == []
    (tmp_path / "sets" / "inbound.yaml").unlink()
    again.update(str(tmp_path / "sets" / "inbound.yaml"), cfg)
    assert len(again) == 1


def test_repository_is_a_lint_workspace():
    repo = Repository()
    repo.set_summary(
        "/r/sets/inbound.yaml",
        summary_data(Document(RULE_SET_YAML, "x.yaml").root, "ses:describe-receipt-rule-set"),
    )
    (c,) = repo.rule_set_contributions("/r/rules/new.yaml")
    assert (c.name, c.complete, [n for n, _ in c.rules]) == ("inbound", True, ["support-to-s3", "catch-all"])
    assert list(repo.rule_set_contributions("/r/sets/inbound.yaml")) == []  # its own file is left out
    assert repo.defines_rule_set(["inbound"]) and not repo.defines_rule_set(["other"])


# -- the CLI, as a real process ---------------------------------------------------------------


def _lint(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_ACTIONS", "SES_LSP_CACHE_DIR")}
    return subprocess.run(
        [sys.executable, "-m", "ses_lsp", "lint", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_root_resolves_references_against_files_not_named(tmp_path):
    _tree(tmp_path)
    alone = _lint(tmp_path, "rules/new.yaml", "--format", "json", "--no-cache")
    assert alone.returncode == 0 and json.loads(alone.stdout) == []
    for extra in (["--no-cache"], [], []):  # cold, then filling and reading the cache
        proc = _lint(tmp_path, "rules/new.yaml", "--format", "json", "--root", ".", *extra)
        assert proc.returncode == 0, proc.stderr
        (d,) = json.loads(proc.stdout)
        assert d["code"] == "SES207" and 'did you mean "catch-all"?' in d["message"]
        assert d["related"][0]["file"] == "sets/inbound.yaml"
        assert (d["related"][0]["start"]["line"], d["related"][0]["start"]["column"]) == (8, 11)
    # The ignored copy is not part of the repository: its rule set would say the same, but
    # the related location never points into it.
    (tmp_path / "sets" / "inbound.yaml").unlink()
    proc = _lint(tmp_path, "rules/new.yaml", "--format", "json", "--root", ".")
    assert json.loads(proc.stdout) == []


def test_cli_root_from_the_configuration(tmp_path):
    _tree(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.ses-lsp]\nroot = "."\n')
    proc = _lint(tmp_path / "rules", "new.yaml", "--format", "json", "--no-cache")
    (d,) = json.loads(proc.stdout)
    assert d["code"] == "SES207" and d["related"][0]["file"] == str(tmp_path / "sets" / "inbound.yaml")


def test_cli_root_reads_rules_of_templates(tmp_path):
    (tmp_path / "stack.yaml").write_text(SAM.read_text())
    (tmp_path / "new.yaml").write_text(
        NEW_RULE.replace("RuleSetName: inbound", "RuleSetName: inbound-mail").replace(
            "catch-al", "reject-retired-adresses"
        )
    )
    proc = _lint(tmp_path, "new.yaml", "--format", "json", "--root", ".", "--no-cache")
    (d,) = json.loads(proc.stdout)
    assert d["code"] == "SES207" and 'did you mean "reject-retired-addresses"?' in d["message"]
    assert d["related"][0]["file"] == "stack.yaml"


def test_cli_run_reads_rules_of_templates_without_a_root(tmp_path):
    # The files of the run are the repository: a template among them adds its ReceiptRules to
    # their rule set as under --root (whether or not it also has Mail Manager resources).
    (tmp_path / "stack.yaml").write_text(SAM.read_text())
    (tmp_path / "new.yaml").write_text(
        NEW_RULE.replace("RuleSetName: inbound", "RuleSetName: inbound-mail").replace(
            "catch-al", "reject-retired-adresses"
        )
    )
    for args in ([".", "--no-cache"], ["new.yaml", "--root", ".", "--no-cache"]):
        proc = _lint(tmp_path, "--format", "json", *args)
        (d,) = [d for d in json.loads(proc.stdout) if d["file"] == "new.yaml"]
        assert d["code"] == "SES207" and 'did you mean "reject-retired-addresses"?' in d["message"]
        assert d["related"][0]["file"] == "stack.yaml"


def test_cli_root_must_be_a_directory(tmp_path):
    (tmp_path / "x.yaml").write_text(NEW_RULE)
    proc = _lint(tmp_path, "x.yaml", "--root", "nowhere")
    assert proc.returncode == 2 and "--root: 'nowhere' is not a directory" in proc.stderr
    (tmp_path / ".ses-lsp.toml").write_text("root = 3\n")
    proc = _lint(tmp_path, "x.yaml")
    assert proc.returncode == 2 and "'root' must be a directory" in proc.stderr
