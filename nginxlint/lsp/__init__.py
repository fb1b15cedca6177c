"""`nginxlint lsp`: the checks in the editor, over the Language Server
Protocol (pygls, the optional `lsp` extra). answers.py says what a lint
means for one open file (diagnostics, fixes, suppressions, hover text),
linted in the tree trees.py finds for it, parsing only new bytes
(parses.py); scheduling.py decides when a lint runs (debounced, in one
worker thread); server.py speaks the protocol."""
