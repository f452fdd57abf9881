from ses_lsp.cli import entry

entry()
