"""docs/github-actions.md's workflows, run.

Each workflow (a YAML code block with ``jobs``) runs as a GitHub runner would run it: its steps
in order, each ``run:`` step as written in ``bash -e`` with ``GITHUB_ACTIONS=true``, stopping at
the first step that fails. A block of bare steps (``- name: ...``) extends the workflow above
it. The actions it uses are stood in for:

- ``actions/checkout``: a directory holding the rule files the doc lints, under ``mail/``; for the
  diff workflow, a git repository whose ``origin/main`` holds the worked example's rules and whose
  checked-out branch is a pull request changing them (``GITHUB_BASE_REF`` and
  ``GITHUB_STEP_SUMMARY`` set as on a runner);
- ``actions/setup-python``: a fresh virtual environment (with pip) on the PATH;
- ``github/codeql-action/upload-sarif``: the SARIF file is there and valid against the SARIF
  2.1.0 schema.

The install step is the doc's own, pointed at this repository in the way the doc says (its
last section; editor_tools.install_from_snapshot): the repository URL becomes the ``file://``
URL of conftest's ``repo_snapshot``, a local commit of the work tree, so pip clones, builds and
installs it as it would from GitHub, with its dependencies from the package index.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from editor_tools import REPO, assert_valid, fresh_venv, git, git_env, install_from_snapshot, run, sarif_validator

pytestmark = pytest.mark.packaging

DOC = REPO / "docs" / "github-actions.md"
BROKEN = REPO / "examples" / "classic" / "broken-rule.yaml"  # the doc's annotation example
CLEAN = [REPO / "examples" / "classic" / "create-rule.yaml", REPO / "examples" / "mailmanager" / "rule-set.yaml"]
EXAMPLE = REPO / "examples" / "simulate" / "classic"  # the README's worked example (the diff workflow's rules)
STEP_TIMEOUT = 600  # the install step builds ses-lsp and installs its dependencies


def _workflows() -> list[dict]:
    """The doc's workflows in order, each with the bare steps of the blocks after it appended."""
    workflows: list[dict] = []
    for block in re.findall(r"```yaml\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S):
        doc = yaml.safe_load(block)
        if isinstance(doc, dict) and "jobs" in doc:
            assert len(doc["jobs"]) == 1, "one job a workflow"
            workflows.append(doc)
        else:
            assert isinstance(doc, list) and workflows, f"a YAML block that is neither a workflow nor steps:\n{block}"
            next(iter(workflows[-1]["jobs"].values()))["steps"].extend(doc)
    return workflows


def _steps(workflow: dict) -> list[dict]:
    return next(iter(workflow["jobs"].values()))["steps"]


def _uses(step: dict) -> str:
    return step.get("uses", "").split("@", 1)[0]


WORKFLOWS = _workflows()
SARIF_WORKFLOW = next(w for w in WORKFLOWS if any(_uses(s) == "github/codeql-action/upload-sarif" for s in _steps(w)))
DIFF_WORKFLOW = next(w for w in WORKFLOWS if any("ses-lsp diff" in s.get("run", "") for s in _steps(w)))
ANNOTATIONS_WORKFLOW = next(w for w in WORKFLOWS if w is not SARIF_WORKFLOW and w is not DIFF_WORKFLOW)


class Runner:
    """One job's steps on one checkout, as GitHub runs them."""

    def __init__(self, base: Path, snapshot: Path, files: list[tuple[Path, str]]) -> None:
        self.base, self.snapshot = base, snapshot
        self.checkout = base / "checkout"
        self.checkout.mkdir()
        for src, name in files:
            (self.checkout / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, self.checkout / name)
        self.env = git_env()
        for name in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
            self.env.pop(name, None)
        self.env.update(GITHUB_ACTIONS="true", CI="true", XDG_CACHE_HOME=str(base / "cache"))
        self.results: dict[str, object] = {}  # step name -> what it gave

    def step(self, step: dict, cwd: Path | None = None):
        name = step.get("name") or step.get("run") or step["uses"]
        if "run" in step:
            script = step["run"]
            if re.search(r"\bpipx? install\b", script):
                script = install_from_snapshot(script, self.snapshot)
            proc = run(["bash", "-e", "-c", script], timeout=STEP_TIMEOUT, cwd=cwd or self.checkout, env=self.env)
            self.results[name] = proc
            return proc
        action = _uses(step)
        if action == "actions/checkout":
            pass  # the checkout is there
        elif action == "actions/setup-python":
            version = str(step["with"]["python-version"])
            assert tuple(map(int, version.split("."))) >= (3, 10), f"ses-lsp needs Python 3.10+, the doc sets {version}"
            bindir = fresh_venv(self.base / "python")
            self.env["PATH"] = f"{bindir}{os.pathsep}{self.env['PATH']}"
        elif action == "github/codeql-action/upload-sarif":
            assert step["with"].get("category"), "a category keeps ses-lsp's alerts apart from other tools'"
            self.results[name] = json.loads((self.checkout / step["with"]["sarif_file"]).read_text(encoding="utf-8"))
        else:
            pytest.fail(f"docs/github-actions.md uses {step['uses']}: teach this test what it does", pytrace=False)
        return None

    def job(self, workflow: dict) -> list:
        """Every step until one fails; returns each step's result (None for an action)."""
        done = []
        for step in _steps(workflow):
            result = self.step(step)
            done.append(result)
            if result is not None and result.returncode != 0:
                break
        return done


def _output(proc) -> str:
    return f"exit {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"


def _ran_to_the_end(steps: list[dict], results: list) -> None:
    """No step but the last failed (a failed step ends the job)."""
    assert len(results) == len(steps), f"the job stopped at {steps[len(results) - 1]}\n{_output(results[-1])}"
    for step, result in zip(steps[:-1], results, strict=False):
        assert result is None or result.returncode == 0, f"{step}\n{_output(result)}"


def _lint_steps(workflow: dict) -> list[dict]:
    return [s for s in _steps(workflow) if "ses-lsp lint" in s.get("run", "")]


@pytest.fixture(scope="module")
def sarif_job(tmp_path_factory, repo_snapshot):
    runner = Runner(
        tmp_path_factory.mktemp("gha-sarif"),
        repo_snapshot,
        [(BROKEN, "mail/rule.yaml"), *((p, f"mail/{p.parent.name}-{p.name}") for p in CLEAN)],
    )
    return runner, runner.job(SARIF_WORKFLOW)


@pytest.fixture(scope="module")
def annotations_job(tmp_path_factory, repo_snapshot):
    runner = Runner(tmp_path_factory.mktemp("gha-annotations"), repo_snapshot, [(BROKEN, "mail/rule.yaml")])
    return runner, runner.job(ANNOTATIONS_WORKFLOW)


def test_the_doc_has_the_three_workflows():
    assert len(WORKFLOWS) == 3
    job = next(iter(SARIF_WORKFLOW["jobs"].values()))
    assert job["permissions"]["security-events"] == "write"  # upload-sarif writes code scanning alerts
    for workflow in WORKFLOWS:
        assert [_uses(s) for s in _steps(workflow)][:2] == ["actions/checkout", "actions/setup-python"]


def test_sarif_workflow(sarif_job, sarif_schema):
    runner, results = sarif_job
    steps = _steps(SARIF_WORKFLOW)
    _ran_to_the_end(steps, results)
    last = results[-1]
    # The step appended from the doc's next block: lint again, and fail on the errors.
    assert last.returncode == 1, _output(last)
    assert "::error file=mail/rule.yaml," in last.stdout, _output(last)

    upload = next(s for s in steps if _uses(s) == "github/codeql-action/upload-sarif")
    log = runner.results[upload.get("name") or upload["uses"]]
    assert_valid(sarif_validator(sarif_schema), log)
    (sarif_run,) = log["runs"]
    # Paths relative to %SRCROOT%, the directory ses-lsp ran in: the checkout.
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == runner.checkout.as_uri() + "/"
    found = {
        (res["ruleId"], loc["physicalLocation"]["artifactLocation"]["uri"])
        for res in sarif_run["results"]
        for loc in res["locations"]
    }
    assert {("SES104", "mail/rule.yaml"), ("SES002", "mail/rule.yaml")} <= found
    assert {uri for _, uri in found} == {"mail/rule.yaml"}  # the clean files have no results
    # "the second run reads the result cache, in ~/.cache/ses-lsp/"
    assert list((runner.base / "cache" / "ses-lsp").rglob("results.jsonl"))


def test_sarif_step_fails_on_a_bad_path(sarif_job):
    """The doc: exit 2 (a bad path or configuration) still fails the step."""
    runner, _ = sarif_job
    empty = runner.base / "no-mail"
    empty.mkdir()
    proc = runner.step(_lint_steps(SARIF_WORKFLOW)[0], cwd=empty)
    assert proc.returncode != 0, _output(proc)
    assert "mail/" in proc.stderr and "Traceback" not in proc.stderr, _output(proc)


def test_annotations_workflow(annotations_job):
    runner, results = annotations_job
    steps = _steps(ANNOTATIONS_WORKFLOW)
    _ran_to_the_end(steps, results)
    lint = results[-1]
    assert lint.returncode == 1, _output(lint)  # the step fails: there are errors
    # The annotation the doc shows, exactly as printed (one workflow command a diagnostic).
    (shown,) = re.findall(r"```text\n(::error [^\n]*)\n```", DOC.read_text(encoding="utf-8"))
    lines = lint.stdout.splitlines()
    assert shown in lines, _output(lint)
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines), _output(lint)


def test_annotations_step_passes_on_clean_files(annotations_job):
    runner, _ = annotations_job
    clean = runner.base / "clean"
    for path in CLEAN:
        (clean / "mail").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, clean / "mail" / f"{path.parent.name}-{path.name}")
    proc = runner.step(_lint_steps(ANNOTATIONS_WORKFLOW)[-1], cwd=clean)
    assert proc.returncode == 0, _output(proc)
    assert "::error" not in proc.stdout, _output(proc)


# -- the diff workflow ---------------------------------------------------------------------


def _stop_billing(mail: Path) -> None:
    """The pull request the doc shows: billing mail no longer reaches the catch-all."""
    path = mail / "rule-set.yaml"
    text = path.read_text(encoding="utf-8")
    line = "      - S3Action: {BucketName: example-billing-mail, ObjectKeyPrefix: billing/}\n"
    assert line in text
    path.write_text(text.replace(line, line + "      - StopAction: {Scope: RuleSet}\n"), encoding="utf-8")


def _rename_bucket(mail: Path) -> None:
    """A pull request that changes nothing for mail: an action's bucket name."""
    path = mail / "rule-set.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("example-inbound-mail", "example-inbound-archive"))


def _break_rules(mail: Path) -> None:
    (mail / "rule-set.yaml").write_text("Rules: [\n", encoding="utf-8")


def _pull_request(checkout: Path, env: dict, change) -> None:
    """``checkout`` (holding ``mail/``) becomes a repository whose ``origin/main`` is what it holds and
    whose branch ``pr``, checked out, makes ``change``."""
    git(["init", "-q", "-b", "main"], checkout, env)
    git(["add", "."], checkout, env)
    git(["commit", "-q", "-m", "the rules"], checkout, env)
    git(["update-ref", "refs/remotes/origin/main", "HEAD"], checkout, env)
    git(["checkout", "-q", "-b", "pr"], checkout, env)
    change(checkout / "mail")
    git(["commit", "-q", "-am", "the pull request"], checkout, env)


DIFF_FILES = [(EXAMPLE / "rule-set.yaml", "mail/rule-set.yaml"), (EXAMPLE / "filters.json", "mail/filters.json")]


@pytest.fixture(scope="module")
def diff_job(tmp_path_factory, repo_snapshot):
    base = tmp_path_factory.mktemp("gha-diff")
    runner = Runner(base, repo_snapshot, DIFF_FILES)
    _pull_request(runner.checkout, runner.env, _stop_billing)
    summary = base / "step-summary.md"
    summary.touch()  # (the runner creates the file; steps append to it)
    runner.env.update(GITHUB_BASE_REF="main", GITHUB_STEP_SUMMARY=str(summary))
    return runner, runner.job(DIFF_WORKFLOW)


def _summary_step() -> dict:
    return next(s for s in _steps(DIFF_WORKFLOW) if "GITHUB_STEP_SUMMARY" in s.get("run", ""))


def test_diff_workflow_writes_the_summary_the_doc_shows(diff_job):
    runner, results = diff_job
    steps = _steps(DIFF_WORKFLOW)
    checkout = next(s for s in steps if _uses(s) == "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0, "git:origin/<base> needs the base branch fetched"
    _ran_to_the_end(steps, results)
    # The step appended from the doc's next block fails: some mail changes outcome.
    assert results[-1].returncode == 1, _output(results[-1])
    (shown,) = re.findall(r"```text\n(SES classic:.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)
    summary = Path(runner.env["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    words, picture = summary.split("~~~\n```mermaid\n", 1)
    assert words + "~~~\n" == f"## What this pull request changes for mail\n~~~text\n{shown}~~~\n"
    # then the picture (ses-lsp diff --format markdown): a class node per change, before and after
    assert picture.startswith("flowchart TD\n") and picture.endswith("```\n"), picture
    assert picture.count('|"before"|') == picture.count('|"after"|') == shown.count("\n  before: ")


@pytest.mark.parametrize("change", [_rename_bucket, _break_rules])
def test_diff_workflow_on_other_pull_requests(diff_job, tmp_path, change):
    runner, _ = diff_job
    checkout = tmp_path / "checkout"
    for src, name in DIFF_FILES:
        (checkout / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, checkout / name)
    _pull_request(checkout, runner.env, change)
    summary = tmp_path / "step-summary.md"
    env = {**runner.env, "GITHUB_STEP_SUMMARY": str(summary)}
    steps = _steps(DIFF_WORKFLOW)
    last = [s for s in steps if "run" in s and "pip install" not in s["run"]]
    assert last[0] is _summary_step() and len(last) == 2
    procs = [run(["bash", "-e", "-c", s["run"]], timeout=STEP_TIMEOUT, cwd=checkout, env=env) for s in last]
    text = summary.read_text(encoding="utf-8")
    if change is _rename_bucket:
        assert [p.returncode for p in procs] == [0, 0], [_output(p) for p in procs]
        assert "\nNo mail changes outcome (16 classes of mail checked).\n~~~\n```mermaid\n" in text, text
        assert text.endswith('(["No mail changes outcome<br/>16 classes of mail checked"])\n```\n'), text
    else:  # exit 2 fails the step (and the check), with the reason in the log
        assert procs[0].returncode != 0 and procs[1].returncode == 2, [_output(p) for p in procs]
        # (a file that does not parse, met by a directory walk, is not taken for a rule set)
        assert "NEW holds no rule set" in procs[0].stderr, _output(procs[0])
        assert "Traceback" not in procs[0].stderr
