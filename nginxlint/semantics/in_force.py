"""The whole effective configuration of one block: every directive in force
there, with its value and where it came from. `inspect` prints it and
`diff` compares two of them."""
from __future__ import annotations

from dataclasses import dataclass

from ..reading.tree import Node, walk
from .effective import LEVELS, Effective, Setting
from .servers import describe_location, display_name, enclosing_server

# Directives nginx keeps as one ordered list, each line checked in turn
# (the access module's rules): shown under one name, every entry with its own
# directive, so `allow 10.0.0.0/8; deny all;` reads as nginx applies it.
ORDERED_LISTS = {"allow": "allow/deny", "deny": "allow/deny"}

# Blocks and code that are structure, not settings of the block.
STRUCTURE = frozenset({"location", "if", "limit_except", "server", "upstream", "map", "geo", "split_clients",
                       "include"})


@dataclass(frozen=True)
class Entry:
    """One directive line in force (a list directive has several)."""

    directive: str
    value: str
    file: str | None  # None: nginx's built-in default
    line: int | None
    block: str  # "location /ws/", "server api.gmai.sa", "http", or "default for nginx 1.28"


def block_label(block: Node) -> str:
    if block.inner == "location":
        return f"location {describe_location(block)}"
    if block.inner == "server":
        return f"server {display_name(block) or '(no server_name)'}"
    if block.inner in ("if-in-location", "limit_except"):
        return f"{block.name} ({' '.join(block.args)}) in location {describe_location(block)}"
    return block.inner or "main"


def settings_in_force(effective: Effective, block: Node) -> list[Entry]:
    """Directives set at this level or inherited from the levels above, and
    nginx's defaults for the ones the defaults table names; sorted by name."""
    names: set[str] = set(effective.default_names())
    level: Node | None = block
    while level is not None:
        names.update(c.name for c in level.children or () if c.name not in STRUCTURE)
        level = effective.parent_level(level)
    if effective.get(block, "proxy_pass") is not None:
        names.add("proxy_set_header")  # at least the proxy module's own headers
    entries: list[Entry] = []
    shown: set[str] = set()
    for name in sorted(names):
        if ORDERED_LISTS.get(name, name) in shown:
            continue  # deny after allow: one list, already shown
        shown.add(ORDERED_LISTS.get(name, name))
        setting = effective.get(block, name)
        if setting is not None:
            entries.extend(_entries(setting))
        if name == "proxy_set_header":  # and what the proxy module adds itself
            entries.extend(Entry(name, f"{h.name} {h.value}", None, None,
                                 f"default for nginx {effective.version_text}")
                           for h in effective.headers(block) if h.node is None)
    return entries


def _entries(setting: Setting) -> list[Entry]:
    if setting.is_default:
        return [Entry(setting.directive, setting.value, None, None, f"default for nginx {setting.default_for}")]
    if setting.directive in ORDERED_LISTS:
        return [Entry(ORDERED_LISTS[setting.directive], " ".join((node.name, *node.args)), node.file, node.line,
                      _owner(node)) for node in setting.nodes]
    if len(setting.entries) == 1 and len(setting.nodes) > 1:  # bitmask lines OR-ed into one value
        node = setting.nodes[-1]
        return [Entry(setting.directive, setting.value, node.file, node.line, _owner(node))]
    return [Entry(setting.directive, " ".join(a or '""' for a in node.args), node.file, node.line, _owner(node))
            for node in setting.nodes]


def _owner(node: Node) -> str:
    level = node.parent
    while level is not None and level.inner not in LEVELS:
        level = level.parent
    return block_label(level) if level is not None else "main"


def locations_of(root: Node) -> list[tuple[Node | None, Node]]:
    """(server, location) for every location of a tree, in file order."""
    return [(enclosing_server(n), n) for n in walk(root) if n.inner == "location"]
