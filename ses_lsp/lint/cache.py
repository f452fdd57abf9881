"""A content-hash cache of lint results, so unchanged files are not linted again.

One file per project, in the user's cache directory:
``$XDG_CACHE_HOME/ses-lsp/<project>/results.jsonl`` (``~/.cache/ses-lsp/...``
without ``XDG_CACHE_HOME``), where ``<project>`` names the directory of the
configuration file that applies to the current directory (else the current
directory) by its base name and a digest of its absolute path, so projects never
share a file.  The environment variable ``SES_LSP_CACHE_DIR`` names another
directory (used as it is).  Nothing is written into the project.  The file is
indexed once at the start of a run and written once at the end (atomically, only
when something changed); a cache that cannot be written is skipped silently: the
cache never changes results, only their cost.

The file is JSON Lines: a header line ``{"header": [format, version, package
fingerprint, python]}``, then one line per entry, ``["key","digest",value]``.
Memory does not grow with the number of entries beyond an index (key -> where its
line is): a value is read from the file when it is asked for, new entries wait in
an unnamed temporary file, and saving copies lines (see :class:`Cache`).

The file is not trusted: a file that is missing, truncated, not JSON, of another
format or version, or larger than :data:`MAX_FILE_BYTES` is treated as empty, and
an entry whose line is malformed or whose value has the wrong shape is treated as
missing (a value is used only when the caller's check accepts it, see
:meth:`Cache.get`); reading it never runs code and never raises.  (The format used
before, :mod:`marshal`, is not safe for bytes from someone else.)

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

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:
    from typing import BinaryIO

APP_DIR_NAME = "ses-lsp"
CACHE_FILE_NAME = "results.jsonl"
ENV_CACHE_DIR = "SES_LSP_CACHE_DIR"
FORMAT = 3
# Untouched entries are dropped beyond this many (the cache cannot grow forever).
MAX_ENTRIES = 50_000
# A larger file is not read (50,000 typical records take about 60 MB).
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


# The header line is short; a first line longer than this is not a cache file of this format.
_MAX_HEADER_LINE = 4096
# Where an entry's line is, as one int: offset << _SHIFT | length (a longer line is not
# stored; MAX_FILE_BYTES < 2**_SHIFT).  Negative (~place): the entry was used in this run.
_SHIFT = 28
_LENGTH = (1 << _SHIFT) - 1


def _span(place: int) -> tuple[int, int]:
    """(offset, length) of a place."""
    if place < 0:
        place = ~place
    return place >> _SHIFT, place & _LENGTH


def _line(key: str, dig: str, value: object) -> bytes | None:
    """The file line of an entry; None when the value cannot be stored (not JSON data)."""
    import json

    try:
        return (json.dumps([key, dig, value], ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    except (TypeError, ValueError, RecursionError):  # not JSON data; a lone surrogate (UnicodeEncodeError)
        return None


class Cache:
    """The cache of one run.  ``get``/``put`` by entry key and digest; ``save`` at the end.

    Memory stays small whatever the number of entries: loading reads only each
    line's key (an index of where each line is), ``get`` reads and checks one
    line, ``put`` appends the new line to an unnamed temporary file, and
    ``save`` copies lines into the new file.  Nothing holds the values.
    """

    def __init__(self, directory: str, version: str, fingerprint: str | None = None) -> None:
        self.directory = directory
        self.path = os.path.join(directory, CACHE_FILE_NAME)
        self.header = [
            FORMAT,
            version,
            fingerprint if fingerprint is not None else package_fingerprint(),
            "{}.{}".format(*sys.version_info[:2]),
        ]
        self._file: BinaryIO | None = None  # the cache file read at load
        self._index: dict[str, int] = {}  # key -> place of its line in _file (see _SHIFT)
        self._spool: BinaryIO | None = None  # lines put in this run
        self._new: dict[str, int] = {}  # key -> place of its line in _spool
        self.dirty = False
        self.hits = 0
        self.misses = 0

    def __contains__(self, key: str) -> bool:
        return key in self._new or key in self._index

    def __len__(self) -> int:
        return len(self._new) + sum(1 for k in self._index if k not in self._new)

    # -- I/O ----------------------------------------------------------------

    def load(self) -> Cache:
        """Index the cache file; anything unreadable, stale or malformed leaves the cache empty
        (a malformed line: that entry)."""
        self.close()
        self._index = {}
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 - kept open for get() and save()
        except OSError:
            return self
        try:
            if os.fstat(fh.fileno()).st_size > MAX_FILE_BYTES or not self._read_header(fh):
                fh.close()
                return self
            self._index = self._read_index(fh)
        except (OSError, ValueError, MemoryError):
            fh.close()
            self._index = {}
            return self
        self._file = fh
        return self

    def _read_header(self, fh: BinaryIO) -> bool:
        import json

        line = fh.readline(_MAX_HEADER_LINE)
        if not line.endswith(b"\n"):
            return False
        try:
            data = json.loads(line.decode("utf-8"))
        except (ValueError, RecursionError):  # not UTF-8, not JSON
            return False
        return isinstance(data, dict) and data.get("header") == self.header

    @staticmethod
    def _read_index(fh: BinaryIO) -> dict[str, int]:
        """key -> place of each well-formed line ``["key","digest",value]`` (the value is read
        by get(), not here); the last line of a key wins."""
        from json import JSONDecoder

        decode = JSONDecoder().raw_decode
        index: dict[str, int] = {}
        offset = fh.tell()
        for line in fh:
            n = len(line)
            if line.startswith(b'["') and line.endswith(b"]\n"):
                try:
                    text = line.decode("utf-8")
                    key, end = decode(text, 1)
                    dig, end = decode(text, end + 1) if text[end] == "," else (None, end)
                except (ValueError, IndexError, RecursionError):
                    key = dig = None
                if key.__class__ is str and dig.__class__ is str and text[end] == ",":
                    index[key] = offset << _SHIFT | n
            offset += n
        return index

    @staticmethod
    def _read_line(fh: BinaryIO, place: int) -> list | None:
        """The entry ``[key, digest, value]`` at ``place``, None if unreadable or malformed."""
        import json

        offset, length = _span(place)
        try:
            fh.seek(offset)
            data = json.loads(fh.read(length).decode("utf-8"))
        except (OSError, ValueError, RecursionError, MemoryError):
            return None
        if data.__class__ is not list or len(data) != 3 or data[1].__class__ is not str:
            return None
        return data

    @staticmethod
    def _copy(src: BinaryIO, place: int, dst: BinaryIO) -> None:
        offset, length = _span(place)
        src.seek(offset)
        dst.write(src.read(length))

    def save(self) -> bool:
        """Write the cache if it changed; returns True when written.  Never raises.

        The new file holds the entries put in this run, then the old entries in their
        order: those used in this run, and the others while there are fewer than
        MAX_ENTRIES in all.
        """
        if not self.dirty:
            self.close()
            return False
        import json

        tmp = f"{self.path}.{os.getpid()}.tmp"
        try:
            os.makedirs(self.directory, mode=0o700, exist_ok=True)
            ignore = os.path.join(self.directory, ".gitignore")
            if not os.path.exists(ignore):
                with open(ignore, "w", encoding="utf-8") as fh:
                    fh.write("# Created by ses-lsp: this directory is a cache.\n*\n")
            with open(tmp, "wb") as out:
                out.write(json.dumps({"header": self.header}, ensure_ascii=False).encode("utf-8") + b"\n")
                if self._spool is not None:
                    for place in self._new.values():
                        self._copy(self._spool, place, out)
                if self._file is not None:
                    old = [(k, p) for k, p in self._index.items() if k not in self._new]
                    room = MAX_ENTRIES - len(self._new) - sum(1 for _, p in old if p < 0)
                    for _key, place in old:
                        if place >= 0:  # not used in this run: kept while there is room
                            if room <= 0:
                                continue
                            room -= 1
                        self._copy(self._file, place, out)
            self.close()  # (before replacing the file it reads)
            os.replace(tmp, self.path)
        except OSError:
            self.close()
            try:
                os.unlink(tmp)
            except OSError:
                pass
            return False
        self.dirty = False
        return True

    def close(self) -> None:
        """Release the files (the entries are gone: call load() again to read the cache)."""
        for fh in (self._file, self._spool):
            if fh is not None:
                fh.close()
        self._file = self._spool = None
        self._index = {}
        self._new = {}

    # -- entries ------------------------------------------------------------

    def _entry(self, key: str) -> list | None:
        place = self._new.get(key)
        if place is not None:
            assert self._spool is not None  # set with _new
            self._spool.flush()
            return self._read_line(self._spool, place)
        place = self._index.get(key)
        if place is not None and self._file is not None:
            return self._read_line(self._file, place)
        return None

    def _drop(self, key: str) -> None:
        self._new.pop(key, None)
        self._index.pop(key, None)
        self.dirty = True

    def get(self, key: str, dig: str, check: Callable[[object], bool] | None = None):
        """The value stored for ``key`` if its digest is ``dig`` (and ``check`` accepts it:
        the file is not trusted to hold what it should), else ``None``."""
        if key in self:
            entry = self._entry(key)
            if entry is None or entry[0] != key:
                self._drop(key)  # damaged: the file is not what was written
            elif entry[1] == dig:
                value = entry[2]
                if check is None or check(value):
                    self.hits += 1
                    place = self._index.get(key)
                    if place is not None and place >= 0 and key not in self._new:
                        self._index[key] = ~place  # used: kept first at save
                    return value
                self._drop(key)
        self.misses += 1
        return None

    def put(self, key: str, dig: str, value: object) -> None:
        """Store ``value`` (JSON data: dicts with string keys, lists, strings, numbers,
        booleans, None) for ``key`` under digest ``dig``; a value JSON cannot hold is not stored."""
        line = _line(key, dig, value)
        if line is None or len(line) > _LENGTH:
            return
        place = self._new.get(key)
        if place is None:
            place = self._index.get(key)
            if place is not None and self._file is not None and _span(place)[1] == len(line):
                old = self._read_line(self._file, place)
                if old is not None and old == [key, dig, value]:
                    if place >= 0:
                        self._index[key] = ~place
                    return  # the same entry: nothing to write
        if self._spool is None:
            import tempfile

            self._spool = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        try:
            self._spool.seek(0, os.SEEK_END)
            offset = self._spool.tell()
            self._spool.write(line)
        except OSError:  # no room for the temporary file: the entry is not cached
            return
        self._new[key] = offset << _SHIFT | len(line)
        self.dirty = True
