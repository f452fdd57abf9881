"""Output formats of ``ses-lsp lint``: text, json, sarif, github.

Every formatter takes ``reports``: a list of ``(path, record)`` pairs in the
order the files were found, where ``record`` is the plain record described in
:mod:`ses_lsp.lint.runner` (skipped files are left out by the formatters).  The
command line prints as it goes with the streaming writers (:func:`writer`): one
file at a time, keeping nothing of a file once printed (but counts), and printing
exactly what the whole-list formatters return (for json, given the files sorted by
path).

JSON format (a stable contract)
-------------------------------
``ses-lsp lint --format json`` prints one JSON array; each item is one
diagnostic::

    {
      "file": "rules/inbound.yaml",         # the path as given / relative to the current directory
      "code": "SES101",                     # the rule's stable code
      "name": "unknown-member",             # the rule's stable name
      "severity": "error",                  # "error" | "warning" | "info"
      "message": "unknown member ...",
      "pointer": "/Rule/Actions/0/S3Action",  # JSON Pointer (RFC 6901) of the node, "" for the root
      "start": {"line": 7, "column": 9},    # 1-based; columns count characters (code points)
      "end": {"line": 7, "column": 15},     # exclusive end
      "related": [                          # other places that explain it (may be empty)
        {"file": "rules/inbound.yaml", "message": "...", "start": {...}, "end": {...}}
      ],
      "fix": null | {                       # a suggested change
        "title": "Rename ...",
        "safe": true,                       # safe fixes are applied by --fix
        "edits": [{"start": {...}, "end": {...}, "newText": "..."}]
      }
    }

Items are sorted by file, then by start position, then code and message.
Keys are never removed or renamed within a major version; new keys may be
added.
"""

from __future__ import annotations

import ses_lsp

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (type checkers know this idiom)
if TYPE_CHECKING:
    from collections.abc import Callable

SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}
TAB_SIZE = 4

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_COLOURS = {"error": "\x1b[1;31m", "warning": "\x1b[1;33m", "info": "\x1b[1;36m", "note": "\x1b[1;32m"}
_BLUE = "\x1b[34m"
_CARET = "\x1b[1;31m"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _active(reports):
    return [(path, rec) for path, rec in reports if rec is not None and not rec.get("skipped")]


# -- text ----------------------------------------------------------------------


def _char_width(s: str) -> int:
    """Terminal cells taken by ``s`` (East Asian wide characters take two, combining marks none)."""
    if s.isascii():
        return len(s)
    import unicodedata

    w = 0
    for c in s:
        if unicodedata.combining(c):
            continue
        w += 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1
    return w


def _printable(s: str) -> str:
    """Control characters (other than tab) shown as U+FFFD so they cannot drive the terminal."""
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() or c in "\t " else "\ufffd" for c in s)


def source_excerpt(diag: dict) -> tuple[str, str] | None:
    """The source line (tabs expanded) and the caret line under the diagnostic's span."""
    source = diag.get("source")
    if not source:
        return None
    snippet, first, length = source
    start_line, start_col = diag["start"][1], diag["start"][2]
    end_line, end_col = diag["end"][1], diag["end"][2]
    rel = max(0, min(start_col - first, len(snippet)))
    if end_line == start_line:
        rel_end = max(rel, min(end_col - first, len(snippet)))
    else:  # a multi-line span is underlined to the end of its first line
        rel_end = len(snippet)
    prefix = "…" if first > 0 else ""
    suffix = "…" if first + len(snippet) < length else ""
    if start_line == 0 and first == 0 and snippet[:1] == "\ufeff":
        # The file's byte order mark: not shown (no editor shows it), and the underline moves
        # left with the text; the columns in the message still count it, as every position does.
        snippet = snippet[1:]
        rel, rel_end = max(0, rel - 1), max(0, rel_end - 1)
    snippet = _printable(snippet)
    before = snippet[:rel].expandtabs(TAB_SIZE)
    upto = snippet[:rel_end].expandtabs(TAB_SIZE)
    line = (prefix + snippet.expandtabs(TAB_SIZE) + suffix).rstrip()
    pad = _char_width(prefix) + _char_width(before)
    width = max(1, _char_width(upto) - _char_width(before))
    return line, " " * pad + "^" + "~" * (width - 1)


class TextWriter:
    """The human format, streamed: ``path:line:col: severity: message [CODE name]``, the
    source, and at the end (:meth:`finish`) a summary."""

    def __init__(
        self,
        write: Callable[[str], object],
        *,
        color: bool = False,
        summary: bool = True,
        files_checked: int | None = None,
        show_source: bool = True,
    ) -> None:
        self.write = write
        self.color = color
        self.summary = summary
        self.files_checked = files_checked
        self.show_source = show_source
        self.counts = {"error": 0, "warning": 0, "info": 0}
        self.with_problems = 0
        self.checked = 0
        self.fixable = 0
        self.wrote = False

    def _c(self, code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if self.color else text

    def add(self, path: str, rec: dict | None) -> None:
        if rec is None or rec.get("skipped"):
            return
        c = self._c
        out: list[str] = []
        self.checked += 1
        diags = rec["diagnostics"]
        if diags:
            self.with_problems += 1
        counts = self.counts
        for d in diags:
            sev = d["severity"]
            counts[sev] = counts.get(sev, 0) + 1
            line, col = d["start"][1] + 1, d["start"][2] + 1
            out.append(
                f"{c(_BOLD, f'{path}:{line}:{col}:')} {c(_COLOURS.get(sev, ''), sev + ':')} {d['message']} "
                + c(_DIM, f"[{d['code']} {d['name']}]")
            )
            if self.show_source:
                excerpt = source_excerpt(d)
                if excerpt is not None:
                    src, caret = excerpt
                    num = str(line)
                    width = max(3, len(num))
                    out.append(c(_BLUE, f"{num:>{width}} |") + (" " + src if src else ""))
                    out.append(c(_BLUE, f"{'':>{width}} |") + " " + c(_CARET, caret))
            for r in d.get("related", ()):
                rpath = r.get("file") or path
                rloc = f"{rpath}:{r['start'][1] + 1}:{r['start'][2] + 1}:"
                out.append(f"  {c(_BOLD, rloc)} {c(_COLOURS['note'], 'note:')} {r['message']}")
            fix = d.get("fix")
            if fix and fix.get("safe"):
                self.fixable += 1
        if out:
            self.wrote = True
            self.write("\n".join(out) + "\n")

    def finish(self) -> None:
        if not self.summary:
            return
        counts = self.counts
        checked = self.files_checked if self.files_checked is not None else self.checked
        total = sum(counts.values())
        out = []
        if total:
            if self.wrote:
                out.append("")
            out.append(
                f"Found {_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')} and "
                f"{_plural(counts['info'], 'info')} in {self.with_problems} of {_plural(checked, 'file')}."
            )
            if self.fixable:
                out.append(f"{_plural(self.fixable, 'problem')} can be fixed automatically with --fix.")
        elif checked:
            out.append(f"All checked: {_plural(checked, 'file')}, no problems.")
        else:
            out.append("No SES documents found: nothing checked.")
        self.write("\n".join(out) + "\n")


def format_text(
    reports, *, color: bool = False, summary: bool = True, files_checked: int | None = None, show_source: bool = True
) -> str:
    """The human format of ``(path, record)`` pairs (see :class:`TextWriter`)."""
    out: list[str] = []
    writer = TextWriter(out.append, color=color, summary=summary, files_checked=files_checked, show_source=show_source)
    for path, rec in reports:
        writer.add(path, rec)
    writer.finish()
    return "".join(out)


# -- json ----------------------------------------------------------------------


def _lc(p) -> dict:
    return {"line": p[1] + 1, "column": p[2] + 1}


def _json_item(path: str, d: dict) -> dict:
    """One item of the JSON format (see the module docstring)."""
    fix = d.get("fix")
    return {
        "file": path,
        "code": d["code"],
        "name": d["name"],
        "severity": d["severity"],
        "message": d["message"],
        "pointer": d.get("pointer", ""),
        "start": _lc(d["start"]),
        "end": _lc(d["end"]),
        "related": [
            {
                "file": r.get("file") or path,
                "message": r["message"],
                "start": _lc(r["start"]),
                "end": _lc(r["end"]),
            }
            for r in d.get("related", ())
        ],
        "fix": None
        if not fix
        else {
            "title": fix["title"],
            "safe": bool(fix["safe"]),
            "edits": [{"start": _lc(e["start"]), "end": _lc(e["end"]), "newText": e["newText"]} for e in fix["edits"]],
        },
    }


def _json_order(it: dict) -> tuple:
    return (
        it["file"],
        it["start"]["line"],
        it["start"]["column"],
        it["end"]["line"],
        it["end"]["column"],
        it["code"],
        it["message"],
    )


def json_items(reports) -> list[dict]:
    """The JSON format's items (see the module docstring), sorted."""
    items = [_json_item(path, d) for path, rec in _active(reports) for d in rec["diagnostics"]]
    items.sort(key=_json_order)
    return items


def format_json(reports) -> str:
    import json

    return json.dumps(json_items(reports), indent=2, ensure_ascii=False) + "\n"


def _indented(value: object, prefix: str) -> str:
    """``value`` as ``json.dumps(..., indent=2)`` prints it nested ``len(prefix) / 2`` levels deep."""
    import json

    return prefix + json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + prefix)


def _lc_text(p, indent: str) -> str:
    """``_lc(p)`` as ``json.dumps(..., indent=2)`` prints it at ``indent``."""
    return f'{{\n{indent}  "line": {p[1] + 1},\n{indent}  "column": {p[2] + 1}\n{indent}}}'


def _json_item_text(path: str, d: dict, enc: Callable[[str], str]) -> str:
    """``_json_item(path, d)`` as ``json.dumps(..., indent=2, ensure_ascii=False)`` prints it one
    level deep (prefixed by two spaces), written out directly.

    json.dumps with ``indent`` runs the json module's pure-Python encoder (its C encoder
    only writes compact JSON): about 35 us an item, most of ``--format json`` on a run with
    many diagnostics (8,700 items: 0.32 s of 0.9 s).  This writes the same text for the
    item's fixed shape in about a tenth of that; tests/test_output.py checks it against
    json.dumps on every shape (issue 10, section 2).  ``enc``: json's string encoder.
    """
    related = d.get("related") or ()
    if related:
        parts = []
        for r in related:
            parts.append(
                f'      {{\n        "file": {enc(r.get("file") or path)},\n        "message": {enc(r["message"])},\n'
                f'        "start": {_lc_text(r["start"], "        ")},\n'
                f'        "end": {_lc_text(r["end"], "        ")}\n      }}'
            )
        related_text = "[\n" + ",\n".join(parts) + "\n    ]"
    else:
        related_text = "[]"
    fix = d.get("fix")
    if fix:
        edits = fix["edits"]
        if edits:
            edits_text = (
                "[\n"
                + ",\n".join(
                    f'        {{\n          "start": {_lc_text(e["start"], "          ")},\n'
                    f'          "end": {_lc_text(e["end"], "          ")},\n'
                    f'          "newText": {enc(e["newText"])}\n        }}'
                    for e in edits
                )
                + "\n      ]"
            )
        else:
            edits_text = "[]"
        fix_text = (
            f'{{\n      "title": {enc(fix["title"])},\n      "safe": {"true" if fix["safe"] else "false"},\n'
            f'      "edits": {edits_text}\n    }}'
        )
    else:
        fix_text = "null"
    s, e = d["start"], d["end"]
    return (
        f'  {{\n    "file": {enc(path)},\n    "code": {enc(d["code"])},\n    "name": {enc(d["name"])},\n'
        f'    "severity": {enc(d["severity"])},\n    "message": {enc(d["message"])},\n'
        f'    "pointer": {enc(d.get("pointer", ""))},\n'
        f'    "start": {{\n      "line": {s[1] + 1},\n      "column": {s[2] + 1}\n    }},\n'
        f'    "end": {{\n      "line": {e[1] + 1},\n      "column": {e[2] + 1}\n    }},\n'
        f'    "related": {related_text},\n    "fix": {fix_text}\n  }}'
    )


def _record_order(d: dict) -> tuple:
    """``_json_order`` of ``_json_item(path, d)`` without the file (one path at a time)."""
    s, e = d["start"], d["end"]
    return (s[1], s[2], e[1], e[2], d["code"], d["message"])


class JsonWriter:
    """The JSON format, streamed: what :func:`format_json` prints, when the files come
    sorted by path (items are sorted within each run of files of the same path)."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write
        self.path: str | None = None
        self.items: list[dict] = []  # the records' diagnostics of the current path
        self.count = 0

    def add(self, path: str, rec: dict | None) -> None:
        if rec is None or rec.get("skipped"):
            return
        if path != self.path:
            self._flush()
            self.path = path
        self.items.extend(rec["diagnostics"])

    def _flush(self) -> None:
        from json.encoder import encode_basestring  # (what json.dumps uses with ensure_ascii=False)

        path = self.path
        if not self.items or path is None:
            return
        self.items.sort(key=_record_order)
        out = [_json_item_text(path, d, encode_basestring) for d in self.items]
        self.write(("[\n" if not self.count else ",\n") + ",\n".join(out))
        self.count += len(out)
        self.items = []

    def finish(self) -> None:
        self._flush()
        self.write("\n]\n" if self.count else "[]\n")


# -- sarif ---------------------------------------------------------------------

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
INFORMATION_URI = "https://github.com/ses-lsp/ses-lsp"


def _rule_descriptor(rule) -> dict:
    doc = rule.doc
    md = [
        f"**{rule.code} {rule.name}**: {rule.summary}",
        "",
        "**What it does**",
        "",
        doc.what,
        "",
        "**Why it matters**",
        "",
        doc.why,
    ]
    if doc.notes:
        md += ["", doc.notes]
    if doc.references:
        md += ["", "**References**", ""] + [f"- {r}" for r in doc.references]
    text = f"{doc.what}\n\n{doc.why}" + (f"\n\n{doc.notes}" if doc.notes else "")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "fullDescription": {"text": doc.what},
        "help": {"text": text, "markdown": "\n".join(md)},
        "helpUri": rule.url,
        "defaultConfiguration": {"level": SARIF_LEVEL[rule.severity.label]},
        "properties": {"tags": list(rule.tags), "source": rule.source, "fixable": bool(rule.fixable)},
    }


def _artifact(path: str, cwd: str) -> dict:
    import os
    from urllib.parse import quote

    if path.startswith("<"):  # the standard input without a name
        return {"uri": quote(path)}
    ap = os.path.normpath(os.path.join(cwd, path))
    try:
        rel = os.path.relpath(ap, cwd)
    except ValueError:
        rel = os.pardir
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        from pathlib import Path

        return {"uri": Path(ap).as_uri()}
    return {"uri": quote(rel.replace(os.sep, "/")), "uriBaseId": "%SRCROOT%"}


def _region(start, end) -> dict:
    return {
        "startLine": start[1] + 1,
        "startColumn": start[2] + 1,
        "endLine": end[1] + 1,
        "endColumn": end[2] + 1,
        "charOffset": start[0],
        "charLength": max(0, end[0] - start[0]),
    }


def _sarif_results(path: str, rec: dict, index: dict[str, int], artifact: Callable[[str], dict]) -> list[dict]:
    """The SARIF results of one file (``artifact(path)``: its artifactLocation)."""
    loc = artifact(path)
    results = []
    for d in rec["diagnostics"]:
        result: dict = {
            "ruleId": d["code"],
            "level": SARIF_LEVEL.get(d["severity"], "error"),
            "message": {"text": d["message"]},
            "locations": [
                {
                    "physicalLocation": {"artifactLocation": dict(loc), "region": _region(d["start"], d["end"])},
                    **(
                        {"logicalLocations": [{"fullyQualifiedName": d["pointer"], "kind": "object"}]}
                        if d.get("pointer")
                        else {}
                    ),
                }
            ],
        }
        if d["code"] in index:
            result["ruleIndex"] = index[d["code"]]
        related = d.get("related") or ()
        if related:
            result["relatedLocations"] = [
                {
                    "id": i,
                    "physicalLocation": {
                        "artifactLocation": dict(artifact(r["file"]) if r.get("file") else loc),
                        "region": _region(r["start"], r["end"]),
                    },
                    "message": {"text": r["message"]},
                }
                for i, r in enumerate(related)
            ]
        fix = d.get("fix")
        if fix:
            result["fixes"] = [
                {
                    "description": {"text": fix["title"]},
                    "artifactChanges": [
                        {
                            "artifactLocation": dict(loc),
                            "replacements": [
                                {
                                    "deletedRegion": {
                                        "charOffset": e["start"][0],
                                        "charLength": max(0, e["end"][0] - e["start"][0]),
                                    },
                                    "insertedContent": {"text": e["newText"]},
                                }
                                for e in fix["edits"]
                            ],
                        }
                    ],
                    "properties": {"safe": bool(fix["safe"])},
                }
            ]
        if d.get("tags"):
            result["properties"] = {"tags": list(d["tags"])}
        results.append(result)
    return results


def _sarif_run(rules, cwd: str, results: object) -> dict:
    """A SARIF 2.1.0 log with one run whose ``results`` are given."""
    from pathlib import Path

    root_uri = Path(cwd).as_uri()
    if not root_uri.endswith("/"):
        root_uri += "/"
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "ses-lsp",
                        "version": ses_lsp.__version__,
                        "semanticVersion": ses_lsp.__version__,
                        "informationUri": INFORMATION_URI,
                        "rules": [_rule_descriptor(r) for r in rules],
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def _sarif_rules(rules):
    if rules is None:
        from ses_lsp.lint.rules import REGISTRY

        rules = list(REGISTRY.rules)
    return rules


def sarif_log(reports, rules=None, cwd: str | None = None) -> dict:
    """A SARIF 2.1.0 log with one run (``rules``: the registry's rules; all of them by default)."""
    import os

    rules = _sarif_rules(rules)
    cwd = cwd or os.getcwd()
    index = {r.code: i for i, r in enumerate(rules)}
    artifacts: dict[str, dict] = {}

    def artifact(path: str) -> dict:
        return artifacts.setdefault(path, _artifact(path, cwd))

    results = []
    for path, rec in _active(reports):
        results.extend(_sarif_results(path, rec, index, artifact))
    return _sarif_run(rules, cwd, results)


def format_sarif(reports, rules=None, cwd: str | None = None) -> str:
    import json

    return json.dumps(sarif_log(reports, rules, cwd), indent=2, ensure_ascii=False) + "\n"


# Where the results go in the printed log (a string no result can hold).
_RESULTS_MARK = "\x00results\x00"


class SarifWriter:
    """The SARIF format, streamed: what :func:`format_sarif` prints; each file's results
    are printed as it comes (the rules, which come first, do not depend on them)."""

    def __init__(self, write: Callable[[str], object], rules=None, cwd: str | None = None) -> None:
        import json
        import os

        self.write = write
        rules = _sarif_rules(rules)
        self.cwd = cwd or os.getcwd()
        self.index = {r.code: i for i, r in enumerate(rules)}
        text = json.dumps(_sarif_run(rules, self.cwd, _RESULTS_MARK), indent=2, ensure_ascii=False)
        self.head, self.tail = text.split(json.dumps(_RESULTS_MARK), 1)
        self.count = 0
        self.artifacts: dict[str, dict] = {}  # those of the current file's results

    def _artifact(self, path: str) -> dict:
        found = self.artifacts.get(path)
        if found is None:
            found = self.artifacts[path] = _artifact(path, self.cwd)
        return found

    def add(self, path: str, rec: dict | None) -> None:
        if rec is None or rec.get("skipped"):
            return
        self.artifacts.clear()
        for result in _sarif_results(path, rec, self.index, self._artifact):
            self.write((self.head + "[\n" if not self.count else ",\n") + _indented(result, " " * 8))
            self.count += 1

    def finish(self) -> None:
        self.write((self.head + "[]" if not self.count else "\n      ]") + self.tail + "\n")


# -- github --------------------------------------------------------------------

GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def _github_lines(path: str, rec: dict) -> list[str]:
    out = []
    for d in rec["diagnostics"]:
        s, e = d["start"], d["end"]
        props = (
            f"file={_gh_prop(path.replace(chr(92), '/'))},line={s[1] + 1},col={s[2] + 1},"
            f"endLine={e[1] + 1},endColumn={e[2] + 1},title={_gh_prop(d['code'] + ' ' + d['name'])}"
        )
        out.append(f"::{GITHUB_LEVEL.get(d['severity'], 'error')} {props}::{_gh_data(d['message'])}")
    return out


def format_github(reports) -> str:
    """GitHub Actions workflow commands: one ``::error file=...::message`` line per diagnostic."""
    out = [line for path, rec in _active(reports) for line in _github_lines(path, rec)]
    return "\n".join(out) + "\n" if out else ""


class GithubWriter:
    """The github format, streamed."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self.write = write

    def add(self, path: str, rec: dict | None) -> None:
        if rec is None or rec.get("skipped"):
            return
        lines = _github_lines(path, rec)
        if lines:
            self.write("\n".join(lines) + "\n")

    def finish(self) -> None:
        pass


FORMATS = ("text", "json", "sarif", "github")


def writer(fmt: str, write: Callable[[str], object], *, color: bool = False):
    """A streaming writer of format ``fmt``: ``add(path, record)`` for each file (in the
    order to print; for json, sorted by path), then ``finish()``.  What it prints is what
    :func:`format_reports` returns for the same files."""
    if fmt == "json":
        return JsonWriter(write)
    if fmt == "sarif":
        return SarifWriter(write)
    if fmt == "github":
        return GithubWriter(write)
    return TextWriter(write, color=color)


def format_reports(fmt: str, reports, *, color: bool = False) -> str:
    if fmt == "json":
        return format_json(reports)
    if fmt == "sarif":
        return format_sarif(reports)
    if fmt == "github":
        return format_github(reports)
    return format_text(reports, color=color)
