"""The example and golden documents, and plain-value helpers to derive variants of them.

Shared by the robustness tests (depth limit, odd strings, fuzzing).  Values are the plain
Python values of documents (``Node.to_python``); a path is a tuple of member names and
list indexes from the root.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ses_lsp.lint.engine import lint_text

ROOT = Path(__file__).parent.parent
# Golden cases too large to lint many times over (they test count limits, not content).
_LARGE = ("billion-laughs", "too-many")
EXAMPLES = sorted(p for p in (ROOT / "examples").rglob("*") if p.suffix in (".json", ".yaml"))
DOCUMENTS = sorted(
    p
    for p in [*EXAMPLES, *(ROOT / "tests" / "golden").rglob("*")]
    if p.suffix in (".json", ".yaml") and not any(word in p.name for word in _LARGE)
)


def value_and_kind(path: Path) -> tuple[object, str | None]:
    """A document's value and kind, as the lint reads them."""
    result = lint_text(path.read_text(encoding="utf-8"), str(path))
    assert result.document is not None and result.document.root is not None, path
    return result.document.root.to_python(), result.kind


def paths(value: object, keep: Callable[[object], bool] = lambda v: True) -> list[tuple]:
    """The paths of every value in ``value`` (itself included) for which ``keep`` holds, sorted."""
    out = []
    stack: list[tuple[object, tuple]] = [(value, ())]
    while stack:
        v, p = stack.pop()
        if keep(v):
            out.append(p)
        children = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        stack.extend((c, (*p, k)) for k, c in children)
    return sorted(out, key=str)


def is_leaf(value: object) -> bool:
    """A scalar or an empty collection."""
    return not value if isinstance(value, (dict, list)) else True


def get(value: object, path: tuple) -> object:
    for k in path:
        value = value[k]  # type: ignore[index]
    return value


def replaced(value: object, path: tuple, new: object) -> object:
    """A copy of ``value`` with the value at ``path`` replaced by ``new`` (the rest shared)."""
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)  # type: ignore[call-overload]
    copy[path[0]] = replaced(copy[path[0]], path[1:], new)
    return copy
