"""The ``ses-lsp`` command line.

Subcommands: ``lint`` (check files), ``rules`` / ``rule CODE`` (the rule
catalogue), ``kinds`` (the document kinds), ``schema export DIR`` (JSON
Schemas for other tools), ``simulate RULES --mail FILE`` (where a mail goes),
``graph RULES`` (a rule set's flow as a Mermaid flowchart), ``test [PATH...]`` (routing tests),
``diff OLD NEW`` (which mail a change of the rules treats differently), ``serve`` (the
language server).

Exit codes: 0 no problem at or above ``--fail-on``; 1 problems (or, with
``--diff``, changes to make); 2 usage errors, unreadable paths, bad
configuration, internal errors; 130 interrupted.

Start-up time matters (editors and pre-commit hooks run this per save), so
nothing heavy is imported at module level: each code path imports what it
needs, and a fully cached ``lint`` run never imports the engine.
"""

from __future__ import annotations

import os
import sys

import ses_lsp

PROG = "ses-lsp"


class UsageError(Exception):
    """A problem with how the tool was called: message on stderr, exit code 2."""


def _err(message: str) -> None:
    try:
        sys.stderr.write(f"{PROG}: {message}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def _note(message: str) -> None:
    """A line for the user on stderr, without the program name (``--verbose``, summaries)."""
    try:
        sys.stderr.write(message + "\n")
    except (OSError, ValueError):
        pass


def _out(text: str) -> None:
    if text:
        sys.stdout.write(text)


# -- argument parsing --------------------------------------------------------------


COMMANDS = {
    "lint": "check files",
    "rules": "list every rule",
    "rule": "explain one rule",
    "kinds": "list the document kinds",
    "schema": "JSON Schemas of the document kinds",
    "simulate": "show where a mail goes through a rule set",
    "graph": "draw a rule set's flow as a Mermaid flowchart",
    "test": "run routing tests (*.routing.yaml): expected results of mails, checked by simulation",
    "diff": "show which mail two versions of the rules treat differently",
    "serve": "run the language server (stdio by default)",
}


def _add_lint_arguments(lint) -> None:
    lint.add_argument("paths", nargs="*", metavar="PATH", help="files, directories, globs, or - for stdin (default: .)")
    lint.add_argument(
        "--format",
        choices=("text", "json", "sarif", "github"),
        default=None,
        help="output format (default: text; github when GITHUB_ACTIONS=true)",
    )
    lint.add_argument("--select", metavar="CODES", help="only these rules (comma-separated codes, names, prefixes)")
    lint.add_argument("--ignore", metavar="CODES", help="not these rules (comma-separated codes, names, prefixes)")
    lint.add_argument("--kind", metavar="KIND", help="the document kind of every file (see `ses-lsp kinds`)")
    lint.add_argument(
        "--fail-on",
        choices=("error", "warning", "info"),
        default=None,
        help="lowest severity that makes the exit code 1 (default: config, else error)",
    )
    lint.add_argument(
        "-j",
        "--jobs",
        type=int,
        default=None,
        metavar="N",
        help="processes checking files at once (default: number of CPUs, at most 8)",
    )
    lint.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    lint.add_argument(
        "--stdin-filename", metavar="NAME", help="name of the file read from stdin (for config, globs and format)"
    )
    lint.add_argument("-v", "--verbose", action="store_true", help="say which files were skipped or cached")
    lint.add_argument("--fix", action="store_true", help="apply safe fixes and write the files back")
    lint.add_argument(
        "--diff", action="store_true", help="print the changes --fix would make, without writing (exit 1 if any)"
    )
    lint.add_argument("--config", metavar="FILE", help="use this configuration file for every file")
    lint.add_argument(
        "--root",
        metavar="DIR",
        help="the repository root: cross-file checks resolve names against every SES document under DIR "
        "(honouring .gitignore; default: the configuration's `root`, else the files of this run)",
    )
    lint.add_argument(
        "--skip-unrecognised",
        "--skip-unrecognized",
        dest="skip_unrecognised",
        action="store_true",
        help="skip files named on the command line that are not SES documents, as a directory "
        "walk does (for pre-commit hooks and editors that pass every JSON/YAML file)",
    )
    colour = lint.add_mutually_exclusive_group()
    colour.add_argument(
        "--color", dest="color", action="store_const", const=True, default=None, help="colour the text output"
    )
    colour.add_argument(
        "--no-color", dest="color", action="store_const", const=False, help="never colour the text output"
    )


def _add_arguments(command: str, p) -> None:
    if command == "lint":
        _add_lint_arguments(p)
    elif command in ("rules", "kinds"):
        p.add_argument("--format", choices=("text", "json"), default="text")
    elif command == "rule":
        p.add_argument("rule", metavar="CODE|NAME")
    elif command == "schema":
        actions = p.add_subparsers(dest="schema_command", metavar="ACTION")
        export = actions.add_parser("export", help="write one JSON Schema file per kind")
        export.add_argument("directory", metavar="DIR")
    elif command == "simulate":
        p.add_argument(
            "rules",
            nargs="+",
            metavar="RULES",
            help="the rule set, and the IP filters, traffic policy or ingress point in front of it "
            "(files or directories)",
        )
        p.add_argument(
            "--mail", required=True, metavar="FILE", help="the mail: a scenario (YAML/JSON) or a message file (.eml)"
        )
        p.add_argument("--format", choices=("text", "json", "mermaid"), default="text")
    elif command == "graph":
        p.add_argument(
            "rules",
            nargs="+",
            metavar="RULES",
            help="the rule set (a file, or a directory holding one; IP filters and traffic policies are not drawn)",
        )
        p.add_argument(
            "--format",
            choices=("mermaid", "markdown"),
            default="mermaid",
            help="mermaid: the flowchart; markdown: the flowchart in a ```mermaid code block (GitHub renders it)",
        )
    elif command == "test":
        p.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="routing-test files, or directories to search for them (default: .)",
        )
        p.add_argument("--format", choices=("text", "json", "junit"), default="text")
    elif command == "diff":
        where = "a file or directory (as simulate's RULES), or git:REV[:PATH] (git:REV alone: the other side's path)"
        p.add_argument("old", metavar="OLD", help=f"the rules before: {where}")
        p.add_argument("new", metavar="NEW", help=f"the rules after: {where}")
        p.add_argument(
            "--format",
            choices=("text", "json", "mermaid", "markdown"),
            default="text",
            help="text, json (a documented contract), mermaid (a flowchart of the classes that change), "
            "markdown (that flowchart in a ```mermaid code block)",
        )
    # `serve` has no options here: the server's own parser (ses_lsp.server.server.main) owns them.


def _parser():
    """The argument parser of every command."""
    import argparse

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Linter and language server for Amazon SES email-receiving rules (JSON/YAML).",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {ses_lsp.__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, text in COMMANDS.items():
        _add_arguments(name, sub.add_parser(name, help=text, description=text.capitalize() + "."))
    return parser


def entry() -> None:
    """The ``ses-lsp`` command (console script and ``python -m ses_lsp``)."""
    sys.exit(main())


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code.  Never lets a traceback out."""
    if argv is None:
        argv = sys.argv[1:]
    try:
        return _main(list(argv))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): stop quietly, without a second error at exit.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1
    except UsageError as exc:
        _err(f"error: {exc}")
        return 2
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else 2)
    except Exception as exc:  # never a traceback
        if os.environ.get("SES_LSP_DEBUG"):
            import traceback

            traceback.print_exc()
        _err(f"internal error: {type(exc).__name__}: {exc} (set SES_LSP_DEBUG=1 for details; please report it)")
        return 2


def _main(argv: list[str]) -> int:
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # a TextIOWrapper's (a replaced stream may lack it)
        try:
            if reconfigure is not None:
                reconfigure(errors="backslashreplace")
        except ValueError:
            pass
    if argv[:1] == ["serve"]:  # the server parses its own options (--stdio, --tcp, --debounce, ...)
        return cmd_serve(argv[1:])
    args = _parser().parse_args(argv)
    command = args.command
    if command == "lint":
        return cmd_lint(args)
    if command == "rules":
        return cmd_rules(args)
    if command == "rule":
        return cmd_rule(args)
    if command == "kinds":
        return cmd_kinds(args)
    if command == "simulate":
        return cmd_simulate(args)
    if command == "graph":
        return cmd_graph(args)
    if command == "test":
        return cmd_test(args)
    if command == "diff":
        return cmd_diff(args)
    if command == "schema":
        if args.schema_command == "export":
            return cmd_schema_export(args.directory)
        raise UsageError("schema: expected an action: `ses-lsp schema export DIR`")
    _parser().print_help(sys.stderr)
    return 2


# -- lint ----------------------------------------------------------------------------


def _codes(text: str | None, option: str) -> tuple[str, ...] | None:
    if text is None:
        return None
    codes = tuple(c.strip() for c in text.split(",") if c.strip())
    if codes:
        from ses_lsp.lint.catalogue import CATALOGUE

        try:
            CATALOGUE.expand(list(codes))
        except ValueError as exc:
            raise UsageError(f"{option}: {exc}") from None
    return codes


def _kind(name: str | None) -> str | None:
    if name is None:
        return None
    from ses_lsp.lint import kinds as kinds_mod

    full = kinds_mod.resolve_kind_name(name)
    if full is None:
        from ses_lsp.lint.text import closest

        options = list(kinds_mod.all_kinds())
        hint = closest(name, options + [k.split(":", 1)[1] for k in options], cutoff=0.5)
        raise UsageError(
            f"--kind: unknown kind {name!r}"
            + (f"; did you mean {hint!r}?" if hint else "; run `ses-lsp kinds` for the list")
        )
    return full


def _use_color(flag: bool | None) -> bool:
    if flag is not None:
        return flag
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def cmd_lint(args) -> int:
    from ses_lsp.lint.files import STDIN, discover
    from ses_lsp.lint.runner import ConfigProblem, Options, Runner, fails

    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    if args.jobs is not None and args.jobs < 1:
        raise UsageError("--jobs: expected a positive number")
    if args.config and not os.path.isfile(args.config):
        from ses_lsp.lint.files import not_regular

        try:
            why = not_regular(os.stat(args.config).st_mode) or "not a regular file"
        except OSError as exc:
            why = exc.strerror or "No such file or directory"
        raise UsageError(f"cannot read {args.config!r}: {why}")
    if args.root is not None and not os.path.isdir(args.root):
        raise UsageError(f"--root: {args.root!r} is not a directory")
    select = _codes(args.select, "--select")
    ignore = _codes(args.ignore, "--ignore")
    kind = _kind(args.kind)
    if args.stdin_filename is not None and not args.paths:
        args.paths = [STDIN]  # --stdin-filename alone: read the standard input
    targets, path_errors = discover(args.paths, args.stdin_filename)
    if getattr(args, "skip_unrecognised", False):
        for t in targets:
            t.explicit = False
    for problem in path_errors:
        _err(f"error: {problem.message()}")

    options = Options(
        kind=kind,
        select=select,
        ignore=ignore,
        config_file=args.config,
        use_cache=not args.no_cache,
        jobs=args.jobs,
        verbose=args.verbose,
        keep_data=bool(args.fix or args.diff),
        root=args.root,
    )
    runner = Runner(options)
    fixing = bool(args.fix or args.diff)
    # With --fix and the standard input, the fixed text goes to stdout and the diagnostics
    # that remain to stderr, after the summary of the fixes (so they wait until the end).
    stdin_fix = bool(args.fix and not args.diff and any(t.stdin for t in targets))
    held: list[str] = []
    printer = None
    if not args.diff:
        from ses_lsp.lint.output import writer

        printer = writer(fmt, held.append if stdin_fix else _out, color=False if stdin_fix else _use_color(args.color))
    failed = bool(path_errors)
    failing = False
    printed = cached = fixed_files = fixed_problems = 0
    stdin_data: bytes | None = None
    try:
        # Files are reported as they are linted, in order (json: sorted by name, as it prints them).
        for rep in runner.reports(targets, by_name=fmt == "json" and not args.diff):
            if rep.error:
                _err(f"error: {rep.error}")
                failed = True
                continue
            if rep.cached:
                cached += 1
            if args.verbose and rep.record is not None and rep.record["skipped"]:
                _note(f"skipped {rep.display}: not an SES document")
            if fixing:
                change = runner.fix_one(rep, write=not args.diff)
                if change is not None:
                    fixed_files += 1
                    fixed_problems += rep.fixed
                    if args.diff:
                        from ses_lsp.lint.fixes import unified_diff

                        _out(unified_diff(change[0], change[1], rep.display))
                if rep.target.stdin:
                    stdin_data = rep.data
            if rep.record is None:
                continue
            failing = failing or fails(rep, args.fail_on)
            if printer is not None:
                printed += 1
                printer.add(rep.display, rep.record)
    except ConfigProblem as exc:
        _err(f"error: {exc}")
        return 2
    if args.verbose:
        _note(f"cached: {cached} {'file' if cached == 1 else 'files'}, linted: {runner.linted}")

    if fixing:
        f_word = "file" if fixed_files == 1 else "files"
        p_word = "problem" if fixed_problems == 1 else "problems"
        if args.diff:
            _note(
                f"Would fix {fixed_problems} {p_word} in {fixed_files} {f_word}."
                if fixed_files
                else "No fixes available."
            )
            runner.save_cache()
            return 2 if failed else (1 if fixed_files else 0)
        _note(f"Fixed {fixed_problems} {p_word} in {fixed_files} {f_word}.")
    assert printer is not None  # made unless --diff
    if stdin_fix:
        if stdin_data is not None:
            sys.stdout.flush()
            sys.stdout.buffer.write(stdin_data)
            sys.stdout.flush()
        printer.finish()
        sys.stderr.write("".join(held))
        runner.save_cache()
        return 2 if failed else (1 if failing else 0)
    if not (failed and not printed and fmt == "text"):
        printer.finish()
    sys.stdout.flush()
    runner.save_cache()
    if failed:
        return 2
    return 1 if failing else 0


# -- rules ---------------------------------------------------------------------------


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    out = []
    for r in rows:
        cells = [c.ljust(w) for c, w in zip(r, widths, strict=False)] + [r[-1]]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out) + "\n"


def cmd_rules(args) -> int:
    from ses_lsp.lint.rules import REGISTRY

    if args.format == "json":
        import json

        items = [
            {
                "code": r.code,
                "name": r.name,
                "severity": r.severity.label,
                "fixable": bool(r.fixable),
                "summary": r.summary,
                "source": r.source,
                "url": r.url,
                "kinds": sorted(r.kinds) if r.kinds is not None else None,
            }
            for r in REGISTRY.rules
        ]
        _out(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
        return 0
    rows = [["CODE", "NAME", "SEVERITY", "FIX", "SUMMARY"]]
    for r in REGISTRY.rules:
        rows.append([r.code, r.name, r.severity.label, "*" if r.fixable else "", r.summary])
    _out(_table(rows) + f"\n{len(REGISTRY.rules)} rules; * = has fixes (`ses-lsp rule CODE` explains one).\n")
    return 0


def _example_block(example, title: str, run: bool) -> list[str]:
    fmt = example.format or "yaml"
    out = [f"## {title}", "", f"```{fmt}", example.text.rstrip("\n"), "```"]
    if run:
        from ses_lsp.lint.engine import lint_text
        from ses_lsp.lint.output import format_text
        from ses_lsp.lint.runner import make_record

        name = f"example.{fmt}"
        result = lint_text(example.text, example.path, kind=example.kind or None, explicit=True)
        record = make_record(result)
        body = format_text([(name, record)], summary=False).rstrip("\n")
        out += ["", "ses-lsp reports:", "", "```text", body or "(nothing)", "```"]
    return out + [""]


def cmd_rule(args) -> int:
    from ses_lsp.lint.rules import REGISTRY, source_locations

    rule = REGISTRY.get(args.rule)
    if rule is None:
        from ses_lsp.lint.text import closest

        key = args.rule.strip().upper()
        # Letters typed for digits (SES1O1) first, then the closest code or name.
        looks = "SES" + key[3:].translate(str.maketrans("OIL", "011")) if key.startswith("SES") else ""
        hint = (looks if REGISTRY.get(looks) is not None else None) or closest(
            args.rule, list(REGISTRY.by_code) + list(REGISTRY.by_name), cutoff=0.5
        )
        raise UsageError(
            f"unknown rule {args.rule!r}"
            + (f"; did you mean {hint!r}?" if hint else "")
            + " (`ses-lsp rules` lists them)"
        )
    doc = rule.doc
    title = f"{rule.code} {rule.name}"
    lines = [
        title,
        "=" * len(title),
        "",
        rule.summary,
        "",
        f"- Severity: {rule.severity.label}",
        f"- Fixable: {'yes' if rule.fixable else 'no'}",
        f"- Source: {rule.source}",
    ]
    if rule.kinds is not None:
        lines.append(f"- Kinds: {', '.join(sorted(rule.kinds))}")
    lines += [f"- Code: {path}:{line} ({what})" for what, path, line in source_locations(rule)]
    lines += [f"- More: {rule.url}", "", "## What it does", "", doc.what, "", "## Why it matters", "", doc.why, ""]
    if doc.bad is not None:
        lines += _example_block(doc.bad, "Example", run=True)
    if doc.good is not None:
        lines += _example_block(doc.good, "Use instead", run=False)
    if doc.notes:
        lines += ["## Notes", "", doc.notes, ""]
    if doc.references:
        lines += ["## References", ""] + [f"- {r}" for r in doc.references] + [""]
    _out("\n".join(lines).rstrip("\n") + "\n")
    return 0


# -- kinds and schemas ---------------------------------------------------------------


def cmd_kinds(args) -> int:
    from ses_lsp.schema import kinds

    table = kinds()
    if args.format == "json":
        import json

        items = [
            {"kind": k, **{f: v.get(f) for f in ("service", "operation", "direction", "shape", "title")}}
            for k, v in table.items()
        ]
        _out(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
        return 0
    rows = [["KIND", "OPERATION", "DOCUMENT"]]
    for name, info in table.items():
        rows.append([name, str(info.get("operation", "")), str(info.get("direction", ""))])
    _out(_table(rows))
    return 0


def _refs(node, found: set[str]) -> None:
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, dict):
            for k, v in n.items():
                if k == "$ref" and isinstance(v, str):
                    found.add(v)
                elif isinstance(v, (dict, list)):
                    stack.append(v)
        elif isinstance(n, list):
            stack.extend(x for x in n if isinstance(x, (dict, list)))


def kind_schema_document(kind: str) -> dict:
    """A self-contained JSON Schema for one kind: a ``$ref`` to its root shape and the ``$defs`` it reaches."""
    from ses_lsp.schema import kind_info, load_service, service_of

    doc = load_service(service_of(kind))
    info = kind_info(kind)
    defs = doc["$defs"]
    prefix = "#/$defs/"
    keep: dict[str, object] = {}
    todo = [info["shape"]]
    while todo:
        name = todo.pop()
        if name in keep or name not in defs:
            continue
        keep[name] = defs[name]
        found: set[str] = set()
        _refs(defs[name], found)
        todo.extend(r[len(prefix) :] for r in found if r.startswith(prefix))
    out = {
        "$schema": doc.get("$schema", "https://json-schema.org/draft/2020-12/schema"),
        "title": info.get("title", kind),
    }
    if info.get("description"):
        out["description"] = info["description"]
    out["x-kind"] = kind
    out["$ref"] = prefix + info["shape"]
    out["$defs"] = {name: keep[name] for name in sorted(keep)}
    return out


def cmd_schema_export(directory: str) -> int:
    import json

    from ses_lsp.schema import kinds

    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create {directory!r}: {exc.strerror or exc}") from None
    index = []
    for kind, info in kinds().items():
        service, _, command = kind.partition(":")
        name = f"{service}.{command}.schema.json"
        schema = kind_schema_document(kind)
        try:
            with open(os.path.join(directory, name), "w", encoding="utf-8", newline="\n") as fh:
                json.dump(schema, fh, indent=2, ensure_ascii=False)
                fh.write("\n")
        except OSError as exc:
            raise UsageError(f"cannot write {os.path.join(directory, name)!r}: {exc.strerror or exc}") from None
        index.append(
            {
                "kind": kind,
                "file": name,
                "service": service,
                "operation": info.get("operation"),
                "direction": info.get("direction"),
                "title": info.get("title"),
            }
        )
    try:
        with open(os.path.join(directory, "index.json"), "w", encoding="utf-8", newline="\n") as fh:
            json.dump(
                {"generator": f"{PROG} {ses_lsp.__version__}", "schemas": index}, fh, indent=2, ensure_ascii=False
            )
            fh.write("\n")
    except OSError as exc:
        raise UsageError(f"cannot write index.json in {directory!r}: {exc.strerror or exc}") from None
    _note(f"Wrote {len(index)} schemas and index.json to {directory}.")
    return 0


# -- simulate --------------------------------------------------------------------------


def cmd_simulate(args) -> int:
    # The evaluation model and its loaders are imported here only: other commands never pay for them.
    from ses_lsp.simulate import InputError, run

    try:
        return run(args.rules, args.mail, args.format, _note, _out)
    except InputError as exc:
        raise UsageError(str(exc)) from None


def cmd_graph(args) -> int:
    from ses_lsp.simulate import InputError, run_graph

    try:
        return run_graph(args.rules, args.format, _note, _out)
    except InputError as exc:
        raise UsageError(str(exc)) from None


# -- test ----------------------------------------------------------------------------


def cmd_test(args) -> int:
    # The evaluation model is imported here only: other commands never pay for it.
    from ses_lsp.routing_run import run

    return run(args.paths, args.format, _out)


# -- diff ----------------------------------------------------------------------------


def cmd_diff(args) -> int:
    # The evaluation model is imported here only: other commands never pay for it.
    from ses_lsp.semantic_diff import run
    from ses_lsp.simulate import InputError

    try:
        return run(args.old, args.new, args.format, _note, _out)
    except InputError as exc:
        raise UsageError(str(exc)) from None


# -- serve ---------------------------------------------------------------------------


def cmd_serve(argv: list[str]) -> int:
    try:
        import importlib

        server = importlib.import_module("ses_lsp.server")
    except ImportError as exc:
        raise UsageError(f"the language server cannot start: {exc}") from None
    entry = getattr(server, "main", None)
    if entry is None:
        raise UsageError("the language server is not available in this installation (ses_lsp.server.main is missing)")
    result = entry(argv)
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
