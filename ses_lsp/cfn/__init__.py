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
