"""What a worker process sends back (ses_lsp.lint.runner._lint_chunk) is what the parent reads
(_records): marshal for plain records, pickle for a record marshal cannot write."""

from __future__ import annotations

from ses_lsp.lint import runner as runner_mod
from ses_lsp.lint.config import Config

NOISY = b"""{
  "Rules": [
    {"Name": "r", "Enabled": true, "Recipients": ["example.com", "a@example.com", "b@example.com"],
     "Actions": [{"StopAction": {"Scope": "RuleSet"}}]}
  ]
}
"""


def items(n: int) -> list[tuple]:
    config = Config(root=".")
    return [(NOISY, f"set-{i}.json", config, None, True) for i in range(n)]


def test_a_chunk_of_records_comes_back_as_linted():
    chunk = items(3)
    expected = [runner_mod.lint_one(*item) for item in chunk]
    assert any(rec["diagnostics"] for rec in expected)  # (records with diagnostics, fixes, related)
    data = runner_mod._lint_chunk(chunk)
    assert data[:1] == b"m"
    back = runner_mod._records(data)
    assert back == expected
    assert repr(back) == repr(expected)  # the same types too (lists stay lists)


class Label(str):
    """A value of a type marshal does not write (a str subclass)."""


def test_a_record_marshal_cannot_write_is_pickled(monkeypatch):
    real = runner_mod.lint_one

    def lint_one(*args):
        record = real(*args)
        record["kind"] = Label(record["kind"])
        return record

    monkeypatch.setattr(runner_mod, "lint_one", lint_one)
    chunk = items(2)
    data = runner_mod._lint_chunk(chunk)
    assert data[:1] == b"p"
    assert runner_mod._records(data) == [lint_one(*item) for item in chunk]
