"""The pre-commit hook (``.pre-commit-hooks.yaml``) run by real pre-commit.

``pre-commit try-repo`` installs a hook repository at a commit: the repository's HEAD, or, when
tracked files have uncommitted changes, a temporary commit of those changes only (untracked
files, a new hook file among them, are left out). So the test does not point it at this
checkout: it makes a one-commit snapshot of the work tree as it is (tracked and untracked files,
minus what .gitignore excludes) and runs ``try-repo`` on that. pre-commit then builds the hook's
virtualenv with ``pip install`` of the snapshot (the project's dependencies come from the
package index, as for any user).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from editor_tools import REPO, run

GOOD = REPO / "examples" / "classic" / "create-rule.yaml"
GOOD_JSON = REPO / "examples" / "classic" / "rule-set.json"
BAD = REPO / "examples" / "classic" / "broken-rule.yaml"
INSTALL_TIMEOUT = 300  # each try-repo run builds the hook's virtualenv


def _git_env() -> dict:
    # No GIT_DIR & co. from a calling hook, no user or system git config (signing, hooks).
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="test",
        GIT_AUTHOR_EMAIL="test@example.invalid",
        GIT_COMMITTER_NAME="test",
        GIT_COMMITTER_EMAIL="test@example.invalid",
        GIT_CONFIG_NOSYSTEM="1",
        GIT_CONFIG_GLOBAL=os.devnull,
        NO_COLOR="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return env


def _git(args: list[str], cwd: Path, env: dict) -> str:
    git = shutil.which("git")
    if git is None:
        pytest.fail("git is not installed (pre-commit needs it)", pytrace=False)
    return run([git, *args], timeout=120, cwd=cwd, env=env, check=True).stdout


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


@pytest.fixture(scope="module")
def hook_run(tmp_path_factory):
    pre_commit = _pre_commit()
    base = tmp_path_factory.mktemp("pre-commit")
    env = _git_env()
    env["PRE_COMMIT_HOME"] = str(base / "cache")  # never the user's ~/.cache/pre-commit

    # A committed snapshot of the work tree as it is now.
    snapshot = base / "snapshot"
    snapshot.mkdir()
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        timeout=120,
        check=True,
    ).stdout
    copied = 0
    for name in filter(None, listed.decode("utf-8", "surrogateescape").split("\0")):
        src = REPO / name
        if not src.is_file():  # deleted in the work tree, or a submodule
            continue
        dst = snapshot / name
        dst.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, dst)
        copied += 1
    assert (snapshot / ".pre-commit-hooks.yaml").is_file() and copied > 10
    _git(["init", "-q", "-b", "main"], snapshot, env)
    _git(["add", "-A"], snapshot, env)
    _git(["commit", "-q", "--no-verify", "-m", "snapshot"], snapshot, env)

    # The repository the hook runs in.
    target = base / "target"
    (target / "mail").mkdir(parents=True)
    shutil.copyfile(GOOD, target / "mail" / "good.yaml")
    shutil.copyfile(GOOD_JSON, target / "mail" / "good.json")
    shutil.copyfile(BAD, target / "mail" / "bad.yaml")
    (target / "README.md").write_text("not checked: neither JSON nor YAML\n")
    (target / "package.json").write_text('{"name": "mail-rules", "private": true}\n')
    _git(["init", "-q", "-b", "main"], target, env)
    _git(["add", "-A"], target, env)

    def try_repo(*files: str):
        # try-repo uses a throw-away store: every run clones the snapshot and builds the hook's
        # virtualenv anew (about 15 s here, mostly pip).
        return run(
            [*pre_commit, "try-repo", str(snapshot), "ses-lsp", "--color", "never", "--verbose", "--files", *files],
            timeout=INSTALL_TIMEOUT,
            cwd=target,
            env=env,
        )

    def run_config(config: str, *files: str):
        """`pre-commit run` in the target with this .pre-commit-config.yaml (committed, as users do)."""
        (target / ".pre-commit-config.yaml").write_text(config, encoding="utf-8")
        _git(["add", ".pre-commit-config.yaml"], target, env)
        return run(
            [*pre_commit, "run", "ses-lsp", "--color", "never", "--verbose", "--files", *files],
            timeout=INSTALL_TIMEOUT,
            cwd=target,
            env=env,
        )

    return {"try_repo": try_repo, "run_config": run_config, "target": target, "snapshot": snapshot}


def _output(proc) -> str:
    return proc.stdout + proc.stderr


def test_passes_on_good_files(hook_run):
    proc = hook_run["try_repo"]("mail/good.yaml", "mail/good.json", "README.md", "package.json")
    out = _output(proc)
    assert proc.returncode == 0, out
    assert "Passed" in out, out
    assert "Failed" not in out, out
    # README.md is neither JSON nor YAML: ses-lsp never sees it; package.json is JSON but not
    # an SES document: --skip-unrecognised skips it instead of reporting SES003.
    assert "SES003" not in out, out


def test_fails_on_bad_file_with_diagnostics(hook_run):
    proc = hook_run["try_repo"]("mail/good.yaml", "mail/bad.yaml", "package.json")
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
    # A JSON file that is not an SES document, named by pre-commit, is skipped.
    assert "package.json" not in out and "SES003" not in out, out


def _readme_snippet() -> str:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### pre-commit", 1)[1]
    return section.split("```yaml", 1)[1].split("```", 1)[0]


def test_readme_snippet_as_written(hook_run):
    """The README's .pre-commit-config.yaml, as written; only the repository URL is pointed at a
    local copy of this repository (whose main branch is the snapshot), since tests do not reach
    the network."""
    snippet = _readme_snippet()
    url = yaml.safe_load(snippet)["repos"][0]["repo"]
    assert url.startswith("https://")
    config = snippet.replace(url, str(hook_run["snapshot"]))
    proc = hook_run["run_config"](config, "mail/good.yaml", "mail/bad.yaml", "package.json")
    out = _output(proc)
    assert proc.returncode == 1, out
    assert "[SES104 invalid-enum-value]" in out and "mail/bad.yaml:" in out, out
    assert "mail/good.yaml:" not in out and "SES003" not in out, out
