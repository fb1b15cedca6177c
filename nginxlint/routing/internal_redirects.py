"""Internal redirects that may follow the choice of a location: try_files'
fallback, index files, error_page (ngx_http_core_try_files_phase,
ngx_http_index_handler, ngx_http_special_response_handler).

Whether they happen depends on the server's filesystem or on the backend's
answer, which routing cannot see; so they are told ("then, when no file
matches, redirected internally to /index.php (location ~ \\.php$)"), not
followed: the chosen location stays the one a report names.
"""
from __future__ import annotations

from ..reading.tree import Node
from ..semantics.effective import Effective
from ..semantics.in_force import block_label
from .location_select import find_location
from .request_variables import RequestVariables


def internal_redirects(effective: Effective, tree, block: Node, status: int | None,
                       variables: RequestVariables) -> tuple[str, ...]:
    """What may send the request to another URI after `block` (the chosen
    location, or the server) took it with `status` (None: its content handler)."""
    told = []
    if status is None:
        try_files = next((c for c in block.children or () if c.name == "try_files" and len(c.args) >= 2), None)
        if try_files is not None:
            fallback = try_files.args[-1]
            told.append(f"when no file of try_files matches ({try_files.file}:{try_files.line}): "
                        + _fallback(fallback, tree, variables))
        elif effective.handler(block) is None and variables.uri.endswith(b"/"):
            index = effective.get(block, "index")
            names = index.value if index is not None else "index.html"
            told.append(f"when an index file ({names}) exists: redirected internally to "
                        f"{variables.uri.decode('utf-8', 'replace')}<index file>")
    elif status >= 400:
        pages = effective.get(block, "error_page")
        for node in pages.nodes if pages is not None else ():
            codes = [a for a in node.args[:-1] if a.isdigit()]
            if str(status) in codes:
                told.append(f"error_page {' '.join(node.args)} ({node.file}:{node.line}): "
                            + _fallback(node.args[-1], tree, variables))
                break
    return tuple(told)


def _fallback(target: str, tree, variables: RequestVariables) -> str:
    if target.startswith("="):
        return f"answers {target[1:]}"
    if target.startswith("@"):
        return f"named location {target}"
    value = variables.value(target)
    if value is None or not value.startswith("/"):
        return f"redirected internally to {target}"
    _, chain, _ = find_location(tree, value.partition("?")[0].encode("utf-8", "surrogateescape"))
    where = f" ({block_label(chain[-1].node)}, {chain[-1].node.file}:{chain[-1].node.line})" if chain else ""
    return f"redirected internally to {value}{where}"
