"""What ses-lsp knows about SES, AWS and the Internet standards mail rests on: one home each.

The rule families (``ses_lsp.lint.rules``) hold rules: what to report, where, and how
to say it.  The grammars and tables several of them (and the semantic models in
``ses_lsp.semantics``) rely on live here, each in one module that cites its public
sources:

* :mod:`~ses_lsp.knowledge.addresses`: the email-address and domain grammar (RFC 5321,
  RFC 6531 for international addresses) and what a verified domain identity covers;
* :mod:`~ses_lsp.knowledge.smtp`: SMTP reply codes (RFC 5321), enhanced status codes
  (RFC 3463) and the fields of a delivery status notification (RFC 3464);
* :mod:`~ses_lsp.knowledge.timestamps`: the timestamps the AWS CLI accepts, and the clock;
* :mod:`~ses_lsp.knowledge.arns`: ARNs, partitions, Regions, account IDs and the ARN
  each SES target field takes;
* :mod:`~ses_lsp.knowledge.networks`: the IP address and CIDR notation SES accepts;
* :mod:`~ses_lsp.knowledge.pem`: PEM-encoded certificates and CRLs (a Mail Manager
  trust store), decoded with ``cryptography`` when it is installed.

Template placeholders (``${Var}``, ``{{var}}``, ...) have their home in
:mod:`ses_lsp.lint.text` with the other text helpers.

Modules here are pure functions and tables over strings: they read no document tree
and report nothing.  They import only the standard library and :mod:`ses_lsp.lint.text`
at module level; heavier libraries (netaddr, cryptography, datetime) are imported where
used, so a rule family pays only for what its checks call.
"""
