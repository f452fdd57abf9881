"""A content-hash cache of lint results, so unchanged files are not linted again.

One file per project, in the user's cache directory:
``$XDG_CACHE_HOME/ses-lsp/<project>/results.json`` (``~/.cache/ses-lsp/...``
without ``XDG_CACHE_HOME``), where ``<project>`` names the directory of the
configuration file that applies to the current directory (else the current
directory) by its base name and a digest of its absolute path, so projects never
share a file.  The environment variable ``SES_LSP_CACHE_DIR`` names another
directory (used as it is).  Nothing is written into the project.  The file is
read once at the start of a run and written once at the end (atomically, only
when something changed); a cache that cannot be written is skipped silently: the
cache never changes results, only their cost.

The file is JSON, and it is not trusted: a file that is missing, truncated, not
JSON, of another format or version, larger than :data:`MAX_FILE_BYTES`, or whose
entries have the wrong shape is treated as empty (entry by entry: a value is
used only when the caller's check accepts it, see :meth:`Cache.get`); reading it
never runs code and never raises.  (The format used before, :mod:`marshal`, is
not safe for bytes from someone else.)

Entries are stored per file (absolute path + ``explicit`` flag); an entry is
used only when its digest matches, where the digest covers:

* the ses-lsp version and a fingerprint of the package's own files (rules,
  schemas, engine: any change to an installed or edited copy invalidates), and
  the Python version -- all three in the file header;
* the configuration's :meth:`~ses_lsp.lint.config.Config.fingerprint` and the
  command-line options that change results (``--kind``);
* the path, the ``explicit`` flag and the file's bytes.

Values are the plain records of :mod:`ses_lsp.lint.runner` (dicts, lists,
strings, ints), which hold no credential (:mod:`ses_lsp.lint.secrets`).  Digests
use BLAKE2b from ``_blake2`` directly: hashing 3 MB takes ~5 ms, while importing
:mod:`hashlib` (OpenSSL) alone costs ~4 ms before SHA-1's ~4 ms.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

import ses_lsp

APP_DIR_NAME = "ses-lsp"
CACHE_FILE_NAME = "results.json"
ENV_CACHE_DIR = "SES_LSP_CACHE_DIR"
FORMAT = 2
# Untouched entries are dropped beyond this many (the cache cannot grow forever).
MAX_ENTRIES = 50_000
# A larger file is not read (50,000 typical records take about 25 MB).
MAX_FILE_BYTES = 128 * 1024 * 1024

try:  # _blake2 is what hashlib wraps; importing it directly skips OpenSSL's set-up.
    from _blake2 import blake2b as _blake2b
except ImportError:  # pragma: no cover - alternative Pythons
    from hashlib import blake2b as _blake2b


def digest(*parts: bytes | str) -> str:
    """A hex digest of ``parts`` (each length-prefixed, so boundaries count)."""
    h = _blake2b(digest_size=20)
    for p in parts:
        if isinstance(p, str):
            p = p.encode("utf-8", "surrogatepass")
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.hexdigest()


_PKG_FINGERPRINT: str | None = None


def package_fingerprint() -> str:
    """Changes whenever a file of the ``ses_lsp`` package (code, schemas) changes."""
    global _PKG_FINGERPRINT
    if _PKG_FINGERPRINT is None:
        root = os.path.dirname(os.path.abspath(ses_lsp.__file__))
        parts: list[str] = []
        stack = [root]
        while stack:
            d = stack.pop()
            try:
                entries = sorted(os.scandir(d), key=lambda e: e.name)
            except OSError:
                continue
            for e in entries:
                if e.name.startswith(".") or e.name == "__pycache__":
                    continue
                try:
                    if e.is_dir():
                        stack.append(e.path)
                    elif e.name.endswith((".py", ".json", ".toml", ".yaml")):
                        st = e.stat()
                        parts.append(f"{os.path.relpath(e.path, root)}:{st.st_size}:{st.st_mtime_ns}")
                except OSError:
                    continue
        _PKG_FINGERPRINT = digest("\n".join(parts))
    return _PKG_FINGERPRINT


def user_cache_root() -> str | None:
    """``$XDG_CACHE_HOME/ses-lsp``, else ``~/.cache/ses-lsp``; None without a home directory."""
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG specification ignores a relative path
        return os.path.join(xdg, APP_DIR_NAME)
    home = os.path.expanduser("~")
    if not home or home == "~" or not os.path.isabs(home):
        return None
    return os.path.join(home, ".cache", APP_DIR_NAME)


def default_cache_dir(project_root: str | None = None) -> str | None:
    """The cache directory of a project: ``SES_LSP_CACHE_DIR`` if set, else a directory of
    its own under :func:`user_cache_root` (None: no cache at all)."""
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return env
    root = user_cache_root()
    if root is None:
        return None
    project = os.path.abspath(project_root or os.getcwd())
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in os.path.basename(project))[:40]
    return os.path.join(root, f"{name or 'root'}-{digest(project)[:16]}")


class Cache:
    """The cache of one run.  ``get``/``put`` by entry key and digest; ``save`` at the end."""

    def __init__(self, directory: str, version: str, fingerprint: str | None = None) -> None:
        self.directory = directory
        self.path = os.path.join(directory, CACHE_FILE_NAME)
        self.header = [
            FORMAT,
            version,
            fingerprint if fingerprint is not None else package_fingerprint(),
            "{}.{}".format(*sys.version_info[:2]),
        ]
        self.entries: dict[str, list] = {}  # key -> [digest, value]
        self.touched: set[str] = set()
        self.dirty = False
        self.hits = 0
        self.misses = 0

    # -- I/O ----------------------------------------------------------------

    def load(self) -> Cache:
        """Read the cache file; anything unreadable, stale or malformed leaves the cache empty."""
        self.entries = {}
        try:
            with open(self.path, "rb") as fh:
                if os.fstat(fh.fileno()).st_size > MAX_FILE_BYTES:
                    return self
                raw = fh.read(MAX_FILE_BYTES + 1)
            if len(raw) > MAX_FILE_BYTES:
                return self
            import json

            # (Decoded first: json.loads of bytes decodes with "surrogatepass", twice as slow.)
            data = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError, RecursionError, MemoryError):
            # missing, unreadable, not UTF-8, not JSON, truncated, nested too deep, too big
            return self
        if not isinstance(data, dict) or data.get("header") != self.header:
            return self
        entries = data.get("entries")
        if isinstance(entries, dict):
            self.entries = {
                k: e for k, e in entries.items() if e.__class__ is list and len(e) == 2 and e[0].__class__ is str
            }
        return self

    def save(self) -> bool:
        """Write the cache if it changed; returns True when written.  Never raises."""
        if not self.dirty:
            return False
        import json

        entries = self.entries
        if len(entries) > MAX_ENTRIES:
            keep = {k: v for k, v in entries.items() if k in self.touched}
            for k, v in entries.items():
                if len(keep) >= MAX_ENTRIES:
                    break
                keep.setdefault(k, v)
            entries = keep
        try:
            payload = json.dumps(
                {"header": self.header, "entries": entries}, ensure_ascii=False, separators=(",", ":")
            ).encode("utf-8")
        except (TypeError, ValueError):  # a value JSON cannot hold slipped in: do not cache at all
            return False
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            ignore = os.path.join(self.directory, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w", encoding="utf-8") as fh:
                    fh.write("# Created by ses-lsp: this directory is a cache.\n*\n")
            tmp = f"{self.path}.{os.getpid()}.tmp"
            with open(tmp, "wb") as fh:
                fh.write(payload)
            os.replace(tmp, self.path)
        except OSError:
            try:
                os.unlink(tmp)
            except (OSError, UnboundLocalError):
                pass
            return False
        self.dirty = False
        return True

    # -- entries ------------------------------------------------------------

    def get(self, key: str, dig: str, check: Callable[[object], bool] | None = None):
        """The value stored for ``key`` if its digest is ``dig`` (and ``check`` accepts it:
        the file is not trusted to hold what it should), else ``None``."""
        entry = self.entries.get(key)
        if entry is not None and entry[0] == dig:
            value = entry[1]
            if check is None or check(value):
                self.hits += 1
                self.touched.add(key)
                return value
            del self.entries[key]
            self.dirty = True
        self.misses += 1
        return None

    def put(self, key: str, dig: str, value: object) -> None:
        """Store ``value`` (JSON data: dicts with string keys, lists, strings, numbers,
        booleans, None) for ``key`` under digest ``dig``."""
        old = self.entries.get(key)
        if old is None or old[0] != dig or old[1] != value:
            self.entries[key] = [dig, value]
            self.dirty = True
        self.touched.add(key)
