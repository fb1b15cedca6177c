"""The whole effective configuration of one block: every directive in force
there, with its value and where it came from. `inspect` prints it and
`diff` compares two of them."""
from __future__ import annotations

from dataclasses import dataclass

from ..reading.tree import Node, walk
from .effective import LEVELS, Effective, Setting
from .servers import describe_location, display_name, enclosing_server
from .sockets import listens_of

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


# The built-in defaults that matter where a request is answered: those of
# the handler that answers (by directive prefix), of the static module when
# none does, of the request body and connection in every block, of TLS and
# HTTP/2 in a server that speaks TLS. `inspect --all` shows every default.
HANDLER_DEFAULTS = {"proxy_pass": "proxy_", "fastcgi_pass": "fastcgi_", "uwsgi_pass": "uwsgi_", "scgi_pass": "scgi_",
                    "grpc_pass": "grpc_", "memcached_pass": "memcached_"}
STATIC_DEFAULTS = frozenset({"root", "index", "default_type", "sendfile", "tcp_nopush", "gzip", "absolute_redirect",
                             "port_in_redirect", "server_name_in_redirect"})
REQUEST_DEFAULTS = frozenset({"client_max_body_size", "client_body_timeout", "send_timeout", "keepalive_timeout"})
TLS_DEFAULTS = ("ssl_", "http2")


def settings_in_force(effective: Effective, block: Node, every_default: bool = True) -> list[Entry]:
    """Directives set at this level or inherited from the levels above, and
    nginx's defaults for the ones the defaults table names (all of them, or
    with every_default=False only those that matter to the block's
    handler); sorted by name."""
    names: set[str] = set(effective.default_names() if every_default else _relevant_defaults(effective, block))
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
        if name == "http2" and (setting is None or setting.is_default) and (listen := _http2_listen(block)):
            entries.append(Entry(name, "on", listen.file, listen.line, f"listen {' '.join(listen.args)}"))
        elif setting is not None:
            entries.extend(_entries(setting))
        if name == "proxy_set_header":  # and what the proxy module adds itself
            entries.extend(Entry(name, f"{h.name} {h.value}", None, None,
                                 f"default for nginx {effective.version_text}")
                           for h in effective.headers(block) if h.node is None)
    return entries


def _relevant_defaults(effective: Effective, block: Node) -> list[str]:
    handler = effective.handler(block)
    server = enclosing_server(block)
    prefixes = (HANDLER_DEFAULTS[handler.name],) if handler is not None and handler.name in HANDLER_DEFAULTS else ()
    if server is not None and any(listen.ssl for listen in listens_of(server)):
        prefixes += TLS_DEFAULTS
    return [name for name in effective.default_names()
            if name in REQUEST_DEFAULTS or name.startswith(prefixes) or handler is None and name in STATIC_DEFAULTS]


def _http2_listen(block: Node) -> Node | None:
    """A `listen … http2` of the block's server: it turns HTTP/2 on without
    the `http2` directive (the only way before 1.25.1)."""
    server = enclosing_server(block)
    listens = listens_of(server) if server is not None else ()
    return next((listen.node for listen in listens if "http2" in listen.params and listen.node is not None), None)


def _entries(setting: Setting) -> list[Entry]:
    if setting.is_default:
        return [Entry(setting.directive, setting.value, None, None, f"default for nginx {setting.default_for}")]
    if setting.directive in ORDERED_LISTS:
        return [Entry(ORDERED_LISTS[setting.directive], " ".join((node.name, *node.args)), node.file, node.line,
                      owner_label(node)) for node in setting.nodes]
    if len(setting.entries) == 1 and len(setting.nodes) > 1:  # bitmask lines OR-ed into one value
        node = setting.nodes[-1]
        return [Entry(setting.directive, setting.value, node.file, node.line, owner_label(node))]
    return [Entry(setting.directive, " ".join(a or '""' for a in node.args), node.file, node.line, owner_label(node))
            for node in setting.nodes]


def owner_label(node: Node) -> str:
    level = node.parent
    while level is not None and level.inner not in LEVELS:
        level = level.parent
    return block_label(level) if level is not None else "main"


def locations_of(root: Node) -> list[tuple[Node | None, Node]]:
    """(server, location) for every location of a tree, in file order."""
    return [(enclosing_server(n), n) for n in walk(root) if n.inner == "location"]
