"""JSON Schemas of the SES API documents this tool understands (runtime access).

The files ``ses.json`` and ``mailmanager.json`` next to this module are generated
from botocore's service models by ``python -m ses_lsp.schema.generate`` (a dev
tool; botocore is not a runtime dependency and is never imported here);
``ses-lsp.json`` (ses-lsp's own documents: simulation scenarios and routing tests) by the
same tool from :data:`ses_lsp.semantics.mail.FIELDS` and :mod:`ses_lsp.semantics.routing`.

Each file is a JSON Schema 2020-12 document: ``$defs`` holds one schema per
botocore shape and ``x-kinds`` maps a document kind such as
``ses:create-receipt-rule`` to the API operation whose input or output it is.
"""

from __future__ import annotations

import functools
import json
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any

_HERE = os.path.dirname(os.path.abspath(__file__))

# The AWS services (generated from botocore), then ses-lsp's own documents (simulation
# scenarios, generated from ses_lsp.semantics.mail), then CloudFormation templates (generated
# from the resource schemas cfn-lint bundles, ses_lsp.cfn).
SERVICES = ("ses", "mailmanager", "ses-lsp", "cloudformation")
SCENARIO_KIND = "ses-lsp:scenario"  # a mail for `ses-lsp simulate` (ses_lsp.semantics.mail)
ROUTING_TEST_KIND = "ses-lsp:routing-test"  # cases for `ses-lsp test` (ses_lsp.semantics.routing)

_REF_PREFIX = "#/$defs/"


@functools.cache
def load_service(name: str) -> dict[str, Any]:
    """The parsed schema document of one service (cached; do not mutate it)."""
    if name not in SERVICES:
        raise KeyError(f"unknown service {name!r}; expected one of {', '.join(SERVICES)}")
    with open(os.path.join(_HERE, f"{name}.json"), encoding="utf-8") as fh:
        return json.load(fh)


@functools.cache
def _kinds() -> dict[str, dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for service in SERVICES:
        doc = load_service(service)
        table = doc["x-kinds"]
        for kind in doc.get("x-kind-order", sorted(table)):
            merged[kind] = table[kind]
    return merged


def kinds() -> dict[str, dict[str, Any]]:
    """All document kinds of all services: ``ses`` first, then ``mailmanager``; within a
    service, inputs then outputs in the generator's fixed order (``x-kind-order``).

    Values are ``{"service", "operation", "direction", "shape", "title",
    "description"}``. Loads every service file.
    """
    return dict(_kinds())


def service_of(kind: str) -> str:
    """``"ses:create-receipt-rule"`` -> ``"ses"`` (KeyError for an unknown service)."""
    service, sep, _ = kind.partition(":")
    if not sep or service not in SERVICES:
        raise KeyError(f"unknown document kind {kind!r}")
    return service


def kind_info(kind: str) -> dict[str, Any]:
    """The ``x-kinds`` entry of ``kind``; loads only that kind's service file."""
    doc = load_service(service_of(kind))
    try:
        return doc["x-kinds"][kind]
    except KeyError:
        raise KeyError(f"unknown document kind {kind!r}") from None


def kind_schema(kind: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(root shape schema, service document)`` for ``kind``.

    The service document is what :func:`resolve` needs to follow ``$ref``\\ s. Only the
    kind's own service file is loaded.
    """
    doc = load_service(service_of(kind))
    info = kind_info(kind)
    return doc["$defs"][info["shape"]], doc


def resolve(service_doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Follow ``schema``'s ``$ref`` (``#/$defs/Name``), if any, to its target.

    Sibling keys of the referring schema (``description``, ``deprecated``, ...) win
    over the target's. Chains of references are followed. A schema without ``$ref``
    is returned unchanged (the same object); otherwise a new dict is returned.
    """
    ref = schema.get("$ref")
    if ref is None:
        return schema
    seen: set[str] = set()
    siblings = {k: v for k, v in schema.items() if k != "$ref"}
    target: dict[str, Any] = schema
    while ref is not None:
        if not isinstance(ref, str) or not ref.startswith(_REF_PREFIX):
            raise ValueError(f"unsupported $ref {ref!r}")
        if ref in seen:
            raise ValueError(f"$ref cycle at {ref!r}")
        seen.add(ref)
        try:
            target = service_doc["$defs"][ref[len(_REF_PREFIX) :]]
        except KeyError:
            raise KeyError(f"unresolvable $ref {ref!r}") from None
        ref = target.get("$ref")
        if ref is not None:
            siblings = {**{k: v for k, v in target.items() if k != "$ref"}, **siblings}
    merged = {k: v for k, v in target.items() if k != "$ref"}
    merged.update(siblings)
    return merged


__all__ = [
    "ROUTING_TEST_KIND",
    "SCENARIO_KIND",
    "SERVICES",
    "kind_info",
    "kind_schema",
    "kinds",
    "load_service",
    "resolve",
    "service_of",
]
