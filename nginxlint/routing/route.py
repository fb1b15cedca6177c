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
(`ngx_http_core_find_location`), rewrite_phase (the rewrite module's
codes, run in SERVER_REWRITE before a location is chosen and in REWRITE
after, `rewrite … last` searching again up to nginx's URI-change limit);
this module puts them in nginx's order.
tests/test_routing_live.py checks the result against a real nginx.

Lookup structures (sockets, name tables, location trees) are built once
per Router and per server, so routing thousands of requests through one
Router stays cheap; they live as long as the Router, not longer.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..reading.tree import Node
from ..semantics.effective import Effective
from ..semantics.servers import ServerFacts, display_name
from ..semantics.variables import MapIndex, map_blocks
from .internal_redirects import internal_redirects
from .location_select import REDIRECT, LocationTrees, find_location, is_internal
from .request_uri import normalize_uri
from .request_variables import RequestVariables
from .rewrite_phase import Outcome, run_rewrites
from .server_select import ServerIndex, merge_slashes, validate_host

# ngx_http_core_post_rewrite_phase: r->uri_changes starts at
# NGX_HTTP_MAX_URI_CHANGES + 1 and a request whose URI changes that often is a 500.
URI_CHANGES = 11


@dataclass(frozen=True)
class Request:
    """What nginx knows of a request when it picks server and location."""

    host: str | None  # Host header (None = no Host header, HTTP/1.0)
    uri: str  # request target as sent: path and optional ?query, still %-encoded
    port: int = 80
    tls: bool = False
    address: str = "127.0.0.1"  # local address the connection arrived on
    method: str = "GET"


@dataclass(frozen=True)
class Route:
    """nginx's choice for one request, and why, so a report can explain it."""

    server: Node | None  # the server block chosen (None: nothing listens on address:port, or TLS to a plain socket)
    locations: tuple[Node, ...]  # matched location chain, outer → inner ((): no location, the server answers)
    status: int | None  # nginx answers itself: return, a rewrite redirect, 301 auto-redirect, 404 internal, 400, 500; else None
    reason: str  # one line: why this server and this location
    answered_by: Node | None = None  # the return or rewrite that answered (status comes from it)
    target: str | None = None  # its URL or text (variables substituted when the request knows them)
    uri: str | None = None  # the URI the location was chosen for, when a rewrite changed the request's
    undecided: tuple[str, ...] = ()  # `if` conditions the request cannot decide (taken as false)
    then: tuple[str, ...] = ()  # internal redirects that may follow (try_files, error_page, index)

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
        self._maps = MapIndex(map_blocks(roots))

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
        variables = RequestVariables(
            self._maps, host=request.host, validated_host=host.decode("utf-8", "surrogateescape"),
            raw_uri=request.uri, uri=uri, tls=request.tls, port=request.port, address=request.address,
            method=request.method, server_name=display_name(server) or "")
        return _Phases(self._locations.of(server), server, variables, why_server, facts.effective).run()

    def sockets_naming(self, host: str | None, address: str) -> list[tuple[str, int, bool]]:
        """(socket, port, TLS) of each socket a connection from `address` reaches
        where a server_name matches `host` (None: a server named "")."""
        wanted = b"" if host is None else validate_host(host)
        found = []
        for sock in self._servers.facts.by_socket:
            port = sock.rpartition(":")[2]
            if (wanted is None or not port.isdigit() or self._servers.socket_for(address, int(port)) != (sock, True)
                    or self._servers.listeners(sock).named(wanted) is None):
                continue
            found.append((sock, int(port), sock in self._servers.facts.tls_sockets))
        return found


class _Phases:
    """SERVER_REWRITE, then FIND_CONFIG and REWRITE until no rewrite asks for
    another location search (ngx_http_core_post_rewrite_phase), for one
    request in the server it reached."""

    def __init__(self, tree, server: Node, variables: RequestVariables, why_server: str, effective: Effective):
        self.tree, self.server, self.variables, self.effective = tree, server, variables, effective
        self.steps = [why_server]
        self.undecided: list[str] = []
        self.internal = False  # a rewrite matched: internal locations are reachable (r->internal)
        self.told = True  # steps are still told (not in the third round of a rewrite cycle)

    def run(self) -> Route:
        outcome = self._rewrites(self.server, "server-level")
        if outcome.status is not None:
            return self._answer((), outcome)
        for cycle in range(URI_CHANGES):
            if cycle == 2:
                self.told = False  # a rewrite cycle: the first two rounds tell it
            kind, chain, steps = find_location(self.tree, self.variables.uri)
            locations = tuple(entry.node for entry in chain)
            self._tell(", then ".join(steps) if steps else "no location matches: served at server level")
            if locations and is_internal(locations[-1]) and not self.internal:
                return self._route(locations, 404, "internal location: 404")
            if kind == REDIRECT:
                return self._route(locations, 301)
            if not locations:
                return self._route(())  # no location rewrite phase for the server's own configuration
            outcome = self._rewrites(locations[-1], "location")
            if outcome.status is not None:
                return self._answer(locations, outcome)
            if not outcome.research:
                return self._route(locations)
        return self._route(locations, 500, f"… more than {URI_CHANGES - 1} URI changes: 500 (rewrite cycle)")

    def _rewrites(self, block: Node, phase: str) -> Outcome:
        before = self.variables.uri
        outcome = run_rewrites(block, self.variables)
        self.undecided += outcome.undecided
        self.internal = self.internal or outcome.rewritten
        if outcome.rewritten and outcome.status is None:
            node = outcome.node
            shown = outcome.uri.decode("utf-8", "replace")
            moved = f"to {shown}" if outcome.uri != before else "(same URI)"
            self._tell(f"{phase} rewrite {' '.join(node.args)} ({node.file}:{node.line}) {moved}")
        return outcome

    def _tell(self, step: str) -> None:
        if self.told:
            self.steps.append(step)

    def _answer(self, locations: tuple[Node, ...], outcome: Outcome) -> Route:
        node = outcome.node
        target = f" {outcome.target}" if outcome.target is not None else ""
        where = "location" if locations else "server-level"
        self.steps.append(f"{where} {node.name} {' '.join(node.args)} ({node.file}:{node.line}) answers "
                          f"{outcome.status}{target}")
        return self._route(locations, outcome.status, answered_by=node, target=outcome.target)

    def _route(self, locations: tuple[Node, ...], status: int | None = None, last: str | None = None,
               answered_by: Node | None = None, target: str | None = None) -> Route:
        steps = self.steps + ([last] if last else [])
        if self.undecided:
            steps.append("depends on " + "; ".join(self.undecided) + " (taken as false)")
        uri = self.variables.uri.decode("utf-8", "surrogateescape") if self.internal else None
        then = internal_redirects(self.effective, self.tree, locations[-1] if locations else self.server, status,
                                  self.variables)
        return Route(self.server, locations, status, "; ".join(steps), answered_by, target, uri,
                     tuple(self.undecided), then)
