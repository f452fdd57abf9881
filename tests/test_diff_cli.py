"""``ses-lsp diff OLD NEW``, run as a real process: files, directories, a real git repository."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from test_cli import REPO, no_traceback, run, write

EXAMPLES = REPO / "examples" / "simulate"
CLASSIC = EXAMPLES / "classic"
MM = EXAMPLES / "mailmanager"


def diff(*args: str | Path, cwd: Path = EXAMPLES):
    return run(["diff", *map(str, args)], cwd)


def simulate_json(rules: Path, mail: dict, tmp: Path, cwd: Path) -> dict:
    """The real ``simulate`` of a witness mail, written as a scenario file."""
    scenario = write(tmp, f"witness-{abs(hash(json.dumps(mail, sort_keys=True)))}.yaml", yaml.safe_dump(mail))
    p = run(["simulate", str(rules), "--mail", str(scenario), "--format", "json"], cwd)
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)


def contract(trace: dict) -> list[tuple]:
    """The per-recipient keys the diff compares, as ``simulate --format json`` gives them."""
    out = []
    for r in trace["recipients"]:
        stop = r["stopped_by"]
        out.append(
            (
                r["accepted"],
                r["outcome"],
                r["rules"],
                [(a["rule"], a["index"], a["type"], a.get("recipients")) for a in r["actions"]],
                (stop["rule"], stop["index"], stop["type"]) if stop else None,
            )
        )
    return out


def test_the_worked_example_as_text():
    p = diff("classic/rule-set.yaml", "proposed/rule-set.yaml")
    assert p.returncode == 1, p.stderr
    assert p.stderr == ""
    blocks = p.stdout.split("\n\n")
    assert blocks[0].splitlines() == [
        "SES classic: classic/rule-set.yaml -> proposed/rule-set.yaml",
        "4 classes of mail change outcome (11 classes of mail checked):",
    ]
    assert blocks[1].splitlines() == [
        "mail to billing@example.com, when invoice-filter returns CONTINUE: before, LambdaAction and S3Action in rule "
        '"billing", then S3Action in rule "catch-all"; after, no longer S3Action in rule "catch-all", stopped by '
        'StopAction in rule "billing"',
        '  before: delivered: LambdaAction and S3Action in rule "billing", then S3Action in rule "catch-all"',
        '  after:  delivered: LambdaAction and S3Action in rule "billing", stopped by StopAction in rule "billing"',
        '  witness: {"Recipients": ["billing@example.com"]}',
    ]
    assert blocks[3].splitlines()[0] == (
        'mail to any other address at example.com: before, S3Action in rule "catch-all"; after, also LambdaAction '
        'in rule "catch-all"'
    )
    # The CEO's mail (and mail the filters refuse) is not affected: never reported.
    assert "ceo@" not in p.stdout


def test_no_difference_exits_0():
    p = diff("classic/rule-set.yaml", "classic/rule-set.yaml")
    assert p.returncode == 0, p.stderr
    assert p.stdout.splitlines() == [
        "SES classic: classic/rule-set.yaml -> classic/rule-set.yaml",
        "No mail changes outcome (11 classes of mail checked).",
    ]


def test_json_contract_and_every_witness_differs_under_simulate(tmp_path):
    """Directories (rule set and IP filters); each witness, run through the real `simulate` under
    both versions, has different traces, and the JSON carries what simulate says."""
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(CLASSIC, old)
    shutil.copytree(CLASSIC, new)
    shutil.copyfile(EXAMPLES / "proposed" / "rule-set.yaml", new / "rule-set.yaml")
    filters = json.loads((CLASSIC / "filters.json").read_text())
    filters["Filters"].insert(1, {"Name": "block-more", "IpFilter": {"Policy": "Block", "Cidr": "198.51.100.0/25"}})
    (new / "filters.json").write_text(json.dumps(filters))
    p = diff("old", "new", "--format", "json", cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    doc = json.loads(p.stdout)
    assert doc["service"] == "ses"
    assert doc["old"] == ["old/rule-set.yaml", "old/filters.json"]
    assert doc["new"] == ["new/rule-set.yaml", "new/filters.json"]
    assert doc["changed"] is True and doc["exhaustive"] is True and doc["notes"] == []
    assert doc["classes"] >= len(doc["differences"]) and doc["mails"] >= doc["classes"] // 3
    classes = [d["class"] for d in doc["differences"]]
    # (on SES's block list, that mail is refused before and after)
    assert classes[0] == "mail from 198.51.100.0/25, not on the SES block list"
    assert "mail to any other address at example.com" in classes
    first = doc["differences"][0]
    assert first["dimensions"] == {
        "source IP": "from 198.51.100.0/25",
        "SES block list": "not on the SES block list",
    }
    assert first["mail"] == {"Recipients": ["ceo@example.com"], "SourceIp": "198.51.100.0"}
    assert first["after"]["connection"]["accepted"] is False
    assert first["after"]["connection"]["decided_by"]["file"] == "new/filters.json"
    assert first["after"]["recipient"]["outcome"] == "blocked"
    for d in doc["differences"]:
        assert set(d) == {"class", "dimensions", "summary", "mail", "before", "after"}
        assert d["summary"].startswith("before, ") and "; after, " in d["summary"]
        before = simulate_json(old, d["mail"], tmp_path, tmp_path)
        after = simulate_json(new, d["mail"], tmp_path, tmp_path)
        assert contract(before) != contract(after), d["class"]
        for side, trace in (("before", before), ("after", after)):
            mine = dict(d[side]["recipient"])
            theirs = {k: v for k, v in trace["recipients"][0].items() if k != "considered"}
            assert mine == theirs, (d["class"], side)
            assert d[side]["connection"] == trace["connection"]


def test_mail_manager(tmp_path):
    new = tmp_path / "new"
    shutil.copytree(MM, new)
    doc = yaml.safe_load((MM / "rule-set.yaml").read_text())
    doc["Rules"][0]["Conditions"][1]["DmarcExpression"]["Values"] = ["REJECT", "QUARANTINE"]
    (new / "rule-set.yaml").write_text(yaml.safe_dump(doc))
    p = diff(MM, new, "--format", "json", cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    out = json.loads(p.stdout)
    assert out["service"] == "mailmanager" and out["exhaustive"] is True
    (d,) = out["differences"]
    assert d["dimensions"]["DMARC policy"] == "with DMARC policy QUARANTINE"
    assert d["dimensions"]["SPF"] == "with SPF FAIL"
    assert d["mail"] == {
        "Recipients": ["someone@example.com"],
        "DmarcPolicy": "QUARANTINE",
        "Verdicts": {"Spf": "FAIL"},
    }
    assert d["before"]["recipient"]["outcome"] == "delivered"
    assert d["after"]["recipient"]["stopped_by"]["type"] == "Drop"
    before = simulate_json(MM, d["mail"], tmp_path, tmp_path)
    after = simulate_json(new, d["mail"], tmp_path, tmp_path)
    assert contract(before) != contract(after)
    same = diff(MM, MM, cwd=tmp_path)
    assert same.returncode == 0 and same.stdout.endswith("classes of mail checked).\n"), same.stdout


# -- git -----------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
        "HOME": str(repo.parent),
    }
    p = subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True)
    return p.stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository whose second commit is the proposed change of the worked example."""
    root = tmp_path / "repo"
    (root / "mail").mkdir(parents=True)
    for name in ("rule-set.yaml", "filters.json", "inbound.routing.yaml", "mail.yaml", "invoice.eml"):
        shutil.copyfile(CLASSIC / name, root / "mail" / name)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the rules")
    shutil.copyfile(EXAMPLES / "proposed" / "rule-set.yaml", root / "mail" / "rule-set.yaml")
    git(root, "commit", "-q", "-am", "the change")
    return root


def test_git_revisions(repo):
    # git:REV with no path: the other side's path (a directory here), at that revision
    p = diff("git:HEAD~1", "mail", cwd=repo)
    assert p.returncode == 1, p.stderr
    assert p.stdout.splitlines()[:2] == [
        "SES classic: git:HEAD~1:mail/rule-set.yaml, git:HEAD~1:mail/filters.json -> mail/rule-set.yaml, "
        "mail/filters.json",
        "4 classes of mail change outcome (16 classes of mail checked):",
    ]
    # both sides in git, and the same answer as from the work tree
    both = diff("git:HEAD~1", "git:HEAD:mail", cwd=repo)
    assert both.returncode == 1, both.stderr
    assert both.stdout.split("\n", 1)[1] == p.stdout.split("\n", 1)[1]
    # a file path, relative to the current directory as for any path argument
    one = diff("git:HEAD~1:rule-set.yaml", "rule-set.yaml", "--format", "json", cwd=repo / "mail")
    assert one.returncode == 1, one.stderr
    assert json.loads(one.stdout)["old"] == ["git:HEAD~1:mail/rule-set.yaml"]
    # the work tree as committed: nothing changes
    same = diff("git:HEAD", ".", cwd=repo)
    assert same.returncode == 0, same.stderr
    assert same.stdout.splitlines()[-1].startswith("No mail changes outcome")
    # a change not yet committed is seen
    text = (repo / "mail" / "rule-set.yaml").read_text().replace("Enabled: true", "Enabled: false", 1)
    (repo / "mail" / "rule-set.yaml").write_text(text)
    dirty = diff("git:HEAD", ".", cwd=repo)
    assert dirty.returncode == 1 and "mail to ceo@example.com" in dirty.stdout, dirty.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("git:nope", "mail"), "OLD: git:nope: not a revision of the repository at"),
        (("git:HEAD:nothere", "mail"), "OLD: git:HEAD has no file at 'nothere'"),
        (("git:HEAD", "git:HEAD~1"), "OLD and the other side are both git:REV without a path"),
        (("git:", "mail"), "'git:': name a revision after 'git:'"),
        (("git:--help", "mail"), "a revision does not start with '-'"),
        (("mail", "missing"), "missing"),
    ],
)
def test_input_errors(repo, args, message):
    p = diff(*args, cwd=repo)
    assert p.returncode == 2, p.stdout
    assert message in p.stderr, p.stderr
    no_traceback(p)


def test_input_errors_outside_git(tmp_path):
    p = diff("git:HEAD", CLASSIC, cwd=tmp_path)
    assert p.returncode == 2 and "git rev-parse:" in p.stderr, p.stderr
    no_traceback(p)


def test_services_must_match_and_documents_must_parse(tmp_path):
    p = diff(CLASSIC / "rule-set.yaml", MM / "rule-set.yaml", cwd=tmp_path)
    assert p.returncode == 2
    assert "is an SES classic rule set and NEW" in p.stderr and "a Mail Manager one" in p.stderr, p.stderr
    broken = write(tmp_path, "broken.yaml", "Rules: [\n")
    p = diff(CLASSIC / "rule-set.yaml", broken, cwd=tmp_path)
    assert p.returncode == 2
    assert "broken.yaml cannot be read as a document" in p.stderr, p.stderr
    scenario = diff(CLASSIC / "rule-set.yaml", CLASSIC / "mail.yaml", cwd=tmp_path)
    assert scenario.returncode == 2 and "is a scenario (a mail)" in scenario.stderr, scenario.stderr
    usage = diff(CLASSIC / "rule-set.yaml", cwd=tmp_path)
    assert usage.returncode == 2 and "NEW" in usage.stderr


def test_the_readme_example_is_the_real_output():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    m = re.search(r"```console\n\$ (ses-lsp diff [^\n]*)\n(.*?)```", readme, re.S)
    assert m is not None, "README has no diff example"
    command, shown = m.group(1), m.group(2)
    p = run(command.split()[1:], EXAMPLES)
    assert p.returncode == 1, p.stderr
    assert p.stdout == shown
    # The change the README shows is the change between the two files.
    (block,) = re.findall(r"```diff\n(.*?)```", readme, re.S)
    old = (CLASSIC / "rule-set.yaml").read_text().splitlines()
    new = (EXAMPLES / "proposed" / "rule-set.yaml").read_text().splitlines()
    added = [line[1:] for line in block.splitlines() if line.startswith("+")]
    real = [line[1:] for line in difflib.ndiff(old, new) if line.startswith("+ ") and not line[2:].startswith("#")]
    assert added == [line[1:] for line in real]
    for line in block.splitlines():
        if line.startswith(" ") and line.strip() != "...":
            assert line[1:] in old and line[1:] in new, line


def test_other_commands_do_not_load_the_diff():
    code = (
        "import sys; from ses_lsp.cli import main; main(['rules']); "
        "bad = [m for m in ('ses_lsp.semantic_diff', 'ses_lsp.semantics.diff') if m in sys.modules]; "
        "sys.stderr.write(repr(bad))"
    )
    p = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert p.stderr.strip() == "[]"


def test_a_side_holds_one_pipeline(tmp_path):
    two = tmp_path / "two"
    two.mkdir()
    shutil.copyfile(CLASSIC / "rule-set.yaml", two / "a.yaml")
    shutil.copyfile(EXAMPLES / "proposed" / "rule-set.yaml", two / "b.yaml")
    p = diff(CLASSIC / "rule-set.yaml", "two", cwd=tmp_path)
    assert p.returncode == 2
    assert "NEW holds 2 rule sets (two/a.yaml, two/b.yaml); each side of a diff is one: name one of them" in p.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    p = diff("empty", CLASSIC / "rule-set.yaml", cwd=tmp_path)
    assert p.returncode == 2 and "OLD holds no rule set" in p.stderr, p.stderr


def test_documents_with_errors_are_compared_as_written(tmp_path):
    text = (CLASSIC / "rule-set.yaml").read_text().replace("TlsPolicy: Require", "TlsPolicy: required")
    bad = write(tmp_path, "bad.yaml", text)
    p = diff(CLASSIC / "rule-set.yaml", bad, cwd=tmp_path)
    assert p.returncode == 1, p.stderr
    assert p.stderr.startswith(
        "note: bad.yaml has 1 error (`ses-lsp lint bad.yaml` shows them); it is compared as written"
    )
    # ("required" is not "Require": the ceo rule no longer bounces mail without TLS)
    assert p.stdout.splitlines()[1:4] == [
        "1 class of mail changes outcome (11 classes of mail checked):",
        "",
        'mail to ceo@example.com, without TLS: before, no action runs, bounced by rule "ceo" (TlsPolicy: Require, '
        'no TLS); after, S3Action in rule "ceo", stopped by StopAction in rule "ceo", delivered instead of bounced',
    ]


def test_mermaid_draws_each_class_with_both_outcomes():
    from test_graph_cli import chart

    data = json.loads(diff("classic", "proposed", "--format", "json").stdout)
    p = diff("classic", "proposed", "--format", "mermaid")
    assert p.returncode == 1, p.stderr
    nodes, edges = chart(p.stdout)
    classes = sorted(i for i in nodes if re.fullmatch(r"C\d+", i))
    assert len(classes) == len(data["differences"]) > 0
    for i, d in zip(sorted(classes, key=lambda c: int(c[1:])), data["differences"], strict=True):
        shape, text = nodes[i]
        assert shape == "decision" and text.startswith(d["class"][:40].replace('"', "#quot;"))
        assert ("DIFF", i, "", False) in edges
        for side, key in (("B", "before"), ("A", "after")):
            assert (i, i + side, key, False) in edges
            assert nodes[i + side][1].startswith(d[key]["recipient"]["outcome"])
    # markdown: the same chart, fenced for GitHub
    md = diff("classic", "proposed", "--format", "markdown")
    assert md.returncode == 1 and md.stdout == f"```mermaid\n{p.stdout}```\n"
    # no difference: one node that says so
    same = diff("classic", "classic", "--format", "mermaid")
    assert same.returncode == 0, same.stderr
    nodes, edges = chart(same.stdout)
    assert list(nodes) == ["SAME"] and not edges and nodes["SAME"][1].startswith("No mail changes outcome")
