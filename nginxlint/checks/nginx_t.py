"""What `nginx -t` rejects while reading a config, as checks: directives
where nginx does not accept them or with the wrong number of arguments
(SYN002), block structure nginx refuses (SYN003), a time, size or flag its
slot cannot parse (SYN004), a misspelt stock directive name (SYN005), a
variable no module or directive makes (SYN006), a regex nginx's PCRE2
refuses (SYN007).

The semantics live in semantics/placement.py, structure.py, value_checks.py,
directive_names.py, variable_names.py and regex_sites.py (with routing/pcre.py);
here they are only registered like every other check, so the engine has no
rule ids of its own."""
from __future__ import annotations

from ..findings.records import Failure
from ..routing.pcre import compile_error
from ..semantics.directive_names import check_names
from ..semantics.placement import check_contexts
from ..semantics.regex_sites import regex_sites
from ..semantics.structure import check_structure
from ..semantics.value_checks import check_values
from ..semantics.variable_names import unknown_variables
from .view import TreeView


def placement(tree: TreeView) -> list[Failure]:
    return [Failure(p.node, {"actual": p.message}, None) for p in check_contexts(tree.root, tree.effective.version_text)]


def structure(tree: TreeView) -> list[Failure]:
    return [Failure(p.node, {"actual": p.message}, None) for p in check_structure(tree.root)]


def values(tree: TreeView) -> list[Failure]:
    return [Failure(p.node, {"actual": p.message}, None) for p in check_values(tree.root)]


def names(tree: TreeView) -> list[Failure]:
    return [Failure(p.node, {"actual": p.message}, None) for p in check_names(tree.root)]


def variables(tree: TreeView) -> list[Failure]:
    if not tree.includes_read:
        return []  # a file not read may define the variable
    return [Failure(u.node, {"actual": u.message}, None)
            for u in unknown_variables(tree.root, tree.effective.version_text)]


def regexes(tree: TreeView) -> list[Failure]:
    failures = []
    for site in regex_sites(tree.root):
        error = compile_error(site.pattern, site.caseless)
        if error is not None:
            failures.append(Failure(site.node, {"actual": error.nginx_text(site.pattern)}, None))
    return failures
