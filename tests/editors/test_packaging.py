"""The distributions users install, and the install commands the docs show.

The wheel and the sdist are built as RELEASING.md builds them (``python -m build`` in a clean
clone, then ``twine check``), from conftest's ``repo_snapshot``. The wheel is installed into a
fresh virtual environment, whose ``ses-lsp`` then lints the bundled examples, the rule
documentation's example files and one document over LSP: a file left out of the wheel (a schema,
a rule example) fails here, not for a user.

The sdist carries what builds and installs the package (the ``ses_lsp`` package with its data,
README, LICENSE, CHANGELOG, pyproject.toml), not the test suite: the suite needs the whole
repository (examples/, editors/, docs/, .pre-commit-hooks.yaml, git itself) and runs from a
checkout of the release tag.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tarfile
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
from editor_tools import REPO, fresh_venv, git, git_env, install_from_snapshot, released_version, run
from lsp_stdio import StdioClient
from packaging.requirements import Requirement

import ses_lsp
from ses_lsp.lint.rules import ALL_RULES

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

VERSION = ses_lsp.__version__
WHEEL = f"ses_lsp-{VERSION}-py3-none-any.whl"
SDIST = f"ses_lsp-{VERSION}.tar.gz"
BUILD_TIMEOUT = 600  # an isolated build installs setuptools from the package index
INSTALL_TIMEOUT = 600


# -- one version -------------------------------------------------------------------------------


def test_one_version():
    """``ses_lsp.__version__`` is the version: pyproject.toml reads it, the VS Code extension's
    manifest and lock file say the same, and CHANGELOG.md has its heading."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "version" not in pyproject["project"] and "version" in pyproject["project"]["dynamic"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "ses_lsp.__version__"}
    vscode = REPO / "editors" / "vscode"
    manifest = json.loads((vscode / "package.json").read_text(encoding="utf-8"))
    lock = json.loads((vscode / "package-lock.json").read_text(encoding="utf-8"))
    assert (manifest["version"], lock["version"], lock["packages"][""]["version"]) == (VERSION,) * 3, (
        f"editors/vscode says {manifest['version']} (package-lock.json {lock['version']}), ses_lsp.__version__ "
        f"{VERSION}: set it with `npm version {VERSION} --no-git-tag-version` in editors/vscode (RELEASING.md)"
    )
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## {re.escape(VERSION)}\b", changelog, flags=re.M), f"CHANGELOG.md has no ## {VERSION}"


# -- the install commands in the docs ---------------------------------------------------------

DOCS = ["README.md", "docs/*.md", "editors/*/README.md", ".pre-commit-hooks.yaml"]
# Our repository as a pip requirement, with its ref; a package-index install of ses-lsp (options
# may come first); the pre-commit rev under our repository.
GIT_URL = re.compile(r"git\+https://github\.com/ses-lsp/ses-lsp(?:\.git)?(?:@([^\s\"'`,)]*))?")
INDEX = re.compile(r"\bpipx? install\s+(?:-\S+\s+)*[\"']?ses[-_]lsp(?:\[[^\]]*\])?(?:==([^\s\"'`]*))?(?=[\s\"'`]|$)")
REV = re.compile(r"repo: https://github\.com/ses-lsp/ses-lsp\s+(?:#\s*)?rev: ([^\s#]+)")
TEMPLATE = "X.Y.Z"  # RELEASING.md's name for the next version: shown as a form, not a command


def _unavailable(kind: str, version: str | None, released: str | None) -> str | None:
    """Why a ref (``git``, ``rev``) or a package-index pin (``index``; None: unpinned) names
    nothing that exists today, or None."""
    if kind == "index":
        if version == TEMPLATE:
            return None
        if released is None:
            return "installs from the package index, which has no release yet: install from the repository"
        return None if version in (None, released) else f"pins {version}, not the released {released}"
    refs = ["main", f"v{TEMPLATE}"] + ([f"v{released}"] if released else [])
    if version is None and kind == "git":
        return None  # the default branch
    return None if version in refs else f"names the ref {version!r}, which does not exist (refs: {refs})"


def test_install_commands_in_the_docs_work_today():
    """Every install of ses-lsp the docs show (a pip requirement of the repository, a package-index
    install, a pre-commit ``rev``) names something that exists now: the repository's main branch,
    or, once released (RELEASING.md), the release's tag and package."""
    released = released_version()
    problems, seen = [], 0
    for path in sorted({p for pattern in DOCS for p in REPO.glob(pattern)}):
        text = path.read_text(encoding="utf-8")
        for kind, pattern in (("git", GIT_URL), ("index", INDEX), ("rev", REV)):
            for match in pattern.finditer(text):
                seen += 1
                why = _unavailable(kind, match.group(1), released)
                if why:
                    line = text.count("\n", 0, match.start()) + 1
                    problems.append(f"{path.relative_to(REPO)}:{line}: `{' '.join(match.group(0).split())}` {why}")
    assert not problems, "\n".join(problems)
    assert seen >= 5  # the README's pre-commit snippet, docs/github-actions.md's two workflows, ...


@pytest.mark.packaging
def test_readme_install_command(tmp_path, repo_snapshot):
    """The README's install command (section "Install") in a fresh virtual environment, pointed at
    this repository (editor_tools.install_from_snapshot), gives a working `ses-lsp`."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    (command,) = re.findall(r"```sh\n(.*?)```", readme.split("\n## Install\n", 1)[1].split("\n## ", 1)[0], flags=re.S)
    assert re.fullmatch(r"pipx? install [^\n]*\n", command), command
    bindir = fresh_venv(tmp_path / "venv")
    env = git_env()
    env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    env.pop("VIRTUAL_ENV", None)
    script = install_from_snapshot(command, repo_snapshot)
    run(["bash", "-e", "-c", script], timeout=INSTALL_TIMEOUT, cwd=tmp_path, env=env, check=True)
    shutil.copyfile(REPO / "examples" / "classic" / "broken-rule.yaml", tmp_path / "rule.yaml")
    proc = run(["ses-lsp", "lint", "--no-cache", "rule.yaml"], timeout=120, cwd=tmp_path, env=env)
    assert proc.returncode == 1 and "[SES104 invalid-enum-value]" in proc.stdout, proc.stdout + proc.stderr
    assert shutil.which("ses-lsp", path=env["PATH"]) == str(bindir / "ses-lsp")


# -- the built distributions -------------------------------------------------------------------


@pytest.fixture(scope="module")
def dist(tmp_path_factory, repo_snapshot) -> Path:
    """``python -m build`` in a clean clone (RELEASING.md): the sdist, then the wheel built from it."""
    base = tmp_path_factory.mktemp("dist")
    clone = base / "clone"
    git(["clone", "-q", "--depth", "1", repo_snapshot.as_uri(), str(clone)], base, git_env())
    out = base / "dist"
    run([sys.executable, "-m", "build", "--outdir", str(out), str(clone)], timeout=BUILD_TIMEOUT, check=True)
    assert sorted(p.name for p in out.iterdir()) == sorted([WHEEL, SDIST])
    return out


def _package_files(snapshot: Path) -> set[str]:
    """What the wheel must hold of the package: every file under ses_lsp/ in the repository."""
    return {
        p.relative_to(snapshot).as_posix()
        for p in (snapshot / "ses_lsp").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


@pytest.mark.packaging
def test_twine_check_passes(dist):
    proc = run([sys.executable, "-m", "twine", "check", "--strict", str(dist / WHEEL), str(dist / SDIST)], timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("PASSED") == 2, proc.stdout


@pytest.mark.packaging
def test_wheel_contents(dist, repo_snapshot):
    package = _package_files(repo_snapshot)
    assert {f for f in package if f.endswith((".json", ".yaml"))} >= {
        "ses_lsp/schema/ses.json",
        "ses_lsp/schema/mailmanager.json",
        "ses_lsp/lint/rules/examples/SES104-bad.yaml",
    }
    with zipfile.ZipFile(dist / WHEEL) as whl:
        names = set(whl.namelist())
        info = f"ses_lsp-{VERSION}.dist-info"
        metadata = Parser().parsestr(whl.read(f"{info}/METADATA").decode("utf-8"))
        entry_points = whl.read(f"{info}/entry_points.txt").decode("utf-8")
    assert package <= names, sorted(package - names)[:20]
    assert {n for n in names - package if not n.startswith(f"{info}/")} == set()
    assert f"{info}/licenses/LICENSE" in names
    assert metadata["Name"] == "ses-lsp" and metadata["Version"] == VERSION
    assert metadata["License-Expression"] == "Apache-2.0"
    assert metadata["Requires-Python"] == ">=3.10"
    pyproject = tomllib.loads((repo_snapshot / "pyproject.toml").read_text(encoding="utf-8"))
    runtime = {Requirement(r) for r in metadata.get_all("Requires-Dist") if "extra ==" not in r}
    assert runtime == {Requirement(r) for r in pyproject["project"]["dependencies"]}
    assert "ses-lsp = ses_lsp.cli:entry" in entry_points


@pytest.mark.packaging
def test_sdist_contents(dist, repo_snapshot):
    """What builds the wheel (the wheel fixture is built from this sdist) and the notes; no
    tests (they need the whole repository: see the module's docstring)."""
    root = f"ses_lsp-{VERSION}/"
    with tarfile.open(dist / SDIST) as sdist:
        names = {m.name.removeprefix(root) for m in sdist.getmembers() if m.isfile()}
    assert _package_files(repo_snapshot) <= names
    assert {"pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "PKG-INFO"} <= names
    assert not [n for n in names if n.startswith(("tests/", "examples/", "editors/", "benchmarks/"))]


# -- the wheel installed in a fresh virtual environment --------------------------------------


@pytest.fixture(scope="module")
def installed(tmp_path_factory, dist) -> Path:
    """A fresh virtual environment with only the wheel installed (dependencies from the index)."""
    bindir = fresh_venv(tmp_path_factory.mktemp("wheel-venv") / "venv")
    run(
        [str(bindir / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(dist / WHEEL)],
        timeout=INSTALL_TIMEOUT,
        check=True,
    )
    return bindir


@pytest.fixture
def work(tmp_path) -> Path:
    """A directory outside the repository holding a copy of examples/."""
    shutil.copytree(REPO / "examples", tmp_path / "examples")
    return tmp_path


@pytest.mark.packaging
def test_installed_wheel_lints_the_examples(installed, work):
    """The README's first command, `ses-lsp lint examples/`, from the installed wheel: the same
    results as the repository's code gives."""
    where = run([str(installed / "python"), "-c", "import ses_lsp; print(ses_lsp.__file__)"], timeout=60, cwd=work)
    assert Path(where.stdout.strip()).is_relative_to(installed.parent), where.stdout  # not the checkout
    version = run([str(installed / "ses-lsp"), "--version"], timeout=60, cwd=work, check=True)
    assert version.stdout == f"ses-lsp {VERSION}\n"

    args = ["lint", "examples/", "--format", "json", "--no-cache"]
    got = run([str(installed / "ses-lsp"), *args], timeout=120, cwd=work)
    want = run([sys.executable, "-m", "ses_lsp", *args], timeout=120, cwd=work)
    assert got.returncode == want.returncode == 1, got.stderr  # some examples are broken on purpose
    assert got.stderr == want.stderr
    items = json.loads(got.stdout)
    assert items == json.loads(want.stdout)
    assert {"SES104", "SES002"} <= {i["code"] for i in items}


# Lints every rule's documentation examples with the installed package (they are package data).
RULE_EXAMPLES = """
import json, os, sys
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.registry import EXAMPLES_DIR
from ses_lsp.lint.rules import ALL_RULES
codes = {}
for rule in ALL_RULES:
    for example in filter(None, (rule.doc.bad, rule.doc.good)):
        result = lint_text(example.text, example.path, kind=example.kind or None)
        codes[example.file] = sorted({d.code for d in result.diagnostics})
json.dump({"dir": EXAMPLES_DIR, "files": sorted(os.listdir(EXAMPLES_DIR)), "codes": codes}, sys.stdout)
"""


@pytest.mark.packaging
def test_installed_wheel_lints_the_rule_examples(installed, work):
    """Each rule's bad example gives exactly its code and its fixed example nothing, read from
    the installed package's data files."""
    proc = run([str(installed / "python"), "-c", RULE_EXAMPLES], timeout=300, cwd=work)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert Path(out["dir"]).is_relative_to(installed.parent)
    want = {r.doc.bad.file: [r.code] for r in ALL_RULES if r.doc.bad}
    want.update({r.doc.good.file: [] for r in ALL_RULES if r.doc.good})
    assert out["codes"] == want
    assert out["files"] == sorted(want)


@pytest.mark.packaging
def test_installed_server_publishes_diagnostics(installed, work):
    """`ses-lsp serve` from the wheel (the server's dependencies are the wheel's too)."""
    path = work / "examples" / "classic" / "broken-rule.yaml"
    client = StdioClient([str(installed / "ses-lsp"), "serve"], cwd=work)
    try:
        client.request("initialize", {"processId": None, "rootUri": work.as_uri(), "capabilities": {}}, timeout=60)
        client.notify("initialized", {})
        uri, text = path.as_uri(), path.read_text(encoding="utf-8")
        client.notify(
            "textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}
        )
        assert client.wait_for(lambda: uri in client.diagnostics, timeout=60), client.stderr[-2000:]
        assert "SES104" in {d["code"] for d in client.diagnostics[uri]}
    finally:
        assert client.close() == 0
