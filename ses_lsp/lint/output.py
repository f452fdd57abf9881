"""Output formats of ``ses-lsp lint``: text, json, sarif, github.

Every formatter takes ``reports``: a list of ``(path, record)`` pairs in the
order the files were found, where ``record`` is the plain record described in
:mod:`ses_lsp.lint.runner` (skipped files are left out by the formatters).

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


def format_text(
    reports, *, color: bool = False, summary: bool = True, files_checked: int | None = None, show_source: bool = True
) -> str:
    """The human format: ``path:line:col: severity: message [CODE name]``, the source, a summary."""
    out: list[str] = []

    def c(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    counts = {"error": 0, "warning": 0, "info": 0}
    with_problems = 0
    checked = 0
    fixable = 0
    for path, rec in _active(reports):
        checked += 1
        diags = rec["diagnostics"]
        if diags:
            with_problems += 1
        for d in diags:
            sev = d["severity"]
            counts[sev] = counts.get(sev, 0) + 1
            line, col = d["start"][1] + 1, d["start"][2] + 1
            out.append(
                f"{c(_BOLD, f'{path}:{line}:{col}:')} {c(_COLOURS.get(sev, ''), sev + ':')} {d['message']} "
                + c(_DIM, f"[{d['code']} {d['name']}]")
            )
            if show_source:
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
                fixable += 1
    if summary:
        if files_checked is not None:
            checked = files_checked
        total = sum(counts.values())
        if total:
            if out:
                out.append("")
            out.append(
                f"Found {_plural(counts['error'], 'error')}, {_plural(counts['warning'], 'warning')} and "
                f"{_plural(counts['info'], 'info')} in {with_problems} of {_plural(checked, 'file')}."
            )
            if fixable:
                out.append(f"{_plural(fixable, 'problem')} can be fixed automatically with --fix.")
        elif checked:
            out.append(f"All checked: {_plural(checked, 'file')}, no problems.")
        else:
            out.append("No SES documents found: nothing checked.")
    return "\n".join(out) + "\n" if out else ""


# -- json ----------------------------------------------------------------------


def _lc(p) -> dict:
    return {"line": p[1] + 1, "column": p[2] + 1}


def json_items(reports) -> list[dict]:
    """The JSON format's items (see the module docstring), sorted."""
    items = []
    for path, rec in _active(reports):
        for d in rec["diagnostics"]:
            fix = d.get("fix")
            items.append(
                {
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
                        "edits": [
                            {"start": _lc(e["start"]), "end": _lc(e["end"]), "newText": e["newText"]}
                            for e in fix["edits"]
                        ],
                    },
                }
            )
    items.sort(
        key=lambda it: (
            it["file"],
            it["start"]["line"],
            it["start"]["column"],
            it["end"]["line"],
            it["end"]["column"],
            it["code"],
            it["message"],
        )
    )
    return items


def format_json(reports) -> str:
    import json

    return json.dumps(json_items(reports), indent=2, ensure_ascii=False) + "\n"


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


def sarif_log(reports, rules=None, cwd: str | None = None) -> dict:
    """A SARIF 2.1.0 log with one run (``rules``: the registry's rules; all of them by default)."""
    import os
    from pathlib import Path

    if rules is None:
        from ses_lsp.lint.rules import REGISTRY

        rules = list(REGISTRY.rules)
    cwd = cwd or os.getcwd()
    index = {r.code: i for i, r in enumerate(rules)}
    results = []
    artifacts: dict[str, dict] = {}
    for path, rec in _active(reports):
        loc = artifacts.setdefault(path, _artifact(path, cwd))
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
                            "artifactLocation": dict(
                                artifacts.setdefault(r["file"], _artifact(r["file"], cwd)) if r.get("file") else loc
                            ),
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


def format_sarif(reports, rules=None, cwd: str | None = None) -> str:
    import json

    return json.dumps(sarif_log(reports, rules, cwd), indent=2, ensure_ascii=False) + "\n"


# -- github --------------------------------------------------------------------

GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice"}


def _gh_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(s: str) -> str:
    return _gh_data(s).replace(":", "%3A").replace(",", "%2C")


def format_github(reports) -> str:
    """GitHub Actions workflow commands: one ``::error file=...::message`` line per diagnostic."""
    out = []
    for path, rec in _active(reports):
        for d in rec["diagnostics"]:
            s, e = d["start"], d["end"]
            props = (
                f"file={_gh_prop(path.replace(chr(92), '/'))},line={s[1] + 1},col={s[2] + 1},"
                f"endLine={e[1] + 1},endColumn={e[2] + 1},title={_gh_prop(d['code'] + ' ' + d['name'])}"
            )
            out.append(f"::{GITHUB_LEVEL.get(d['severity'], 'error')} {props}::{_gh_data(d['message'])}")
    return "\n".join(out) + "\n" if out else ""


FORMATS = ("text", "json", "sarif", "github")


def format_reports(fmt: str, reports, *, color: bool = False) -> str:
    if fmt == "json":
        return format_json(reports)
    if fmt == "sarif":
        return format_sarif(reports)
    if fmt == "github":
        return format_github(reports)
    return format_text(reports, color=color)
