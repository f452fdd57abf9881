"""ses-lsp: a linter and language server for Amazon SES email-receiving rules."""

__version__ = "0.1.0"
