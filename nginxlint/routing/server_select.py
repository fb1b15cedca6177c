"""Which http server block takes a connection and a Host, as nginx does it
(ngx_http_validate_host, ngx_http_find_virtual_server; semantics §6.1–6.3).

Which servers share a socket, its default server and whether it speaks TLS
are semantics.servers' facts, the same the policy selectors read; this
module adds what only routing needs: the socket a connection reaches and
each socket's server_name lookup tables."""
from __future__ import annotations

import socket

from ..reading.tree import Node
from ..semantics.servers import ServerFacts, server_names
from ..semantics.sockets import connection_sockets
from .pcre import Regex, compile_pcre, server_name_caseless


def merge_slashes(facts: ServerFacts, server: Node) -> bool:
    setting = facts.effective.get(server, "merge_slashes")
    return setting is None or setting.value.lower() != "off"


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

    def __init__(self, servers: list[Node], default: Node, explicit_default: bool):
        self.servers, self.default, self.explicit_default = servers, default, explicit_default
        self.exact: dict[bytes, Node] = {}
        self.head: dict[bytes, tuple[Node, bool, str]] = {}  # suffix → (server, also the bare suffix, name)
        self.tail: dict[bytes, tuple[Node, str]] = {}
        self.regexes: list[tuple[Regex, Node, str]] = []
        for server in self.servers:
            for name in server_names(server) or [""]:
                self._add(server, name)

    def _add(self, server: Node, name: str) -> None:
        if name.startswith("~"):
            pattern = compile_pcre(name[1:], caseless=server_name_caseless(name[1:]))
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
        found = self.named(host, no_host)
        if found is not None:
            return found
        kind = ("only server" if len(self.servers) == 1
                else "default_server" if self.explicit_default else "first server, the default")
        return self.default, f"{'no Host header' if no_host else 'no server_name matches'}: {kind}"

    def named(self, host: bytes, no_host: bool = False) -> tuple[Node, str] | None:
        """The server whose server_name matches `host`, and how; None: no name does."""
        if host in self.exact:
            shown = host.decode("utf-8", "replace")
            return self.exact[host], f'{"no Host header: " if no_host else "exact "}server_name "{shown}"'
        if not host:
            return None
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
            if pattern.matches(host):
                return server, f"regex server_name {name}"
        return None


class ServerIndex:
    """The server lookup of one configuration: ServerFacts' servers per
    socket, and each socket's name tables, built when a request first
    reaches that socket. It lives as long as whoever routes with it."""

    def __init__(self, facts: ServerFacts):
        self.facts = facts
        self._listeners: dict[str, Listeners] = {}

    def socket_for(self, address: str, port: int) -> tuple[str, bool]:
        """The socket a connection to address:port reaches (the exact one
        when some server listens there, else the wildcard), and whether any does."""
        exact, wildcard = connection_sockets(address, port)
        if exact in self.facts.by_socket:
            return exact, True
        return (wildcard, True) if wildcard in self.facts.by_socket else (exact, False)

    def listeners(self, sock: str) -> Listeners:
        if sock not in self._listeners:
            facts = self.facts
            self._listeners[sock] = Listeners([s for s, _ in facts.by_socket[sock]], facts.default[sock],
                                              facts.explicit_default(sock))
        return self._listeners[sock]
