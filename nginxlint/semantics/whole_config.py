"""What `nginx -t` refuses about a configuration as a whole, judged only
where the whole is in view: a main config (nginx.conf) every include of
which was read. In a fragment, or with an include missing, the events block
or a certificate may stand in the part not seen.

- SYN009: `listen ... ssl` on a socket whose default server has no
  ssl_certificate, its own or inherited from http, nor ssl_reject_handshake
  on (then every server of the socket needs one or the other):
  ngx_http_ssl_init (src/http/modules/ngx_http_ssl_module.c), which names
  the server block's file and line, where this reports it.
  In every http server, as many ssl_certificate_key lines in force as
  ssl_certificate lines (ngx_http_ssl_merge_srv_conf): else `no
  "ssl_certificate_key" is defined for certificate "b.pem"`, the last one,
  with no line (reported there), or, with `ssl on` (before 1.25.1), naming
  the ssl line.
- SYN011: no top-level `events` block: ngx_event_init_conf
  (src/event/ngx_event.c), `no "events" section in configuration`, with no
  line; reported at the file's first directive. Only in the file nginx is
  started with: one named nginx.conf, or one setting what only the main
  file can (user, worker_processes, pid…). A file holding just `http { }`
  (or `stream { }`) is as often included from an nginx.conf that has the
  events block (crossplane's includes-globbed/http.conf).
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator

from ..reading.file_roles import MAIN_BLOCKS
from ..reading.tree import Node
from . import directives
from .effective import Effective
from .placement import Rejection
from .servers import ServerFacts


def missing_certificates(servers: ServerFacts, effective: Effective) -> Iterator[Rejection]:
    """Each server nginx would name, once (it may fail on several sockets)."""
    return (_rejection(server) for server in dict.fromkeys(_uncertified(servers, effective)))


def _uncertified(servers: ServerFacts, effective: Effective) -> Iterator[Node]:
    for socket, entries in servers.by_socket.items():
        if not any(listen.ssl for _, listen in entries):
            continue
        default = servers.default[socket]
        if _has_certificate(default, effective):
            continue
        if not _rejects_handshake(default, effective):
            yield default
            continue
        for server, _ in entries:
            if not _has_certificate(server, effective) and not _rejects_handshake(server, effective):
                yield server


def certificates_without_keys(blocks: Iterable[Node], effective: Effective) -> Iterator[Rejection]:
    """`blocks`: every block of the tree, in file order: the servers are
    read from the http blocks' lines, not looked for in the whole tree."""
    for server in (line for block in blocks if block.inner == "http" for line in block.children):
        if server.name != "server" or server.context != "http":
            continue
        certificates = effective.get(server, "ssl_certificate")
        keys = effective.get(server, "ssl_certificate_key")
        if certificates is None or not certificates.nodes or len(keys.nodes if keys else ()) >= len(certificates.nodes):
            continue
        last = certificates.nodes[-1]
        ssl = effective.get(server, "ssl")
        where = ssl.nodes[-1] if ssl is not None and ssl.nodes and ssl.value.lower() == "on" else last
        yield Rejection(where, f'no "ssl_certificate_key" is defined for certificate "{" ".join(last.args)}" '
                               f"(each ssl_certificate needs an ssl_certificate_key in the same block, in the same order)")


def missing_events(root: Node) -> Iterator[Rejection]:
    if root.children and _is_started_with(root) and not any(child.name == "events" for child in root.children):
        yield Rejection(root.children[0], 'no "events" section in configuration (nginx needs a top-level events { } block, '
                                          "even an empty one)")


def _is_started_with(root: Node) -> bool:
    if os.path.basename(root.file) == "nginx.conf":
        return True
    return any(child.name not in MAIN_BLOCKS and directives.specs(child.name)
               and all(spec.contexts == {"main"} for spec in directives.specs(child.name)) for child in root.children)


def _has_certificate(server: Node, effective: Effective) -> bool:
    return effective.get(server, "ssl_certificate") is not None


def _rejects_handshake(server: Node, effective: Effective) -> bool:
    setting = effective.get(server, "ssl_reject_handshake")
    return setting is not None and setting.value.lower() == "on"


def _rejection(server: Node) -> Rejection:
    return Rejection(server, f'no "ssl_certificate" is defined for the "listen ... ssl" directive in {server.where()} '
                             "(give this server, or the http block, ssl_certificate and ssl_certificate_key)")
