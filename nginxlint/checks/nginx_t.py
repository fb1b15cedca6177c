"""What `nginx -t` rejects while reading a config, as checks: directives
where nginx does not accept them or with the wrong number of arguments
(SYN002), block structure nginx refuses (SYN003), a value its slot or
handler cannot read (SYN004), a misspelt stock directive name (SYN005),
a variable no module or directive makes (SYN006), a regex nginx's PCRE2
refuses (SYN007), listens that clash on one socket (SYN010); in a whole
config only, a TLS listen without a certificate (SYN009) and no events
block (SYN011).

The semantics live in semantics/placement.py, structure.py, value_checks.py,
directive_names.py, variable_names.py, regex_sites.py (with routing/pcre.py),
listen_conflicts.py and whole_config.py;
here they are only registered like every other check, so the engine has no
rule ids of its own."""
from __future__ import annotations

from collections.abc import Iterable

from ..findings.records import Failure
from ..routing.pcre import compile_error
from ..semantics.directive_names import check_names
from ..semantics.listen_conflicts import check_listen_conflicts
from ..semantics.placement import Rejection, check_contexts
from ..semantics.regex_sites import regex_sites
from ..semantics.structure import check_structure
from ..semantics.value_checks import check_values
from ..semantics.variable_names import UnknownVariable, unknown_variables
from ..semantics.whole_config import missing_certificates, missing_events
from .view import TreeView


def placement(tree: TreeView) -> list[Failure]:
    return _failures(check_contexts(tree.root, tree.effective.version_text))


def structure(tree: TreeView) -> list[Failure]:
    return _failures(check_structure(tree.root))


def values(tree: TreeView) -> list[Failure]:
    return _failures(check_values(tree.root, tree.effective.version_text))


def names(tree: TreeView) -> list[Failure]:
    return _failures(check_names(tree.root, tree.declared_directives))


def listen_conflicts(tree: TreeView) -> list[Failure]:
    return _failures(check_listen_conflicts(tree.servers))


def certificates(tree: TreeView) -> list[Failure]:
    return _failures(missing_certificates(tree.servers, tree.effective)) if tree.whole else []


def events(tree: TreeView) -> list[Failure]:
    return _failures(missing_events(tree.root)) if tree.whole else []


def variables(tree: TreeView) -> list[Failure]:
    if not tree.whole:
        return []  # a file not read may define the variable
    return _failures(unknown_variables(tree.root, tree.effective.version_text))


def regexes(tree: TreeView) -> list[Failure]:
    failures = []
    for site in regex_sites(tree.root):
        error = compile_error(site.pattern, site.caseless)
        if error is not None:
            failures.append(Failure(site.node, {"actual": error.nginx_text(site.pattern)}, None))
    return failures


def _failures(rejections: Iterable[Rejection | UnknownVariable]) -> list[Failure]:
    return [Failure(r.node, {"actual": r.message}, None) for r in rejections]
