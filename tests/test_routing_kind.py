"""The routing-test document kind (ses-lsp:routing-test): detection by name and content, the
schema made from the format's member tables, schema-pass diagnostics, completion and hover, and
how an expectation is compared."""

from __future__ import annotations

from pathlib import Path

from ses_lsp.document.document import Document
from ses_lsp.document.json_parser import parse_json
from ses_lsp.document.yaml_parser import parse_yaml
from ses_lsp.editor.completion import apply_completion, complete
from ses_lsp.editor.hover import hover
from ses_lsp.lint.config import Config, config_from_mapping
from ses_lsp.lint.engine import lint_text
from ses_lsp.lint.kinds import detect_kind
from ses_lsp.schema import ROUTING_TEST_KIND, load_service
from ses_lsp.semantics import routing

KIND = ROUTING_TEST_KIND
FIX = Path(__file__).parent / "fixtures" / "routing"


def test_detection_by_content():
    assert detect_kind(parse_yaml("RuleFiles: [r.yaml]\nCases: []\n").root) == KIND
    assert detect_kind(parse_json('{"Cases": []}').root) == KIND
    assert detect_kind(parse_json('{"Cases": [], "Unknown": 1}').root) is None  # (Cases alone is not enough)
    assert detect_kind(parse_json('{"Cases": [], "RuleFiles": [], "Unknown": 1}').root) == KIND
    assert detect_kind(parse_json('{"Recipients": ["a@example.com"]}').root) == "ses-lsp:scenario"


def test_detection_by_name_and_the_routing_tests_globs(tmp_path):
    default = Config()
    assert default.kind_for("tests/inbound.routing.yaml") == KIND
    assert default.kind_for("inbound.routing.json") == KIND
    assert default.kind_for("inbound.yaml") is None
    cfg = config_from_mapping({"routing-tests": ["tests/**/*.yaml", "!tests/old/**"]}, root=str(tmp_path))
    assert cfg.kind_for(str(tmp_path / "tests" / "a" / "mail.yaml")) == KIND
    assert cfg.kind_for(str(tmp_path / "tests" / "old" / "mail.yaml")) is None  # excluded by "!tests/old/**"
    assert cfg.kind_for(str(tmp_path / "x.routing.yaml")) is None  # the globs replace the default ones
    # the kinds table still wins
    cfg = config_from_mapping({"kinds": {"tests/special.yaml": "ses:describe-receipt-rule-set"}}, root=str(tmp_path))
    assert cfg.kind_for(str(tmp_path / "tests" / "special.yaml")) == "ses:describe-receipt-rule-set"
    # a file linted by name gets the kind without any content to go by
    result = lint_text("{}\n", "empty.routing.yaml")
    assert result.kind == KIND
    assert [(d.code, d.message) for d in result.diagnostics] == [
        ("SES102", 'the document is missing the required members "RuleFiles", "Cases"')
    ]


def test_schema_is_made_from_the_member_tables():
    doc = load_service("ses-lsp")
    info = doc["x-kinds"][KIND]
    defs = doc["$defs"]
    root = defs[info["shape"]]
    assert root["x-member-order"] == [m.name for m in routing.DOCUMENT]
    assert root["required"] == ["RuleFiles", "Cases"]
    for table, shape in (
        (routing.CASE, "RoutingTestCase"),
        (routing.EXPECTATION, "RoutingTestExpectation"),
        (routing.ACTION, "RoutingTestAction"),
        (routing.STOP, "RoutingTestStop"),
    ):
        assert defs[shape]["x-member-order"] == [m.name for m in table]
        for m in table:
            assert defs[shape]["properties"][m.name]["description"] == m.doc
    # an inline mail is a scenario: the same member definitions
    assert defs["RoutingTestMail"]["properties"] == defs["Scenario"]["properties"]
    assert defs["RoutingTestExpectation"]["properties"]["outcome"]["enum"][:3] == ["blocked", "rejected", "delivered"]


def test_schema_pass_reports_bad_members_precisely():
    text = (
        "RuleFiles: []\n"
        "Cases:\n"
        "  - Mail: {Recipients: [a@example.com], Tls: yes}\n"
        "    Expect:\n"
        "      a@example.com: {outcome: delivred, rules: ceo, stoped_by: null}\n"
    )
    result = lint_text(text, "t.routing.yaml")
    assert result.kind == KIND
    got = sorted((d.code, text[d.start : d.end]) for d in result.diagnostics)
    assert got == [
        ("SES101", "stoped_by"),
        ("SES103", "ceo"),
        ("SES103", "yes"),
        ("SES104", "delivred"),
        ("SES108", "RuleFiles"),
    ]


def test_completion_offers_the_members_and_the_outcomes():
    text = "RuleFiles: [r.yaml]\nCases:\n  - Mail: {Recipients: [a@example.com]}\n    Expect:\n"
    text += "      a@example.com:\n        "
    labels = [i.label for i in complete(text, len(text), KIND, "yaml")]
    assert labels == [m.name for m in routing.EXPECTATION]
    text += "outcome: "
    found = complete(text, len(text), KIND, "yaml")
    assert [i.label for i in found][:3] == ["blocked", "rejected", "delivered"]
    assert apply_completion(text, found[2]).endswith("outcome: delivered")
    # inside an inline mail: the scenario's members
    text = "RuleFiles: [r.yaml]\nCases:\n  - Mail:\n      "
    assert {"Recipients", "SourceIp", "Tls"} <= {i.label for i in complete(text, len(text), KIND, "yaml")}


def test_completion_offers_the_rule_names_of_the_referenced_rule_set():
    path = str(FIX / "classic" / "new.routing.yaml")  # (not written: only its directory matters)
    head = "RuleFiles: [rule-set.json]\nCases:\n  - Mail: {Recipients: [a@example.com]}\n"
    head += "    Expect:\n      a@example.com:\n"
    for tail in ("        rules: [", "        actions:\n          - rule: ", "        stopped_by: {rule: "):
        text = head + tail
        items = complete(text, len(text), KIND, "yaml", document=Document(text, path))
        assert [i.label for i in items] == ["ceo", "billing", "old-sales", "catch-all"], tail
        assert "of `rule-set.json`" in items[0].documentation
    text = head + "        stopped_by: {type: "
    items = complete(text, len(text), KIND, "yaml", document=Document(text, path))
    assert [i.label for i in items] == ["StopAction", "LambdaAction", "TlsPolicy"]
    text = head + "        actions: [{type: "
    items = complete(text, len(text), KIND, "yaml", document=Document(text, path))
    assert [i.label for i in items][:2] == ["S3Action", "BounceAction"]
    # Mail Manager: its rule names (#3 has no Name) and RuleAction's members
    mm = str(FIX / "mailmanager" / "new.routing.json")
    text = '{"RuleFiles": ["rule-set.yaml"], "Cases": [{"Mail": {}, "Expect": {"a@example.com": {"rules": ['
    items = complete(text, len(text), KIND, "json", document=Document(text, mm))
    assert [(i.label, i.new_text) for i in items] == [
        ("drop-spoofed", '"drop-spoofed"'),
        ("billing-to-finance", '"billing-to-finance"'),
        ("#3", '"#3"'),
    ]
    text = '{"RuleFiles": ["rule-set.yaml"], "Cases": [{"Mail": {}, "Expect": {"a@example.com": {"actions": [{"type": '
    items = complete(text, len(text), KIND, "json", document=Document(text, mm))
    assert "WriteToS3" in [i.label for i in items] and "S3Action" not in [i.label for i in items]
    # no rule set to go by: nothing to offer
    text = "RuleFiles: [nowhere.yaml]\n" + head.split("\n", 1)[1] + "        rules: ["
    assert complete(text, len(text), KIND, "yaml", document=Document(text, path)) == []


def test_hover_shows_the_meaning():
    text = '{"RuleFiles": ["r.yaml"], "Cases": [{"Mail": "m.eml", "Expect": {"a@example.com": {"stopped_by": null}}}]}'
    h = hover(Document(text, "t.routing.json", "json"), KIND, text.index("stopped_by") + 1)
    assert h is not None
    assert h.markdown.startswith("**stopped_by**")
    assert "`null` for a recipient whose evaluation ran to the end" in h.markdown
    h = hover(Document(text, "t.routing.json", "json"), KIND, text.index("RuleFiles") + 1)
    assert h is not None and "Paths are relative to this file" in h.markdown


def _actual(**kw):
    base = {
        "address": "a@example.com",
        "accepted": True,
        "rules": ["r1", "r2"],
        "actions": [{"rule": "r1", "index": 0, "type": "S3Action"}, {"rule": "r2", "index": 0, "type": "SNSAction"}],
        "stopped_by": None,
        "outcome": "delivered",
        "reason": "2 actions ran in 2 rules",
    }
    base.update(kw)
    return base


def test_only_what_is_given_is_compared():
    a = _actual()
    assert routing.compare({}, "a@example.com", a) == []
    assert routing.compare({"outcome": "delivered"}, "a@example.com", a) == []
    assert routing.compare({"actions": [{"type": "S3Action"}, {"rule": "r2"}]}, "a@example.com", a) == []
    assert routing.compare({"stopped_by": None, "accepted": True}, "a@example.com", a) == []
    # lists are compared whole, in order
    (m,) = routing.compare({"rules": ["r2", "r1"]}, "a@example.com", a)
    assert (m.key, m.expected, m.actual) == ("rules", ["r2", "r1"], ["r1", "r2"])
    (m,) = routing.compare({"actions": [{"type": "S3Action"}]}, "a@example.com", a)
    assert m.key == "actions" and m.actual == [{"type": "S3Action"}, {"type": "SNSAction"}]  # (cut to what is given)
    # stopped_by: null means it must not stop; an object is compared by the members it gives
    stop = {"rule": "r1", "index": 1, "type": "StopAction", "reason": "why", "file": "f", "line": 3}
    (m,) = routing.compare({"stopped_by": {"type": "StopAction"}}, "a@example.com", a)
    assert (m.key, m.actual) == ("stopped_by", None)
    assert routing.compare({"stopped_by": {"type": "StopAction"}}, "a@example.com", _actual(stopped_by=stop)) == []
    (m,) = routing.compare({"stopped_by": None}, "a@example.com", _actual(stopped_by=stop))
    assert m.actual == stop
    (m,) = routing.compare({"stopped_by": {"rule": "r2"}}, "a@example.com", _actual(stopped_by=stop))
    assert m.actual == {"rule": "r1"}
    # a boolean is not a number
    (m,) = routing.compare({"accepted": 1}, "a@example.com", a)
    assert m.key == "accepted"
    # a recipient the mail does not have
    (m,) = routing.compare({"outcome": "delivered"}, "b@example.com", None)
    assert (m.key, m.actual) == ("recipient", None)


def test_the_exported_schema_validates_routing_tests_with_a_third_party_validator(tmp_path):
    import json

    import jsonschema
    import yaml

    from ses_lsp.cli import kind_schema_document

    schema = kind_schema_document(KIND)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    root = Path(__file__).parent.parent
    files = [
        root / "examples" / "simulate" / "classic" / "inbound.routing.yaml",
        FIX / "classic" / "passing.routing.yaml",
        FIX / "mailmanager" / "inbound.routing.json",
    ]
    for f in files:
        text = f.read_text(encoding="utf-8")
        doc = json.loads(text) if f.suffix == ".json" else yaml.safe_load(text)
        assert list(validator.iter_errors(doc)) == [], f
    bad = {"RuleFiles": ["r.yaml"], "Cases": [{"Mail": 3, "Expect": {"a@example.com": {"outcome": "lost"}}}]}
    # (the paths as lists: how jsonschema formats `json_path` differs between its versions)
    assert sorted(list(e.absolute_path) for e in validator.iter_errors(bad)) == [
        ["Cases", 0, "Expect", "a@example.com", "outcome"],
        ["Cases", 0, "Mail"],
    ]
