"""What `nginx -t` rejects while reading a config, as checks: directives
where nginx does not accept them or with the wrong number of arguments
(SYN002), block structure nginx refuses (SYN003), a time, size or flag its
slot cannot parse (SYN004), a misspelt stock directive name (SYN005).

The semantics live in semantics/placement.py, structure.py, value_checks.py
and directive_names.py;
here they are only registered like every other check, so the engine has no
rule ids of its own."""
from __future__ import annotations

from ..findings.records import Failure
from ..semantics.directive_names import check_names, suggestion
from ..semantics.placement import check_contexts
from ..semantics.structure import check_structure
from ..semantics.value_checks import check_values
from .view import TreeView


def placement(tree: TreeView) -> list[Failure]:
    return [Failure(p.node, {"actual": p.message}, None) for p in check_contexts(tree.root, tree.effective.version_text)]


def structure(tree: TreeView) -> list[Failure]:
    return [Failure(p.node, {"actual": p.message}, None) for p in check_structure(tree.root)]


def values(tree: TreeView) -> list[Failure]:
    return [Failure(p.node, {"actual": p.message}, None) for p in check_values(tree.root)]


def names(tree: TreeView) -> list[Failure]:
    """`meant`, the stock name the typo is close to, is what SYN005's fix renames it to."""
    return [Failure(p.node, {"actual": p.message, "meant": suggestion(p.node.name) or ""}, None) for p in check_names(tree.root)]
