"""CloudFormation and SAM templates (``cdk synth`` output included): the SES receiving resources in them.

* :mod:`ses_lsp.cfn.template`: which document is a template, and the template's model (its
  parameters, conditions, mappings and resources; intrinsic functions in both forms);
* :mod:`ses_lsp.cfn.mapping`: the one table saying how each SES resource type's Properties map
  onto an API document kind (whose schema and semantic rules then apply);
* :mod:`ses_lsp.cfn.view`: a resource's Properties as the API document CloudFormation sends,
  with the intrinsic functions the template makes certain resolved (exact positions kept);
* :mod:`ses_lsp.cfn.ruleset`: the classic rule sets spread over ``ReceiptRule`` resources,
  their order rebuilt from the ``After`` chains;
* :mod:`ses_lsp.cfn.lint`: the lint of a template (called by the engine for the
  ``cloudformation:template`` kind).

Every other resource type is cfn-lint's business: never a diagnostic on it.
"""

from __future__ import annotations

from ses_lsp.document.nodes import OBJECT, STRING, Node

# Recognising a template is part of detecting every document's kind, so it lives here, apart
# from the template model (ses_lsp.cfn.template), which only templates load.

#: The document kind of templates (the x-kinds entry of ses_lsp/schema/cloudformation.json).
TEMPLATE_KIND = "cloudformation:template"


def looks_like_template(root: Node | None) -> bool:
    """Is this document a CloudFormation (or SAM) template?"""
    if root is None or root.kind != OBJECT:
        return False
    values = root.dict_value
    if "AWSTemplateFormatVersion" in values:
        return True
    resources = values.get("Resources")
    if resources is None or resources.kind != OBJECT:
        return False
    for res in resources.dict_value.values():
        if res.kind == OBJECT:
            type_node = res.dict_value.get("Type")
            if type_node is not None and type_node.kind == STRING and type_node.str_value.startswith("AWS::"):
                return True
    return False
