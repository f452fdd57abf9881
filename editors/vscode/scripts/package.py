"""Build the SES LSP .vsix with the ses-lsp server inside, so that installing it is all a user does.

    python scripts/package.py [--target TARGET] [--out FILE] [--build-dir DIR] [--unit-tests]

1. ``npm ci`` when node_modules does not match package-lock.json (and Node's version);
2. ``bundled/libs``: this checkout's ses-lsp and its Python dependencies, as
   ``pip install --target`` leaves them, pinned by bundled/requirements-*.txt:
   - every .vsix: the pure-Python ones (py3-none-any wheels only);
   - ``--target universal`` (the default): also PyYAML's pure-Python part (its C extension
     removed) and no cryptography: runs on any platform with any CPython 3.10+;
   - ``--target linux-x64`` etc. (TARGETS): also the platform's wheels of cryptography, cffi and
     PyYAML for each CPython 3.10 to 3.14, so that certificates are decoded and YAML is parsed
     with libyaml, as ``pip install ses-lsp`` would have it on that platform;
   - ``--target host``: the target of this machine (universal when no target matches it);
3. ``vsce package [--target TARGET]`` (its prepublish step bundles the TypeScript with esbuild).

Nothing is fetched at the extension's run time: the .vsix holds everything. pip takes the wheels
from the package index (or its cache) at build time only. ``--build-dir`` builds in a copy of
the extension's sources there (node_modules included), leaving the checkout untouched: the tests
build in ~/.cache/ses-lsp-tests. ``--unit-tests`` runs ``npm test`` before packaging.
Exit code 0 when the .vsix was written; the last line of the output names it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

EXTENSION = Path(__file__).resolve().parent.parent
REPO = EXTENSION.parent.parent
PURE_REQUIREMENTS = "bundled/requirements-pure.txt"
PLATFORM_REQUIREMENTS = "bundled/requirements-platform.txt"
PYTHON_VERSIONS = ("3.10", "3.11", "3.12", "3.13", "3.14")

# vsce's --target -> pip's --platform tags (best first). VS Code needs glibc 2.28 on Linux.
# Targets left out get the universal .vsix (the Marketplace serves it to every platform without
# its own): darwin-x64, win32-arm64 and linux-armhf, for which cryptography 51 publishes no
# wheel that runs on Python 3.10.
TARGETS: dict[str, tuple[str, ...]] = {
    "linux-x64": ("manylinux_2_28_x86_64", "manylinux_2_17_x86_64", "manylinux2014_x86_64"),
    "linux-arm64": ("manylinux_2_28_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64"),
    "alpine-x64": ("musllinux_1_2_x86_64",),
    "alpine-arm64": ("musllinux_1_2_aarch64",),
    "darwin-arm64": ("macosx_11_0_arm64",),
    "win32-x64": ("win_amd64",),
}
UNIVERSAL = "universal"
# The platform whose PyYAML wheel gives the universal .vsix its pure-Python part (any would do).
UNIVERSAL_YAML_SOURCE = "linux-x64"
# What the universal .vsix takes from requirements-platform.txt (without compiled code).
PURE_FALLBACK = ("pyyaml",)
COMPILED = (".so", ".pyd", ".dylib", ".dll")
# Sources of the extension that are not copied into a build directory (made by the build).
NOT_SOURCES = ("node_modules", "out", "e2e", "bundled/libs")


class BuildError(Exception):
    pass


def say(message: str) -> None:
    print(f"package.py: {message}", flush=True)


def run(cmd: list[str], cwd: Path, *, timeout: int = 900) -> str:
    """Run cmd; its output (stdout and stderr) when it succeeds, BuildError with it when not."""
    say(" ".join(cmd))
    try:
        proc = subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise BuildError(f"{cmd[0]} did not finish within {timeout} s: {' '.join(cmd)}") from exc
    except FileNotFoundError as exc:
        raise BuildError(f"{cmd[0]} is not installed (needed for: {' '.join(cmd)})") from exc
    if proc.returncode != 0:
        out = "\n".join(line for line in (proc.stdout + proc.stderr).splitlines() if "WARNING: Location" not in line)
        raise BuildError(f"exit code {proc.returncode}: {' '.join(cmd)}\n{out[-6000:]}")
    return proc.stdout + proc.stderr


def host_target() -> str:
    """The vsce target of this machine, or universal when none of TARGETS runs here."""
    system, machine = platform.system(), platform.machine().lower()
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(machine)
    if arch is None:
        return UNIVERSAL
    if system == "Linux":
        libc = platform.libc_ver()[0]
        name = f"linux-{arch}" if libc == "glibc" else f"alpine-{arch}"
    elif system == "Darwin":
        name = f"darwin-{arch}"
    elif system == "Windows":
        name = f"win32-{arch}"
    else:
        return UNIVERSAL
    return name if name in TARGETS else UNIVERSAL


def lock_build_dir(build_dir: Path) -> None:
    """One build at a time in build_dir (the tests and the end-to-end script share one); the lock
    is released when this process ends."""
    build_dir.parent.mkdir(parents=True, exist_ok=True)
    lock = open(build_dir.parent / f".{build_dir.name}.lock", "w")  # held until the process exits
    try:
        import fcntl
    except ImportError:  # Windows: no lock
        return
    fcntl.flock(lock, fcntl.LOCK_EX)
    _HELD.append(lock)


_HELD: list = []


def sync_sources(build_dir: Path) -> None:
    """Make build_dir a copy of the extension's sources, keeping its node_modules."""
    build_dir.mkdir(parents=True, exist_ok=True)
    for child in build_dir.iterdir():
        if child.name != "node_modules":
            shutil.rmtree(child) if child.is_dir() and not child.is_symlink() else child.unlink()
    skip = {EXTENSION / name for name in NOT_SOURCES}

    def ignore(directory: str, names: list[str]) -> list[str]:
        return [
            name for name in names if Path(directory, name) in skip or name == "__pycache__" or name.endswith(".vsix")
        ]

    for child in EXTENSION.iterdir():
        if child in skip or child.name.endswith(".vsix"):
            continue
        if child.is_dir():
            shutil.copytree(child, build_dir / child.name, ignore=ignore)
        else:
            shutil.copy2(child, build_dir / child.name)


def npm_ci(work: Path) -> None:
    """npm ci unless node_modules already matches the lockfile and this Node."""
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False).stdout.strip()
    lock = hashlib.sha256((work / "package-lock.json").read_bytes()).hexdigest()[:16]
    stamp_file = work / "node_modules" / ".ses-lsp-stamp"
    stamp = f"{lock}-{node}"
    if stamp_file.is_file() and stamp_file.read_text().strip() == stamp:
        return
    run(["npm", "ci", "--no-audit", "--no-fund"], work)
    stamp_file.write_text(stamp + "\n")


def pip_install(target: Path, args: list[str], *, python_version: str, platforms: tuple[str, ...] | None) -> None:
    """pip install --target, for another Python/platform: wheels only, no dependency resolution."""
    cmd = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    cmd += ["--target", str(target), "--no-deps", "--no-compile", "--only-binary=:all:"]
    cmd += ["--python-version", python_version]
    if platforms is None:
        cmd += ["--implementation", "py"]  # py3-none-any wheels only
    else:
        cmd += ["--implementation", "cp", "--abi", "cp" + python_version.replace(".", "")]
        for tag in platforms:
            cmd += ["--platform", tag]
    run(cmd + args, REPO)


def requirement_names(path: Path) -> dict[str, str]:
    """{normalized name: line} of a requirements file (comments dropped)."""
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        spec = line.split("#", 1)[0].strip()
        if spec:
            name = re.split(r"[=<>!~ ;\[]", spec, maxsplit=1)[0]
            out[re.sub(r"[-_.]+", "-", name).lower()] = spec
    return out


def is_compiled(path: Path) -> bool:
    return path.suffix in COMPILED or ".so." in path.name


def version_tagged(name: str) -> bool:
    """An extension module built for one Python version (cpython-312-..., .cp312-win_amd64)."""
    return re.search(r"\.(cpython-3\d+|cp3\d+)[-.]", name) is not None


def per_version_distributions(libs: Path) -> set[str]:
    """The (normalized) names of the distributions in libs with a module built for one Python version."""
    names = set()
    for record in libs.glob("*.dist-info/RECORD"):
        files = [line.split(",", 1)[0] for line in record.read_text(encoding="utf-8").splitlines()]
        if any(is_compiled(Path(name)) and version_tagged(Path(name).name) for name in files):
            name = record.parent.name.removesuffix(".dist-info").rsplit("-", 1)[0]
            names.add(re.sub(r"[-_.]+", "-", name).lower())
    return names


def bundle_server(work: Path, target: str) -> None:
    """Fill work/bundled/libs with ses-lsp and its dependencies for the target."""
    libs = work / "bundled" / "libs"
    if libs.exists():
        shutil.rmtree(libs)
    libs.mkdir(parents=True)
    platform_reqs = requirement_names(work / PLATFORM_REQUIREMENTS)
    with tempfile.TemporaryDirectory(prefix="ses-lsp-bundle-") as tmp_name:
        tmp = Path(tmp_name)
        # ses-lsp from a clean copy of the project, so that no build/ directory left in the
        # checkout (stale files) ends up in the wheel, and the checkout gets none.
        project = tmp / "project"
        project.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (REPO / name).is_file():
                shutil.copy2(REPO / name, project / name)
        shutil.copytree(REPO / "ses_lsp", project / "ses_lsp", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        say(f"bundling ses-lsp and its dependencies for {target} into bundled/libs")
        pip_install(libs, [str(project), "-r", str(work / PURE_REQUIREMENTS)], python_version="3.10", platforms=None)
        if target == UNIVERSAL:
            specs = [platform_reqs[name] for name in PURE_FALLBACK]
            pip_install(libs, specs, python_version="3.10", platforms=TARGETS[UNIVERSAL_YAML_SOURCE])
            for path in list(libs.rglob("*")):
                if path.is_file() and is_compiled(path):
                    path.unlink()
        else:
            tags = TARGETS[target]
            # The oldest Python's wheels: the abi3 modules there run on every later version.
            pip_install(libs, list(platform_reqs.values()), python_version=PYTHON_VERSIONS[0], platforms=tags)
            # Then, for each later Python, the distributions whose modules are built per version.
            per_version = [platform_reqs[name] for name in sorted(per_version_distributions(libs))]
            for version in PYTHON_VERSIONS[1:]:
                extra = tmp / f"py{version}"
                pip_install(extra, per_version, python_version=version, platforms=tags)
                for path in extra.rglob("*"):
                    if path.is_file() and is_compiled(path) and version_tagged(path.name):
                        dest = libs / path.relative_to(extra)
                        dest.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(path, dest)
    # Console scripts name the build machine's Python; the extension never runs them.
    shutil.rmtree(libs / "bin", ignore_errors=True)
    for cache in list(libs.rglob("__pycache__")):
        shutil.rmtree(cache, ignore_errors=True)
    if not (libs / "ses_lsp" / "__init__.py").is_file():
        raise BuildError("bundled/libs has no ses_lsp after pip install")


def repository_urls(manifest: dict) -> tuple[str, str]:
    """The base URLs of the extension's files in its repository (package.json "repository"), for
    the README's relative links and images: (content, images)."""
    repository = manifest.get("repository") or {}
    match = re.match(r"https://github\.com/([^/]+/[^/]+?)(?:\.git)?$", str(repository.get("url", "")))
    if match is None:
        raise BuildError('package.json needs "repository": {"url": "https://github.com/OWNER/NAME.git", ...}')
    directory = str(repository.get("directory", "")).strip("/")
    base = f"https://github.com/{match.group(1)}"
    return f"{base}/blob/HEAD/{directory}", f"{base}/raw/HEAD/{directory}"


def package(work: Path, target: str, out: Path) -> None:
    vsce = work / "node_modules" / ".bin" / ("vsce.cmd" if os.name == "nt" else "vsce")
    cmd = [str(vsce), "package", "--no-dependencies", "--out", str(out)]
    # VS Code shows only https images on an extension's details page (its Content-Security-Policy
    # there is "img-src https: data:", and its sanitizer keeps http(s) image sources only, never
    # relative ones, even for an installed .vsix). So the README's relative links become links to
    # the files in the repository, which vsce checks are https. vsce's own guess from
    # "repository" would miss the extension's directory.
    content, images = repository_urls(json.loads((work / "package.json").read_text(encoding="utf-8")))
    cmd += ["--baseContentUrl", content, "--baseImagesUrl", images]
    if target != UNIVERSAL:
        cmd += ["--target", target]
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists():
        out.unlink()
    run(cmd, work)
    if not out.is_file():
        raise BuildError(f"vsce package wrote no {out}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="package.py", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--target",
        default=UNIVERSAL,
        choices=[UNIVERSAL, "host", *TARGETS],
        help="the platform of the .vsix (default: universal)",
    )
    parser.add_argument("--out", type=Path, help="the .vsix to write (default: ses-lsp[-TARGET].vsix)")
    parser.add_argument("--build-dir", type=Path, help="build in a copy of the sources in this directory")
    parser.add_argument("--unit-tests", action="store_true", help="run npm test before packaging")
    args = parser.parse_args(argv)
    target = host_target() if args.target == "host" else args.target
    out = args.out or EXTENSION / ("ses-lsp.vsix" if target == UNIVERSAL else f"ses-lsp-{target}.vsix")
    work = EXTENSION
    try:
        if args.build_dir is not None:
            work = args.build_dir.resolve()
            say(f"building in {work}")
            lock_build_dir(work)
            sync_sources(work)
        npm_ci(work)
        if args.unit_tests:
            output = run(["npm", "test"], work)
            say("npm test: " + " ".join(re.findall(r"^ℹ (?:tests|pass|fail) \d+", output, re.M)))
        bundle_server(work, target)
        package(work, target, out.resolve())
    except BuildError as exc:
        print(f"package.py: FAILED: {exc}", file=sys.stderr)
        return 1
    say(f"wrote {out.resolve()} ({target})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
