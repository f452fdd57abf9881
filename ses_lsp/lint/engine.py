"""The lint engine: text in, diagnostics out.  Never raises for any input."""

from __future__ import annotations

import gc
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

from ses_lsp import schema as schema_mod
from ses_lsp.document.document import Document, guess_format
from ses_lsp.document.nodes import ARRAY, OBJECT, Node, node_at_offset
from ses_lsp.lint import kinds as kinds_mod
from ses_lsp.lint import reuse
from ses_lsp.lint.catalogue import CATALOGUE
from ses_lsp.lint.config import Config
from ses_lsp.lint.context import LintContext
from ses_lsp.lint.diagnostics import Diagnostic, Fix, Related, Severity
from ses_lsp.lint.edits import remove_member
from ses_lsp.lint.reuse import LintMemo
from ses_lsp.lint.rules import checks_for_kind
from ses_lsp.lint.rules import core as C
from ses_lsp.lint.secrets import Secrets, find_secrets
from ses_lsp.lint.suppressions import apply_suppressions
from ses_lsp.lint.text import closest, quote, quote_list
from ses_lsp.lint.validator import Validator, schema_set

# Files larger than this are not parsed.  The largest documents the APIs take are far
# smaller: an ingress point with both 500,000-character PEM contents (the model's maximum) is
# about 1.1 MB, a classic rule set at every quota (200 rules x 100 recipients x 10 actions) with
# ordinary addresses about 1.5 MB; parsing costs about 0.2 s and 45 MB per MiB.
MAX_BYTES = 4 * 1024 * 1024
# Documents holding more values than this are parsed but not checked (one SES006 says so).
# The classic rule set at every quota holds about 36,000 values (Mail Manager's largest,
# 40 rules x 10 conditions and 10 exceptions of 10 values x 10 actions, about 17,000); checking
# costs about 8 s and 0.6 GB per million values, for diagnostics on a document SES rejects.
MAX_VALUES = 100_000

# Parse problems name core rules (syntax-error, duplicate-key, ...).
_CORE_BY_NAME = {r.name: r for r in C.RULES}


@dataclass
class LintResult:
    path: str | None
    kind: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    document: Document | None = None
    # True when the file was not recognised and was skipped (directory walk).
    skipped: bool = False
    kind_source: str | None = None  # "option", "config", "modeline", "content", "previous"
    # The document's credentials (found when there is something to report); see
    # ses_lsp.lint.secrets.  Every output of the diagnostics masks them.
    secrets: Secrets | None = None

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for d in self.diagnostics:
            out[d.severity.label] += 1
        return out


_diag = Diagnostic.of


def oversize(content: str | bytes) -> int | None:
    """The size of ``content`` in bytes when it is over :data:`MAX_BYTES`, else None.

    The one home of the size cap, for files read from disk (bytes) and documents
    open in the language server (text, counted as its UTF-8 encoding) alike.
    """
    size = len(content)
    if isinstance(content, str) and not content.isascii() and size * 4 > MAX_BYTES:
        size = len(content.encode("utf-8", "surrogatepass"))
    return size if size > MAX_BYTES else None


def _too_large(size: int) -> Diagnostic:
    return _diag(
        C.UNREADABLE_CONTENT,
        f"the file is {size:,} bytes; files over {MAX_BYTES:,} bytes (4 MiB) are not checked: the largest "
        "documents the SES APIs take are under 2 MB, so this one is far over a limit (split it) or not an SES "
        "document",
        0,
        0,
    )


def decode(data: bytes) -> tuple[str | None, Diagnostic | None]:
    """Bytes to text as the AWS CLI reads files (UTF-8); a diagnostic when impossible."""
    size = oversize(data)
    if size is not None:
        return None, _too_large(size)
    encoding = _wide_encoding(data)
    if encoding is not None:
        return None, _diag(
            C.UNREADABLE_CONTENT,
            f"the file is {encoding}; the AWS CLI reads parameter files in the locale's encoding (UTF-8 on Linux "
            "and macOS) unless AWS_CLI_FILE_ENCODING says otherwise, and ses-lsp checks them as UTF-8: save it "
            "as UTF-8",
            0,
            0,
        )
    nul = data.find(b"\x00")
    if nul != -1:
        return None, _diag(
            C.UNREADABLE_CONTENT,
            f"the file contains a NUL byte at byte {nul}: it is binary, not JSON or YAML text",
            0,
            0,
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        # Position: decode what precedes the bad byte to count characters.
        good = data[: exc.start].decode("utf-8", errors="replace")
        pos = len(good)
        return None, _diag(
            C.UNREADABLE_CONTENT,
            f"the file is not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start} "
            f"cannot be decoded; save it as UTF-8",
            pos,
            pos,
        )


# Byte order marks of the encodings other than UTF-8 (UTF-32 first: its little-endian mark
# starts with UTF-16's).
_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32 text (little-endian, with a byte order mark)"),
    (b"\x00\x00\xfe\xff", "UTF-32 text (big-endian, with a byte order mark)"),
    (b"\xff\xfe", "UTF-16 text (little-endian, with a byte order mark)"),
    (b"\xfe\xff", "UTF-16 text (big-endian, with a byte order mark)"),
)


def _wide_encoding(data: bytes) -> str | None:
    """What ``data`` is when it is UTF-16 or UTF-32 text: a byte order mark, or (for UTF-16
    without one) a start whose every other byte, and only those, are NUL."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    head = data[: min(len(data), 64) & ~1]
    if len(head) >= 4 and head.count(0) == len(head) // 2:
        if not any(head[1::2]) and all(head[0::2]):
            return "UTF-16 text (little-endian, without a byte order mark: every other byte is NUL)"
        if not any(head[0::2]) and all(head[1::2]):
            return "UTF-16 text (big-endian, without a byte order mark: every other byte is NUL)"
    return None


def lint_bytes(data: bytes, path: str | None, config: Config | None = None, **kw) -> LintResult:
    text, problem = decode(data)
    if text is None:
        assert problem is not None
        result = LintResult(path=path, kind=None, diagnostics=[problem])
        if problem.start:
            result.document = Document(data.decode("utf-8", errors="replace"), path)
        return result
    return lint_text(text, path, config=config, **kw)


@lru_cache(maxsize=64)
def _selection(select: tuple[str, ...], ignore: tuple[str, ...]) -> frozenset[str]:
    return frozenset(CATALOGUE.expand(list(select)) - CATALOGUE.expand(list(ignore)))


def lint_text(
    text: str,
    path: str | None = None,
    *,
    config: Config | None = None,
    kind: str | None = None,
    explicit: bool = True,
    fmt: str | None = None,
    workspace: object | None = None,
    version: int | None = None,
    document: Document | None = None,
    pause_gc: bool = True,
    previous_kind: str | None = None,
    memo: LintMemo | None = None,
) -> LintResult:
    """Lint one document.  ``explicit``: the user named this file (else it was found by a walk).

    The kind comes from ``kind`` (the user's option), else the config's ``kinds`` globs, else a
    modeline, else the content; else ``previous_kind`` (the kind an earlier version of this
    document had, in an editor) when the text does not parse: a half-typed edit that breaks the
    syntax does not make the document unrecognised.

    ``document``: an already built (possibly already parsed) :class:`Document` of ``text``
    to lint instead of a new one, so its tree is reused (the language server's incrementally
    re-parsed documents); it takes ``path`` and ``version``, and becomes the result's
    ``document``.  It is ignored unless its text and format are those the lint would use.

    ``memo``: what the per-rule checks said in the previous lint of this document, to reuse
    for the rules that did not change (:mod:`ses_lsp.lint.reuse`); updated for the next one.
    The result is the same with or without it.
    """
    config = config or Config()
    # Building a tree creates tens of thousands of objects, and none of them is
    # garbage until the lint is over: collections during it are pure cost (about
    # 10% of a large file's lint).  Restored afterwards, whatever happens.
    # A long-running host (the language server) schedules collections itself and
    # passes pause_gc=False: pausing there lets dropped trees pile up between edits.
    gc_was_enabled = pause_gc and gc.isenabled()
    if gc_was_enabled:
        gc.disable()
    try:
        return _lint(text, path, config, kind, explicit, fmt, workspace, version, document, previous_kind, memo)
    except Exception as exc:  # the engine itself failed: one diagnostic, never a traceback
        if memo is not None:
            memo.clear()
        import traceback

        tb = traceback.extract_tb(exc.__traceback__)
        where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
        doc = Document(text, path, fmt)
        detail = f"{type(exc).__name__}: {exc}"
        try:  # the exception's text may quote the document: never a credential
            detail = find_secrets(doc).scrub(detail)
        except Exception:
            detail = type(exc).__name__
        return LintResult(
            path=path,
            kind=kind,
            diagnostics=[_diag(C.INTERNAL_ERROR, f"internal error in the lint engine: {detail}{where}", 0, 0)],
            document=doc,
        )
    finally:
        if gc_was_enabled:
            gc.enable()


def _lint(
    text, path, config, forced_kind, explicit, fmt, workspace, version, document=None, previous_kind=None, memo=None
) -> LintResult:
    size = oversize(text)
    if size is not None:
        return LintResult(path, None, [_too_large(size)])
    nul = text.find("\x00")
    if nul != -1:
        return LintResult(
            path,
            None,
            [
                _diag(
                    C.UNREADABLE_CONTENT,
                    "the file contains a NUL character: it is binary, not JSON or YAML text",
                    nul,
                    nul + 1,
                )
            ],
        )

    doc = _document(text, path, fmt, version, document)
    parsed = doc.parsed
    diags: list[Diagnostic] = []
    for p in parsed.problems:
        rule = _CORE_BY_NAME.get(p.rule) or CATALOGUE.by_name.get(p.rule) or C.SYNTAX_ERROR
        related = [Related(s, e, m) for (s, e, m) in p.related]
        fix = None
        if rule is C.DUPLICATE_KEY:
            fix = _duplicate_fix(doc, p.related)
        diags.append(
            _diag(rule, p.message, p.start, p.end, related=related, fix=fix, pointer=_pointer_at(doc, p.start))
        )

    result = LintResult(path=path, kind=None, diagnostics=diags, document=doc)

    # -- which kind -------------------------------------------------------------
    kind, source = None, None
    if forced_kind:
        kind = kinds_mod.resolve_kind_name(forced_kind) or forced_kind
        source = "option"
    if kind is None:
        kind = config.kind_for(path)
        source = "config" if kind else None
    if kind is None and parsed.comments:
        found = kinds_mod.modeline_kind(parsed.comments)
        if found is not None:
            name, line = found
            full = kinds_mod.resolve_kind_name(name)
            if full is None:
                start = doc.lines.starts[line]
                comment_col = doc.lines.line_text(line).find("#")
                s = start + max(comment_col, 0)
                hint = closest(name, list(kinds_mod.all_kinds()), cutoff=0.5)
                diags.append(
                    _diag(
                        C.INVALID_MODELINE,
                        f"unknown kind {quote(name)} in the modeline"
                        + (f"; did you mean {quote(hint)}?" if hint else "; run `ses-lsp kinds` for the list"),
                        s,
                        doc.lines.line_end(line),
                    )
                )
            else:
                kind, source = full, "modeline"
    if kind is None:
        kind = kinds_mod.detect_kind(parsed.root)
        source = "content" if kind else None
    if kind is None and previous_kind is not None and parsed.problems:
        kind, source = previous_kind, "previous"
    result.kind, result.kind_source = kind, source

    if kind is None:
        if not explicit:
            result.skipped = True
            result.diagnostics = []
            return result
        has_syntax_error = any(d.code == C.SYNTAX_ERROR.code for d in diags)
        if parsed.root is None and not parsed.problems:
            diags.append(
                _diag(C.UNRECOGNISED_DOCUMENT, "the file is empty: expected an SES receiving API document", 0, 0)
            )
        elif not has_syntax_error and not any(d.code == C.INVALID_MODELINE.code for d in diags):
            diags.append(_unrecognised(doc))
        return _finish(result, config)

    info = kinds_mod.kind_info(kind)
    if info is None:
        hint = closest(kind, list(kinds_mod.all_kinds()), cutoff=0.5)
        diags.append(
            _diag(
                C.INVALID_MODELINE,
                f"unknown kind {quote(kind)}" + (f"; did you mean {quote(hint)}?" if hint else ""),
                0,
                0,
            )
        )
        return _finish(result, config)

    root = parsed.root
    if root is None or any(p.rule == C.YAML_ALIAS_LIMIT.name for p in parsed.problems):
        # Nothing to check, or a document too large to expand safely.
        return _finish(result, config)

    too_many = _too_many_values(doc, root)
    if too_many is not None:
        diags.append(too_many)
        return _finish(result, config)

    selected = _selection(config.select, config.ignore)
    ctx = LintContext(document=doc, kind=kind, config=config, workspace=workspace)
    ctx.diagnostics = diags

    # -- schema pass ------------------------------------------------------------

    service_doc = schema_mod.load_service(info["service"])
    sset = schema_set(service_doc)
    _schema_pass(ctx, sset, root, sset.compiled(info["shape"]), partial=not parsed.complete)

    if not parsed.complete:
        # A partial tree (syntax errors): semantic rules would judge a document the
        # user has not finished writing.  Fix the syntax first.
        return _finish(result, config, ctx)

    # -- semantic rules -----------------------------------------------------------
    if info["service"] == "cloudformation":  # a template: its SES resources, each as an API document
        _lint_template(ctx, selected)
        return _finish(result, config, ctx)
    checks = [rule for rule in checks_for_kind(kind) if rule.code in selected]
    plan = None
    if memo is not None:
        items = reuse.rule_set_items(root) if reuse.usable(doc) else None
        if items is not None and not ctx.secrets.texts:
            context = (kind, doc.format, config.fingerprint(), tuple(r.code for r in checks if r.per_rule))
            plan = reuse.plan(memo, context, doc, items, diags)
        else:
            memo.clear()
    for rule in checks:
        if plan is None or not rule.per_rule:
            _run_check(ctx, rule)
    ctx.rule = None
    if plan is not None:
        _per_rule_checks(ctx, [r for r in checks if r.per_rule], plan, memo)
    return _finish(result, config, ctx)


def _schema_pass(ctx: LintContext, sset, root: Node, comp, partial: bool = False) -> None:
    """The schema pass over ``root``; a crash becomes one internal-error diagnostic."""
    try:
        Validator(ctx, sset, partial=partial).run(root, comp)
    except Exception as exc:
        ctx.diagnostics.append(_internal("schema validation", exc))


def _run_rules(ctx: LintContext, rules, selected: frozenset[str]) -> None:
    """The semantic rules (those selected) on the context's document, each through
    :func:`_run_check` (a crashing rule becomes one internal-error diagnostic)."""
    for rule in rules:
        if rule.code in selected:
            _run_check(ctx, rule)
    ctx.rule = None


def _lint_template(ctx: LintContext, selected: frozenset[str]) -> None:
    """A CloudFormation template: each SES resource as the API document it maps to (ses_lsp.cfn)."""
    from ses_lsp.cfn.lint import TemplateLint

    lint = TemplateLint(ctx, selected)
    for unit in lint.units():
        if unit.schema is not None:
            _schema_pass(unit.ctx, lint.sset, unit.root, unit.schema)
        _run_rules(unit.ctx, unit.rules, selected)
        lint.finish(unit)
    _run_rules(ctx, checks_for_kind(ctx.kind), selected)
    lint.done()


def _run_check(ctx: LintContext, rule) -> bool:
    """Run one rule's check; a crash becomes an internal-error diagnostic (False)."""
    diags = ctx.diagnostics
    ctx.rule = rule
    before = len(diags)
    try:
        check = rule.check
        assert check is not None  # checks_for_kind() returns rules that have one
        check(ctx)
    except Exception as exc:
        del diags[before:]
        diags.append(_internal(f"rule {rule.code} ({rule.name})", exc))
        return False
    return True


def _per_rule_checks(ctx: LintContext, rules: list, plan: reuse.Plan, memo) -> None:
    """The per-rule checks' diagnostics: run on the rules of the set that changed, taken from
    the memo for the others (:mod:`ses_lsp.lint.reuse`)."""
    diags = ctx.diagnostics
    found: list[Diagnostic] = []
    ok = True
    if plan.dirty:
        everything = len(plan.dirty) == len(plan.keys)
        sub = LintContext(
            document=ctx.document,
            kind=ctx.kind,
            config=ctx.config,
            workspace=ctx.workspace,
            diagnostics=list(diags),  # (the parse and schema passes': what the checks skip)
            cache=ctx.cache if everything else {},
            found_secrets=ctx.found_secrets,
            rule_items=None if everything else frozenset(plan.dirty),
        )
        n = len(sub.diagnostics)
        ok = all(_run_check(sub, rule) for rule in rules)
        found = sub.diagnostics[n:]
        ok = ok and reuse.remember(memo, plan, found)
    if not ok:  # a check failed or broke the contract: every rule is checked, nothing kept
        memo.clear()
        for rule in rules:
            _run_check(ctx, rule)
        ctx.rule = None
        return
    for reused in plan.reused:
        diags.extend(reused)
    diags.extend(found)


def _document(text: str, path, fmt, version, given: Document | None) -> Document:
    """The Document to lint: ``given`` when it is one of ``text`` in the same format (it then
    takes the lint's path and version; its tree is not shared with another Document, as the
    server may later reuse that tree in place for the next edit), else a new one."""
    if (
        given is not None
        and (given.text is text or given.text == text)
        and given.format == (fmt or guess_format(path, text))
    ):
        given.path = path
        given.version = version
        return given
    return Document(text, path, fmt, version)


def _too_many_values(doc: Document, root: Node) -> Diagnostic | None:
    """One SES006 for a document holding more than :data:`MAX_VALUES` values, else None."""
    text = doc.text
    # Every value takes at least two characters ("0," or "[]"); only YAML aliases add more.
    most = (len(text) + 2) // 2
    if doc.format == "yaml" and "*" in text:
        from ses_lsp.document.yaml_parser import ALIAS_NODE_LIMIT  # (already imported: YAML was read)

        most += ALIAS_NODE_LIMIT
    if most <= MAX_VALUES:
        return None
    count = 0
    longest: Node | None = None
    longest_items = -1
    stack = [root]
    pop, push = stack.pop, stack.extend
    while stack:
        node = pop()
        count += 1
        kind = node.kind
        if kind == OBJECT:
            push(node.dict_value.values())
        elif kind == ARRAY:
            items = node.list_value
            push(items)
            if len(items) > longest_items:
                longest, longest_items = node, len(items)
    if count <= MAX_VALUES:
        return None
    where = ""
    start, end = 0, 0
    if longest is not None:
        where = f" (its longest list, {longest.pointer or 'the document'}, has {longest_items:,} items)"
        key = longest.key_node
        start, end = (key.start, key.end) if key is not None else (longest.start, min(longest.end, longest.start + 1))
    return _diag(
        C.UNREADABLE_CONTENT,
        f"the document holds {count:,} values{where}; documents of more than {MAX_VALUES:,} values are not "
        "checked: one at every SES quota holds under 40,000 (a classic rule set of 200 rules, each with 100 "
        "recipients and 10 actions), so this one is far over a limit; split it into documents the API accepts",
        start,
        end,
    )


def _internal(what: str, exc: Exception) -> Diagnostic:
    import traceback

    tb = traceback.extract_tb(exc.__traceback__)
    where = f" at {tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno}" if tb else ""
    return _diag(
        C.INTERNAL_ERROR,
        f"{what} crashed: {type(exc).__name__}: {exc}{where}; "
        "the other rules still ran; please report this with the file",
        0,
        0,
    )


def _unrecognised(doc: Document) -> Diagnostic:
    root = doc.root
    if root is not None and root.kind == OBJECT and root.value:
        keys = list(root.dict_value)
        what = f"its top-level members ({quote_list(keys, limit=6)}) match no SES receiving API document"
        first = root.members[0][0] if root.members else root
        start, end = first.start, first.end
    elif root is not None:
        held = {OBJECT: "an empty object", "array": "a list, not an object"}
        what = "it holds " + held.get(root.kind, "a single value, not an object")
        start, end = root.start, min(root.end, root.start + 1)
    else:
        what = "it holds nothing that could be read"
        start, end = 0, 0
    return _diag(
        C.UNRECOGNISED_DOCUMENT,
        f"cannot tell which SES document this is: {what}; set the kind with --kind, a [tool.ses-lsp.kinds] "
        f"glob in the config, or a '# ses-lsp: kind=...' comment (`ses-lsp kinds` lists them)",
        start,
        end,
    )


def _pointer_at(doc: Document, offset: int) -> str:
    node = node_at_offset(doc.root, offset)
    return node.pointer if node is not None else ""


def _duplicate_fix(doc: Document, related: list) -> Fix | None:
    """Remove the first of two duplicate members: the value AWS uses (the last) is kept."""
    if not related:
        return None

    key = node_at_offset(doc.root, related[0][0])
    if key is None or not key.is_key:
        return None
    obj = key.parent
    if obj is None or not any(k is key for k, _ in obj.members or ()):
        return None
    name = key.value if isinstance(key.value, str) else str(key.value)
    return Fix(f"Remove the first {quote(name)} (the last one, which wins, is kept)", (remove_member(doc, obj, key),))


def _finish(result: LintResult, config: Config, ctx: LintContext | None = None) -> LintResult:
    diags = result.diagnostics
    doc = result.document
    if ctx is not None:
        result.secrets = ctx.found_secrets
    selected = _selection(config.select, config.ignore)
    ignored_here = set(CATALOGUE.expand(list(config.ignored_for(result.path)))) if result.path else set()
    if doc is not None:
        diags = apply_suppressions(doc, diags, selected)
    overrides = {}
    for key, level in config.severity:
        for code in CATALOGUE.expand([key]):
            overrides[code] = Severity.parse(level)
    # Engine-level failures are always shown.
    internal = C.INTERNAL_ERROR.code
    out = [d for d in diags if (d.code in selected and d.code not in ignored_here) or d.code == internal]
    if overrides:
        for d in out:
            if d.code in overrides:
                d.severity = overrides[d.code]
    # Sorted by position (Diagnostic.sort_key), and exact duplicates (same code, span and
    # message: adjacent once sorted) dropped; in C where it can be: a document may carry
    # thousands (issue 10, section 2).
    position = attrgetter("start", "end", "code", "message")
    out.sort(key=position)
    deduped: list[Diagnostic] = []
    last = None
    for d, ident in zip(out, map(position, out), strict=True):
        if ident != last:
            deduped.append(d)
            last = ident
    if deduped and doc is not None:
        # The backstop: whatever a rule wrote, no diagnostic carries a credential.
        if result.secrets is None:
            result.secrets = find_secrets(doc)
        result.secrets.guard(deduped)
    result.diagnostics = deduped
    return result
