"""Listens nginx refuses together on one address:port (SYN010).

Each http `listen` joins its socket as nginx reads it (ngx_http_add_addresses
and ngx_http_add_server, src/http/ngx_http.c, nginx 1.18 to 1.31), and the
listen that makes the clash is the one nginx names:
- `a duplicate listen 0.0.0.0:80`: one server listens on a socket twice;
- `duplicate listen options for 0.0.0.0:80`: a second listen of the socket
  sets socket options (the parameters that set `lsopt.set` in
  ngx_http_core_listen: bind, backlog=, rcvbuf=, sndbuf=, fastopen=,
  deferred, ipv6only=, reuseport, so_keepalive=, setfib=, multipath) when
  an earlier one did;
- `a duplicate default server for 0.0.0.0:80`: default_server twice.
ssl, http2 and proxy_protocol on some listens of a socket and not on others
are not refused: nginx ORs them into the socket.

Sockets are compared as sockets.py spells them (80, *:80 and 0.0.0.0:80
are one); a listen naming a host other than localhost, or a port range, is
left out, as nginx resolves or expands it.
"""
from __future__ import annotations

from collections.abc import Iterator

from .placement import Rejection
from .servers import ServerFacts
from .sockets import Listen

SOCKET_OPTIONS = frozenset({"bind", "deferred", "reuseport", "multipath"})
SOCKET_OPTION_PREFIXES = ("backlog=", "rcvbuf=", "sndbuf=", "fastopen=", "ipv6only=", "so_keepalive=", "setfib=")


def check_listen_conflicts(servers: ServerFacts) -> Iterator[Rejection]:
    for socket, entries in servers.by_socket.items():
        if not _comparable(socket):
            continue
        for quic in (False, True):  # a quic listen is a UDP socket of its own (ngx_http_add_addresses)
            yield from _conflicts(_nginx_spelling(socket), [(s, li) for s, li in entries if li.quic == quic])


def _conflicts(shown: str, entries: list[tuple[object, Listen]]) -> Iterator[Rejection]:
    seen: dict[object, Listen] = {}
    options = default = None
    for server, listen in entries:
        if listen.node is None:
            continue
        if server in seen:
            yield Rejection(listen.node, f"a duplicate listen {shown} (this server already listens there at line {seen[server].node.line})")
            continue
        seen[server] = listen
        if _sets_options(listen):
            if options is not None:
                yield Rejection(listen.node, f"duplicate listen options for {shown} (already set at {options.node.where()}; "
                                             "socket options such as backlog=, reuseport, ipv6only= go on one listen of a socket)")
                continue
            options = listen
        if listen.default:
            if default is not None:
                yield Rejection(listen.node, f"a duplicate default server for {shown} (already at {default.node.where()})")
                continue
            default = listen


def _sets_options(listen: Listen) -> bool:
    return any(p in SOCKET_OPTIONS or p.startswith(SOCKET_OPTION_PREFIXES) for p in listen.params)


def _comparable(socket: str) -> bool:
    """A socket nginx names without resolving a host or expanding a range."""
    if socket.startswith("unix:"):
        return True
    host, _, port = socket.rpartition(":")
    return port.isdigit() and (host in ("*", "127.0.0.1") or host.startswith("[") or host.replace(".", "").isdigit())


def _nginx_spelling(socket: str) -> str:
    """The address as nginx's messages print it: 0.0.0.0:80 for *:80."""
    return "0.0.0.0" + socket[1:] if socket.startswith("*:") else socket
