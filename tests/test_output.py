"""Formatters (text, json, sarif, github) on hand-made records: exact output."""

from __future__ import annotations

import json
import os

import pytest

from ses_lsp.lint import output
from ses_lsp.lint.output import format_github, format_json, format_sarif, format_text, json_items, sarif_log


def pos(offset: int, line: int, col: int) -> list[int]:
    return [offset, line, col]


def diag(
    code="SES101",
    name="unknown-member",
    severity="error",
    message="unknown member",
    *,
    start=(0, 0, 0),
    end=(0, 0, 1),
    source=None,
    related=(),
    fix=None,
    pointer="/Rule",
    tags=(),
):
    return {
        "code": code,
        "name": name,
        "severity": severity,
        "message": message,
        "pointer": pointer,
        "start": list(start),
        "end": list(end),
        "source": list(source) if source is not None else None,
        "related": list(related),
        "fix": fix,
        "tags": list(tags),
    }


def record(*diags, kind="ses:create-receipt-rule", skipped=False):
    return {"kind": kind, "skipped": skipped, "diagnostics": list(diags)}


LINE = "    Bucket: mail-bucket"


def sample():
    d1 = diag(
        message='unknown member "Bucket"',
        start=(40, 6, 4),
        end=(46, 6, 10),
        source=(LINE, 0, len(LINE)),
        related=[{"file": None, "message": "the object", "start": [30, 5, 6], "end": [31, 5, 7]}],
        fix={
            "title": "Rename",
            "safe": False,
            "edits": [{"start": [40, 6, 4], "end": [46, 6, 10], "newText": "BucketName"}],
        },
    )
    d2 = diag(
        "SES505",
        "enabled-omitted",
        "warning",
        "Enabled is not set",
        start=(10, 1, 2),
        end=(14, 1, 6),
        source=("  Name: store", 0, 13),
        fix={
            "title": "Set Enabled",
            "safe": True,
            "edits": [{"start": [15, 1, 7], "end": [15, 1, 7], "newText": "\n  Enabled: true"}],
        },
    )
    return [
        ("rules/a.yaml", record(d2, d1)),
        ("rules/b.yaml", record()),
        ("rules/c.json", record(skipped=True, kind=None)),
    ]


# -- text ----------------------------------------------------------------------


def test_text_exact():
    expected = (
        "rules/a.yaml:2:3: warning: Enabled is not set [SES505 enabled-omitted]\n"
        "  2 |   Name: store\n"
        "    |   ^~~~\n"
        'rules/a.yaml:7:5: error: unknown member "Bucket" [SES101 unknown-member]\n'
        "  7 |     Bucket: mail-bucket\n"
        "    |     ^~~~~~\n"
        "  rules/a.yaml:6:7: note: the object\n"
        "\n"
        "Found 1 error, 1 warning and 0 infos in 1 of 2 files.\n"
        "1 problem can be fixed automatically with --fix.\n"
    )
    assert format_text(sample()) == expected


def test_text_summaries():
    assert format_text([("a.json", record())]) == "All checked: 1 file, no problems.\n"
    assert format_text([("a.json", record()), ("b.json", record())]) == "All checked: 2 files, no problems.\n"
    assert format_text([("a.json", record(skipped=True))]) == "No SES documents found: nothing checked.\n"
    assert format_text([]) == "No SES documents found: nothing checked.\n"
    infos = record(diag(severity="info", source=("x", 0, 1)), diag(severity="info", source=("x", 0, 1)))
    text = format_text([("a.json", infos)])
    assert text.endswith("Found 0 errors, 0 warnings and 2 infos in 1 of 1 file.\n")
    assert format_text([("a.json", infos)], summary=False).count("\n") == 6


def test_text_no_colour_by_default_and_colour_on_request():
    plain = format_text(sample())
    assert "\x1b[" not in plain
    coloured = format_text(sample(), color=True)
    assert "\x1b[1;31merror:" in coloured and "\x1b[1;33mwarning:" in coloured
    # Colour codes aside, the text is the same.
    import re

    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured) == plain


def excerpt(source, start_col, end_col, end_line=0):
    d = diag(start=(start_col, 0, start_col), end=(end_col, end_line, end_col), source=(source, 0, len(source)))
    return output.source_excerpt(d)


def test_caret_under_span_and_zero_width():
    assert excerpt("Name: x", 0, 4) == ("Name: x", "^~~~")
    assert excerpt("Name: x", 6, 6) == ("Name: x", "      ^")
    # A span past the end of the line (e.g. at the line break) still shows one caret.
    assert excerpt("Name:", 5, 5) == ("Name:", "     ^")


def test_caret_with_tabs_aligns():
    src, caret = excerpt("\tKey:\tvalue", 6, 11)
    assert src == "    Key:    value"
    assert caret == " " * 12 + "^~~~~"
    assert src[caret.index("^") :] == "value"
    # A span starting on a tab covers the tab's columns.
    assert excerpt("\tKey:\tvalue", 5, 11)[1] == " " * 8 + "^" + "~" * 8


def test_caret_multi_line_span_clamped_to_first_line():
    d = diag(start=(2, 0, 2), end=(30, 3, 1), source=("x: [1,", 0, 6))
    assert output.source_excerpt(d) == ("x: [1,", "  ^~~~")


def test_caret_wide_characters():
    src, caret = excerpt("名前: 値", 4, 5)
    assert src == "名前: 値"
    # "名前: " takes 6 cells, "値" takes 2.
    assert caret == " " * 6 + "^~"


def test_control_characters_are_not_sent_to_the_terminal():
    src, caret = excerpt("a\x1b[31mb", 0, 1)
    assert "\x1b" not in src
    assert len(src) == len("a\x1b[31mb")


def test_a_leading_byte_order_mark_is_not_shown_and_the_caret_follows_the_text():
    # It showed as U+FFFD.  Positions count it (column 7 is "x"); the excerpt does not show it.
    src, caret = excerpt("\ufeffName: x", 7, 8)
    assert (src, caret) == ("Name: x", "      ^")
    assert excerpt("\ufeffName: x", 0, 0) == ("Name: x", "^")  # a diagnostic on the mark itself
    # Only on the first line, at its start: elsewhere U+FEFF is a character like any other.
    d = diag(start=(10, 1, 1), end=(11, 1, 2), source=("\ufeffx", 0, 2))
    assert output.source_excerpt(d) == ("\ufffdx", " ^")


def test_long_line_window():
    line = "x" * 500
    # The record holds a window of the line: 200 characters starting at column 240.
    d = diag(start=(300, 0, 300), end=(305, 0, 305), source=(line[240:440], 240, 500))
    src, caret = output.source_excerpt(d)
    assert src == "…" + "x" * 200 + "…"
    assert caret == " " * 61 + "^~~~~"


def test_text_without_source_line():
    rec = record(diag(source=None, start=(0, 0, 0), end=(0, 0, 0)))
    assert (
        format_text([("a.json", rec)], summary=False) == "a.json:1:1: error: unknown member [SES101 unknown-member]\n"
    )


# -- json ----------------------------------------------------------------------


def test_json_exact():
    items = json.loads(format_json(sample()))
    assert items == [
        {
            "file": "rules/a.yaml",
            "code": "SES505",
            "name": "enabled-omitted",
            "severity": "warning",
            "message": "Enabled is not set",
            "pointer": "/Rule",
            "start": {"line": 2, "column": 3},
            "end": {"line": 2, "column": 7},
            "related": [],
            "fix": {
                "title": "Set Enabled",
                "safe": True,
                "edits": [
                    {"start": {"line": 2, "column": 8}, "end": {"line": 2, "column": 8}, "newText": "\n  Enabled: true"}
                ],
            },
        },
        {
            "file": "rules/a.yaml",
            "code": "SES101",
            "name": "unknown-member",
            "severity": "error",
            "message": 'unknown member "Bucket"',
            "pointer": "/Rule",
            "start": {"line": 7, "column": 5},
            "end": {"line": 7, "column": 11},
            "related": [
                {
                    "file": "rules/a.yaml",
                    "message": "the object",
                    "start": {"line": 6, "column": 7},
                    "end": {"line": 6, "column": 8},
                }
            ],
            "fix": {
                "title": "Rename",
                "safe": False,
                "edits": [
                    {"start": {"line": 7, "column": 5}, "end": {"line": 7, "column": 11}, "newText": "BucketName"}
                ],
            },
        },
    ]


def test_json_sorted_by_file_then_position():
    reports = [
        ("z.json", record(diag(start=(0, 0, 0)))),
        ("a.json", record(diag(start=(50, 4, 0)), diag(start=(5, 0, 5)), diag(start=(20, 2, 1)))),
    ]
    items = json_items(reports)
    assert [(i["file"], i["start"]["line"], i["start"]["column"]) for i in items] == [
        ("a.json", 1, 6),
        ("a.json", 3, 2),
        ("a.json", 5, 1),
        ("z.json", 1, 1),
    ]


def test_json_stream_is_json_dumps_of_every_item_shape():
    """The JSON writer writes each item's text itself (json.dumps with indent is slow): it must be
    exactly what json.dumps(..., indent=2, ensure_ascii=False) prints, for every shape an item
    takes (no related / several, no fix / a fix without edits / several edits, odd strings)."""
    odd = 'quote " backslash \\ tab \t newline \n nul \x00 é 😀 \u2028 lone \ud800 end'
    fixes = [
        None,
        {"title": "Nothing to do", "safe": True, "edits": []},
        {
            "title": odd,
            "safe": False,
            "edits": [
                {"start": [1, 0, 1], "end": [2, 0, 2], "newText": ""},
                {"start": [90, 9, 0], "end": [95, 9, 5], "newText": odd},
            ],
        },
    ]
    relateds = [
        [],
        [{"file": None, "message": "here", "start": [3, 0, 3], "end": [4, 0, 4]}],
        [
            {"file": "other/ü.yaml", "message": odd, "start": [7, 1, 2], "end": [7, 1, 2]},
            {"file": None, "message": "", "start": [0, 0, 0], "end": [0, 0, 0]},
        ],
    ]
    diags = [
        diag(
            message=odd if i % 2 else "plain", pointer=odd if i == 4 else "/Rules/0", start=(i, 0, i), related=r, fix=f
        )
        for i, (r, f) in enumerate((r, f) for r in relateds for f in fixes)
    ]
    reports = [("b/ü 😀.json", record(*diags)), ("c.yaml", record(diag()))]
    out: list[str] = []
    w = output.writer("json", out.append)
    for path, rec in reports:
        w.add(path, rec)
    w.finish()
    assert "".join(out) == json.dumps(json_items(reports), indent=2, ensure_ascii=False) + "\n" == format_json(reports)


def test_json_empty_is_an_array():
    assert format_json([]) == "[]\n"


# -- sarif ---------------------------------------------------------------------


class FakeDoc:
    what = "What."
    why = "Why."
    notes = ""
    references = ("RFC 8259",)


class FakeSeverity:
    def __init__(self, label):
        self.label = label


class FakeRule:
    def __init__(self, code, name, label):
        self.code, self.name, self.summary, self.source = code, name, f"{name} summary", "API model"
        self.severity = FakeSeverity(label)
        self.doc = FakeDoc()
        self.tags = ()
        self.fixable = True
        self.url = f"https://example.invalid/{code}"


RULES = [
    FakeRule("SES101", "unknown-member", "error"),
    FakeRule("SES505", "enabled-omitted", "warning"),
    FakeRule("SES009", "unused-suppression", "info"),
]


def test_sarif_structure(tmp_path):
    log = sarif_log(sample(), RULES, cwd=str(tmp_path))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "ses-lsp" and driver["version"] and driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == ["SES101", "SES505", "SES009"]
    r0 = driver["rules"][0]
    assert r0["name"] == "unknown-member"
    assert r0["shortDescription"] == {"text": "unknown-member summary"}
    assert r0["fullDescription"] == {"text": "What."}
    assert "Why." in r0["help"]["text"] and "**What it does**" in r0["help"]["markdown"]
    assert r0["helpUri"] == "https://example.invalid/SES101"
    assert [r["defaultConfiguration"]["level"] for r in driver["rules"]] == ["error", "warning", "note"]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    assert run["columnKind"] == "unicodeCodePoints"

    results = run["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("SES505", 1, "warning"),
        ("SES101", 0, "error"),
    ]
    err = results[1]
    assert err["message"] == {"text": 'unknown member "Bucket"'}
    loc = err["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "rules/a.yaml", "uriBaseId": "%SRCROOT%"}
    assert loc["region"] == {
        "startLine": 7,
        "startColumn": 5,
        "endLine": 7,
        "endColumn": 11,
        "charOffset": 40,
        "charLength": 6,
    }
    rel = err["relatedLocations"][0]
    assert rel["message"] == {"text": "the object"}
    assert rel["physicalLocation"]["region"]["startLine"] == 6
    fix = err["fixes"][0]
    assert fix["description"] == {"text": "Rename"}
    change = fix["artifactChanges"][0]
    assert change["artifactLocation"] == {"uri": "rules/a.yaml", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [
        {"deletedRegion": {"charOffset": 40, "charLength": 6}, "insertedContent": {"text": "BucketName"}}
    ]
    assert "fixes" in results[0]


def test_sarif_uris_are_encoded_and_outside_files_absolute(tmp_path):
    outside = os.path.join(os.path.dirname(str(tmp_path)), "elsewhere", "x y.json")
    reports = [("dir/a b.json", record(diag())), (outside, record(diag()))]
    run = sarif_log(reports, RULES, cwd=str(tmp_path))["runs"][0]
    locs = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in run["results"]]
    assert locs[0] == {"uri": "dir/a%20b.json", "uriBaseId": "%SRCROOT%"}
    assert locs[1]["uri"].startswith("file:///") and locs[1]["uri"].endswith("/elsewhere/x%20y.json")
    assert "uriBaseId" not in locs[1]


def test_sarif_is_json_with_all_rules_by_default():
    pytest.importorskip("ses_lsp.lint.rules")
    from ses_lsp.lint.rules import REGISTRY

    log = json.loads(format_sarif(sample()))
    rules = log["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [r.code for r in REGISTRY.rules]
    for result in log["runs"][0]["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


# -- github --------------------------------------------------------------------


def test_github_exact():
    assert format_github(sample()) == (
        "::warning file=rules/a.yaml,line=2,col=3,endLine=2,endColumn=7,title=SES505 enabled-omitted"
        "::Enabled is not set\n"
        "::error file=rules/a.yaml,line=7,col=5,endLine=7,endColumn=11,title=SES101 unknown-member"
        '::unknown member "Bucket"\n'
    )


def test_github_levels_and_escaping():
    rec = record(diag(severity="info", message="100% done\r\nnext line, ok: yes"))
    line = format_github([("we,ird:name%.yaml", rec)])
    assert line == (
        "::notice file=we%2Cird%3Aname%25.yaml,line=1,col=1,endLine=1,endColumn=2,"
        "title=SES101 unknown-member::100%25 done%0D%0Anext line, ok: yes\n"
    )
    assert format_github([]) == ""
