"""The generated JSON Schemas: freshness, integrity, spot checks against botocore, runtime API."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import botocore
import jsonschema
import pytest

import ses_lsp.schema as schema_pkg
from ses_lsp.schema import generate as gen

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_DIR = ROOT / "ses_lsp" / "schema"
REGENERATE = "python -m ses_lsp.schema.generate"

EXPECTED_KINDS = {
    "ses": {
        "input": [
            "CreateReceiptRuleSet",
            "CloneReceiptRuleSet",
            "DeleteReceiptRuleSet",
            "SetActiveReceiptRuleSet",
            "CreateReceiptRule",
            "UpdateReceiptRule",
            "DeleteReceiptRule",
            "SetReceiptRulePosition",
            "ReorderReceiptRuleSet",
            "CreateReceiptFilter",
            "DeleteReceiptFilter",
            "SendBounce",
        ],
        "output": [
            "DescribeReceiptRule",
            "DescribeReceiptRuleSet",
            "DescribeActiveReceiptRuleSet",
            "ListReceiptRuleSets",
            "ListReceiptFilters",
        ],
    },
    "mailmanager": {
        "input": [
            "CreateRuleSet",
            "UpdateRuleSet",
            "CreateIngressPoint",
            "UpdateIngressPoint",
            "CreateTrafficPolicy",
            "UpdateTrafficPolicy",
            "CreateAddressList",
            "CreateRelay",
            "UpdateRelay",
            "CreateArchive",
            "UpdateArchive",
        ],
        "output": [
            "GetRuleSet",
            "GetIngressPoint",
            "ListIngressPoints",
            "GetTrafficPolicy",
            "GetAddressList",
            "GetRelay",
            "GetArchive",
        ],
    },
}
# The schema files generated from botocore; ses-lsp.json (ses-lsp's own documents) is not.
BOTOCORE_SERVICES = [spec.name for spec in gen.SERVICE_SPECS]


def _doc(service: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{service}.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def docs() -> dict[str, dict]:
    """The files generated from botocore and ses-lsp's own (cloudformation.json: tests/test_cfn_schema.py)."""
    return {service: _doc(service) for service in schema_pkg.SERVICES if service != "cloudformation"}


def _defs(docs, service):
    return docs[service]["$defs"]


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


# ---------------------------------------------------------------------------
# Freshness
# ---------------------------------------------------------------------------


def test_committed_files_are_up_to_date(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "ses_lsp.schema.generate", "--output-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    for service in schema_pkg.SERVICES:
        fresh = (tmp_path / f"{service}.json").read_bytes()
        committed_path = SCHEMA_DIR / f"{service}.json"
        committed = committed_path.read_bytes() if committed_path.is_file() else b""
        assert fresh == committed, (
            f"{committed_path.relative_to(ROOT)} is stale (or was edited by hand); "
            f"run `{REGENERATE}` and commit the result"
        )


def test_generation_is_deterministic():
    assert gen.generate_all() == gen.generate_all()


def test_check_mode(tmp_path):
    ok = subprocess.run(
        [sys.executable, "-m", "ses_lsp.schema.generate", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    for service in schema_pkg.SERVICES:
        (tmp_path / f"{service}.json").write_bytes((SCHEMA_DIR / f"{service}.json").read_bytes())
    (tmp_path / "ses.json").write_text("{}\n", encoding="utf-8")
    stale = subprocess.run(
        [sys.executable, "-m", "ses_lsp.schema.generate", "--check", "--output-dir", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert stale.returncode == 1
    assert "ses.json" in stale.stderr and "mailmanager.json" not in stale.stderr
    assert REGENERATE in stale.stderr
    # --check writes nothing
    assert (tmp_path / "ses.json").read_text(encoding="utf-8") == "{}\n"


def test_refuses_other_botocore_versions(monkeypatch, capsys):
    monkeypatch.setattr(botocore, "__version__", "1.0.0")
    with pytest.raises(gen.GeneratorError, match=r"1\.0\.0.*botocore==1\.44\.5"):
        gen.generate_all()
    assert gen.main(["--check"]) == 2
    assert "1.44.5" in capsys.readouterr().err


def test_botocore_version_is_recorded(docs):
    assert gen.PINNED_BOTOCORE == "1.44.5"
    for service in BOTOCORE_SERVICES:
        doc = docs[service]
        assert doc["x-service"]["botocore"] == "1.44.5"
        assert doc["x-service"]["name"] == service
        assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert docs["ses-lsp"]["x-service"] == {"name": "ses-lsp"}
    assert set(schema_pkg.SERVICES) == {*BOTOCORE_SERVICES, "ses-lsp", "cloudformation"}
    assert docs["ses"]["x-service"]["apiVersion"] == "2010-12-01"
    assert docs["mailmanager"]["x-service"]["apiVersion"] == "2023-10-17"


# ---------------------------------------------------------------------------
# Integrity
# ---------------------------------------------------------------------------


def test_files_are_valid_2020_12_schemas(docs):
    for doc in docs.values():
        jsonschema.Draft202012Validator.check_schema(doc)


def test_every_ref_resolves(docs):
    for service, doc in docs.items():
        refs = 0
        for path, node in _walk(doc):
            if "$ref" in node:
                refs += 1
                ref = node["$ref"]
                assert ref.startswith("#/$defs/"), (service, path, ref)
                assert ref[len("#/$defs/") :] in doc["$defs"], (service, path, ref)
        assert refs > (50 if service in BOTOCORE_SERVICES else 5)


def test_only_reachable_shapes(docs):
    for service, doc in docs.items():
        reachable = set()
        stack = [info["shape"] for info in doc["x-kinds"].values()]
        while stack:
            name = stack.pop()
            if name in reachable:
                continue
            reachable.add(name)
            for _, node in _walk(doc["$defs"][name]):
                if "$ref" in node:
                    stack.append(node["$ref"][len("#/$defs/") :])
        assert reachable == set(doc["$defs"]), service
    # shapes of other operations (sending, identities, archive exports and searches, ...) stay out
    assert "SendEmailRequest" not in docs["ses"]["$defs"]
    assert "CreateArchiveRequest" in docs["mailmanager"]["$defs"]  # a document kind
    assert "StartArchiveExportRequest" not in docs["mailmanager"]["$defs"]


def test_all_kinds_present(docs):
    for service, by_direction in EXPECTED_KINDS.items():
        kinds = docs[service]["x-kinds"]
        expected_names = set()
        for direction, operations in by_direction.items():
            for op in operations:
                name = f"{service}:{gen.cli_command_name(op)}"
                expected_names.add(name)
                info = kinds[name]
                assert info["service"] == service
                assert info["operation"] == op
                assert info["direction"] == direction
                assert info["shape"] in docs[service]["$defs"], name
                assert info["title"] and info["description"], name
        assert set(kinds) == expected_names
    assert "ses:create-receipt-rule" in docs["ses"]["x-kinds"]
    assert "ses:set-receipt-rule-position" in docs["ses"]["x-kinds"]
    assert "mailmanager:create-rule-set" in docs["mailmanager"]["x-kinds"]
    assert docs["ses"]["x-kinds"]["ses:describe-receipt-rule-set"]["shape"] == ("DescribeReceiptRuleSetResponse")


@pytest.mark.parametrize(
    ("operation", "command"),
    [
        ("CreateReceiptRuleSet", "create-receipt-rule-set"),
        ("SetActiveReceiptRuleSet", "set-active-receipt-rule-set"),
        ("SendBounce", "send-bounce"),
        ("ListIngressPoints", "list-ingress-points"),
        ("GetRuleSet", "get-rule-set"),
        ("CreateIPAddressList", "create-ip-address-list"),
        ("DescribeDBInstances", "describe-db-instances"),
    ],
)
def test_cli_command_name(operation, command):
    assert gen.cli_command_name(operation) == command


def test_member_order_and_structure_keys(docs):
    for service, doc in docs.items():
        for name, sch in doc["$defs"].items():
            assert sch["x-shape"] == name
            if sch.get("type") == "object" and "properties" in sch:
                assert sorted(sch["x-member-order"]) == sorted(sch["properties"])
                assert sch["additionalProperties"] is False
                for req in sch.get("required", []):
                    assert req in sch["properties"], (service, name, req)


# ---------------------------------------------------------------------------
# Spot checks against the model
# ---------------------------------------------------------------------------


def test_receipt_rule(docs):
    rule = _defs(docs, "ses")["ReceiptRule"]
    assert rule["required"] == ["Name"]
    assert rule["x-member-order"] == [
        "Name",
        "Enabled",
        "TlsPolicy",
        "Recipients",
        "Actions",
        "ScanEnabled",
    ]
    assert rule["properties"]["TlsPolicy"]["$ref"] == "#/$defs/TlsPolicy"
    assert "Start and end with a letter or number" in rule["properties"]["Name"]["description"]
    assert _defs(docs, "ses")["TlsPolicy"]["enum"] == ["Require", "Optional"]
    # classic ReceiptAction is NOT a union in the model (only its docs say "only one")
    assert "x-union" not in _defs(docs, "ses")["ReceiptAction"]
    assert _defs(docs, "ses")["StopScope"]["enum"] == ["RuleSet"]


def test_iam_role_arn(docs):
    arn = _defs(docs, "ses")["IAMRoleARN"]
    assert (arn["minLength"], arn["maxLength"]) == (20, 2048)
    assert arn["x-pattern-source"].startswith(r"arn:[\w-]+:iam::")
    assert arn["pattern"].startswith("^(?:arn:[A-Za-z0-9_-]+:iam::")


def test_mailmanager_rule_action_union(docs):
    action = _defs(docs, "mailmanager")["RuleAction"]
    assert action["x-union"] is True
    assert action["minProperties"] == 1 and action["maxProperties"] == 1
    assert {"Bounce", "InvokeLambda", "Drop", "Relay", "WriteToS3"} <= set(action["properties"])
    bounce = _defs(docs, "mailmanager")[action["properties"]["Bounce"]["$ref"].split("/")[-1]]
    assert set(bounce["required"]) >= {"RoleArn", "StatusCode", "SmtpReplyCode", "Sender"}


def test_mailmanager_enums(docs):
    defs = _defs(docs, "mailmanager")
    assert "MTLS" in defs["IngressPointType"]["enum"]
    assert "OPTIONAL" in defs["TlsPolicy"]["enum"]
    assert defs["TlsPolicy"]["type"] == "string"


def test_sensitive_and_idempotency(docs):
    defs = _defs(docs, "mailmanager")
    assert defs["SmtpPassword"]["x-sensitive"] is True
    assert (defs["SmtpPassword"]["minLength"], defs["SmtpPassword"]["maxLength"]) == (8, 64)
    assert "x-sensitive" not in defs["RuleSetName"]
    token = defs["CreateRuleSetRequest"]["properties"]["ClientToken"]
    assert token["x-idempotency-token"] is True


def test_send_bounce_constraints(docs):
    defs = _defs(docs, "ses")
    req = defs["SendBounceRequest"]
    assert req["required"] == ["OriginalMessageId", "BounceSender", "BouncedRecipientInfoList"]
    assert "additionalProperties" in req and req["additionalProperties"] is False
    info = defs["BouncedRecipientInfo"]
    assert info["required"] == ["Recipient"]
    assert set(info["properties"]) == {
        "Recipient",
        "RecipientArn",
        "BounceType",
        "RecipientDsnFields",
    }
    assert defs["BounceType"]["enum"] == [
        "DoesNotExist",
        "MessageTooLarge",
        "ExceededQuota",
        "ContentRejected",
        "Undefined",
        "TemporaryFailure",
    ]
    # the docs say "at least one", the model has no min: the schema follows the model
    assert defs["BouncedRecipientInfoList"]["type"] == "array"
    assert "minItems" not in defs["BouncedRecipientInfoList"]
    assert defs["MessageDsn"]["required"] == ["ReportingMta"]
    assert defs["RecipientDsnFields"]["required"] == ["Action", "Status"]


def test_timestamps(docs):
    defs = _defs(docs, "ses")
    ref = defs["MessageDsn"]["properties"]["ArrivalDate"]["$ref"]
    arrival = defs[ref.split("/")[-1]]
    assert arrival["x-timestamp"] is True
    assert arrival["type"] == ["string", "number"]
    assert arrival["pattern"] == gen.TIMESTAMP_PATTERN
    assert defs["ReceiptRuleSetMetadata"]["properties"]["CreatedTimestamp"]


def test_numbers_and_lists(docs):
    defs = _defs(docs, "mailmanager")
    retry = defs["InvokeLambdaAction"]["properties"]["RetryTimeMinutes"]["$ref"].split("/")[-1]
    assert defs[retry]["type"] == "integer"
    assert (defs[retry]["minimum"], defs[retry]["maximum"]) == (0, 2160)
    actions = defs["RuleActions"]
    assert (actions["type"], actions["minItems"], actions["maxItems"]) == ("array", 1, 10)
    number = defs["RuleNumberExpression"]["properties"]["Value"]["$ref"].split("/")[-1]
    assert defs[number]["type"] == "number"


def test_descriptions_are_markdown(docs):
    for doc in docs.values():
        for _, node in _walk(doc):
            desc = node.get("description")
            if isinstance(desc, str):
                assert "<p>" not in desc and "</" not in desc, desc[:80]
                assert desc == desc.strip()


# ---------------------------------------------------------------------------
# Validation of botocore's own examples with a third-party validator
# ---------------------------------------------------------------------------


def _examples() -> dict:
    path = Path(botocore.__file__).parent / "data" / "ses" / "2010-12-01" / "examples-1.json"
    return json.loads(path.read_text(encoding="utf-8"))["examples"]


def _validator(doc: dict, shape: str) -> jsonschema.Draft202012Validator:
    root = dict(doc)
    root["$ref"] = f"#/$defs/{shape}"
    return jsonschema.Draft202012Validator(root, format_checker=None)


def _examples_for(docs):
    examples = _examples()
    for kind, info in docs["ses"]["x-kinds"].items():
        for example in examples.get(info["operation"], []):
            key = "input" if info["direction"] == "input" else "output"
            if key in example:
                yield kind, info, example[key]


def test_examples_validate(docs):
    checked = set()
    for kind, info, instance in _examples_for(docs):
        errors = list(_validator(docs["ses"], info["shape"]).iter_errors(instance))
        assert not errors, (kind, [e.message for e in errors])
        checked.add(kind)
    assert {"ses:create-receipt-rule", "ses:describe-receipt-rule-set"} <= checked


def test_invalid_variants_fail(docs):
    examples = _examples()
    create = copy.deepcopy(examples["CreateReceiptRule"][0]["input"])
    create["Rule"]["Actions"][0]["S3Action"]["BucketNme"] = "typo"
    validator = _validator(docs["ses"], "CreateReceiptRuleRequest")
    assert not validator.is_valid(create)

    describe = copy.deepcopy(examples["DescribeReceiptRuleSet"][0]["output"])
    describe["Rules"][0]["Unknown"] = True
    assert not _validator(docs["ses"], "DescribeReceiptRuleSetResponse").is_valid(describe)

    tls = copy.deepcopy(examples["CreateReceiptRule"][0]["input"])
    tls["Rule"]["TlsPolicy"] = "Required"
    assert not validator.is_valid(tls)

    no_name = copy.deepcopy(examples["CreateReceiptRule"][0]["input"])
    del no_name["Rule"]["Name"]
    assert not validator.is_valid(no_name)


def test_mailmanager_instance(docs):
    validator = _validator(docs["mailmanager"], "CreateRuleSetRequest")
    good = {
        "RuleSetName": "my-rules",
        "Rules": [
            {
                "Name": "bounce-all",
                "Actions": [
                    {
                        "Bounce": {
                            "RoleArn": "arn:aws:iam::123456789012:role/r1234567",
                            "StatusCode": "5.1.1",
                            "SmtpReplyCode": "550",
                            "Sender": "postmaster@example.com",
                            "DiagnosticMessage": "no such user",
                        }
                    },
                    {"Drop": {}},
                ],
            }
        ],
    }
    assert not list(validator.iter_errors(good))
    two = copy.deepcopy(good)
    two["Rules"][0]["Actions"][1] = {"Drop": {}, "Archive": {"TargetArchive": "a"}}
    assert not validator.is_valid(two)  # union: exactly one member
    header = copy.deepcopy(good)
    header["Rules"][0]["Actions"][1] = {"AddHeader": {"HeaderName": "Y-Foo", "HeaderValue": "v"}}
    assert not validator.is_valid(header)  # pattern [xX]-...


# ---------------------------------------------------------------------------
# Runtime API (ses_lsp.schema)
# ---------------------------------------------------------------------------


def test_runtime_api_kinds():
    kinds = schema_pkg.kinds()
    names = list(kinds)
    assert names[: len(EXPECTED_KINDS["ses"]["input"])] == [
        f"ses:{gen.cli_command_name(op)}" for op in EXPECTED_KINDS["ses"]["input"]
    ]
    assert names.index("ses:send-bounce") < names.index("mailmanager:create-rule-set")
    # ... then ses-lsp's own kinds (ses-lsp.json), then the one kind of cloudformation.json, last
    assert len(kinds) == sum(len(v) for d in EXPECTED_KINDS.values() for v in d.values()) + 3
    assert list(kinds)[-3:-1] == [schema_pkg.SCENARIO_KIND, schema_pkg.ROUTING_TEST_KIND]
    assert schema_pkg.ROUTING_TEST_KIND == "ses-lsp:routing-test" and schema_pkg.SCENARIO_KIND == "ses-lsp:scenario"
    assert names[-1] == "cloudformation:template"
    assert kinds["mailmanager:get-rule-set"]["direction"] == "output"
    assert kinds["mailmanager:create-traffic-policy"]["shape"] == "CreateTrafficPolicyRequest"


def test_scenario_schema_is_made_from_the_mail_model(docs):
    from ses_lsp.semantics.mail import FIELDS

    doc = docs["ses-lsp"]
    root = doc["$defs"][doc["x-kinds"][schema_pkg.SCENARIO_KIND]["shape"]]
    assert root["x-member-order"] == [f.member for f in FIELDS]
    for f in FIELDS:
        desc = root["properties"][f.member]["description"]
        assert desc.startswith(f.doc) and f"Default: {f.default}." in desc
    # nested schemas are named definitions (the validator compiles their items and values)
    assert root["properties"]["Headers"]["$ref"] == "#/$defs/ScenarioHeaders"
    assert doc["$defs"]["ScenarioHeaders"]["additionalProperties"] == {"$ref": "#/$defs/ScenarioHeadersValue"}
    jsonschema.Draft202012Validator({**doc, "$ref": "#/$defs/Scenario"}).validate(
        {"Recipients": ["a@example.com"], "Headers": {"To": "a@example.com", "X-A": ["1", "2"]}, "Tls": False}
    )


def test_runtime_kind_schema_and_resolve():
    root, doc = schema_pkg.kind_schema("ses:create-receipt-rule")
    assert root["x-shape"] == "CreateReceiptRuleRequest"
    assert doc["x-service"]["name"] == "ses"
    rule = schema_pkg.resolve(doc, root["properties"]["Rule"])
    assert rule["type"] == "object" and rule["x-shape"] == "ReceiptRule"
    # the referring schema's description wins over the target's
    assert rule["description"] == root["properties"]["Rule"]["description"]
    assert rule["description"] != doc["$defs"]["ReceiptRule"]["description"]
    assert "$ref" not in rule
    plain = {"type": "string"}
    assert schema_pkg.resolve(doc, plain) is plain
    with pytest.raises(KeyError):
        schema_pkg.resolve(doc, {"$ref": "#/$defs/NoSuchShape"})
    with pytest.raises(KeyError):
        schema_pkg.kind_schema("ses:no-such-command")
    with pytest.raises(KeyError):
        schema_pkg.kind_schema("sesv2:create-receipt-rule")


def test_runtime_loads_only_what_it_needs():
    schema_pkg.load_service.cache_clear()
    schema_pkg._kinds.cache_clear()
    try:
        schema_pkg.kind_schema("ses:send-bounce")
        assert schema_pkg.load_service.cache_info().currsize == 1
        schema_pkg.kind_schema("mailmanager:create-ingress-point")
        assert schema_pkg.load_service.cache_info().currsize == 2
    finally:
        schema_pkg.load_service.cache_clear()
        schema_pkg._kinds.cache_clear()


def test_runtime_does_not_import_botocore():
    code = (
        "import sys, ses_lsp.schema as s\n"
        "s.kinds(); s.kind_schema('mailmanager:create-rule-set')\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('botocore', 'jsonschema'))\n"
        "assert not bad, bad\n"
        "assert 'ses_lsp.schema.generate' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


# ---------------------------------------------------------------------------
# HTML -> Markdown
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("html", "markdown"),
    [
        ("", ""),
        (None, ""),
        ("<p>One.</p> <p>Two.</p>", "One.\n\nTwo."),
        ("<p>Set <code>Enabled</code> to <code>true</code>.</p>", "Set `Enabled` to `true`."),
        ('<p>See the <a href="https://example.com/x">guide</a>.</p>', "See the [guide](https://example.com/x)."),
        ("<p>Use <a>CreateTemplate</a> first.</p>", "Use CreateTemplate first."),
        ("<p>In the <i>Amazon SES Developer Guide.</i> </p>", "In the *Amazon SES Developer Guide.*"),
        ("<p><b>Bold </b>and <strong>strong</strong> and <em>em</em></p>", "**Bold** and **strong** and *em*"),
        ("<p>a\n   b\t\tc</p>", "a b c"),
        ("<p>x &amp; y &lt;z&gt; &quot;q&quot;</p>", 'x & y <z> "q"'),
        ("<p>line one<br/>line two<br>three</p>", "line one\nline two\nthree"),
        ("<fullname>Amazon Simple Email Service</fullname> <p>Body.</p>", "Body."),
        ("<p>Intro:</p> <ul> <li> <p>one</p> </li> <li> <p>two</p> </li> </ul>", "Intro:\n\n- one\n- two"),
        ("<ol><li>first</li><li>second</li></ol>", "1. first\n2. second"),
        ("<ul><li>outer<ul><li>inner</li></ul></li><li>next</li></ul>", "- outer\n  - inner\n- next"),
        ("<ul><li><p>para one</p><p>para two</p></li></ul>", "- para one\n\n  para two"),
        ("<p>Before.</p> <note> <p>Careful.</p> </note> <p>After.</p>", "Before.\n\n**Note:** Careful.\n\nAfter."),
        ("<important><p>Do it.</p><p>Really.</p></important>", "**Important:** Do it.\n\nReally."),
        ("plain text, no tags", "plain text, no tags"),
        ("<p>unclosed <code>x</p>", "unclosed `x`"),
    ],
)
def test_html_to_markdown(html, markdown):
    assert gen.html_to_markdown(html) == markdown


def test_html_to_markdown_real_docs(docs):
    send_bounce = docs["ses"]["x-kinds"]["ses:send-bounce"]["description"]
    assert "**Note:** You cannot use this operation" in send_bounce
    assert "[Amazon SES Developer Guide](https://docs.aws.amazon.com/" in send_bounce
    name_doc = docs["ses"]["$defs"]["ReceiptRule"]["properties"]["Name"]["description"]
    assert "\n- Start and end with a letter or number." in name_doc
