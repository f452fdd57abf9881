"""Which files ``ses-lsp lint PATH...`` checks.

* A file named on the command line (or matched by a glob) is linted with
  ``explicit=True``: if its kind cannot be told, that is a diagnostic.
* A directory is walked recursively for ``*.json``, ``*.yaml`` and ``*.yml``
  files (case-insensitively), skipping hidden directories, ``node_modules``,
  ``__pycache__``, ``.git`` and ``.venv``; symbolic links to directories are
  not followed.  Files found so are linted with ``explicit=False``: the
  engine skips those that are not SES documents.
* A path that does not exist but contains ``*``, ``?`` or ``[`` is expanded as
  a glob (``**`` matches any number of directories), for shells that did not.
* ``-`` is the standard input.
* A named path that is not a regular file (a FIFO, socket or device, such as
  ``/dev/zero``; directories aside) is an error, and is never read: reading
  one can block for ever or never end.  The walk skips such files.

Order is deterministic: arguments in the order given, directory entries
sorted by name.  A file reached twice is linted once.
"""

from __future__ import annotations

import os
import stat

SUFFIXES = (".json", ".yaml", ".yml")
SKIP_DIRS = frozenset({"node_modules", "__pycache__", ".git", ".venv"})
STDIN = "-"


class Target:
    """One thing to lint.

    ``display``: the name shown in output; ``path``: the file system path
    (``None`` for the standard input); ``name``: the name given to the engine
    and used for configuration and globs (``--stdin-filename`` for stdin);
    ``explicit``: named by the user rather than found by a walk; ``abspath``:
    the absolute, normalised path (``None`` for stdin).
    """

    __slots__ = ("display", "path", "name", "explicit", "stdin", "abspath")

    def __init__(
        self,
        display: str,
        path: str | None,
        name: str | None,
        explicit: bool,
        stdin: bool = False,
        abspath: str | None = None,
    ) -> None:
        self.display = display
        self.path = path
        self.name = name
        self.explicit = explicit
        self.stdin = stdin
        self.abspath = abspath if abspath is not None or path is None else os.path.abspath(path)

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Target({self.display!r}, explicit={self.explicit})"


class PathError:
    """A path that could not be used: shown on stderr, exit code 2."""

    __slots__ = ("path", "reason")

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason

    def message(self) -> str:
        return f"cannot read {self.path!r}: {self.reason}"


_NOT_REGULAR = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def not_regular(mode: int) -> str | None:
    """Why a file of ``mode`` (``st_mode``) is not read, or ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    what = next((name for test, name in _NOT_REGULAR if test(mode)), "not a regular file")
    return (
        f"it is {what}, not a regular file; ses-lsp reads only files "
        "(to lint what it gives, redirect it to the standard input and name '-')"
    )


class NotRegularFile(OSError):
    """Raised by :func:`read_file` for a path that is not a regular file."""


def read_file(path: str) -> bytes:
    """The bytes of the regular file ``path``; never blocks on, nor reads, anything else.

    Opened without blocking (a FIFO with no writer would block ``open`` itself) and checked
    on the open descriptor, so a path replaced after it was listed is still caught.  Raises
    :class:`NotRegularFile` (its ``strerror`` says what the path is) or another ``OSError``.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    try:
        why = not_regular(os.fstat(fd).st_mode)
        if why is not None:
            raise NotRegularFile(0, why)
        with os.fdopen(fd, "rb", closefd=False) as fh:
            return fh.read()
    finally:
        os.close(fd)


def stamp(path: str) -> list:
    """``[path, size, mtime_ns]`` (``-1`` for a path that does not exist): what a cached result
    that depends on another file remembers of it (see :func:`unchanged`)."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):  # (ValueError: a name no file system takes: NUL, a lone surrogate)
        return [path, -1, -1]
    return [path, st.st_size, st.st_mtime_ns]


def unchanged(stamps: list) -> bool:
    """Are the paths of ``stamps`` (made by :func:`stamp`) as they were?"""
    return all(stamp(s[0]) == s for s in stamps)


def display_path(path: str, cwd: str | None = None) -> str:
    """``path`` as shown: normalised, and relative to the current directory when inside it."""
    p = os.path.normpath(path)
    if os.path.isabs(p):
        cwd = cwd or os.getcwd()
        prefix = cwd.rstrip(os.sep) + os.sep
        if p.startswith(prefix):
            return p[len(prefix) :]
    return p


def _has_magic(s: str) -> bool:
    return "*" in s or "?" in s or "[" in s


def _walk(top: str, errors: list[PathError]) -> list[str]:
    """Files under ``top`` with a known suffix: a directory's files (by name), then its subdirectories."""
    out: list[str] = []
    join = os.path.join
    stack = [top]
    while stack:
        d = stack.pop()
        try:
            with os.scandir(d) as it:
                entries = list(it)
        except OSError as exc:
            errors.append(PathError(display_path(d), exc.strerror or str(exc)))
            continue
        files: list[str] = []
        subdirs: list[str] = []
        for e in entries:
            name = e.name
            try:
                if e.is_dir(follow_symlinks=False):
                    if name[0] == "." or name in SKIP_DIRS:
                        continue
                    subdirs.append(name)
                elif name.lower().endswith(SUFFIXES) and e.is_file():
                    files.append(name)
            except OSError:
                continue
        files.sort()
        out.extend(join(d, f) for f in files)
        subdirs.sort(reverse=True)  # popped in name order
        stack.extend(join(d, s) for s in subdirs)
    return out


def discover(args: list[str], stdin_filename: str | None = None) -> tuple[list[Target], list[PathError]]:
    """Targets for the command-line ``args`` (``["."]`` when empty) and the paths that failed."""
    targets: list[Target] = []
    errors: list[PathError] = []
    seen: dict[str, Target | None] = {}
    cwd = os.getcwd()
    join, normpath, normcase = os.path.join, os.path.normpath, os.path.normcase

    def add_file(path: str, explicit: bool) -> None:
        apath = normpath(join(cwd, path))
        key = normcase(apath)
        known = seen.get(key)
        if known is not None:
            known.explicit = known.explicit or explicit  # named explicitly after a walk found it
            return
        seen[key] = t = Target(display_path(path, cwd), path, path, explicit, abspath=apath)
        targets.append(t)

    def add_named(path: str) -> None:
        """A file the user named: anything but a regular file is an error, not a target."""
        try:
            why = not_regular(os.stat(path).st_mode)
        except OSError:
            why = None  # a dangling link: reading it says why
        if why is None:
            add_file(path, True)
        else:
            errors.append(PathError(path, why))

    def add_dir(path: str) -> None:
        for f in _walk(path, errors):
            add_file(f, False)

    for arg in args or ["."]:
        if arg == STDIN:
            if "<stdin>" in seen:
                continue
            seen["<stdin>"] = None
            name = stdin_filename or None
            targets.append(Target(display_path(name, cwd) if name else "<stdin>", None, name, True, stdin=True))
            continue
        if os.path.isdir(arg):
            add_dir(arg)
            continue
        if os.path.lexists(arg):
            add_named(arg)
            continue
        if _has_magic(arg):
            import glob

            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                errors.append(PathError(arg, "no file matches this pattern"))
            for m in matches:
                if os.path.isdir(m):
                    add_dir(m)
                else:
                    add_named(m)
            continue
        errors.append(PathError(arg, "No such file or directory"))
    return targets, errors


# -- configuration files ---------------------------------------------------------

CONFIG_FILES = (".ses-lsp.toml", "pyproject.toml")


def _has_tool_section(path: str) -> bool:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return "[tool.ses-lsp" in fh.read()
    except OSError:
        return False


def find_config_path(directory: str, memo: dict | None = None) -> str | None:
    """The nearest configuration file at or above the absolute ``directory``.

    The one configuration-file search (``ses_lsp.lint.config.find_config_file``
    calls it); it lives here so that a fully cached run never imports the
    configuration module.  ``memo`` maps directories to answers.
    """
    memo = {} if memo is None else memo
    visited: list[str] = []
    d = directory
    found: str | None = None
    while True:
        if d in memo:
            found = memo[d]
            break
        visited.append(d)
        hit = None
        for name in CONFIG_FILES:
            candidate = os.path.join(d, name)
            if os.path.isfile(candidate):
                if name == "pyproject.toml" and not _has_tool_section(candidate):
                    continue
                hit = candidate
                break
        if hit is not None:
            found = hit
            break
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    for v in visited:
        memo[v] = found
    return found
