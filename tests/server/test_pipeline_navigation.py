"""Go-to-definition across the Mail Manager pipeline, over the real server: from an ingress point's
RuleSetId to the rule set file open beside it (the repository model's pipeline rows,
ses_lsp.lint.repository.NAME_SITES; a file never opened: tests/server/test_server_repository.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsprotocol import types as T

from tests.server.test_server import pos_of, uri_for

pytestmark = pytest.mark.asyncio

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "mailmanager" / "pipeline"


async def test_the_server_goes_to_the_definition_in_another_open_document(session, tmp_path):

    await session.init(root=tmp_path.as_uri())
    texts = {name: (EXAMPLE / name).read_text(encoding="utf-8") for name in ("ingress-point.yaml", "rule-set.yaml")}
    for name, text in texts.items():
        session.open(uri_for(tmp_path, name), text, "yaml")
    ingress = uri_for(tmp_path, "ingress-point.yaml")
    await session.diagnostics(ingress, 1)
    loc = await session.client.text_document_definition_async(
        T.DefinitionParams(T.TextDocumentIdentifier(ingress), pos_of(texts["ingress-point.yaml"], "rs-0123", 3))
    )
    assert loc is not None and len(loc) == 1
    assert loc[0].uri == uri_for(tmp_path, "rule-set.yaml")
    start = pos_of(texts["rule-set.yaml"], "rs-0123456789abcdef")
    assert loc[0].range == T.Range(start, T.Position(start.line, start.character + len("rs-0123456789abcdef")))
