"""Character offsets <-> LSP positions, in the negotiated position encoding.

The engine works in character offsets (Python ``str`` indices: code points).
LSP positions are (line, character) where ``character`` counts code units of
the negotiated encoding: UTF-16 (the default every client supports), UTF-8 or
UTF-32 (code points) when the client offers them in
``general.positionEncodings``.

Lines are separated by ``\\n``, ``\\r\\n`` or a lone ``\\r`` (the LSP's
definition; :class:`~ses_lsp.document.nodes.LineIndex` implements it).

Out-of-range positions are clamped (a character past the end of its line
means the line end, a line past the last line means the end of the text) and
a position inside a character (between the two halves of a UTF-16 surrogate
pair, inside a UTF-8 sequence) is rounded down to the character's start, so
no client position can make the server fail.
"""

from __future__ import annotations

from ses_lsp.document.nodes import LineIndex

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"
ENCODINGS = (UTF8, UTF16, UTF32)


def normalise_encoding(name: object) -> str:
    """The encoding name for a ``PositionEncodingKind`` (or text); UTF-16 when unknown."""
    value = getattr(name, "value", name)
    if isinstance(value, str):
        low = value.lower().replace("_", "-")
        if low in ENCODINGS:
            return low
        if low in ("utf8", "utf16", "utf32"):
            return low[:3] + "-" + low[3:]
    return UTF16


def _units(s: str, encoding: str) -> int:
    """Code units of ``s`` in ``encoding``."""
    if encoding == UTF32 or s.isascii():
        return len(s)
    if encoding == UTF16:
        return len(s.encode("utf-16-le", "surrogatepass")) // 2
    return len(s.encode("utf-8", "surrogatepass"))


def _char_units(c: str, encoding: str) -> int:
    o = ord(c)
    if encoding == UTF16:
        return 2 if o > 0xFFFF else 1
    if encoding == UTF8:
        return 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
    return 1


def units_to_column(line_text: str, units: int, encoding: str) -> int:
    """The code-point column of ``units`` code units into ``line_text`` (clamped, rounded down)."""
    if units <= 0:
        return 0
    if encoding == UTF32 or line_text.isascii():
        return min(units, len(line_text))
    total = 0
    for i, c in enumerate(line_text):
        total += _char_units(c, encoding)
        if total > units:
            return i
        if total == units:
            return i + 1
    return len(line_text)


def column_to_units(line_text: str, column: int, encoding: str) -> int:
    return _units(line_text[: max(column, 0)], encoding)


class Codec:
    """Converts between offsets and (line, character) for one encoding."""

    __slots__ = ("encoding",)

    def __init__(self, encoding: object = UTF16) -> None:
        self.encoding = normalise_encoding(encoding)

    def position(self, lines: LineIndex, offset: int) -> tuple[int, int]:
        """(line, character in code units) of a character offset (clamped)."""
        line, col = lines.position(offset)
        if col == 0 or self.encoding == UTF32:
            return line, col
        start = lines.starts[line]
        return line, _units(lines.text[start : start + col], self.encoding)

    def offset(self, lines: LineIndex, line: int, character: int) -> int:
        """The character offset of an LSP position (clamped to the text)."""
        if self.encoding == UTF32 or line < 0 or line >= len(lines.starts):
            return lines.offset(line, character)  # code points: the line index's own clamping
        start = lines.starts[line]
        return start + units_to_column(lines.text[start : lines.line_end(line)], character, self.encoding)

    def span(self, lines: LineIndex, start: int, end: int) -> tuple[tuple[int, int], tuple[int, int]]:
        return self.position(lines, start), self.position(lines, max(start, end))


def apply_change(text: str, lines: LineIndex | None, codec: Codec, rng, new_text: str) -> str:
    """``text`` after one ``TextDocumentContentChangeEvent``.

    ``rng`` is ``((start line, start char), (end line, end char))`` or ``None``
    for a whole-document replacement.  A reversed range is taken in order.
    """
    if rng is None:
        return new_text
    if lines is None or lines.text is not text:
        lines = LineIndex(text)
    (sl, sc), (el, ec) = rng
    a = codec.offset(lines, sl, sc)
    b = codec.offset(lines, el, ec)
    if b < a:
        a, b = b, a
    return text[:a] + new_text + text[b:]
