"""Which server block and which location nginx picks for a request.

Rules that judge "the location that serves /api/v1/ws/…" are only as right
as this choice, and nginx's choice is full of traps (semantics §5, §6.1–6.3):
a regex declared later steals a URI from a longer prefix, `^~` only shields
its own nesting level, `/y` is answered with a 301 when `location /y/` has a
`proxy_pass`, a server listening on 127.0.0.1:80 hides every `listen 80`
server from that address. So this module emulates nginx 1.22–1.31 step by
step (`ngx_http_parse_complex_uri`, `ngx_http_validate_host`,
`ngx_http_find_virtual_server`, `ngx_http_core_find_location`) instead of
approximating it, and is checked against a real nginx by
tests/test_routing_live.py.

Lookup structures are built once per configuration tree and per server and
cached by identity, so routing thousands of requests stays cheap.
"""
from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass

from .servers import listen_socket, location_path, server_names
from .tree import Node

# Directives that make `location /x/` answer `/x` with a 301 when written
# directly in it (not inside its `if` or `limit_except`) [S: clcf->auto_redirect].
AUTO_REDIRECT = frozenset({"proxy_pass", "fastcgi_pass", "uwsgi_pass", "scgi_pass", "memcached_pass", "grpc_pass"})


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
    http servers of `roots` (taken together, in order, as one nginx.conf)."""
    servers = _server_index(roots)
    exact_socket, wildcard_socket = _socket_keys(request.address, request.port)
    socket_key = exact_socket if exact_socket in servers.by_socket else wildcard_socket
    if socket_key not in servers.by_socket:
        return Route(None, (), None, f"nothing listens on {exact_socket}")
    listeners = servers.listeners(socket_key)
    tls = servers.is_tls(socket_key)
    if request.tls and not tls:
        return Route(None, (), None, f"{socket_key} is not TLS: the handshake fails")

    # The request line is parsed with the default server's merge_slashes,
    # before any Host header is read.
    uri = _normalize_uri(request.uri, _merge_slashes(listeners.default))
    if uri is None:
        return Route(listeners.default, (), 400, f"invalid request URI: 400 from the default server of {socket_key}")
    host = b"" if request.host is None else _validate_host(request.host)
    if host is None:
        return Route(listeners.default, (), 400, f"invalid Host header: 400 from the default server of {socket_key}")

    server, why_server = listeners.select(host, request.host is None)
    why_server = f"{socket_key}: {why_server}"
    if tls and not request.tls:
        return Route(server, (), 400, f"{why_server}; plain HTTP request to a TLS port: 400")

    kind, chain, steps = _find(_location_tree(server), uri)
    locations = tuple(entry.node for entry in chain)
    why = f"{why_server}; {', then '.join(steps) if steps else 'no location matches: served at server level'}"
    if locations and _is_internal(locations[-1]):
        return Route(server, locations, 404, f"{why}; internal location: 404")
    if kind == _REDIRECT:
        return Route(server, locations, 301, why)
    return Route(server, locations, None, why)


# -- request URI -------------------------------------------------------------------

_USUAL, _SLASH, _DOT, _DOT_DOT, _QUOTED, _QUOTED_SECOND = range(6)
_HEX = {c: int(chr(c), 16) for c in b"0123456789abcdefABCDEF"}


def _normalize_uri(raw: str, merge_slashes: bool = True) -> bytes | None:
    """The path nginx matches locations against ($uri), as bytes; None when
    nginx answers 400.

    A byte-for-byte port of ngx_http_parse_complex_uri (Unix build): %XX
    decoded, and the decoded byte processed again, so %2F is a slash and
    %2e%2e a dot-dot segment, except that decoded `%`, `#` and `?` are plain
    characters; `.` and `..` segments resolved (above the root: 400); runs
    of `/` merged unless merge_slashes is off; the query and any fragment
    dropped. Non-ASCII characters are taken as their UTF-8 bytes, as a
    client sends them."""
    data = raw.encode("utf-8", "surrogateescape")
    if not data.startswith(b"/") or any(c <= 0x20 or c == 0x7F for c in data):
        return None  # ngx_http_parse_request_line rejects these
    out = bytearray()
    state = quoted_state = _USUAL
    decoded = 0
    end = len(data)
    ch, p = data[0], 1
    while p <= end:
        advance = True
        if state == _QUOTED:
            if ch not in _HEX:
                return None
            decoded, state = _HEX[ch], _QUOTED_SECOND
        elif state == _QUOTED_SECOND:
            if ch not in _HEX:
                return None
            ch = decoded * 16 + _HEX[ch]
            if ch in b"%#?":
                state = _USUAL
                out.append(ch)
            elif ch == 0:
                return None
            else:
                state, advance = quoted_state, False  # the decoded byte goes round again
        elif ch == 0x25:  # %
            quoted_state, state = state, _QUOTED
        elif ch in b"?#":
            if state == _DOT:
                out.pop()
            elif state == _DOT_DOT and not _up(out):
                return None
            return bytes(out)
        elif ch == 0x2F:  # /
            if state == _DOT:
                out.pop()
            elif state == _DOT_DOT:
                if not _up(out):
                    return None
            elif state != _SLASH or not merge_slashes:
                out.append(ch)
            state = _SLASH
        elif ch == 0x2E and state in (_SLASH, _DOT):  # .
            out.append(ch)
            state = _DOT if state == _SLASH else _DOT_DOT
        else:
            out.append(ch)
            state = _USUAL
        if advance:
            ch = data[p] if p < end else 0x20
            p += 1
    if state in (_QUOTED, _QUOTED_SECOND):
        return None
    if state == _DOT:
        out.pop()
    elif state == _DOT_DOT and not _up(out):
        return None
    return bytes(out)


def _up(out: bytearray) -> bool:
    """Drop the trailing "/.." and the segment before it, keeping that
    segment's leading slash; False when there is no segment to drop."""
    i = len(out) - 4
    while i >= 0 and out[i] != 0x2F:
        i -= 1
    if i < 0:
        return False
    del out[i + 1:]
    return True


# -- server selection --------------------------------------------------------------


def _socket_keys(address: str, port: int) -> tuple[str, str]:
    """The exact and the wildcard listen socket a connection to address:port can reach."""
    ip = ipaddress.ip_address(address.strip("[]"))
    if ip.version == 6:
        return f"[{ip.compressed}]:{port}", f"[::]:{port}"
    return f"{ip}:{port}", f"*:{port}"


def _canonical_socket(sock: str) -> str:
    """listen_socket's "addr:port" with the address spelled as _socket_keys spells it."""
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


def _merge_slashes(server: Node) -> bool:
    setting = _server_level(server, "merge_slashes")
    return setting is None or setting.args[:1] != ("off",)


def _validate_host(host: str) -> bytes | None:
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


class _Listeners:
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
            pattern = _compile(name[1:], re.IGNORECASE)
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


class _ServerIndex:
    """Every http server of one configuration, grouped by listen socket."""

    def __init__(self, roots: list[Node]):
        self.by_socket: dict[str, list[tuple[Node, tuple[str, ...]]]] = {}
        for server in _http_servers(roots):
            listens = [c for c in server.children or () if c.name == "listen"] or [None]
            for listen in listens:
                sock, params = ("*:80", ()) if listen is None else (listen_socket(listen.args), listen.args[1:])
                if sock is not None:
                    self.by_socket.setdefault(_canonical_socket(sock), []).append((server, params))
        self._listeners: dict[str, _Listeners] = {}

    def listeners(self, sock: str) -> _Listeners:
        if sock not in self._listeners:
            entries = self.by_socket[sock]
            self._listeners[sock] = _Listeners([(s, "default_server" in p or "default" in p) for s, p in entries])
        return self._listeners[sock]

    def is_tls(self, sock: str) -> bool:
        """TLS when any listen on the socket says ssl, or its default server
        says `ssl on` (ngx_http_init_connection)."""
        if any("ssl" in params for _, params in self.by_socket[sock]):
            return True
        setting = _server_level(self.listeners(sock).default, "ssl")
        return setting is not None and setting.args[:1] == ("on",)


# -- location selection ------------------------------------------------------------

_EXACT, _REDIRECT, _REGEX, _PREFIX, _NONE = "exact", "redirect", "regex", "prefix", "none"


class _Entry:
    """One location of a level: its node, and the level of its nested locations."""

    __slots__ = ("node", "modifier", "name", "pattern", "children")

    def __init__(self, node: Node, modifier: str, name: bytes, pattern: re.Pattern | None):
        self.node, self.modifier, self.name, self.pattern = node, modifier, name, pattern
        self.children = _Level(node, static=pattern is None)


class _Level:
    """The locations directly inside one server or location, indexed as
    ngx_http_init_locations sorts them: static names in hash maps (nginx's
    binary tree finds the same longest prefix), regexes in file order,
    named locations left out (a URI never selects them).

    Inside a regex location only the nested regexes count: nginx builds
    static location trees by walking static locations only
    (ngx_http_init_static_location_trees), so a prefix or exact location
    nested in a regex location is never selected [E: live test]."""

    __slots__ = ("exact", "prefix", "lengths", "redirect", "regexes")

    def __init__(self, block: Node, static: bool = True):
        self.exact: dict[bytes, _Entry] = {}
        self.prefix: dict[bytes, _Entry] = {}
        self.regexes: list[_Entry] = []
        for child in block.children or ():
            if child.name != "location" or not child.args:
                continue
            modifier, path = location_path(child)
            if modifier == "@":
                continue
            if modifier not in ("", "^~", "=", "~", "~*"):
                continue  # nginx refuses the configuration
            if modifier in ("~", "~*"):
                pattern = _compile(path, re.IGNORECASE if modifier == "~*" else 0)
                if pattern is not None:
                    self.regexes.append(_Entry(child, modifier, b"", pattern))
                continue
            if not static:
                continue
            name = path.encode("utf-8", "surrogateescape")
            table = self.exact if modifier == "=" else self.prefix
            table.setdefault(name, _Entry(child, modifier, name, None))
        self.lengths = sorted({len(name) for name in self.prefix}, reverse=True)
        # ngx_http_create_locations_tree: a node "x/" whose exact or prefix
        # location has a *_pass answers "x" with a 301, serving from the
        # exact location when there is one.
        self.redirect: dict[bytes, _Entry] = {}
        for name in {*self.exact, *self.prefix}:
            pair = [e for e in (self.exact.get(name), self.prefix.get(name)) if e]
            if name.endswith(b"/") and any(_has_pass(e.node) for e in pair):
                self.redirect[name[:-1]] = pair[0]


def _has_pass(location: Node) -> bool:
    return any(c.name in AUTO_REDIRECT for c in location.children or ())


def _find(level: _Level, uri: bytes) -> tuple[str, list[_Entry], list[str]]:
    """ngx_http_core_find_location for one level: (kind, chain, steps told)."""
    entry = level.exact.get(uri)
    if entry is not None:
        return _EXACT, [entry], [f"exact = {_show(entry)}"]
    found = level.prefix.get(uri)
    if found is None:
        entry = level.redirect.get(uri)
        if entry is not None:
            return _REDIRECT, [entry], [f"301 to {_show(entry)} (a *_pass is in it)"]
        found = next((level.prefix[uri[:n]] for n in level.lengths if n <= len(uri) and uri[:n] in level.prefix), None)
    chain, steps, kind = [], [], _NONE
    if found is not None:
        kind, chain = _PREFIX, [found]
        steps = [f"longest prefix {'^~ ' if found.modifier == '^~' else ''}{_show(found)}"]
        inner_kind, inner_chain, inner_steps = _find(found.children, uri)
        steps += _nested(inner_steps)
        if inner_kind in (_EXACT, _REDIRECT, _REGEX):
            return inner_kind, chain + inner_chain, steps
        chain += inner_chain
        if found.modifier == "^~":
            return kind, chain, steps + (["^~ skips this level's regexes"] if level.regexes else [])
    for entry in level.regexes:
        if entry.pattern.search(uri):
            _, inner_chain, inner_steps = _find(entry.children, uri)
            return _REGEX, [entry] + inner_chain, steps + [f"regex {_show(entry)}"] + _nested(inner_steps)
    return kind, chain, steps


def _nested(steps: list[str]) -> list[str]:
    return [s if s.startswith("nested ") else "nested " + s for s in steps]


def _show(entry: _Entry) -> str:
    modifier, path = location_path(entry.node)
    return f"{modifier} {path}" if modifier in ("~", "~*", "=") else path


def _is_internal(location: Node) -> bool:
    """`internal` is inherited by nested locations (ngx_conf_merge_value)."""
    node = location
    while node is not None and node.inner == "location":
        if _directive(node, "internal") is not None:
            return True
        node = node.parent
    return False


# -- regexes -----------------------------------------------------------------------

_POSIX_CLASSES = {
    "alpha": "a-zA-Z", "digit": "0-9", "alnum": "a-zA-Z0-9", "upper": "A-Z", "lower": "a-z",
    "space": r" \t\n\r\f\v", "xdigit": "0-9A-Fa-f", "word": r"\w", "punct": r"!-/:-@\[-`{-~",
    "blank": r" \t", "cntrl": r"\x00-\x1f\x7f", "print": r" -~", "graph": r"!-~",
}
_PCRE_ESCAPES = {"\\z": "\\Z", "\\Z": "(?=\\n?\\Z)"}
_PCRE_ONLY = re.compile(r"\\.|\(\?<(?=[A-Za-z_])|\(\?'([A-Za-z_]\w*)'|\[:(\^?)([a-z]+):\]")


def _compile(pattern: str, flags: int) -> re.Pattern | None:
    """A PCRE pattern (as nginx compiles it: no UTF mode, so bytes) for
    Python's re; the PCRE-only spellings that configs use are translated:
    `(?<name>`, `(?'name'`, POSIX classes such as `[:alpha:]`, `\\z`, `\\Z`.
    None (the location or name never matches) when a pattern uses
    PCRE syntax Python lacks, such as a negated POSIX class or `\\Q…\\E`."""
    unsupported = False

    def translate(match: re.Match) -> str:
        nonlocal unsupported
        text = match.group(0)
        if text.startswith("\\"):
            unsupported = unsupported or text in ("\\Q", "\\E", "\\K", "\\R", "\\X")
            return _PCRE_ESCAPES.get(text, text)
        if text.startswith("(?<"):
            return "(?P<"
        if text.startswith("(?'"):
            return f"(?P<{match.group(1)}>"
        if match.group(2) or match.group(3) not in _POSIX_CLASSES:
            unsupported = True
            return text
        return _POSIX_CLASSES[match.group(3)]

    translated = _PCRE_ONLY.sub(translate, pattern)
    try:
        return None if unsupported else re.compile(translated.encode("utf-8", "surrogateescape"), flags)
    except (re.error, ValueError):
        return None


# -- caches --------------------------------------------------------------------------

def tls_default_servers(root: Node) -> set[int]:
    """ids of the default server of each TLS address:port of the tree: the
    server whose TLS settings the handshake uses before SNI is known."""
    index = _server_index([root])
    return {id(index.listeners(sock).default) for sock in index.by_socket if index.is_tls(sock)}


_CACHE_LIMIT = 256
_server_cache: dict[tuple[int, ...], tuple[tuple[Node, ...], _ServerIndex]] = {}
_location_cache: dict[int, tuple[Node, _Level]] = {}


def _server_index(roots: list[Node]) -> _ServerIndex:
    key = tuple(map(id, roots))
    cached = _server_cache.get(key)
    if cached is None or any(a is not b for a, b in zip(cached[0], roots)):
        if len(_server_cache) >= _CACHE_LIMIT:
            _server_cache.clear()
        cached = _server_cache[key] = (tuple(roots), _ServerIndex(roots))
    return cached[1]


def _location_tree(server: Node) -> _Level:
    cached = _location_cache.get(id(server))
    if cached is None or cached[0] is not server:
        if len(_location_cache) >= _CACHE_LIMIT * 16:
            _location_cache.clear()
        cached = _location_cache[id(server)] = (server, _Level(server))
    return cached[1]
