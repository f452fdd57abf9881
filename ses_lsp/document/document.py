"""A document: its text, its format, and (lazily) its parsed tree and line index."""

from __future__ import annotations

from ses_lsp.document.nodes import LineIndex, Node, ParseResult

JSON = "json"
YAML = "yaml"

_JSON_SUFFIXES = (".json", ".jsonc", ".json5")
_YAML_SUFFIXES = (".yaml", ".yml")


def guess_format(path: str | None, text: str) -> str:
    """JSON or YAML: by file name suffix, else by the first significant character."""
    if path:
        low = path.lower()
        if low.endswith(_JSON_SUFFIXES):
            return JSON
        if low.endswith(_YAML_SUFFIXES):
            return YAML
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped[:1] in ("{", "["):
        return JSON
    return YAML


def parse_text(text: str, fmt: str) -> ParseResult:
    if fmt == JSON:
        from ses_lsp.document.json_parser import parse_json

        return parse_json(text)
    from ses_lsp.document.yaml_parser import parse_yaml

    return parse_yaml(text)


class Document:
    """One JSON or YAML text.  Parsing happens once, on first use."""

    __slots__ = ("text", "path", "format", "_parsed", "_lines", "version")

    def __init__(self, text: str, path: str | None = None, fmt: str | None = None, version: int | None = None) -> None:
        self.text = text
        self.path = path
        self.format = fmt or guess_format(path, text)
        self.version = version
        self._parsed: ParseResult | None = None
        self._lines: LineIndex | None = None

    @property
    def parsed(self) -> ParseResult:
        if self._parsed is None:
            self._parsed = parse_text(self.text, self.format)
        return self._parsed

    def view(self, root: Node) -> Document:
        """A Document of the same text (and path and format) whose tree is ``root``: a tree built
        over this text, such as the view of a template resource's Properties (ses_lsp.cfn.view),
        whose spans are offsets into this text."""
        doc = Document(self.text, self.path, self.format, self.version)
        doc._parsed = ParseResult(root, [], True, self.format, self.parsed.comments)
        doc._lines = self._lines
        return doc

    @property
    def root(self) -> Node | None:
        return self.parsed.root

    @property
    def lines(self) -> LineIndex:
        if self._lines is None:
            self._lines = LineIndex(self.text)
        return self._lines
