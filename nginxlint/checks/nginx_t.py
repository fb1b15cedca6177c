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
rule ids of its own. Each is reported where nginx reports it (Node.nginx_line:
the line of the ";" or "{" that ends the statement's words); when that is not
the statement's first line, the message and `related` name where it began,
which for two statements merged by a missing ";" is where the ";" is missing."""
from __future__ import annotations

from collections.abc import Iterable

from ..findings.records import Failure, Related
from ..routing.pcre import compile_error
from ..semantics import directives
from ..semantics.directive_names import check_names
from ..semantics.listen_conflicts import check_listen_conflicts
from ..semantics.log_args import unknown_log_formats
from ..semantics.placement import Rejection, check_contexts
from ..semantics.servers import http_servers
from ..semantics.structure import check_structure
from ..semantics.value_checks import check_values
from ..semantics.variable_names import unknown_variables
from ..semantics.whole_config import certificates_without_keys, missing_certificates, missing_events
from .view import TreeView


def placement(tree: TreeView) -> list[Failure]:
    return _failures(check_contexts(tree.every_statement, tree.effective.version_text))


def structure(tree: TreeView) -> list[Failure]:
    return _failures(check_structure(tree.root, tree.every_statement))


def values(tree: TreeView) -> list[Failure]:
    found = _failures(check_values(tree.every_statement, tree.effective.version_text))
    return found + _failures(unknown_log_formats(tree.every_statement)) if tree.whole else found  # a format may be defined unseen


def names(tree: TreeView) -> list[Failure]:
    return _failures(check_names(tree.root, tree.every_statement, tree.declared_directives))


def listen_conflicts(tree: TreeView) -> list[Failure]:
    return _failures(check_listen_conflicts(tree.servers))


def certificates(tree: TreeView) -> list[Failure]:
    if not tree.whole:
        return []
    return _failures([*missing_certificates(tree.servers, tree.effective), *certificates_without_keys(http_servers([tree.root]), tree.effective)])


def events(tree: TreeView) -> list[Failure]:
    return _failures(missing_events(tree.root)) if tree.whole else []


def variables(tree: TreeView) -> list[Failure]:
    if not tree.whole:
        return []  # a file not read may define the variable
    return _failures(unknown_variables(tree.root, tree.every_statement, tree.regex_sites, tree.effective.version_text,
                                        tree.elsewhere))


def regexes(tree: TreeView) -> list[Failure]:
    return _failures(Rejection(site.node, error.nginx_text(site.pattern)) for site in tree.regex_sites
                     if (error := compile_error(site.pattern, site.caseless)) is not None)


def _failures(rejections: Iterable[Rejection]) -> list[Failure]:
    return [rejected(r) for r in rejections]


def rejected(problem: Rejection) -> Failure:
    """A Failure at the line nginx names for `problem`."""
    node = problem.node
    line = node.nginx_line
    fields = {"actual": problem.message, "meant": problem.meant}
    if line == node.line:
        return Failure(node, fields, None)
    began = f'"{node.name}" begins on line {node.line}'
    # A directive's name among the arguments: the next statement, read into this one.
    merged = any(directives.is_known(arg) for arg in node.args)
    hint = '; a missing ";" there joins two statements?' if merged else ""
    return Failure(node, fields | {"actual": f"{problem.message} ({began}{hint})"}, None,
                   (Related(node.file, node.line, began),), line=line)
