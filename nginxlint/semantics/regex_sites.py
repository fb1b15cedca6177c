"""Where nginx compiles a regex while reading the configuration, and how.

Each site is handed to ngx_http_regex_compile (ngx_stream_regex_compile in
stream), which fails `nginx -t` with pcre2_compile()'s message and turns
every named group into a variable. The sites, from nginx's source:
- `location ~` / `~*` (ngx_http_core_location; `~*` caseless);
- a `server_name` starting with `~` (ngx_http_core_server_name: caseless only
  when the text has an upper-case letter);
- a `map` key starting with `~` / `~*` (ngx_http_map, ngx_stream_map; a key
  written `\\~` is a literal);
- the operand of `~`, `~*`, `!~`, `!~*` in `if` (ngx_http_rewrite_if_condition);
- the first argument of `rewrite` (ngx_http_rewrite).
A statement with the wrong number of arguments is refused before its regex
is compiled (SYN002 says so), so it has no site here. Patterns are tokens
as written; routing.pcre reads their escapes as nginx does.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from ..reading.tree import Node
from ..routing.pcre import server_name_caseless
from .servers import location_path

_IF_OPERATORS = {"~": False, "!~": False, "~*": True, "!~*": True}
# The statements that can hold a site (map keys aside): most of a tree is
# none of them, and is passed over without a generator started for it.
_SITE_STATEMENTS = frozenset({"location", "server_name", "if", "rewrite"})


class RegexSite(NamedTuple):
    node: Node  # the statement (a map key is its own pseudo-statement)
    pattern: str
    caseless: bool


def sites_among(statements: Iterable[Node]) -> Iterator[RegexSite]:
    """The sites of these statements, in their order."""
    for node in statements:
        if node.context is None or node.name in _SITE_STATEMENTS:
            yield from _sites(node)


def _sites(node: Node) -> Iterator[RegexSite]:
    if node.context is None:
        parent = node.parent
        if parent is not None and parent.name == "map" and node.name.startswith("~"):
            caseless = node.name.startswith("~*")
            yield RegexSite(node, node.name[2 if caseless else 1:], caseless)
        return
    if node.name == "location" and 1 <= len(node.args) <= 2:
        modifier, path = location_path(node)
        if modifier in ("~", "~*"):
            yield RegexSite(node, path, modifier == "~*")
    elif node.name == "server_name":
        for name in node.args:
            if name.startswith("~") and len(name) > 1:
                yield RegexSite(node, name[1:], server_name_caseless(name[1:]))
    elif node.name == "if":
        for operator, operand in zip(node.args, node.args[1:]):
            if operator in _IF_OPERATORS:
                yield RegexSite(node, operand, _IF_OPERATORS[operator])
                break
    elif node.name == "rewrite" and 2 <= len(node.args) <= 3:
        yield RegexSite(node, node.args[0], False)
