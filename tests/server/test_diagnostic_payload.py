"""The published diagnostics of a document with many of them (issue 10, section 2).

The server builds the JSON of its diagnostics directly (no lsprotocol objects, no
cattrs), with a fast path for positions in ASCII texts: the ranges must be what the
position codec says in every encoding and line-end style, and a quick fix on a
document with hundreds of diagnostics must still apply.
"""

from __future__ import annotations

import json

import pytest
import yaml
from lsprotocol import types as T
from test_server import apply_edits, uri_for

from ses_lsp.server.server import DocState, create_server


def noisy_yaml(rules: int = 40) -> str:
    """Rules that each list a domain and seven addresses at it: seven SES610 infos per rule."""
    doc = {
        "Rules": [
            {
                "Name": f"rule-{i:03d}",
                "Enabled": True,
                "Recipients": [f"d{i}.example.com", *(f"user{j}@d{i}.example.com" for j in range(7))],
                "Actions": [{"S3Action": {"BucketName": f"bucket-{i}"}}],
            }
            for i in range(rules)
        ]
    }
    return yaml.safe_dump(doc, sort_keys=False)


def _texts() -> dict[str, str]:
    base = noisy_yaml(6)
    return {
        "ascii": base,
        "crlf": base.replace("\n", "\r\n"),
        "lone cr": base.replace("\n", "\r"),
        # non-ASCII before the diagnostics on the same lines, and an astral character
        "non-ascii": base.replace("Name: rule-", "Name: règle-😀-").replace("user0@", "usér0@"),
    }


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-32"])
@pytest.mark.parametrize("variant", list(_texts()))
def test_ranges_are_the_codecs(variant, encoding):
    """Every range in the published JSON (diagnostic, related location, fix edit) is the codec's."""
    from ses_lsp.server.convert import Codec

    text = _texts()[variant]
    ls = create_server(debounce=0)
    ls.codec = Codec(encoding)
    st = DocState("file:///t/rules.yaml", text, 1, "yaml")
    ls.docs[st.uri] = st
    res = ls.lint(st)
    items = ls.diagnostic_dicts(st, res)
    assert len(items) == len(res.diagnostics) and sum(d.code == "SES610" for d in res.diagnostics) >= 40
    lines = st.lines

    def want(start: int, end: int) -> dict:
        (sl, sc), (el, ec) = ls.codec.span(lines, start, end)
        return {"start": {"line": sl, "character": sc}, "end": {"line": el, "character": ec}}

    for d, item in zip(res.diagnostics, items, strict=True):
        assert item["range"] == want(d.start, d.end)
        assert [r["location"]["range"] for r in item.get("relatedInformation", ())] == [
            want(r.start, r.end) for r in d.related
        ]
        assert item["data"] == {"name": d.name}  # no fix: code actions compute it when asked
    # the lsprotocol view (pull diagnostics, tests) is the same JSON, structured
    assert ls.protocol._converter.unstructure(ls.lsp_diagnostics(st, res)) == items
    # and the published text (written directly) is json.dumps of it
    message = {
        "jsonrpc": "2.0",
        "method": "textDocument/publishDiagnostics",
        "params": {"uri": st.uri, "diagnostics": items, "version": st.version},
    }
    assert ls.publish_json(st, res) == json.dumps(message)


@pytest.mark.asyncio
@pytest.mark.parametrize("resolve", [False, True], ids=["edits-listed", "edits-resolved"])
async def test_quick_fix_on_a_document_with_hundreds_of_diagnostics(session, tmp_path, resolve):
    """The quick fix of one of 280 redundant recipients, with its edit in the code action list
    or (a client that resolves code actions: VS Code, Neovim) added by codeAction/resolve."""
    await session.init(resolve=resolve)
    uri = uri_for(tmp_path, "rules.yaml")
    text = noisy_yaml(40)
    session.open(uri, text, "yaml")
    pub = await session.diagnostics(uri, 1)
    redundant = [d for d in pub.diagnostics if d.code == "SES610"]
    assert len(redundant) == 40 * 7
    d = next(d for d in redundant if '"user3@d17.example.com"' in d.message)
    assert list(d.tags) == [T.DiagnosticTag.Unnecessary] and "fix" not in d.data
    assert d.related_information and "d17.example.com" in d.related_information[0].message
    actions = await session.client.text_document_code_action_async(
        T.CodeActionParams(T.TextDocumentIdentifier(uri), d.range, T.CodeActionContext(diagnostics=[d]))
    )
    fix = next(a for a in actions if a.kind == T.CodeActionKind.QuickFix and a.title.startswith("Remove"))
    assert fix.title == 'Remove "user3@d17.example.com"'
    assert list(fix.diagnostics or ()) == [d]
    if resolve:
        assert fix.edit is None and fix.data is not None
        fix = await session.client.code_action_resolve_async(fix)
    fixed = apply_edits(text, fix.edit.changes[uri])
    assert fixed == text.replace("  - user3@d17.example.com\n", "", 1)
    # the fixed text, sent as an edit, is linted to one diagnostic fewer
    v = session.replace_all(uri, fixed)
    after = await session.diagnostics(uri, v)
    assert len(after.diagnostics) == len(pub.diagnostics) - 1
    assert not any('"user3@d17.example.com"' in x.message for x in after.diagnostics)


def test_published_text_is_the_json_of_the_diagnostics_and_reuses_unchanged_ones():
    """publish_json is json.dumps of the message built from diagnostic_dicts (pygls' encoding),
    after every edit; an edit that moves no line rebuilds only the diagnostics it changed, and
    one that moves lines (a line added above, or a line break moved without changing any
    offset) gets the positions right."""
    text = noisy_yaml(30).replace("- Name: rule-010\n", "#  \n- Name: rule-010\n", 1)
    ls = create_server(debounce=0)
    sent: list[str] = []
    ls.protocol.send_json_text = sent.append  # type: ignore[method-assign]  # what publish() writes
    st = DocState("file:///t/rules.yaml", text, 1, "yaml")
    ls.docs[st.uri] = st
    did_change = ls.protocol.fm.features[T.TEXT_DOCUMENT_DID_CHANGE]

    def check() -> None:
        assert len(sent) == st.version  # one publication per version (did_change lints at once)
        res = ls.lint(st)
        message = {
            "jsonrpc": "2.0",
            "method": "textDocument/publishDiagnostics",
            "params": {"uri": st.uri, "diagnostics": ls.diagnostic_dicts(st, res), "version": st.version},
        }
        assert sent[-1] == json.dumps(message)

    ls.publish(st, ls.lint(st))
    check()
    count = len(ls.lint(st).diagnostics)
    assert len(st.fragments) == count >= 30 * 7
    lines = text.split("\n")

    def at(needle: str, delta: int = 0) -> tuple[int, int]:
        line = next(i for i, t in enumerate(lines) if needle in t)
        return line, lines[line].index(needle) + delta

    comment = at("#  ")
    # Inside the name of rule 15: insert a character, delete it; break the rule's recipients (a
    # changed set of diagnostics); add a line above rule 10 (every later line moves); turn "#  "
    # into "#", a line break and " " (no offset moves, the lines below rule 10 do).
    edits = [
        (at("rule-015", 5), at("rule-015", 5), "x", 10),
        (at("rule-015", 5), at("rule-015", 6), "", 10),
        (at("user2@d15.example.com", 18), at("user2@d15.example.com", 21), "org", 10),
        ((0, 0), (0, 0), "# a new first line\n", count),
        ((comment[0] + 1, 1), (comment[0] + 1, 3), "\n ", count),
    ]
    for version, (start, end, new, most) in enumerate(edits, start=2):
        assert sum(d.code == "SES610" for d in ls.lint(st).diagnostics) >= 30 * 7 - 1  # (valid YAML throughout)
        before = [entry[3] for entry in st.published_ids.values()]  # (kept alive: compared by identity)
        known = {id(frag) for frag in before}
        did_change(
            T.DidChangeTextDocumentParams(
                T.VersionedTextDocumentIdentifier(uri=st.uri, version=version),
                [T.TextDocumentContentChangePartial(range=T.Range(T.Position(*start), T.Position(*end)), text=new)],
            )
        )
        check()
        rebuilt = sum(1 for entry in st.published_ids.values() if id(entry[3]) not in known)
        # rule 15's own infos name the rule (renamed) or moved: the others are reused; after the
        # edits that move lines, those below are rebuilt
        assert rebuilt <= most, (version, rebuilt)
