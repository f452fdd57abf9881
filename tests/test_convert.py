"""Offsets <-> LSP positions in UTF-16, UTF-8 and UTF-32; incremental edits."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ses_lsp.document.nodes import LineIndex
from ses_lsp.server.convert import Codec, apply_change, normalise_encoding

TEXT = "a😀b\r\nté\rx\n\n"


def test_utf16_astral():
    c, lines = Codec("utf-16"), LineIndex(TEXT)
    assert c.position(lines, 2) == (0, 3)  # after "a😀": 1 + 2 units
    assert c.offset(lines, 0, 3) == 2
    assert c.offset(lines, 0, 2) == 1  # inside the surrogate pair: rounded down
    assert c.position(lines, 7) == (1, 2)  # after "té"
    assert c.offset(lines, 1, 99) == 7  # clamped to the line end, before the CRLF? no: before "\r"
    assert c.offset(lines, 2, 1) == 9
    assert c.offset(lines, 99, 0) == len(TEXT)


def test_utf8_and_utf32():
    lines = LineIndex(TEXT)
    assert Codec("utf-8").position(lines, 2) == (0, 5)
    assert Codec("utf-8").offset(lines, 1, 3) == 7
    assert Codec("utf-32").position(lines, 2) == (0, 2)
    assert normalise_encoding("utf-8") == "utf-8" and normalise_encoding("bogus") == "utf-16"


def test_apply_change():
    c = Codec()
    assert apply_change(TEXT, None, c, ((0, 1), (0, 3)), "") == "ab\r\nté\rx\n\n"
    assert apply_change(TEXT, None, c, ((1, 0), (0, 3)), "") == "a😀té\rx\n\n"  # reversed range
    assert apply_change(TEXT, None, c, None, "new") == "new"
    assert apply_change(TEXT, None, c, ((50, 0), (60, 0)), "!") == TEXT + "!"


# No deadline (hypothesis's default is 200 ms an example): a test process shares the cores with
# the other pytest-xdist workers and their servers, and a slow example is no failure here.
@settings(deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab\r\n😀é\t")), max_size=40), st.data())
def test_roundtrip(text, data):
    lines = LineIndex(text)
    for enc in ("utf-8", "utf-16", "utf-32"):
        c = Codec(enc)
        off = data.draw(st.integers(0, len(text)))
        if 0 < off < len(text) and text[off - 1] == "\r" and text[off] == "\n":
            continue
        line, ch = c.position(lines, off)
        assert c.offset(lines, line, ch) == off
