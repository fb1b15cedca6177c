"""What a restore changes outside servers and locations that still alters
traffic: upstream blocks, `map`/`geo`/`split_clients` entries, which names
each listen socket serves, and which files are included.

`audit` compares the effective configuration of servers and
locations it can pair by name; these blocks are looked up by a variable or an
upstream name instead, and a changed entry there moves every request that
reads it (another backend port, another Connection header), so each change
is named here with file:line on both sides.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ...reading.loader import Config
from ...reading.tree import Node, walk
from ...semantics.in_force import Entry
from ...semantics.servers import ServerFacts, display_name, server_names

# Blocks whose lines are "key value": compared entry by entry.
KEYED = frozenset({"map", "geo", "split_clients"})


@dataclass
class TrafficChange:
    """One entry (or list of entries) of a traffic block that differs."""

    block: str  # "upstream voice_backend", "map $http_upgrade $connection_upgrade", "listen *:443"
    item: str  # the directive, the map key, or "server_name"
    active: list[Entry]
    backup: list[Entry]
    note: str = ""  # what reads it, when that matters ("Connection header of 8 proxied locations")


def traffic_changes(active: Config, backup: Config) -> list[TrafficChange]:
    changes: list[TrafficChange] = []
    blocks_a, blocks_b = _blocks(active), _blocks(backup)
    for key in sorted(set(blocks_a) | set(blocks_b)):
        node_a, node_b = blocks_a.get(key), blocks_b.get(key)
        items_a, items_b = _items(node_a), _items(node_b)
        for item in sorted(set(items_a) | set(items_b)):
            a, b = items_a.get(item, []), items_b.get(item, [])
            if [e.value for e in a] != [e.value for e in b]:
                changes.append(TrafficChange(key, item, a, b, _readers(backup if b else active, key)))
    return changes + _socket_changes(active, backup) + _file_changes(active, backup)


def _blocks(config: Config) -> dict[str, Node]:
    """upstream, map, geo and split_clients blocks by their name line."""
    found: dict[str, Node] = {}
    for root in config.roots:
        for node in walk(root):
            if node.name in KEYED | {"upstream"} and node.children is not None:
                found.setdefault(" ".join((node.name, *node.args)), node)
    return found


def _items(block: Node | None) -> dict[str, list[Entry]]:
    """A block's lines grouped by their first word: the key of a map-like
    block, the directive of an upstream (its `server` lines in order)."""
    items: dict[str, list[Entry]] = {}
    for child in (block.children or ()) if block is not None else ():
        value = " ".join(_quoted(a) for a in child.args)
        items.setdefault(_quoted(child.name), []).append(Entry(child.name, value, child.file, child.line, _label(block)))
    return items


def _quoted(text: str) -> str:
    return text if text else '""'


def _label(block: Node) -> str:
    return " ".join((block.name, *block.args))


def _readers(config: Config, key: str) -> str:
    """Where the proxied traffic reads a map's variable (proxy_set_header lines),
    or which proxy_pass lines name an upstream: what the change reaches."""
    kind, _, rest = key.partition(" ")
    if kind == "upstream":
        name = rest.strip()
        users = [n for root in config.roots for n in walk(root)
                 if n.name.endswith("_pass") and n.args and _upstream_name(n.args[0]) == name]
        return f"used by {len(users)} *_pass line(s)" if users else ""
    variable = rest.split()[-1] if rest.split() else ""
    if not variable.startswith("$"):
        return ""
    users = [n for root in config.roots for n in walk(root)
             if n.name == "proxy_set_header" and len(n.args) > 1 and variable in n.args[1]]
    headers = sorted({n.args[0] for n in users})
    return f"sent as {', '.join(headers)} by {len(users)} proxy_set_header line(s)" if users else ""


def _upstream_name(url: str) -> str:
    host = url.split("://", 1)[-1]
    return host.split("/", 1)[0].split(":", 1)[0]


def _socket_changes(active: Config, backup: Config) -> list[TrafficChange]:
    """Per listen socket: the server names it serves and its default server."""
    facts_a, facts_b = ServerFacts(active.roots), ServerFacts(backup.roots)
    changes = []
    for sock in sorted(set(facts_a.by_socket) | set(facts_b.by_socket)):
        names_a, names_b = _names(facts_a, sock), _names(facts_b, sock)
        if [e.value for e in names_a] != [e.value for e in names_b]:
            changes.append(TrafficChange(f"listen {sock}", "server_name", names_a, names_b))
        default_a, default_b = _default(facts_a, sock), _default(facts_b, sock)
        if [e.value for e in default_a] != [e.value for e in default_b]:
            changes.append(TrafficChange(f"listen {sock}", "default server", default_a, default_b))
    return changes


def _names(facts: ServerFacts, sock: str) -> list[Entry]:
    """The names a socket answers to, one entry per name, sorted by name."""
    entries = []
    for server, listen in facts.by_socket.get(sock, []):
        line = next((c for c in server.children or () if c.name == "server_name"), listen.node or server)
        for name in server_names(server) or ['""']:
            entries.append(Entry("server_name", name, line.file, line.line, f"server {display_name(server) or ''}"))
    return sorted({e.value: e for e in reversed(entries)}.values(), key=lambda e: e.value)


def _default(facts: ServerFacts, sock: str) -> list[Entry]:
    server = facts.default.get(sock)
    if server is None:
        return []
    return [Entry("server", display_name(server) or '""', server.file, server.line, "default server")]


def _file_changes(active: Config, backup: Config) -> list[TrafficChange]:
    """Files only one side reads: an include (or a glob's match, or a site
    in a folder) added or dropped changes every block the file wrote into,
    though its lines show up below only as settings."""
    files_a, files_b = _included(active), _included(backup)
    return [TrafficChange("included files", key, files_a.get(key, []), files_b.get(key, []))
            for key in sorted(set(files_a) ^ set(files_b))]


def _included(config: Config) -> dict[str, list[Entry]]:
    """Each included file, keyed by its path relative to the side's first
    file (so both sides' copies pair), with where it is included: the
    include line for a glob's match, else the block it writes into."""
    base = os.path.dirname(config.files[0]) if config.files else ""
    sites = {g.loaded: (g.include_file, g.include_line) for g in config.globbed}
    found: dict[str, list[Entry]] = {}
    for root in config.roots:
        for node in walk(root):
            parent = node.parent
            if parent is None or node.file == parent.file and node.file not in sites:
                continue
            key = os.path.relpath(node.file, base) if base else node.file
            if key not in found:
                file, line = sites.get(node.file, (parent.file, parent.line))
                label = "a folder given" if line == 0 else f"included into {_label(parent) or 'main'}"
                found[key] = [Entry("include", node.file, file, line or None, label)]
    return found
