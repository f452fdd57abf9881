"""``ses-lsp schema export DIR`` writes JSON Schemas that other tools accept.

The peer is real yaml-language-server (npm, pinned), driven over stdio: the exported schema of
``ses:create-receipt-rule`` is mapped to two documents through ``yaml.schemas``; the one with
``TlsPolicy: required`` gets a diagnostic on that line, the valid one none, and no schema-load
problem is reported anywhere.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from editor_tools import REPO, npm_package, run, ses_lsp
from lsp_stdio import StdioClient

YAML_LANGUAGE_SERVER = "2.0.0"  # has a draft 2020-12 validator (the exported schemas' dialect)
VALID = REPO / "examples" / "classic" / "create-rule.yaml"
KIND_FILE = "ses.create-receipt-rule.schema.json"
LSP_TIMEOUT = 60


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("schemas")
    proc = run([ses_lsp(), "schema", "export", str(out)], timeout=60, check=True)
    assert "Wrote" in proc.stderr
    return out


def test_export_writes_one_schema_per_kind(exported):
    index = json.loads((exported / "index.json").read_text(encoding="utf-8"))
    kinds = json.loads(run([ses_lsp(), "kinds", "--format", "json"], timeout=60, check=True).stdout)
    assert {s["kind"] for s in index["schemas"]} == {k["kind"] for k in kinds}
    files = {p.name for p in exported.glob("*.schema.json")}
    assert files == {s["file"] for s in index["schemas"]}
    assert KIND_FILE in files


def test_exported_schemas_are_valid_json_schema(exported):
    import jsonschema

    for path in sorted(exported.glob("*.schema.json")):
        schema = json.loads(path.read_text(encoding="utf-8"))
        cls = jsonschema.validators.validator_for(schema)
        assert cls is jsonschema.Draft202012Validator, path.name
        cls.check_schema(schema)
        # Self-contained: every $ref points inside the file.
        refs = list(_refs(schema))
        assert refs and all(r.startswith("#/$defs/") for r in refs), path.name
        assert all(r[len("#/$defs/") :] in schema["$defs"] for r in refs), path.name


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def test_examples_validate_against_exported_schemas(exported):
    import jsonschema
    import yaml

    pairs = [
        (VALID, KIND_FILE),
        (REPO / "examples" / "mailmanager" / "ingress-point.json", "mailmanager.create-ingress-point.schema.json"),
    ]
    for doc, schema_file in pairs:
        schema = json.loads((exported / schema_file).read_text(encoding="utf-8"))
        data = yaml.safe_load(doc.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(schema).validate(data)
    bad = yaml.safe_load(VALID.read_text(encoding="utf-8"))
    bad["Rule"]["TlsPolicy"] = "required"
    errors = list(
        jsonschema.Draft202012Validator(json.loads((exported / KIND_FILE).read_text(encoding="utf-8"))).iter_errors(bad)
    )
    assert [list(e.absolute_path) for e in errors] == [["Rule", "TlsPolicy"]]


def _yls_command() -> list[str]:
    package = npm_package("yaml-language-server", YAML_LANGUAGE_SERVER)
    node = shutil.which("node")
    assert node
    return [node, str(package / "bin" / "yaml-language-server"), "--stdio"]


def test_yaml_language_server_applies_exported_schema(exported, tmp_path):
    cmd = _yls_command()
    schema_uri = (exported / KIND_FILE).as_uri()
    work = tmp_path / "work"
    work.mkdir()
    valid_text = VALID.read_text(encoding="utf-8")
    assert "TlsPolicy: Optional" in valid_text
    bad_text = valid_text.replace("TlsPolicy: Optional", "TlsPolicy: required")
    good = work / "good-rule.yaml"
    bad = work / "bad-rule.yaml"
    good.write_text(valid_text, encoding="utf-8")
    bad.write_text(bad_text, encoding="utf-8")
    bad_lines = bad_text.splitlines()
    tls_line = next(i for i, line in enumerate(bad_lines) if "TlsPolicy: required" in line)
    tls_col = bad_lines[tls_line].index("required")

    settings = {
        "yaml": {
            "validate": True,
            "hover": True,
            "completion": True,
            "schemaStore": {"enable": False},  # no network: only our schema
            "schemas": {schema_uri: [str(good), str(bad)]},
        },
        "http": {"proxy": "", "proxyStrictSSL": False},
    }

    def configuration(params):
        return [settings.get(item.get("section"), None) for item in params["items"]]

    client = StdioClient(cmd, cwd=work, handlers={"workspace/configuration": configuration})
    try:
        client.request(
            "initialize",
            {
                "processId": None,
                "rootUri": work.as_uri(),
                "workspaceFolders": [{"uri": work.as_uri(), "name": "work"}],
                "capabilities": {
                    "workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": True}},
                    "textDocument": {
                        "publishDiagnostics": {"relatedInformation": True},
                        "hover": {"contentFormat": ["markdown", "plaintext"]},
                    },
                },
            },
            timeout=LSP_TIMEOUT,
        )
        client.notify("initialized", {})
        client.notify("workspace/didChangeConfiguration", {"settings": settings})
        for path, text in ((bad, bad_text), (good, valid_text)):
            client.notify(
                "textDocument/didOpen",
                {"textDocument": {"uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": text}},
            )

        assert client.wait_for(lambda: client.diagnostics.get(bad.as_uri()), LSP_TIMEOUT), (
            f"no diagnostics for the bad document within {LSP_TIMEOUT} s\n"
            f"notifications: {client.notifications}\nstderr: {client.stderr[-2000:]}"
        )
        # Hover on the valid document's key: the schema is applied there too.
        good_lines = valid_text.splitlines()
        good_tls = next(i for i, line in enumerate(good_lines) if "TlsPolicy:" in line)
        hover = client.request(
            "textDocument/hover",
            {
                "textDocument": {"uri": good.as_uri()},
                "position": {"line": good_tls, "character": good_lines[good_tls].index("TlsPolicy") + 2},
            },
            timeout=LSP_TIMEOUT,
        )
        assert client.wait_for(lambda: good.as_uri() in client.diagnostics, LSP_TIMEOUT)
        client.settle(1.0)  # a late publish for either document would show up here
        bad_diags = client.diagnostics[bad.as_uri()]
        good_diags = client.diagnostics[good.as_uri()]
        notifications = list(client.notifications)
    finally:
        exit_code = client.close()

    context = f"bad: {bad_diags}\ngood: {good_diags}\nstderr: {client.stderr[-2000:]}"
    # The schema was accepted: no load problem in any diagnostic or message.
    everything = json.dumps([n for n in notifications if n["method"] != "$/progress"])
    for marker in (
        "Unable to load schema",
        "Problems loading reference",
        "cannot be resolved",
        "can not be resolved",
        "not a valid schema",
        "$schema' keyword",
    ):
        assert marker.lower() not in everything.lower(), f"{marker!r} in {everything[:3000]}"
    messages = [n for n in notifications if n["method"] == "window/showMessage"]
    assert not [m for m in messages if m["params"]["type"] <= 2], messages

    # The bad value: one diagnostic, on its line, on the value.
    assert len(bad_diags) == 1, context
    diag = bad_diags[0]
    assert diag["range"]["start"]["line"] == tls_line, context
    assert diag["range"]["start"]["character"] == tls_col, context
    assert diag["range"]["end"]["character"] == tls_col + len("required"), context
    assert "Require" in diag["message"] and "Optional" in diag["message"], context
    assert diag.get("severity", 1) == 1, context
    assert diag["source"].startswith("yaml-schema:"), context  # the schema's, not the parser's
    assert diag.get("data", {}).get("schemaUri") == [schema_uri], context
    # The same text with the allowed value: nothing.
    assert good_diags == [], context

    text = json.dumps(hover)
    assert "Transport Layer Security" in text, f"hover without the schema's description: {hover}"
    assert exit_code == 0, client.stderr[-2000:]
