"""The checks nginx makes while reading a config, before it runs anything:
is each directive allowed where it stands, with that many arguments, as a
block or not. Each failure is a problem nginx -t would also report."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..reading.tree import Node
from . import directives
from .effective import parse_version


@dataclass(frozen=True, slots=True)
class Rejection:
    """What `nginx -t` would refuse at a node, in nginx's own words (also
    what semantics/structure.py reports)."""

    node: Node
    message: str
    meant: str = ""  # the name it is a typo of, when one (what SYN005's fix renames it to)


# Data blocks whose lines nginx's handler counts (ngx_http_map, ngx_http_geo,
# ngx_http_charset_map and their stream twins, release-1.22.1): a line is a key
# and one value, except the one-word keywords listed. Two lines merged by a
# missing ";" are four words: refused with this message.
DATA_ENTRIES = {
    "map": (frozenset({"hostnames", "volatile"}), "invalid number of the map parameters"),
    "geo": (frozenset({"ranges", "proxy_recursive"}), "invalid number of the geo parameters"),
    "charset_map": (frozenset(), "invalid parameters number"),
}


def check_contexts(statements: Iterable[Node], version: str) -> Iterator[Rejection]:
    """`statements`: every statement of a tree (walk(root))."""
    # A verdict depends on the directive's shape alone, and a tree has few
    # distinct shapes and many statements: each is judged once.
    judged: dict[tuple[str, str, int, bool], str | None] = {}
    for node in statements:
        if node.context is not None:  # None: inside a data block (map, types…)
            shape = (node.name, node.context, len(node.args), node.children is not None)
            message = judged.get(shape, _UNJUDGED)
            if message is _UNJUDGED:
                message = judged[shape] = _verdict(*shape, version)
            if message:
                yield Rejection(node, message)
        elif node.parent is not None and node.parent.name in DATA_ENTRIES and node.children is None:
            keywords, message = DATA_ENTRIES[node.parent.name]
            if len(node.args) != 1 and not (not node.args and node.name in keywords):
                yield Rejection(node, f"{message} (a {node.parent.name} line is a key and one value)")


_UNJUDGED = object()  # not judged yet (None is a verdict: accepted)


def _verdict(name: str, context: str, nargs: int, is_block: bool, version: str) -> str | None:
    """What nginx `version` says about this directive shape here; None when
    it accepts it."""
    if not directives.is_known(name):
        return None  # third-party module: cannot be checked
    spec = directives.spec_for(name, context)
    if spec is None:
        return f'"{name}" directive is not allowed here (in {context})'
    unknown = spec.unknown_in(parse_version(version))
    if unknown:
        return f'unknown directive "{name}" for nginx {version} ({unknown})'
    # In nginx's order (ngx_conf_handler): the ";" or "{" is judged before the number of arguments.
    if spec.block and not is_block:
        return f'directive "{name}" has no opening "{{"'
    if is_block and not spec.block:
        return f'directive "{name}" is not terminated by ";"'
    if not directives.arity_ok(spec.arity, nargs):
        return f'invalid number of arguments in "{name}" directive'
    return None
