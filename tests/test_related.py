"""RelatedFiles: the one reader of the other files related locations point at, for the CLI's
records (paths) and the language server (URIs, open documents first)."""

from __future__ import annotations

from ses_lsp.document.nodes import LineIndex
from ses_lsp.lint.related import RelatedFiles, fs_path


def test_reads_a_file_by_path_or_uri_once(tmp_path):
    path = tmp_path / "rule set.json"
    path.write_text('{\n  "Rules": []\n}\n')
    files = RelatedFiles()
    by_path = files.lines(str(path))
    assert by_path is not None and by_path.position(by_path.text.index('"Rules"')) == (1, 2)
    by_uri = files.lines(path.as_uri())
    assert by_uri is not None and by_uri.text == by_path.text
    assert fs_path(path.as_uri()) == str(path)
    path.unlink()  # read once per reader: a lint result's locations agree with each other
    assert files.lines(str(path)) is by_path
    assert RelatedFiles().lines(str(path)) is None  # a file that cannot be read


def test_the_editors_text_comes_first(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("on disk\n")
    unsaved = LineIndex("in the editor\nline two\n")
    asked: list[str] = []

    def open_lines(name: str) -> LineIndex | None:
        asked.append(name)
        return unsaved if name == path.as_uri() else None

    files = RelatedFiles(open_lines)
    assert files.lines(path.as_uri()) is unsaved
    disk = files.lines(str(path))  # not open under that name: the file on disk
    assert disk is not None and disk.text == "on disk\n"
    assert asked == [path.as_uri(), str(path)]
