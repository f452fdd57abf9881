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
    (and "refs": bool: the document names classic rules it does not define)

Offsets are character offsets into the decoded text; lines and columns are
0-based here (formatters show them 1-based); columns count characters.

Nothing heavy is imported at module level: a run whose files are all in the
cache never imports the engine, the parsers or the schemas.
"""

from __future__ import annotations

import gc
import os
import sys

import ses_lsp
from ses_lsp.lint.cache import Cache, default_cache_dir, digest
from ses_lsp.lint.files import Target, find_config_path, read_file
from ses_lsp.lint.workspace import Workspace

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:  # (imported when used: a run whose files are all cached does not need it)
    from ses_lsp.lint.config import Config

SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}
# Lines longer than this are shown as a window around the diagnostic.
MAX_SOURCE = 200
SOURCE_LEAD = 60
# Fewer files than this are linted in-process even with --jobs > 1.
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


def _pos(lines, offset: int) -> list[int]:
    if lines is None:
        return [offset, 0, offset]
    line, col = lines.position(offset)
    return [offset, line, col]


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
    for d in result.diagnostics:
        start = _pos(lines, d.start)
        end = _pos(lines, max(d.end, d.start))
        related = []
        for r in d.related:
            rlines = lines if r.file is None else other_files.lines(r.file)
            related.append(
                {
                    "file": r.file,
                    "message": r.message,
                    "start": _pos(rlines, r.start),
                    "end": _pos(rlines, max(r.end, r.start)),
                }
            )
        fix = None
        if d.fix is not None:
            fix = {
                "title": d.fix.title,
                "safe": bool(d.fix.safe),
                "edits": [
                    {"start": _pos(lines, e.start), "end": _pos(lines, max(e.end, e.start)), "newText": e.new_text}
                    for e in d.fix.edits
                ],
            }
        sev = d.severity
        tags = list(d.tags or ())
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
                "tags": tags,
            }
        )
    return {
        "kind": result.kind,
        "skipped": bool(result.skipped),
        "diagnostics": diags,
        "refs": _names_other_rules(result),
    }


def _names_other_rules(result) -> bool:
    """Does the document name classic rules it does not define (After, RuleName, RuleNames)?"""
    doc = result.document
    if result.kind not in _REFERENCING_KINDS or doc is None or doc.root is None or doc.root.kind != "object":
        return False
    return any(k in doc.root.dict_value for k in ("After", "RuleName", "RuleNames"))


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


def valid_record(record: object) -> bool:
    """Is ``record`` a record as described above (what the cache gives back is checked:
    a damaged or hostile cache file must not crash a formatter or reach the terminal)?"""
    if record.__class__ is not dict:
        return False
    g = record.get
    kind, diags = g("kind"), g("diagnostics")
    if not (
        (kind is None or _text_ok(kind))
        and g("skipped").__class__ is bool
        and g("refs", False).__class__ is bool
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


def _lint_chunk(items: list) -> list:  # pragma: no cover - runs in worker processes
    return [(idx, lint_one(data, name, config, kind, explicit)) for idx, name, data, config, kind, explicit in items]


def _chunks(items: list, parts: int) -> list[list]:
    """Split work items into ``parts`` chunks of similar total size (biggest first)."""
    bins: list[list] = [[] for _ in range(parts)]
    totals = [0] * parts
    for item in sorted(items, key=lambda it: -len(it[2])):
        i = totals.index(min(totals))
        bins[i].append(item)
        totals[i] += len(item[2]) + 512
    order = sorted(range(parts), key=lambda i: -totals[i])
    return [bins[i] for i in order if bins[i]]


def lint_many(items: list, jobs: int) -> dict[int, dict]:
    """Records for work items ``(index, name, data, config, kind, explicit)``, in parallel if worth it."""
    if jobs <= 1 or len(items) < MIN_PARALLEL_FILES:
        return {idx: lint_one(data, name, config, kind, explicit) for idx, name, data, config, kind, explicit in items}
    import multiprocessing

    # Import the engine before forking so that workers inherit it.
    import ses_lsp.lint.engine  # noqa: F401

    fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if fork else "spawn")
    jobs = min(jobs, len(items))
    chunks = _chunks(items, min(len(items), jobs * 3))
    out: dict[int, dict] = {}
    with ctx.Pool(jobs, initializer=_init_worker) as pool:
        for part in pool.imap_unordered(_lint_chunk, chunks, chunksize=1):
            out.update(part)
    return out


# -- running -------------------------------------------------------------------


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
    """A target and what became of it: a record, or an error (unreadable file)."""

    __slots__ = ("target", "record", "error", "config", "data", "cached", "fixed")

    def __init__(self, target: Target) -> None:
        self.target = target
        self.record: dict | None = None
        self.error: str | None = None
        self.config: ConfigRef | None = None
        self.data: bytes | None = None
        self.cached = False
        self.fixed = 0  # problems fixed in this file

    @property
    def display(self) -> str:
        return self.target.display

    @property
    def checked(self) -> bool:
        return self.record is not None and not self.record["skipped"]


class Runner:
    def __init__(self, options: Options, stdin=None) -> None:
        self.options = options
        self.stdin = stdin
        self._dir_memo: dict[str, str | None] = {}
        self._refs_by_dir: dict[str, ConfigRef] = {}
        self._refs_by_file: dict[str | None, ConfigRef] = {}
        self.cache: Cache | None = None
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
        """Lint ``targets``; raises ConfigProblem for a bad configuration."""
        opts = self.options
        reports = [FileReport(t) for t in targets]
        work = []
        keys: dict[int, tuple[str, str]] = {}
        cache = self._cache() if opts.use_cache and any(not t.stdin for t in targets) else None
        opts_key = opts.key()
        for i, rep in enumerate(reports):
            t = rep.target
            ref = rep.config = self.config_ref(t)
            if t.stdin:
                ref.config()
                stream = self.stdin if self.stdin is not None else sys.stdin.buffer
                try:
                    rep.data = stream.read()
                except OSError as exc:
                    rep.error = f"cannot read the standard input: {exc.strerror or exc}"
                    continue
            else:
                ref.resolve(cache)
                assert t.path is not None  # only the standard input has none
                try:
                    rep.data = read_file(t.path)
                except OSError as exc:
                    rep.error = f"cannot read {t.display!r}: {exc.strerror or exc}"
                    continue
                if cache is not None:
                    keys[i] = k = self._keys(rep, opts_key)
                    value = cache.get(*k, check=valid_record)
                    if value is not None:
                        rep.record = value
                        rep.cached = True
                        continue
            work.append((i, t.name, rep.data, ref.config(), opts.kind, t.explicit))
        if work:
            results = lint_many(work, opts.jobs)
            self.linted += len(results)
            for i, record in results.items():
                reports[i].record = record
                if cache is not None and i in keys:
                    cache.put(*keys[i], record)
        self._cross_file(reports)
        if not opts.keep_data:
            for rep in reports:
                rep.data = None
        return reports

    def _cross_file(self, reports: list[FileReport]) -> None:
        """Re-check files that name rules (``After``, ``RuleName``, ``RuleNames``) against
        the rule sets the other files of this run define.

        Only when both sorts of files are linted together; those few files are re-linted
        in process with a workspace of the defining documents (their cached, single-file
        result is never reused for this, so a change in another file is always seen).
        """
        referencing = [
            r
            for r in reports
            if r.record is not None and r.data is not None and r.record.get("refs") and not r.target.stdin
        ]
        defining = [
            r
            for r in reports
            if r.record is not None
            and r.data is not None
            and r.record.get("kind") in _DEFINING_KINDS
            and not r.target.stdin
        ]
        if not referencing or not any(d is not r for d in defining for r in referencing):
            return
        from ses_lsp.document.document import Document

        entries = []
        for r in defining:
            assert r.data is not None and r.record is not None  # as selected above
            try:
                text = r.data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            entries.append((r.target.display, Document(text, r.target.display), r.record["kind"]))
        workspace = Workspace(entries)
        for r in referencing:
            assert r.data is not None and r.config is not None  # as selected above; run() set the config
            r.record = lint_one(
                r.data,
                r.target.name,
                r.config.config(),
                self.options.kind,
                r.target.explicit,
                workspace=workspace,
            )
            if r.cached:  # counted as cached so far; a file already counted as linted stays one
                self.linted += 1
            r.cached = False

    def save_cache(self) -> None:
        if self.cache is not None:
            self.cache.save()

    # -- fixing ----------------------------------------------------------------

    def fix(self, reports: list[FileReport], write: bool) -> list[tuple[FileReport, str, str]]:
        """Apply safe fixes, re-linting after each round.

        Returns ``(report, old text, new text)`` for every changed file; with
        ``write`` the files are written back (never the standard input).
        Each changed report gets its new record, data and ``fixed`` count.
        """
        from ses_lsp.lint.fixes import apply_edits, choose_fixes, write_atomic

        changed = []
        for rep in reports:
            record = rep.record
            if record is None or rep.data is None or not _safe_fixes(record):
                continue
            try:
                original = rep.data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            text = original
            applied = 0
            t = rep.target
            assert rep.config is not None  # set by run()
            config = rep.config.config()
            if rep.cached:
                # The edits are written into the file: never take them from the cache file.
                record = lint_one(rep.data, t.name, config, self.options.kind, t.explicit)
                rep.cached = False
                self.linted += 1
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
                record = lint_one(text.encode("utf-8"), t.name, config, self.options.kind, t.explicit)
            if text == original:
                continue
            new_bytes = text.encode("utf-8")
            if write and not t.stdin:
                assert t.path is not None  # only the standard input has none
                write_atomic(t.path, new_bytes)
            rep.record = record
            rep.data = new_bytes
            rep.cached = False
            rep.fixed = applied
            if write and not t.stdin and self.cache is not None:
                self.cache.put(*self._keys(rep, self.options.key()), record)
            changed.append((rep, original, text))
        return changed


# Kinds whose files name classic rules defined elsewhere, and kinds that define them
# (what ses_lsp.lint.rules.names reads from a workspace).
_REFERENCING_KINDS = frozenset(
    {
        "ses:create-receipt-rule",
        "ses:set-receipt-rule-position",
        "ses:reorder-receipt-rule-set",
    }
)
_DEFINING_KINDS = frozenset(
    {
        "ses:describe-receipt-rule-set",
        "ses:describe-active-receipt-rule-set",
        "ses:create-receipt-rule",
        "ses:update-receipt-rule",
        "ses:clone-receipt-rule-set",
    }
)


def _safe_fixes(record: dict) -> list[dict]:
    return [d["fix"] for d in record["diagnostics"] if d.get("fix") and d["fix"].get("safe")]


def worst(reports: list[FileReport], threshold: str | None) -> bool:
    """True when some diagnostic is at or above the threshold (each file's config's ``fail-on`` if None)."""
    for rep in reports:
        if rep.record is None:
            continue
        level = SEVERITY_RANK[threshold or getattr(rep.config, "fail_on", "error") or "error"]
        for d in rep.record["diagnostics"]:
            if SEVERITY_RANK.get(d["severity"], 3) >= level:
                return True
    return False
