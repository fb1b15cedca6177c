"""Which requests a restore would send to another server or location.

Comparing settings block by block misses the change that hurts most: a
backup whose new regex location steals `/socket.io/` from the prefix
location that proxies it changes no setting of either block. So every
request either configuration distinguishes is routed in both (routing.route,
nginx's own order): on each listen socket, each server name, with the path
of each location (exact and prefix paths as written, sample paths built from
each regex), `/`, and the user's `--probe` URIs. A request whose serving
server, location or status differs is a RoutingChange; when the active
config proxied it, a regression.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from ...reading.loader import Config
from ...reading.tree import Node, walk
from ...routing.route import Request, Route, Router
from ...semantics.directives import UPSTREAM_HANDLERS
from ...semantics.in_force import block_label
from ...semantics.servers import ServerFacts, display_name, location_path, server_names
from .regex_samples import regex_samples

REQUEST_LIMIT = 20000  # a huge config is probed on its first sockets, hosts and paths only


@dataclass(frozen=True)
class Served:
    """What answers one request in one configuration, said for a report."""

    text: str  # "location /socket.io/ in server api.gmai.sa", "server api.gmai.sa at server level", "nothing: …"
    file: str | None
    line: int | None
    proxied: bool  # a *_pass location serves it (its backend receives the request)


@dataclass(frozen=True)
class RoutingChange:
    url: str  # "https://api.gmai.sa/socket.io/"
    socket: str  # the listen socket the request arrives on
    active: Served
    backup: Served

    @property
    def regression(self) -> bool:
        """A proxied request that would reach another block: its backend loses it."""
        return self.active.proxied


@dataclass(frozen=True)
class RoutingResult:
    changes: list[RoutingChange]
    requests: int  # requests routed in both configurations
    truncated: bool  # REQUEST_LIMIT was reached: requests beyond it were not compared


def routing_changes(active: Config, backup: Config, probes: tuple[str, ...] = ()) -> RoutingResult:
    routers = Router(active.roots), Router(backup.roots)
    facts = ServerFacts(active.roots), ServerFacts(backup.roots)
    changes: list[RoutingChange] = []
    seen: set[tuple[str, str | None, str]] = set()
    asked = {p if p.startswith("/") else urlsplit(p).path or "/" for p in probes}  # never cut by the cap
    truncated = False
    for sock, request in _requests(facts, routers, probes):
        key = (sock, request.host, request.uri)
        if key in seen:
            continue
        if len(seen) >= REQUEST_LIMIT and request.uri not in asked:
            truncated = True
            continue
        seen.add(key)
        route_a, route_b = routers[0].route(request), routers[1].route(request)
        if _identity(route_a) != _identity(route_b):
            changes.append(RoutingChange(_url(request), sock, _served(route_a), _served(route_b)))
    return RoutingResult(changes, len(seen), truncated)


def _requests(facts: tuple[ServerFacts, ServerFacts], routers: tuple[Router, Router], probes: tuple[str, ...]):
    """(socket, request) for each socket, host and path either side distinguishes."""
    paths = [p for p in probes if p.startswith("/")]
    urls = [urlsplit(p) for p in probes if not p.startswith("/")]
    sockets = [s for s in dict.fromkeys([*facts[0].by_socket, *facts[1].by_socket]) if _probed(s, facts)]
    for sock in sockets:
        address, port = _address(sock)
        tls = sock in (facts[0].tls_sockets if sock in facts[0].by_socket else facts[1].tls_sockets)
        hosts = dict.fromkeys(h for side in facts for server, _ in side.by_socket.get(sock, ()) for h in _hosts(server))
        hosts.update(dict.fromkeys(u.hostname for u in urls if (u.port or (443 if u.scheme == "https" else 80)) == port))
        for host in hosts:
            request = Request(host, "/", port=port, tls=tls, address=address)
            servers = {r.route(request).server for r in routers} - {None}
            uris = dict.fromkeys(["/", *paths, *(u for s in servers for u in _paths(s))])
            uris.update(dict.fromkeys(u.path or "/" for u in urls if u.hostname == host))
            for uri in uris:
                yield sock, Request(host, uri, port=port, tls=tls, address=address)


def _probed(sock: str, facts: tuple[ServerFacts, ServerFacts]) -> bool:
    """TCP sockets; an IPv6 wildcard only when no IPv4 wildcard shares its port
    (`listen 443` and `listen [::]:443` serve the same names)."""
    if sock.startswith("unix:"):
        return False
    if sock.startswith("[::]:"):
        return not any(f"*:{sock[5:]}" in side.by_socket for side in facts)
    return True


def _address(sock: str) -> tuple[str, int]:
    """An address that reaches exactly this socket: 0.0.0.0 (or ::) is the wildcard."""
    host, _, port = sock.rpartition(":")
    host = {"*": "0.0.0.0", "[::]": "::"}.get(host, host.strip("[]"))
    return host, int(port) if port.isdigit() else 80


def _hosts(server: Node) -> list[str | None]:
    """A Host header that each of the server's names matches (None: no Host header)."""
    hosts: list[str | None] = []
    for name in server_names(server) or [""]:
        if name == "":
            hosts.append(None)
        elif name.startswith("~") or name == "$hostname":
            continue
        elif name.startswith("*."):
            hosts.append("www" + name[1:])
        elif name.startswith("."):
            hosts.append(name[1:])
        elif name.endswith(".*"):
            hosts.append(name[:-1] + "example")
        else:
            hosts.append(name)
    return hosts


def _paths(server: Node) -> list[str]:
    """Each location's own path: exact and prefix names, sample paths of
    regexes; and sample paths each `rewrite` (server-level or in a location) matches."""
    found: list[str] = []
    for node in walk(server):
        if node.name == "rewrite" and node.args:
            found += regex_samples(node.args[0], False)
        if node.inner != "location" or node.server is not server:
            continue
        modifier, path = location_path(node)
        if modifier in ("", "^~", "=") and path.startswith("/"):
            found.append(path)
        elif modifier in ("~", "~*"):
            found += regex_samples(path, modifier == "~*")
    return found


def _identity(found: Route) -> tuple:
    server = found.server
    name = None if server is None else (display_name(server), server_names(server))
    # Which directive answers, not its text: a changed return URL is a changed setting (audit.py).
    answer = None if found.answered_by is None else found.answered_by.name
    return name, tuple(block_label(n) for n in found.locations), found.status, answer, found.uri


def _served(found: Route) -> Served:
    server = found.server
    if server is None:
        return Served(f"nothing ({found.reason})", None, None, False)
    where = f"server {display_name(server) or '(no server_name)'}"
    answer = found.answered_by
    if answer is not None:
        phase = f"{block_label(found.location)} in {where}" if found.locations else f"{where}, before any location"
        return Served(f"`{answer.name} {' '.join(answer.args)}` ({phase})", answer.file, answer.line, False)
    location = found.location
    if location is None:
        text = f"{where} at server level" if found.status is None else f"{where}: {found.status}"
        return Served(text, server.file, server.line, False)
    status = f" ({found.status})" if found.status else ""
    status += f" (URI rewritten to {found.uri})" if found.uri is not None else ""
    proxied = found.status is None and _proxies(location)
    return Served(f"{block_label(location)} in {where}{status}", location.file, location.line, proxied)


def _proxies(location: Node) -> bool:
    """The location hands requests to a backend (a *_pass in it or in its `if`)."""
    return any(c.name in UPSTREAM_HANDLERS or c.inner == "if-in-location" and _proxies(c) for c in location.children or ())


def _url(request: Request) -> str:
    scheme = "https" if request.tls else "http"
    port = "" if request.port == (443 if request.tls else 80) else f":{request.port}"
    host = request.host if request.host is not None else "(no Host)"
    return f"{scheme}://{host}{port}{request.uri}"

