"""Generate the benchmark workloads (deterministic; nothing is downloaded).

    python benchmarks/workloads.py [OUT_DIR]      (default: benchmarks/workloads)

Writes:
  classic-200.json / classic-200.yaml   a 200-rule classic rule set (the API maximum),
                                        `describe-receipt-rule-set` output
  mm-40.json / mm-40.yaml               a 40-rule Mail Manager rule set (the API maximum)
  noisy-200.yaml                        the 200-rule set with ~1,400 legitimate infos
  mixed/                                300 mixed files (~3 MB): rule sets, rules, filters,
                                        bounces, ingress points; valid and broken
  noisy/                                300 files of about 25 diagnostics each
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

import yaml


def classic_rule(i: int, rng: random.Random) -> dict:
    actions = [
        {
            "S3Action": {
                "BucketName": f"mail-bucket-{i % 7}",
                "ObjectKeyPrefix": f"inbox/{i}/",
                "TopicArn": f"arn:aws:sns:us-east-1:123456789012:mail-{i % 11}",
                "KmsKeyArn": "arn:aws:kms:us-east-1:123456789012:alias/aws/ses",
            }
        },
        {"AddHeaderAction": {"HeaderName": "X-Rule", "HeaderValue": f"rule-{i}"}},
        {
            "LambdaAction": {
                "FunctionArn": f"arn:aws:lambda:us-east-1:123456789012:function:route-{i % 5}",
                "InvocationType": "Event",
            }
        },
        {"SNSAction": {"TopicArn": f"arn:aws:sns:us-east-1:123456789012:notify-{i % 3}", "Encoding": "UTF-8"}},
    ]
    rng.shuffle(actions)
    actions.append({"StopAction": {"Scope": "RuleSet"}})
    return {
        "Name": f"rule-{i:03d}",
        "Enabled": True,
        "TlsPolicy": "Require" if i % 2 else "Optional",
        "Recipients": [f"user{i}@example.com", f"team{i}@example.org", f"sub{i}.example.net"],
        "Actions": actions,
        "ScanEnabled": True,
    }


def classic_rule_set(n: int = 200, seed: int = 1) -> dict:
    rng = random.Random(seed)
    return {
        "Metadata": {"Name": "inbound-mail", "CreatedTimestamp": "2026-01-01T00:00:00Z"},
        "Rules": [classic_rule(i, rng) for i in range(n)],
    }


def noisy_rule_set(n: int = 200, seed: int = 1) -> dict:
    """The 200-rule set, each rule listing a domain and, beside it, seven addresses at that
    domain: valid, but every address is a legitimate redundant-recipient info (SES610), so the
    set carries about a thousand diagnostics (the cost per diagnostic shows)."""
    doc = classic_rule_set(n, seed)
    for i, rule in enumerate(doc["Rules"]):
        domain = f"d{i}.example.com"
        rule["Recipients"] = [domain, *(f"user{j}@{domain}" for j in range(7))]
    return doc


def mm_rule(i: int) -> dict:
    return {
        "Name": f"rule-{i:02d}",
        "Conditions": [
            {
                "StringExpression": {
                    "Evaluate": {"Attribute": "RECIPIENT"},
                    "Operator": "ENDS_WITH",
                    "Values": [f"@team{i}.example.com", f"@dept{i}.example.com"],
                }
            },
            {
                "NumberExpression": {
                    "Evaluate": {"Attribute": "MESSAGE_SIZE"},
                    "Operator": "LESS_THAN",
                    "Value": 10_000_000 + i,
                }
            },
            {
                "IpExpression": {
                    "Evaluate": {"Attribute": "SOURCE_IP"},
                    "Operator": "CIDR_MATCHES",
                    "Values": [f"10.{i}.0.0/16", "2001:db8::/32"],
                }
            },
        ],
        "Unless": [
            {"VerdictExpression": {"Evaluate": {"Attribute": "SPF"}, "Operator": "EQUALS", "Values": ["FAIL"]}},
        ],
        "Actions": [
            {"AddHeader": {"HeaderName": "X-Rule", "HeaderValue": f"rule-{i}"}},
            {"Archive": {"TargetArchive": f"a-{i:016x}", "ActionFailurePolicy": "CONTINUE"}},
            {
                "WriteToS3": {
                    "S3Bucket": f"mail-archive-{i % 4}",
                    "S3Prefix": f"rules/{i}/",
                    "RoleArn": "arn:aws:iam::123456789012:role/mail-manager-s3",
                    "ActionFailurePolicy": "CONTINUE",
                }
            },
        ],
    }


def mm_rule_set(n: int = 40) -> dict:
    return {"RuleSetName": "inbound-rules", "Rules": [mm_rule(i) for i in range(n)]}


ADDRESS_LIST = "arn:aws:ses:us-east-1:123456789012:mailmanager-address-list/blocked"
ADDON = "arn:aws:ses:us-east-1::addon/spam-classifier"


def _s(attr: dict, op: str, *values: str) -> dict:
    return {"StringExpression": {"Evaluate": attr, "Operator": op, "Values": list(values)}}


def mm_rule_max(i: int, recipient_suffixes: tuple[str, ...] | None = None) -> dict:
    """A Mail Manager rule at the model's maximums: 10 Conditions and 10 Unless, of every
    expression type.  The first condition is the rule's own recipients (``@team{i}...``), unless
    ``recipient_suffixes`` gives them (the same for every rule: then every rule applies)."""
    suffixes = recipient_suffixes or (f"@team{i}.example.com", f"@dept{i}.example.com")
    a = {"Attribute": "RECIPIENT"}
    return {
        "Name": f"rule-{i:02d}",
        "Conditions": [
            _s(a, "ENDS_WITH", *suffixes),
            {"NumberExpression": {"Evaluate": {"Attribute": "MESSAGE_SIZE"}, "Operator": "LESS_THAN", "Value": 1e7}},
            {
                "IpExpression": {
                    "Evaluate": {"Attribute": "SOURCE_IP"},
                    "Operator": "CIDR_MATCHES",
                    "Values": ["10.0.0.0/8", "2001:db8::/32"],
                }
            },
            {"VerdictExpression": {"Evaluate": {"Attribute": "SPF"}, "Operator": "NOT_EQUALS", "Values": ["FAIL"]}},
            {
                "VerdictExpression": {
                    "Evaluate": {"Attribute": "DKIM"},
                    "Operator": "EQUALS",
                    "Values": ["PASS", "GRAY"],
                }
            },
            {"DmarcExpression": {"Operator": "NOT_EQUALS", "Values": ["REJECT"]}},
            {"BooleanExpression": {"Evaluate": {"Attribute": "TLS"}, "Operator": "IS_TRUE"}},
            _s({"Attribute": "MAIL_FROM"}, "CONTAINS", "@"),
            _s({"MimeHeaderAttribute": "X-Priority"}, "NOT_EQUALS", "bulk"),
            {
                "BooleanExpression": {
                    "Evaluate": {"IsInAddressList": {"Attribute": "RECIPIENT", "AddressLists": [ADDRESS_LIST]}},
                    "Operator": "IS_FALSE",
                }
            },
        ],
        "Unless": [
            _s({"Attribute": "SUBJECT"}, "STARTS_WITH", "[SPAM]"),
            _s({"Attribute": "FROM"}, "ENDS_WITH", f"@blocked{i}.example"),
            {
                "IpExpression": {
                    "Evaluate": {"Attribute": "SOURCE_IP"},
                    "Operator": "CIDR_MATCHES",
                    "Values": ["192.0.2.0/24"],
                }
            },
            {
                "NumberExpression": {
                    "Evaluate": {"Attribute": "MESSAGE_SIZE"},
                    "Operator": "GREATER_THAN",
                    "Value": 2e7,
                }
            },
            {
                "VerdictExpression": {
                    "Evaluate": {"Attribute": "SPF"},
                    "Operator": "EQUALS",
                    "Values": ["PROCESSING_FAILED"],
                }
            },
            {"BooleanExpression": {"Evaluate": {"Attribute": "READ_RECEIPT_REQUESTED"}, "Operator": "IS_TRUE"}},
            _s({"Attribute": "HELO"}, "EQUALS", "localhost"),
            _s({"Analysis": {"Analyzer": ADDON, "ResultField": "label"}}, "EQUALS", "spam"),
            _s({"Attribute": "CC"}, "CONTAINS", "noreply"),
            {"DmarcExpression": {"Operator": "EQUALS", "Values": ["QUARANTINE"]}},
        ],
        "Actions": [
            {"AddHeader": {"HeaderName": "X-Rule", "HeaderValue": f"rule-{i}"}},
            {"Archive": {"TargetArchive": f"a-{i:016x}", "ActionFailurePolicy": "CONTINUE"}},
        ],
    }


def mm_rule_set_max(n: int = 40, every_rule_applies: bool = False) -> dict:
    """40 rules (the API maximum) of :func:`mm_rule_max`.  ``every_rule_applies``: each rule's
    recipients are all of ``@example.com``'s subdomains, so for a mail that passes the rest, every
    rule evaluates all 20 of its conditions (the most work a mail can cause)."""
    same = (".example.com",) if every_rule_applies else None
    return {"RuleSetName": "inbound-max", "Rules": [mm_rule_max(i, same) for i in range(n)]}


def classic_scenarios(n: int, seed: int = 3, rules: int = 200) -> list[dict]:
    """Scenario documents against :func:`classic_rule_set`: 1-3 recipients each, matching a
    rule's address, domain or subdomain entry, a label form, or nothing; TLS or not."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        rcpts = []
        for _ in range(rng.randint(1, 3)):
            i = rng.randrange(rules)
            rcpts.append(
                rng.choice(
                    [
                        f"user{i}@example.com",
                        f"user{i}+tag@example.com",
                        f"someone@team{i}.example.org",
                        f"x@deep.sub{i}.example.net",
                        "nobody@nowhere.example",
                    ]
                )
            )
        out.append(
            {
                "SourceIp": f"198.51.100.{rng.randrange(256)}",
                "Tls": rng.random() < 0.8,
                "MailFrom": "alice@sender.example",
                "Recipients": rcpts,
            }
        )
    return out


def mm_scenarios(n: int, seed: int = 4, rules: int = 40, passing: bool = False) -> list[dict]:
    """Scenario documents against :func:`mm_rule_set_max`: one recipient of a rule's domain (or
    of none), varied sources, sizes, verdicts and headers, so conditions fail at every depth.
    ``passing``: mails that meet every condition and no Unless of the rules they reach."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        i = rng.randrange(rules + 4)
        if passing:
            out.append(
                {
                    "SourceIp": rng.choice(["10.1.2.3", "10.200.0.9", "2001:db8::7"]),
                    "MailFrom": "alice@sender.example",
                    "Recipients": [f"user{rng.randrange(1000)}@team{i + 100}.example.com"],
                    "Size": rng.choice([1200, 48_000, 3_000_000]),
                    "Verdicts": {"Spf": "PASS", "Dkim": rng.choice(["PASS", "GRAY"])},
                    "Headers": {"From": "Alice <alice@sender.example>", "Subject": "Invoice", "X-Priority": "normal"},
                    "AddressLists": {ADDRESS_LIST: ["*@team3.example.com"]},
                    "AddOns": {ADDON: {"label": "ham"}},
                }
            )
            continue
        out.append(
            {
                "SourceIp": rng.choice(["10.1.2.3", "10.200.0.9", "2001:db8::7", "10.9.9.9", "192.0.2.5"]),
                "Tls": rng.random() < 0.95,
                "MailFrom": rng.choice(["alice@sender.example", "bounces@list.example", "", "bob@sender.example"]),
                "Recipients": [f"user@team{i}.example.com" if i < rules else "user@elsewhere.example"],
                "Size": rng.choice([1200, 48_000, 3_000_000, 3_000_000, 25_000_000]),
                "Verdicts": {
                    "Spf": rng.choice(["PASS", "PASS", "PASS", "FAIL", "PROCESSING_FAILED"]),
                    "Dkim": rng.choice(["PASS", "PASS", "PASS", "FAIL", "GRAY"]),
                },
                "DmarcPolicy": rng.choice(["NONE", "NONE", "NONE", "QUARANTINE", "REJECT"]),
                "Headers": {
                    "From": f"Alice <alice@{rng.choice(['sender.example'] * 4 + [f'blocked{i}.example'])}>",
                    "Subject": rng.choice(["Invoice", "[SPAM] win", "Hello", "Report", "Re: order"]),
                    "X-Priority": rng.choice(["normal", "normal", "normal", "bulk"]),
                },
                "AddressLists": {ADDRESS_LIST: ["*@team3.example.com"]},
                "AddOns": {ADDON: {"label": rng.choice(["ham", "spam"])}},
            }
        )
    return out


def small_files(i: int, rng: random.Random) -> tuple[str, dict]:
    kind = i % 6
    if kind == 0:
        return "rule", {"RuleSetName": "inbound", "Rule": classic_rule(i, rng)}
    if kind == 1:
        return "filter", {
            "Filter": {
                "Name": f"filter-{i}",
                "IpFilter": {"Policy": "Block" if i % 2 else "Allow", "Cidr": f"198.51.{i % 256}.0/24"},
            }
        }
    if kind == 2:
        return "bounce", {
            "OriginalMessageId": f"0000014a-{i:08d}",
            "BounceSender": "mailer-daemon@example.com",
            "MessageDsn": {"ReportingMta": "dns; mx.example.com", "ArrivalDate": "2026-11-20T10:00:00Z"},
            "BouncedRecipientInfoList": [
                {"Recipient": f"user{j}@example.com", "BounceType": "DoesNotExist"} for j in range(3)
            ],
        }
    if kind == 3:
        return "ingress", {
            "IngressPointName": f"ingress-{i}",
            "Type": "OPEN",
            "RuleSetId": f"rs-{i:08d}",
            "TrafficPolicyId": f"tp-{i:08d}",
            "TlsPolicy": "REQUIRED",
        }
    if kind == 4:
        return "mm", mm_rule_set(16)
    return "ruleset", classic_rule_set(45, seed=i)


def break_it(doc: dict, rng: random.Random) -> dict:
    """Introduce one realistic mistake."""
    text = json.dumps(doc)
    for a, b in (
        ('"Require"', '"required"'),
        ('"Enabled": true, ', ""),
        ('"BucketName"', '"Bucket"'),
        ('"Block"', '"block"'),
        ('"ENDS_WITH"', '"ENDSWITH"'),
        ('"OPEN"', '"PUBLIC"'),
    ):
        if a in text:
            return json.loads(text.replace(a, b, 1))
    return doc


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, doc in (("classic-200", classic_rule_set()), ("mm-40", mm_rule_set())):
        (out / f"{name}.json").write_text(json.dumps(doc, indent=2) + "\n")
        (out / f"{name}.yaml").write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    mixed = out / "mixed"
    mixed.mkdir(exist_ok=True)
    rng = random.Random(7)
    total = 0
    for i in range(300):
        kind, doc = small_files(i, rng)
        if i % 5 == 0:
            doc = break_it(doc, rng)
        if i % 2:
            text = yaml.safe_dump(doc, sort_keys=False)
            path = mixed / f"{i:03d}-{kind}.yaml"
        else:
            text = json.dumps(doc, indent=2) + "\n"
            path = mixed / f"{i:03d}-{kind}.json"
        path.write_text(text)
        total += len(text.encode())
    (out / "noisy-200.yaml").write_text(yaml.safe_dump(noisy_rule_set(), sort_keys=False))
    noisy = out / "noisy"
    noisy.mkdir(exist_ok=True)
    for i in range(300):
        path = noisy / f"{i:03d}-ruleset.{'yaml' if i % 2 else 'json'}"
        doc = noisy_rule_set(4, seed=i)  # 4 rules x 7 redundant addresses = 28 infos
        path.write_text(yaml.safe_dump(doc, sort_keys=False) if i % 2 else json.dumps(doc, indent=2) + "\n")
    print(f"wrote {out} (mixed: 300 files, {total / 1e6:.2f} MB; noisy: 300 files)")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "workloads")
