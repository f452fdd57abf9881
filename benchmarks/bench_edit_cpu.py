"""The language server's CPU per edit -> diagnostics, in process, on the 200-rule YAML sets of
``bench_server.py`` (the ordinary one, 47 diagnostics, and the noisy one, 1,447): the ratio of
issue 10, section 2 (noisy within 1.5x of ordinary), measured without wall-clock noise.

The server is created in this process (``create_server``) with a writer that discards what it
is sent; both documents are opened, then one-character edits inside ``rule-100`` (alternately
inserting and deleting an ``x``) go through the ``didChange`` handler.  With no event loop
running, the server lints and publishes synchronously: one call is the whole edit ->
diagnostics path (the reparse, the lint, the conversion and the framing of the message).
The garbage collector is off, as in the server (it collects when idle).

Two measures:

* default: ``time.process_time`` of each edit, the two sets interleaved edit by edit, medians
  (``--rounds`` edits of each);
* ``--instructions``: instructions counted by valgrind's cachegrind (``--cache-sim=no``),
  independent of the machine's load.  Each set runs in its own process twice, with ``--low``
  and ``--high`` edits; the difference divided by the difference in edits is the cost of one
  edit (start-up and the opening cancel out).

Usage: ``python benchmarks/bench_edit_cpu.py [--rounds 200] [--instructions [--low 10 --high 40]]``
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "benchmarks"))
sys.path.insert(0, ROOT)

SETS = ("yaml", "noisy")


class _Discard:
    """The server's writer: takes every message and drops it."""

    def __init__(self) -> None:
        self.sent = 0

    def write(self, data: bytes) -> None:
        self.sent += len(data)

    def close(self) -> None:
        pass


class Editor:
    """One open document of an in-process server, edited one character at a time."""

    def __init__(self, ls, uri: str, text: str) -> None:
        from lsprotocol import types as T

        self.T = T
        self.ls = ls
        self.uri = uri
        self.text = text
        self.version = 1
        at = text.index("rule-100") + 5
        before = text[:at]
        self.pos = T.Position(before.count("\n"), len(before) - (before.rfind("\n") + 1))
        self.change = ls.protocol.fm.features[T.TEXT_DOCUMENT_DID_CHANGE]
        ls.protocol.fm.features[T.TEXT_DOCUMENT_DID_OPEN](
            T.DidOpenTextDocumentParams(T.TextDocumentItem(uri, "yaml", 1, text))
        )

    def edit(self) -> None:
        T = self.T
        p = self.pos
        self.version += 1
        if self.version % 2 == 0:
            change = T.TextDocumentContentChangePartial(range=T.Range(p, p), text="x")
        else:
            change = T.TextDocumentContentChangePartial(range=T.Range(p, T.Position(p.line, p.character + 1)), text="")
        self.change(
            T.DidChangeTextDocumentParams(
                T.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version), [change]
            )
        )

    def diagnostics(self) -> int:
        st = self.ls.docs[self.uri]
        return len(st.result.diagnostics)


def texts() -> dict[str, str]:
    import workloads
    import yaml

    return {
        "yaml": yaml.safe_dump(workloads.classic_rule_set(), sort_keys=False),
        "noisy": yaml.safe_dump(workloads.noisy_rule_set(), sort_keys=False),
    }


def server():
    from ses_lsp.server.server import _warm_up, create_server

    ls = create_server(0.0)
    ls.protocol.writer = _Discard()
    _warm_up()
    gc.disable()  # as the server's main() does (it collects when idle)
    return ls


def interleaved(rounds: int) -> None:
    ls = server()
    all_texts = texts()
    editors = {name: Editor(ls, f"file:///bench/{name}.yaml", all_texts[name]) for name in SETS}
    for ed in editors.values():  # warm the memo and the published fragments
        for _ in range(4):
            ed.edit()
    cpu: dict[str, list[float]] = {name: [] for name in SETS}
    for i in range(rounds):
        for name in SETS if i % 2 == 0 else SETS[::-1]:
            ed = editors[name]
            t0 = time.process_time()
            ed.edit()
            cpu[name].append(time.process_time() - t0)
        if i % 20 == 19:
            gc.collect()  # the server's idle collection, outside the timings
    for name in SETS:
        ms = [1000 * v for v in cpu[name]]
        print(
            f"{name:<6} {len(all_texts[name].encode()):>8,} bytes  {editors[name].diagnostics():>5} diagnostics  "
            f"edit CPU p50 {statistics.median(ms):6.2f} ms  mean {statistics.fmean(ms):6.2f} ms"
        )
    ratio = statistics.median(cpu["noisy"]) / statistics.median(cpu["yaml"])
    size = len(all_texts["noisy"]) / len(all_texts["yaml"])
    print(f"noisy / yaml (CPU p50): {ratio:.2f}   target <= 1.5   {'OK' if ratio <= 1.5 else 'MISSED'}")
    print(f"(text size ratio {size:.2f})")


def child(name: str, edits: int) -> None:
    """Run under cachegrind: open one set and edit it ``edits`` times."""
    ls = server()
    ed = Editor(ls, f"file:///bench/{name}.yaml", texts()[name])
    for _ in range(4):
        ed.edit()
    for _ in range(edits):
        ed.edit()


def instructions(name: str, edits: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "cg.out")
        cmd = [
            "valgrind",
            "--tool=cachegrind",
            "--cache-sim=no",
            f"--cachegrind-out-file={out}",
            sys.executable,
            os.path.abspath(__file__),
            "--child",
            name,
            str(edits),
        ]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=True)
        m = re.search(r"I\s+refs:\s+([\d,]+)", proc.stderr)
        assert m is not None, proc.stderr[-2000:]
        return int(m.group(1).replace(",", ""))


def counted(low: int, high: int) -> None:
    per: dict[str, float] = {}
    for name in SETS:
        a, b = instructions(name, low), instructions(name, high)
        per[name] = (b - a) / (high - low)
        print(f"{name:<6} {per[name] / 1e6:8.1f} M instructions per edit  ({low} edits: {a:,}; {high}: {b:,})")
    ratio = per["noisy"] / per["yaml"]
    print(f"noisy / yaml (instructions): {ratio:.2f}   target <= 1.5   {'OK' if ratio <= 1.5 else 'MISSED'}")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
        return
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=200)
    ap.add_argument("--instructions", action="store_true", help="count instructions with cachegrind")
    ap.add_argument("--low", type=int, default=10)
    ap.add_argument("--high", type=int, default=40)
    args = ap.parse_args()
    if args.instructions:
        counted(args.low, args.high)
    else:
        interleaved(args.rounds)


if __name__ == "__main__":
    main()
