"""The value nginx applies for a directive in a block, and where it came from.

nginx merges each level's settings into the next, http → server → location
→ nested location → if/limit_except (semantics §2.8). This module answers
lazily, per (block, directive), walking up the levels instead of building
every level's full configuration: rules ask for a handful of directives.
The merge rules themselves are data (data/inheritance.yaml).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from ..policy.yamlload import load_yaml
from ..reading.tree import Node
from . import directives

# stream and mail merge main → block → server as http does (their ssl_*
# settings are inherited the same way), so their servers are levels too.
LEVELS = frozenset({"http", "server", "location", "if-in-location", "limit_except",
                    "stream", "stream-server", "mail", "mail-server"})
UNNAMED = frozenset({"if-in-location", "limit_except"})
_UNKNOWN = object()  # memo miss (None is a valid answer: "not set")


def parse_version(text: str) -> tuple[int, int, int]:
    """"1.28" or "1.29.7" → (1, 28, 0) / (1, 29, 7); ValueError otherwise."""
    parts = text.strip().split(".")
    if not 2 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"invalid nginx version {text!r}: expected X.Y or X.Y.Z")
    major, minor, patch = (int(p) for p in parts + ["0"] * (3 - len(parts)))
    return major, minor, patch


@lru_cache(maxsize=1)
def _rules() -> dict:
    text = resources.files("nginxlint").joinpath("data/inheritance.yaml").read_text("utf-8")
    return load_yaml(text)


def _by_version(entry: object, version: tuple[int, int, int]) -> object:
    """A plain value, or the last versioned value whose `since` ≤ version."""
    if not isinstance(entry, list):
        return entry
    chosen = None
    for item in entry:
        if "since" not in item or parse_version(item["since"]) <= version:
            chosen = item["value"]
    return chosen


def _absent_in(name: str, version: tuple[int, int, int]) -> bool:
    specs = directives.specs(name)
    return bool(specs) and all(spec.unknown_in(version) for spec in specs)


@dataclass(frozen=True, slots=True)
class Setting:
    """An effective value: the argument lists in force and their directives.

    Scalars have one entry; lists (proxy_set_header…) and bitmasks
    (ssl_protocols) one per line. A default has no nodes.
    """

    directive: str
    entries: tuple[tuple[str, ...], ...]
    nodes: tuple[Node, ...]
    default_for: str | None = None  # the nginx version whose default this is

    @property
    def value(self) -> str:
        return " ".join(self.entries[-1]) if self.entries else ""

    @property
    def is_default(self) -> bool:
        return not self.nodes

    def origin(self) -> str:
        if self.nodes:
            return self.nodes[-1].where()
        return f"default for nginx {self.default_for}"


@dataclass(frozen=True, slots=True)
class Header:
    name: str
    value: str
    node: Node | None  # None: a header the proxy module adds by default


class Effective:
    """Effective configuration of every block of one loaded tree set."""

    def __init__(self, version: str):
        self.version_text = version
        version_tuple = parse_version(version)
        rules = _rules()
        self._groups: dict[str, str] = dict(rules["list_groups"])
        # The groups that several directives share (access: allow, deny), by their members.
        self._shared: dict[str, frozenset[str]] = {
            group: frozenset(n for n, g in self._groups.items() if g == group)
            for group in {g for n, g in self._groups.items() if n != g}}
        self._switches: dict[str, str] = dict(rules["inherit_switches"])
        self._handlers = frozenset(rules["handlers"])
        self._never = frozenset(rules["not_inherited"])
        self._defaults = {name: _by_version(entry, version_tuple) for name, entry in rules["defaults"].items()}
        self.version = version_tuple  # version_text read: (major, minor, patch)
        self._default_headers = _by_version(rules["default_proxy_headers"], version_tuple)
        # The proxy module's own headers by lower-cased name: what an outer line restating one loses nothing by.
        self._default_by_name = {name.lower(): value for name, value in self._default_headers.items()}
        # Caches keyed by the block itself (a Node hashes by identity): this
        # run's tree, never a recycled id().
        self._own: dict[Node, dict[str, list[Node]]] = {}
        self._memo: dict[tuple[Node, str], Setting | None] = {}  # (block, directive) -> setting in force
        self._headers: dict[tuple[Node, str], tuple[Header, ...]] = {}  # (block, list directive) -> headers()
        self._dropped: dict[tuple[Node, str], tuple[Node, ...]] = {}  # (block, list directive) -> dropped_entries()
        self._lines_by_name: dict[tuple[Node, str], dict[str, list[Node]]] = {}  # (block, list) -> its lines by lower-cased name
        self._inherited_entries: dict[tuple[Node, str], tuple[tuple[str, Node], ...]] = {}  # (outer level, list) -> _replaceable()
        self._header_lists: dict[tuple[str, tuple[Node, ...]], tuple[Header, ...]] = {}  # (directive, lines) -> headers

    def default_names(self) -> list[str]:
        """Directives with a built-in default in the target version. One the
        version lacks is left out (add_header_inherit before 1.29.3), though
        its default still answers: it is how that version behaves."""
        return [name for name, value in self._defaults.items()
                if value is not None and not _absent_in(name, self.version)]

    def handler(self, block: Node) -> Node | None:
        """The content handler in force in `block` (proxy_pass, fastcgi_pass…);
        None: nginx's static module serves files."""
        return next((self.get(block, name).nodes[-1] for name in sorted(self._handlers)
                     if self.get(block, name) is not None), None)

    # -- levels -----------------------------------------------------------

    @staticmethod
    def parent_level(block: Node) -> Node | None:
        level = block.parent
        while level is not None and level.inner not in LEVELS:
            level = level.parent
        return level

    def is_list(self, directive: str) -> bool:
        """A list of entries keyed by their first argument (proxy_set_header, add_header…)."""
        return directive in self._groups

    def own(self, level: Node, key: str) -> list[Node]:
        """The level's own directives named `key` (or in list group `key`)."""
        index = self._own.get(level)
        if index is None:
            index = {}
            children = level.children or ()
            for child in children:
                index.setdefault(child.name, []).append(child)
            for group, members in self._shared.items():  # allow and deny: one list, in line order
                if not members.isdisjoint(index):
                    index[group] = [child for child in children if child.name in members]
            self._own[level] = index
        return index.get(key, [])

    # -- values -----------------------------------------------------------

    def get(self, block: Node, directive: str) -> Setting | None:
        """The setting in force in `block`, or None when nothing sets it and
        nginx has no default worth naming."""
        key = (block, directive)
        found = self._memo.get(key, _UNKNOWN)
        if found is _UNKNOWN:
            found = self._memo[key] = self._compute(block, directive)
        return found

    def _compute(self, block: Node, directive: str) -> Setting | None:
        if directive in self._never:
            return self._setting(directive, self.own(block, directive))
        if directive in self._handlers:
            nodes = self.own(block, directive)
            if not nodes and block.inner in UNNAMED:
                parent = self.parent_level(block)
                nodes = self.own(parent, directive) if parent else []
            return self._setting(directive, nodes)
        if directive in self._groups:
            nodes = self._list(block, directive)
            return self._setting(directive, nodes) if nodes else self._default(directive)
        # Walk up iteratively (thousands of nested levels must not recurse),
        # stopping at the first outer level whose answer is already known.
        # The outer levels passed on the way write none of the directive: the
        # answer is theirs too, kept for the blocks beside this one.
        passed: list[Node] = []
        level: Node | None = block
        while level is not None:
            known = self._memo.get((level, directive), _UNKNOWN) if level is not block else _UNKNOWN
            if known is not _UNKNOWN:
                found = known
                break
            nodes = self.own(level, directive)
            if nodes:
                found = self._written(directive, nodes)
                break
            passed.append(level)
            level = self.parent_level(level)
        else:
            found = self._default(directive)
        for outer in passed[1:]:
            self._memo[(outer, directive)] = found
        return found

    def _written(self, directive: str, nodes: list[Node]) -> Setting:
        """The setting of a level that writes `directive` (lines `nodes`)."""
        if directives.is_bitmask(directive):  # repeated lines in one block are OR-ed together (§2.2)
            return Setting(directive, (tuple(a for n in nodes for a in n.args),), tuple(nodes))
        # one value per block, or every line (listen, server_name, rewrite…)
        return self._setting(directive, nodes[-1:] if directives.is_single_valued(directive) else nodes)

    def _list(self, block: Node, directive: str) -> list[Node]:
        """Entries of a list group in force (§2.3, and §2.4 for add_header)."""
        group, switch = self._groups[directive], self._switches.get(directive)
        collected: list[Node] = []
        level: Node | None = block
        while level is not None:
            known = self._memo.get((level, directive), _UNKNOWN) if level is not block else _UNKNOWN
            if known is not _UNKNOWN:
                return collected + list(known.nodes if known else ())
            own = self.own(level, group)
            mode = self.get(level, switch).value.lower() if switch else "on"
            if mode == "off":
                return collected + own
            if mode == "merge":
                collected += own
            elif own:
                return collected + own
            level = self.parent_level(level)
        return collected

    def _setting(self, directive: str, nodes: list[Node]) -> Setting | None:
        if not nodes:
            return None
        return Setting(directive, tuple(n.args for n in nodes), tuple(nodes))

    def _default(self, directive: str) -> Setting | None:
        value = self._defaults.get(directive)
        if value is None:
            return None
        return Setting(directive, (tuple(value.split()),), (), self.version_text)

    def dropped_entries(self, block: Node, directive: str) -> tuple[Node, ...]:
        """Entries an outer level sets that `block`'s own list silently
        replaces (§2.3); none when add_header_inherit keeps or drops them
        on purpose. Kept per block: rules about the same list ask it again."""
        own = self.own(block, self._groups.get(directive, directive))
        if not own:
            return ()  # most blocks: nothing of their own replaces what they inherit
        key = (block, directive)
        found = self._dropped.get(key)
        if found is None:
            kept = {n.args[0].lower() for n in own if n.args}
            found = self._dropped[key] = tuple(n for name, n in self._replaceable(block, directive) if name not in kept)
        return found

    def _replaceable(self, block: Node, directive: str) -> tuple[tuple[str, Node], ...]:
        """The outer entries `block` would lose by writing its own list, by
        lower-cased name; kept per outer level, which most blocks share."""
        parent = self.parent_level(block)
        switch = self._switches.get(directive)
        if parent is None or (switch and self.get(block, switch).value.lower() != "on"):
            return ()
        key = (parent, directive)
        found = self._inherited_entries.get(key)
        if found is None:
            inherited = self.get(parent, directive)
            defaults = self._default_by_name if directive == "proxy_set_header" else {}
            # An outer `proxy_set_header Host $proxy_host` restates the default: losing it changes nothing.
            found = self._inherited_entries[key] = () if inherited is None or inherited.is_default else tuple(
                (n.args[0].lower(), n) for n in inherited.nodes
                if n.args and defaults.get(n.args[0].lower(), object()) != " ".join(n.args[1:]))
        return found

    def headers(self, block: Node, directive: str = "proxy_set_header") -> tuple[Header, ...]:
        """The header list in force, in order; for proxy_set_header with the
        proxy module's own defaults for names the config does not set."""
        key = (block, directive)
        found = self._headers.get(key)
        if found is None:
            setting = self.get(block, directive)
            found = self._headers[key] = self._header_list(directive, setting.nodes if setting else ())
        return found

    def headers_named(self, block: Node, directive: str, name: str) -> tuple[Header, ...]:
        """headers(block, directive) of one name (lower-cased), without
        building the others: a rule about one header asks it of every
        WebSocket location, each with lines of its own."""
        key = (block, directive)
        lines = self._lines_by_name.get(key)
        if lines is None:  # read once per block: rules about other headers ask it too
            setting = self.get(block, directive)
            lines = self._lines_by_name[key] = {}
            for node in setting.nodes if setting else ():
                if len(node.args) >= 2:
                    lines.setdefault(node.args[0].lower(), []).append(node)
        found = tuple(Header(n.args[0], n.args[1], n) for n in lines.get(name, ()))
        if found or directive != "proxy_set_header" or name not in self._default_by_name:
            return found
        return next((Header(header, value, None),) for header, value in self._default_headers.items() if header.lower() == name)

    def _header_list(self, directive: str, nodes: tuple[Node, ...]) -> tuple[Header, ...]:
        """headers() of the lines `nodes`: built once per list of lines, as
        every location that writes none of its own inherits its server's."""
        key = (directive, nodes)
        found = self._header_lists.get(key)
        if found is None:
            result = [Header(n.args[0], n.args[1], n) for n in nodes if len(n.args) >= 2]
            if directive == "proxy_set_header":
                named = {h.name.lower() for h in result}
                result += [Header(name, value, None) for name, value in self._default_headers.items()
                           if name.lower() not in named]
            found = self._header_lists[key] = tuple(result)
        return found
