"""Linting many files: configuration per file, the cache, worker processes, fixes.

Results travel as plain *records* (dicts of strings, ints, lists), which the
cache stores as JSON (and checks with :func:`valid_record` when reading them
back), worker processes send back cheaply, and the formatters
(:mod:`ses_lsp.lint.output`) print without the engine::

    record = {
        "kind": "ses:create-receipt-rule" | None,
        "skipped": bool,               # not an SES document (directory walk)
        "diagnostics": [diagnostic, ...],   # sorted by position
    }
    diagnostic = {
        "code": "SES101", "name": "unknown-member", "severity": "error",
        "message": str, "pointer": "/Rule/Actions/0",
        "start": [offset, line, column], "end": [offset, line, column],
        "source": [text, first_column, line_length] | None,  # the start line (maybe a window of it)
        "related": [{"file": str | None, "message": str, "start": [...], "end": [...]}],
        "fix": None | {"title": str, "safe": bool,
                       "edits": [{"start": [...], "end": [...], "newText": str}]},
        "tags": [str, ...],
    }
    (and "sets": [defines, uses, copies], lists of classic rule-set names, when the
    document defines rules of a rule set, names rules of one in After/RuleName/RuleNames,
    or clones one: what cross-file checks need, see ses_lsp.lint.rules.names.rule_set_links;
    Mail Manager pipeline resources it defines or references are there by type, "@relay",
    see ses_lsp.lint.repository.pipeline_links;
    and "reads": [[path, size, mtime_ns], ...] when the checks read other files, a routing
    test's rule files: a cached record is used only while they are unchanged)

Offsets are character offsets into the decoded text; lines and columns are
0-based here (formatters show them 1-based); columns count characters.

Nothing heavy is imported at module level: a run whose files are all in the
cache never imports the engine, the parsers or the schemas.
"""

from __future__ import annotations

import gc
import marshal
import os
import sys

import ses_lsp
from ses_lsp.lint.cache import Cache, default_cache_dir, digest
from ses_lsp.lint.files import Target, find_config_path, read_file, unchanged

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:  # (imported when used: a run whose files are all cached does not need it)
    from collections.abc import Iterator, Sequence
    from typing import Any

    from ses_lsp.lint.config import Config

SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}
# Lines longer than this are shown as a window around the diagnostic.
MAX_SOURCE = 200
SOURCE_LEAD = 60
# Worker processes start once this many files wait to be linted (fewer are linted in
# process, even with --jobs > 1).
MIN_PARALLEL_FILES = 8
MAX_DEFAULT_JOBS = 8
MAX_FIX_ROUNDS = 5


def default_jobs() -> int:
    try:
        n = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        n = os.cpu_count() or 1
    return max(1, min(n, MAX_DEFAULT_JOBS))


# -- records -------------------------------------------------------------------


def _source(lines, line: int, col: int, secrets=None) -> list | None:
    if lines is None:
        return None
    text = lines.line_text(line)
    if secrets:
        text = secrets.redact(text, lines.starts[line])
    n = len(text)
    if n <= MAX_SOURCE:
        return [text, 0, n]
    begin = max(0, min(col - SOURCE_LEAD, n - MAX_SOURCE))
    return [text[begin : begin + MAX_SOURCE], begin, n]


def _positions(lines):
    """The function giving the record position ``[offset, line, column]`` of an offset in
    ``lines`` (clamped to the text; without lines, the offset's own).  What it reads is held
    in locals: a record converts up to six offsets a diagnostic, thousands on a file with
    many diagnostics (issue 10, section 2)."""
    if lines is None:
        return lambda offset: [offset, 0, offset]
    from bisect import bisect_right

    starts = lines.starts
    size = len(lines.text)

    def pos(offset: int) -> list[int]:
        offset = 0 if offset < 0 else size if offset > size else offset
        line = bisect_right(starts, offset) - 1
        return [offset, line, offset - starts[line]]

    return pos


def make_record(result, text: str | None = None) -> dict:
    """The plain record of an engine :class:`~ses_lsp.lint.engine.LintResult`."""
    lines = None
    doc = result.document
    if doc is not None:
        lines = doc.lines
    elif text is not None and result.diagnostics:
        from ses_lsp.document.nodes import LineIndex

        lines = LineIndex(text)
    from ses_lsp.lint.related import RelatedFiles

    other_files = RelatedFiles()
    diags = []
    secrets = None
    if result.diagnostics and doc is not None:
        from ses_lsp.lint.secrets import find_secrets

        # Credentials (ses_lsp.lint.secrets) are masked in every source excerpt,
        # whichever diagnostic the line belongs to.
        secrets = getattr(result, "secrets", None)
        if secrets is None:
            secrets = find_secrets(doc)
    pos = _positions(lines)
    for d in result.diagnostics:
        start = pos(d.start)
        end = pos(d.end if d.end > d.start else d.start)
        related = []
        for r in d.related:
            rpos = pos if r.file is None else _positions(other_files.lines(r.file))
            related.append(
                {
                    "file": r.file,
                    "message": r.message,
                    "start": rpos(r.start),
                    "end": rpos(r.end if r.end > r.start else r.start),
                }
            )
        fix = None
        if d.fix is not None:
            fix = {
                "title": d.fix.title,
                "safe": bool(d.fix.safe),
                "edits": [
                    {"start": pos(e.start), "end": pos(e.end if e.end > e.start else e.start), "newText": e.new_text}
                    for e in d.fix.edits
                ],
            }
        sev = d.severity
        diags.append(
            {
                "code": d.code,
                "name": d.name,
                "severity": sev.label if hasattr(sev, "label") else str(sev),
                "message": d.message,
                "pointer": d.pointer or "",
                "start": start,
                "end": end,
                "source": _source(lines, start[1], start[2], secrets),
                "related": related,
                "fix": fix,
                "tags": list(d.tags or ()),
            }
        )
    record = {
        "kind": result.kind,
        "skipped": bool(result.skipped),
        "diagnostics": diags,
    }
    if doc is not None and result.kind is not None:
        from ses_lsp.lint.repository import TEMPLATE_KIND, pipeline_links
        from ses_lsp.lint.rules.names import rule_set_links

        defines, uses, copies = rule_set_links(doc.root, result.kind)
        if result.kind == TEMPLATE_KIND:
            # The classic rule sets its ReceiptRule resources add rules to, as the repository
            # model reads them (lint --root sees them too).
            from ses_lsp.lint.repository import summary_data

            data = summary_data(doc.root, result.kind, doc.text)
            defines = [name for name, _complete, _copies in data["sets"]] if data is not None else []
        # The Mail Manager pipeline resources it defines and names, by type: "@relay" (no rule
        # set name starts with "@"), from the repository model's table.
        pipeline_defines, pipeline_uses = pipeline_links(doc.root, result.kind)
        links = (defines + pipeline_defines, uses + pipeline_uses, copies)
        if any(links):
            record["sets"] = list(links)
        if result.kind == "ses-lsp:routing-test":  # (ses_lsp.schema.ROUTING_TEST_KIND)
            from ses_lsp.routing_files import dependencies

            reads = dependencies(result.path, doc.root)
            if reads:
                record["reads"] = reads
    return record


# Offsets, lines and columns in a record fit the largest file the engine reads.
_MAX_POSITION = 1 << 32


def _position_ok(p: object) -> bool:
    if p.__class__ is not list or len(p) != 3:
        return False
    a, b, c = p
    return (
        a.__class__ is int
        and b.__class__ is int
        and c.__class__ is int
        and 0 <= a < _MAX_POSITION
        and 0 <= b < _MAX_POSITION
        and 0 <= c < _MAX_POSITION
    )


def _text_ok(s: object) -> bool:
    """A string a formatter prints as it is: no control characters (an escape sequence
    from a tampered cache must not reach the terminal)."""
    if s.__class__ is not str:
        return False
    return s.isprintable() or all(c.isprintable() or c in " \t" for c in s)


def _diagnostic_ok(d: object) -> bool:
    if d.__class__ is not dict:
        return False
    g = d.get
    if not (
        _text_ok(g("code"))
        and _text_ok(g("name"))
        and _text_ok(g("message"))
        and _text_ok(g("pointer"))
        and g("severity") in SEVERITY_RANK
        and _position_ok(g("start"))
        and _position_ok(g("end"))
    ):
        return False
    source = g("source")
    if source is not None:
        if source.__class__ is not list or len(source) != 3:
            return False
        text, first, length = source
        if not (
            text.__class__ is str
            and first.__class__ is int
            and length.__class__ is int
            and 0 <= first < _MAX_POSITION
            and 0 <= length < _MAX_POSITION
        ):
            return False
    related = g("related")
    if related.__class__ is not list:
        return False
    for r in related:
        if r.__class__ is not dict:
            return False
        f = r.get("file")
        if not (
            (f is None or f.__class__ is str)
            and _text_ok(r.get("message"))
            and _position_ok(r.get("start"))
            and _position_ok(r.get("end"))
        ):
            return False
    fix = g("fix")
    if fix is not None:
        if fix.__class__ is not dict or not _text_ok(fix.get("title")) or fix.get("safe").__class__ is not bool:
            return False
        edits = fix.get("edits")
        if edits.__class__ is not list:
            return False
        for e in edits:
            if not (
                e.__class__ is dict
                and _position_ok(e.get("start"))
                and _position_ok(e.get("end"))
                and e.get("newText").__class__ is str
            ):
                return False
    tags = g("tags")
    if tags.__class__ is not list:
        return False
    for t in tags:
        if not _text_ok(t):
            return False
    return True


def _sets_ok(sets: object) -> bool:
    return (
        sets.__class__ is list
        and len(sets) == 3
        and all(names.__class__ is list and all(n.__class__ is str for n in names) for names in sets)
    )


def _reads_ok(reads: object) -> bool:
    if not isinstance(reads, list):
        return False
    return all(
        r.__class__ is list
        and len(r) == 3
        and r[0].__class__ is str
        and r[1].__class__ is int
        and r[2].__class__ is int
        for r in reads
    )


def valid_record(record: object) -> bool:
    """Is ``record`` a record as described above (what the cache gives back is checked:
    a damaged or hostile cache file must not crash a formatter or reach the terminal)?"""
    if record.__class__ is not dict:
        return False
    g = record.get
    kind, diags, sets, reads = g("kind"), g("diagnostics"), g("sets"), g("reads")
    if not (
        (kind is None or _text_ok(kind))
        and g("skipped").__class__ is bool
        and (sets is None or _sets_ok(sets))
        and (reads is None or _reads_ok(reads))
        and diags.__class__ is list
    ):
        return False
    for d in diags:
        if not _diagnostic_ok(d):
            return False
    return True


def _config_value_ok(value: object) -> bool:
    return value.__class__ is list and len(value) == 2 and all(_text_ok(v) for v in value)


def lint_one(data: bytes, name: str | None, config, kind: str | None, explicit: bool, workspace=None) -> dict:
    """Lint one file's bytes and return its record.  Never raises for any content."""
    # The collector stays paused until the record is made, not only during the lint (as
    # lint_text would): the record's walk over the tree (secret spans) would otherwise pay
    # for full collections over every node of it, a third of the time of a large document.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        from ses_lsp.lint.engine import lint_bytes

        result = lint_bytes(
            data, name, config=config, kind=kind, explicit=explicit, workspace=workspace, pause_gc=False
        )
        text = None
        if result.document is None and result.diagnostics and any(d.start for d in result.diagnostics):
            text = data.decode("utf-8", errors="replace")
        return make_record(result, text)
    except Exception as exc:  # one file's failure must not lose the others' results
        return {
            "kind": None,
            "skipped": False,
            "diagnostics": [
                {
                    "code": "SES008",
                    "name": "internal-error",
                    "severity": "error",
                    "message": f"internal error while checking this file: {type(exc).__name__}: {exc}; "
                    "please report this with the file",
                    "pointer": "",
                    "start": [0, 0, 0],
                    "end": [0, 0, 0],
                    "source": None,
                    "related": [],
                    "fix": None,
                    "tags": [],
                }
            ],
        }
    finally:
        if gc_was_enabled:
            gc.enable()


def _init_worker() -> None:  # pragma: no cover - runs in worker processes
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _lint_chunk(items: list) -> bytes:  # pragma: no cover - runs in worker processes
    """The records of ``items``, serialized here rather than by the pool (which pickles).

    With :mod:`marshal`, not pickle: records are plain values (dicts, lists, strings, numbers),
    which marshal writes and reads in about half the time (the 300 noisy files' records, in chunks
    of 16: dumps 58 -> 24 ms, loads 78 -> 46 ms; issue 10, section 2).  A record marshal cannot
    write (a value of another type) is pickled: the first byte says which.
    """
    records = [lint_one(*item) for item in items]
    try:
        return b"m" + marshal.dumps(records)
    except ValueError:
        import pickle

        return b"p" + pickle.dumps(records, pickle.HIGHEST_PROTOCOL)


def _records(data: bytes) -> list[dict]:
    """The records of a chunk (:func:`_lint_chunk`).  (Read while the parent's collector is
    paused: see :meth:`Runner._linted`.)"""
    if data[:1] == b"m":
        records: list[dict] = marshal.loads(memoryview(data)[1:])
    else:
        import pickle

        records = pickle.loads(memoryview(data)[1:])
    return records


# -- running -------------------------------------------------------------------
#
# Files are read, linted and reported one by one, in order, and the runner keeps
# nothing of a file once its report is handed out (but the rule-set names of files
# that define classic rules, for cross-file checks): memory does not grow with the
# number of files.  With worker processes (--jobs N: N - 1 of them), consecutive
# files to lint go out in chunks of at most CHUNK_FILES files or CHUNK_BYTES bytes, at
# most CHUNKS_PER_WORKER chunks per worker at once (while they have that many, and for
# the last files of the run, this process lints them itself), and at most WINDOW
# reports wait for an earlier one to be complete (the reorder window).

CHUNK_FILES = 8
CHUNK_BYTES = 256 * 1024
CHUNKS_PER_WORKER = 2
WINDOW = 256


class Options:
    """What ``ses-lsp lint`` was asked to do (besides which paths)."""

    def __init__(
        self,
        *,
        kind: str | None = None,
        select: tuple[str, ...] | None = None,
        ignore: tuple[str, ...] | None = None,
        config_file: str | None = None,
        use_cache: bool = True,
        jobs: int | None = None,
        verbose: bool = False,
        keep_data: bool = False,
        root: str | None = None,
    ) -> None:
        self.kind = kind
        self.select = select
        self.ignore = ignore
        self.config_file = os.path.abspath(config_file) if config_file else None
        self.use_cache = use_cache
        self.jobs = jobs if jobs and jobs > 0 else default_jobs()
        self.verbose = verbose
        # Keep every file's bytes after linting (for --fix and --diff).
        self.keep_data = keep_data
        # The repository root (--root): cross-file checks see every SES document under it.
        self.root = os.path.abspath(root) if root else None

    def key(self) -> str:
        return repr((self.kind,))


class ConfigProblem(Exception):
    """A configuration file that cannot be used (the :class:`ConfigError` message)."""


class ConfigRef:
    """The configuration of some files: its fingerprint and ``fail-on``, and the real
    :class:`~ses_lsp.lint.config.Config` when files must be linted.

    A configuration file that loaded before (same path, same bytes, same
    package) is known valid, so its fingerprint and ``fail-on`` come from the
    cache and the configuration module is not even imported.
    """

    __slots__ = ("path", "options", "key", "fingerprint", "fail_on", "_config")

    def __init__(self, path: str | None, options: Options) -> None:
        self.path = path
        self.options = options
        data = b""
        if path is not None:
            try:
                with open(path, "rb") as fh:
                    data = fh.read()
            except OSError:
                data = b"\0unreadable"
        # Without a file the configuration is the default one rooted at the current directory.
        self.key = digest("config", path or os.getcwd(), data, repr((options.select, options.ignore)))
        self.fingerprint: str | None = None
        self.fail_on = "error"
        self._config: Config | None = None

    def config(self) -> Config:
        """The real configuration (loaded once); raises ConfigProblem."""
        if self._config is None:
            from ses_lsp.lint.config import Config, ConfigError, load_config_file

            try:
                cfg = Config(root=os.getcwd()) if self.path is None else load_config_file(self.path)
            except ConfigError as exc:
                raise ConfigProblem(str(exc)) from None
            opts = self.options
            if opts.select is not None or opts.ignore is not None:
                cfg = cfg.with_overrides(select=opts.select, ignore=opts.ignore)
            self._config = cfg
            self.fingerprint = cfg.fingerprint()
            self.fail_on = cfg.fail_on or "error"
        return self._config

    def resolve(self, cache: Cache | None) -> None:
        """Set ``fingerprint`` and ``fail_on``, from the cache when possible; raises ConfigProblem."""
        if self.fingerprint is not None:
            return
        if cache is not None:
            value = cache.get("config:" + (self.path or ""), self.key, _config_value_ok)
            if value is not None and value[1] in SEVERITY_RANK:
                self.fingerprint, self.fail_on = value
                return
        self.config()
        if cache is not None:
            cache.put("config:" + (self.path or ""), self.key, [self.fingerprint, self.fail_on])


class FileReport:
    """A target and what became of it: a record, or an error (unreadable file).

    ``index``: the target's place in the list given to :meth:`Runner.reports`.
    """

    __slots__ = ("target", "index", "record", "error", "config", "data", "cached", "fixed", "keys", "workspace")

    def __init__(self, target: Target, index: int = 0) -> None:
        self.target = target
        self.index = index
        self.record: dict | None = None
        self.error: str | None = None
        self.config: ConfigRef | None = None
        self.data: bytes | None = None
        self.cached = False
        self.fixed = 0  # problems fixed in this file
        self.keys: tuple[str, str] | None = None  # its cache entry (key, digest)
        # The other files' rule sets its record was linted against (cross-file checks), if any.
        self.workspace: dict | None = None

    @property
    def display(self) -> str:
        return self.target.display

    @property
    def checked(self) -> bool:
        return self.record is not None and not self.record["skipped"]

    @property
    def done(self) -> bool:
        return self.record is not None or self.error is not None


class _Spool:
    """Reports waiting for the end of the run (until every file defining classic rules
    is known), in an unnamed temporary file: one JSON line per report, then its bytes."""

    def __init__(self) -> None:
        import tempfile

        self.file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by replay()
        self.uses: set[str] = set()  # rule sets whose rules the waiting reports name

    def add(self, rep: FileReport, uses: list[str] | None, with_data: bool) -> None:
        import json

        data = rep.data if with_data else None
        head = [rep.index, rep.cached, rep.error, rep.record, -1 if data is None else len(data)]
        self.file.write(json.dumps(head, separators=(",", ":")).encode("ascii") + b"\n")  # (ASCII: escapes)
        if data is not None:
            self.file.write(data)
        if uses:
            self.uses.update(uses)

    def replay(self, runner: Runner, targets: list[Target]) -> Iterator[FileReport]:
        import json

        f = self.file
        try:
            f.seek(0)
            while line := f.readline():
                index, cached, error, record, size = json.loads(line)
                rep = FileReport(targets[index], index)
                rep.config = runner.config_ref(rep.target)
                rep.cached, rep.error, rep.record = cached, error, record
                if size >= 0:
                    rep.data = f.read(size)
                yield rep
        finally:
            f.close()


class Runner:
    def __init__(self, options: Options, stdin=None) -> None:
        self.options = options
        self.stdin = stdin
        self._dir_memo: dict[str, str | None] = {}
        self._refs_by_dir: dict[str, ConfigRef] = {}
        self._refs_by_file: dict[str | None, ConfigRef] = {}
        self.cache: Cache | None = None
        self._run_cache: Cache | None = None  # the cache of this run (None: not used)
        self.linted = 0  # files whose result was computed in this run (not from the cache)

    # -- configuration ---------------------------------------------------------

    def project_root(self) -> str:
        if self.options.config_file:
            return os.path.dirname(self.options.config_file)

        found = find_config_path(os.getcwd(), self._dir_memo)
        return os.path.dirname(found) if found else os.getcwd()

    def config_ref(self, target: Target) -> ConfigRef:
        """The configuration of ``target`` (with the command-line overrides)."""
        opts = self.options
        d = os.path.dirname(target.abspath or os.path.abspath(target.name or "-"))
        ref = self._refs_by_dir.get(d)
        if ref is None:
            if opts.config_file:
                path: str | None = opts.config_file
            else:
                path = find_config_path(d, self._dir_memo)
            ref = self._refs_by_file.get(path)
            if ref is None:
                ref = self._refs_by_file[path] = ConfigRef(path, opts)
            self._refs_by_dir[d] = ref
        return ref

    # -- linting ---------------------------------------------------------------

    def _cache(self) -> Cache | None:
        if self.cache is None and self.options.use_cache:
            directory = default_cache_dir(self.project_root())
            if directory is not None:
                self.cache = Cache(directory, ses_lsp.__version__).load()
        return self.cache

    @staticmethod
    def _keys(report: FileReport, opts_key: str) -> tuple[str, str]:
        t = report.target
        apath = t.abspath or ""
        flag = "1" if t.explicit else "0"
        key = digest(apath, flag)
        ref, data = report.config, report.data
        assert ref is not None and ref.fingerprint is not None and data is not None  # resolved and read first
        return key, digest(opts_key, ref.fingerprint, apath, flag, data)

    def run(self, targets: list[Target]) -> list[FileReport]:
        """Every report at once (see :meth:`reports`, which streams them)."""
        return list(self.reports(targets))

    def reports(self, targets: list[Target], *, by_name: bool = False) -> Iterator[FileReport]:
        """Lint ``targets`` and yield one report per target, each with its final record
        (cross-file checks done): in the order of ``targets``, or with ``by_name`` sorted by
        display name (what the JSON format prints).  Raises ConfigProblem for a bad
        configuration before yielding anything.

        A report is yielded as soon as it and every report before it are complete; the
        runner keeps nothing of it afterwards, and its bytes (``data``) only with
        ``keep_data``.  Only a run with files whose references (``After``...) name rules
        of other files holds reports back (from the first such file on) until the end of
        the run, in a temporary file.
        """
        opts = self.options
        self._run_cache = self._cache() if opts.use_cache and any(not t.stdin for t in targets) else None
        for t in targets:  # every configuration problem before any output
            ref = self.config_ref(t)
            if t.stdin:
                ref.config()
            else:
                ref.resolve(self._run_cache)
        order = sorted(range(len(targets)), key=lambda i: targets[i].display) if by_name else range(len(targets))
        root = self.repository_root()
        if root is not None:
            return self._against_repository(self._linted(targets, order), self.repository(root))
        return self._cross_file(self._linted(targets, order), targets)

    # -- the repository (ses_lsp.lint.repository) --------------------------------

    def repository_root(self) -> str | None:
        """The repository root: ``--root``, else the ``root`` key of the configuration of the
        current directory (or ``--config``), else None (cross-file checks see the files of the run).
        Raises ConfigProblem."""
        if self.options.root is not None:
            return self.options.root
        path = self.options.config_file or find_config_path(os.getcwd(), self._dir_memo)
        if path is None:
            return None
        try:
            with open(path, "rb") as fh:
                if b"root" not in fh.read():  # (most configurations: their module is not even imported)
                    return None
        except OSError:
            return None
        return self._refs_for_config(path).config().repository_root

    def _refs_for_config(self, path: str | None) -> ConfigRef:
        ref = self._refs_by_file.get(path)
        if ref is None:
            ref = self._refs_by_file[path] = ConfigRef(path, self.options)
        return ref

    def repository(self, root: str):
        """Index the SES documents under ``root`` (the cache first; the rest in --jobs workers)."""
        from ses_lsp.lint.files import display_path
        from ses_lsp.lint.repository import build

        if not os.path.isdir(root):
            raise ConfigProblem(f"the repository root {root!r} is not a directory")

        def config_for(path: str):
            return self.config_ref(Target(path, path, path, False, abspath=os.path.abspath(path))).config()

        cache = self._run_cache if self._run_cache is not None else (self._cache() if self.options.use_cache else None)
        return build(root, config_for=config_for, cache=cache, jobs=self.options.jobs, name_of=display_path)

    def _against_repository(self, stream: Iterator[FileReport], repository) -> Iterator[FileReport]:
        """Re-check the files that name rules of other files' rule sets against the repository.
        Every definition is known before the first report: nothing waits, nothing is spooled."""
        keep = self.options.keep_data
        for rep in stream:
            rec = rep.record
            sets = rec.get("sets") if rec is not None and rep.data is not None and not rep.target.stdin else None
            uses = sets[1] if sets else None
            own = rep.target.abspath
            if uses and (repository.defines_rule_set(uses, own=own) or repository.defines_pipeline(uses, own=own)):
                t = rep.target
                assert rep.data is not None and rep.config is not None  # read with its config
                rep.record = lint_one(
                    rep.data, t.name, rep.config.config(), self.options.kind, t.explicit, workspace=repository
                )
                rep.workspace = repository
                if rep.cached:
                    self.linted += 1
                rep.cached = False
            if not keep:
                rep.data = None
            yield rep

    def _read(self, index: int, target: Target, opts_key: str) -> FileReport:
        """The report of ``target`` with its bytes, and its record when the cache has it."""
        rep = FileReport(target, index)
        rep.config = self.config_ref(target)
        if target.stdin:
            stream = self.stdin if self.stdin is not None else sys.stdin.buffer
            try:
                rep.data = stream.read()
            except OSError as exc:
                rep.error = f"cannot read the standard input: {exc.strerror or exc}"
            return rep
        assert target.path is not None  # only the standard input has none
        try:
            rep.data = read_file(target.path)
        except OSError as exc:
            rep.error = f"cannot read {target.display!r}: {exc.strerror or exc}"
            return rep
        cache = self._run_cache
        if cache is not None:
            rep.keys = self._keys(rep, opts_key)
            value = cache.get(*rep.keys, check=valid_record)
            if value is not None and ("reads" not in value or unchanged(value["reads"])):
                rep.record = value
                rep.cached = True
        return rep

    def _item(self, rep: FileReport) -> tuple:
        """The arguments of :func:`lint_one` for a report."""
        t = rep.target
        assert rep.config is not None  # set by _read()
        return (rep.data, t.name, rep.config.config(), self.options.kind, t.explicit)

    def _set_record(self, rep: FileReport, record: dict) -> None:
        rep.record = record
        self.linted += 1
        if self._run_cache is not None and rep.keys is not None:
            self._run_cache.put(*rep.keys, record)

    def _lint_here(self, reps: list[FileReport]) -> None:
        for rep in reps:
            self._set_record(rep, lint_one(*self._item(rep)))

    def _warm(self, batch: list[FileReport]) -> list[FileReport]:
        """Lint here, before the workers start, the first file of ``batch`` of each format
        (JSON, YAML); the rest of the batch is returned.

        What a process's first lint of a format costs besides the file (importing the rule
        families and the YAML parser, compiling regular expressions and schemas: about 50 ms) is
        then paid once, in the parent, and the forked workers inherit it, instead of once in each
        worker: on the 300 noisy files (issue 10, section 2), the CPU of the whole run with 2
        workers went from 943 to 893 ms (the parent's from 266 to 329, the two files it lints
        included), that of --jobs 1 being 715 (medians of 7 interleaved runs, measured both ways;
        benchmarks/bench_cli_cpu.py measures the whole run).
        """
        from ses_lsp.document.document import guess_format

        seen: set[str] = set()
        rest = []
        for rep in batch:
            fmt = guess_format(rep.target.name, (rep.data or b"")[:64].decode("utf-8", "replace"))
            if fmt in seen:
                rest.append(rep)
            else:
                seen.add(fmt)
                self._lint_here([rep])
        return rest

    def _pool(self):
        """The worker processes: --jobs minus this one."""
        import multiprocessing

        # Import the engine before forking so that workers inherit it.
        import ses_lsp.lint.engine  # noqa: F401

        fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if fork else "spawn")
        return ctx.Pool(self.options.jobs - 1, initializer=_init_worker)

    def _linted(self, targets: list[Target], order: Sequence[int]) -> Iterator[FileReport]:
        """Reports with their single-file records, in ``order`` (with --jobs N > 1, once at least
        MIN_PARALLEL_FILES files are to be linted, in this process and N - 1 worker processes)."""
        from collections import deque

        opts = self.options
        opts_key = opts.key()
        parallel = opts.jobs > 1
        # This process lints too: files go to the workers in chunks while they have fewer than
        # `most`, else are linted here one by one (see lint_here()).
        most = (opts.jobs - 1) * CHUNKS_PER_WORKER
        window: deque[FileReport] = deque()  # reports not yet yielded, in order
        batch: list[FileReport] = []  # to lint, not yet sent
        batch_bytes = 0
        sent: deque[tuple[Any, list[FileReport]]] = deque()  # (AsyncResult, its reports), in order
        pool = None
        gc_paused = False
        # The last files are linted here (as many as a worker has queued): the workers finish
        # what they have meanwhile, instead of this process waiting for them at the end.
        left = len(order)

        def collect() -> None:
            result, reps = sent.popleft()
            records = _records(result.get())
            for rep, record in zip(reps, records, strict=True):
                self._set_record(rep, record)

        def send(chunk: list[FileReport]) -> None:
            assert pool is not None
            sent.append((pool.apply_async(_lint_chunk, ([self._item(r) for r in chunk],)), chunk))

        def lint_here(rep: FileReport) -> None:
            """Lint a file here while the workers have work enough.  Why (issue 10, section 2):
            the process that reads the files and prints the reports has spare time, and a
            worker fewer is a fork and a transfer of records fewer.  On the 300 noisy files
            with --jobs 2 (instructions of the parent and the workers, less what the workers
            inherit at the fork): 2 workers 4.8 G, 1 worker and this process 4.4 G, --jobs 1
            4.1 G; the 300 mixed files: 7.6, 7.7 and 7.4 G."""
            self._lint_here([rep])
            if gc_paused:
                # (a lint's cyclic garbage, a tree's nodes on some kinds, is young: freed here)
                gc.collect(0)

        try:
            for index in order:
                rep = self._read(index, targets[index], opts_key)
                window.append(rep)
                left -= 1
                if not rep.done:
                    if pool is not None and (len(sent) >= most or left < CHUNKS_PER_WORKER * CHUNK_FILES):
                        lint_here(rep)
                    elif parallel:
                        batch.append(rep)
                        batch_bytes += len(rep.data or b"")
                    else:
                        self._lint_here([rep])
                if pool is None and len(batch) >= MIN_PARALLEL_FILES:
                    batch = self._warm(batch)
                    batch_bytes = sum(len(r.data or b"") for r in batch)
                    pool = self._pool()
                    # The parent's automatic collector is paused while workers run (restored
                    # below; what is linted here is collected after it, see lint_here()).
                    # Why (issue 10, section 2): the records of files with many diagnostics are
                    # tens of thousands of containers, none of them garbage (records hold no
                    # cycles), which the collections their arrival triggers scan again and again:
                    # on the 300 noisy files, 40 young and 5 older collections, 72 ms of the
                    # parent's CPU (about 500 ms).
                    gc_paused = gc.isenabled()
                    gc.disable()
                if pool is not None and batch and (len(batch) >= CHUNK_FILES or batch_bytes >= CHUNK_BYTES):
                    send(batch)
                    batch, batch_bytes = [], 0
                while True:
                    while window and window[0].done:
                        yield window.popleft()
                    if sent and sent[0][0].ready():  # (not waiting)
                        collect()
                        continue
                    if len(window) <= WINDOW:
                        break
                    if sent:  # wait for the oldest chunk
                        collect()
                    elif batch:  # the reports waiting are not sent yet
                        if pool is not None:
                            send(batch)
                        else:  # fewer than MIN_PARALLEL_FILES so far: not worth starting workers
                            self._lint_here(batch)
                        batch, batch_bytes = [], 0
                    else:  # pragma: no cover - a waiting report is always in a batch
                        break
            if batch:
                if pool is None:
                    self._lint_here(batch)
                elif not sent:
                    send(batch)
                else:  # the workers have work: linted here (they would finish it last)
                    for rep in batch:
                        lint_here(rep)
                batch = []
            while sent:
                collect()
                while window and window[0].done:
                    yield window.popleft()
            yield from window
            window.clear()
        finally:
            if pool is not None:
                pool.terminate()
                pool.join()
            if gc_paused:
                gc.enable()

    def _cross_file(self, stream: Iterator[FileReport], targets: list[Target]) -> Iterator[FileReport]:
        """Re-check files that name rules (``After``, ``RuleName``, ``RuleNames``) against
        the rule sets the other files of this run define.

        Reports pass through as they come until the first file naming rules; from there
        on they wait in a :class:`_Spool` until every file has been seen.  Then the files
        that define rules of the rule sets named are read again (only the names of their
        rule sets were kept), and the naming files re-linted in process against those
        definitions (their cached, single-file result is never reused for this, so a
        change in another file is always seen).
        """
        keep = self.options.keep_data
        defined: dict[str, list[int]] = {}  # rule set -> indexes of the files defining its rules
        kinds: dict[int, str] = {}  # index of such a file -> its kind
        copies: dict[int, list[str]] = {}  # index of a clone -> the rule sets it copies
        known_kinds: dict[str, str] = {}  # (one string per kind)
        spool: _Spool | None = None
        for rep in stream:
            rec = rep.record
            uses = None
            if rec is not None and rep.data is not None and not rep.target.stdin:
                sets = rec.get("sets")
                if sets:
                    defines, uses, copied = sets
                    if defines:
                        kind = rec["kind"]
                        kinds[rep.index] = known_kinds.setdefault(kind, kind)
                        for name in defines:
                            defined.setdefault(name, []).append(rep.index)
                    if copied:
                        copies[rep.index] = copied
            if uses and spool is None:
                spool = _Spool()
            if spool is not None:
                spool.add(rep, uses, with_data=keep or bool(uses))
                continue
            if not keep:
                rep.data = None
            yield rep
        if spool is None:
            return
        workspace = None
        for rep in spool.replay(self, targets):
            rec = rep.record
            sets = rec.get("sets") if rec is not None and rep.data is not None and not rep.target.stdin else None
            uses = sets[1] if sets else None
            if uses and any(i != rep.index for name in uses for i in defined.get(name, ())):
                if workspace is None:
                    workspace = self._rule_sets(
                        lambda t: self.config_ref(t).config(), targets, spool.uses, defined, kinds, copies
                    )
                t = rep.target
                assert rep.data is not None and rep.config is not None  # spooled with its data; replay() set it
                rep.record = lint_one(
                    rep.data, t.name, rep.config.config(), self.options.kind, t.explicit, workspace=workspace
                )
                rep.workspace = workspace
                if rep.cached:  # counted as cached so far; a file already counted as linted stays one
                    self.linted += 1
                rep.cached = False
            if not keep:
                rep.data = None
            yield rep

    @staticmethod
    def _rule_sets(
        config_for,
        targets: list[Target],
        uses: set[str],
        defined: dict[str, list[int]],
        kinds: dict[int, str],
        copies: dict[int, list[str]],
    ):
        """The repository (:mod:`ses_lsp.lint.repository`) of the files of the run defining rules
        of the rule sets ``uses`` (and of the rule sets those copy) and the pipeline resources of
        the types ``uses`` marks ("@relay"), in the order given."""
        from ses_lsp.lint.repository import Repository, summarize

        names = set(uses)
        todo = list(uses)
        files: set[int] = set()
        while todo:
            for i in defined.get(todo.pop(), ()):
                files.add(i)
                for orig in copies.get(i, ()):
                    if orig not in names:
                        names.add(orig)
                        todo.append(orig)
        repo = Repository()
        for i in sorted(files):
            t = targets[i]
            assert t.path is not None  # the standard input defines nothing here
            try:
                with open(t.path, "rb") as fh:
                    data = fh.read()
            except OSError:
                continue
            repo.set_summary(t.display, summarize(data, t.display, config_for(t), kind=kinds[i]))
        return repo

    def save_cache(self) -> None:
        if self.cache is not None:
            self.cache.save()

    # -- fixing ----------------------------------------------------------------

    def fix_one(self, rep: FileReport, write: bool) -> tuple[str, str] | None:
        """Apply safe fixes to one report's file, re-linting after each round.

        Returns ``(old text, new text)`` when the file changed; with ``write`` the file is
        written back (never the standard input).  The report gets its new record, data
        and ``fixed`` count.  Needs the report's data (``keep_data``).
        """
        from ses_lsp.lint.fixes import apply_edits, choose_fixes, write_atomic

        record = rep.record
        if record is None or rep.data is None or not _safe_fixes(record):
            return None
        try:
            original = rep.data.decode("utf-8")
        except UnicodeDecodeError:
            return None
        text = original
        applied = 0
        t = rep.target
        assert rep.config is not None  # set by reports()
        config = rep.config.config()
        # Re-linted against the same rule sets of the other files as the report was, so
        # the cross-file findings stay (and their safe fixes apply).
        ws = rep.workspace
        if rep.cached:
            # The edits are written into the file: never take them from the cache file.
            record = lint_one(rep.data, t.name, config, self.options.kind, t.explicit, workspace=ws)
            rep.cached = False
        for _ in range(MAX_FIX_ROUNDS):
            fixes = _safe_fixes(record)
            if not fixes:
                break
            chosen, edits = choose_fixes(fixes, len(text))
            if not chosen:
                break
            new = apply_edits(text, edits)
            if new == text:
                break
            text = new
            applied += len(chosen)
            record = lint_one(text.encode("utf-8"), t.name, config, self.options.kind, t.explicit, workspace=ws)
        if text == original:
            return None
        new_bytes = text.encode("utf-8")
        if write and not t.stdin:
            assert t.path is not None  # only the standard input has none
            write_atomic(t.path, new_bytes)
        rep.record = record
        rep.data = new_bytes
        rep.cached = False
        rep.fixed = applied
        if write and not t.stdin and self.cache is not None and ws is None:
            # (a record linted against other files is never cached: the cache holds single-file results)
            self.cache.put(*self._keys(rep, self.options.key()), record)
        return original, text

    def fix(self, reports: list[FileReport], write: bool) -> list[tuple[FileReport, str, str]]:
        """:meth:`fix_one` for each report: ``(report, old text, new text)`` for every changed file."""
        changed = []
        for rep in reports:
            change = self.fix_one(rep, write)
            if change is not None:
                changed.append((rep, *change))
        return changed


def _safe_fixes(record: dict) -> list[dict]:
    return [d["fix"] for d in record["diagnostics"] if d.get("fix") and d["fix"].get("safe")]


def fails(rep: FileReport, threshold: str | None) -> bool:
    """Does the report have a diagnostic at or above the threshold (its config's ``fail-on`` if None)?"""
    if rep.record is None:
        return False
    level = SEVERITY_RANK[threshold or getattr(rep.config, "fail_on", "error") or "error"]
    return any(SEVERITY_RANK.get(d["severity"], 3) >= level for d in rep.record["diagnostics"])


def worst(reports: list[FileReport], threshold: str | None) -> bool:
    """True when some diagnostic is at or above the threshold (each file's config's ``fail-on`` if None)."""
    return any(fails(rep, threshold) for rep in reports)
