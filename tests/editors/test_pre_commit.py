"""The pre-commit hook (``.pre-commit-hooks.yaml``) run by real pre-commit, from the README's
``.pre-commit-config.yaml`` snippet as written.

pre-commit clones the hook repository at the snippet's ``rev`` and builds the hook's virtualenv
with ``pip install`` of it (the project's dependencies come from the package index, as for any
user). Tests reach no network: the snippet's repository URL is pointed at conftest's
``repo_snapshot``, a local commit of the work tree with the refs GitHub has: branch ``main``,
and tag ``v<version>`` once the version is released. Nothing else in the snippet changes.
"""

from __future__ import annotations

import shutil
import sys

import pytest
import yaml
from editor_tools import REPO, git, git_env, released_version, run

GOOD = REPO / "examples" / "classic" / "create-rule.yaml"
GOOD_JSON = REPO / "examples" / "classic" / "rule-set.json"
BAD = REPO / "examples" / "classic" / "broken-rule.yaml"
INSTALL_TIMEOUT = 300  # a run with a new rev clones the repository and builds the hook's virtualenv


def _pre_commit() -> list[str]:
    try:
        import pre_commit  # noqa: F401
    except ImportError:
        pytest.fail("pre-commit is not installed: pip install -e '.[test]' (the test extra carries it)", pytrace=False)
    return [sys.executable, "-m", "pre_commit"]


def test_hook_definition():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list) and len(hooks) == 1
    hook = hooks[0]
    assert hook["id"] == "ses-lsp"
    assert hook["name"]
    assert hook["entry"] == "ses-lsp lint --skip-unrecognised"
    assert hook["language"] == "python"
    assert hook["types_or"] == ["json", "yaml"]
    assert hook.get("pass_filenames", True) is True
    assert hook["require_serial"] is False


def _readme_snippet() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### pre-commit", 1)[1]
    return section.split("```yaml", 1)[1].split("```", 1)[0]


@pytest.fixture(scope="module")
def hook_run(tmp_path_factory, repo_snapshot):
    """``pre-commit run`` in a repository of rule files, with a .pre-commit-config.yaml made from
    the README's snippet: its repository URL pointed at the snapshot, its ``rev`` as written
    unless a test gives another."""
    pre_commit = _pre_commit()
    base = tmp_path_factory.mktemp("pre-commit")
    env = git_env()
    env["PRE_COMMIT_HOME"] = str(base / "cache")  # never the user's ~/.cache/pre-commit

    snippet = _readme_snippet()
    (repo,) = yaml.safe_load(snippet)["repos"]
    assert repo["repo"].startswith("https://") and [h["id"] for h in repo["hooks"]] == ["ses-lsp"], snippet
    # The README shows `rev: main` until a release is tagged, then the release's tag (RELEASING.md).
    refs = ["main"] + [f"v{v}" for v in filter(None, [released_version()])]
    assert repo["rev"] in refs, f"the README's rev {repo['rev']!r} names no ref that exists; expected one of {refs}"

    target = base / "target"
    (target / "mail").mkdir(parents=True)
    shutil.copyfile(GOOD, target / "mail" / "good.yaml")
    shutil.copyfile(GOOD_JSON, target / "mail" / "good.json")
    shutil.copyfile(BAD, target / "mail" / "bad.yaml")
    (target / "README.md").write_text("not checked: neither JSON nor YAML\n")
    (target / "package.json").write_text('{"name": "mail-rules", "private": true}\n')
    git(["init", "-q", "-b", "main"], target, env)
    git(["add", "-A"], target, env)

    def run_snippet(*files: str, rev: str | None = None):
        config = snippet.replace(repo["repo"], str(repo_snapshot))
        if rev is not None:
            config = config.replace(f"rev: {repo['rev']}", f"rev: {rev}")
            assert f"rev: {rev}" in config
        (target / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
        git(["add", ".pre-commit-config.yaml"], target, env)  # committed, as users do
        return run(
            [*pre_commit, "run", "ses-lsp", "--color", "never", "--verbose", "--files", *files],
            timeout=INSTALL_TIMEOUT,
            cwd=target,
            env=env,
        )

    return run_snippet


def _output(proc) -> str:
    return proc.stdout + proc.stderr


def test_readme_snippet_as_written(hook_run):
    """The README's .pre-commit-config.yaml, as written (only the repository URL is local): a
    broken rule file fails the hook with ses-lsp's diagnostics; the clean files and the JSON file
    that is not an SES document pass through."""
    proc = hook_run("mail/good.yaml", "mail/bad.yaml", "package.json", "README.md")
    out = _output(proc)
    assert proc.returncode == 1, out
    assert "Failed" in out, out
    # ses-lsp's own text output, with positions of the example's marked lines.
    lines = BAD.read_text(encoding="utf-8").splitlines()
    tls = next(i for i, line in enumerate(lines) if "TlsPolicy: required" in line)
    col = lines[tls].index("required")
    assert f"mail/bad.yaml:{tls + 1}:{col + 1}: error:" in out, out
    assert "[SES104 invalid-enum-value]" in out, out
    assert "[SES002 duplicate-key]" in out, out
    assert "mail/good.yaml:" not in out, out
    # A JSON file that is not an SES document, named by pre-commit, is skipped (--skip-unrecognised)
    # instead of getting SES003; README.md is neither JSON nor YAML: ses-lsp never sees it.
    assert "package.json" not in out and "SES003" not in out and "README.md" not in out, out


@pytest.mark.packaging  # the as-written run covers the test environment's pre-commit version
def test_readme_snippet_pinned_to_a_commit(hook_run, repo_snapshot):
    """The README's advice: put a commit SHA in ``rev`` to pin one. Clean files pass."""
    sha = git(["rev-parse", "HEAD"], repo_snapshot, git_env()).strip()
    proc = hook_run("mail/good.yaml", "mail/good.json", "README.md", "package.json", rev=sha)
    out = _output(proc)
    assert proc.returncode == 0, out
    assert "Passed" in out, out
    assert "Failed" not in out and "SES003" not in out, out
