"""What `nginx -t` rejects while reading a config, as checks: directives
where nginx does not accept them or with the wrong number of arguments
(SYN002), block structure nginx refuses (SYN003), a time, size or flag its
slot cannot parse (SYN004), a misspelt stock directive name (SYN005).

The semantics live in semantics/placement.py, structure.py, value_checks.py
and directive_names.py;
here they are only registered like every other check, so the engine has no
rule ids of its own. Each is reported where nginx reports it (Node.nginx_line:
the line of the ";" or "{" that ends the statement's words); when that is not
the statement's first line, the message and `related` name where it began,
which for two statements merged by a missing ";" is where the ";" is missing."""
from __future__ import annotations

from ..findings.records import Failure, Related
from ..semantics.directive_names import check_names
from ..semantics.placement import Rejection, check_contexts
from ..semantics.structure import check_structure
from ..semantics.value_checks import check_values
from .view import TreeView


def placement(tree: TreeView) -> list[Failure]:
    return [rejected(p) for p in check_contexts(tree.root, tree.effective.version_text)]


def structure(tree: TreeView) -> list[Failure]:
    return [rejected(p) for p in check_structure(tree.root)]


def values(tree: TreeView) -> list[Failure]:
    return [rejected(p) for p in check_values(tree.root)]


def names(tree: TreeView) -> list[Failure]:
    return [rejected(p) for p in check_names(tree.root)]


def rejected(problem: Rejection) -> Failure:
    """A Failure at the line nginx names for `problem`."""
    node = problem.node
    line = node.nginx_line
    if line == node.line:
        return Failure(node, {"actual": problem.message}, None)
    began = f'"{node.name}" begins on line {node.line}'
    return Failure(node, {"actual": f'{problem.message} ({began}; a missing ";" there joins two statements?)'}, None,
                   (Related(node.file, node.line, began),), line=line)
