"""A content-hash cache of lint results, so unchanged files are not linted again.

One file per project: ``<root>/.ses-lsp-cache/v1.marshal`` where ``<root>`` is
the directory of the configuration file that applies to the current directory
(else the current directory); the environment variable ``SES_LSP_CACHE_DIR``
names another directory.  The directory holds a ``.gitignore`` containing
``*``.  The file is read once at the start of a run and written once at the
end (atomically, only when something changed).  A file that cannot be read or
decoded is ignored and rebuilt; a cache that cannot be written is skipped
silently: the cache never changes results, only their cost.

Entries are stored per file (absolute path + ``explicit`` flag); an entry is
used only when its digest matches, where the digest covers:

* the ses-lsp version and a fingerprint of the package's own files (rules,
  schemas, engine: any change to an installed or edited copy invalidates);
* the Python version (``marshal``'s format) -- both in the file header;
* the configuration's :meth:`~ses_lsp.lint.config.Config.fingerprint` and the
  command-line options that change results (``--kind``);
* the path, the ``explicit`` flag and the file's bytes.

Values are the plain records of :mod:`ses_lsp.lint.runner` (dicts, lists,
strings, ints), serialised with :mod:`marshal`: it is built in (importing
:mod:`pickle` costs about as much as loading a 300-file cache, ~2 ms) and
loads such data about as fast as pickle.  Digests use BLAKE2b from
``_blake2`` directly: hashing 3 MB takes ~5 ms, while importing
:mod:`hashlib` (OpenSSL) alone costs ~4 ms before SHA-1's ~4 ms.
"""

from __future__ import annotations

import os
import sys

import ses_lsp

CACHE_DIR_NAME = ".ses-lsp-cache"
CACHE_FILE_NAME = "v1.marshal"
ENV_CACHE_DIR = "SES_LSP_CACHE_DIR"
FORMAT = 1
# Untouched entries are dropped beyond this many (the cache cannot grow forever).
MAX_ENTRIES = 50_000

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


def default_cache_dir(project_root: str | None = None) -> str:
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return env
    return os.path.join(project_root or os.getcwd(), CACHE_DIR_NAME)


class Cache:
    """The cache of one run.  ``get``/``put`` by entry key and digest; ``save`` at the end."""

    def __init__(self, directory: str, version: str, fingerprint: str | None = None) -> None:
        self.directory = directory
        self.path = os.path.join(directory, CACHE_FILE_NAME)
        self.header = (
            FORMAT,
            version,
            fingerprint if fingerprint is not None else package_fingerprint(),
            sys.version_info[:2],
        )
        self.entries: dict[str, tuple[str, object]] = {}
        self.touched: set[str] = set()
        self.dirty = False
        self.hits = 0
        self.misses = 0

    # -- I/O ----------------------------------------------------------------

    def load(self) -> Cache:
        """Read the cache file; anything unreadable or stale leaves the cache empty."""
        import marshal

        try:
            with open(self.path, "rb") as fh:
                raw = fh.read()
            data = marshal.loads(raw)
            if (
                isinstance(data, dict)
                and tuple(data.get("header", ())) == self.header
                and isinstance(data.get("entries"), dict)
            ):
                self.entries = data["entries"]
        except Exception:  # missing, corrupt, truncated, from another Python: rebuild
            self.entries = {}
        return self

    def save(self) -> bool:
        """Write the cache if it changed; returns True when written.  Never raises."""
        if not self.dirty:
            return False
        import marshal

        entries = self.entries
        if len(entries) > MAX_ENTRIES:
            keep = {k: v for k, v in entries.items() if k in self.touched}
            for k, v in entries.items():
                if len(keep) >= MAX_ENTRIES:
                    break
                keep.setdefault(k, v)
            entries = keep
        try:
            payload = marshal.dumps({"header": self.header, "entries": entries})
        except ValueError:  # an unmarshallable value slipped in: do not cache at all
            return False
        try:
            os.makedirs(self.directory, exist_ok=True)
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

    def get(self, key: str, dig: str):
        """The value stored for ``key`` if its digest is ``dig``, else ``None``."""
        entry = self.entries.get(key)
        if entry is not None and entry[0] == dig:
            self.hits += 1
            self.touched.add(key)
            return entry[1]
        self.misses += 1
        return None

    def put(self, key: str, dig: str, value: object) -> None:
        old = self.entries.get(key)
        if old is None or old[0] != dig or old[1] != value:
            self.entries[key] = (dig, value)
            self.dirty = True
        self.touched.add(key)
