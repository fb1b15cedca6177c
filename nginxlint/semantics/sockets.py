"""What a `listen` directive names: one socket, spelled one way.

nginx compares listen addresses as binary addresses, not as text (semantics
§6.1): `listen 8080`, `listen *:8080` and `listen 0.0.0.0:8080` are one
socket, so are `localhost:443` and `127.0.0.1:443`, or `[::]:80` and
`[0:0::0]:80`. Every fact that groups servers by socket (TLS, the default
server, server names, routing) must use the same spelling, or two facts
about one socket disagree. This module is that spelling.
"""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from functools import lru_cache

from ..reading.tree import Node

# A server without any listen directive listens here. nginx takes *:80 when
# it runs as root and *:8000 otherwise (§6.1); the linter judges the root case.
IMPLIED_SOCKET = "*:80"


@lru_cache(maxsize=4096)  # a pure function of the text; a tree repeats few addresses thousands of times
def canonical_socket(address: str) -> str:
    """The socket a listen address names: "127.0.0.1:80", "*:80",
    "[::1]:443", "unix:/run/x.sock". An address without a port takes 80,
    a bare port the IPv4 wildcard; localhost is 127.0.0.1 (its first address
    in /etc/hosts); IPv6 is compressed. A host name nginx would resolve is
    kept as written, lower-cased."""
    if address.startswith("unix:"):
        return address
    if address.startswith("["):  # [::]:443 or [::1]
        host, _, port = address[1:].partition("]")
        port = port.removeprefix(":")
    elif address.isdigit():
        host, port = "*", address
    else:
        host, sep, port = address.rpartition(":")
        if not sep:
            host, port = address, ""
    return f"{_canonical_host(host)}:{int(port) if port.isdigit() else port or 80}"


def _canonical_host(host: str) -> str:
    name = host.lower()
    if name in ("*", "localhost"):
        name = "0.0.0.0" if name == "*" else "127.0.0.1"
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        return name  # a host name nginx would resolve: not emulated
    if ip.version == 6:
        return f"[{ip.compressed}]"
    return "*" if ip.is_unspecified else str(ip)


def connection_sockets(address: str, port: int) -> tuple[str, str]:
    """The exact and the wildcard socket a TCP connection to address:port
    can reach, in canonical_socket's spelling (ngx_http_init_connection
    prefers the exact one when some server listens there)."""
    exact = canonical_socket(f"[{address.strip('[]')}]:{port}" if ":" in address else f"{address}:{port}")
    return exact, (f"[::]:{port}" if exact.startswith("[") else f"*:{port}")


def is_loopback(socket: str) -> bool:
    """Only this host can connect: a unix socket or a loopback address."""
    if socket.startswith("unix:"):
        return True
    host = socket.rpartition(":")[0].strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Listen:
    """One socket a server listens on, and the parameters its listen gives it."""

    socket: str
    params: tuple[str, ...]
    node: Node | None  # None: the implied listen of a server without any

    @property
    def ssl(self) -> bool:
        return "ssl" in self.params

    @property
    def quic(self) -> bool:
        """A UDP socket: TLS (QUIC) for this server, whatever its TCP neighbours are."""
        return "quic" in self.params

    @property
    def default(self) -> bool:
        return "default_server" in self.params or "default" in self.params


def listens_of(server: Node) -> tuple[Listen, ...]:
    """Every listen of a server, in order; the implied *:80 when it has none.
    A listen without arguments (nginx refuses it) names no socket."""
    written = [c for c in server.children or () if c.name == "listen"]
    if not written:
        return (Listen(IMPLIED_SOCKET, (), None),)
    return tuple(Listen(canonical_socket(c.args[0]), c.args[1:], c) for c in written if c.args)
