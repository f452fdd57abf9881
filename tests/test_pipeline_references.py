"""References across the Mail Manager pipeline (SES708, ses_lsp.lint.workspace): the CLI over the
files of a run, the silence rules, and go-to-definition (the navigation function and the server)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ses_lsp.document.document import Document
from ses_lsp.editor.navigation import Workspace, definitions
from ses_lsp.lint.kinds import detect_kind

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "mailmanager" / "pipeline"
BROKEN = REPO / "tests" / "fixtures" / "pipeline-broken"
EXPECTED = REPO / "tests" / "fixtures" / "pipeline-broken.expected"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    for var in ("GITHUB_ACTIONS", "SES_LSP_CACHE_DIR"):
        env.pop(var, None)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "ses_lsp", "lint", "--no-cache", "--format", "json", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def rendered(items: list[dict]) -> str:
    lines = []
    for d in items:
        lines.append(f"{d['file']}:{d['start']['line']}:{d['start']['column']}: {d['code']}: {d['message']}")
        lines += [
            f"    note {r['file']}:{r['start']['line']}:{r['start']['column']}: {r['message']}" for r in d["related"]
        ]
        if d["fix"]:
            lines.append(f"    fix{'' if d['fix']['safe'] else ' (unsafe)'}: {d['fix']['title']}")
    return "\n".join(lines) + "\n"


def test_the_example_pipeline_is_clean():
    r = cli(".", cwd=EXAMPLE)
    assert r.returncode == 0, r.stdout + r.stderr
    assert json.loads(r.stdout) == []


def test_broken_references_are_reported_with_the_definition():
    r = cli(".", cwd=BROKEN)
    assert r.returncode == 0, r.stderr  # warnings only
    got = rendered(json.loads(r.stdout))
    if os.environ.get("SES_LSP_UPDATE_GOLDEN") == "1":
        EXPECTED.write_text(got, encoding="utf-8")
    assert got == EXPECTED.read_text(encoding="utf-8")
    # each kind of mistake is there: a typo, a name for an ID, an unknown ARN, a by-name TargetArchive resolves
    assert got.count("SES708") == 5 and "TargetArchive" not in got


def test_silent_without_the_definitions(tmp_path):
    for name in ("ingress-point.yaml", "rule-set.yaml", "traffic-policy.yaml"):
        shutil.copy(BROKEN / name, tmp_path / name)
    items = json.loads(cli(".", cwd=tmp_path).stdout)
    # the traffic policy's ID is mistyped, the rule set named by its name; the relay, archive and
    # address list files are not in the run: their references are not judged
    assert [(d["file"], d["code"]) for d in items] == [("ingress-point.yaml", "SES708")] * 2
    # one file alone: nothing to compare with
    assert json.loads(cli("ingress-point.yaml", cwd=tmp_path).stdout) == []


def test_root_resolves_against_the_repository(tmp_path):
    for name in os.listdir(BROKEN):
        shutil.copy(BROKEN / name, tmp_path / name)
    # One file linted, the others read from the repository under --root: the same findings as
    # linting them all; with no root, that file alone has nothing to compare with.
    whole = [d for d in json.loads(cli(".", cwd=tmp_path).stdout) if d["file"] == "ingress-point.yaml"]
    alone = json.loads(cli("--root", ".", "ingress-point.yaml", cwd=tmp_path).stdout)
    assert [(d["code"], d["message"]) for d in alone] == [(d["code"], d["message"]) for d in whole]
    assert [d["code"] for d in alone] == ["SES708", "SES708"]
    assert alone[0]["related"][0]["file"] == "traffic-policy.yaml"


def test_a_template_resource_without_a_name_keeps_references_of_its_type_silent(tmp_path):
    for name in os.listdir(BROKEN):
        shutil.copy(BROKEN / name, tmp_path / name)
    before = json.loads(cli(".", cwd=tmp_path).stdout)
    assert any(d["message"].startswith("Relay ") for d in before)
    # A relay the stack creates, named by AWS: it may be the one the ARN names.
    (tmp_path / "stack.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n  Smarthost:\n"
        "    Type: AWS::SES::MailManagerRelay\n    Properties:\n      ServerName: smtp.corp.example.com\n"
        "      ServerPort: 587\n      Authentication: {NoAuthentication: {}}\n"
    )
    after = json.loads(cli(".", cwd=tmp_path).stdout)
    assert not any(d["message"].startswith("Relay ") for d in after)
    assert len(after) == len(before) - 1


def test_a_definition_without_an_id_keeps_references_of_its_type_silent(tmp_path):
    for name in os.listdir(BROKEN):
        shutil.copy(BROKEN / name, tmp_path / name)
    # a relay and a traffic policy about to be created: AWS assigns their IDs, which may be the ones named
    (tmp_path / "new-relay.yaml").write_text(
        "RelayName: backup-smarthost\nServerName: smtp2.corp.example.com\nServerPort: 587\n"
        "Authentication: {NoAuthentication: {}}\n"
    )
    (tmp_path / "new-policy.yaml").write_text(
        "TrafficPolicyName: new-edge\nDefaultAction: ALLOW\nPolicyStatements:\n  - Action: DENY\n    Conditions:\n"
        "      - IpExpression: {Evaluate: {Attribute: SENDER_IP}, Operator: CIDR_MATCHES, Values: [192.0.2.0/24]}\n"
    )
    items = json.loads(cli(".", cwd=tmp_path).stdout)
    messages = [d["message"] for d in items if d["code"] == "SES708"]
    assert not any(m.startswith("Relay ") or m.startswith("TrafficPolicyId ") for m in messages)
    assert any(m.startswith('RuleSetId "inbound-rules" is the name') for m in messages)  # still a name, not an ID


def _doc(path: Path) -> tuple[str, Document, str | None]:
    doc = Document(path.read_text(encoding="utf-8"), str(path))
    return path.as_uri(), doc, detect_kind(doc.root)


@pytest.mark.parametrize(
    "source, needle, target, at",
    [
        ("ingress-point.yaml", "rs-0123456789abcdef", "rule-set.yaml", "rs-0123456789abcdef"),
        ("ingress-point.yaml", "tp-0123456789abcdef", "traffic-policy.yaml", "tp-0123456789abcdef"),
        ("rule-set.yaml", "r-0123456789abcdef", "relay.yaml", "r-0123456789abcdef"),
        ("rule-set.yaml", "a-1234567890abcdef", "archive.json", '"a-1234567890abcdef"'),
        ("rule-set.yaml", "al-0123456789abcdef", "address-list.json", '"al-0123456789abcdef"'),
        ("traffic-policy.yaml", "arn:aws:ses", "address-list.json", '"al-0123456789abcdef"'),
    ],
)
def test_go_to_definition_follows_every_reference(source, needle, target, at):
    entries = [_doc(EXAMPLE / name) for name in sorted(os.listdir(EXAMPLE))]
    uri, doc, kind = next(e for e in entries if e[0].endswith("/" + source))
    found = definitions(doc, kind, doc.text.index(needle) + 2, uri, Workspace(entries))
    assert len(found) == 1
    (occ,) = found
    assert occ.uri == (EXAMPLE / target).as_uri()
    text = (EXAMPLE / target).read_text(encoding="utf-8")
    assert (occ.start, occ.end) == (text.index(at), text.index(at) + len(at))
