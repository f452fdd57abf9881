"""Configuration: editor settings as a Config (validated as a config file is) merged over the
file's configuration, with real config files and the real engine."""

from __future__ import annotations

import pytest

from ses_lsp.lint.config import (
    SETTINGS_SOURCE,
    Config,
    ConfigError,
    config_for,
    config_from_mapping,
    merged,
    settings_config,
)
from ses_lsp.lint.diagnostics import Severity
from ses_lsp.lint.engine import lint_text

# A create-receipt-rule input with one error: SES104 (TlsPolicy is "Require" or "Optional").
RULE_YAML = "RuleSetName: inbound\nRule: {Name: store, Enabled: true, TlsPolicy: required, Actions: []}\n"
# A rule without its envelope: no kind can be told from content.
BARE_RULE = "Name: store\nEnabled: true\nTlsPolicy: required\nActions: []\n"


def codes(result) -> list[str]:
    return [d.code for d in result.diagnostics]


def severity_of(result, code: str) -> Severity:
    return next(d.severity for d in result.diagnostics if d.code == code)


@pytest.mark.parametrize(
    "table",
    [
        {"selct": ["SES1"]},
        {"select": ["NOPE999"]},
        {"ignore": "SES104", "severity": {"SES104": "loud"}},
        {"kinds": {"*.yaml": "ses:no-such-kind"}},
        {"region": "Frankfurt"},
        {"per-file-ignores": {"a/*.yaml": [1]}},
        {"fail-on": "never"},
    ],
)
def test_settings_are_validated_with_the_config_files_messages(tmp_path, table):
    """The same table gives the same error from a config file and from editor settings; only
    the source named at its start differs."""
    path = str(tmp_path / ".ses-lsp.toml")
    with pytest.raises(ConfigError) as from_file:
        config_from_mapping(table, source=path, root=str(tmp_path))
    with pytest.raises(ConfigError) as from_settings:
        settings_config(table, str(tmp_path))
    assert str(from_file.value).startswith(path + ": ")
    assert str(from_settings.value).startswith(SETTINGS_SOURCE + ": ")
    assert str(from_settings.value)[len(SETTINGS_SOURCE) :] == str(from_file.value)[len(path) :]


def test_settings_replace_or_extend_the_files_lists(tmp_path):
    (tmp_path / ".ses-lsp.toml").write_text('ignore = ["SES104"]\nselect = ["SES1", "SES2"]\n')
    base = config_for(str(tmp_path / "rules.yaml"))
    assert base.ignore == ("SES104",)
    assert merged(base, settings_config({"ignore": ["SES113"]}, None)).ignore == ("SES113",)
    assert merged(base, settings_config({"extend-ignore": ["SES113"]}, None)).ignore == ("SES104", "SES113")
    assert merged(base, settings_config({"select": ["SES5"]}, None)).select == ("SES5",)
    assert merged(base, settings_config({"extend-select": ["SES5"]}, None)).select == ("SES1", "SES2", "SES5")
    # keys the settings do not give keep the file's values
    assert merged(base, settings_config({"region": "eu-west-1"}, None)) == Config(
        select=base.select, ignore=base.ignore, region="eu-west-1", root=base.root, source=base.source, given=base.given
    )
    path = str(tmp_path / "rules.yaml")
    assert "SES104" not in codes(lint_text(RULE_YAML, path, config=base))
    over = merged(base, settings_config({"ignore": []}, None))
    assert "SES104" in codes(lint_text(RULE_YAML, path, config=over))


def test_setting_severities_override_the_files_per_code(tmp_path):
    (tmp_path / ".ses-lsp.toml").write_text('severity = { SES104 = "info", SES113 = "error" }\n')
    path = str(tmp_path / "rules.yaml")
    base = config_for(path)
    assert severity_of(lint_text(RULE_YAML, path, config=base), "SES104") == Severity.INFO
    over = merged(base, settings_config({"severity": {"invalid-enum-value": "warning"}}, None))
    assert severity_of(lint_text(RULE_YAML, path, config=over), "SES104") == Severity.WARNING
    assert dict(over.severity)["SES113"] == "error"


def test_kinds_from_settings_are_relative_to_the_workspace_and_tried_first(tmp_path):
    """The file's globs are relative to its directory, the settings' to the workspace folder
    (the same pattern means different files), and the settings' are tried first."""
    project = tmp_path / "project"
    (project / "rules").mkdir(parents=True)
    (project / ".ses-lsp.toml").write_text('[kinds]\n"rules/*.yaml" = "ses:update-receipt-rule"\n')
    inside = str(project / "rules" / "a.yaml")
    base = config_for(inside)
    assert base.kind_for(inside) == "ses:update-receipt-rule"
    # the workspace is tmp_path: "rules/*.yaml" does not reach project/rules/a.yaml from there
    over = merged(base, settings_config({"kinds": {"rules/*.yaml": "ses:create-receipt-rule"}}, str(tmp_path)))
    assert over.kind_for(inside) == "ses:update-receipt-rule"
    over = merged(base, settings_config({"kinds": {"project/rules/*.yaml": "create-receipt-rule"}}, str(tmp_path)))
    assert over.kind_for(inside) == "ses:create-receipt-rule"
    result = lint_text(BARE_RULE, inside, config=over)
    assert result.kind == "ses:create-receipt-rule" and result.kind_source == "config"
    # without a workspace folder the settings' globs match the file name
    over = merged(base, settings_config({"kinds": {"a.yaml": "ses:describe-receipt-rule"}}, None))
    assert over.kind_for(inside) == "ses:describe-receipt-rule"
    assert over.kind_for(str(project / "rules" / "b.yaml")) == "ses:update-receipt-rule"


def test_per_file_ignores_from_settings_are_relative_to_the_workspace(tmp_path):
    (tmp_path / "legacy").mkdir()
    path = str(tmp_path / "legacy" / "a.yaml")
    base = config_for(path)
    over = merged(base, settings_config({"per-file-ignores": {"legacy/*.yaml": ["SES104"]}}, str(tmp_path)))
    assert "SES104" not in codes(lint_text(RULE_YAML, path, config=over))
    assert "SES104" in codes(lint_text(RULE_YAML, str(tmp_path / "new.yaml"), config=over))


def test_merging_empty_settings_keeps_the_files_config(tmp_path):
    (tmp_path / ".ses-lsp.toml").write_text('ignore = ["SES104"]\n')
    base = config_for(str(tmp_path / "x.yaml"))
    assert merged(base, settings_config({}, str(tmp_path))) is base
