"""Which server block and which location nginx picks for a request.

Rules that judge "the location that serves /api/v1/ws/…" are only as right
as this choice, and nginx's choice is full of traps (semantics §5, §6.1–6.3):
a regex declared later steals a URI from a longer prefix, `^~` only shields
its own nesting level, `/y` is answered with a 301 when `location /y/` has a
`proxy_pass`, a server listening on 127.0.0.1:80 hides every `listen 80`
server from that address. So nginx 1.22–1.31 is emulated step by step
instead of approximated, one module per step: request_uri
(`ngx_http_parse_complex_uri`), server_select (`ngx_http_validate_host`,
`ngx_http_find_virtual_server`), location_select
(`ngx_http_core_find_location`); this module puts them in nginx's order.
tests/test_routing_live.py checks the result against a real nginx.

Lookup structures (sockets, name tables, location trees) are built once
per Router and per server, so routing thousands of requests through one
Router stays cheap; they live as long as the Router, not longer.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..reading.tree import Node
from ..semantics.servers import ServerFacts
from .location_select import REDIRECT, LocationTrees, find_location, is_internal
from .request_uri import normalize_uri
from .server_select import ServerIndex, merge_slashes, validate_host


@dataclass(frozen=True)
class Request:
    """What nginx knows of a request when it picks server and location."""

    host: str | None  # Host header (None = no Host header, HTTP/1.0)
    uri: str  # request target as sent: path and optional ?query, still %-encoded
    port: int = 80
    tls: bool = False
    address: str = "127.0.0.1"  # local address the connection arrived on


@dataclass(frozen=True)
class Route:
    """nginx's choice for one request, and why, so a report can explain it."""

    server: Node | None  # the server block chosen (None: nothing listens on address:port, or TLS to a plain socket)
    locations: tuple[Node, ...]  # matched location chain, outer → inner ((): served at server level)
    status: int | None  # 301 auto-redirect, 404 internal location, 400 invalid request; else None
    reason: str  # one line: why this server and this location

    @property
    def location(self) -> Node | None:
        """The innermost location: the one whose configuration serves the request."""
        return self.locations[-1] if self.locations else None


def route(roots: list[Node], request: Request) -> Route:
    """The server and location chain nginx selects for `request` in the
    http servers of `roots` (taken together, in order, as one nginx.conf).
    For many requests to one configuration, route through one Router."""
    return Router(roots).route(request)


class Router:
    """nginx's choices for requests to the http servers of `roots`."""

    def __init__(self, roots: list[Node]):
        self._servers = ServerIndex(ServerFacts(roots))
        self._locations = LocationTrees()

    def route(self, request: Request) -> Route:
        facts = self._servers.facts
        socket_key, listened = self._servers.socket_for(request.address, request.port)
        if not listened:
            return Route(None, (), None, f"nothing listens on {socket_key}")
        listeners = self._servers.listeners(socket_key)
        tls = socket_key in facts.tls_sockets
        if request.tls and not tls:
            return Route(None, (), None, f"{socket_key} is not TLS: the handshake fails")

        # The request line is parsed with the default server's merge_slashes,
        # before any Host header is read.
        uri = normalize_uri(request.uri, merge_slashes(facts, listeners.default))
        if uri is None:
            return Route(listeners.default, (), 400, f"invalid request URI: 400 from the default server of {socket_key}")
        host = b"" if request.host is None else validate_host(request.host)
        if host is None:
            return Route(listeners.default, (), 400, f"invalid Host header: 400 from the default server of {socket_key}")

        server, why_server = listeners.select(host, request.host is None)
        why_server = f"{socket_key}: {why_server}"
        if tls and not request.tls:
            return Route(server, (), 400, f"{why_server}; plain HTTP request to a TLS port: 400")

        kind, chain, steps = find_location(self._locations.of(server), uri)
        locations = tuple(entry.node for entry in chain)
        why = f"{why_server}; {', then '.join(steps) if steps else 'no location matches: served at server level'}"
        if locations and is_internal(locations[-1]):
            return Route(server, locations, 404, f"{why}; internal location: 404")
        if kind == REDIRECT:
            return Route(server, locations, 301, why)
        return Route(server, locations, None, why)
