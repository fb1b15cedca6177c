"""Which location serves a URI within a server, in nginx's order: exact,
longest prefix (with ^~), then regexes in order, level by level, and the
auto-redirect of a prefix location with a *_pass (ngx_http_core_find_location;
semantics §5.2)."""
from __future__ import annotations

from ..reading.tree import Node
from ..semantics.directives import UPSTREAM_HANDLERS
from ..semantics.servers import location_path
from .pcre import Regex, compile_pcre

_EXACT, REDIRECT, _REGEX, _PREFIX, _NONE = "exact", "redirect", "regex", "prefix", "none"


class _Entry:
    """One location of a level: its node, and the level of its nested locations."""

    __slots__ = ("node", "modifier", "name", "pattern", "children")

    def __init__(self, node: Node, modifier: str, name: bytes, pattern: Regex | None):
        self.node, self.modifier, self.name, self.pattern = node, modifier, name, pattern
        self.children = _Level(node, static=pattern is None)


class _Level:
    """The locations directly inside one server or location, indexed as
    ngx_http_init_locations sorts them: static names in hash maps (nginx's
    binary tree finds the same longest prefix), regexes in file order,
    named locations left out (a URI never selects them).

    Inside a regex location only the nested regexes count: nginx builds
    static location trees by walking static locations only
    (ngx_http_init_static_location_trees), so a prefix or exact location
    nested in a regex location is never selected [E: live test]."""

    __slots__ = ("exact", "prefix", "lengths", "redirect", "regexes")

    def __init__(self, block: Node, static: bool = True):
        self.exact: dict[bytes, _Entry] = {}
        self.prefix: dict[bytes, _Entry] = {}
        self.regexes: list[_Entry] = []
        for child in block.children or ():
            if child.name != "location" or not child.args:
                continue
            modifier, path = location_path(child)
            if modifier == "@":
                continue
            if modifier not in ("", "^~", "=", "~", "~*"):
                continue  # nginx refuses the configuration
            if modifier in ("~", "~*"):
                pattern = compile_pcre(path, caseless=modifier == "~*")
                if pattern is not None:
                    self.regexes.append(_Entry(child, modifier, b"", pattern))
                continue
            if not static:
                continue
            name = path.encode("utf-8", "surrogateescape")
            table = self.exact if modifier == "=" else self.prefix
            table.setdefault(name, _Entry(child, modifier, name, None))
        self.lengths = sorted({len(name) for name in self.prefix}, reverse=True)
        # ngx_http_create_locations_tree: a node "x/" whose exact or prefix
        # location has a *_pass answers "x" with a 301, serving from the
        # exact location when there is one.
        self.redirect: dict[bytes, _Entry] = {}
        for name in {*self.exact, *self.prefix}:
            pair = [e for e in (self.exact.get(name), self.prefix.get(name)) if e]
            if name.endswith(b"/") and any(_has_pass(e.node) for e in pair):
                self.redirect[name[:-1]] = pair[0]


def _has_pass(location: Node) -> bool:
    """An upstream handler written directly in the location (not in its `if`
    or `limit_except`) turns on auto_redirect."""
    return any(c.name in UPSTREAM_HANDLERS for c in location.children or ())


def find_location(level: _Level, uri: bytes) -> tuple[str, list[_Entry], list[str]]:
    """ngx_http_core_find_location for one level: (kind, chain, steps told)."""
    entry = level.exact.get(uri)
    if entry is not None:
        return _EXACT, [entry], [f"exact = {_show(entry)}"]
    found = level.prefix.get(uri)
    if found is None:
        entry = level.redirect.get(uri)
        if entry is not None:
            return REDIRECT, [entry], [f"301 to {_show(entry)} (a *_pass is in it)"]
        found = next((level.prefix[uri[:n]] for n in level.lengths if n <= len(uri) and uri[:n] in level.prefix), None)
    chain, steps, kind = [], [], _NONE
    if found is not None:
        kind, chain = _PREFIX, [found]
        steps = [f"longest prefix {'^~ ' if found.modifier == '^~' else ''}{_show(found)}"]
        inner_kind, inner_chain, inner_steps = find_location(found.children, uri)
        steps += _nested(inner_steps)
        if inner_kind in (_EXACT, REDIRECT, _REGEX):
            return inner_kind, chain + inner_chain, steps
        chain += inner_chain
        if found.modifier == "^~":
            return kind, chain, steps + (["^~ skips this level's regexes"] if level.regexes else [])
    for entry in level.regexes:
        if entry.pattern.matches(uri):
            _, inner_chain, inner_steps = find_location(entry.children, uri)
            return _REGEX, [entry] + inner_chain, steps + [f"regex {_show(entry)}"] + _nested(inner_steps)
    return kind, chain, steps


def _nested(steps: list[str]) -> list[str]:
    return [s if s.startswith("nested ") else "nested " + s for s in steps]


def _show(entry: _Entry) -> str:
    modifier, path = location_path(entry.node)
    return f"{modifier} {path}" if modifier in ("~", "~*", "=") else path


def is_internal(location: Node) -> bool:
    """`internal` is inherited by nested locations (ngx_conf_merge_value)."""
    node = location
    while node is not None and node.inner == "location":
        if any(c.name == "internal" for c in node.children or ()):
            return True
        node = node.parent
    return False


class LocationTrees:
    """Each server's location tree, built the first time a request reaches
    the server; held by whoever routes, so it lives no longer than the trees."""

    def __init__(self):
        self._trees: dict[Node, _Level] = {}

    def of(self, server: Node) -> _Level:
        if server not in self._trees:
            self._trees[server] = _Level(server)
        return self._trees[server]
