"""Which http server block takes a connection and a Host: listen sockets,
default servers and server_name lookup, as nginx does it
(ngx_http_validate_host, ngx_http_find_virtual_server; semantics §6.1–6.3)."""
from __future__ import annotations

import ipaddress
import re
import socket

from ..reading.tree import Node
from ..semantics.servers import listen_socket, server_names
from .pcre import compile_pcre


def socket_keys(address: str, port: int) -> tuple[str, str]:
    """The exact and the wildcard listen socket a connection to address:port can reach."""
    ip = ipaddress.ip_address(address.strip("[]"))
    if ip.version == 6:
        return f"[{ip.compressed}]:{port}", f"[::]:{port}"
    return f"{ip}:{port}", f"*:{port}"


def _canonical_socket(sock: str) -> str:
    """listen_socket's "addr:port" with the address spelled as socket_keys spells it."""
    host, _, port = sock.rpartition(":")
    name = host.strip("[]")
    if name == "localhost":
        name = "127.0.0.1"
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return sock  # "*", or a host name nginx would resolve: not emulated
    if ip.is_unspecified:
        return f"{'[::]' if ip.version == 6 else '*'}:{port}"
    return f"[{ip.compressed}]:{port}" if ip.version == 6 else f"{ip}:{port}"


def _http_servers(roots: list[Node]) -> list[Node]:
    found = []
    for root in roots:
        blocks = [root] if root.inner == "http" else [c for c in root.children or () if c.inner == "http"]
        found += [c for block in blocks for c in block.children or () if c.inner == "server"]
    return found


def _directive(block: Node, name: str) -> Node | None:
    return next((c for c in block.children or () if c.name == name), None)


def _server_level(server: Node, name: str) -> Node | None:
    """A server-level setting as nginx merges it: the server's own, else http's."""
    found = _directive(server, name)
    if found is None and server.parent is not None and server.parent.inner == "http":
        found = _directive(server.parent, name)
    return found


def merge_slashes(server: Node) -> bool:
    setting = _server_level(server, "merge_slashes")
    return setting is None or setting.args[:1] != ("off",)


def validate_host(host: str) -> bytes | None:
    """The Host header as nginx compares it (ngx_http_validate_host): port
    and one trailing dot dropped, ASCII lower-cased; None when nginx answers
    400 (empty, "..", a slash, a control character)."""
    data = host.encode("utf-8", "surrogateescape")
    length, dot, literal, rest = len(data), -2, False, False
    for i, c in enumerate(data):
        if c == 0x2E:
            if dot == i - 1:
                return None
            dot = i
        elif c == 0x3A:
            if not literal and not rest:
                length, rest = i, True
        elif c == 0x5B:
            literal = literal or (i == 0 and not rest)
        elif c == 0x5D:
            if literal and not rest:
                length, rest = i + 1, True
        elif c == 0x2F or c <= 0x20 or c == 0x7F:
            return None
    if dot == length - 1:
        length -= 1
    return data[:length].lower() if length > 0 else None


class Listeners:
    """The servers on one listen socket and their names, as nginx hashes
    them (ngx_http_server_names): the first server to claim a name keeps it."""

    def __init__(self, servers: list[tuple[Node, bool]]):
        self.servers = [s for s, _ in servers]
        self.default = next((s for s, default in servers if default), self.servers[0])
        self.explicit_default = any(default for _, default in servers)
        self.exact: dict[bytes, Node] = {}
        self.head: dict[bytes, tuple[Node, bool, str]] = {}  # suffix → (server, also the bare suffix, name)
        self.tail: dict[bytes, tuple[Node, str]] = {}
        self.regexes: list[tuple[re.Pattern, Node, str]] = []
        for server in self.servers:
            for name in server_names(server) or [""]:
                self._add(server, name)

    def _add(self, server: Node, name: str) -> None:
        if name.startswith("~"):
            pattern = compile_pcre(name[1:], re.IGNORECASE)
            if pattern is not None:
                self.regexes.append((pattern, server, name))
            return
        if name == "$hostname":
            name = socket.gethostname()
        key = name.encode("utf-8", "surrogateescape").lower()
        if key.startswith(b"*."):
            self.head.setdefault(key[2:], (server, False, name))
        elif key.startswith(b"."):
            if key[1:] not in self.exact:
                self.head.setdefault(key[1:], (server, True, name))
        elif key.endswith(b".*"):
            self.tail.setdefault(key[:-2], (server, name))
        elif b"*" not in key and not (key in self.head and self.head[key][1]):
            self.exact.setdefault(key, server)

    def select(self, host: bytes, no_host: bool) -> tuple[Node, str]:
        """ngx_http_find_virtual_server: exact, longest leading wildcard,
        longest trailing wildcard, first regex; otherwise the default server."""
        if host in self.exact:
            shown = host.decode("utf-8", "replace")
            return self.exact[host], f'{"no Host header: " if no_host else "exact "}server_name "{shown}"'
        if host:
            wild = self.head.get(host)
            if wild and wild[1]:
                return wild[0], f"leading wildcard server_name {wild[2]}"
            for i, c in enumerate(host):
                if c == 0x2E and host[i + 1:] in self.head:
                    wild = self.head[host[i + 1:]]
                    return wild[0], f"leading wildcard server_name {wild[2]}"
            for i in range(len(host) - 1, 0, -1):
                if host[i] == 0x2E and host[:i] in self.tail:
                    server, name = self.tail[host[:i]]
                    return server, f"trailing wildcard server_name {name}"
            for pattern, server, name in self.regexes:
                if pattern.search(host):
                    return server, f"regex server_name {name}"
        kind = ("only server" if len(self.servers) == 1
                else "default_server" if self.explicit_default else "first server, the default")
        return self.default, f"{'no Host header' if no_host else 'no server_name matches'}: {kind}"


class ServerIndex:
    """Every http server of one configuration, grouped by listen socket."""

    def __init__(self, roots: list[Node]):
        self.by_socket: dict[str, list[tuple[Node, tuple[str, ...]]]] = {}
        for server in _http_servers(roots):
            listens = [c for c in server.children or () if c.name == "listen"] or [None]
            for listen in listens:
                sock, params = ("*:80", ()) if listen is None else (listen_socket(listen.args), listen.args[1:])
                if sock is not None:
                    self.by_socket.setdefault(_canonical_socket(sock), []).append((server, params))
        self._listeners: dict[str, Listeners] = {}

    def listeners(self, sock: str) -> Listeners:
        if sock not in self._listeners:
            entries = self.by_socket[sock]
            self._listeners[sock] = Listeners([(s, "default_server" in p or "default" in p) for s, p in entries])
        return self._listeners[sock]

    def is_tls(self, sock: str) -> bool:
        """TLS when any listen on the socket says ssl, or its default server
        says `ssl on` (ngx_http_init_connection)."""
        if any("ssl" in params for _, params in self.by_socket[sock]):
            return True
        setting = _server_level(self.listeners(sock).default, "ssl")
        return setting is not None and setting.args[:1] == ("on",)




def tls_default_servers(root: Node) -> set[int]:
    """ids of the default server of each TLS address:port of the tree: the
    server whose TLS settings the handshake uses before SNI is known."""
    index = server_index([root])
    return {id(index.listeners(sock).default) for sock in index.by_socket if index.is_tls(sock)}



_CACHE_LIMIT = 256
_server_cache: dict[tuple[int, ...], tuple[tuple[Node, ...], ServerIndex]] = {}


def server_index(roots: list[Node]) -> ServerIndex:
    key = tuple(map(id, roots))
    cached = _server_cache.get(key)
    if cached is None or any(a is not b for a, b in zip(cached[0], roots)):
        if len(_server_cache) >= _CACHE_LIMIT:
            _server_cache.clear()
        cached = _server_cache[key] = (tuple(roots), ServerIndex(roots))
    return cached[1]
