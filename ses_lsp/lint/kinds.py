"""Which SES document a file is: from --kind, config globs, a modeline, or its content.

Kind names are ``<service>:<aws-cli-command>``, e.g. ``ses:create-receipt-rule``
(the command's input) or ``ses:describe-receipt-rule-set`` (its output: what
``aws ses describe-receipt-rule-set > x.json`` writes).  The list lives in the
generated schemas (``x-kinds``); this module only recognises content, cheaply
and without loading a schema.
"""

from __future__ import annotations

import functools
import re

from ses_lsp import schema
from ses_lsp.cfn import TEMPLATE_KIND, looks_like_template
from ses_lsp.document.nodes import OBJECT, Node
from ses_lsp.knowledge.actions import CLASSIC_ACTION_TYPES

# Kinds whose schemas the content recogniser can answer (all of them).
MODELINE = r"#\s*ses-lsp:\s*kind\s*=\s*([A-Za-z0-9:_.-]+)"

# Top-level members that only one family of kinds has.
_CLASSIC_RULE_KEYS = frozenset({"Recipients", "Enabled", "ScanEnabled", "TlsPolicy"})
_CLASSIC_ACTION_KEYS = frozenset(CLASSIC_ACTION_TYPES)
_MM_RULE_KEYS = frozenset({"Conditions", "Unless"})
_TRAFFIC_POLICY_KEYS = frozenset(
    {"TrafficPolicyName", "PolicyStatements", "DefaultAction", "MaxMessageSizeBytes", "TrafficPolicyArn"}
)
# Mail Manager address lists, relays and archives: (members only they have, members only their
# get-* output has, (create, update, get) kinds, the member naming the resource in an update).
# An address list has no update document: its id is in the get-* output only.
_PIPELINE_RESOURCES = (
    (
        frozenset({"AddressListName", "AddressListId", "AddressListArn"}),
        frozenset({"AddressListId", "AddressListArn", "CreatedTimestamp", "LastUpdatedTimestamp"}),
        ("mailmanager:create-address-list", None, "mailmanager:get-address-list"),
        None,
    ),
    (
        frozenset({"RelayName", "RelayId", "RelayArn", "ServerName", "ServerPort", "Authentication"}),
        frozenset({"RelayArn", "CreatedTimestamp", "LastModifiedTimestamp"}),
        ("mailmanager:create-relay", "mailmanager:update-relay", "mailmanager:get-relay"),
        "RelayId",
    ),
    (
        frozenset({"ArchiveName", "ArchiveId", "ArchiveArn", "ArchiveState", "Retention"}),
        frozenset({"ArchiveArn", "ArchiveState", "CreatedTimestamp", "LastUpdatedTimestamp"}),
        ("mailmanager:create-archive", "mailmanager:update-archive", "mailmanager:get-archive"),
        "ArchiveId",
    ),
)
# Scenario members that other documents have too (see _looks_like_scenario).
_SHARED_SCENARIO_MEMBERS = frozenset({"Recipients", "Headers", "Size", "Message"})


def all_kinds() -> dict[str, dict]:
    return schema.kinds()


def kind_info(kind: str) -> dict | None:
    """The kind's description from its service's schema, or None (loads only that service)."""
    try:
        return schema.kind_info(kind)
    except KeyError:
        return None


def resolve_kind_name(name: str) -> str | None:
    """A full kind name for ``name`` (with or without the service prefix)."""
    if ":" in name:
        return name if kind_info(name) is not None else None
    kinds = all_kinds()
    if name in kinds:
        return name
    matches = [k for k in kinds if k.split(":", 1)[1] == name]
    return matches[0] if len(matches) == 1 else None


def modeline_kind(comments: dict[int, str], max_line: int = 10) -> tuple[str, int] | None:
    """(kind text, line) of a ``# ses-lsp: kind=...`` comment in the first lines."""
    for line in sorted(comments):
        if line > max_line:
            break
        comment = comments[line]
        m = re.search(MODELINE, comment) if "ses-lsp" in comment else None
        if m:
            return m.group(1), line
    return None


def _looks_classic_rules(rules: Node) -> bool | None:
    """True: classic receipt rules; False: Mail Manager rules; None: can't tell."""
    if rules.kind != "array":
        return None
    for rule in rules.list_value:
        if rule.kind != OBJECT:
            continue
        keys = set(rule.dict_value)
        if keys & _CLASSIC_RULE_KEYS:
            return True
        if keys & _MM_RULE_KEYS:
            return False
        actions = rule.get("Actions")
        if actions is not None and actions.kind == "array":
            for act in actions.list_value:
                if act.kind == OBJECT:
                    akeys = set(act.dict_value)
                    if akeys & _CLASSIC_ACTION_KEYS:
                        return True
                    if akeys:
                        return False
    return None


def detect_kind(root: Node | None) -> str | None:
    """The kind a document's top-level members say it is, or ``None``."""
    if root is None or root.kind != OBJECT:
        return None
    keys = set(root.dict_value)
    if not keys:
        return None
    if ("AWSTemplateFormatVersion" in keys or "Resources" in keys) and looks_like_template(root):
        return TEMPLATE_KIND
    has = keys.__contains__

    # SES classic
    if has("Rule"):
        if has("RuleSetName") or has("After"):
            return "ses:create-receipt-rule"
        return "ses:describe-receipt-rule"
    if has("Filter"):
        return "ses:create-receipt-filter"
    if has("Filters"):
        return "ses:list-receipt-filters"
    if has("BouncedRecipientInfoList") or has("OriginalMessageId") or has("BounceSender"):
        return "ses:send-bounce"
    if has("RuleSets") and not has("Rules"):
        return "ses:list-receipt-rule-sets"
    if has("OriginalRuleSetName"):
        return "ses:clone-receipt-rule-set"
    if has("RuleNames"):
        return "ses:reorder-receipt-rule-set"
    # Mail Manager traffic policies
    if keys & _TRAFFIC_POLICY_KEYS:
        if keys & {"TrafficPolicyArn", "CreatedTimestamp", "LastUpdatedTimestamp"}:
            return "mailmanager:get-traffic-policy"
        if has("TrafficPolicyId"):
            return "mailmanager:update-traffic-policy"
        return "mailmanager:create-traffic-policy"
    # Mail Manager address lists, relays and archives
    for own, output_only, (create, update, get), id_member in _PIPELINE_RESOURCES:
        if keys & own:
            if keys & output_only:
                return get
            if id_member is not None and has(id_member):
                return update
            return create
    # Mail Manager ingress points
    if has("IngressPoints"):
        return "mailmanager:list-ingress-points"
    if has("IngressPointId") or has("StatusToUpdate"):
        if keys & {"Status", "ARecord", "IngressPointArn", "CreatedTimestamp", "LastUpdatedTimestamp"}:
            return "mailmanager:get-ingress-point"
        return "mailmanager:update-ingress-point"
    if has("IngressPointName") or (has("TrafficPolicyId") and has("Type")):
        return "mailmanager:create-ingress-point"
    # Rule sets: classic describe output vs Mail Manager input/output
    if has("Rules") or has("Metadata"):
        if has("Metadata"):
            return "ses:describe-receipt-rule-set"
        if has("RuleSetId"):
            if keys & {"RuleSetArn", "CreatedDate", "LastModificationDate"}:
                return "mailmanager:get-rule-set"
            return "mailmanager:update-rule-set"
        rules = root.get("Rules")
        classic = _looks_classic_rules(rules) if rules is not None else None
        if has("RuleSetName"):
            return "mailmanager:create-rule-set"
        if classic is True:
            return "ses:describe-receipt-rule-set"
        if classic is False:
            return "mailmanager:create-rule-set"
        return None
    if has("RuleSetId") and has("RuleSetName"):
        return "mailmanager:update-rule-set"
    if has("RuleSetName"):
        if has("RuleName"):
            return "ses:set-receipt-rule-position" if has("After") else "ses:delete-receipt-rule"
        return "ses:create-receipt-rule-set"
    if has("FilterName"):
        return "ses:delete-receipt-filter"
    if has("Cases") and (has("RuleFiles") or keys <= _members(schema.ROUTING_TEST_KIND)):
        return schema.ROUTING_TEST_KIND
    if _looks_like_scenario(keys):
        return schema.SCENARIO_KIND
    return None


def _looks_like_scenario(keys: set[str]) -> bool:
    """A simulation scenario (``ses-lsp:scenario``): a member only scenarios have, or nothing but
    scenario members (the member list is the kind's schema, made from ses_lsp.semantics.mail)."""
    members = _scenario_members()
    return bool(keys & (members - _SHARED_SCENARIO_MEMBERS)) or keys <= members


def _scenario_members() -> frozenset[str]:
    return _members(schema.SCENARIO_KIND)


@functools.cache
def _members(kind: str) -> frozenset[str]:
    """The top-level members of one of ses-lsp's own kinds (from its schema)."""
    doc = schema.load_service(schema.service_of(kind))
    shape = doc["x-kinds"][kind]["shape"]
    return frozenset(doc["$defs"][shape]["properties"])
