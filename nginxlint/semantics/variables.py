"""Evaluate a directive value for a given request, through `map` blocks.

`proxy_set_header Connection $connection_upgrade` is only right if the map
behind `$connection_upgrade` yields `upgrade` for a request that carries an
Upgrade header. We evaluate the map the way nginx does (semantics §3.7):
exact keys (case-insensitive), then regexes in file order (with nginx's
PCRE2, routing.pcre), then `default`.
A variable we cannot know (not a map, not a request header we were given)
makes the result unknown: a fragment linted alone often uses maps defined in
another file, and "unknown" must not be reported as "wrong" (§1.4).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ..reading.tree import Node, walk
from ..routing.pcre import compile_pcre

# ngx_http_script_compile's grammar: `$name` or `${name}`, names of ASCII
# letters, digits and `_` (variable_names reads the same references).
VARIABLE = re.compile(r"\$(?:\{([A-Za-z0-9_]*)\}?|([A-Za-z0-9_]+))")
_MAX_DEPTH = 16


class MapIndex:
    """Every `map` result variable of the loaded trees; the last definition
    wins, as in nginx (semantics §1.4)."""

    def __init__(self, maps: Iterable[Node]):
        """`maps`: the map blocks, in configuration order (Config.maps, or map_blocks)."""
        self._maps: dict[str, Node] = {}
        for node in maps:
            if node.children is not None and len(node.args) == 2:
                self._maps[node.args[1].lstrip("$").lower()] = node

    def get(self, variable: str) -> Node | None:
        return self._maps.get(variable.lower())


def map_blocks(roots: list[Node]) -> Iterator[Node]:
    """The map blocks of `roots`, in configuration order."""
    return (node for root in roots for node in walk(root) if node.name == "map")


def request_variables(headers: dict[str, str]) -> dict[str, str]:
    """$http_* variables for a request carrying `headers`."""
    return {"http_" + name.lower().replace("-", "_"): value for name, value in headers.items()}


def evaluate(value: str, known: dict[str, str], maps: MapIndex, depth: int = 0) -> str | None:
    """The value after variable substitution, or None if any part is unknown.

    A `$http_*` header is known only when `known` gives it; callers that
    model a request without some header pass it as "" (nginx's value).
    """
    if depth > _MAX_DEPTH:
        return None
    parts: list[str] = []
    pos = 0
    for match in VARIABLE.finditer(value):
        parts.append(value[pos:match.start()])
        name = (match.group(1) if match.group(1) is not None else match.group(2)).lower()
        if not name:
            return None
        resolved = _variable(name, known, maps, depth)
        if resolved is None:
            return None
        parts.append(resolved)
        pos = match.end()
    parts.append(value[pos:])
    return "".join(parts)


def _variable(name: str, known: dict[str, str], maps: MapIndex, depth: int) -> str | None:
    if name in known:
        return known[name]
    block = maps.get(name)
    if block is not None:
        source = evaluate(block.args[0], known, maps, depth + 1)
        return None if source is None else _map_lookup(block, source, known, maps, depth)
    return None  # a request header not given, or a variable only nginx knows at run time


def _map_lookup(block: Node, source: str, known: dict[str, str], maps: MapIndex, depth: int) -> str | None:
    default = ""
    regexes: list[tuple[str, str]] = []
    for entry in block.children or ():
        if entry.name in ("hostnames", "volatile"):
            continue
        result = entry.args[0] if entry.args else ""
        if entry.name == "default":
            default = result
        elif entry.name.startswith("~"):
            regexes.append((entry.name, result))
        elif entry.name.lstrip("\\").lower() == source.lower():
            return evaluate(result, known, maps, depth + 1)
    for pattern, result in regexes:
        caseless = pattern.startswith("~*")
        regex = compile_pcre(pattern[2:] if caseless else pattern[1:], caseless)
        if regex is None:
            return None  # nginx refuses it (SYN007) or the library cannot say: unknown
        if regex.matches(source.encode("utf-8", "surrogateescape")):
            return evaluate(result, known, maps, depth + 1)
    return evaluate(default, known, maps, depth + 1)
