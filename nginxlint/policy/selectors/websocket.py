"""`websocket:` (with `websocket_paths:`): the block proxies WebSocket traffic."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from ...reading.tree import Node
from ...semantics.servers import location_path
from ...semantics.variables import evaluate, request_variables
from ..compiling import Compiler
from ..scope import Scope
from ..yamlload import Map

# A WebSocket handshake, for judging header values through maps.
HANDSHAKE = request_variables({"Upgrade": "websocket", "Connection": "Upgrade"})


@dataclass(frozen=True)
class Websocket:
    """`websocket:` the block proxies WebSocket traffic (is_websocket);
    `websocket_paths:` a regex of location paths that count even before
    the block sets Upgrade or Connection."""

    key: ClassVar[str] = "websocket"
    companions: ClassVar[tuple[str, ...]] = ("websocket_paths",)
    want: bool
    paths: re.Pattern | None  # a location whose path matches is a WebSocket one even before it sets Upgrade

    @classmethod
    def from_yaml(cls, select: Map, compiler: Compiler) -> Websocket:
        paths = select.get("websocket_paths")
        return cls(compiler.flag(select[cls.key], select.line_of(cls.key), cls.key),
                   None if paths in (None, "") else compiler.regex(paths, select.line_of("websocket_paths"), "websocket_paths"))

    def holds(self, block: Node, scope: Scope) -> bool:
        key = (self.paths, id(block))
        if key not in scope.websocket_answers:
            scope.websocket_answers[key] = is_websocket(block, scope, self.paths)
        return scope.websocket_answers[key] == self.want


def is_websocket(block: Node, scope: Scope, paths: re.Pattern | None) -> bool:
    """Design §4: a block with its own proxy_pass that sets Upgrade or
    Connection: upgrade (its own or inherited), or whose location path matches
    the WebSocket path pattern.

    Only proxy_pass: uwsgi and scgi pass the client's Upgrade through by
    themselves (semantics §4.9) and none of the proxy_* rules applies to
    them. The proxy_pass must be written in the block: an if or limit_except
    that has one is checked itself (it inherits the location's settings), and
    one that merely inherits it is not checked twice."""
    if block.inner not in ("location", "if-in-location", "limit_except") or not scope.effective.own(block, "proxy_pass"):
        return False
    for header in scope.effective.headers(block):
        name = header.name.lower()
        if header.node is None or name not in ("upgrade", "connection"):
            continue
        value = evaluate(header.value, HANDSHAKE, scope.maps)
        if value is None:
            value = header.value  # an unknown map: judge by the text ($connection_upgrade)
        if name == "upgrade" and value or "upgrade" in value.lower():
            return True
    if paths is not None:
        location = block if block.inner == "location" else block.location
        return paths.search(location_path(location)[1]) is not None
    return False
