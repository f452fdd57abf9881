"""Worst cases: documents at the API maximums shaped to make pairwise checks expensive.

    python benchmarks/bench_stress.py [--runs N]

Each document is linted in process (cold: the first lint in this process, which pays
the caches; warm: the median of later lints, as in the language server).  A rule that
compares every pair of rules, recipients or values shows up here as a lint taking many
times longer than parsing the same document (before they were made linear, the
RequestResponse set took 183 ms, about 23 parses, and the Mail Manager IP set 720 ms,
about 40).  The verdict is robust to a loaded machine: it compares CPU time
(``time.process_time``) of the lint with that of a parse of the same document, measured
interleaved, and fails (exit 1) when a warm lint costs more than LIMIT_PARSES parses and
more than FLOOR_CPU_MS of CPU (small documents are dominated by fixed costs).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Linear checks cost 1-7 parses of the document here; the quadratic ones cost 20-40.
LIMIT_PARSES = 12.0
FLOOR_CPU_MS = 30.0


def _classic(rules: list[dict]) -> str:
    return json.dumps({"Rules": rules}, indent=1)


def documents() -> dict[str, str]:
    docs: dict[str, str] = {}
    s3 = {"S3Action": {"BucketName": "mail-bucket"}}
    stop = {"StopAction": {"Scope": "RuleSet"}}
    # 200 rules (the maximum) ending in a RequestResponse Lambda, no two sharing a recipient:
    # "may a later rule match the same mail" for every rule.
    docs["classic: 200 rules ending in RequestResponse Lambdas"] = _classic(
        [
            {
                "Name": f"r{i}",
                "Enabled": True,
                "Recipients": [f"u{i}@a{i}.example.com", f"v{i}@b{i}.example.org", f"c{i}.example.net"],
                "Actions": [
                    s3,
                    {
                        "LambdaAction": {
                            "FunctionArn": f"arn:aws:lambda:us-east-1:123456789012:function:f{i}",
                            "InvocationType": "RequestResponse",
                        }
                    },
                ],
            }
            for i in range(200)
        ]
    )
    # 200 rules x 100 recipients (both maximums), all distinct.
    docs["classic: 200 rules x 100 distinct recipients"] = _classic(
        [
            {
                "Name": f"r{i}",
                "Enabled": True,
                "Recipients": [f"u{j}@d{i}.example.com" for j in range(100)],
                "Actions": [s3, stop],
            }
            for i in range(200)
        ]
    )
    # The same 100 recipients in every rule: every rule after the first is unreachable.
    docs["classic: 200 rules x the same 100 recipients"] = _classic(
        [
            {
                "Name": f"r{i}",
                "Enabled": True,
                "Recipients": [f"u{j}@example.com" for j in range(100)],
                "Actions": [s3, stop],
            }
            for i in range(200)
        ]
    )
    # 100 receipt filters (the account maximum), nested and overlapping ranges.
    docs["classic: 100 nested receipt filters"] = json.dumps(
        {
            "Filters": [
                {
                    "Name": f"f{i}",
                    "IpFilter": {
                        "Policy": "Block" if i % 2 else "Allow",
                        "Cidr": f"10.0.{i}.0/24" if i % 2 else f"10.{i}.0.0/16",
                    },
                }
                for i in range(100)
            ]
        },
        indent=1,
    )
    # 40 Mail Manager rules (the maximum) x 10 conditions x 10 CIDR values, each ending in Drop:
    # "does an earlier dropping rule cover this one" compares conditions pairwise.
    docs["mailmanager: 40 rules x 10 IP conditions x 10 values"] = json.dumps(
        {
            "RuleSetName": "rs",
            "Rules": [
                {
                    "Name": f"r{i}",
                    "Conditions": [
                        {
                            "IpExpression": {
                                "Evaluate": {"Attribute": "SOURCE_IP"},
                                "Operator": "CIDR_MATCHES",
                                "Values": [f"10.{i}.{k}.0/24" for k in range(10)],
                            }
                        }
                        for _ in range(10)
                    ],
                    "Actions": [{"Drop": {}}],
                }
                for i in range(40)
            ],
        },
        indent=1,
    )
    docs["mailmanager: 40 rules x 10 string conditions and unless"] = json.dumps(
        {
            "RuleSetName": "rs",
            "Rules": [
                {
                    "Name": f"r{i}",
                    "Conditions": [
                        {
                            "StringExpression": {
                                "Evaluate": {"Attribute": "RECIPIENT"},
                                "Operator": "EQUALS",
                                "Values": [f"u{i}-{k}@example.com" for k in range(10)],
                            }
                        }
                    ]
                    * 10,
                    "Unless": [
                        {
                            "StringExpression": {
                                "Evaluate": {"Attribute": "RECIPIENT"},
                                "Operator": "ENDS_WITH",
                                "Values": [f"@x{k}.example.com" for k in range(10)],
                            }
                        }
                    ]
                    * 10,
                    "Actions": [{"AddHeader": {"HeaderName": "X-A", "HeaderValue": "v"}}, {"Drop": {}}],
                }
                for i in range(40)
            ],
        },
        indent=1,
    )
    # A bounce for 500 recipients with 20 extension fields each.
    docs["send-bounce: 500 recipients x 20 extension fields"] = json.dumps(
        {
            "OriginalMessageId": "m",
            "BounceSender": "mailer-daemon@example.com",
            "MessageDsn": {"ReportingMta": "dns; mx.example.com", "ArrivalDate": "2026-01-01T00:00:00Z"},
            "BouncedRecipientInfoList": [
                {
                    "Recipient": f"u{i}@example.com",
                    "BounceType": "DoesNotExist",
                    "RecipientDsnFields": {
                        "Action": "failed",
                        "Status": "5.1.1",
                        "DiagnosticCode": f"smtp; 550 5.1.1 user{i} unknown",
                        "ExtensionFields": [{"Name": f"X-F{j}", "Value": "v"} for j in range(20)],
                    },
                }
                for i in range(500)
            ],
        },
        indent=1,
    )
    return docs


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from ses_lsp.document.document import parse_text
    from ses_lsp.lint.engine import lint_text

    ok = True
    width = max(len(n) for n in documents())
    for name, text in documents().items():
        t = time.perf_counter()
        result = lint_text(text, "stress.json")
        cold = time.perf_counter() - t
        wall, lint_cpu, parse_cpu = [], [], []
        for _ in range(args.runs):  # interleaved: load affects both alike
            c = time.process_time()
            parse_text(text, "json")
            parse_cpu.append(time.process_time() - c)
            t, c = time.perf_counter(), time.process_time()
            lint_text(text, "stress.json")
            lint_cpu.append(time.process_time() - c)
            wall.append(time.perf_counter() - t)
        w, lc, pc = (statistics.median(v) for v in (wall, lint_cpu, parse_cpu))
        parses = lc / pc if pc > 0 else 0.0
        fine = parses <= LIMIT_PARSES or lc * 1000 <= FLOOR_CPU_MS
        ok &= fine
        print(
            f"{name:<{width}}  {len(text) / 1024:6.0f} KB  cold {cold * 1000:6.1f} ms  warm {w * 1000:6.1f} ms  "
            f"CPU {lc * 1000:6.1f} ms = {parses:4.1f} parses  {len(result.diagnostics):5d} diagnostics  "
            f"{'OK' if fine else 'SLOW'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
