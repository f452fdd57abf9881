"""``ses-lsp test``, run as a real process on the routing tests in tests/fixtures/routing/."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from test_cli import REPO, run, write

FIX = Path("tests/fixtures/routing")
CLASSIC = FIX / "classic"
MM = FIX / "mailmanager"
BAD = FIX / "bad"
SUMMARY = re.compile(r"^=+ (.*) in \d+\.\d\ds =+$")


def routing_test(*args: str | Path, cwd: Path = REPO):
    return run(["test", *map(str, args)], cwd)


def summary(stdout: str) -> str:
    m = SUMMARY.match(stdout.splitlines()[-1])
    assert m is not None, stdout
    return m.group(1)


def test_passing_cases_print_a_dot_each_and_exit_0():
    p = routing_test(CLASSIC / "passing.routing.yaml", MM)
    assert (p.returncode, p.stderr) == (0, ""), p.stdout
    lines = p.stdout.splitlines()
    assert lines[:2] == [f"{CLASSIC}/passing.routing.yaml .....", f"{MM}/inbound.routing.json .."]
    assert summary(p.stdout) == "7 passed"
    assert len(lines) == 3


def test_a_failing_case_shows_expected_and_actual_side_by_side_and_the_trace():
    p = routing_test(CLASSIC / "failing.routing.yaml")
    assert p.returncode == 1, p.stderr
    out = p.stdout
    assert out.splitlines()[0] == f"{CLASSIC}/failing.routing.yaml .FF"
    assert summary(out) == "2 failed, 1 passed"
    block = out[out.index(f"{CLASSIC}/failing.routing.yaml:7: billing mail") :].split("\n\n")
    assert block[1].splitlines() == [
        "recipient billing@example.com: rules, actions not as expected",
        "    expected                                  actual",
        "    outcome: delivered                      | outcome: delivered",
        "    rules: [billing]                        ! rules: [billing, catch-all]",
        "    actions:                                | actions:",
        "      - {rule: billing, type: LambdaAction} |   - {rule: billing, type: LambdaAction}",
        "      - {rule: billing, type: S3Action}     |   - {rule: billing, type: S3Action}",
        "                                            !   - {rule: catch-all, type: S3Action}",
    ]
    # the other recipient of the mail met its expectation: not shown
    assert "recipient ceo@example.com:" not in block[1]
    trace = "\n\n".join(block[2:])
    assert trace.startswith(
        "trace (ses-lsp simulate; rules that do not match are left out unless the case names them):"
    )
    assert f"    SES classic: {CLASSIC}/rule-set.json (4 rules) behind {CLASSIC}/filters.yaml; mail " in trace
    assert f'      {CLASSIC}/rule-set.json:32:22: rule "catch-all": matched by Recipients entry "example.com"' in trace
    assert "      result: delivered: 3 actions ran in 2 rules" in trace
    assert 'rule "ceo"' not in trace and 'rule "old-sales"' not in trace  # neither matched nor named
    assert "recipient ceo@example.com" not in trace
    missing = out[out.index(f"{CLASSIC}/failing.routing.yaml:17: a recipient the mail does not have") :]
    assert (
        missing.split("\n\n")[1]
        == "recipient cfo@example.com: not a recipient of the mail (its recipients: ceo@example.com)"
    )


def test_a_failing_rule_the_case_names_is_shown_with_why_it_did_not_match(tmp_path):
    write(
        tmp_path,
        "t.routing.yaml",
        f"RuleFiles: [{REPO / CLASSIC / 'rule-set.json'}]\n"
        "Cases:\n"
        "  - Mail: {Recipients: [sales@example.com]}\n"
        "    Expect:\n"
        "      sales@example.com: {rules: [old-sales, catch-all]}\n",
    )
    p = routing_test("t.routing.yaml", cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    assert 'rule "old-sales": skipped: the rule is disabled (Enabled: false)' in p.stdout
    assert 'rule "ceo"' not in p.stdout


def test_json_contract():
    p = routing_test(CLASSIC / "failing.routing.yaml", CLASSIC / "passing.routing.yaml", "--format", "json")
    assert p.returncode == 1, p.stderr
    doc = json.loads(p.stdout)
    assert doc["summary"] == {"files": 2, "cases": 8, "passed": 6, "failed": 2, "errors": 0}
    assert doc["errors"] == []
    failing, passing = doc["files"]
    assert failing["file"] == f"{CLASSIC}/failing.routing.yaml" and failing["error"] is None
    assert [(c["name"], c["line"], c["status"]) for c in failing["cases"]] == [
        ("ceo mail stops at the ceo rule", 3, "passed"),
        ("billing mail is thought to stop at billing", 7, "failed"),
        ("a recipient the mail does not have", 17, "failed"),
    ]
    billing = failing["cases"][1]
    assert billing["mismatches"] == [
        {
            "recipient": "billing@example.com",
            "key": "rules",
            "expected": ["billing"],
            "actual": ["billing", "catch-all"],
        },
        {
            "recipient": "billing@example.com",
            "key": "actions",
            "expected": [{"rule": "billing", "type": "LambdaAction"}, {"rule": "billing", "type": "S3Action"}],
            "actual": [
                {"rule": "billing", "type": "LambdaAction"},
                {"rule": "billing", "type": "S3Action"},
                {"rule": "catch-all", "type": "S3Action"},
            ],
        },
    ]
    # the failed case's full trace: the simulate JSON contract
    trace = billing["trace"]
    assert trace["service"] == "ses"
    assert [r["address"] for r in trace["recipients"]] == ["billing@example.com", "ceo@example.com"]
    assert trace["recipients"][0]["rules"] == ["billing", "catch-all"]
    assert failing["cases"][2]["mismatches"] == [
        {"recipient": "cfo@example.com", "key": "recipient", "expected": "a recipient of the mail", "actual": None}
    ]
    assert all(c["trace"] is None and c["mismatches"] == [] for c in passing["cases"])
    assert all(isinstance(c["seconds"], float) for c in passing["cases"])


# -- JUnit XML -------------------------------------------------------------------------------

# The JUnit XML format CI systems read (Jenkins' junit plugin, GitLab's and GitHub's test-report
# actions follow Ant's XMLJUnitResultFormatter): element -> (required attributes, optional
# attributes, allowed children).
JUNIT = {
    "testsuites": ({"tests", "failures", "errors"}, {"name", "time", "disabled"}, {"testsuite"}),
    "testsuite": (
        {"name", "tests", "failures", "errors"},
        {"skipped", "time", "timestamp", "hostname", "id", "package", "file"},
        {"testcase", "properties", "system-out", "system-err"},
    ),
    "testcase": (
        {"name", "classname"},
        {"time", "file", "line", "assertions"},
        {"failure", "error", "skipped", "system-out", "system-err"},
    ),
    "failure": (set(), {"message", "type"}, set()),
    "error": (set(), {"message", "type"}, set()),
}
NUMBERS = {"tests", "failures", "errors", "skipped", "line"}


def check_junit(text: str) -> ET.Element:
    """Validate JUnit XML's shape: elements, their attributes and children, the numbers (integers
    that add up), the times (non-negative decimals)."""
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"

    def visit(el: ET.Element) -> None:
        required, optional, children = JUNIT[el.tag]
        attrs = set(el.attrib)
        assert required <= attrs, (el.tag, required - attrs)
        assert attrs <= required | optional, (el.tag, attrs - required - optional)
        for a in attrs & NUMBERS:
            assert el.attrib[a].isdigit(), (el.tag, a, el.attrib[a])
        if "time" in attrs:
            assert re.fullmatch(r"\d+\.\d+", el.attrib["time"]), el.attrib["time"]
        for child in el:
            assert child.tag in children, (el.tag, child.tag)
            visit(child)
        if el.tag in ("failure", "error"):
            assert len(el) == 0
        if el.tag == "testcase":
            assert len([c for c in el if c.tag in ("failure", "error", "skipped")]) <= 1
        if el.tag == "testsuite":
            cases = el.findall("testcase")
            assert int(el.attrib["tests"]) == len(cases)
            assert int(el.attrib["failures"]) == sum(1 for c in cases if c.find("failure") is not None)
            assert int(el.attrib["errors"]) == sum(1 for c in cases if c.find("error") is not None)

    visit(root)
    suites = root.findall("testsuite")
    for key in ("tests", "failures", "errors"):
        assert int(root.attrib[key]) == sum(int(s.attrib[key]) for s in suites), key
    return root


def test_junit_xml_for_ci_systems():
    p = routing_test(CLASSIC / "failing.routing.yaml", CLASSIC / "passing.routing.yaml", BAD, "--format", "junit")
    assert p.returncode == 2, p.stderr  # (the bad files: input errors)
    root = check_junit(p.stdout)
    assert (root.attrib["tests"], root.attrib["failures"], root.attrib["errors"]) == ("14", "2", "5")
    suites = {s.attrib["name"]: s for s in root.findall("testsuite")}
    failing = suites[f"{CLASSIC}/failing.routing.yaml"]
    cases = failing.findall("testcase")
    assert [(c.attrib["name"], c.attrib["line"]) for c in cases] == [
        ("ceo mail stops at the ceo rule", "3"),
        ("billing mail is thought to stop at billing", "7"),
        ("a recipient the mail does not have", "17"),
    ]
    assert {c.attrib["classname"] for c in cases} == {f"{CLASSIC}/failing.routing.yaml"}
    failure = cases[1].find("failure")
    assert failure is not None
    assert failure.attrib == {
        "message": "billing@example.com: rules, actions not as expected",
        "type": "RoutingMismatch",
    }
    assert failure.text is not None and "    rules: [billing]" in failure.text
    assert cases[2].find("failure").attrib["message"] == "cfo@example.com: not a recipient of the mail"
    # a file whose cases did not run is one test case with an error
    syntax = suites[f"{BAD}/syntax.routing.yaml"]
    (only,) = syntax.findall("testcase")
    error = only.find("error")
    assert error is not None and "SES001" in (error.text or "")
    # a case that could not run: an error in its own test case
    mail = suites[f"{BAD}/mail-missing.routing.yaml"].findall("testcase")
    assert [c.find("error") is not None for c in mail] == [True, True, False]


def test_junit_xml_of_a_clean_run():
    p = routing_test(MM, "--format", "junit")
    assert p.returncode == 0, p.stderr
    root = check_junit(p.stdout)
    assert (root.attrib["tests"], root.attrib["failures"], root.attrib["errors"]) == ("2", "0", "0")


# -- input errors ----------------------------------------------------------------------------


def test_input_errors_exit_2_and_say_what_is_wrong():
    p = routing_test(BAD)
    assert p.returncode == 2
    out = p.stdout
    assert out.splitlines()[:4] == [
        f"{BAD}/mail-missing.routing.yaml EE.",
        f"{BAD}/missing-rules.routing.yaml E",
        f"{BAD}/syntax.routing.yaml E",
        f"{BAD}/unknown-names.routing.yaml E",
    ]
    assert summary(out) == "1 passed, 5 errors"
    assert (
        f"{BAD}/mail-missing.routing.yaml:3: Mail: cannot read '{BAD}/no-such-mail.eml': No such file or directory"
        in out
    )
    assert f"{BAD}/mail-missing.routing.yaml:7: Mail: no recipient: list them in Recipients" in out
    assert f"{BAD}/missing-rules.routing.yaml has 1 error; its cases did not run:" in out
    assert (
        f'{BAD}/missing-rules.routing.yaml:1:13: error: rule file "../classic/rule-set.yml" does not exist (paths are '
        'relative to this file\'s directory); did you mean "../classic/rule-set.json"? [SES541 rule-file-not-found]'
    ) in out
    assert f"{BAD}/syntax.routing.yaml cannot be read as a document:" in out and "[SES001 syntax-error]" in out
    assert f"{BAD}/unknown-names.routing.yaml has 4 errors; its cases did not run:" in out
    assert 'did you mean "billing"? [SES542 unknown-expected-rule]' in out
    assert 'did you mean "LambdaAction"? [SES543 unknown-expected-action-type]' in out
    assert "Traceback" not in out + p.stderr


def test_rule_files_that_make_no_pipeline_are_an_input_error(tmp_path):
    write(tmp_path, "scenario.yaml", "Recipients: [a@example.com]\n")
    write(
        tmp_path,
        "t.routing.yaml",
        "RuleFiles: [scenario.yaml]\nCases:\n  - Mail: {Recipients: [a@example.com]}\n"
        "    Expect: {a@example.com: {}}\n",
    )
    p = routing_test(cwd=tmp_path)
    assert p.returncode == 2
    assert p.stdout.splitlines()[0] == "t.routing.yaml E"
    assert (
        "t.routing.yaml: RuleFiles: scenario.yaml is a scenario (a mail): pass it with --mail, not as RULES" in p.stdout
    )


def test_no_routing_test_found_is_a_usage_error():
    p = routing_test(Path("tests/fixtures/simulate"))
    assert p.returncode == 2
    assert "no routing tests found in tests/fixtures/simulate: name them *.routing.yaml" in p.stdout
    p = routing_test("no/such/dir")
    assert p.returncode == 2
    assert "cannot read 'no/such/dir': No such file or directory" in p.stdout
    p = routing_test("-")
    assert p.returncode == 2
    assert "the standard input ('-') is not supported" in p.stdout


def test_a_named_file_must_be_a_routing_test():
    p = routing_test(CLASSIC / "rule-set.json")
    assert p.returncode == 2
    assert (
        f"{CLASSIC}/rule-set.json is a ses:describe-receipt-rule-set document; a routing test has RuleFiles and Cases"
        in p.stdout
    )


def test_the_configuration_chooses_the_files(tmp_path):
    rules = REPO / CLASSIC / "rule-set.json"
    good = f"RuleFiles: [{rules}]\nCases:\n  - Mail: {{Recipients: [ceo@example.com]}}\n    Expect:\n"
    write(tmp_path, "checks/ceo.yaml", good + "      ceo@example.com: {rules: [ceo]}\n")
    write(tmp_path, "checks/wip-ceo.yaml", good + "      ceo@example.com: {rules: [nobody]}\n")
    write(tmp_path, "other.routing.yaml", good + "      ceo@example.com: {rules: [nobody]}\n")
    write(tmp_path, "node_modules/x.routing.yaml", good + "      ceo@example.com: {rules: [nobody]}\n")
    p = routing_test(cwd=tmp_path)  # the default globs: *.routing.yaml (node_modules is never walked)
    assert p.returncode == 2 and p.stdout.splitlines()[0] == "other.routing.yaml E"
    write(tmp_path, ".ses-lsp.toml", 'routing-tests = ["checks/*.yaml", "!checks/wip-*"]\n')
    p = routing_test(cwd=tmp_path)
    assert (p.returncode, p.stderr) == (0, ""), p.stdout
    assert p.stdout.splitlines()[0] == "checks/ceo.yaml ."
    assert summary(p.stdout) == "1 passed"
    # a file named explicitly is run whatever the globs say
    p = routing_test("checks/wip-ceo.yaml", cwd=tmp_path)
    assert p.returncode == 2 and "SES542" in p.stdout


def test_rule_files_with_errors_run_with_a_note(tmp_path):
    write(
        tmp_path,
        "rules.yaml",
        "Metadata: {Name: s}\nRules:\n  - Name: r\n    Enabled: true\n    TlsPolicy: required\n"
        "    Actions: [{S3Action: {BucketName: b}}]\n",
    )
    write(
        tmp_path,
        "a.routing.yaml",
        "RuleFiles: [rules.yaml]\nCases:\n  - Mail: {Recipients: [x@example.com]}\n    Expect:\n"
        "      x@example.com: {rules: [r]}\n",
    )
    write(tmp_path, "b.routing.yaml", (tmp_path / "a.routing.yaml").read_text())
    p = routing_test(cwd=tmp_path)
    assert p.returncode == 0, p.stdout
    # once, though two tests name the file
    assert p.stderr == (
        "note: rules.yaml has 1 error (`ses-lsp lint rules.yaml` shows them); it is simulated as written\n"
    )


def test_the_readme_example_is_what_the_command_prints(tmp_path):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Routing tests: `ses-lsp test`") :]
    example = REPO / "examples" / "simulate" / "classic" / "inbound.routing.yaml"
    shown = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert shown is not None and shown.group(1) == example.read_text(encoding="utf-8")
    m = re.search(r"```console\n\$ (ses-lsp test [^\n]*)\n(.*?)```", section, re.S)
    assert m is not None, "README has no `ses-lsp test` example"
    p = run(m.group(1).split()[1:], REPO / "examples" / "simulate")
    assert (p.returncode, p.stderr) == (0, ""), p.stdout
    assert _no_time(p.stdout) == _no_time(m.group(2))
    # the failure it shows: the third case expecting rules: [billing]
    failure = re.search(r"```text\n(=+ FAILURES =+\n.*?)```", section, re.S)
    assert failure is not None
    shutil.copytree(example.parent, tmp_path / "classic")
    edited = tmp_path / "classic" / "inbound.routing.yaml"
    edited.write_text(edited.read_text().replace("rules: [billing, catch-all]", "rules: [billing]"))
    p = run(m.group(1).split()[1:], tmp_path)
    assert p.returncode == 1, p.stderr
    assert p.stdout.splitlines()[0] == "classic/inbound.routing.yaml ..F.."
    assert failure.group(1) in p.stdout


def _no_time(text: str) -> str:
    return re.sub(r" in \d+\.\d\ds =*", " in (time)", text)
