"""A bounded fuzz test of the engine: mutated real documents never crash it.

``CASES`` documents are made from a fixed seed by mutating the example and golden documents:
byte flips, insertions, deletions and truncation; raw odd characters in the text; and, on the
documents' values, nesting down to the depth limit, odd code points in strings, huge and odd
numbers, duplicate and odd keys, and values swapped for values of another type.  Each is linted
(from bytes or text, JSON or YAML) and must give diagnostics only: no exception, no internal
error (SES008).  The editor features run at one offset of each, and afterwards every sample
document must get the verdict it got before (no state left behind).  Counts bound the work,
not time; the seed makes any failure reproducible (the assertion names the case).
"""

from __future__ import annotations

import functools
import json
import random
from pathlib import Path

import pytest
from sample_documents import DOCUMENTS, get, paths, replaced

from ses_lsp.document.nodes import MAX_DEPTH
from ses_lsp.editor.completion import complete
from ses_lsp.editor.hover import hover
from ses_lsp.editor.symbols import document_symbols
from ses_lsp.lint.engine import lint_bytes, lint_text
from ses_lsp.lint.kinds import all_kinds

SEED = 20260611
CASES = 4000  # documents per run, over all mutations
ODD_CHARS = ["\x00", "\ud800", "\udfff", "\ufeff", "\uffff", "\U0001f600", "\u2028", "\x85", "\t", "\r", "\x1b", "\\"]
ODD_STRINGS = ["", " ", "\ud800", "a\x00b", "*", "&a", "<<", "~1/", "${x}", "x" * 5000, "é" * 70, "0x1F", "1e999"]
ODD_NUMBERS = [10**400, -(10**30), 1e308, -0.0, 2**63, -(2**63) - 1, 0.1, 1e-320]
ODD_KEYS = ["", "<<", "a/b~c", "Name ", "NAME", "\ud800", "0", "Rules", "Actions"]
# Literals written into the text as they are (in place of a marker value).
RAW_MARKER = "RAW-LITERAL-MARKER"
RAW_JSON = ["1" * 5000, "-" + "9" * 400 + ".5", "1e999", "-1E-999", "-0", "0.0", "1" * 4301, "123456789012345678901"]
RAW_YAML = [
    *RAW_JSON,
    "0x" + "f" * 5000,
    "0b" + "1" * 20000,
    "0o" + "7" * 6000,
    ".inf",
    "-.inf",
    ".nan",
    "1_000",
    "2001-12-14t21:59:43.10-05:00",
    "2026-02-30",
    "~",
    "yes",
    "!!binary aGVsbG8=",
    "!!str 1",
    "!!int x",
    "!!float 1e99999",
    "*undefined",
    "&a [1, *a]",
    "<<: {}",
]


def _values(rng: random.Random) -> list[object]:
    return [None, True, 0, -1, 1.5, "", "x", [], {}, [1, "a"], {"k": "v"}, rng.choice(ODD_STRINGS)]


def _rename(value: object, path: tuple, key: str) -> object:
    """The member at ``path`` renamed to ``key`` (values in lists are left as they are)."""
    parent = get(value, path[:-1])
    if not isinstance(parent, dict):
        return value
    renamed = {(key if k == path[-1] else k): v for k, v in parent.items()}
    return replaced(value, path[:-1], renamed)


def mutate_value(value: object, rng: random.Random) -> tuple[str, object]:
    all_paths = paths(value)
    path = rng.choice(all_paths)
    target = get(value, path)
    how = rng.choice(["nest", "string", "number", "swap", "key", "grow", "raw"])
    if how == "raw":
        return how, replaced(value, path, RAW_MARKER)
    if how == "nest":
        levels = max(0, MAX_DEPTH - len(path) + rng.choice([-2, -1, 0, 0, 1]))
        for i in range(levels):
            target = [target] if i % 2 else {"Deep": target}
        return how, replaced(value, path, target)
    if how == "string":
        strings = [p for p in all_paths if isinstance(get(value, p), str)] or [path]
        path = rng.choice(strings)
        old = get(value, path)
        odd = rng.choice(ODD_STRINGS + ODD_CHARS)
        cut = rng.randint(0, len(old)) if isinstance(old, str) else 0
        new = old[:cut] + odd + old[cut:] if isinstance(old, str) else odd
        return how, replaced(value, path, new)
    if how == "number":
        return how, replaced(value, path, rng.choice(ODD_NUMBERS))
    if how == "swap":
        return how, replaced(value, path, rng.choice(_values(rng)))
    if how == "key" and path:
        return how, _rename(value, path, rng.choice(ODD_KEYS))
    # "grow": a list or object repeated, or an item duplicated
    if isinstance(target, list) and target:
        return how, replaced(value, path, target * rng.randint(2, 30))
    if isinstance(target, dict):
        return how, replaced(value, path, {**target, **{f"{k}{i}": v for i in range(3) for k, v in target.items()}})
    return how, replaced(value, path, [target] * rng.randint(2, 30))


def render(value: object, fmt: str, rng: random.Random) -> str:
    text = _render(value, fmt, rng)
    raw = RAW_JSON if fmt == "json" else RAW_YAML
    for quoted in (f'"{RAW_MARKER}"', f"'{RAW_MARKER}'", RAW_MARKER):
        text = text.replace(quoted, rng.choice(raw))
    return text


def _render(value: object, fmt: str, rng: random.Random) -> str:
    if fmt == "json":
        text = json.dumps(value, indent=rng.choice([None, 1, 2]), ensure_ascii=rng.random() < 0.5)
        if rng.random() < 0.3 and '": ' in text:
            # A duplicate key: one member written twice (the last wins, as for the AWS CLI).
            at = rng.choice([i for i in range(len(text)) if text.startswith('": ', i)])
            start = text.rfind('"', 0, at - 1)
            end = text.find(",", at)
            if start != -1 and end != -1:
                text = text[:end] + ", " + text[start:end] + text[end:]
        return text
    import yaml

    try:
        return yaml.dump(value, Dumper=yaml.CSafeDumper, default_flow_style=rng.choice([False, None, True]))
    except (yaml.YAMLError, UnicodeEncodeError):  # a lone surrogate YAML cannot hold: JSON text is YAML too
        return json.dumps(value)


def mutate_bytes(data: bytes, rng: random.Random) -> tuple[str, bytes]:
    how = rng.choice(["flip", "insert", "delete", "truncate", "repeat"])
    b = bytearray(data)
    if not b:
        return how, bytes([rng.randrange(256)])
    if how == "flip":
        for _ in range(rng.randint(1, 5)):
            b[rng.randrange(len(b))] = rng.randrange(256)
    elif how == "insert":
        at = rng.randrange(len(b) + 1)
        b[at:at] = rng.choice([bytes([rng.randrange(256)]), b"\xef\xbb\xbf", b"\xff\xfe", b"{", b"[", b'"', b":"])
    elif how == "delete":
        at = rng.randrange(len(b))
        del b[at : at + rng.randint(1, 20)]
    elif how == "truncate":
        del b[rng.randrange(len(b)) :]
    else:
        at = rng.randrange(len(b))
        piece = b[at : at + rng.randint(1, 200)]
        b[at:at] = piece * rng.randint(2, 5)
    return how, bytes(b)


def mutate_text(text: str, rng: random.Random) -> tuple[str, str]:
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(0, len(text))
        text = text[:at] + rng.choice(ODD_CHARS) + text[at:]
    return "chars", text


@functools.cache
def cases() -> list[tuple[str, object, str, str | None]]:
    """(label, bytes or text to lint, file name, kind to force) for every case, from the seed."""
    rng = random.Random(SEED)
    kinds = sorted(all_kinds())
    sources = [(p, p.read_bytes()) for p in DOCUMENTS]
    values: dict[Path, object] = {}
    out = []
    for i in range(CASES):
        path, data = rng.choice(sources)
        name = f"case{path.suffix}"
        kind = rng.random()
        if kind < 0.35:
            how, mutated = mutate_bytes(data, rng)
            out.append((f"{i}: {how} {path.name}", mutated, name, None))
        elif kind < 0.5:
            how, text = mutate_text(data.decode("utf-8"), rng)
            out.append((f"{i}: {how} {path.name}", text, name, None))
        else:
            if path not in values:
                result = lint_text(data.decode("utf-8"), str(path))
                root = result.document.root if result.document is not None else None
                values[path] = root.to_python() if root is not None else None
            if values[path] is None:
                continue
            how, value = mutate_value(values[path], rng)
            fmt = rng.choice(["json", "yaml"])
            # Sometimes checked as another kind (--kind): rules meet shapes they were not written for.
            forced = rng.choice(kinds) if rng.random() < 0.25 else None
            label = f"{i}: {how} {path.name} as {fmt}" + (f" --kind {forced}" if forced else "")
            out.append((label, render(value, fmt, rng), f"case.{fmt}", forced))
    return out


def check_features(result, rng: random.Random) -> None:
    doc = result.document
    if doc is None or result.kind is None or doc.root is None:
        return
    offset = rng.randint(0, len(doc.text))
    hover(doc, result.kind, offset)
    complete(doc.text, offset, result.kind, doc.format, document=doc)
    document_symbols(doc, result.kind)


def verdicts() -> list[tuple[str, list[tuple[str, int, int, str]]]]:
    """The diagnostics of every sample document."""
    out = []
    for path in DOCUMENTS:
        result = lint_text(path.read_text(encoding="utf-8"), str(path))
        out.append((path.name, [(d.code, d.start, d.end, d.message) for d in result.diagnostics]))
    return out


@functools.cache
def verdicts_before() -> list[tuple[str, list[tuple[str, int, int, str]]]]:
    return verdicts()


@pytest.mark.parametrize("part", range(3))
def test_mutated_documents_never_crash_the_engine(part):
    all_cases = cases()
    before = verdicts_before()
    rng = random.Random(SEED + part)
    failures = []
    for label, content, name, kind in all_cases[part::3]:
        try:
            if isinstance(content, bytes):
                result = lint_bytes(content, name)
            else:
                result = lint_text(content, name, kind=kind)
            check_features(result, rng)
        except Exception as exc:  # noqa: BLE001 - any escape is the failure being looked for
            failures.append((label, f"{type(exc).__name__}: {exc}"))
            continue
        failures += [(label, d.message) for d in result.diagnostics if d.code == "SES008"]
    assert failures == []
    # Nothing the mutated documents did stayed behind: the same documents get the same verdicts
    # (completion once taught the validator that an unknown member it was asked about existed).
    assert verdicts() == before
