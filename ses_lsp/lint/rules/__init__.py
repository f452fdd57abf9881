"""Every rule, listed explicitly.  Codes and names are stable: never reuse one.

Code ranges: SES0xx file and engine, SES1xx API shapes (schema), SES2xx names,
SES3xx headers, SES4xx bounces and DSNs, SES5xx flow and reachability, SES6xx
addresses and networks, SES7xx ARNs and references, SES8xx limits, SES9xx
ingress points.
"""

from __future__ import annotations

from ses_lsp.lint.registry import Registry, Rule
from ses_lsp.lint.rules import (
    addresses,
    arns,
    bounces,
    core,
    flow,
    headers,
    ingress,
    limits,
    names,
    schema,
)

ALL_RULES: list[Rule] = [
    *core.RULES,
    *schema.RULES,
    *names.RULES,
    *headers.RULES,
    *bounces.RULES,
    *flow.RULES,
    *addresses.RULES,
    *arns.RULES,
    *limits.RULES,
    *ingress.RULES,
]

REGISTRY = Registry(ALL_RULES)
