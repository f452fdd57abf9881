"""The VS Code extension's .vsix carries the server: built as a release builds it, then run as
the extension runs it, on a Python whose own ses-lsp is never imported.

``editors/vscode/scripts/package.py --target host`` builds the .vsix of this machine's platform
(npm packages from the npm registry, wheels from the package index; node_modules and the build
live in ~/.cache/ses-lsp-tests, never in the checkout) after the extension's own unit tests
(``npm test``). The tests read the .vsix as a zip, as VS Code installs it, and start the bundled
server exactly as src/server.ts does (``python -I -S -u bundled/tool/ses_lsp_server.py serve``)
from this checkout's root, where ``python -m ses_lsp`` would import the checkout instead.
The real-VS-Code test of the same .vsix is tests/editors/test_vscode_e2e.py (``-m editor_e2e``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

import pytest
from editor_tools import NODE_DIR, REPO, run
from lsp_stdio import StdioClient
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

# The .vsix and its bundled server pin their own dependencies: the test environment's versions
# do not change the outcome (.ci/run's lowest-versions pass leaves these out).
pytestmark = pytest.mark.packaging

EXTENSION = REPO / "editors" / "vscode"
PACKAGE_SCRIPT = EXTENSION / "scripts" / "package.py"
BUILD_DIR = NODE_DIR.parent / "vscode" / "build"
# pip's own cache, the user's (taken before tests/conftest.py points XDG_CACHE_HOME at a
# temporary directory): the wheels are downloaded once, not on every run.
PIP_CACHE = Path(
    os.environ.get("PIP_CACHE_DIR") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pip"
)
EXAMPLE = REPO / "examples" / "classic" / "broken-rule.yaml"
# A trust store holding a certificate that is not a CA: only a decoded certificate shows it.
CERTIFICATE_EXAMPLE = REPO / "ses_lsp" / "lint" / "rules" / "examples" / "SES913-bad.yaml"
# package.json's "repository" (https://github.com/ses-lsp/ses-lsp.git, directory editors/vscode).
README_IMAGE_BASE = "https://github.com/ses-lsp/ses-lsp/raw/HEAD/editors/vscode"
# As src/server.ts runs the bundled server (BUNDLED_FLAGS, BUNDLED_SCRIPT; test/server.test.ts).
BUNDLED_FLAGS = ["-I", "-S", "-u"]
LSP_TIMEOUT = 60


def _package_module():
    spec = importlib.util.spec_from_file_location("ses_lsp_vscode_package", PACKAGE_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PACKAGE = _package_module()


@pytest.fixture(scope="module")
def vsix(tmp_path_factory) -> Path:
    for program in ("node", "npm"):
        if shutil.which(program) is None:
            pytest.fail(f"{program} is needed to build the .vsix (Node.js 20 or later with npm)", pytrace=False)
    out = tmp_path_factory.mktemp("vsix") / "ses-lsp.vsix"
    run(
        [sys.executable, str(PACKAGE_SCRIPT), "--target", "host", "--unit-tests"]
        + ["--build-dir", str(BUILD_DIR), "--out", str(out)],
        timeout=1200,
        check=True,
        cwd=REPO,
        env=dict(os.environ, PIP_CACHE_DIR=str(PIP_CACHE)),
    )
    return out


@pytest.fixture(scope="module")
def installed(vsix: Path, tmp_path_factory) -> Path:
    """The extension's directory as VS Code installs it (the .vsix's extension/ folder)."""
    where = tmp_path_factory.mktemp("installed")
    with zipfile.ZipFile(vsix) as archive:
        archive.extractall(where)
    return where / "extension"


@pytest.fixture(scope="module")
def target(vsix: Path) -> str:
    with zipfile.ZipFile(vsix) as archive:
        manifest = archive.read("extension.vsixmanifest").decode("utf-8")
    found = re.search(r'TargetPlatform="([^"]+)"', manifest)
    return found.group(1) if found else PACKAGE.UNIVERSAL


def test_the_vsix_is_built_for_this_platform(target: str) -> None:
    assert target == PACKAGE.host_target()


def test_the_vsix_holds_the_checkouts_server_and_the_readme_image(vsix: Path, installed: Path) -> None:
    with zipfile.ZipFile(vsix) as archive:
        names = archive.namelist()
    assert "extension/out/extension.js" in names
    assert "extension/bundled/tool/ses_lsp_server.py" in names
    # The server's modules are this checkout's, byte for byte.
    libs = installed / "bundled" / "libs"
    ours = {p.relative_to(REPO): p for p in (REPO / "ses_lsp").rglob("*.py")}
    bundled = {p.relative_to(libs): p for p in (libs / "ses_lsp").rglob("*.py")}
    assert sorted(map(str, bundled)) == sorted(map(str, ours))
    assert all(bundled[name].read_bytes() == ours[name].read_bytes() for name in ours)
    assert (libs / "ses_lsp" / "schema").is_dir() and any((libs / "ses_lsp" / "schema").glob("*.json"))
    # Nothing of the build machine: no console scripts, no byte code, no sources of the extension.
    assert not any("/__pycache__/" in name or name.endswith(".pyc") for name in names)
    assert not (libs / "bin").exists()
    assert not any(
        name.startswith(("extension/src/", "extension/node_modules/", "extension/scripts/")) for name in names
    )
    # The README (vsce names it readme.md) links its image by https, to the file in the repository
    # (VS Code's details page shows no other kind): editors/vscode/images/ in this checkout.
    readme = (installed / "readme.md").read_text(encoding="utf-8")
    images = re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", readme)
    manifest = json.loads((EXTENSION / "package.json").read_text(encoding="utf-8"))
    assert REPO / manifest["repository"]["directory"] == EXTENSION
    assert manifest["repository"]["url"].removesuffix(".git") + "/raw/HEAD/editors/vscode" == README_IMAGE_BASE
    assert images == [f"{README_IMAGE_BASE}/images/vscode-diagnostics.png"], images
    assert (EXTENSION / "images" / "vscode-diagnostics.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not any(name.startswith("extension/images/") for name in names)


def test_every_requirement_of_the_bundle_is_bundled(installed: Path, target: str) -> None:
    """For each CPython 3.10-3.14 on each OS, every bundled distribution's requirements are in the
    bundle at a version that satisfies them, and each admits those Pythons."""
    libs = installed / "bundled" / "libs"
    present: dict[str, str] = {}
    requirements: dict[str, list[Requirement]] = {}
    for info in libs.glob("*.dist-info"):
        metadata = (info / "METADATA").read_text(encoding="utf-8")
        name = canonicalize_name(re.search(r"^Name: (.+)$", metadata, re.M).group(1).strip())
        present[name] = re.search(r"^Version: (.+)$", metadata, re.M).group(1).strip()
        requirements[name] = [Requirement(r) for r in re.findall(r"^Requires-Dist: (.+)$", metadata, re.M)]
        requires_python = re.search(r"^Requires-Python: (.+)$", metadata, re.M)
        for version in PACKAGE.PYTHON_VERSIONS:
            if requires_python:
                assert SpecifierSet(requires_python.group(1)).contains(f"{version}.0"), (name, version)
    assert {"ses-lsp", "pygls", "lsprotocol", "pyyaml", "netaddr"} <= set(present)
    # The universal .vsix leaves out what has no pure-Python form (cryptography and its cffi).
    platform_only = set(PACKAGE.requirement_names(EXTENSION / PACKAGE.PLATFORM_REQUIREMENTS)) - set(
        PACKAGE.PURE_FALLBACK
    )
    missing = []
    for name, reqs in requirements.items():
        for req in reqs:
            for version in PACKAGE.PYTHON_VERSIONS:
                for platform in ("linux", "darwin", "win32"):
                    env = {
                        "python_version": version,
                        "python_full_version": f"{version}.0",
                        "sys_platform": platform,
                        "platform_python_implementation": "CPython",
                        "implementation_name": "cpython",
                        "extra": "",
                    }
                    if req.marker is not None and not Marker(str(req.marker)).evaluate(env):
                        continue
                    wanted = canonicalize_name(req.name)
                    if wanted not in present:
                        if not (target == PACKAGE.UNIVERSAL and wanted in platform_only):
                            missing.append(f"{name} needs {req} on Python {version} ({platform})")
                    elif not req.specifier.contains(present[wanted], prereleases=True):
                        missing.append(f"{name} needs {req}, the bundle has {present[wanted]}")
    assert not missing, "\n".join(sorted(set(missing)))


def test_the_probe_tells_the_interpreters_own_ses_lsp_from_none(installed: Path) -> None:
    script = installed / "bundled" / "tool" / "ses_lsp_server.py"
    # As `python -m ses_lsp` would see it from the checkout's root: the checkout's ses_lsp.
    own = json.loads(run([sys.executable, str(script), "probe"], timeout=60, check=True, cwd=REPO).stdout)
    assert own["version"] == list(sys.version_info[:3])
    assert Path(own["ses_lsp"]["path"]) == REPO / "ses_lsp"
    # Isolated, as the bundled server runs: nothing of the interpreter's is looked at.
    isolated = json.loads(
        run([sys.executable, *BUNDLED_FLAGS, str(script), "probe"], timeout=60, check=True, cwd=REPO).stdout
    )
    assert isolated == {"version": list(sys.version_info[:3]), "executable": sys.executable, "ses_lsp": None}


def test_the_bundled_server_runs_and_reports_problems(installed: Path, target: str, tmp_path: Path) -> None:
    script = installed / "bundled" / "tool" / "ses_lsp_server.py"
    work = tmp_path / "rules"
    work.mkdir()
    documents = {}
    for source in (EXAMPLE, CERTIFICATE_EXAMPLE):
        copy = work / source.name
        copy.write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
        documents[source.name] = copy
    # From the checkout's root, with this environment's python, which has ses-lsp installed (in
    # editable mode): the bundled copy must be the one that runs all the same.
    client = StdioClient([sys.executable, *BUNDLED_FLAGS, str(script), "serve"], cwd=REPO)
    try:
        result = client.request(
            "initialize",
            {
                "processId": None,
                "rootUri": work.as_uri(),
                "workspaceFolders": [{"uri": work.as_uri(), "name": "rules"}],
                "capabilities": {"textDocument": {"publishDiagnostics": {"relatedInformation": True}}},
            },
            timeout=LSP_TIMEOUT,
        )
        client.notify("initialized", {})
        for path in documents.values():
            client.notify(
                "textDocument/didOpen",
                {
                    "textDocument": {
                        "uri": path.as_uri(),
                        "languageId": "yaml",
                        "version": 1,
                        "text": path.read_text(encoding="utf-8"),
                    }
                },
            )
        uris = [path.as_uri() for path in documents.values()]
        assert client.wait_for(lambda: all(uri in client.diagnostics for uri in uris), LSP_TIMEOUT), client.stderr
        diagnostics = {name: client.diagnostics[path.as_uri()] for name, path in documents.items()}
    finally:
        client.close()
    assert result["serverInfo"]["name"] == "ses-lsp"
    codes = {d["code"] for d in diagnostics[EXAMPLE.name]}
    assert {"SES101", "SES104"} <= codes, diagnostics[EXAMPLE.name]
    assert all(d["source"] == "ses-lsp" for d in diagnostics[EXAMPLE.name])
    # The first line on stderr says which server runs on what (the extension's output shows it).
    report = client.stderr.splitlines()[0]
    assert report.startswith(f"ses-lsp {result['serverInfo']['version']} bundled with the extension (")
    assert f"({installed / 'bundled' / 'libs' / 'ses_lsp'})" in report
    assert f"on Python {'.'.join(map(str, sys.version_info[:3]))} ({sys.executable})" in report
    certificate_codes = {d["code"] for d in diagnostics[CERTIFICATE_EXAMPLE.name]}
    if target == PACKAGE.UNIVERSAL:
        assert "YAML parsed without the libyaml C speedups" in report
        assert "certificates not decoded (cryptography is not available here" in report
        assert "SES913" not in certificate_codes
    else:
        # A platform's .vsix has PyYAML's C extension and cryptography for this Python.
        assert "YAML parsed with the libyaml C speedups" in report, report
        assert "certificates decoded with cryptography " in report, report
        assert "SES913" in certificate_codes, diagnostics[CERTIFICATE_EXAMPLE.name]
