"""``ses-lsp diff OLD NEW``: which mail two versions of the rules treat differently.

* OLD and NEW: a file or directory each (what ``ses-lsp simulate`` takes as RULES: one rule set
  and the IP filters, or traffic policy and ingress point, in front of it), or a git revision,
  ``git:REV[:PATH]``, read with ``git ls-tree`` and ``git cat-file`` (the work tree is not
  touched).  ``git:REV`` without a path means the other side's path at that revision.
* Output: each class of mail whose outcome changes, with a witness mail (a scenario, ready for a
  routing test) and both traces (``text``); or the documented JSON contract (``json``).

Exit codes, as for ``lint``: 0 no mail changes outcome; 1 some does; 2 usage or input errors.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ses_lsp.lint.config import config_for
from ses_lsp.lint.engine import lint_bytes
from ses_lsp.lint.files import SKIP_DIRS, SUFFIXES
from ses_lsp.semantics import evaluate as ev
from ses_lsp.semantics.classes import DEFAULT_IPV4
from ses_lsp.semantics.diff import Difference, DiffResult, diff_classic, diff_mailmanager
from ses_lsp.simulate import InputError, Inputs, Loaded, assemble, build_setup, load_rules, locate

GIT_PREFIX = "git:"


@dataclass
class Side:
    """One argument: a path, or a git revision and an optional path in it."""

    text: str  # as given
    rev: str | None  # the revision of a git: argument
    path: str | None  # the path (None: git:REV alone)

    @staticmethod
    def parse(text: str) -> Side:
        if not text.startswith(GIT_PREFIX):
            return Side(text, None, text)
        rest = text[len(GIT_PREFIX) :]
        rev, sep, path = rest.partition(":")
        if not rev:
            raise InputError(f"{text!r}: name a revision after 'git:' (git:REV or git:REV:PATH)")
        if rev.startswith("-"):
            raise InputError(f"{text!r}: a revision does not start with '-'")
        return Side(text, rev, path if sep and path else None)


def load_side(side: Side, other: Side, what: str) -> Inputs:
    if side.rev is None:
        assert side.path is not None
        return load_rules([side.path], what)
    path = side.path if side.path is not None else other.path
    if path is None:
        raise InputError(f"{what} and the other side are both git:REV without a path: give a path to one of them")
    return _load_git(side.rev, path, what)


def _git(args: list[str], cwd: str, stdin: bytes | None = None) -> bytes:
    try:
        proc = subprocess.run(
            ["git", "--literal-pathspecs", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            check=False,
            timeout=120,
        )
    except FileNotFoundError:
        raise InputError("git: command not found (git:REV arguments read the repository with git)") from None
    except subprocess.TimeoutExpired:
        raise InputError(f"git {' '.join(args)}: no answer in 120 s") from None
    if proc.returncode != 0:
        msg = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise InputError(f"git {args[0]}: {msg[-1] if msg else f'exit code {proc.returncode}'}")
    return proc.stdout


def _blobs(rev: str, names: list[str], top: str) -> list[bytes]:
    """The contents of ``names`` at ``rev``, read by one ``git cat-file --batch``."""
    if not names:
        return []
    query = "".join(f"{rev}:{n}\n" for n in names).encode("utf-8", "surrogateescape")
    out = _git(["cat-file", "--batch"], top, query)
    blobs = []
    pos = 0
    for name in names:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        if len(header) != 3 or header[1] != b"blob":
            raise InputError(f"git:{rev}:{name} is not a file git can read ({out[pos:end].decode('utf-8', 'replace')})")
        size = int(header[2])
        blobs.append(out[end + 1 : end + 1 + size])
        pos = end + 1 + size + 1  # (the content is followed by a newline)
    return blobs


def _load_git(rev: str, path: str, what: str) -> Inputs:
    cwd = os.getcwd()
    top = _git(["rev-parse", "--show-toplevel"], cwd).decode("utf-8", "surrogateescape").strip()
    try:
        _git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{tree}}"], top)
    except InputError:
        raise InputError(f"{what}: git:{rev}: not a revision of the repository at {top}") from None
    rel = os.path.relpath(os.path.abspath(path), top)
    if rel == os.curdir:
        rel = ""
    elif rel.startswith(os.pardir):
        raise InputError(f"{what}: {path!r} is outside the repository at {top}")
    rel = rel.replace(os.sep, "/")
    listed = _git(["ls-tree", "-r", "--full-tree", "-z", rev, "--", rel or "."], top)
    names = []
    for entry in filter(None, listed.split(b"\0")):
        meta, _, raw = entry.partition(b"\t")
        mode, kind = meta.split()[:2]
        if kind == b"blob" and mode != b"120000":  # (files; not submodules, not symbolic links)
            names.append(raw.decode("utf-8", "surrogateescape"))
    if not names:
        raise InputError(f"{what}: git:{rev} has no file at {rel or '.'!r}")
    explicit = names == [rel]
    if not explicit:
        kept = []
        for name in names:
            parts = name[len(rel) :].strip("/").split("/") if rel else name.split("/")
            if any(p.startswith(".") or p in SKIP_DIRS for p in parts[:-1]):
                continue  # (the directories a walk skips)
            if name.lower().endswith(SUFFIXES):
                kept.append(name)
        names = kept
    items: list[tuple[Loaded, bool]] = []
    for name, data in zip(names, _blobs(rev, names, top), strict=True):
        full = os.path.join(top, *name.split("/"))
        result = lint_bytes(data, full, config_for(os.path.dirname(full)), explicit=explicit)
        items.append((Loaded(f"git:{rev}:{name}", result), explicit))
    return assemble(items, what)


# -- rendering -----------------------------------------------------------------------------


# Scenario members at their default values (left out of the witness shown).
_DEFAULTS: dict[str, Any] = {
    "SourceIp": DEFAULT_IPV4,
    "OnSesBlockList": False,
    "Tls": True,
    "TlsProtocol": "TLS1_3",
    "TlsWrapped": False,
    "Size": 0,
    "ReadReceiptRequested": False,
    "DmarcPolicy": "NONE",
}


def shown_scenario(d: Difference) -> dict[str, Any]:
    """The witness mail as a scenario, without the members that say what the default says."""
    s = {k: v for k, v in d.scenario.items() if k not in _DEFAULTS or _DEFAULTS[k] != v}
    if s.get("Tls") is False:
        s.pop("TlsProtocol", None)
    verdicts = {k: v for k, v in (s.get("Verdicts") or {}).items() if v != "PASS"}
    if verdicts:
        s["Verdicts"] = verdicts
    else:
        s.pop("Verdicts", None)
    order = ["Recipients", *sorted(k for k in s if k != "Recipients")]
    return {k: s[k] for k in order if k in s}


def _names(inputs: Inputs) -> list[str]:
    front = [f.display for f in inputs.filters] + [d.display for d in (inputs.policy, inputs.ingress) if d]
    return [inputs.rules.display, *front]


def render_text(result: DiffResult, old: Inputs, new: Inputs) -> str:
    service = "SES classic" if result.service == "ses" else "SES Mail Manager"
    out = [f"{service}: {', '.join(_names(old))} -> {', '.join(_names(new))}"]
    checked = f"{result.classes} class{'es' if result.classes != 1 else ''} of mail checked"
    for note in result.notes:
        out.append(f"note: {note}")
    if not result.differences:
        out.append(f"No mail changes outcome ({checked}).")
        return "\n".join(out) + "\n"
    n = len(result.differences)
    out.append(f"{n} class{'es' if n != 1 else ''} of mail change{'s' if n == 1 else ''} outcome ({checked}):")
    for d in result.differences:
        before, after = d.before.recipients[0], d.after.recipients[0]
        out.append("")
        out.append(f"{d.description}: {d.summary}")
        out.append(f"  before: {_line(before, d.before)}")
        out.append(f"  after:  {_line(after, d.after)}")
        out.append(f"  witness: {json.dumps(shown_scenario(d), ensure_ascii=False)}")
    return "\n".join(out) + "\n"


def _line(r: ev.RecipientTrace, trace: ev.Trace) -> str:
    from ses_lsp.semantics.diff import describe_outcome

    text = describe_outcome(r, trace.connection)
    return f"{r.outcome}: {text}" if r.accepted else text


def result_json(result: DiffResult, old: Inputs, new: Inputs) -> dict[str, Any]:
    def side(t: ev.Trace) -> dict[str, Any]:
        doc = ev.trace_json(t, locate, explain=False)
        return {"connection": doc["connection"], "recipient": doc["recipients"][0]}

    return {
        "service": result.service,
        "old": _names(old),
        "new": _names(new),
        "changed": bool(result.differences),
        "classes": result.classes,
        "mails": result.mails,
        "exhaustive": result.exhaustive,
        "notes": result.notes,
        "differences": [
            {
                "class": d.description,
                "dimensions": {name: label for name, label in d.parts if label},
                "summary": d.summary,
                "mail": shown_scenario(d),
                "before": side(d.before),
                "after": side(d.after),
            }
            for d in result.differences
        ],
    }


def compute(old: Inputs, new: Inputs) -> DiffResult:
    """The semantic diff of two loaded pipelines (InputError when they are of different services)."""
    if old.service != new.service:
        name = {"ses": "an SES classic", "mailmanager": "a Mail Manager"}
        raise InputError(
            f"OLD ({old.rules.display}) is {name[old.service]} rule set and NEW ({new.rules.display}) "
            f"{name[new.service]} one: they cannot be compared"
        )
    a, b = build_setup(old), build_setup(new)
    if isinstance(a, ev.ClassicSetup) and isinstance(b, ev.ClassicSetup):
        cfg = config_for(os.getcwd())
        return diff_classic(a, b, list(cfg.verified_domains) or None)
    assert isinstance(a, ev.MailManagerSetup) and isinstance(b, ev.MailManagerSetup)
    return diff_mailmanager(a, b)


def run(old_arg: str, new_arg: str, fmt: str, note: Callable[[str], None], write: Callable[[str], None]) -> int:
    """The command: 0 no difference, 1 differences; InputError for input it cannot use."""
    old_side, new_side = Side.parse(old_arg), Side.parse(new_arg)
    old = load_side(old_side, new_side, "OLD")
    new = load_side(new_side, old_side, "NEW")
    for n in (*old.notes, *new.notes):
        note(n.replace("it is simulated as written", "it is compared as written"))
    result = compute(old, new)
    if fmt == "json":
        write(json.dumps(result_json(result, old, new), indent=2, ensure_ascii=False) + "\n")
    elif fmt in ("mermaid", "markdown"):
        from ses_lsp.mermaid import diff_chart, fenced

        chart = diff_chart(result)
        write(fenced(chart) if fmt == "markdown" else chart)
    else:
        write(render_text(result, old, new))
    return 1 if result.differences else 0
