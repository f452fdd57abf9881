"""CPU time and peak memory of `ses-lsp lint` on documents far over every API maximum.

    python benchmarks/bench_limits.py [--repo PATH]

Each document is linted by a fresh `python -m ses_lsp lint --no-cache --format json`
process; the figures are that process's own user+system CPU time and peak RSS (from
wait4).  ``--repo`` runs another checkout's ``ses_lsp`` (e.g. the main branch, to compare
before and after a change).  Documents (generated in a temporary directory):

  under-8MiB    a classic rule set of small rules just under 8 MiB (about 49,000 rules):
                the size cap before the caps were lowered
  under-4MiB    the same just under 4 MiB (about 24,600 rules, 296,000 values)
  under-values  the same with just under 100,000 values (about 8,300 rules): the most a
                document can hold and still be checked in full
  at-quota      200 rules x 100 recipients x 10 actions: the largest document SES takes
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def small_rule(i: int) -> str:
    return json.dumps(
        {
            "Name": f"r{i}",
            "Enabled": True,
            "Recipients": [f"u{i}@example.com"],
            "Actions": [{"S3Action": {"BucketName": "mail-bucket"}}, {"StopAction": {"Scope": "RuleSet"}}],
        }
    )


def rule_set(rules: list[str]) -> str:
    return '{"Metadata": {"Name": "big"}, "Rules": [\n' + ",\n".join(rules) + "\n]}\n"


def up_to_bytes(limit: int) -> str:
    rules: list[str] = []
    size = len(rule_set([]))
    while True:
        r = small_rule(len(rules))
        if size + len(r) + 2 > limit:
            return rule_set(rules)
        rules.append(r)
        size += len(r) + 2


def at_quota() -> str:
    actions = [{"S3Action": {"BucketName": f"mail-bucket-{k}", "ObjectKeyPrefix": f"in/{k}/"}} for k in range(9)]
    rules = [
        json.dumps(
            {
                "Name": f"rule-{i}",
                "Enabled": True,
                "TlsPolicy": "Require",
                "ScanEnabled": True,
                "Recipients": [f"user{j}@team{i}.example.com" for j in range(100)],
                "Actions": [*actions, {"StopAction": {"Scope": "RuleSet"}}],
            },
            indent=2,
        )
        for i in range(200)
    ]
    return rule_set(rules)


def documents() -> dict[str, str]:
    # A small rule holds 12 values (the rule, 4 members, 1 recipient, 2 actions of 2 values
    # each, plus the lists); the set adds 4.
    return {
        "under-8MiB": up_to_bytes(8 * 1024 * 1024),
        "under-4MiB": up_to_bytes(4 * 1024 * 1024),
        "under-values": rule_set([small_rule(i) for i in range((100_000 - 4) // 12)]),
        "at-quota": at_quota(),
    }


def measure(repo: Path, path: Path) -> tuple[float, float, str]:
    env = dict(os.environ, PYTHONPATH=str(repo))
    cmd = [sys.executable, "-m", "ses_lsp", "lint", "--no-cache", "--format", "json", str(path)]
    proc = subprocess.Popen(cmd, env=env, cwd=path.parent, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = proc.stdout.read()  # type: ignore[union-attr]
    _, _, usage = os.wait4(proc.pid, 0)
    codes: dict[str, int] = {}
    for item in json.loads(out or b"[]"):
        codes[item["code"]] = codes.get(item["code"], 0) + 1
    shown = ", ".join(f"{c} x{n}" if n > 1 else c for c, n in sorted(codes.items())) or "none"
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, shown


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", type=Path, default=REPO, help="checkout whose ses_lsp to run (default: this one)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in documents().items():
            path = Path(tmp) / f"{name}.json"
            path.write_text(text, encoding="utf-8")
            cpu, rss, codes = measure(args.repo.resolve(), path)
            print(f"{name:<13} {len(text) / 1048576:5.2f} MiB  cpu {cpu:5.2f} s  peak RSS {rss:6.0f} MB  {codes}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
