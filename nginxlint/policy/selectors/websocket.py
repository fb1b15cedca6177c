"""`websocket:` (with `websocket_paths:`): the block proxies WebSocket traffic.

A location is a WebSocket location by what it is, not by what it inherits:
it passes requests on (a `*_pass` written in it, or in an `if` or
`limit_except` inside it) and either writes the Upgrade/Connection headers
itself or serves a WebSocket path. A server-level `proxy_set_header Upgrade`
is inherited by every location that sets no header of its own, `/metrics/`
and `@fallback` alike; it says nothing about which of them carry WebSocket
traffic, so on its own it makes none of them one.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from ...findings.records import Related
from ...reading.tree import Node
from ...routing.pcre import compile_pcre
from ...semantics.servers import location_path
from ...semantics.variables import request_variables
from ..compiling import Compiler
from ..scope import Request, Scope
from ..yamlload import Map

# A WebSocket handshake, for judging header values through maps.
HANDSHAKE = Request(request_variables({"Upgrade": "websocket", "Connection": "Upgrade"}))

# Request paths WebSocket endpoints are served at, for asking a regex
# location whether it serves one (its regex is run on them, as nginx runs it
# on a request URI; its text is never read). Each is a framework's default or
# a widespread convention: /ws and /wss (generic, and versioned APIs such as
# /api/v1/ws/...), /websocket (Meteor, Rocket.Chat, Phoenix's
# /live/websocket, Home Assistant's /api/websocket), /socket.io/ (Socket.IO),
# /sockjs/ and /sockjs-node/ (SockJS, webpack-dev-server), /cable (Rails
# Action Cable), /websockify (noVNC). A probe counts only when the pack's
# websocket_paths pattern accepts it too, so narrowing the pattern narrows
# the probes.
PROBES = ("/ws", "/ws/", "/ws/x", "/wss/", "/websocket", "/websocket/", "/websockets/", "/live/websocket",
          "/api/websocket", "/api/ws/x", "/api/v1/ws/x", "/socket.io/", "/sockjs/x", "/sockjs-node/x",
          "/cable", "/websockify")
# Ordinary paths: a regex that also matches one of these serves everything
# (`~ /`, `~ ^/api/`, `~ \.php$` never match a probe), not a WebSocket endpoint.
CONTROLS = ("/", "/index.html", "/x", "/api/users", "/api/v1/items/1", "/static/app.js", "/login")


@dataclass(frozen=True)
class Reason:
    """What made a location a WebSocket one: a header it writes (`node` is
    the proxy_set_header) or the path it serves (`node` is the location)."""

    text: str
    node: Node


@dataclass(frozen=True)
class Websocket:
    """`websocket:` the block proxies WebSocket traffic (websocket_reason);
    `websocket_paths:` a regex of WebSocket-looking request paths: a prefix
    or exact location whose path matches it counts even before it sets
    Upgrade or Connection, and so does a regex location whose regex matches
    one of PROBES that this pattern accepts."""

    key: ClassVar[str] = "websocket"
    companions: ClassVar[tuple[str, ...]] = ("websocket_paths",)
    want: bool
    paths: re.Pattern | None

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Websocket:
        paths = select.get("websocket_paths")
        return cls(compiler.flag(select[cls.key], select.line_of(cls.key), cls.key),
                   None if paths in (None, "") else compiler.regex(paths, select.line_of("websocket_paths"), "websocket_paths"))

    def holds(self, block: Node, scope: Scope) -> bool:
        return (websocket_reason(block, scope, self.paths) is not None) == self.want

    def reason(self, block: Node, scope: Scope) -> Related | None:
        """What made `block` a WebSocket block, as a finding's related place."""
        found = websocket_reason(block, scope, self.paths) if self.want else None
        return None if found is None else Related(found.node.file, max(found.node.line, 1), found.text)

    def description(self) -> str:
        """What counts, for `nginxlint explain`."""
        paths = f" (websocket_paths: {self.paths.pattern})" if self.paths is not None else ""
        return ("A WebSocket location: a location that passes requests on (a *_pass written in it, or in an if or "
                "limit_except inside it; the block judged is the one the pass stands in) and either writes "
                "proxy_set_header Upgrade, or Connection with the upgrade token, itself (an inherited server-level "
                "header does not count), or serves a WebSocket path: a prefix or exact location whose path matches "
                f"websocket_paths{paths}, or a regex location whose regex matches one of the probe paths "
                f"{', '.join(PROBES)} (those websocket_paths accepts) and none of the ordinary paths "
                f"{', '.join(CONTROLS)}.")


def websocket_reason(block: Node, scope: Scope, paths: re.Pattern | None) -> Reason | None:
    """Why `block` is judged as a WebSocket block, or None when it is not:
    a location, or an if or limit_except in one, with its own `*_pass`,
    whose location writes Upgrade/Connection itself or serves a WebSocket
    path. Asked once per block and pattern in a tree (every WebSocket rule
    asks it of every location, through more than one selector)."""
    key = (paths, block)
    if key not in scope.websocket_answers:
        scope.websocket_answers[key] = _reason(block, scope, paths)
    return scope.websocket_answers[key]


def _reason(block: Node, scope: Scope, paths: re.Pattern | None) -> Reason | None:
    if block.inner not in ("location", "if-in-location", "limit_except") or not _passes(block):
        return None
    location = block if block.inner == "location" else block.location
    if location is None:
        return None
    return _writes_upgrade(location, scope) or _serves_websocket_path(location, paths)


def _passes(block: Node) -> bool:
    """A `*_pass` written in the block (an if or limit_except that only
    inherits its location's pass is not judged a second time)."""
    return any(child.name.endswith("_pass") for child in block.children or ())


def _writes_upgrade(location: Node, scope: Scope) -> Reason | None:
    """The location's own proxy_set_header Upgrade (non-empty for a
    handshake) or Connection (with the upgrade token for a handshake)."""
    for node in scope.effective.own(location, "proxy_set_header"):
        if len(node.args) < 2 or node.args[0].lower() not in ("upgrade", "connection"):
            continue
        name, written = node.args[0].lower(), node.args[1]
        value = scope.evaluated(written, HANDSHAKE)
        if value is None:
            value = written  # an unknown map: judge by the text ($connection_upgrade)
        if name == "upgrade" and value or name == "connection" and "upgrade" in value.lower():
            return Reason(f"a WebSocket location because it sets proxy_set_header {node.args[0]} {written}", node)
    return None


def _serves_websocket_path(location: Node, paths: re.Pattern | None) -> Reason | None:
    if paths is None:
        return None
    modifier, path = location_path(location)
    if modifier in ("", "=", "^~"):
        if paths.search(path) is None:
            return None
        return Reason(f"a WebSocket location because its path {path} looks like a WebSocket endpoint", location)
    if modifier not in ("~", "~*"):
        return None  # a named location serves no request path
    regex = compile_pcre(path, caseless=modifier == "~*")
    if regex is None or any(regex.matches(p.encode()) for p in CONTROLS):
        return None
    probe = next((p for p in PROBES if paths.search(p) and regex.matches(p.encode())), None)
    if probe is None:
        return None
    return Reason(f"a WebSocket location because its regex {path} matches the WebSocket path {probe}", location)
