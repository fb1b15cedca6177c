"""Facts about http server blocks: names, listen sockets, TLS.

TLS is a property of the listening address:port, OR-ed over every server
that listens there (semantics §6.1): a server with a plain `listen 443` is
TLS when another server on the same socket says `listen 443 ssl`.
"""
from __future__ import annotations

from ..reading.tree import Node, walk


def enclosing_server(block: Node) -> Node | None:
    return block if block.inner == "server" else block.server


def server_names(server: Node) -> list[str]:
    return [arg for child in server.children or () if child.name == "server_name" for arg in child.args]


def display_name(server: Node | None) -> str | None:
    if server is None:
        return None
    names = server_names(server)
    return names[0] if names else ""


def listen_socket(args: tuple[str, ...]) -> str | None:
    """Normalise a listen address to "addr:port" ("*:80" style); None for unix sockets."""
    if not args or args[0].startswith("unix:"):
        return None
    address = args[0]
    if address.startswith("["):  # [::]:443 or [::1]
        host, _, port = address.partition("]")
        return f"{host}]:{port.lstrip(':') or '80'}"
    if address.isdigit():
        return f"*:{address}"
    host, sep, port = address.rpartition(":")
    if not sep:
        host, port = address, "80"
    return f"{'*' if host in ('*', '0.0.0.0') else host}:{port}"


def _sockets(server: Node) -> list[tuple[str | None, tuple[str, ...]]]:
    """(socket, parameters) of each listen; a server without one listens on *:80."""
    listens = [(listen_socket(c.args), c.args[1:]) for c in server.children or () if c.name == "listen"]
    return listens or [("*:80", ())]


def only_loopback(server: Node) -> bool:
    """Every listen is on a loopback address or a unix socket: nothing
    outside this host can connect (a server without listen takes *:80)."""
    sockets = [listen_socket(c.args) for c in server.children or () if c.name == "listen" and c.args]
    hosts = [s.rpartition(":")[0] if s else "unix" for s in sockets]
    return bool(hosts) and all(h in ("unix", "[::1]", "localhost") or h.startswith("127.") for h in hosts)


class TlsIndex:
    """Which TCP sockets of one configuration tree speak TLS: `ssl` on any
    listen of a socket makes it TLS for every server on it (§6.1). A `quic`
    listen is a UDP socket: TLS for its own server, not for TCP neighbours."""

    def __init__(self, root: Node):
        self._tls_sockets = {socket for node in walk(root) if node.inner == "server"
                             for socket, params in _sockets(node) if "ssl" in params}
        self._answers: dict[int, bool] = {}

    def is_tls(self, server: Node) -> bool:
        if id(server) not in self._answers:
            self._answers[id(server)] = (
                any(c.name == "ssl" and c.args[:1] == ("on",) for c in server.children or ())
                or any("quic" in params or socket in self._tls_sockets for socket, params in _sockets(server)))
        return self._answers[id(server)]


def location_path(block: Node) -> tuple[str, str]:
    """(modifier, path) of a location; glued forms like `=/x` and `~*\\.php$` split."""
    args = block.args
    if len(args) >= 2:
        return args[0], args[1]
    text = args[0] if args else ""
    for modifier in ("^~", "~*", "~", "=", "@"):
        if text.startswith(modifier):
            return ("@", text) if modifier == "@" else (modifier, text[len(modifier):])
    return "", text


def describe_location(block: Node) -> str | None:
    location = block if block.inner == "location" else block.location
    if location is None:
        return None
    modifier, path = location_path(location)
    return f"{modifier} {path}" if modifier and modifier != "@" else path
