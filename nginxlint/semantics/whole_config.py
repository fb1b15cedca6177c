"""What `nginx -t` refuses about a configuration as a whole, judged only
where the whole is in view: a main config (nginx.conf) every include of
which was read. In a fragment, or with an include missing, the events block
or a certificate may stand in the part not seen.

- SYN009: `listen ... ssl` on a socket whose default server has no
  ssl_certificate, its own or inherited from http, nor ssl_reject_handshake
  on (then every server of the socket needs one or the other):
  ngx_http_ssl_init (src/http/modules/ngx_http_ssl_module.c), which names
  the server block's file and line, where this reports it.
- SYN011: no top-level `events` block: ngx_event_init_conf
  (src/event/ngx_event.c), `no "events" section in configuration`, with no
  line; reported at the file's first directive.
"""
from __future__ import annotations

from collections.abc import Iterator

from ..reading.tree import Node
from .effective import Effective
from .placement import Rejection
from .servers import ServerFacts


def missing_certificates(servers: ServerFacts, effective: Effective) -> Iterator[Rejection]:
    for socket, entries in servers.by_socket.items():
        if not any(listen.ssl for _, listen in entries):
            continue
        default = servers.default[socket]
        if _has_certificate(default, effective):
            continue
        if not _rejects_handshake(default, effective):
            yield _rejection(default)
            continue
        for server in dict.fromkeys(server for server, _ in entries):
            if not _has_certificate(server, effective) and not _rejects_handshake(server, effective):
                yield _rejection(server)


def missing_events(root: Node) -> Iterator[Rejection]:
    if root.children and not any(child.name == "events" for child in root.children):
        yield Rejection(root.children[0], 'no "events" section in configuration (nginx needs a top-level events { } block, '
                                          "even an empty one)")


def _has_certificate(server: Node, effective: Effective) -> bool:
    return effective.get(server, "ssl_certificate") is not None


def _rejects_handshake(server: Node, effective: Effective) -> bool:
    setting = effective.get(server, "ssl_reject_handshake")
    return setting is not None and setting.value.lower() == "on"


def _rejection(server: Node) -> Rejection:
    return Rejection(server, f'no "ssl_certificate" is defined for the "listen ... ssl" directive in {server.where()} '
                             "(give this server, or the http block, ssl_certificate and ssl_certificate_key)")
