"""`nginxlint lsp`: the checks in the editor, over the Language Server
Protocol (pygls, the optional `lsp` extra). answers.py says what a lint
means for one open file (diagnostics, fixes, suppressions, hover text);
server.py speaks the protocol."""
