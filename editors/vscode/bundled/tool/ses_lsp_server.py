"""Runs the ses-lsp language server that the VS Code extension bundles in ../libs.

The extension starts it with the interpreter it found (the Python extension's, ``python3`` on
PATH, or ``sesLsp.server.pythonPath``) as

    python -I -S -u ses_lsp_server.py serve [ses-lsp serve options]

``-I`` ignores the PYTHON* environment variables and the user's site-packages, ``-S`` the
interpreter's own site-packages: the server and its dependencies come from ../libs only, never
from whatever happens to be installed where the interpreter lives (Debian's python3, for one,
has an old cryptography in dist-packages). Before the server starts, one line on stderr (the
extension's "SES LSP" output) says which ses-lsp runs on which Python, and whether YAML's C
speedups and certificate decoding are available.

    python [-I -S] ses_lsp_server.py probe

prints one JSON object and exits: the interpreter's version and path, and (without ``-S``) the
ses-lsp that the interpreter itself would import (``python -m ses_lsp`` from the current
directory), or null. The extension uses it to choose an interpreter and a server. This file
must run on any Python 3.6 or later, so that an older interpreter is told apart from a broken
one; the server needs 3.10.
"""

import json
import os
import sys

MIN_PYTHON = (3, 10)
TOOL_DIR = os.path.dirname(os.path.abspath(__file__))
LIBS = os.path.join(os.path.dirname(TOOL_DIR), "libs")


def _python_version():
    return ".".join(str(part) for part in sys.version_info[:3])


def probe():
    """The interpreter's version and path, and the ses-lsp that ``python -m ses_lsp`` would run."""
    info = {"version": list(sys.version_info[:3]), "executable": sys.executable, "ses_lsp": None}
    if sys.version_info >= MIN_PYTHON and not sys.flags.no_site:
        # As `python -m ses_lsp` sees it: the current directory first (unless PYTHONSAFEPATH),
        # then the interpreter's own path; not this directory.
        sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != TOOL_DIR]
        if not getattr(sys.flags, "safe_path", False):
            sys.path.insert(0, os.getcwd())
        try:
            import ses_lsp

            info["ses_lsp"] = {
                "version": str(getattr(ses_lsp, "__version__", "unknown")),
                "path": os.path.dirname(os.path.abspath(ses_lsp.__file__ or "")),
            }
        except Exception:  # noqa: BLE001 - not installed, or broken: either way not usable
            pass
    print(json.dumps(info))
    return 0


def _report():
    """One line for the extension's output: which server, which Python, which optional parts."""
    import yaml

    import ses_lsp

    try:
        from importlib.metadata import version

        from cryptography import x509  # noqa: F401 - the import is the check

        certificates = f"decoded with cryptography {version('cryptography')}"
    except ImportError as exc:
        certificates = f"not decoded (cryptography is not available here: {exc})"
    speedups = "with" if getattr(yaml, "__with_libyaml__", False) else "without"
    where = os.path.dirname(os.path.abspath(ses_lsp.__file__ or ""))
    return (
        f"ses-lsp {ses_lsp.__version__} bundled with the extension ({where}) on Python {_python_version()} "
        f"({sys.executable}); YAML parsed {speedups} the libyaml C speedups; certificates {certificates}"
    )


def serve(args):
    if sys.version_info < MIN_PYTHON:
        sys.stderr.write(f"ses-lsp needs Python 3.10 or later; {sys.executable} is Python {_python_version()}\n")
        return 2
    # The bundled libraries first; not this directory (Python 3.10 puts it on sys.path even
    # with -I).
    sys.path[:] = [LIBS] + [entry for entry in sys.path if os.path.abspath(entry or ".") != TOOL_DIR]
    sys.stderr.reconfigure(encoding="utf-8", errors="backslashreplace")
    sys.stderr.write(_report() + "\n")
    sys.stderr.flush()
    from ses_lsp.cli import entry

    sys.argv = ["ses-lsp", "serve"] + list(args)
    entry()
    return 0


def main(argv):
    if argv[:1] == ["probe"]:
        return probe()
    if argv[:1] == ["serve"]:
        return serve(argv[1:])
    sys.stderr.write("usage: ses_lsp_server.py probe | serve [ses-lsp serve options]\n")
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
