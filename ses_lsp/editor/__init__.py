"""Editor features over the lint engine's documents: completion, hover, symbols and navigation
(definitions, references, renames of rule names).

They are not lint: nothing here produces a diagnostic, and ``ses-lsp lint`` never imports this
package.  Like the engine, they work on character offsets and plain results; the language
server (:mod:`ses_lsp.server`) converts positions and LSP types.
"""
