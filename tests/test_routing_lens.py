"""The code lenses' count of the rules a mail reaches agrees with the explained trace that the
witness hover reads (ses_lsp.semantics.witness.reaching_recipient), on every rule set of the
examples and golden files, for mails drawn from their constants."""

from __future__ import annotations

import random

import pytest
from test_witness_search import FILES, ROOT, _evaluate, _random_scenarios, _setup

from ses_lsp.editor.routing_lens import _reached
from ses_lsp.semantics.mail import build_mail
from ses_lsp.semantics.witness import reaching_recipient


@pytest.mark.parametrize("path", FILES, ids=[str(p.relative_to(ROOT)) for p in FILES])
def test_reached_rules_agree_with_the_explained_trace(path):
    setup = _setup(path.read_text(encoding="utf-8"), str(path))
    rng = random.Random(str(path.relative_to(ROOT)))
    indexes = [r.index for r in setup.rules]
    for scenario in _random_scenarios(setup, rng, 50):
        trace = _evaluate(setup, scenario)
        explained = {i for i in indexes if reaching_recipient(trace, i) is not None}
        assert _reached(setup, build_mail(scenario)) == explained, scenario
